"""Topic models (issue 4): reproducible tables, hand-checked coherence, stability, save/load,
prevalence intervals, model selection on the seeds, figures with Chinese labels."""

from __future__ import annotations

import copy
import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from policylab import schema, topics
from policylab.topics import TopicModel

# ------------------------------------------------------------------------------ seed data

CITIES = {"南京", "合肥", "成都", "沈阳"}  # seed-facts.md: the cities of the four distinct documents


@pytest.fixture(scope="module")
def seed_data(corpus):
    """(tokens, sections, documents) of the seed corpus, units = sections, as the pipeline builds them.

    tokens come from ``policylab.tokenize(sections, unit_col="section_id")``; ``documents`` is the
    document metadata (``doc_id``, ``city``, ``year`` ...).
    """
    from policylab import tokenize

    tokens = tokenize(corpus.sections, unit_col="section_id")
    return tokens, corpus.sections, corpus.documents


@pytest.fixture(scope="module")
def nmf_model(seed_data):
    return TopicModel(k=6, method="nmf", random_state=0).fit(seed_data[0])


# ------------------------------------------------------------------------------ reproducibility


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_same_data_and_seed_give_identical_tables(seed_data, method):
    tokens = seed_data[0]
    opts = dict(k=5, method=method, random_state=3, max_iter=10 if method == "lda" else None)
    a, b = TopicModel(**opts).fit(tokens), TopicModel(**opts).fit(tokens)
    for table in ("topic_terms", "unit_topics", "topic_labels"):
        ta, tb = getattr(a, table)(), getattr(b, table)()
        schema.validate(table, ta)
        pd.testing.assert_frame_equal(ta, tb)
    # and a different seed is a different model (the seed is really passed through)
    c = TopicModel(**{**opts, "random_state": 4}).fit(tokens)
    assert not np.allclose(a.components_, c.components_)


def test_tables_are_tidy_and_normalised(nmf_model, seed_data):
    tt, ut = nmf_model.topic_terms(), nmf_model.unit_topics()
    assert tt.groupby("topic")["weight"].sum().round(9).eq(1).all()
    assert (tt.groupby("topic")["rank"].min() == 1).all()
    # rank follows weight within a topic
    assert tt.groupby("topic")["weight"].apply(lambda w: w.is_monotonic_decreasing).all()
    assert ut.groupby(["doc_id", "section_id"])["weight"].sum().round(9).eq(1).all()
    assert sorted(ut["topic"].unique()) == [1, 2, 3, 4, 5, 6]
    # topics are numbered by prevalence: topic 1 is the most common
    share = ut.groupby("topic")["weight"].mean()
    assert share.is_monotonic_decreasing
    # every unit id joins back to the sections
    keys = seed_data[1][["doc_id", "section_id"]]
    assert len(ut.merge(keys, on=["doc_id", "section_id"])) == len(ut)
    # single characters are not terms unless asked for
    assert (tt["term"].str.len() > 1).all()


def test_topic_labels_from_csv(nmf_model, tmp_path):
    labels = nmf_model.topic_labels(n=5)
    assert labels["label"].isna().all()  # no label is made up
    assert labels["top_terms"].str.split().str.len().eq(5).all()
    csv = tmp_path / "labels.csv"
    csv.write_text("topic,label,note\n2,场景应用,read from top_units\n", encoding="utf-8")
    labelled = nmf_model.topic_labels(n=5, labels_csv=csv)
    schema.validate("topic_labels", labelled)
    assert labelled.loc[labelled["topic"] == 2, "label"].item() == "场景应用"
    assert labelled.loc[labelled["topic"] != 2, "label"].isna().all()
    csv.write_text("topic,label\n9,不存在\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not in this 6-topic model"):
        nmf_model.topic_labels(labels_csv=csv)


# ------------------------------------------------------------------------------ coherence

