"""Document labels (policylab.labels): duplicates told apart in plain Python give the labels the
pandas pass per group gave, on real corpora and on crafted collisions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from policylab import labels

ROOT = Path(__file__).resolve().parents[1]


def _labels_by_pandas(documents: pd.DataFrame) -> pd.Series:
    """document_labels as written before issue 15's fourth pass: one pandas pass per duplicated label."""
    base = labels.document_labels(documents.assign(doc_id=[f"u{i}" for i in range(len(documents))]))
    # the undisambiguated labels: unique doc_ids above give each its own, strip the suffix again
    plain = [v.rsplit(" (", 1)[0] if v.endswith(")") and " (u" in v else v for v in base.tolist()]
    label = pd.Series(plain, index=documents.index, dtype="string", name="label")
    ids = documents["doc_id"].astype(str)
    for value in label[label.duplicated(keep=False)].unique():
        same = label == value
        group = ids[same]
        n = 2
        while group.str[:n].duplicated().any() and n < group.str.len().max():
            n += 1
        label[same] = value + " (" + group.str[:n] + ")"
    return label


@pytest.fixture(scope="module")
def real_documents():
    from policylab import load_corpus

    return [load_corpus(ROOT / src, n_jobs=1).documents
            for src in ("seeds", "tests/fixtures/pages", "tests/data/golden/generated_pages")]


def test_labels_are_those_of_the_pandas_pass(real_documents):
    crafted = pd.DataFrame({
        "doc_id": ["d1aa", "d1ab", "d2bb", "d1aa0", "x", "d9", "d9zz", "d3"],
        "city": ["南京", "南京", "南京", "南京", pd.NA, pd.NA, pd.NA, "合肥"],
        "year": [2022, 2022, 2022, 2022, pd.NA, pd.NA, pd.NA, 2020],
        "title": ["南京市人工智能方案"] * 4 + [pd.NA, pd.NA, pd.NA, "合肥市行动计划"],
        "source_path": ["a.txt", "b.txt", "c.txt", "d.txt", "p/e.html", "q/e.html", "r/e.html", "f.txt"],
    })
    for docs in real_documents + [crafted, crafted.iloc[::-1], pd.concat([crafted, crafted], ignore_index=True)]:
        got = labels.document_labels(docs)
        pd.testing.assert_series_equal(got, _labels_by_pandas(docs), check_exact=True)
    for docs in real_documents:  # many same labels at once: every document of a corpus twice
        twice = pd.concat([docs, docs.assign(doc_id=docs["doc_id"] + "x")], ignore_index=True)
        pd.testing.assert_series_equal(labels.document_labels(twice), _labels_by_pandas(twice), check_exact=True)


def test_labels_with_a_null_doc_id_take_pandas_way():
    docs = pd.DataFrame({"doc_id": pd.array(["d1", None, "d2"], dtype="string"),
                         "title": ["某市方案", "某市方案", "某市方案"], "source_path": ["a", "b", "c"]})
    pd.testing.assert_series_equal(labels.document_labels(docs), _labels_by_pandas(docs), check_exact=True)
