"""Building stage tables from plain lists (schema.from_columns, schema.stable_order) gives the frames
pandas' inference, casts and sorts gave: on the stage tables of real pages and on crafted values."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policylab import meta, schema, structure, targets
from policylab.schema import conform, from_columns, stable_order

ROOT = Path(__file__).resolve().parents[1]
STAGE_TABLES = ("document_metadata", "sections", "agencies", "citations", "targets", "page_fields")


def _parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False, engine="pyarrow")
    return buf.getvalue()


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes.astype(str)) == list(b.dtypes.astype(str))
    assert _parquet(a) == _parquet(b)


def _lists(df: pd.DataFrame) -> dict:
    """A table's columns as the plain lists a stage builds (None for a null, Timestamps for dates)."""
    out = {}
    for name in df.columns:
        values = df[name].astype(object).tolist()
        out[name] = [None if v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) else v
                     for v in values]
    return out


@pytest.fixture(scope="module")
def built():
    """The stage tables of the seeds, the crafted and unseen pages and the golden generated pages."""
    from policylab import load_corpus

    out = []
    for src in (ROOT / "seeds", ROOT / "tests/fixtures/pages", ROOT / "tests/data/golden/generated_pages"):
        c = load_corpus(src, n_jobs=1, corrections=None)
        md = meta.document_metadata(c.documents, c.page_fields, c.files)
        out.append({"corpus": c, "document_metadata": md, "sections": c.sections, "agencies": c.agencies,
                    "citations": c.citations[schema.columns("citations")], "targets": c.targets,
                    "page_fields": c.page_fields})
    return out


@pytest.mark.parametrize("table", STAGE_TABLES)
def test_from_columns_is_conform_of_a_frame_on_real_tables(built, table):
    for b in built:
        cols = _lists(b[table])
        fast = from_columns(table, cols)
        _same(fast, conform(table, pd.DataFrame(cols)))
        _same(fast, b[table].reset_index(drop=True))


ODD = {
    "string": [pd.NA, 1, 1.5, float("nan"), True],
    "Int64": [pd.NA, np.int64(3), 2.0, True, float("nan"), 2**60],
    "Float64": [pd.NA, np.float64(0.5), True, "1.5"],
}


@pytest.mark.parametrize("kind", sorted(ODD))
def test_from_columns_leaves_other_values_to_pandas(kind):
    table, name = {"string": ("agencies", "agency"), "Int64": ("agencies", "clause"),
                   "Float64": ("targets", "value")}[kind]
    for odd in ODD[kind]:
        good = {"string": "市科技局", "Int64": 1, "Float64": 2.0}[kind]
        cols = {"doc_id": ["d1", "d2", "d3"], name: [good, None, odd]}
        # (2**60 beside a null: a frame holds it as float64, so pandas decides)
        assert from_columns(table, cols, fallback=False) is None
        try:
            want = conform(table, pd.DataFrame(cols))
        except (TypeError, ValueError):
            with pytest.raises((TypeError, ValueError)):
                from_columns(table, cols)
            continue
        _same(from_columns(table, cols), want)
    # a str subclass is text, a NaN a null float: taken as they are, the same frame
    for odd in {"string": [np.str_("a")], "Int64": [], "Float64": [float("nan")]}[kind]:
        cols = {"doc_id": ["d1", "d2"], name: [odd, None]}
        _same(from_columns(table, cols), conform(table, pd.DataFrame(cols)))


def test_from_columns_edge_cases():
    # empty, all null, a big int with no null, nulls only in some columns, a column left out
    _same(from_columns("sections", {"doc_id": []}), conform("sections", pd.DataFrame({"doc_id": []})))
    cols = {"doc_id": ["d", "d"], "section_id": [None, None], "level": [2**60, 0], "order": [None, 1]}
    _same(from_columns("sections", cols), conform("sections", pd.DataFrame(cols)))
    cols = {"doc_id": ["d", "e"], "value": [1, 2.5], "value_high": [None, float("nan")], "target_year": [None, 2025]}
    _same(from_columns("targets", cols), conform("targets", pd.DataFrame(cols)))
    with pytest.raises(ValueError):
        from_columns("agencies", {"doc_id": ["d"], "nope": [1]})
    with pytest.raises(ValueError):
        from_columns("agencies", {"doc_id": ["d"], "clause": [1, 2]})


