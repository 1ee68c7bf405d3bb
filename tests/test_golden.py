"""Golden tables: the parsing stages give byte-identical tables before and after a refactor.

The Parquet files under ``tests/data/golden/<case>/`` were written by the code as it stood before
issue 14's refactor (``python tests/test_golden.py`` rewrites them -- do that only when a change of
the tables is *meant*, and say so in the commit). Each case is ``load_corpus`` on a real input:
the seed pages, each crafted page under ``tests/fixtures/pages/`` as it stood then, and 40 pages
generated from the seeds by ``benchmarks.generate`` (kept as input files, so a change of the
generator does not change this test).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"

# case name -> input (a folder or a single file), relative to the repository root
CASES = {
    "seeds": "seeds",
    "seeds_corrected": "seeds",  # with the researcher corrections of data/corrections.csv
    "generated": "tests/data/golden/generated_pages",
    "gov_info_table": "tests/fixtures/pages/gov_info_table.html",
    "pdf_wrapped": "tests/fixtures/pages/pdf_wrapped.txt",
    "provincial_fullwidth": "tests/fixtures/pages/provincial_fullwidth.txt",
}


def build(case: str) -> dict[str, pd.DataFrame]:
    """The tables of one case, as ``load_corpus`` builds them today (no corrections, no cache)."""
    from policylab import load_corpus

    corrections = ROOT / "data" / "corrections.csv" if case == "seeds_corrected" else None
    return load_corpus(ROOT / CASES[case], corrections=corrections).tables()


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False, engine="pyarrow")
    return buf.getvalue()


def _writer_versions() -> dict:
    import pyarrow

    return {"pandas": pd.__version__, "pyarrow": pyarrow.__version__}


def write_golden() -> None:
    (GOLDEN / "versions.json").write_text(json.dumps(_writer_versions(), indent=1) + "\n", encoding="utf-8")
    for case in CASES:
        out = GOLDEN / case
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.parquet"):
            old.unlink()
        for name, df in build(case).items():
            (out / f"{name}.parquet").write_bytes(_parquet_bytes(df))


@pytest.mark.parametrize("case", sorted(CASES))
def test_tables_identical_to_golden(case):
    folder = GOLDEN / case
    expected = {p.stem: p for p in sorted(folder.glob("*.parquet"))}
    assert expected, f"no golden tables in {folder}: run `python tests/test_golden.py`"
    got = build(case)
    same_writer = json.loads((GOLDEN / "versions.json").read_text(encoding="utf-8")) == _writer_versions()
    assert sorted(got) == sorted(expected), "the set of tables changed"
    for name, path in expected.items():
        want = pd.read_parquet(path)
        have = pd.read_parquet(io.BytesIO(_parquet_bytes(got[name])))
        pd.testing.assert_frame_equal(have, want, check_exact=True, obj=f"{case}/{name}")
        # the same table written the same way, by the same pandas and pyarrow, gives the same bytes
        if same_writer:
            assert _parquet_bytes(got[name]) == path.read_bytes(), f"{case}/{name}: Parquet bytes differ"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    write_golden()
    print("golden tables written under", GOLDEN)
