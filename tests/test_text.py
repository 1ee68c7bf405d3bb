"""Text primitives and the one horizon finder, the year rule and the page gate (issue 14)."""

from __future__ import annotations

import pandas as pd
import pytest

from policylab import meta, targets, text, timeline
from policylab.corrections import apply_corrections, corrections_digest, corrections_for_build, empty_corrections
from policylab.meta import extract_metadata, year_by_rule
from policylab.page import policy_text_gate
from policylab.clean import clean_page


@pytest.mark.parametrize(
    "sentence, year",
    [
        ("到2025年,建成10个平台。", 2025),
        ("至2025年,建成10个平台。", 2025),
        ("力争到2026年底,建成10个平台。", 2026),
        ("2027年底前,建成10个平台。", 2027),
        ("2028年前,建成10个平台。", 2028),
        ("到二〇三〇年,建成10个平台。", 2030),
        ("到“十四五”末,建成10个平台。", 2025),
    ],
)
def test_one_horizon_finder_for_documents_and_targets(sentence, year):
    """The same sentence gives the same year to documents.target_years and to the targets table."""
    body = "关于印发某市人工智能行动计划的通知\n一、重点任务\n" + sentence
    assert extract_metadata(body)["target_years"] == str(year)
    assert targets.targets_from_text(sentence)["target_year"].tolist() == [year]


@pytest.mark.parametrize(
    "sentence",
    ["本方案(2018-2020年)实施。", "自2020年12月10日起施行。", "根据《2025年工作要点》制定。", "发布2026年版目录。"],
)
def test_periods_dates_editions_and_cited_titles_are_no_horizons(sentence):
    assert text.find_horizons(sentence) == []
    assert extract_metadata("某市人工智能行动计划\n一、重点任务\n" + sentence)["target_years"] is None


def test_stage_years_count_only_under_a_goals_heading():
    doc = "某市人工智能行动计划\n一、发展目标\n2023年,完成规划。\n二、重点任务\n2024年,开展试点。"
    assert extract_metadata(doc)["target_years"] == "2023"
    assert [k for _, _, k in text.horizons("2024年,开展试点。")] == ["stage"]


def test_target_years_of_the_seeds_come_from_the_horizon_finder(corpus):
    for doc_text, years in zip(corpus.documents["text"], corpus.documents["target_years"]):
        found = {y for ln in text.lines_of(doc_text) for _, y, _ in text.horizons(ln)}
        listed = set() if pd.isna(years) else {int(y) for y in years.split(",")}
        assert listed and listed <= found


def test_width_folding_is_one_character_for_one():
    raw = "（一）到２０２５年：建成１０个平台，〔2022〕、《规划》"
    folded = text.fold(raw)
    assert len(folded) == len(raw)
    assert folded == "(一)到2025年:建成10个平台,〔2022〕、《规划》"
    assert text.fold_page("\u200b（一）\u00a0") == "(一) "


def test_numerals():
    assert [text.cn_number(s) for s in ("十", "十二", "二十", "九十九", "二〇二二", "○七")] == [10, 12, 20, 99, 2022, 7]
    assert text.parse_number("1.5万") == 15000.0 and text.parse_number("三千五百") == 3500.0


def test_year_rule_is_one_function(corpus):
    """meta, the corrections and the timeline give a document the same year by the same rule."""
    docs = corpus.documents
    for _, row in docs.iterrows():
        assert year_by_rule(row) == (row["year"], row["year_source"])
    stripped = docs.drop(columns=["year"])
    assert timeline.document_years(stripped)["year"].tolist() == docs["year"].tolist()
    assert meta.YEAR_RULE == ("issued", "effective_from", "published", "plan_start")


def test_a_corrected_date_recomputes_the_year_by_the_rule(corpus):
    md = corpus.documents[["doc_id", *meta.META_FIELDS]].copy()
    doc = md.loc[md["year_source"] == "issued", "doc_id"].iloc[0]
    fix = pd.DataFrame({"doc_key": [doc], "field": ["issued"], "value": [""], "source": ["test"], "note": [""]})
    fixed, log = apply_corrections(md, fix)
    row = fixed.set_index("doc_id").loc[doc]
    assert log["status"].tolist() == ["applied"]
    assert (row["year"], row["year_source"]) == year_by_rule(row.to_dict())
    assert row["year_source"] != "issued"


def test_corrections_of_a_build(tmp_path):
    opts: dict = {}
    assert corrections_for_build(None, opts) is None and opts == {}
    with pytest.raises(FileNotFoundError):
        corrections_for_build(tmp_path / "missing.csv", {})
    f = tmp_path / "c.csv"
    f.write_text("doc_key,field,value,source,note\nd1,issued,2021-05-01,gov.cn,\n", encoding="utf-8")
    table = corrections_for_build(f, opts)
    assert table["doc_key"].tolist() == ["d1"]
    assert opts["corrections_sha256"] == corrections_digest(f)
    assert corrections_digest(empty_corrections()) != corrections_digest(table)


def test_the_gate_names_why_a_page_is_no_document():
    nav = clean_page("首页 > 政策文件 > 通知公告\n登录 | 注册")
    assert policy_text_gate(nav).startswith("no policy text")
    prose = "本市今年天气晴朗,游客众多,公园里人来人往,大家都很开心。" * 12
    assert policy_text_gate(clean_page(prose)).startswith("not a policy document")


# ----------------------------------------------------------------------------- fast paths (issue 15)
def test_horizon_pattern_opening_with_a_class_matches_as_the_year_alternation(corpus):
    import re

    plain = re.compile(text._HORIZON_RE.pattern.replace(text._YEAR_FIRST_CLASS, text.YEAR, 1))
    texts = [text.fold(t) for t in corpus.documents["text"]]
    texts += ["二〇二五年底前", "一九九八年", "2025年前,1925年,3025年", "二〇二五 年末", "12025年", "一二三四年"]
    for t in texts:
        got = [(m.span(), m.groups()) for m in text._HORIZON_RE.finditer(t)]
        assert got == [(m.span(), m.groups()) for m in plain.finditer(t)], t[:40]
        assert text.horizons(t, folded=True) == text.horizons(t)
