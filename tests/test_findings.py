"""Finding sentences (policylab.findings): a tie is no "largest", an overlap of bootstrap intervals is no
"highest", one group is not compared, missing values are left out, different units or indicators are
never compared, and one document per year is not a trend."""

from __future__ import annotations

import pandas as pd
import pytest

from policylab import findings, keywords, labels, topics


# ---- highest: ties, single group, missing values, intervals ------------------------------------------


def test_highest_names_a_clear_leader_with_the_runner_up():
    t = pd.DataFrame({"g": ["南京", "合肥", "成都"], "v": [3.0, 5.0, 1.0]})
    assert findings.highest(t, "g", "v", what="targets") == "targets is highest in 合肥 (5), ahead of 南京 (3)."


def test_highest_never_calls_a_tie_the_largest():
    t = pd.DataFrame({"g": ["南京", "合肥", "成都"], "v": [500.0, 500.0, 100.0]})
    s = findings.highest(t, "g", "v", what="核心产业规模 (亿元) by 2025")
    assert "tie at 500" in s and "南京" in s and "合肥" in s and "highest in" not in s


def test_highest_with_a_single_group_compares_nothing():
    s = findings.highest(pd.DataFrame({"g": ["南京"], "v": [0.3]}), "g", "v", what="share")
    assert s.startswith("share: only 南京 has a value") and "highest" not in s.replace("nothing", "")


def test_highest_leaves_missing_values_out():
    t = pd.DataFrame({"g": ["南京", "合肥", "成都"], "v": [None, 2.0, 1.0]})
    assert findings.highest(t, "g", "v", what="x") == "x is highest in 合肥 (2), ahead of 成都 (1)."
    assert findings.highest(t.assign(v=None), "g", "v", what="x") == "x: no values to compare."


def test_highest_inside_the_bootstrap_interval_is_no_highest():
    # the case: 8 % against 7.9 % and 7.7 %
    t = pd.DataFrame({"group": ["沈阳", "南京", "成都"], "share": [0.080, 0.079, 0.077],
                      "ci_low": [0.05, 0.05, 0.04], "ci_high": [0.11, 0.11, 0.10]})
    s = findings.highest(t, "group", "share", what="Topic 9", low="ci_low", high="ci_high", fmt="{:.1%}")
    assert "no single group is highest" in s and all(c in s for c in ("沈阳", "南京", "成都"))
    # intervals apart: a leader
    apart = t.assign(ci_low=[0.075, 0.02, 0.02], ci_high=[0.085, 0.03, 0.03])
    assert findings.highest(apart, "group", "share", what="Topic 9", low="ci_low", high="ci_high",
                            fmt="{:.1%}").startswith("Topic 9 is highest in 沈阳")


def test_topic_findings_label_every_topic_and_respect_intervals():
    prev = pd.DataFrame({"group": ["南京", "合肥", "南京", "合肥"], "topic": [1, 1, 2, 2],
                         "share": [0.6, 0.4, 0.4, 0.6], "ci_low": [0.55, 0.3, 0.3, 0.35], "ci_high": [0.7, 0.45, 0.45, 0.65]})
    lab = pd.DataFrame({"topic": [1, 2], "label": ["算力基础设施", pd.NA], "top_terms": ["算力 数据", "人才 高校 引进 团队"]})
    out = findings.topic_findings(prev, lab)
    assert out[0].startswith("Topic 1 «算力基础设施» is highest in 南京")
    assert out[1].startswith("Topic 2 «人才 高校 引进»") and "no single group is highest" in out[1]


# ---- targets: units and indicators ------------------------------------------------------------------


def test_targets_in_different_units_or_indicators_are_never_compared():
    c = pd.DataFrame({"group": ["南京", "合肥", "成都", "沈阳"],
                      "indicator": ["核心产业规模", "核心产业规模", "核心产业规模", "核心产业产值"],
                      "unit": ["亿元", "个", "亿元", "亿元"], "target_year": [2025] * 4,
                      "value": [500.0, 900.0, 300.0, 800.0]})
    out = findings.target_findings(c)
    assert out[0] == "核心产业规模 (亿元) by 2025 is highest in 南京 (500), ahead of 成都 (300)."
    assert "900" not in " ".join(out) and "800" not in " ".join(out)  # other unit, other indicator: not compared
    assert "set by one group only" in out[-1]


