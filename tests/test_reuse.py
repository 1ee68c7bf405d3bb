"""Text reuse (policylab.reuse): planted passages in real seed text are found at their spans, boilerplate
is not, pairs are oriented by dates; citations link to corpus documents; reference documents join."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest

from policylab import reuse, schema
from policylab.clean import clean_page

_W = re.compile(r"[\W_]+")


@pytest.fixture(scope="module")
def texts(corpus):
    """Seed texts by city, and paragraphs of Nanjing's plan to plant elsewhere."""
    d = corpus.documents.set_index("city")
    nj = d.loc["南京", "text"].split("\n")
    # numbered tasks, without their (责任单位:...) clause (a list of agencies is frame text, not prose)
    paras = [re.sub(r"\(责任单位[^)]*\)$", "", p) for p in nj if p[:1].isdigit()]
    paras = [p for p in paras if 100 <= len(p) <= 200]
    return {"沈阳": d.loc["沈阳", "text"], "成都": d.loc["成都", "text"], "合肥": d.loc["合肥", "text"], "paras": paras}


def _plant(host: str, at: int, passage: str) -> tuple[str, int, int]:
    """``host`` with ``passage`` put in as its own line at the line break after ``at``."""
    cut = host.index("\n", at) + 1
    text = host[:cut] + passage + "\n" + host[cut:]
    return text, cut, cut + len(passage)


def _edit(p: str) -> str:
    """Small edits: two substitutions, a deletion and an insertion, spread over the passage."""
    q = p[:30] + "和" + p[31:60] + p[63:90] + "进一步" + p[90:]
    return q.replace("人工智能", "AI", 1) if "人工智能" in q[100:] else q[:110] + "新" + q[111:]


def _near(got: int, want: int, text: str, tol: int = 2) -> bool:
    """Offsets agree up to the punctuation and numbering at a passage's edge."""
    lo, hi = sorted((got, want))
    return hi - lo <= tol or not _W.sub("", text[lo:hi])


def _check_span(row, text_a, text_b, span_a, span_b):
    assert text_a[row.start_a:row.end_a] == row.text_a and text_b[row.start_b:row.end_b] == row.text_b
    assert _near(row.start_a, span_a[0], text_a, 4) and _near(row.end_a, span_a[1], text_a)
    assert _near(row.start_b, span_b[0], text_b, 4) and _near(row.end_b, span_b[1], text_b)


def test_seed_plans_share_no_long_passage_but_one_phrase(corpus):
    p = reuse.find(corpus)
    schema.validate("reuse", p)
    assert len(p) == 0  # the four plans share no 50-character passage: they were written apart
    short = reuse.find(corpus, min_chars=25)
    docs = corpus.documents.set_index("doc_id")
    for r in short.itertuples():
        assert docs.loc[r.doc_a, "text"][r.start_a:r.end_a] == r.text_a
    phrase = short[short["text_a"].str.contains("智慧出行、智慧导览、智慧购物")]
    assert len(phrase) == 1
    row = phrase.iloc[0]
    assert {docs.loc[row.doc_a, "city"], docs.loc[row.doc_b, "city"]} == {"合肥", "成都"}
    # Hefei's year comes from a page date, Chengdu's from its validity: both 2020, no order claimed
    assert not row.directed and row.direction_basis == "same_year"


def test_passage_copied_with_small_edits_is_found_at_its_span(texts):
    p = texts["paras"][0]
    a, *span_a = _plant(texts["沈阳"], 1500, p)
    edited = _edit(p)
    b, *span_b = _plant(texts["成都"], 3000, edited)
    docs = pd.DataFrame({"doc_id": ["sy", "cd"], "text": [a, b]})
    found = reuse.find(docs)
    assert len(found) == 1
    row = found.iloc[0]
    assert (row.doc_a, row.doc_b) == ("cd", "sy")  # undated: the smaller doc_id first
    _check_span(row, b, a, span_b, span_a)
    assert 0.9 < row.similarity < 1.0
    assert row.chars >= len(_W.sub("", p)) - 12


