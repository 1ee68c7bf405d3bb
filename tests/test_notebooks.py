"""The notebooks: each runs from a fresh kernel on the seeds without error or missing glyph, and the
committed copies carry the outputs of a clean run, no errors and no paths of the author's machine.

The notebooks are executed once per test session (by ``policylab report`` through :func:`report_run`,
shared with ``test_report.py``), not once per test.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
NOTEBOOK_DIR = ROOT / "notebooks"
# the report runs every numbered notebook of notebooks/ (05, 06 ... are added by other work)
EXPECTED = sorted(p.stem for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
CORE = ["01_corpus", "02_keywords", "03_topics", "04_timeline"]
ABSOLUTE_PATH = re.compile(r"(?<![\w.])(/root\b|/tmp/|/work/|/home/|/Users/|/private/|[A-Za-z]:\\\\)")
GLYPH = re.compile(r"missing from (current )?font|Glyph \d+", re.IGNORECASE)
HAN = re.compile(r"[\u4e00-\u9fff]")

_RUN: dict = {}


def report_run(tmp_path_factory) -> Path:
    """``policylab report seeds --out <tmp>`` run once per session; later calls reuse its folder."""
    if "out" not in _RUN and "error" not in _RUN:
        from policylab import cli

        out = tmp_path_factory.mktemp("report")
        try:
            rc = cli.main(["report", str(SEEDS), "--out", str(out), "--quiet", "--tables", "csv,tex,md"])
            assert rc == 0, f"policylab report exited with {rc}"
            _RUN["out"] = out
        except BaseException as e:  # every test that needs the run reports the same failure
            _RUN["error"] = e
    if "error" in _RUN:
        raise _RUN["error"]
    return _RUN["out"]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    return report_run(tmp_path_factory)


def _text_outputs(cell) -> list[str]:
    """Text a reader sees in a cell's outputs (image data left out: base64 is not text)."""
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            out.append(o.get("text", ""))
        elif o.get("output_type") == "error":
            out.append("\n".join(o.get("traceback", [])))
        for key, val in o.get("data", {}).items():
            if key.startswith("text/"):
                out.append(val if isinstance(val, str) else "".join(val))
    return out


def test_the_four_notebooks_ship():
    assert set(CORE) <= set(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_from_a_fresh_kernel_on_the_seeds(report_dir, name):
    nb = nbformat.read(report_dir / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # papermill injected the corpus folder after the parameters cell
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in code)
    assert all(c.execution_count is not None for c in code), "a cell did not run"
    for c in code:
        assert not [o for o in c.outputs if o.output_type == "error"], c.source
        for text in _text_outputs(c):
            assert not GLYPH.search(text), f"{name}: missing glyph in the output of\n{c.source}"
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, f"{name} shows no figure"
    # the closing findings are built from computed values: Markdown with numbers in it
    findings = [o["data"]["text/markdown"] for o in code[-1].outputs if "text/markdown" in o.get("data", {})]
    assert findings and findings[0].startswith("**Findings**") and re.search(r"\d", findings[0])


@pytest.mark.parametrize("name", CORE)
def test_committed_notebook_is_a_clean_run(name):
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ") and "Question" in first.source
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and re.search(r"^source = ", params[0].source, re.M)
    assert re.search(r"^out_dir = None", params[0].source, re.M)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # executed top to bottom in one fresh kernel: counts 1, 2, 3, ...
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert any(o for c in code for o in c.outputs), "saved without outputs"
    assert "report.findings(" in code[-1].source
    for c in nb.cells:
        texts = [c.source] + (_text_outputs(c) if c.cell_type == "code" else [])
        for text in texts:
            assert not ABSOLUTE_PATH.search(text), f"{name}: absolute path in\n{text[:300]}"
        if c.cell_type == "code":
            assert not [o for o in c.outputs if o.output_type == "error"], f"{name}: error saved in\n{c.source}"
            for text in _text_outputs(c):
                assert not GLYPH.search(text), f"{name}: missing-glyph warning saved in\n{c.source}"
                assert "Traceback" not in text and "Warning:" not in text, f"{name}: warning saved in\n{text[:300]}"


def test_committed_notebooks_show_chinese_and_figures():
    for name in CORE:
        nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
        texts = [t for c in nb.cells if c.cell_type == "code" for t in _text_outputs(c)]
        assert HAN.search("\n".join(texts)), name
        assert any("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


# --- the glyph guard itself, on crafted figures ----------------------------------------------


def test_figure_without_a_cjk_font_fails_naming_the_figure(tmp_path):
    import matplotlib
    import matplotlib.pyplot as plt

    from policylab import report

    report.start(tmp_path, "demo")
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"], "font.sans-serif": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("人工智能产业规模")
        with pytest.raises(report.MissingGlyphError, match="'boxes'"):
            report.figure(fig, "boxes")


def test_figure_with_the_cjk_font_saves_three_formats_with_chinese_text(tmp_path):
    import matplotlib.pyplot as plt

    from policylab import report

    report.start(tmp_path, "demo")
    fig, ax = plt.subplots()
    ax.bar(["南京", "合肥"], [3, 4])
    ax.set_title("人工智能产业规模")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        written = report.figure(fig, "ok")
    assert sorted(p.suffix for p in written) == [".pdf", ".png", ".svg"]
    assert all(p.parent == tmp_path / "figures" / "demo" for p in written)
    svg = (tmp_path / "figures" / "demo" / "ok.svg").read_text(encoding="utf-8")
    # drawn as paths (shows without a CJK font), the strings kept beside them for search
    assert "人工智能产业规模" in svg and "南京" in svg and "<text" not in svg
    report.start(None, "demo")  # leave the helpers in show-only mode for other tests


def test_glyph_warning_in_an_executed_notebook_fails_the_report():
    from policylab import runner

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("plot()", outputs=[nbformat.v4.new_output(
        "stream", name="stderr",
        text="UserWarning: Glyph 20154 (\\N{CJK UNIFIED IDEOGRAPH-4EBA}) missing from font(s) DejaVu Sans.")])]
    with pytest.raises(runner.ReportError, match=r"demo\.ipynb: cell 0 .*missing from the font"):
        runner._check_outputs(nb, "demo.ipynb")
