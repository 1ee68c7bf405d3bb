"""Tokens in steps: remove() as a separate filter, content_tokens() as the one recipe."""

from __future__ import annotations

import pandas as pd
import pytest

from policylab import schema, tokens
from policylab.segment import tokenize
from policylab.structure import strip_responsibility_clauses
from policylab.topics import section_tokens


def test_tokenize_options_equal_the_remove_step(corpus):
    """tokenize's filter options give the same rows as the full stream followed by remove()."""
    docs = corpus.documents
    full = tokenize(docs, cache=False, stopwords=False, punctuation=True, numbers="keep")
    cases = [
        ({}, {}),
        ({"boilerplate": True}, {"boilerplate": True}),
        ({"keep_single_chars": False}, {"single_chars": True}),
        ({"numbers": "keep", "punctuation": True}, {"numbers": False, "punctuation": False}),
        ({"extra_stopwords": ["南京"]}, {"places": ["南京"]}),
    ]
    for tok_opts, remove_opts in cases:
        want = tokenize(docs, cache=False, **tok_opts)
        got = tokens.remove(full, **remove_opts)
        pd.testing.assert_frame_equal(want, got, check_like=False)
        schema.validate("tokens", got)


def test_remove_keeps_positions_and_order():
    t = tokenize(pd.DataFrame({"doc_id": ["d"], "text": ["到2025年,南京市人民政府建成3个智算中心。"]}),
                 cache=False, stopwords=False, punctuation=True, numbers="keep")
    out = tokens.remove(t, agencies=["南京市人民政府", "人民政府"], places=["南京市"], stopwords=False)
    assert "人民政府" not in out["token"].tolist() and "南京市" not in out["token"].tolist()
    assert "智算中心" in out["token"].tolist() and "2025" not in out["token"].tolist()
    pos = out["position"].tolist()
    assert pos == sorted(pos) and set(pos) <= set(t["position"])
    assert tokens.remove(t, numbers=False, punctuation=False, stopwords=False)["token"].tolist() == t["token"].tolist()
    with pytest.raises(ValueError, match="token"):
        tokens.remove(pd.DataFrame({"doc_id": ["d"]}))


def test_content_tokens_recipe_at_both_levels(corpus):
    places = tokens.place_names(corpus.documents)
    assert {"南京", "南京市", "合肥市", "成都", "沈阳市"} <= set(places)
    secs = tokens.content_tokens(corpus, unit="section", cache=False)
    schema.validate("section_tokens", secs)
    pd.testing.assert_frame_equal(secs, section_tokens(corpus.sections, corpus.documents, cache=False))
    docs = tokens.content_tokens(corpus, unit="document", cache=False)
    schema.validate("tokens", docs)
    assert not set(docs["token"]) & set(places)
    # the same recipe by hand: clauses stripped, boilerplate stopwords, then the places removed
    by_hand = tokenize(corpus.documents.assign(text=corpus.documents["text"].map(strip_responsibility_clauses)),
                       cache=False, boilerplate=True, extra_stopwords=places)
    pd.testing.assert_frame_equal(docs, by_hand)
    # responsibility clauses are gone: the agencies they name do not appear where only they stood
    plain = tokenize(corpus.documents, cache=False, boilerplate=True)
    assert len(docs) < len(plain)
    assert pd.DataFrame(tokens.content_tokens(corpus.documents, cache=False)).equals(docs)
    with pytest.raises(ValueError, match="unit"):
        tokens.content_tokens(corpus, unit="paragraph")