def test_reordered_passages_are_two_rows(texts):
    p1, p2 = texts["paras"][1], texts["paras"][3]
    a, *s1 = _plant(texts["沈阳"], 800, p1)
    a, *s2 = _plant(a, s1[1] + 1200, p2)
    b, *t2 = _plant(texts["成都"], 2000, p2)  # Chengdu has them the other way round
    b, *t1 = _plant(b, t2[1] + 1, p1)
    found = reuse.find(pd.DataFrame({"doc_id": ["a", "b"], "text": [a, b]}))
    assert len(found) == 2
    first, second = found.sort_values("start_a").itertuples()
    _check_span(first, a, b, s1, t1)
    _check_span(second, a, b, s2, t2)
    assert first.start_b > second.start_b  # the order is reversed in b


def test_passage_copied_in_traditional_characters_is_found_through_the_clean_stage(texts):
    import opencc

    p = texts["paras"][2]
    a, *span_a = _plant(texts["沈阳"], 2000, p)
    raw_b, *_ = _plant(texts["合肥"], 2500, p)
    cleaned = clean_page(opencc.OpenCC("s2t").convert(raw_b))
    assert cleaned.script == "traditional"
    b = cleaned.text
    found = reuse.find(pd.DataFrame({"doc_id": ["a", "b"], "text": [a, b]}))
    assert len(found) == 1
    row = found.iloc[0]
    start_b = b.index(p[:10])
    _check_span(row, a, b, span_a, (start_b, start_b + len(p)))
    assert row.similarity >= 0.97  # OpenCC's round trip may change a character or two, no more


def test_direction_follows_the_dates_not_the_ids(texts):
    p = texts["paras"][4]
    later, *_ = _plant(texts["沈阳"], 1000, p)
    earlier, *_ = _plant(texts["成都"], 1000, p)
    same_year, *_ = _plant(texts["合肥"], 1000, p)
    undated = "总体要求。\n" + p + "\n"
    docs = pd.DataFrame({
        "doc_id": ["a_late", "b_early", "c_same", "d_undated"],
        "text": [later, earlier, same_year, undated],
        "issued": pd.to_datetime(["2021-06-01", "2019-03-01", None, None]),
        "year": pd.array([2021, 2019, 2021, None], dtype="Int64"),
        "level": ["municipal", "municipal", "municipal", None],
    })
    found = reuse.find(docs).set_index(["doc_a", "doc_b"])
    assert found.loc[("b_early", "a_late"), "direction_basis"] == "issued"
    assert bool(found.loc[("b_early", "a_late"), "directed"])
    assert found.loc[("b_early", "c_same"), "direction_basis"] == "year"
    assert found.loc[("a_late", "c_same"), "direction_basis"] == "same_year"
    assert not bool(found.loc[("a_late", "c_same"), "directed"])
    undated_rows = found.reset_index().query("doc_a == 'd_undated' or doc_b == 'd_undated'")
    assert len(undated_rows) == 3 and set(undated_rows["direction_basis"]) == {"no_date"}
    assert not undated_rows["directed"].any()


def test_shared_boilerplate_is_not_reported(texts):
    frame = ("各区县人民政府,市政府各部门,各有关单位:\n"
             "为深入贯彻落实《国务院关于印发新一代人工智能发展规划的通知》(国发〔2017〕35号)和省委、省政府关于加快人工智能"
             "发展的决策部署精神,加快推进我市新一代人工智能产业发展,结合我市实际,制定本实施方案。\n"
             "现将《关于加快推进新一代人工智能产业发展的实施方案》印发给你们,请结合实际认真贯彻执行。\n")
    sign = "\n市人民政府办公厅\n2019年12月6日\n(此件公开发布)\n"
    a = frame + texts["沈阳"][:3000] + sign
    b = frame + texts["成都"][:3000] + sign
    assert len(reuse.find(pd.DataFrame({"doc_id": ["a", "b"], "text": [a, b]}))) == 0
    # the same frame with the masks' kinds in the text: each is recognised
    kinds = {k for _, _, k in reuse.boilerplate_spans(a)}
    assert {"addressee", "opening_formula", "notice_formula", "signature", "date_line", "publication_note"} <= kinds


