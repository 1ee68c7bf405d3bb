"""The official-document frame: one definition that clean, structure and meta all read (issue 14)."""

from __future__ import annotations

import pandas as pd

from policylab import clean, frame, meta, structure
from policylab.text import lines_of

NOTICE = (
    "关于印发沈阳市新一代人工智能发展规划(2018-2020年)的通知\n沈政发〔2018〕12号\n各区、县(市)人民政府:\n"
    "现将《沈阳市新一代人工智能发展规划(2018-2020年)》印发给你们,请认真贯彻执行。\n沈阳市人民政府\n二〇一八年十二月六日\n"
    "沈阳市新一代人工智能发展规划(2018-2020年)\n为贯彻落实《国务院关于印发新一代人工智能发展规划的通知》(国发〔2017〕35号),制定本规划。\n"
    "一、发展目标\n到2020年,产业规模超过100亿元。"
)


def test_head_identity_and_signature_of_a_notice():
    lines = frame.join_split_titles(lines_of(NOTICE))
    head = frame.document_head(lines)
    assert lines[head["body_start"]].startswith("为贯彻落实")
    assert head["signature"][1] == ["沈阳市人民政府"]
    assert str(head["signature"][2].date()) == "2018-12-06"
    assert frame.document_identity(lines, head) == {
        "title": "沈阳市新一代人工智能发展规划(2018-2020年)",
        "notice_title": "关于印发沈阳市新一代人工智能发展规划(2018-2020年)的通知",
        "doc_number": "沈政发〔2018〕12号",
    }


def test_meta_and_structure_read_the_same_frame():
    m = meta.extract_metadata(NOTICE)
    ident = frame.document_identity(frame.join_split_titles(lines_of(NOTICE)))
    assert {k: m[k] for k in ident} == ident
    docs = pd.DataFrame({"doc_id": ["d"], "text": [NOTICE]})
    secs = structure.parse_sections(docs)
    # the wrapper is no section; the body starts after the plan's title
    assert secs["section_id"].tolist() == ["0", "1"]
    assert secs["text"].iloc[0].startswith("为贯彻落实")


def test_citations_do_not_rerun_the_metadata_stage():
    """Without a metadata table, the document's own title and number come from the frame alone
    (structure stands before meta in the layers, see test_layers.py)."""
    assert not hasattr(structure, "extract_metadata") and not hasattr(structure, "meta")
    docs = pd.DataFrame({"doc_id": ["d"], "text": [NOTICE]})
    cites = structure.extract_citations(docs)
    assert cites["cited_doc_number"].tolist() == ["国发〔2017〕35号"]  # its own 沈政发〔2018〕12号 is not a citation


def test_clean_keeps_the_frame_lines_of_a_page():
    page = "首页 > 政策文件\n" + NOTICE + "\n版权所有:沈阳市人民政府办公室"
    kept = clean.clean_page(page).text.split("\n")
    for line in ("沈政发〔2018〕12号", "各区、县(市)人民政府:", "沈阳市人民政府", "二〇一八年十二月六日"):
        assert line in kept
    assert all(frame.is_structural(x, strong_only=True) for x in ("沈政发〔2018〕12号", "二〇一八年十二月六日"))


def test_one_date_line_for_clean_and_meta():
    assert clean.DATE_LINE is frame.DATE_LINE
    for line in ("2018年12月6日", "二〇一八年十二月六日", "2018-12-06"):
        assert frame.DATE_LINE.match(line)
    assert not frame.DATE_LINE.match("2018年12月6日印发")


# ---- issue 13: layouts the seeds do not have ------------------------------------------------------

def test_a_period_line_under_a_title_is_part_of_it():
    from policylab.frame import continues_title, join_split_titles

    lines = ["某市人民政府办公厅", "2024年3月8日", "某市人工智能产业三年行动计划", "(2024~2026年)", "一、总体要求"]
    assert join_split_titles(lines)[2] == "某市人工智能产业三年行动计划(2024~2026年)"
    assert join_split_titles(["某市人工智能工作指引", "(2026年版)"]) == ["某市人工智能工作指引(2026年版)"]
    # a period after a heading, a sentence or a title that has its period already stays apart
    assert not continues_title("一、总体要求", "(2024-2026年)")
    assert not continues_title("制定本行动计划。", "(2024-2026年)")
    assert not continues_title("某市行动计划(2021-2023年)", "(2024-2026年)")


