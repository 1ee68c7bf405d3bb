"""``policylab report``: HTML pages, figures (PNG/SVG/PDF), CSV tables and a manifest from one command.

The report is built once per session (``test_notebooks.report_run``) and inspected here.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from test_notebooks import ABSOLUTE_PATH, EXPECTED, HAN, SEEDS, report_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    return report_run(tmp_path_factory)


def _sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_index_links_every_page_and_figure(report_dir):
    index = (report_dir / "index.html").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert f'href="{name}.html"' in index
        assert f'href="notebooks/{name}.ipynb"' in index
    for png in sorted((report_dir / "figures").rglob("*.png")):
        assert f'src="{png.relative_to(report_dir).as_posix()}"' in index
    # Chinese in the page renders without system fonts: the packaged font is inlined, subset
    assert 'id="policylab-cjk-font"' in index and "data:font/otf;base64," in index


@pytest.mark.parametrize("name", EXPECTED)
def test_one_html_page_per_notebook_with_embedded_figures(report_dir, name):
    page = (report_dir / f"{name}.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 1
    assert "Findings" in page and HAN.search(page)
    assert 'id="policylab-cjk-font"' in page
    assert "Traceback" not in page


@pytest.mark.parametrize("name", EXPECTED)
def test_figures_in_three_formats_with_chinese_text(report_dir, name):
    folder = report_dir / "figures" / name
    stems = sorted({p.stem for p in folder.iterdir()})
    assert stems, f"{name} saved no figure"
    for stem in stems:
        for fmt in ("png", "svg", "pdf"):
            p = folder / f"{stem}.{fmt}"
            assert p.is_file() and p.stat().st_size > 1000, p
        assert (folder / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        # every figure carries Chinese text (titles, labels), drawn as paths in the SVG so that it
        # shows on a machine without a CJK font; the strings stay in the file as comments
        svg = (folder / f"{stem}.svg").read_text(encoding="utf-8")
        assert HAN.search(svg), f"{name}/{stem}.svg has no Chinese text"
        assert "<text" not in svg and "<path" in svg, f"{name}/{stem}.svg relies on a font"
        pdf = (folder / f"{stem}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and b"NotoSansCJK" in pdf, f"{name}/{stem}.pdf lacks the CJK font"


@pytest.mark.parametrize("name", EXPECTED)
def test_tables_as_csv_latex_and_markdown(report_dir, name):
    csvs = sorted((report_dir / "tables" / name).glob("*.csv"))
    assert csvs, f"{name} saved no table"
    for p in csvs:
        df = pd.read_csv(p, encoding="utf-8")
        assert len(df.columns) >= 1, p
        tex = p.with_suffix(".tex").read_text(encoding="utf-8")
        assert tex.startswith("\\begin{tabular}") and "\\bottomrule" in tex, p
        md = p.with_suffix(".md").read_text(encoding="utf-8").splitlines()
        assert md[0].startswith("| ") and set(md[1]) <= set("|- ") and len(md) == len(df) + 2, p


def test_figures_are_named_for_what_they_show(report_dir):
    stems = {p.stem for p in (report_dir / "figures" / "02_keywords").glob("*.png")}
    assert {"keyness_南京", "keyness_合肥", "keyness_成都", "keyness_沈阳", "top_words_by_city"} <= stems
    assert not [s for s in stems if re.search(r"_\d{2}$", s)]


def test_no_absolute_path_lock_file_or_network_resource_in_the_report(report_dir):
    assert not list(report_dir.rglob(".policylab.lock"))
    for p in report_dir.rglob("*"):
        if p.is_file() and p.suffix in (".html", ".ipynb", ".json", ".csv", ".md", ".tex", ".cff"):
            text = p.read_text(encoding="utf-8")
            m = ABSOLUTE_PATH.search(text)
            assert not m, f"{p.relative_to(report_dir)}: absolute path {text[max(0, m.start() - 60):m.end() + 60]!r}"
            if p.suffix == ".html":
                assert not re.search(r"<script[^>]*src=\"https?://", text), p  # works offline
                assert not re.search(r"https?://[^\"' ]*mathjax", text, re.IGNORECASE), p  # no MathJax from a CDN
                assert not re.search(r"\d{4}-\d{2}-\d{2} 00:00:00", text), f"{p}: a date printed as a timestamp"
            assert "without encryption" not in text, p


def test_data_dictionary_and_citation(report_dir):
    from policylab import schema

    page = (report_dir / "data_dictionary.html").read_text(encoding="utf-8")
    for table, cols in schema.SCHEMAS.items():
        assert f'id="{table}"' in page and all(f"<code>{c.name}</code>" in page for c in cols)
    assert 'href="data_dictionary.html"' in (report_dir / "index.html").read_text(encoding="utf-8")
    cff = (report_dir / "CITATION.cff").read_text(encoding="utf-8")
    assert cff.startswith("cff-version:") and "policylab" in cff


def test_corpus_tables_built_once_as_parquet_and_csv(report_dir):
    corpus = report_dir / "corpus"
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    for table in ("files", "documents", "removed", "page_fields", "sections", "agencies", "targets"):
        assert table in manifest["tables"]
        assert (corpus / f"{table}.parquet").is_file() and (corpus / f"{table}.csv").is_file()
    files = pd.read_csv(corpus / "files.csv")
    assert sorted(files["path"]) == sorted(p.name for p in SEEDS.iterdir() if p.is_file())


def test_manifest_records_versions_inputs_and_every_artefact(report_dir):
    m = json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["versions"]["policylab"] and m["versions"]["papermill"] and m["versions"]["python"]
    seeds = {p.name: _sha256(p) for p in SEEDS.iterdir() if p.is_file()}
    assert m["inputs"] == seeds
    assert [n["name"] for n in m["notebooks"]] == EXPECTED
    for n in m["notebooks"]:
        assert n["notebook_sha256"] == _sha256(Path(__file__).resolve().parents[1] / "notebooks" / f"{n['name']}.ipynb")
    listed = {a["path"]: a for a in m["artefacts"]}
    on_disk = {p.relative_to(report_dir).as_posix() for p in report_dir.rglob("*")
               if p.is_file() and not any(part.startswith(".") for part in p.relative_to(report_dir).parts)}
    assert set(listed) == on_disk - {"manifest.json"}
    for path, a in listed.items():
        assert a["sha256"] == _sha256(report_dir / path), path
        assert a["bytes"] == (report_dir / path).stat().st_size


def test_failed_notebook_names_the_cell_and_keeps_the_previous_report(report_dir, tmp_path):
    from policylab.runner import ReportError, build_report

    out = tmp_path / "report"
    shutil.copytree(report_dir, out)
    before = _sha256(out / "index.html")
    bad = tmp_path / "nb" / "01_broken.ipynb"
    bad.parent.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('source = "../seeds"\ntables = None\nout_dir = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# broken"), params,
                nbformat.v4.new_code_cell("share = 1 / 0  # the broken cell")]
    nbformat.write(nb, bad)
    with pytest.raises(ReportError) as e:
        build_report(SEEDS, out, progress=False, notebooks=[bad])
    msg = str(e.value)
    assert "01_broken.ipynb" in msg and "ZeroDivisionError" in msg and "share = 1 / 0" in msg
    assert _sha256(out / "index.html") == before  # the previous report is untouched
    assert (out / "01_broken.failed.ipynb").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".report-")]


def test_missing_source_is_a_clear_error(tmp_path, capsys):
    from policylab import cli

    assert cli.main(["report", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"), "-q"]) == 2
    assert "source not found" in capsys.readouterr().err


def test_a_notebook_gets_only_the_parameters_it_declares(tmp_path, monkeypatch):
    """05 and 06 compare no units: `unit` is not injected there (papermill would print "Passed
    unknown parameter: unit" on the researcher's terminal); 01 declares it and gets it."""
    import papermill

    from policylab import runner

    seen = {}

    def fake_execute(path, output, parameters=None, **kw):
        seen[Path(path).stem] = dict(parameters)
        return nbformat.v4.new_notebook()

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    params = {"source": "seeds", "tables": "corpus", "out_dir": ".", "unit": "city"}
    for name in ("01_corpus", "05_instruments", "06_diffusion"):
        runner.execute_notebook(Path("notebooks") / f"{name}.ipynb", tmp_path / f"{name}.ipynb", params, cwd=tmp_path)
    assert seen["01_corpus"] == params
    assert seen["05_instruments"] == seen["06_diffusion"] == {"source": "seeds", "tables": "corpus", "out_dir": "."}


def test_the_report_kernels_start_without_the_unencrypted_tcp_warning(tmp_path, capfd):
    """ipykernel >= 7.3 printed "Kernel is running over TCP without encryption" on stderr for every
    notebook of a quiet `policylab report`; the runner asks jupyter_client for CurveZMQ keys where
    the kernel supports them. A real kernel runs a one-cell notebook here."""
    from policylab import runner

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "one.ipynb")
    out = runner.execute_notebook(tmp_path / "one.ipynb", tmp_path / "ran.ipynb", {}, cwd=tmp_path)
    assert out.cells[0].outputs[0]["text"].strip() == "42"
    err = capfd.readouterr().err
    assert "without encryption" not in err, err[-500:]