def test_text_in_very_many_documents_is_boilerplate_of_the_corpus(texts):
    p = texts["paras"][5]
    hosts = [texts["沈阳"][:2500], texts["成都"][:2500], texts["合肥"][:2500], texts["成都"][3000:5500]]
    docs = pd.DataFrame({"doc_id": list("abcd"), "text": [_plant(h, 500, p)[0] for h in hosts]})
    assert len(reuse.find(docs)) == 6  # every pair of the four shares the passage
    assert len(reuse.find(docs, max_df=3)) == 0  # in more than max_df documents: boilerplate


def test_reuse_pairs_shares_and_findings(texts):
    p = texts["paras"][0]
    a, *_ = _plant(texts["沈阳"], 1500, p)
    b, *_ = _plant(texts["成都"], 3000, p)
    docs = pd.DataFrame({"doc_id": ["sy", "cd"], "text": [a, b], "issued": pd.to_datetime(["2018-12-06", "2020-11-01"]),
                         "year": [2018, 2020], "level": ["municipal", "municipal"]})
    pairs = reuse.reuse_pairs(reuse.find(docs), docs)
    schema.validate("reuse_pairs", pairs)
    row = pairs.iloc[0]
    assert (row.doc_a, row.doc_b, row.n_passages) == ("sy", "cd", 1)
    assert row.share_b == pytest.approx(len(p) / len(b), abs=0.002)
    lines = reuse.describe_reuse(pairs, docs, labels={"sy": "沈阳", "cd": "成都"})
    assert lines[1].startswith("成都 (2020) takes 1 passage") and "from the earlier 沈阳 (2018)" in lines[1]
    assert not any("largest" in s for s in lines)  # one pair: no ranking claim
    assert reuse.describe_reuse(pairs.iloc[:0], docs) == ["No two of the 2 documents share a passage (at the thresholds used)."]
    assert "nothing can be reused" in reuse.describe_reuse(pairs.iloc[:0], docs.iloc[:1])[0]


def test_findings_make_no_claim_on_a_tie():
    pairs = pd.DataFrame({"doc_a": ["a", "b", "a"], "doc_b": ["c", "c", "b"], "n_passages": [1, 1, 1],
                          "chars": [80, 80, 60], "share_a": [0.1] * 3, "share_b": [0.1] * 3,
                          "directed": [False] * 3, "direction_basis": ["no_date"] * 3,
                          "year_a": pd.array([None] * 3, dtype="Int64"), "year_b": pd.array([None] * 3, dtype="Int64"),
                          "from_higher_level": [pd.NA] * 3})
    lines = reuse.describe_reuse(pairs, pd.DataFrame({"doc_id": list("abc")}))
    assert any("tie for the largest" in s for s in lines)
    assert all("cannot order" in s for s in lines[1:4])
    pairs.loc[2, "chars"] = 90
    assert any(s.startswith("The largest shared amount is between a and b") for s in
               reuse.describe_reuse(pairs, pd.DataFrame({"doc_id": list("abc")})))


def test_seed_citations_point_outside_the_corpus(corpus):
    links = reuse.link_citations(corpus.citations, corpus.documents)
    schema.validate("citation_links", links)
    assert len(links) == len(corpus.citations) and links["cited_doc_id"].isna().all()
    missing = reuse.missing_citations(links)
    schema.validate("missing_citations", missing)
    got = dict(zip(missing["cited_doc_number"], missing["cited_level"]))
    assert got == {"国发〔2017〕35号": "national", "皖政〔2018〕42号": "provincial", "沈政发〔2018〕19号": "municipal"}
    lines = reuse.describe_citations(links, missing)
    assert lines[0].endswith("0 point to a document of the corpus.") and "国发〔2017〕35号" in lines[1]