def test_targets_for_different_years_are_not_ranked_and_missing_values_are_left_out():
    c = pd.DataFrame({"group": ["合肥", "成都", "南京"], "indicator": ["核心产业规模"] * 3, "unit": ["亿元"] * 3,
                      "target_year": [2025, 2022, 2025], "value": [300.0, 500.0, None]})
    out = findings.target_findings(c)
    assert len(out) == 1 and "not compared" in out[0] and "highest" not in out[0]
    assert findings.target_findings(c.iloc[:0]) == ["No quantitative targets to compare to show: no document sets a dated target."]


def test_comparable_targets_keeps_only_like_with_like():
    c = pd.DataFrame({"group": ["合肥", "成都", "南京", "沈阳"], "indicator": ["规模", "规模", "收入", "规模"],
                      "unit": ["亿元", "亿元", "亿元", "个"], "target_year": [2025, 2025, 2025, 2025],
                      "value": [300.0, 500.0, 500.0, 10.0]})
    out = findings.comparable_targets(c)
    assert out["group"].tolist() == ["合肥", "成都"] and set(out["set"]) == {1}


# ---- time: one document per year is not a trend ---------------------------------------------------------


def test_one_document_per_year_is_called_a_comparison_of_documents():
    docs = pd.DataFrame({"doc_id": list("abc"), "year": [2018, 2020, 2022]})
    p = pd.DataFrame({"term": ["算力"] * 3, "year": [2018, 2020, 2022], "per_10k": [0.0, 9.4, 23.0]})
    out = findings.trend_findings(p, docs, item="term", value="per_10k")
    assert "not a trend" in out[0] and "rose" not in out[0]
    assert "not trends" in findings.period_findings(docs)[1]


def test_a_trend_where_years_hold_two_documents():
    docs = pd.DataFrame({"doc_id": list("abcde"), "year": [2018, 2018, 2020, 2022, 2022]})
    p = pd.DataFrame({"term": ["算力"] * 3, "year": [2018, 2020, 2022], "per_10k": [1.0, 9.0, 20.0]})
    out = findings.trend_findings(p, docs, item="term", value="per_10k")
    assert out == ["算力 rose from 1.0 in 2018 to 20.0 in 2022 (years with two or more documents)."]
    assert findings.has_trend(docs) and not findings.has_trend(docs.iloc[:3])


def test_a_change_below_the_printed_precision_is_no_rise_or_fall():
    """Seen in a report on 20 generated pages: "Topic 2 (mean share) fell from 18% in 2018 to 18%
    in 2022". Values that print the same are no change, whichever way the digits beyond go."""
    docs = pd.DataFrame({"doc_id": list("abcd"), "year": [2018, 2018, 2022, 2022]})
    p = pd.DataFrame({"topic": ["Topic 2"] * 2 + ["Topic 3"] * 2, "year": [2018, 2022] * 2,
                      "weight": [0.184, 0.176, 0.0, 0.0]})
    out = findings.trend_findings(p, docs, item="topic", value="weight", what="mean share", fmt="{:.0%}")
    assert out == ["Topic 2 (mean share) was 18% in 2018 and 18% in 2022: no change at this precision "
                   "(years with two or more documents).",
                   "Topic 3 (mean share) was 0% in 2018 and 0% in 2022: no change at this precision "
                   "(years with two or more documents)."]
    p["weight"] = [0.184, 0.181, 0.02, 0.01]
    out = findings.trend_findings(p, docs, item="topic", value="weight", fmt="{:.0%}")
    assert out[0].startswith("Topic 2 was 18% in 2018 and 18% in 2022") and out[1].startswith("Topic 3 fell from 2%")