def test_from_columns_dates_as_the_metadata_stage_casts_them():
    # Timestamps of any unit, NaT-free; nulls as None: the metadata stage's own cast (to_datetime, ns)
    stamps = [pd.Timestamp(2021, 3, 2), None, pd.Timestamp("2020-01-01 12:30"),
              pd.Timestamp(2021, 3, 2) + pd.DateOffset(years=2) - pd.Timedelta(days=1),
              pd.Timestamp("1999-12-31").as_unit("ns"), pd.Timestamp("2024-02-29").as_unit("s")]
    cols = {"doc_id": [f"d{i}" for i in range(len(stamps))], "issued": stamps}
    rows = [{"doc_id": d, "issued": v} for d, v in zip(cols["doc_id"], stamps)]
    want = meta._conform(pd.DataFrame(rows, columns=["doc_id", *meta.META_FIELDS]))
    _same(from_columns("document_metadata", cols), want)
    for odd in (pd.NaT, pd.Timestamp("2020-01-01", tz="UTC"), "2020-01-01", np.datetime64("2020-01-01")):
        assert from_columns("document_metadata", {"doc_id": ["d"], "issued": [odd]}, fallback=False) is None


def test_stable_order_is_pandas_stable_sort():
    rng = random.Random(7)
    for n in (0, 1, 2, 5, 40):
        for _ in range(20):
            docs = [rng.choice(["d1", "d2", "d10", "D", "é", "区"]) for _ in range(n)]
            orders = [rng.randrange(4) for _ in range(n)]
            frame = pd.DataFrame({"doc_id": pd.array(docs, dtype="string"), "order": pd.array(orders, dtype="Int64"),
                                  "row": range(n)})
            for keys, args in ((["doc_id", "order"], (docs, orders)), (["doc_id"], (docs,))):
                want = frame.sort_values(keys, kind="stable")["row"].tolist()
                got = stable_order(*args)
                assert (list(range(n)) if got is True else got) == want
    assert stable_order(["d", pd.NA]) is None and stable_order(["d"], [np.int64(1)]) is None


@pytest.mark.parametrize("part", ["shuffled", "sorted"])
def test_stages_in_any_row_order_give_the_sorted_tables(built, part):
    # the stages sort their input (sections) and output themselves now: the same tables as pandas'
    # sort of rows built one by one gave, whatever order the documents and sections come in
    rng = random.Random(3)
    for b in built:
        c = b["corpus"]
        docs = c.documents[["doc_id", "text"]]
        if part == "shuffled":
            docs = docs.sample(frac=1, random_state=1).reset_index(drop=True)
        rows = []
        for d, t in zip(docs["doc_id"].tolist(), docs["text"].tolist()):
            rows.extend(structure._doc_sections(d, t))
        want = conform("sections", pd.DataFrame(rows, columns=schema.columns("sections")))
        want = want.sort_values(["doc_id", "order"], kind="stable").reset_index(drop=True)
        secs = structure.parse_sections(docs)
        _same(secs, want)
        shuffled = secs.take(rng.sample(range(len(secs)), len(secs))).reset_index(drop=True)
        _same(structure.extract_agencies(shuffled), structure.extract_agencies(secs))
        _same(targets.extract_targets(shuffled, c.documents), targets.extract_targets(secs, c.documents))
        # without an order column the rows of a document keep their input order
        no_order = shuffled.drop(columns=["order"])
        _same(targets.extract_targets(no_order, c.documents),
              targets.extract_targets(no_order.sort_values("doc_id", kind="stable"), c.documents))
        md = b["document_metadata"]
        _same(structure.extract_citations(docs, md, shuffled), structure.extract_citations(docs, md, secs))


def test_stages_with_null_or_odd_doc_ids_fall_back_to_pandas():
    text = "一、总体要求\n到2025年,培育10家企业。(责任单位:市科技局)\n根据《某市实施方案》(某政发〔2020〕1号)"
    docs = pd.DataFrame({"doc_id": pd.array(["d2", None, "d1"], dtype="string"), "text": [text] * 3})
    secs = structure.parse_sections(docs)
    assert secs["doc_id"].fillna("<null>").tolist() == ["d1", "d2", "<null>"]
    shuffled = secs.take([2, 1, 0]).reset_index(drop=True)
    _same(targets.extract_targets(shuffled), targets.extract_targets(secs))
    ints = pd.DataFrame({"doc_id": [10, 9], "text": [text, text]})  # cast to text: '10' sorts before '9'
    assert structure.parse_sections(ints)["doc_id"].unique().tolist() == ["10", "9"]
    assert meta.document_metadata(ints)["doc_id"].tolist() == ["10", "9"]