NATIONAL = """国务院关于印发新一代人工智能发展规划的通知
国发〔2017〕35号
各省、自治区、直辖市人民政府,国务院各部委、各直属机构:
现将《新一代人工智能发展规划》印发给你们,请认真贯彻执行。
国务院
2017年7月8日
新一代人工智能发展规划
人工智能的迅速发展将深刻改变人类社会生活、改变世界。为抢抓人工智能发展的重大战略机遇,构筑我国人工智能发展的先发优势,加快建设创新型国家和世界科技强国,按照党中央、国务院部署要求,制定本规划。
一、战略态势
人工智能发展进入新阶段。经过60多年的演进,特别是在移动互联网、大数据、超级计算、传感网、脑科学等新理论新技术以及经济社会发展强烈需求的共同驱动下,人工智能加速发展,呈现出深度学习、跨界融合、人机协同、群智开放、自主操控等新特征。
二、总体要求
(一)指导思想。全面贯彻党的十八大和十八届三中、四中、五中、六中全会精神,按照“五位一体”总体布局和“四个全面”战略布局,认真落实党中央、国务院决策部署,深入实施创新驱动发展战略。
{planted}
三、保障措施
(一)完善支持人工智能发展的重点政策。落实对人工智能中小企业和初创企业的财税优惠政策,通过高新技术企业税收优惠和研发费用加计扣除等政策支持人工智能企业发展。
"""


def test_reference_documents_join_reuse_and_citations(tmp_path, corpus, texts, seeds_dir):
    from policylab.corpus import load_corpus

    hefei = texts["合肥"].split("\n")
    planted = max((x for x in hefei if 100 <= len(x) <= 220 and not x.startswith("责任单位")), key=len)
    (tmp_path / "ref").mkdir()
    (tmp_path / "ref" / "national.txt").write_text(NATIONAL.format(planted=planted), encoding="utf-8")
    ref = load_corpus(tmp_path / "ref", corrections=None)
    assert ref.documents.loc[0, "level"] == "national"
    both = reuse.with_reference(corpus, ref)
    docs = both.documents
    schema.validate("documents", docs)
    assert docs["reference"].sum() == 1 and len(docs) == len(corpus.documents) + 1
    assert len(reuse.local_documents(docs)) == len(corpus.documents)
    assert both.files["path"].str.startswith("reference/").sum() == 1
    national = docs.loc[docs["reference"].astype(bool), "doc_id"].iloc[0]
    links = reuse.link_citations(both.citations, docs)
    hit = links[links["cited_doc_number"] == "国发〔2017〕35号"]
    assert hit["cited_doc_id"].tolist() == [national] and hit["match"].tolist() == ["doc_number"]
    # citations linked by the build are linked again once the reference documents are in
    linked = dataclasses.replace(corpus, citations=reuse.link_citations(corpus.citations, corpus.documents))
    assert linked.citations["cited_doc_id"].isna().all()
    relinked = reuse.with_reference(linked, ref).citations
    assert relinked.loc[relinked["cited_doc_number"] == "国发〔2017〕35号", "cited_doc_id"].tolist() == [national]
    passages = reuse.find(both)
    from_national = passages[passages["doc_a"] == national]
    assert len(from_national) == 1
    row = from_national.iloc[0]
    assert row.directed and row.direction_basis == "year" and row.from_higher_level
    assert docs.set_index("doc_id").loc[row.doc_b, "city"] == "合肥"
    assert _W.sub("", row.text_b) == _W.sub("", planted)


def test_citation_matched_by_title_when_no_number():
    docs = pd.DataFrame({"doc_id": ["p", "c"], "doc_number": [None, None],
                         "title": ["安徽省新一代人工智能产业发展规划(2018—2030年)", "合肥方案"],
                         "notice_title": ["安徽省人民政府关于印发安徽省新一代人工智能产业发展规划(2018—2030年)的通知", None]})
    cites = pd.DataFrame({"doc_id": ["c"], "section_id": ["0"],
                          "cited_title": ["安徽省人民政府关于印发安徽省新一代人工智能产业发展规划(2018-2030年)的通知"],
                          "cited_doc_number": [None]})
    links = reuse.link_citations(cites, docs)
    assert links[["cited_doc_id", "match", "cited_level"]].values.tolist() == [["p", "title", "provincial"]]


def test_empty_and_single_document_inputs():
    one = pd.DataFrame({"doc_id": ["a"], "text": ["人工智能" * 40]})
    schema.validate("reuse", reuse.find(one))
    schema.validate("reuse", reuse.find(one.iloc[:0]))
    schema.validate("reuse_pairs", reuse.reuse_pairs(reuse.find(one), one))
    with pytest.raises(ValueError, match="doc_id and text"):
        reuse.find(pd.DataFrame({"x": [1]}))
