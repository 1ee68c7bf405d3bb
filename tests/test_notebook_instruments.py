"""05_instruments runs top to bottom on the seeds and on a corpus with nothing to code; the committed copy
carries the outputs of a clean run, no errors and no paths of the author's machine.

The notebook is executed here with nbclient in a fresh kernel that imports this checkout's package
(PYTHONPATH), from the notebooks folder, so ``source="../seeds"`` means the project's seeds.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_instruments.ipynb"
ABSOLUTE_PATH = re.compile(r"(?<![\w.])(/root\b|/tmp/|/work/|/home/|/Users/|/private/|[A-Za-z]:\\\\)")


def _run(tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in parameters.items())
    env_before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + env_before if env_before else "")
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_before
    return nb


def _texts(nb) -> str:
    out = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream":
                out.append(o["text"])
            for key, val in o.get("data", {}).items():
                if key.startswith("text/"):
                    out.append(val if isinstance(val, str) else "".join(val))
    return "\n".join(out)


def test_notebook_runs_on_the_seeds_and_writes_its_tables(tmp_path):
    out = tmp_path / "report"
    nb = _run(tmp_path, out_dir=str(out), n_boot=200)
    text = _texts(nb)
    assert "381 measures coded from 4 documents." in text
    assert "Held-out audit: Type level: Cohen's κ" in text
    assert "against 45.86 % published" in text
    tables = {p.stem for p in out.rglob("*.csv")}
    assert {"coding_audit", "type_shares", "published_comparison", "instrument_codes", "confusion_matrix"} <= tables
    assert any(out.rglob("type_to_instrument.png"))


def test_notebook_copes_with_nothing_to_code(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    # a notice whose plan has headings and a purpose statement only: no measure to code
    (pages / "p.txt").write_text("某市人民政府关于印发某市人工智能产业发展实施方案的通知\n各区人民政府:\n"
                                 "为贯彻落实国家新一代人工智能发展规划,制定本方案。\n一、总体要求\n二、重点任务\n",
                                 encoding="utf-8")
    nb = _run(tmp_path, source=str(pages), n_boot=50)
    text = _texts(nb)
    assert "Nothing to code" in text
    assert "There are no coded measures, so there are no shares to report." in text
    assert "Held-out audit" in text  # the audit does not depend on the corpus


def test_committed_notebook_has_clean_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code), "run it top to bottom before committing"
    assert not any(o.get("output_type") == "error" for c in code for o in c.get("outputs", []))
    assert nb.cells[0].cell_type == "markdown" and "**Question.**" in nb.cells[0].source
    assert "parameters" in code[0].metadata.get("tags", [])
    raw = NOTEBOOK.read_text(encoding="utf-8")
    assert not ABSOLUTE_PATH.search(raw), ABSOLUTE_PATH.search(raw)
    assert "Findings" in _texts(nb)
