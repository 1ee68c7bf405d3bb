"""Section tree, responsible agencies and citations (policylab.structure) on the seeds and crafted text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from policylab import schema
from policylab.meta import document_metadata
from policylab.structure import (
    extract_agencies,
    extract_citations,
    find_responsibility_clauses,
    match_heading,
    parse_sections,
    split_agencies,
)


@pytest.fixture(scope="module")
def ids(corpus):
    """doc_id by seed prefix ('001' ...)."""
    return {Path(p).name[:3]: d for p, d in zip(corpus.files["path"], corpus.files["doc_id"])}


@pytest.fixture(scope="module")
def sections(corpus):
    return parse_sections(corpus.documents)


@pytest.fixture(scope="module")
def agencies(sections):
    return extract_agencies(sections)


@pytest.fixture(scope="module")
def citations(corpus, sections):
    meta = document_metadata(corpus.documents, corpus.page_fields, corpus.files)
    return extract_citations(corpus.documents, meta, sections)


def _doc(df, doc_id):
    return df[df["doc_id"] == doc_id]


def _top(sections, doc_id):
    s = _doc(sections, doc_id)
    return s.loc[s["level"] == 1, "heading"].tolist()


def _tasks(sections, doc_id):
    s = _doc(sections, doc_id)
    return s[s["level"] == 3]


# ----------------------------------------------------------------------------- schema, invariants


def test_schemas(sections, agencies, citations):
    schema.validate("sections", sections)
    schema.validate("agencies", agencies)
    schema.validate("citations", citations)


def test_tree_invariants(sections):
    for doc_id, s in sections.groupby("doc_id"):
        assert s["section_id"].is_unique, doc_id
        assert s["order"].tolist() == list(range(len(s)))
        known = set(s["section_id"])
        assert set(s["parent_id"].dropna()) <= known
        child = s.dropna(subset=["parent_id"])
        for sid, pid in zip(child["section_id"], child["parent_id"]):
            assert sid.startswith(pid + "."), (sid, pid)


def test_wrapper_is_not_a_section(sections):
    text = "\n".join(sections["text"].dropna()) + "\n".join(sections["heading"].dropna())
    for wrapper in ("印发给你们", "宁政发〔2022〕133号", "沈政办发〔2018〕144号", "各区人民政府,市府各委办局",
                    "此件公开发布", "成发办〔2020〕97号"):
        assert wrapper not in text, wrapper


def test_preamble_is_section_zero(sections, ids):
    for k, start in [("001", "为贯彻落实国家、省"), ("002", "为抢抓新一代人工智能"),
                     ("003", "为全面贯彻落实党中央"), ("004", "为切实推进我市")]:
        s = _doc(sections, ids[k])
        first = s.iloc[0]
        assert (first["section_id"], first["level"], first["order"]) == ("0", 0, 0), k
        assert first["text"].startswith(start), k
        assert "\n" not in first["text"], k  # the preamble is one paragraph in each seed


# ----------------------------------------------------------------------------- Nanjing


def test_nanjing_structure(sections, ids):
    d = ids["001"]
    assert _top(sections, d) == ["指导思想", "建设目标", "重点任务", "保障措施"]
    s = _doc(sections, d)
    groups = s[(s["parent_id"] == "3") & (s["level"] == 2)]
    assert groups["label"].tolist() == ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)", "(八)"]
    tasks = s[s["parent_id"].isin(groups["section_id"])]
    assert tasks["label"].astype(int).tolist() == list(range(1, 23))
    assert tasks["section_id"].iloc[3] == "3.2.4"  # numbering runs on across groups
    assert tasks["heading"].iloc[0] == "探索制定人工智能试验性政策"


def test_nanjing_goals_and_run_in_headings(sections, ids):
    s = _doc(sections, ids["001"]).set_index("section_id")
    assert s.loc["2.1", "heading"] == "总体目标"
    assert s.loc["2.1.1", "heading"] == "打造产业集聚发展高地"
    assert s.loc["2.1.1", "text"].startswith("高标准打造5个人工智能产业园区")
    assert s.loc["2.2", "text"].count("\n") == 2  # three stage-goal paragraphs
    assert s.loc["4.1", "heading"] == "加强组织协调"


def test_nanjing_responsibility_clauses(agencies, sections, ids):
    d = ids["001"]
    a = _doc(agencies, d)
    assert a["clause"].nunique() == 22
    # one clause per task
    tasks = _tasks(sections, d)
    tasks = tasks[tasks["section_id"].str.startswith("3.")]
    per_task = a.groupby("section_id")["clause"].nunique()
    assert set(per_task.index) == set(tasks["section_id"])
    assert (per_task == 1).all()
    first = a[a["clause"] == 0]["agency"].tolist()
    assert first == ["市工信局", "市科技局", "市市场监管局", "市司法局", "市大数据局"]
    assert set(a["role"]) == {"responsible"}


# ----------------------------------------------------------------------------- Hefei


def test_hefei_structure(sections, ids):
    d = ids["002"]
    top = _top(sections, d)
    assert len(top) == 6
    assert top[0] == "发展目标" and top[-1] == "完善保障措施"
    assert _tasks(sections, d).empty  # no numbered tasks
    s = _doc(sections, d).set_index("section_id")
    # —— bullets stay in the text of their section
    assert s.loc["2.2", "text"].count("——") == 6
    assert s.loc["1", "text"].count("——") == 4


def test_hefei_lead_and_responsible(agencies, ids):
    a = _doc(agencies, ids["002"])
    assert a["clause"].nunique() == 16
    assert (a.groupby("clause")["role"].apply(lambda r: (r == "lead").any())).all()
    c0 = a[a["clause"] == 0]
    assert c0.loc[c0["role"] == "lead", "agency"].tolist() == ["市科技局", "市发改委"]
    assert c0.loc[c0["role"] == "responsible", "agency"].tolist() == [
        "各相关县(市)区政府", "开发区管委会", "市经信局", "市教育局", "市数据资源局"]
    assert not a["agency"].str.contains("负责|牵头|等$").any()


# ----------------------------------------------------------------------------- Chengdu


def test_chengdu_structure(sections, ids):
    d = ids["003"]
    assert _top(sections, d) == ["指导思想", "建设目标", "重点任务", "保障措施"]
    tasks = _tasks(sections, d)
    assert tasks["label"].astype(int).tolist() == list(range(1, 20))
    s = _doc(sections, d).set_index("section_id")
    assert s.loc["4.18", "parent_id"] == "4"  # a skipped level is absent from the path
    assert s.loc["3.1.1", "heading"] == "成都高新区“人工智能+”融合发展产业核"
    assert s.loc["4.19", "text"].endswith("有效期至2022年12月31日止。")


def test_chengdu_responsibility_clauses(agencies, ids):
    a = _doc(agencies, ids["003"])
    assert a["clause"].nunique() == 24
    assert "有关区(市)县" in set(a["agency"])  # nested parentheses kept in one agency
    assert not a["agency"].str.contains(r"^\(|^市\)|^县").any()


# ----------------------------------------------------------------------------- Shenyang


def test_shenyang_structure(sections, ids):
    d = ids["004"]
    assert _top(sections, d) == ["总体要求", "重点任务", "工作措施", "组织实施"]
    tasks = _tasks(sections, d)
    under2 = tasks[tasks["section_id"].str.startswith("2.")]
    assert under2["label"].astype(int).tolist() == list(range(1, 13))
    s = _doc(sections, d).set_index("section_id")
    assert s.loc["1.1", "heading"] == "指导思想"  # run-in heading
    assert s.loc["1.1", "text"].startswith("全面落实习近平总书记")
    assert s.loc["1.2", "heading"] == "基本原则" and pd.isna(s.loc["1.2", "text"])


def test_shenyang_responsibility_clauses(agencies, ids):
    a = _doc(agencies, ids["004"])
    assert a["clause"].nunique() == 21
    assert {"各区、县(市)政府", "市委组织部(市人才办)", "沈阳广播电视台"} <= set(a["agency"])
    # the clause on its own line after task 7 belongs to task 7
    assert set(a.loc[a["section_id"] == "2.3.7", "agency"]) == {"市经济和信息化委", "发展改革委"}


# ----------------------------------------------------------------------------- citations


def test_citations(citations, ids):
    got = {k: set(_doc(citations, ids[k])["cited_doc_number"].dropna()) for k in ids}
    assert got["001"] == set() and got["003"] == set()
    assert got["002"] == {"国发〔2017〕35号", "皖政〔2018〕42号"}
    assert got["004"] == {"沈政发〔2018〕19号"}
    assert _doc(citations, ids["001"]).empty and _doc(citations, ids["003"]).empty
    assert len(_doc(citations, ids["002"])) == 2 and len(_doc(citations, ids["004"])) == 1
    c = _doc(citations, ids["002"]).set_index("cited_doc_number")
    assert c.loc["国发〔2017〕35号", "cited_title"] == "国务院关于印发新一代人工智能发展规划的通知"
    assert (_doc(citations, ids["002"])["section_id"] == "0").all()


# ----------------------------------------------------------------------------- crafted documents


def _secs(text):
    return parse_sections(pd.DataFrame({"doc_id": ["x"], "text": [text]}))


def test_full_width_numbering_and_punctuation():
    s = _secs("一、总体要求\n（一）指导思想：坚持创新。\n１．创新驱动。内容甲。\n（１）细项。内容乙。\n"
              "2、融合发展\n3. 开放合作")
    assert s["section_id"].tolist() == ["1", "1.1", "1.1.1", "1.1.1.1", "1.1.2", "1.1.3"]
    assert s["label"].tolist() == ["一", "(一)", "1", "(1)", "2", "3"]
    assert s["level"].tolist() == [1, 2, 3, 4, 3, 3]
    assert s["heading"].tolist()[:4] == ["总体要求", "指导思想", "创新驱动", "细项"]
    assert s["text"].tolist()[1:4] == ["坚持创新。", "内容甲。", "内容乙。"]


def test_repeated_and_skipped_numbers_stay_unique():
    s = _secs("一、甲\n1.子一\n1.子一又\n3.子三\n三、丙\n三、丙又")
    assert s["section_id"].tolist() == ["1", "1.1", "1.1~2", "1.3", "3", "3~2"]
    assert s["section_id"].is_unique


def test_notice_items_are_not_sections():
    text = ("关于印发某市人工智能行动计划的通知\n某政发〔2021〕1号\n各区人民政府:\n现将《某市人工智能行动计划》印发给你们,并提出以下要求:\n"
            "一、加强领导。\n二、抓好落实。\n某市人民政府\n2021年1月5日\n某市人工智能行动计划\n为加快发展,制定本计划。\n"
            "一、总体要求\n二、重点任务")
    s = _secs(text)
    assert s["section_id"].tolist() == ["0", "1", "2"]
    assert s["heading"].tolist()[1:] == ["总体要求", "重点任务"]
    assert s["text"].iloc[0] == "为加快发展,制定本计划。"


def test_bullets_stay_in_section_text_and_end_signature_is_dropped():
    s = _secs("一、目标\n到2025年:\n——产业规模突破百亿。\n——企业超过百家。\n某市人民政府\n2021年1月5日")
    assert len(s) == 1
    assert s["text"].iloc[0] == "到2025年:\n——产业规模突破百亿。\n——企业超过百家。"


def test_heading_without_space_and_decimals_are_not_headings():
    assert match_heading("1.5亿元用于支持") is None
    assert match_heading("2022年,启动建设") is None
    assert match_heading("一是加强领导") is None
    assert match_heading("1. 成都高新区产业核。按照…")["heading"] == "成都高新区产业核"


@pytest.mark.parametrize("line,clauses", [
    ("…建设。(责任单位:市工信局、市科技局)", [("责任单位", "市工信局、市科技局")]),
    ("…建设。（责任单位：市工信局，市科技局）", [("责任单位", "市工信局,市科技局")]),
    ("…建设。[责任部门:市科技局(市知识产权局)]", [("责任部门", "市科技局(市知识产权局)")]),
    ("…建设。【责任单位:市发改委】", [("责任单位", "市发改委")]),
    ("责任单位:市经信局牵头,市发改委按职责分工负责。", [("责任单位", "市经信局牵头,市发改委按职责分工负责。")]),
    ("明确责任单位和进度安排。", []),
])
def test_responsibility_clause_forms(line, clauses):
    assert find_responsibility_clauses(line) == clauses


def test_agency_roles():
    assert split_agencies("责任单位", "市工信局(牵头)、市科技局") == [
        ("市工信局", "lead"), ("市科技局", "responsible")]
    assert split_agencies("牵头单位", "市发改委、市科技局") == [("市发改委", "lead"), ("市科技局", "lead")]
    assert split_agencies("责任部门", "市经济和信息化委,各区、县(市)政府") == [
        ("市经济和信息化委", "responsible"), ("各区、县(市)政府", "responsible")]


def test_crafted_citations():
    text = ("关于印发某市人工智能行动计划的通知\n某政发〔2021〕1号\n各区人民政府:\n"
            "现将《某市人工智能行动计划》印发给你们。\n某市人民政府\n2021年1月5日\n"
            "根据《国务院关于印发新一代人工智能发展规划的通知》（国发〔2017〕35号）和苏政发[2018]9号文件精神,制定本计划。\n"
            "一、任务\n1.推广。入选《重点对接案例集》的企业给予支持;落实《中华人民共和国网络安全法》。")
    docs = pd.DataFrame({"doc_id": ["x"], "text": [text]})
    c = extract_citations(docs)
    assert c[["section_id", "cited_title", "cited_doc_number"]].astype(object).where(
        c.notna(), None).values.tolist() == [
        ["0", "国务院关于印发新一代人工智能发展规划的通知", "国发〔2017〕35号"],
        ["0", None, "苏政发〔2018〕9号"],
        ["1.1", "中华人民共和国网络安全法", None],
    ]


def test_lead_in_ending_with_colon_stays_in_preamble():
    s = _secs("为加快人工智能发展,现提出如下意见:\n一、总体要求")
    assert s["section_id"].tolist() == ["0", "1"]
    assert s["text"].iloc[0] == "为加快人工智能发展,现提出如下意见:"


def test_arbitrary_text_never_crashes():
    """Random mixes of numbering, brackets and clause words: no crash, unique section ids."""
    import random

    from policylab.meta import extract_metadata
    from policylab.structure import _doc_citations, _doc_sections

    pieces = ["一、", "二、", "二、", "(一)", "（二）", "1.", "1、", "１．", "(1)", "——", "。", ",", ":", "：",
              "《", "》", "〔2020〕", "[2021]", "号", "责任单位:", "(责任单位:", "[责任部门:", ")", "]",
              "牵头", "、", "市局", "关于印发", "的通知", "2022年", "12月", "1日", "\n", "\n", "\n", "方案"]
    rng = random.Random(7)
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        rows = _doc_sections("x", text)
        ids = [r["section_id"] for r in rows]
        assert len(ids) == len(set(ids)), text
        for r in rows:
            for ln in (r["text"] or "").split("\n"):
                for label, body in find_responsibility_clauses(ln):
                    split_agencies(label, body)
        _doc_citations("x", text, extract_metadata(text), None)


def test_docstring_examples_run():
    import doctest

    import policylab.meta
    import policylab.structure

    for mod in (policylab.meta, policylab.structure):
        assert doctest.testmod(mod).failed == 0, mod.__name__


def test_strip_responsibility_clauses_keeps_the_prose(corpus):
    from policylab.structure import extract_agencies, parse_sections, strip_responsibility_clauses

    docs = corpus.documents.assign(text=corpus.documents["text"].map(strip_responsibility_clauses))
    # every clause is gone (none left to find), and the prose around it stays
    assert extract_agencies(parse_sections(docs)).empty
    for before, after in zip(corpus.documents["text"], docs["text"]):
        assert 0.85 * len(before) < len(after) < len(before)
    assert "加快推进量子通信" in " ".join(docs["text"])
    assert strip_responsibility_clauses("支持大模型研发。(省科技厅牵头,省财政厅配合)") == "支持大模型研发。"
    assert strip_responsibility_clauses("推动(先行先试)改革。") == "推动(先行先试)改革。"
    # the sections table has null text for headings without body: it stays null
    stripped = corpus.sections["text"].map(strip_responsibility_clauses)
    assert stripped.isna().equals(corpus.sections["text"].isna())


# ----------------------------------------------------------------------------- fast paths (issue 15)
def _closing_char_by_char(s, start):
    from policylab.structure import _OPEN

    depth, opener = 0, s[start]
    closer = _OPEN[opener]
    for k in range(start, len(s)):
        if s[k] == opener or (opener in "(（" and s[k] in "(（"):
            depth += 1
        elif s[k] == closer or (opener in "(（" and s[k] in ")）"):
            depth -= 1
            if depth == 0:
                return k
    return -1


def _split_top_char_by_char(s, seps):
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch in "(（[〔【［":
            depth += 1
        elif ch in ")）]〕】］":
            depth = max(0, depth - 1)
        if ch in seps and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


CLAUSES = ["(责任单位:有关区(市)县,市科技局)", "【牵头单位:市工信局】配合", "(责任单位:市发改委(（牵头）),市财政局",
           "[责任部门:市科技局]]", "［责任单位:各区］", "市科技局、市发改委牵头,各相关县(市)区政府,市经信局等按责任分工负责。",
           "a,(b,c),d;e", "(x、y)、z", "))a,b((c,d", "", "、、", "市工信局(牵头)、市科技局"]


def test_bracket_and_separator_scans_equal_the_character_loops(corpus):
    from policylab.structure import _closing, _split_top

    lines = [ln for t in corpus.documents["text"] for ln in t.split("\n")] + CLAUSES
    for ln in lines:
        for k, ch in enumerate(ln):
            if ch in "(（[［【":
                assert _closing(ln, k) == _closing_char_by_char(ln, k), (ln, k)
        for seps in (",;，；", "、", ",;"):
            assert _split_top(ln, seps) == _split_top_char_by_char(ln, seps), (ln, seps)


def test_document_lines_and_frame_kept_between_stages_are_the_plain_ones(corpus):
    # the stages share each document's lines and head through a bounded memo: what they read is
    # what computing them afresh gives, on the seeds, crafted texts and past the memo's bound
    from policylab import structure
    from policylab.frame import document_head, end_signature, join_split_titles
    from policylab.text import lines_of

    def head_key(h):
        return {k: (v.span(), v.group(0)) if hasattr(v, "span") else v for k, v in h.items()}

    texts = corpus.documents["text"].tolist() + ["", "\n\n", "南京市人工智能产业\n发展行动计划\n一、总体要求",
                                                 "一、总体要求\n加快发展。\n合肥市人民政府\n2018年12月6日"]
    for _ in range(2):  # the second time from the memo
        for t in texts:
            plain = join_split_titles(lines_of(t))
            assert structure.document_lines(t) == tuple(plain)
            lines, head = structure.document_frame(t)
            assert lines == tuple(plain) and head_key(head) == head_key(document_head(plain))
            assert structure.body_signature(t) == end_signature(plain[document_head(plain)["body_start"]:])
    old = structure._FRAME_MEMO_CHARS
    try:
        structure._FRAME_MEMO_CHARS = 50
        for i in range(30):
            t = f"第{i}份文件\n一、总体要求"
            assert structure.document_lines(t) == tuple(join_split_titles(lines_of(t)))
            assert sum(map(len, structure._frame_memo)) == structure._frame_memo_chars <= 50
        big = "一、目标\n" * 40  # longer than the bound: computed, not kept
        assert structure.document_lines(big) == tuple(join_split_titles(lines_of(big)))
        assert big not in structure._frame_memo
    finally:
        structure._FRAME_MEMO_CHARS = old