def test_edition_label_title_has_a_title_shape():
    from policylab.frame import TITLE_END, is_structural

    assert TITLE_END.search("西安市人工智能赋能制造业工作指引(2026年版)")
    assert is_structural("某市人工智能产业发展若干措施(试行)")
    assert not is_structural("首页 > 政务公开 > 2026年版")


def test_a_transmitting_sentence_opening_with_the_plans_title_keeps_the_signature():
    from policylab.frame import document_head

    lines = ["某市人民政府关于印发某市促进人工智能产业发展若干措施的通知", "某府规〔2024〕5号", "各区人民政府:",
             "《某市促进人工智能产业发展若干措施》已经市政府同意,现印发给你们,请认真贯彻执行。",
             "某市人民政府", "2024年5月20日", "某市促进人工智能产业发展若干措施", "一、发展目标"]
    head = document_head(lines)
    assert head["signature"][1] == ["某市人民政府"] and str(head["signature"][2].date()) == "2024-05-20"
    assert head["body_start"] == 7 and head["title_line"] == 6


def test_a_menu_left_before_the_notice_does_not_hide_the_frame():
    from policylab.frame import document_head, document_identity

    menu = ["某市人民政府关于印发某市行动方案的通知-某市人民政府", "某市人民政府"] + ["市教育局", "市科技局", "市数据局"] * 30
    frame_lines = ["某市人民政府关于印发某市行动方案的通知", "某政〔2024〕9号", "各区人民政府:",
                   "现将《某市行动方案》印发给你们,请认真贯彻执行。", "某市人民政府", "2024年2月26日", "某市行动方案",
                   "为加快发展,制定本方案。"]
    head = document_head(menu + frame_lines)
    assert head["notice_line"] == len(menu) and str(head["signature"][2].date()) == "2024-02-26"
    assert document_identity(menu + frame_lines, head)["title"] == "某市行动方案"
    # a sentence before the notice line: that is the document, not a menu; the frame is read as before
    lines = ["为加快发展,制定本方案。"] + frame_lines
    assert document_head(lines)["notice_line"] is None


# ----------------------------------------------------------------------------- fast paths (issue 15)
def _real_lines() -> list[str]:
    from pathlib import Path

    from policylab.ingest import IngestError, list_files, read_page

    root = Path(__file__).resolve().parents[1]
    lines = []
    for folder in ("seeds", "tests/data/golden/generated_pages", "tests/fixtures/pages/unseen"):
        for p in list_files(root / folder):
            try:
                lines.extend(lines_of(read_page(root / folder, p).text))
            except IngestError:
                pass
    return lines


CRAFTED_LINES = ["３.任务", "٣. 任务", "（十二）保障", "十、附则", "1.5亿元", "  (1)建设", "", "号", "〔2020〕号",
                 "国发 〔2017〕 35号", "根据国发[2017]35号和辽政发（2018）3号", "某某实施方案(2021-2023年)"]


def test_match_heading_first_character_test_drops_no_heading():
    def plain(line):
        line = frame.fold(line).strip()
        for level, rx, fmt in frame._HEADINGS:
            m = rx.match(line)
            if m:
                number = frame.cn_number(m.group("n"))
                return None if number is None else (level, fmt.format(m.group("n")), number)
        return None

    for line in _real_lines() + CRAFTED_LINES:
        h = frame.match_heading(line)
        assert (None if h is None else (h["level"], h["label"], h["number"])) == plain(line), line


def test_doc_numbers_found_as_by_the_full_pattern():
    for line in _real_lines() + CRAFTED_LINES:
        want = []
        for m in frame._DOCNUM.finditer(line):  # the pattern alone, on every line
            org = frame._clean_org(m.group("org"))
            want.append((m.end("org") - len(org), m.end(), f"{org}〔{m.group('year')}〕{int(m.group('num'))}号"))
        assert frame.find_doc_numbers(line) == want, line
        assert (frame._docnum_search(line) is None) == (frame._DOCNUM.search(line) is None), line


def test_genre_is_the_first_genre_the_title_ends_with():
    for line in _real_lines() + CRAFTED_LINES:
        t = frame._TITLE_TAIL.sub("", line).rstrip("》")
        assert frame.genre(line) == next((w for w in frame.doc_types() if t.endswith(w)), None), line
