"""keywords: frequency, TF-IDF, keyness (hand-computed 2x2), KWIC, co-occurrence, networks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from policylab import keywords as kw
from policylab import schema
from policylab.segment import tokenize

CITY = {"001": "南京", "002": "合肥", "003": "成都", "004": "沈阳"}


@pytest.fixture(scope="module")
def meta(corpus):
    d = corpus.documents
    return pd.DataFrame({"doc_id": d["doc_id"], "city": [CITY[p.rsplit("/", 1)[-1][:3]] for p in d["source_path"]]})


@pytest.fixture(scope="module")
def tokens(corpus):
    return tokenize(corpus.documents, boilerplate=True)


def test_keyness_matches_hand_computed_2x2():
    # token: 10 of 1,000 target tokens, 5 of 2,000 reference tokens
    a, b, c, d = 10.0, 5.0, 990.0, 1995.0
    n = a + b + c + d
    e11, e12 = (a + b) * (a + c) / n, (a + b) * (b + d) / n
    e21, e22 = (c + d) * (a + c) / n, (c + d) * (b + d) / n
    g2 = 2 * (a * math.log(a / e11) + b * math.log(b / e12) + c * math.log(c / e21) + d * math.log(d / e22))
    chi2 = (a - e11) ** 2 / e11 + (b - e12) ** 2 / e12 + (c - e21) ** 2 / e21 + (d - e22) ** 2 / e22
    r = kw.keyness_2x2(10, 5, 1000, 2000)
    assert abs(r["g2"][0] - g2) < 1e-9 and abs(r["chi2"][0] - chi2) < 1e-9
    assert abs(r["expected_target"][0] - e11) < 1e-9 and abs(r["expected_reference"][0] - e12) < 1e-9
    assert abs(r["log_ratio"][0] - math.log2((10 / 1000) / (5 / 2000))) < 1e-9
    from scipy.stats import chi2 as chi2_dist, chi2_contingency

    assert abs(chi2_contingency([[a, b], [c, d]], correction=False, lambda_="log-likelihood")[0] - g2) < 1e-9
    assert abs(r["p_g2"][0] - chi2_dist.sf(g2, 1)) < 1e-12
    # the same table through keyness() on a tokens table
    toks = pd.DataFrame({
        "doc_id": ["t"] * 1000 + ["r"] * 2000,
        "position": list(range(1000)) + list(range(2000)),
        "token": ["算力"] * 10 + ["其他"] * 990 + ["算力"] * 5 + ["其他"] * 1995,
    })
    k = kw.keyness(toks, target="t", by="doc_id").set_index("token")
    assert abs(k.loc["算力", "g2"] - g2) < 1e-9 and abs(k.loc["算力", "chi2"] - chi2) < 1e-9
    assert k.loc["其他", "g2"] < 0  # relatively more frequent in the reference: negative sign
    # a zero count: 0 ln 0 = 0 and log ratio uses 0.5
    z = kw.keyness_2x2(0, 7, 1000, 2000)
    assert np.isfinite(z["g2"][0]) and z["g2"][0] < 0 and abs(z["log_ratio"][0] - math.log2((0.5 / 1000) / (7 / 2000))) < 1e-9


def test_keyness_by_city(tokens, meta):
    k = kw.keyness(tokens, target="南京", by="city", meta=meta)
    schema.validate("keyness", k)
    top = k.head(10)["token"].tolist()
    assert "先导区" in top  # Nanjing's plan is about its 先导区; the others do not centre on it
    assert (k["g2"].diff().dropna() <= 0).all()
    assert k.loc[k["token"] == "成都", "g2"].iloc[0] < 0
    assert (k["n_target"].sum(), k["n_reference"].sum()) == (k.attrs["n_tokens_target"], k.attrs["n_tokens_reference"])


def test_frequency_by_city(tokens, meta):
    f = kw.frequency(tokens, by="city", meta=meta)
    schema.validate("keyword_frequency", f.drop(columns=["city"]))
    assert sorted(f["city"].unique()) == sorted(CITY.values())
    for city, g in f.groupby("city"):
        assert g["n"].sum() == g["n_tokens"].iloc[0]
        assert abs(g["per_10k"].sum() - 10_000) < 1e-6
        assert g["rank"].tolist() == list(range(1, len(g) + 1))
    nj = f[(f["city"] == "南京") & (f["token"] == "揭榜挂帅")]
    doc = meta.loc[meta["city"] == "南京", "doc_id"].iloc[0]
    assert nj["n"].iloc[0] == ((tokens["doc_id"] == doc) & (tokens["token"] == "揭榜挂帅")).sum()
    overall = kw.frequency(tokens, top=5)
    assert overall["token"].iloc[0] == "人工智能" and len(overall) == 5
    # attach() makes the same grouping by hand
    assert kw.frequency(kw.attach(tokens, meta), by="city").equals(f)


def test_tfidf_matches_sklearn_and_keeps_single_chars(tokens):
    from sklearn.feature_extraction.text import TfidfVectorizer

    t = kw.tfidf(tokens, by="doc_id")
    schema.validate("keyword_tfidf", t.drop(columns=["doc_id"]))
    docs = tokens.groupby("doc_id", sort=True)["token"].apply(list)
    vec = TfidfVectorizer(analyzer=lambda x: x)
    x = vec.fit_transform(docs.tolist())
    vocab = vec.vocabulary_
    for doc_id, token in [(docs.index[0], "人工智能"), (docs.index[1], "智能")]:
        got = t[(t["doc_id"] == doc_id) & (t["token"] == token)]["tfidf"].iloc[0]
        assert abs(got - x[list(docs.index).index(doc_id), vocab[token]]) < 1e-12
    assert (t["token"].str.len() == 1).any()


def test_kwic():
    t = pd.DataFrame({"doc_id": ["a"] * 6 + ["b"] * 3, "position": [0, 1, 2, 3, 4, 5, 0, 1, 2],
                      "token": ["建设", "智算", "中心", ",", "发放", "算力券", "算力券", "试点", "。"]})
    k = kw.kwic(t, "算力券", window=2)
    schema.validate("kwic", k)
    assert k[["doc_id", "left", "keyword", "right"]].values.tolist() == [
        ["a", ",发放", "算力券", ""], ["b", "", "算力券", "试点。"]]
    # a keyword spelled by consecutive tokens
    assert kw.kwic(t, "智算中心", window=1)[["left", "keyword", "right"]].values.tolist() == [["建设", "智算中心", ","]]
    assert kw.kwic(t, "^算力", regex=True)["doc_id"].tolist() == ["a", "b"]
    assert kw.kwic(t, "大模型").empty


def test_kwic_on_seeds_reads_the_text(corpus):
    full = tokenize(corpus.documents, stopwords=False, punctuation=True, numbers="keep")
    k = kw.kwic(full, "揭榜挂帅", window=6)
    text = dict(zip(corpus.documents["doc_id"], corpus.documents["text"].str.replace("\n", "")))
    assert len(k) == sum(t.count("揭榜挂帅") for t in text.values()) > 0
    for r in k.itertuples():
        assert r.left + r.keyword + r.right in text[r.doc_id]


def test_cooccurrence_window_and_unit():
    t = pd.DataFrame({"doc_id": ["a"] * 4 + ["b"] * 2, "position": [0, 1, 5, 6, 0, 1],
                      "token": ["算力", "数据", "算力", "模型", "数据", "模型"]})
    w = kw.cooccurrence(t, window=1, min_count=1)
    schema.validate("cooccurrence", w)
    got = {(r.token_a, r.token_b): r.n for r in w.itertuples()}
    # positions 1 and 5 are 4 apart: not within window 1
    assert got == {("数据", "算力"): 1, ("模型", "算力"): 1, ("数据", "模型"): 1}
    w4 = kw.cooccurrence(t, window=4, min_count=1)
    assert {(r.token_a, r.token_b): r.n for r in w4.itertuples()}[("数据", "算力")] == 2
    row = w.iloc[0]
    pairs, n_tokens = 3, 6
    assert abs(row.pmi - math.log2((row.n / pairs) / ((row.n_a / n_tokens) * (row.n_b / n_tokens)))) < 1e-12
    u = kw.cooccurrence(t, window=None, min_count=1)
    got_u = {(r.token_a, r.token_b): (r.n, r.n_a, r.n_b) for r in u.itertuples()}
    assert got_u[("数据", "模型")] == (2, 2, 2) and got_u[("数据", "算力")] == (1, 2, 1)


def test_keyword_network_on_seeds(tokens):
    co = kw.cooccurrence(tokens, window=5, min_count=3)
    assert co["n"].is_monotonic_decreasing
    g, nodes = kw.keyword_network(co, max_edges=60)
    schema.validate("keyword_nodes", nodes)
    assert g.number_of_edges() == 60
    assert nodes["token"].iloc[0] == "人工智能"  # the hub of AI plans
    hub = nodes.set_index("token").loc["人工智能"]
    assert hub["degree"] == g.degree("人工智能") and hub["betweenness"] == nodes["betweenness"].max()


def test_documents_is_the_grouping_argument_and_meta_a_deprecated_alias():
    t = pd.DataFrame({"doc_id": ["a", "a", "b"], "position": [0, 1, 0], "token": ["算力", "数据", "算力"]})
    d = pd.DataFrame({"doc_id": ["a", "b"], "city": ["南京", "合肥"]})
    new = kw.frequency(t, by="city", documents=d)
    with pytest.warns(DeprecationWarning, match="documents="):
        old = kw.frequency(t, by="city", meta=d)
    pd.testing.assert_frame_equal(new, old)
    with pytest.raises(TypeError):
        kw.keyness(t, target="南京", by="city", documents=d, meta=d)