# A tiny corpus worked by hand. Units (a term counts once per unit, whatever its frequency):
#   u1: 算力 算力 芯片        u2: 算力 芯片 人才        u3: 算力 高校        u4: 人才
# N = 4; D(算力) = 3, D(芯片) = 2, D(人才) = 2, D(高校) = 1
# D(算力,芯片) = 2, D(算力,人才) = 1, D(芯片,人才) = 1, D(人才,高校) = 0
#
# Topic 1, top terms [算力, 芯片, 人才] (heaviest first)
#   UMass, pairs (l < m), log((D(w_m, w_l) + 1) / D(w_l)):
#     (算力, 芯片): log(3/3) = 0
#     (算力, 人才): log(2/3) = -0.405465
#     (芯片, 人才): log(2/2) = 0
#     mean = -0.405465 / 3 = -0.135155
#   NPMI, log(P(i,j) / P(i)P(j)) / -log P(i,j):
#     (算力, 芯片): P = 2/4, P(i)P(j) = 3/4 * 2/4 = 0.375: log(0.5/0.375) / -log(0.5)
#                  = 0.287682 / 0.693147 = 0.415037
#     (算力, 人才): P = 1/4, P(i)P(j) = 0.375: log(0.25/0.375) / -log(0.25) = -0.405465 / 1.386294
#                  = -0.292481
#     (芯片, 人才): P = 1/4, P(i)P(j) = 2/4 * 2/4 = 0.25: log(1) / ... = 0
#     mean = (0.415037 - 0.292481 + 0) / 3 = 0.040852
# Topic 2, top terms [人才, 高校]: never in one unit
#   UMass: log((0 + 1) / D(人才)) = log(1/2) = -0.693147
#   NPMI: P(人才,高校) = 0 -> -1 (the limit of NPMI as the joint probability goes to 0)
TINY = [("u1", ["算力", "算力", "芯片"]), ("u2", ["算力", "芯片", "人才"]), ("u3", ["算力", "高校"]),
        ("u4", ["人才"])]


def _tiny_tokens():
    rows = [("d", u, i, t) for u, toks in TINY for i, t in enumerate(toks)]
    return pd.DataFrame(rows, columns=["doc_id", "section_id", "position", "token"])


def test_coherence_matches_hand_worked_example():
    got = topics.coherence([["算力", "芯片", "人才"], ["人才", "高校"]], _tiny_tokens())
    schema.validate("topic_coherence", got)
    assert got["topic"].tolist() == [1, 2]
    assert got.loc[0, "umass"] == pytest.approx(math.log(2 / 3) / 3, abs=1e-12)
    assert got.loc[0, "umass"] == pytest.approx(-0.135155, abs=1e-6)
    npmi_1 = (math.log(0.5 / 0.375) / -math.log(0.5) + math.log(0.25 / 0.375) / -math.log(0.25) + 0) / 3
    assert got.loc[0, "npmi"] == pytest.approx(npmi_1, abs=1e-12)
    assert got.loc[0, "npmi"] == pytest.approx(0.040852, abs=1e-6)
    assert got.loc[1, "umass"] == pytest.approx(math.log(0.5), abs=1e-12)
    assert got.loc[1, "npmi"] == -1.0
    # order matters for UMass (conditioned on the heavier term), not for NPMI
    rev = topics.coherence([["人才", "芯片", "算力"]], _tiny_tokens())
    assert rev.loc[0, "npmi"] == pytest.approx(npmi_1, abs=1e-12)
    assert rev.loc[0, "umass"] != pytest.approx(got.loc[0, "umass"])


def test_model_coherence_is_the_same_computation(nmf_model, seed_data):
    """The model's own coherence (on its filtered matrix) equals coherence on the raw tokens."""
    own = nmf_model.coherence(n=8)
    direct = topics.coherence(nmf_model.topic_terms(), seed_data[0], n=8)
    pd.testing.assert_frame_equal(own, direct)
    assert own["npmi"].between(-1, 1).all() and (own["umass"] <= math.log(2)).all()


# ------------------------------------------------------------------------------ stability


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_stability_self_is_one_and_shuffled_terms_is_low(seed_data, method):
    m = TopicModel(k=6, method=method, max_iter=10 if method == "lda" else None).fit(seed_data[0])
    assert topics.matched_similarity(m, m) == pytest.approx(1.0, abs=1e-12)
    # the same topics in another order are still the same topics
    perm = copy.copy(m)
    perm.components_ = m.components_[::-1]
    value, pairs = topics.matched_similarity(m, perm, return_pairs=True)
    assert value == pytest.approx(1.0, abs=1e-12)
    assert pairs["topic_b"].tolist() == [6, 5, 4, 3, 2, 1]
    shuffled = copy.copy(m)
    shuffled.components_ = m.components_[:, np.random.default_rng(0).permutation(len(m.terms_))]
    assert topics.matched_similarity(m, shuffled) < 0.3