def test_undated_documents_are_not_counted_as_dated():
    """Seen in a report on three provincial pages: "The 3 documents are dated 2020 (...); 1 could
    not be dated" -- the sentence counted the undated one among the dated. And "aim at 1 horizon
    years, 2020 to 2020"."""
    docs = pd.DataFrame({"doc_id": list("abc"), "year": [2020, 2020, pd.NA]})
    assert findings.period_findings(docs)[0] == (
        "2 of the 3 documents are dated 2020 (2020: 2 documents per year); 1 could not be dated.")
    assert findings.period_findings(docs.iloc[:2])[0].startswith("The 2 documents are dated 2020")
    assert findings.period_findings(docs.iloc[:1])[0].startswith("The one document is dated 2020")
    assert findings.horizon_findings(pd.DataFrame({"target_year": [2020, 2020]})) == [
        "2 dated quantitative targets aim at one horizon year, 2020."]
    assert findings.horizon_findings(pd.DataFrame({"target_year": pd.array([pd.NA], dtype="Int64")})) == []


def test_period_findings_without_dates_say_so():
    out = findings.period_findings(pd.DataFrame({"doc_id": ["a", "b"], "year": [pd.NA, pd.NA]}))
    assert out == ["No dated documents to show: none of the 2 documents has a year."]


# ---- distinctive words: ties, no significant word, names left out -----------------------------------------


def test_distinctive_findings_keep_ties_together_and_say_when_a_group_has_none():
    k = pd.DataFrame({"group": ["成都"] * 3 + ["南京"], "token": ["场景", "算力", "数据", "人才"],
                      "g2": [9.0, 9.0, 8.0, 1.0], "p_g2": [0.001, 0.001, 0.002, 0.3],
                      "n_target": [12, 9, 8, 1], "n_reference": [1, 0, 0, 8]})
    out = findings.distinctive_findings(k, n=1)
    assert "场景" in out[0] and "算力" in out[0] and "数据" not in out[0]
    assert out[1] == "南京: no word is significantly more frequent than in the other groups."


def test_distinctive_words_of_the_seeds_are_not_place_agency_or_theme_words(corpus):
    docs = labels.with_labels(corpus.documents)
    tokens = topics.section_tokens(corpus.sections, docs)
    excluded = keywords.excluded_terms(tokens, docs, corpus.agencies)
    reasons = excluded.set_index("term")["reason"].to_dict()
    # the cases: 天府 (Chengdu's new area), 宁 / 沈 (document-number prefixes), the theme word
    assert reasons.get("天府") == "place" and reasons.get("人工智能") == "theme"
    assert all(reasons.get(w) == "place" for w in ("宁", "沈") if w in set(tokens["token"]))
    key = keywords.distinctive(tokens, "group", documents=docs[["doc_id", "group"]], exclude=excluded["term"])
    top = key[key["g2"] > 0].groupby("group").head(3)
    assert set(top["group"]) == {"南京", "合肥", "成都", "沈阳"}
    assert not set(top["token"]) & set(excluded["term"])
    assert "先导区" in set(top.loc[top["group"] == "南京", "token"])  # Nanjing's pilot zone is its own word


def test_distinctive_needs_two_groups():
    t = pd.DataFrame({"doc_id": ["a", "a"], "position": [0, 1], "token": ["算力", "数据"]})
    assert keywords.distinctive(t, documents=pd.DataFrame({"doc_id": ["a"], "group": ["南京"]})).empty
    assert findings.distinctive_findings(pd.DataFrame()) == [
        "No distinctive words to show: there are fewer than two groups to compare."]


def test_group_kwic_reads_each_groups_own_documents(corpus):
    import policylab

    docs = labels.with_labels(corpus.documents)
    full = policylab.tokenize(docs, stopwords=False, punctuation=True, numbers="keep", progress=False)
    kw = keywords.group_kwic(full, {"沈阳": "人工智能", "成都": "人工智能"}, documents=docs[["doc_id", "group"]])
    own = docs.set_index("doc_id")["group"]
    assert set(kw["group"]) == {"沈阳", "成都"}
    assert (kw["doc_id"].map(own) == kw["group"]).all()


# ---- corpus-level sentences ---------------------------------------------------------------------------


