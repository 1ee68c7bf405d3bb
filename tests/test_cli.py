"""`policylab build`: Parquet (and CSV) tables, a manifest, a summary, clear exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from policylab.cli import main
from policylab.store import read_tables

ROOT = Path(__file__).resolve().parents[1]


def test_build_writes_tables_manifest_and_summary(tmp_path, seeds_dir, capsys):
    out = tmp_path / "out"
    assert main(["build", str(seeds_dir), "--out", str(out), "--csv", "-q"]) == 0
    text = capsys.readouterr().out
    assert "files read: 5" in text and "documents: 4" in text and "duplicates: 1" in text and "rejected: 0" in text
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name in ["files", "documents", "removed", "page_fields"]:
        assert (out / f"{name}.parquet").exists() and (out / f"{name}.csv").exists()
        assert manifest["tables"][name]["rows"] == len(pd.read_parquet(out / f"{name}.parquet"))
    assert manifest["versions"]["policylab"] and manifest["versions"]["opencc"]
    assert len(manifest["inputs"]) == 5 and all(len(h) == 64 for h in manifest["inputs"].values())
    assert "noise_patterns.csv" in manifest["resources"]
    tables = read_tables(out)
    assert tables["files"]["status"].tolist().count("duplicate") == 1
    # CSV is UTF-8 with the Chinese text intact
    assert "南京" in (out / "documents.csv").read_text(encoding="utf-8")


def test_building_twice_gives_byte_identical_tables(tmp_path, seeds_dir):
    for run in ("a", "b"):
        assert main(["build", str(seeds_dir), "--out", str(tmp_path / run), "-q"]) == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir() if p.suffix in {".parquet", ".json"})
    assert "documents.parquet" in names and "manifest.json" in names
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_tables_copied_from_the_build_cache_equal_tables_encoded_afresh(tmp_path, seeds_dir, monkeypatch):
    """A cold and a warm cached build copy the cache's Parquet files; --no-cache encodes them."""
    import policylab.store as store

    monkeypatch.setenv("POLICYLAB_CACHE", str(tmp_path / "cache"))
    encoded = []
    real = store._to_parquet
    monkeypatch.setattr(store, "_to_parquet", lambda df, p: encoded.append(p) or real(df, p))
    for run, flags in (("fresh", ["--no-cache"]), ("cold", []), ("warm", [])):
        encoded.clear()
        assert main(["build", str(seeds_dir), "--out", str(tmp_path / run), "-q", *flags]) == 0
        n_tables = len(list((tmp_path / run).glob("*.parquet")))
        # fresh: each table once; cold: once for the cache, then copied; warm: read, then copied
        assert len(encoded) == {"fresh": n_tables, "cold": n_tables, "warm": 0}[run], (run, sorted(str(p.parent)[-12:] for p in encoded))
    for p in sorted((tmp_path / "fresh").glob("*.parquet")):
        for run in ("cold", "warm"):
            assert (tmp_path / run / p.name).read_bytes() == p.read_bytes(), (run, p.name)


def test_missing_or_empty_source_is_a_one_line_error_with_exit_code_2(tmp_path):
    for source in (tmp_path / "missing", tmp_path):
        r = subprocess.run([sys.executable, "-m", "policylab", "build", str(source), "--out", str(tmp_path / "o")],
                           capture_output=True, text=True)
        assert r.returncode == 2
        assert r.stderr.strip().count("\n") == 0 and r.stderr.startswith("policylab: error:")
        assert "Traceback" not in r.stderr


def test_version(capsys):
    from policylab import __version__, cli

    with pytest.raises(SystemExit) as e:
        cli.main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"policylab {__version__}"