def test_metadata_frame_is_the_frame_pandas_built(built):
    for b in built:
        c = b["corpus"]
        pf = meta._pf_for_doc(c.page_fields, c.files)
        rows = []
        for d, t in zip(c.documents["doc_id"].tolist(), c.documents["text"].tolist()):
            m = meta.extract_metadata(t, pf.get(d))
            m["doc_id"] = d
            rows.append(m)
        want = meta._conform(pd.DataFrame(rows, columns=["doc_id", *meta.META_FIELDS]))
        _same(b["document_metadata"], want)
        shuffled = c.documents.sample(frac=1, random_state=2)
        _same(meta.document_metadata(shuffled, c.page_fields, c.files), want)


def _pf_cases(built):
    for b in built:
        yield b["corpus"].page_fields, b["corpus"].files
    pf = pd.DataFrame({"path": ["b", "a", "a", "c", "a", "d"], "line_no": [1, 3, 3, 2, 1, 1],
                       "field": ["published", "issuer", "source", "published", "doc_number", "x"],
                       "value": ["2020-01-01", "甲", "乙", "2021-02-02", None, "y"]})
    files = pd.DataFrame({"path": ["a", "b", "c", "d"], "doc_id": ["d1", "d1", "d2", None],
                          "status": ["duplicate", "document", "document", "rejected"]})
    yield pf, files
    yield schema.conform("page_fields", pf), schema.conform("files", files)
    yield pf.assign(path=["b", None, "a", "c", "a", "d"]), files  # a null path: the merge decides
    yield pf, pd.concat([files, files.iloc[[0]].assign(doc_id="d3")], ignore_index=True)  # a path twice
    yield pf.assign(line_no=[1, None, 3, 2, 1, 1]), files
    yield pf, files.assign(status=["duplicate", None, "document", "rejected"])


def test_page_fields_by_document_from_lists_is_the_merge(built):
    n_fast = 0
    for pf, files in _pf_cases(built):
        fast = meta._pf_lists(pf, files)
        if fast is not None:
            n_fast += 1
            assert fast == meta._pf_merged(pf, files)
        try:
            merged = meta._pf_merged(pf, files)
        except (TypeError, ValueError):
            continue
        assert meta._pf_for_doc(pf, files) == merged
    assert n_fast >= 4


def test_column_list_gives_back_the_list_only_for_the_column_built_from_it(built):
    for b in built:
        docs = b["corpus"].documents[["doc_id", "text"]]
        secs = structure.parse_sections(docs)
        for name in ("doc_id", "section_id", "parent_id", "heading", "text"):
            assert schema.column_list(secs, name) == secs[name].tolist()
            assert [type(v) for v in schema.column_list(secs, name)] == [type(v) for v in secs[name].tolist()]
        kept = schema.column_list(secs, "text")
        # a frame taken apart and put together again, or a column set anew, is read afresh
        for other in (secs.take(list(range(len(secs)))[::-1]).reset_index(drop=True),
                      secs.assign(text=secs["text"].str.upper()), secs.copy(deep=True)):
            got = schema.column_list(other, "text")
            assert got == other["text"].tolist()
        assert schema.column_list(secs, "text") is kept
    t = from_columns("agencies", {"doc_id": ["d"], "agency": [np.str_("局")]}, keep=("agency", "role"))
    assert schema.column_list(t, "agency") == ["局"] and schema.column_list(t, "role") == [pd.NA]


def test_column_list_reads_through_once_and_follows_changes(monkeypatch):
    """A text column read (not built by from_columns) is converted once, kept by its Arrow array,
    and a column written since (pandas puts a new array in) or a big one is read afresh."""
    texts = ["某某方案\n一、总体要求", None, "到2025年,…", ""]
    df = pd.DataFrame({"doc_id": ["d1", "d2", "d3", "d4"], "text": pd.array(texts, dtype="string[pyarrow]")})
    first = schema.column_list(df, "text")
    assert first == df["text"].tolist()
    assert schema.column_list(df, "text") is first  # kept: the same list
    df.loc[1, "text"] = "改了"
    again = schema.column_list(df, "text")
    assert again == df["text"].tolist() and again is not first and again[1] == "改了"
    # object columns (no Arrow array) are plain tolist, never kept
    obj = pd.DataFrame({"text": pd.Series(["a", "b"], dtype=object)})
    assert schema.column_list(obj, "text") == ["a", "b"]
    assert schema.column_list(obj, "text") is not schema.column_list(obj, "text")
    # past the size bound: not kept
    monkeypatch.setattr(schema, "_READ_MAX_BYTES", 4)
    big = pd.DataFrame({"text": pd.array(["一二三四五六", "七"], dtype="string[pyarrow]")})
    assert schema.column_list(big, "text") == ["一二三四五六", "七"]
    assert schema.column_list(big, "text") is not schema.column_list(big, "text")