def test_corpus_findings_on_the_seeds_quote_the_duplicate_and_fields(corpus):
    out = findings.corpus_findings(corpus)
    assert out[0].startswith("5 files were read: 4 became documents, 1 was a duplicate and 0 were rejected.")
    assert "000_386978f9a7633c20.txt is a near-duplicate of 001_4de147ab1a0c3745.txt" in out[0]
    assert any("3 give a 文号" in s for s in out)


def test_frequency_findings_name_ties_together():
    f = pd.DataFrame({"token": ["算力", "数据"], "n": [4, 4], "per_10k": [5000.0, 5000.0]})
    t = pd.DataFrame({"token": ["算力"] * 4 + ["数据"] * 4})
    assert "the most frequent are 算力 and 数据 (4 times each" in findings.frequency_findings(f, t, 2)[0]


def test_first_mentions_name_every_group_of_the_first_year():
    f = pd.DataFrame({"city": ["南京", "合肥", "成都"], "term": ["算力"] * 3, "first_year": [2020, 2020, 2022]})
    assert findings.first_mention_findings(f, ["算力"]) == ["First year each followed term appears: 算力 2020 (南京, 合肥)."]


@pytest.mark.parametrize("n_units, expected", [(3, ()), (8, (2,)), (119, (2, 4, 6, 8))])
def test_k_range_scales_with_the_units(n_units, expected):
    assert topics.k_candidates(n_units) == expected


def test_document_periods_are_summarised_beyond_a_few_documents():
    # a large corpus gets one counted sentence per kind, not one line per document
    docs = pd.DataFrame({"label": [f"doc {i}" for i in range(12)],
                         "plan_start": [2018] * 8 + [2024] * 3 + [2021], "plan_end": [2020] * 8 + [2026] * 3 + [pd.NA],
                         "effective_from": pd.to_datetime(["2020-12-10"] * 2 + [None] * 10),
                         "effective_to": pd.to_datetime(["2022-12-31"] * 2 + [None] * 10)})
    out = findings.document_period_findings(docs)
    assert out[0] == "12 documents state a plan period: 2018–2020 (8 documents), 2024–2026 (3 documents), 2021 (1 document)."
    assert out[1:] == ["doc 0 is in force from 2020-12-10 to 2022-12-31.", "doc 1 is in force from 2020-12-10 to 2022-12-31."]
    assert len(findings.document_period_findings(docs, max_listed=20)) == 14


def test_one_document_corpus_findings_read_in_the_singular():
    """A report on one generated page said "1 files were read", "Of the 1 documents, 0 give a 文号",
    "(7 times, in 1 documents)", "The 1 documents hold" and "(2020: 1 documents per year)"."""
    from types import SimpleNamespace

    files = pd.DataFrame({"path": ["a.txt"], "status": ["document"], "reason": [None],
                          "duplicate_of": [None], "similarity": [None]})
    docs = pd.DataFrame({"doc_id": ["d1"], "doc_number": [None], "issued": [pd.NaT], "city": ["成都"],
                         "year": pd.array([2020], dtype="Int64")})
    agencies = pd.DataFrame({"doc_id": ["d1"] * 7, "agency": ["市科技局"] * 7})
    citations = pd.DataFrame({"doc_id": ["d1"], "cited": ["国发〔2017〕35号"]})
    out = findings.corpus_findings(SimpleNamespace(files=files, documents=docs, agencies=agencies,
                                                   citations=citations))
    assert out[0] == "1 file was read: 1 became a document, 0 were duplicates and 0 were rejected."
    assert ("The one document gives a city and a year; its 文号 and signature date (成文日期) stay empty "
            "rather than guessed.") in out
    assert any(s.endswith("(7 times, in 1 document).") for s in out)
    assert out[-1] == "1 cited document was found in 1 document."
    assert findings.period_findings(docs)[0] == "The one document is dated 2020 (2020: 1 document per year)."
    f = pd.DataFrame({"token": ["算力"], "n": [3], "per_10k": [10000.0]})
    assert findings.frequency_findings(f, pd.DataFrame({"token": ["算力"] * 3}), 1)[0].startswith(
        "The one document holds 3 content tokens")