def test_manifest_versions_are_the_installed_distributions_versions(tmp_path, monkeypatch):
    """store.dist_version reads versions from the dist-info folders' names: for every installed
    distribution it agrees with importlib.metadata, a folder earlier on sys.path wins as there, and
    a name found nowhere is None."""
    from importlib import metadata

    from policylab import store

    dists = list(metadata.distributions())
    assert len(dists) > 20
    for d in dists:
        assert store.dist_version(d.metadata["Name"]) == metadata.version(d.metadata["Name"]), d.metadata["Name"]
    assert store.dist_version("Jieba_Fast") == store.dist_version("jieba-fast") == metadata.version("jieba-fast")
    assert store.dist_version("no-such-dist-anywhere") is None
    # a second copy of pandas, earlier on the path, is the one reported
    shadow = tmp_path / "pandas-0.0.1.dist-info"
    shadow.mkdir()
    (shadow / "METADATA").write_text("Metadata-Version: 2.1\nName: pandas\nVersion: 0.0.1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    store._installed.cache_clear()
    try:
        assert store.dist_version("pandas") == metadata.version("pandas") == "0.0.1"
    finally:
        monkeypatch.undo()
        store._installed.cache_clear()
    assert store.dist_version("pandas") == pd.__version__


@pytest.mark.parametrize("kind", ["file", "under_a_file"])
def test_bad_report_out_is_one_line_and_exit_code_2(tmp_path, capsys, kind):
    from policylab import cli

    afile = tmp_path / "notes.txt"
    afile.write_text("x", encoding="utf-8")
    out = afile if kind == "file" else afile / "report"
    assert cli.main(["report", "seeds", "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("policylab: error:") and "Traceback" not in err


def test_unknown_table_format_is_a_usage_error(capsys):
    from policylab import cli

    with pytest.raises(SystemExit) as e:
        cli.main(["report", "seeds", "--tables", "csv,xls"])
    assert e.value.code == 2 and "xls" in capsys.readouterr().err


def test_build_with_a_reference_folder_marks_its_documents(tmp_path, seeds_dir, capsys):
    from test_corpus import NATIONAL_PLAN

    ref = tmp_path / "ref"
    ref.mkdir()
    (ref / "national_plan.txt").write_text(NATIONAL_PLAN, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(seeds_dir), "--out", str(out), "-q", "--no-cache",
                 "--reference", str(ref), "--reference-level", "national"]) == 0
    docs = pd.read_parquet(out / "documents.parquet")
    assert docs["reference"].tolist().count(True) == 1 and docs["reference"].tolist().count(False) == 4
    cites = pd.read_parquet(out / "citations.parquet")
    national = docs.loc[docs["reference"] == True, "doc_id"].iloc[0]  # noqa: E712
    assert national in set(cites["cited_doc_id"].dropna())


def test_the_command_entry_point_builds_and_freezes_the_collector_only_on_the_way_out(tmp_path, seeds_dir):
    """`policylab` (console script and ``python -m``) is :func:`run`: main's exit code, then gc.freeze.
    The entry module imports the command with the collector off, and leaves it on."""
    import gc
    import tomllib

    from policylab.cli import run

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["policylab"] == "policylab.__main__:run"
    probe = ("import gc, policylab.__main__ as m, policylab.cli as c; "
             "print(m.run is c.run, gc.isenabled(), 'pandas' in __import__('sys').modules)")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert r.stdout.split() == ["True", "True", "True"], r.stderr

    r = subprocess.run([sys.executable, "-m", "policylab", "build", str(seeds_dir), "--out", str(tmp_path / "o"),
                        "--no-cache"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "o" / "manifest.json").exists() and "documents: 4" in r.stdout
    before = gc.get_freeze_count()
    try:
        assert run(["report", str(seeds_dir), "--out", "README.md"]) == 2  # a usage error stays one
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_a_reader_that_goes_away_is_no_traceback(tmp_path, seeds_dir):
    """`policylab build ... | head`: the pipe closes before the summary is printed; the tables are
    written and stderr stays free of a traceback."""
    p = subprocess.Popen([sys.executable, "-m", "policylab", "build", str(seeds_dir), "--out", str(tmp_path / "o"),
                          "--no-cache", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # the reader is gone before the command writes anything
    err = p.stderr.read().decode()
    assert p.wait() == 0, err
    assert "Traceback" not in err and "BrokenPipeError" not in err
    assert (tmp_path / "o" / "manifest.json").exists()
