"""document_term_matrix: sklearn vectorizers fed token lists, deterministic order, single characters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policylab.matrix import document_term_matrix


def _toy():
    return pd.DataFrame({
        "doc_id": ["b", "b", "b", "a", "a", "a", "a"],
        "section_id": ["1", "1", "2", "0", "0", "1", "1"],
        "position": [0, 1, 0, 1, 0, 0, 1],
        "token": ["算力", "云", "算力", "数据", "链", "算力", "数据"],
    })


def test_counts_units_sorted_terms_sorted():
    dtm = document_term_matrix(_toy(), keep_single_chars=True)
    assert dtm.units["doc_id"].tolist() == ["a", "b"]
    assert dtm.terms == sorted(dtm.terms) == ["云", "数据", "算力", "链"]
    assert dtm.matrix.toarray().tolist() == [[0, 2, 1, 1], [1, 0, 2, 0]]
    long = dtm.to_frame()
    assert long.columns.tolist() == ["doc_id", "term", "value"]
    assert long["value"].sum() == 7


def test_single_chars_dropped_only_when_asked():
    # scikit-learn's default token_pattern would drop 云 and 链 silently; here it is an option
    assert "云" not in document_term_matrix(_toy()).terms
    kept = document_term_matrix(_toy(), keep_single_chars=True)
    assert {"云", "链"} <= set(kept.terms)


def test_single_chars_kept_on_seed_tokens(corpus):
    from policylab import tokenize

    tokens = tokenize(corpus.documents)
    singles = set(tokens.loc[tokens["token"].str.len() == 1, "token"])
    assert singles, "the seeds have one-character tokens"
    dtm = document_term_matrix(tokens, keep_single_chars=True)
    assert singles <= set(dtm.terms)
    # the counts equal a plain count of the tokens table, single characters included
    col = dtm.terms.index(sorted(singles)[0])
    assert dtm.matrix[:, col].sum() == (tokens["token"] == sorted(singles)[0]).sum()
    assert not (singles & set(document_term_matrix(tokens).terms))


def test_multi_column_units_and_tfidf():
    dtm = document_term_matrix(_toy(), ("doc_id", "section_id"), keep_single_chars=True, weighting="tfidf")
    assert list(map(tuple, dtm.units.to_numpy())) == [("a", "0"), ("a", "1"), ("b", "1"), ("b", "2")]
    norms = np.sqrt(np.asarray(dtm.matrix.multiply(dtm.matrix).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0)
    assert str(dtm.to_frame()["value"].dtype) == "Float64"


def test_min_df_and_max_features_ties_by_term():
    t = _toy()
    assert document_term_matrix(t, min_df=2, keep_single_chars=True).terms == ["算力"]
    # 数据 and 算力 both occur... 算力 3 times, 数据 2 times, then 云/链 tie at 1 -> 云 first
    top = document_term_matrix(t, max_features=3, keep_single_chars=True)
    assert top.terms == ["云", "数据", "算力"]


def test_binary_and_fixed_vocabulary():
    t = _toy()
    b = document_term_matrix(t, weighting="binary", keep_single_chars=True)
    assert b.matrix.max() == 1
    v = document_term_matrix(t, vocabulary=["算力", "大模型"])
    assert v.terms == ["大模型", "算力"]
    assert v.matrix.toarray().tolist() == [[0, 1], [0, 2]]


def test_errors_are_clear():
    with pytest.raises(ValueError, match="weighting"):
        document_term_matrix(_toy(), weighting="bm25")
    with pytest.raises(ValueError, match="lacks column"):
        document_term_matrix(_toy(), unit_cols=("city",))
    with pytest.raises(ValueError, match="no terms left"):
        document_term_matrix(_toy(), min_df=5)