def test_stability_aligns_different_vocabularies(seed_data):
    tokens = seed_data[0]
    a = TopicModel(k=4, min_df=2).fit(tokens)
    b = TopicModel(k=4, min_df=3).fit(tokens)
    assert a.terms_ != b.terms_
    assert 0.5 < topics.matched_similarity(a, b) <= 1.0


# ------------------------------------------------------------------------------ save / load


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_save_load_round_trip_is_identical(seed_data, tmp_path, method):
    m = TopicModel(k=4, method=method, random_state=7, max_iter=10 if method == "lda" else None)
    m.fit(seed_data[0])
    topics.save_model(m, tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["arrays.npz", "model.json"]
    meta = json.loads((tmp_path / "model" / "model.json").read_text(encoding="utf-8"))
    assert meta["terms"] == m.terms_ and meta["settings"]["random_state"] == 7
    assert {"scikit-learn", "numpy", "policylab"} <= set(meta["versions"])
    with np.load(tmp_path / "model" / "arrays.npz", allow_pickle=False) as z:  # plain arrays only
        assert all(z[k].dtype != object for k in z.files)
    loaded = topics.load_model(tmp_path / "model")
    assert loaded.estimator_ is None
    for table in ("topic_terms", "unit_topics", "topic_labels", "coherence"):
        pd.testing.assert_frame_equal(getattr(loaded, table)(), getattr(m, table)())
    assert loaded.perplexity_ == m.perplexity_
    assert topics.matched_similarity(loaded, m) == pytest.approx(1.0, abs=1e-12)


def test_load_rejects_other_directories(tmp_path):
    (tmp_path / "model.json").write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a policylab topic model"):
        topics.load_model(tmp_path)


# ------------------------------------------------------------------------------ prevalence


@pytest.mark.parametrize("by", ["city", "year", "doc_id"])
def test_prevalence_intervals_contain_estimate_and_are_reproducible(nmf_model, seed_data, by):
    ut, documents = nmf_model.unit_topics(), seed_data[2]
    p = topics.prevalence(ut, documents, by=by, n_boot=300, random_state=1)
    schema.validate("prevalence", p)
    assert ((p["ci_low"] <= p["share"]) & (p["share"] <= p["ci_high"])).all()
    assert (p["ci_high"] > p["ci_low"]).all()  # every group has many units
    assert p.groupby("group")["share"].sum().round(9).eq(1).all()
    n_units = ut[["doc_id", "section_id"]].drop_duplicates().shape[0]
    assert p.groupby("group")["n_units"].first().sum() == n_units
    pd.testing.assert_frame_equal(p, topics.prevalence(ut, documents, by=by, n_boot=300, random_state=1))
    other = topics.prevalence(ut, documents, by=by, n_boot=300, random_state=2)
    assert not np.allclose(p["ci_low"].astype(float), other["ci_low"].astype(float))


def test_prevalence_hand_example():
    ut = pd.DataFrame({"doc_id": ["a"] * 4 + ["b"] * 2, "section_id": ["1", "1", "2", "2", "1", "1"],
                       "topic": [1, 2, 1, 2, 1, 2], "weight": [0.8, 0.2, 0.4, 0.6, 1.0, 0.0]})
    docs = pd.DataFrame({"doc_id": ["a", "b"], "city": ["南京", None]})
    p = topics.prevalence(ut, docs, by="city", n_boot=50)
    # the unit of a document with no city is left out, never guessed
    assert p["group"].tolist() == ["南京", "南京"]
    assert p["share"].round(9).tolist() == [0.6, 0.4] and p["n_units"].tolist() == [2, 2]
    assert p["ci_low"].min() >= 0.2 and p["ci_high"].max() <= 0.8
    with pytest.raises(ValueError, match="no column 'province'"):
        topics.prevalence(ut, docs, by="province")


# ------------------------------------------------------------------------------ reading topics


def test_top_units_give_city_heading_and_text(nmf_model, seed_data):
    _, sections, documents = seed_data
    top = topics.top_units(nmf_model, sections, n=3, documents=documents)
    schema.validate("top_units", top)
    assert len(top) == 6 * 3
    assert all(r == [1, 2, 3] for r in top.groupby("topic")["rank"].apply(list))
    assert top.groupby("topic")["weight"].apply(lambda w: w.is_monotonic_decreasing).all()
    assert top["city"].isin(CITIES).all() and top["text"].notna().all()
    # the top unit's text contains the topic's heaviest term that the unit uses
    first = top[top["rank"] == 1]
    terms = nmf_model.top_terms(10)
    assert sum(any(t in text for t in terms[k - 1]) for k, text in zip(first["topic"], first["text"])) == 6


# ------------------------------------------------------------------------------ model selection


def test_select_k_on_seeds(seed_data):
    ms = topics.select_k(seed_data[0], ks=(3, 6), seeds=(0, 1), methods=("nmf", "lda"), max_iter=15)
    schema.validate("model_selection", ms)
    assert len(ms) == 2 * 2 * 2
    assert ms[["method", "k", "seed"]].drop_duplicates().shape[0] == 8
    assert ms["stability"].between(0, 1 + 1e-9).all()
    assert ms["npmi"].between(-1, 1).all() and (ms["umass"] <= math.log(2)).all()
    assert ms["diversity"].between(0, 1).all()
    nmf, lda = ms[ms["method"] == "nmf"], ms[ms["method"] == "lda"]
    assert nmf["perplexity"].isna().all() and nmf["reconstruction_error"].notna().all()
    assert lda["perplexity"].notna().all() and lda["reconstruction_error"].isna().all()
    # the model-selection row of a seed is the model that seed gives on its own
    m = TopicModel(k=6, method="nmf", random_state=1, max_iter=15).fit(seed_data[0])
    row = ms[(ms["method"] == "nmf") & (ms["k"] == 6) & (ms["seed"] == 1)].iloc[0]
    assert row["npmi"] == pytest.approx(m.coherence()["npmi"].astype(float).mean())
    assert row["diversity"] == pytest.approx(m.diversity())


# ------------------------------------------------------------------------------ figures


def _svg_text(fig, tmp_path, stem, formats):
    from policylab.plots import save_figure

    paths = save_figure(fig, tmp_path / stem, formats=formats)
    assert [p.suffix for p in paths] == [f".{f}" for f in formats]
    assert all(p.stat().st_size > 0 for p in paths)
    return (tmp_path / f"{stem}.svg").read_text(encoding="utf-8")


def test_figures_render_with_chinese_labels(nmf_model, seed_data, tmp_path):
    import matplotlib.pyplot as plt

    from policylab.plots import topics as tplots

    tokens, _, documents = seed_data
    labels = nmf_model.topic_labels(n=5)
    first_term = labels.loc[0, "top_terms"].split()[0]
    ut = nmf_model.unit_topics()
    by_city = topics.prevalence(ut, documents, by="city", n_boot=100)
    by_year = topics.prevalence(ut, documents, by="year", n_boot=100)
    ms = topics.select_k(tokens, ks=(3, 5), seeds=(0, 1), methods="nmf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns; here it fails the test
        figs = {
            "selection": (tplots.model_selection(ms, chosen_k=5), "主题数"),
            "heatmap": (tplots.prevalence_heatmap(by_city, labels), "成都"),
            "trends": (tplots.prevalence_trends(by_year, labels), first_term),
            "terms": (tplots.top_terms(nmf_model.topic_terms(), n=8, labels=labels), first_term),
        }
        for stem, (fig, chinese) in figs.items():
            # every format once (PDF embedding a CJK font is the slow one), SVG for the others
            formats = ("png", "svg", "pdf") if stem == "selection" else ("svg",)
            svg = _svg_text(fig, tmp_path, stem, formats)
            assert chinese in svg, f"{stem}: Chinese text {chinese!r} not in the SVG"
            plt.close(fig)
