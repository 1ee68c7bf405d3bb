"""Comparison of documents and cities (policylab.compare) and the diffusion charts (policylab.plots.diffusion)."""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from policylab import compare, reuse, schema
from policylab.plots import diffusion


@pytest.fixture(scope="module")
def seed_tables(corpus):
    import policylab

    tokens = policylab.tokenize(corpus.documents, progress=False)
    passages = reuse.find(corpus, min_chars=25)  # the seeds share short phrases only
    return tokens, passages


def test_similarity_of_the_seed_plans(corpus, seed_tables):
    tokens, passages = seed_tables
    sim = compare.similarity(tokens, corpus.documents, passages)
    schema.validate("document_similarity", sim)
    n = len(corpus.documents)
    assert len(sim) == n * (n - 1)
    m = sim.set_index(["doc_a", "doc_b"])["cosine"]
    for (a, b), v in m.items():
        assert v == pytest.approx(m[(b, a)]) and 0 < v < 1  # plans on one subject, none identical
    # reuse share: the characters of a's text in passages shared with b, over a's length
    length = corpus.documents.set_index("doc_id")["text"].str.len()
    for r in passages.itertuples():
        got = sim.set_index(["doc_a", "doc_b"]).loc[(r.doc_a, r.doc_b), "reuse_share"]
        own = passages[(passages.doc_a == r.doc_a) & (passages.doc_b == r.doc_b)]
        assert got == pytest.approx((own.end_a - own.start_a).sum() / length[r.doc_a], abs=1e-6)
    unshared = sim[~sim.set_index(["doc_a", "doc_b"]).index.isin(
        list(zip(passages.doc_a, passages.doc_b)) + list(zip(passages.doc_b, passages.doc_a)))]
    assert (unshared["reuse_share"] == 0).all()


def test_cities_compared_by_grouping(corpus, seed_tables):
    tokens, passages = seed_tables
    sim = compare.similarity(tokens, corpus.documents, passages, by="city")
    assert set(sim["doc_a"]) == set(corpus.documents["city"])
    with pytest.raises(ValueError, match="city"):
        compare.similarity(tokens, None, by="city")


def test_clustering_and_neighbours_agree_with_the_similarities(corpus, seed_tables):
    tokens, _ = seed_tables
    sim = compare.similarity(tokens, corpus.documents)
    tree, groups = compare.cluster(sim, n_clusters=2)
    schema.validate("dendrogram", tree)
    schema.validate("clusters", groups)
    n = len(corpus.documents)
    assert len(tree) == n - 1 and tree["size"].iloc[-1] == n
    assert sorted(groups["order"]) == list(range(n)) and set(groups["cluster"]) == {1, 2}
    best = sim.loc[sim["cosine"].idxmax()]
    first = {groups.loc[tree.loc[0, "left"], "doc_id"], groups.loc[tree.loc[0, "right"], "doc_id"]}
    assert first == {best.doc_a, best.doc_b}  # the closest pair merges first
    assert tree.loc[0, "distance"] == pytest.approx(1 - best.cosine, abs=1e-6)
    nn = compare.nearest_neighbours(sim, k=1)
    schema.validate("nearest_neighbours", nn)
    for doc, g in nn.groupby("doc_id"):
        assert g["value"].iloc[0] == pytest.approx(sim.loc[sim.doc_a == doc, "cosine"].max())
    lines = compare.describe_neighbours(nn)
    assert len(lines) == n and all("most similar" in s for s in lines)


def test_empty_inputs_give_empty_tables():
    one = pd.DataFrame({"doc_id": ["a"], "position": [0], "token": ["算力"]})
    sim = compare.similarity(one)
    schema.validate("document_similarity", sim)
    tree, groups = compare.cluster(sim)
    assert tree.empty and groups.empty
    assert compare.nearest_neighbours(sim).empty
    assert compare.describe_neighbours(compare.nearest_neighbours(sim))[0].startswith("Fewer than two")


def _no_missing_glyphs(fig):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    assert not [w for w in caught if re.search(r"missing from (current )?font|Glyph \d+", str(w.message))]


def test_diffusion_network_shows_documents_and_missing_cited_ones(corpus, seed_tables):
    _, passages = seed_tables
    docs = corpus.documents
    pairs = reuse.reuse_pairs(passages, docs)
    links = reuse.link_citations(corpus.citations, docs)
    fig = diffusion.plot_diffusion_network(docs, pairs, links, labels=dict(zip(docs.doc_id, docs.city)))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert set(docs["city"]) <= set(texts)
    ghosts = [t for t in texts if t.endswith("(不在语料中)")]
    assert sorted(g.split(" ")[0] for g in ghosts) == sorted(reuse.missing_citations(links)["cited_doc_number"])
    _no_missing_glyphs(fig)
    pos = diffusion.node_positions(docs).set_index("doc_id")
    issued = docs.dropna(subset=["issued"]).set_index("doc_id")["issued"]
    for d, t in issued.items():  # issued documents stand at their date
        assert int(pos.loc[d, "x"]) == t.year


def test_heatmap_cells_are_the_reuse_shares(corpus, seed_tables):
    tokens, passages = seed_tables
    sim = compare.similarity(tokens, corpus.documents, passages)
    fig = diffusion.plot_reuse_heatmap(sim)
    img = fig.axes[0].images[0].get_array()
    units = sorted(corpus.documents["doc_id"])
    want = sim.pivot(index="doc_a", columns="doc_b", values="reuse_share").reindex(index=units, columns=units)
    np.testing.assert_allclose(np.asarray(img, dtype=float), want.to_numpy(dtype=float))
    _no_missing_glyphs(fig)
    tree, groups = compare.cluster(sim)
    _no_missing_glyphs(diffusion.plot_dendrogram(tree, groups, labels=dict(zip(corpus.documents.doc_id,
                                                                               corpus.documents.city))))


def test_passage_html_marks_exactly_the_edits():
    row = {"doc_a": "a", "doc_b": "b", "text_a": "培育一批人工智能领军企业,建设<开放>平台。",
           "text_b": "培育若干人工智能领军企业,建设<开放>平台。"}
    h = diffusion.passage_html(row, labels={"a": "沈阳", "b": "成都"})
    assert re.findall(r"<del[^>]*>(.*?)</del>", h) == ["一批"]
    assert re.findall(r"<ins[^>]*>(.*?)</ins>", h) == ["若干"]
    assert "&lt;开放&gt;" in h and "<th>沈阳</th>" in h
