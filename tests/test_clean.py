"""Clean: every kind of page noise leaves the text, the document stays whole, artefacts and
Traditional characters are repaired -- on the seeds and on crafted pages nobody has scraped."""

from __future__ import annotations

import difflib
import re

import pytest

from policylab.clean import (
    clean_page,
    detect_script,
    join_broken_lines,
    normalise_line,
    parse_page_fields,
    repair_artefacts,
    to_simplified,
    traditional_chars,
)

PINYIN_ARTEFACT = re.compile(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")

# ---------------------------------------------------------------------------------------------
# the seeds
# ---------------------------------------------------------------------------------------------
# noise named in seed-facts.md, by seed: none of it may survive cleaning
SEED_NOISE = {
    "000": ["麻豆", "黑料社", "91制片厂", "发布时间", "政策级别", "发文部门", "政策主题", "点赞", "收藏", "转发"],
    "002": ["政策汇编", "9475", "发布于", "更新于", "来自:", "项目申报", "THE END", "温馨提示", "侵权",
            "扫码添加项目申报顾问", "新媒体服务", "一站式"],
    "003": ["电话咨询", "在线咨询", "010-68321050", "您的位置", "五度易链", "2732", "专属客服号", "微信订阅号",
            "科技最前沿", "剖析产业发展现状", "洞悉行业发展", "图1", "图2", "图3", "示意图", "产业专题",
            "申请产品定制", "*姓名", "*手机号", "验证码", "您的邮箱", "您的职务", "备注"],
    "004": ["文件链接", "政策解读", "扫描二维码", "关注我们", "本文链接", "0798ci", "本文关键词"],
}


@pytest.fixture(scope="module")
def cleaned(seeds_dir):
    from policylab.ingest import read_page

    out = {}
    for p in sorted(seeds_dir.iterdir()):
        page = read_page(seeds_dir, p.name)
        out[p.name[:3]] = clean_page(page.text, page.meta_fields)
    return out


@pytest.mark.parametrize("seed", sorted(SEED_NOISE))
def test_seed_noise_is_gone(cleaned, seed):
    text = cleaned[seed].text
    left = [n for n in SEED_NOISE[seed] if n in text]
    assert not left, f"noise left in {seed}: {left}"


def test_traditional_seed_is_repaired_and_converted(cleaned):
    r = cleaned["000"]
    assert r.script == "traditional"
    assert r.n_artefacts_repaired == 513  # seed-facts: a pinyin reading after 513 characters
    assert not PINYIN_ARTEFACT.search(r.text)
    assert r.n_traditional_left == 0 and traditional_chars(r.text) == 0
    assert "南京国家人工智能创新应用先导区建设实施方案" in r.text


def test_traditional_copy_matches_the_clean_simplified_copy(cleaned):
    a, b = cleaned["000"].text, cleaned["001"].text
    ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    assert ratio >= 0.95, ratio


def test_pdf_broken_titles_are_joined(cleaned):
    lines = cleaned["001"].text.split("\n")
    assert lines[0] == "市政府关于印发南京国家人工智能创新应用先导区建设实施方案的通知"
    assert "南京国家人工智能创新应用先导区建设实施方案" in lines
    assert "建设实施方案" not in lines and "应用先导区建设实施方案的通知" not in lines


def test_document_parts_survive(cleaned):
    t = {k: r.text.split("\n") for k, r in cleaned.items()}
    # notice wrapper: 文号, addressees, signature, date
    for line in ["宁政发〔2022〕133号", "各区人民政府,市府各委办局,市各直属单位:", "南京市人民政府", "2022年12月12日"]:
        assert line in t["001"] and line in t["000"]
    assert t["003"][0] == "关于印发《成都建设国家新一代人工智能创新发展实验区实施方案》的通知(成发办〔2020〕97号)"
    assert t["003"][-1] == "此方案自2020年12月10日实施,有效期至2022年12月31日止。"
    assert t["002"][0] == "合肥市人民政府关于加快推进新一代人工智能产业发展的实施意见"
    assert t["002"][-1].startswith("加快推进量子通信")
    assert t["004"][-1].startswith("(四)完善相关配套服务保障体系")
    for k, heads in {"001": ["一、指导思想", "二、建设目标", "三、重点任务", "四、保障措施"],
                     "003": ["一、指导思想", "二、建设目标", "三、重点任务", "四、保障措施"],
                     "004": ["一、总体要求", "二、重点任务", "三、工作措施", "四、组织实施"]}.items():
        for h in heads:
            assert h in t[k], (k, h)


def test_page_fields_are_kept_apart(cleaned):
    def fields(k):
        return {(f.field, f.value) for f in cleaned[k].page_fields}

    assert {("published", "2022-12-12"), ("level", "市级"), ("issuer", "南京市人民政府")} <= fields("000")
    assert {("published", "2020-04-22"), ("updated", "2022-04-22"), ("source", "合肥市人民政府")} <= fields("002")
    assert ("published", "2020-11-17") in fields("003")
    assert fields("001") == set() and fields("004") == set()


def test_every_removed_line_has_a_reason_and_is_not_in_the_text(cleaned):
    for k, r in cleaned.items():
        lines = set(r.text.split("\n"))
        for x in r.removed:
            assert x.reason and x.line_no > 0
            assert normalise_line(x.text) not in lines, (k, x)


# ---------------------------------------------------------------------------------------------
# crafted pages: a document nobody has seen, wrapped in each kind of noise
# ---------------------------------------------------------------------------------------------
BODY = [
    "关于印发杭州市人工智能产业发展行动计划(2024—2026年)的通知",
    "杭政办函〔2024〕12号",
    "各区、县(市)人民政府,市政府各部门、各直属单位:",
    "现将《杭州市人工智能产业发展行动计划(2024—2026年)》印发给你们,请认真贯彻执行。",
    "杭州市人民政府办公厅",
    "2024年3月1日",
    "杭州市人工智能产业发展行动计划(2024—2026年)",
    "为加快推进人工智能产业高质量发展,打造全国人工智能创新高地,结合我市实际,制定本行动计划。",
    "一、总体要求",
    "到2026年,全市人工智能核心产业营业收入突破3000亿元,培育大模型企业50家以上。",
    "二、重点任务",
    "(一)强化算力支撑。建设智算中心,推动二维码支付、扫码乘车等智能应用普及,发放算力券。(责任单位:市经信局、市发改委)",
    "(二)加强宣传引导。利用微信公众号、微博等新媒体宣传人工智能发展成效,营造良好氛围。",
    "三、保障措施",
    "加强组织领导,建立工作专班,定期研究解决重大问题。",
]

NOISE = {
    "navigation": (["当前位置：首页 > 政务公开 > 政策文件", "首页 | 机构 | 政务公开 | 互动交流 | 办事服务", "网站首页"], []),
    "share_buttons": (["【打印】 【关闭窗口】", "字号：大 中 小", "分享到："], ["收藏", "转发 12"]),
    "page_field": (["发布日期：2024-03-05  来源：杭州市人民政府办公厅", "索引号：002489489/2024-00012"], []),
    "qr_code": (["微信扫一扫，分享到朋友圈"], ["扫码关注“杭州发布”", "官方微博"]),
    "link": ([], ["https://www.hangzhou.gov.cn/art/2024/3/5/art_1229063382_1843.html"]),
    "phone": (["400-800-1234"], ["联系电话：0571-85256666"]),
    "footer": ([], ["上一篇：关于加快推进数字经济发展的通知", "版权所有：杭州市人民政府办公厅  浙ICP备05003285号",
                    "免责声明：本网站转载内容仅供参考"]),
    "lead_form": ([], ["*姓名", "*联系电话", "立即咨询", "请输入手机号码"]),
    "spam": (["澳门百家乐娱乐城|博彩网址|六合彩开奖", "国产精品|日韩欧美|在线观看|免费高清视频|最新地址"], []),
    "figure_caption": ([], []),  # inside the body, see below
}


def page(head, tail, body=BODY):
    return "\n\n".join(head + body + tail)


@pytest.mark.parametrize("kind", sorted(NOISE))
def test_each_kind_of_noise_is_removed_from_an_unseen_page(kind):
    head, tail = NOISE[kind]
    body = list(BODY)
    if kind == "figure_caption":
        body.insert(11, "图2 产业空间布局示意图")
        head = tail = []
    r = clean_page(page(head, tail, body))
    lines = r.text.split("\n")
    assert lines == BODY, "\n".join(lines)
    reasons = {x.reason for x in r.removed}
    assert kind in reasons, reasons
    assert len(r.removed) == len(head) + len(tail) + (kind == "figure_caption")


def test_all_kinds_of_noise_at_once():
    head = [x for h, _ in NOISE.values() for x in h]
    tail = [x for _, t in NOISE.values() for x in t]
    r = clean_page(page(head, tail))
    assert r.text.split("\n") == BODY
    assert {"published", "source", "index_no"} <= {f.field for f in r.page_fields}


def test_unknown_site_blurbs_around_the_document_are_dropped_by_structure():
    # lines no pattern knows: short, no sentence punctuation, outside the body
    head = ["欢迎访问智慧政策服务平台", "政策速递 每日更新", "2024-03-05 08:30 阅读 321"]
    tail = ["推荐服务", "政策匹配 智能申报 专家咨询"]
    r = clean_page(page(head, tail))
    assert r.text.split("\n") == BODY
    assert ("published", "2024-03-05") in {(f.field, f.value) for f in r.page_fields}


def test_traditional_page_with_converter_artefacts():
    from policylab.clean import _t2s  # noqa: F401  (OpenCC is loaded)
    import opencc

    trad = opencc.OpenCC("s2t").convert("\n".join(BODY)).split("\n")
    # a converter that prints a pinyin reading after some characters
    with_artefacts = [x.replace("發", "發(fā)").replace("業", "業(yè)").replace("區", "區(qū)") for x in trad]
    r = clean_page(page(["點贊", "收藏"], [], with_artefacts))
    assert r.script == "traditional"
    assert r.n_artefacts_repaired >= 10
    assert r.n_traditional_left == 0
    assert r.text.split("\n") == BODY


def test_full_width_page_is_normalised():
    fw = [x.replace(",", "，").replace(":", "：").replace("(", "（").replace(")", "）") for x in BODY]
    fw = [x.replace("2026", "２０２６") for x in fw]
    r = clean_page(page([], [], fw))
    assert r.text.split("\n") == BODY


def test_a_page_of_navigation_only_keeps_nothing():
    r = clean_page("\n".join(NOISE["navigation"][0] + NOISE["share_buttons"][0] + ["相关阅读", "网站地图"]))
    assert r.text == ""


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def test_normalise_line():
    assert normalise_line("\u3000（二）阶段目标：到２０２３年，\u200b") == "(二)阶段目标:到2023年,"
    assert normalise_line("a\u00a0\u00a0 b\t c") == "a b c"
    assert normalise_line("〔2022〕、。“”《》——") == "〔2022〕、。“”《》——"


def test_repair_artefacts_keeps_real_parentheses():
    assert repair_artefacts("發(fā)展產(chǎn)業(yè)") == ("發展產業", 3)
    # a bare lowercase word after a character is kept unless the page is full of toned readings
    assert repair_artefacts("模型(a)与算法(b)") == ("模型(a)与算法(b)", 0)
    assert repair_artefacts("人工智能(AI)芯片") == ("人工智能(AI)芯片", 0)
    assert repair_artefacts("發(fā)展(fā)產(chǎn)的(de)")[1] == 4


def test_script_detection_and_conversion():
    assert detect_script("南京國家人工智能創新應用先導區建設實施方案") == "traditional"
    assert detect_script("南京国家人工智能创新应用先导区建设实施方案") == "simplified"
    assert to_simplified("產業發展") == "产业发展"


def test_parse_page_fields():
    assert parse_page_fields("发布时间:2022-12-12") == [("published", "发布时间", "2022-12-12")]
    assert parse_page_fields("(一)责任单位:市科技局") is None
    assert parse_page_fields("到2025年,发布时间:不是页面字段的一句长句子") is None


def test_join_broken_lines():
    assert join_broken_lines(["市政府关于印发南京国家人工智能创新", "应用先导区建设实施方案的通知", "宁政发〔2022〕133号"]) == [
        "市政府关于印发南京国家人工智能创新应用先导区建设实施方案的通知",
        "宁政发〔2022〕133号",
    ]
    # a heading is never glued to the line before it
    assert join_broken_lines(["加强组织领导,建立工作专班,定期研究解决", "一、总体要求"]) == [
        "加强组织领导,建立工作专班,定期研究解决",
        "一、总体要求",
    ]
    # prose cut at a fixed width by PDF extraction
    assert join_broken_lines(["为加快推进人工智能产业高质量发展,打造全国", "人工智能创新高地,制定本计划。"]) == [
        "为加快推进人工智能产业高质量发展,打造全国人工智能创新高地,制定本计划。"
    ]
    # the signature and the date stay apart
    assert join_broken_lines(["南京市人民政府", "2022年12月12日"]) == ["南京市人民政府", "2022年12月12日"]


# ---- issue 13: page numbers, edition labels, site menus ------------------------------------------

_PARA = "加快建设人工智能创新应用先导区,推动人工智能与实体经济深度融合,培育一批具有国际竞争力的企业。"


def test_pdf_page_numbers_between_paragraphs_are_noise():
    raw = "\n".join(["某市人工智能行动方案", "一、总体要求", _PARA, "— 1 —", "二、重点任务", _PARA,
                     "- 2 -", _PARA, "第3页 共12页", _PARA])
    r = clean_page(raw)
    assert [(x.text, x.reason) for x in r.removed] == [("— 1 —", "page_number"), ("- 2 -", "page_number"),
                                                        ("第3页 共12页", "page_number")]
    # a number inside prose or a heading is text
    assert "二、重点任务" in r.text.split("\n")


def test_a_title_with_an_edition_label_is_the_documents_title():
    for label in ("(2026年版)", "（试行）", "（2024年修订版）"):
        r = clean_page(f"某市人工智能赋能制造业工作指引{label}\n一、总体要求\n{_PARA}")
        assert r.text.split("\n")[0].startswith("某市人工智能赋能制造业工作指引"), label
        assert r.removed == []
    # a label alone does not make a site header a title
    r = clean_page(f"网站导航栏目(试行)\n一、总体要求\n{_PARA}")
    assert [x.reason for x in r.removed] == ["site_header"]


def test_a_site_menu_of_department_names_before_the_body_is_navigation():
    menu = ["市教育局", "市科技局", "市公安局", "市民政局", "市财政局", "新闻中心", "市数据局"]
    head = ["某市人民政府关于印发某市人工智能行动方案的通知", "某政〔2024〕9号", "各区人民政府,市政府各部门:"]
    r = clean_page("\n".join(menu + head + [_PARA]))
    assert r.text.split("\n")[:3] == head
    assert {x.reason for x in r.removed} == {"navigation"} and len(r.removed) == len(menu)
    # a few organ lines in a row (issuers of a joint notice) are no menu
    few = ["市科技局", "市财政局", "市教育局"]
    r = clean_page("\n".join(few + head + [_PARA]))
    assert "navigation" not in {x.reason for x in r.removed}


# ---------------------------------------------------------------------------------------------
# fast paths (issue 15): each gives what the plain rule it stands for gives, on every line of real
# pages (the seeds, the golden generated pages, the unseen pages) and on crafted edge cases
# ---------------------------------------------------------------------------------------------
def _real_pages() -> list[str]:
    from pathlib import Path

    from policylab.ingest import IngestError, list_files, read_page

    root = Path(__file__).resolve().parents[1]
    pages = []
    for folder in ("seeds", "tests/data/golden/generated_pages", "tests/fixtures/pages/unseen"):
        for p in list_files(root / folder):
            try:
                pages.append(read_page(root / folder, p).text)
            except IngestError:
                pass
    return pages


@pytest.fixture(scope="module")
def real_pages():
    return _real_pages()


def test_split_lines_is_the_split_at_every_unicode_line_boundary(real_pages):
    boundary = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
    from policylab.clean import split_lines

    crafted = ["", "\n", "a\r\n", "a\r\r\nb", "a\x85b\u2028", "\x1fa\x1c", "标题\n\n正文\r"]
    for page in real_pages + crafted:
        assert split_lines(page) == boundary.split(page), repr(page[:40])


def test_normalise_line_folds_space_runs_as_the_plain_rule_does():
    import unicodedata

    from policylab.text import fold_page

    spaces = re.compile(r"[ \t\f\v]+")
    for line in ["a  b", "a\tb", "a \x0b b", " a ", "\u3000\u3000(一)", "a\u00a0\u00a0b", "a b", "\u200b", ""]:
        plain = spaces.sub(" ", fold_page(unicodedata.normalize("NFC", line))).strip()
        assert normalise_line(line) == plain, repr(line)


def _first_rule_line_by_line(rules, lines, idxs):
    out = {}
    for i in idxs:
        for rule in rules:
            if rule.matches(lines[i]):
                out[i] = rule.kind
                break
    return out


def test_noise_rules_over_joined_lines_match_line_by_line(real_pages):
    from policylab.clean import _first_rule, _line_filters, noise_rules, split_lines

    ruled = list(zip(noise_rules(), _line_filters()))
    crafted = [
        "电话:\n12345678",  # a filter with \s may match across two lines: neither line is a phone line
        "版权所有 Copyright 2024\n麻豆 黑料\n在线观看 免费 高清 国产 视频",  # terms rules need 2 and 4 terms
        "www.example.com\n" + "很长的一行" * 50 + "www.example.com",  # over max_len: not the link rule's
        "扫码\n\n点赞 12\n(关注我们)",
    ]
    for page in real_pages + crafted:
        lines = [normalise_line(x) for x in split_lines(page)]
        low = [x.lower() for x in lines]
        idxs = [i for i, x in enumerate(lines) if x]
        for zone in ("any", "edge"):
            rules = [rf for rf in ruled if rf[0].zone == zone]
            want = _first_rule_line_by_line([r for r, _ in rules], lines, idxs)
            assert _first_rule(rules, lines, low, idxs) == want, (zone, page[:40])


def test_a_rule_whose_pattern_is_not_line_local_is_tested_line_by_line():
    from policylab.clean import _NOT_LINE_LOCAL

    for pattern in (r"foo\Z", r"(?=a)b", r"(?!\s)x", r"(?<=a)b", r"a*+b", r"(?>ab)"):
        assert _NOT_LINE_LOCAL.search(pattern), pattern
    for pattern in (r"^(点赞|收藏)$", r"(https?://|www\.)", r"^[\s\d\-]{7,}$"):
        assert not _NOT_LINE_LOCAL.search(pattern), pattern


def test_pinyin_readings_found_as_by_a_look_behind_first(real_pages):
    from policylab.clean import _PINYIN, _TONED

    plain = re.compile(
        r"(?<=[\u3400-\u9fff])\((?P<py>(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
        r"[aeiouvü" + _TONED + r"][a-zü" + _TONED + r"]{0,4})\)"
    )
    crafted = ["發(fā)展(zhǎn)", "(fā)開頭", "a(fa)", "產業(yè)((de))", "字(a)(b)"]
    for page in real_pages + crafted:
        assert [m.span() for m in _PINYIN.finditer(page)] == [m.span() for m in plain.finditer(page)]


def test_cues_counted_as_by_their_patterns(real_pages):
    from policylab.clean import clean_page, count_cues, policy_cues

    crafted = ["", "通知", "各部门", "各 部门", "〔2020〕12号 [2021]3号", "到 2025年", "人民政府人民政府"]
    for text in [clean_page(p).text for p in real_pages] + real_pages + crafted:
        plain = sum(1 for cue in policy_cues() if cue.search(text))
        assert count_cues(text) == plain
        for k in (1, 2, 5):
            assert count_cues(text, stop_at=k) == min(plain, k)
    assert count_cues("通知") == 1 and count_cues("通知", stop_at=0) == 1  # stop_at counts the found ones


def _body_bounds_plain(lines, status, cut_kinds):
    """The body as clean_page found it before issue 15's fourth pass: every prose line listed first."""
    from policylab.clean import is_prose

    prose = [i for i, line in enumerate(lines) if status[i] is None and is_prose(line)]
    if not prose:
        return len(lines), -1
    start, end = prose[0], prose[-1]
    for i in range(start + 1, end + 1):
        if status[i] in cut_kinds:
            after = sum(len(lines[j]) for j in prose if j > i)
            before = sum(len(lines[j]) for j in prose if j < i)
            if after < 0.2 * before:
                end = max((j for j in prose if j < i), default=start)
                break
    return start, end


def test_body_bounds_from_either_end_are_the_bounds_of_every_prose_line(real_pages):
    # _body_bounds finds the first and last prose lines from either end and lists the prose lines
    # only when a footer marker stands between them: the same body as listing them all first, on the
    # lines of real pages with their any-zone rule statuses, and with markers put at random places
    import random

    import policylab.clean as K

    rules = K.noise_rules()
    cut_kinds = {r.kind for r in rules if r.cut}
    any_rules = [rf for rf in zip(rules, K._line_filters()) if rf[0].zone == "any"]
    para = "加快建设人工智能创新应用先导区,推动人工智能与实体经济深度融合,培育一批具有国际竞争力的企业。"
    crafted = [
        "\n".join([para] * 5 + ["版权所有 某市人民政府"] + [para] * 5),  # prose follows: a false alarm
        "\n".join([para] * 10 + ["版权所有 某市人民政府", para]),  # little prose follows: the page ends
        "\n".join(["首页", para, "免责声明:本站信息仅供参考。", "联系我们", para[:12] + "。"]),
        "首页\n登录 注册", "",
    ]
    rng = random.Random(5)
    n_cut = 0
    for page in real_pages + crafted:
        lines = [K.normalise_line(x) for x in K.split_lines(page)]
        low = [x.lower() for x in lines]
        status = [None if x else "" for x in lines]
        for i, kind in K._first_rule(any_rules, lines, low, [i for i, x in enumerate(lines) if x]).items():
            status[i] = kind
        variants = [status]
        for _ in range(3):
            v = list(status)
            for i in rng.sample(range(len(v)), min(len(v), 2)):
                v[i] = rng.choice(sorted(cut_kinds) + ["navigation", None])
            variants.append(v)
        for v in variants:
            want = _body_bounds_plain(lines, v, cut_kinds)
            assert K._body_bounds(lines, v, cut_kinds) == want
            n_cut += any(s in cut_kinds for s in v[want[0]:want[1] + 1])
    assert n_cut > 20  # the marker test ran


# witness filters: a rule's pattern found from the characters its matches can begin with
_CASE_CRAFTED = [
    "COPYRIGHT © 2024", "copyright 2024 某市", "Ｃopyright", "İCP备12345号", "ıcp证", "icp备",
    "HTTPS://www.gov.cn/zhengce", "hTtP://x.cn", "WWW.GOV.CN", "访问 wWw.example.org 了解",
    "//cdn.example.com/a.js", "example.COM", "gov.cn/abc", "ſ", "K", "\u212a", "公网安备 11010502030143号",
    "联系我们", "电话:010-12345678", "—— 3 ——", "第 2 页 共 10 页", "图1 人工智能产业布局", "  *姓名",
    "您的位置:首页 > 政策", "首页 / 政策文件", "END", "- END -", "THE END", "\u3000版权所有",
]


def test_witness_filters_find_every_line_a_rule_matches(real_pages):
    from policylab.clean import _lines_holding, _line_filters, _witness_filters, noise_rules, split_lines

    pages = real_pages + ["\n".join(_CASE_CRAFTED), "\n".join(reversed(_CASE_CRAFTED))]
    n_fast = 0
    for rule, filt in zip(noise_rules(), _line_filters()):
        if filt is None or rule.match != "regex":
            continue
        witness = _witness_filters(filt)
        if witness is None:
            continue
        n_fast += 1
        anywhere, at_start = witness
        for page in pages:
            lines = [normalise_line(x) for x in split_lines(page)]
            sub = [i for i, x in enumerate(lines) if x]
            text = "\n".join(lines[i] for i in sub)
            held = set(_lines_holding(anywhere, text, lines, sub)) if anywhere is not None else set()
            if at_start is not None:
                held |= set(_lines_holding(at_start, "\n" + text, lines, sub))
            want = {i for i in sub if rule.pattern.search(lines[i])}
            assert want <= held, (rule.kind, rule.pattern.pattern[:30], [lines[i] for i in want - held])
            # and the lines found hold a match of the filter where it starts (no line found for nothing)
            assert held <= set(_lines_holding(filt, text, lines, sub)) | want
    assert n_fast >= 15  # the rules the engine cannot skip ahead in (the others keep their pattern)


def test_first_rule_with_witness_filters_on_crafted_patterns(real_pages):
    # patterns of every shape the first-character analysis reads (alternations, groups, repeats,
    # classes, ranges, anchors, IGNORECASE letters with their special case variants) and shapes it
    # gives up on (categories, nullable): _first_rule gives the line-by-line result for each
    from policylab.clean import NoiseRule, _first_rule, _witness_filters, split_lines

    patterns = [
        r"(copyright|ICP备|©)", r"(https?://|www\.|^//[\w.-]+\.[a-z]{2,}/)", r"^\s*\*\s*\S{1,20}$",
        r"(a|b)*c", r"\bkey\b", r"x?y[0-9]", r"(?:^第|页)\d", r"[A-Z]{2}\d", r"^$|空", r"\w+局",
        r"(?i:S)tate", r"[k-m]it", r"(?:政策|^首页)(?:文件)?", r"Kelvin|ſtraße|İstanbul", r"(电话|手机)\s*[:：]?\s*\d{7,}",
        r"^(图|图片)\s*[0-9一二三四五六七八九十]+", r"(?:ab|cd){2,}ef", r"[^。]{30}$",
    ]
    crafted = _CASE_CRAFTED + ["aac", "bbc", "c", "xy1", "y2", "第3页", "1页2", "AB1", "ab1", "空", "",
                               "市科技局", "State STATE ſtate", "kit KIT \u212ait", "Kelvin ſtraße İstanbul ıstanbul",
                               "abcdef ababef cdcdcdef"]
    pages = real_pages[:25] + ["\n".join(crafted)]
    for flags in (0, re.IGNORECASE):
        rules = []
        for k, p in enumerate(patterns):
            rule = NoiseRule(f"r{k}", "regex", re.compile(p, flags), "any", 60 if k % 3 == 0 else None, 1, False, "")
            rules.append((rule, re.compile(p, flags | re.MULTILINE)))
        assert sum(_witness_filters(f) is not None for _, f in rules) >= 10
        for page in pages:
            lines = [normalise_line(x) for x in split_lines(page)]
            low = [x.lower() for x in lines]
            idxs = [i for i, x in enumerate(lines) if x]
            for some in (rules, rules[::-1], rules[5:12]):
                want = _first_rule_line_by_line([r for r, _ in some], lines, idxs)
                assert _first_rule(some, lines, low, idxs) == want, (flags, page[:40])


def test_case_variants_of_ascii_letters_lie_below_the_scan_bound():
    # an IGNORECASE letter matches exactly the characters the scan below _CASE_SCAN finds (the Kelvin
    # sign, long s, dotted and dotless i ...): checked over every code point
    from policylab.clean import _CASE_SCAN

    everything = "".join(map(chr, range(0x110000)))
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    for ch in letters:
        found = re.compile(re.escape(ch), re.IGNORECASE).findall(everything)
        assert all(ord(x) < _CASE_SCAN for x in found), ch


def test_a_pattern_the_engine_skips_ahead_in_keeps_its_own_filter():
    from policylab.clean import _witness_filters

    for p in (r"(扫码|二维码)", r"[电传]话", r"版权", r"(?i)(版权|声明)"):
        assert _witness_filters(re.compile(p, re.MULTILINE)) is None, p
    for p, flags in ((r"(版权|Copyright)", re.I), (r"^版权", 0), (r"(a|b)*c", 0), (r"[a-c]x", re.I)):
        assert _witness_filters(re.compile(p, flags | re.MULTILINE)) is not None, p
    # a pattern with global inline flags cannot stand inside a look-ahead: its own filter, as before
    assert _witness_filters(re.compile(r"(?i)(版权|Copyright)", re.MULTILINE)) is None


def test_terms_filter_matches_where_a_term_starts(real_pages):
    # the trie of the terms matches at exactly the positions where one of them starts (terms that
    # are prefixes of others, shared first characters, regex syntax in a term), on real lowered
    # text and on crafted strings; and the terms rules' shared pass keeps the line-by-line result
    import random

    from policylab.clean import _first_rule, _line_filters, _terms_filter, noise_rules, split_lines

    rules = noise_rules()
    every = tuple(t for r in rules if r.match == "terms" for t in r.pattern)
    sets = [every, ("在线视频", "在线观看", "视频", "视"), ("a.b", "a", "(x)", "a|b", "ab"), ("国产", "国产化", "国际")]
    rng = random.Random(7)
    alphabet = "在线视频观看国产化际a.b|()x "
    texts = [p.lower() for p in real_pages[:40]] + ["".join(rng.choice(alphabet) for _ in range(200)) for _ in range(50)]
    for terms in sets:
        pat = _terms_filter(terms)
        for text in texts:
            want = [i for i in range(len(text)) if any(text.startswith(t, i) for t in terms)]
            got, pos = [], 0
            while (m := pat.search(text, pos)) is not None:
                got.append(m.start())
                pos = m.start() + 1
            assert got == want, (terms, text[:40])
    # both spam rules on lines holding terms of the other only, of both, and of neither
    lines = ["国产 视频 免费 高清", "麻豆 视频 国产 黑料", "成人 教育 免费", "在线观看 视频 台湾 亚洲", "午夜 成人", "无码"]
    ruled = [rf for rf in zip(rules, _line_filters()) if rf[0].zone == "any"]
    for page in real_pages[:40] + ["\n".join(lines), "\n".join(reversed(lines))]:
        ls = [normalise_line(x) for x in split_lines(page)]
        idxs = [i for i, x in enumerate(ls) if x]
        for some in (ruled, ruled[1:], [ruled[1], ruled[0]] + ruled[2:]):
            want = _first_rule_line_by_line([r for r, _ in some], ls, idxs)
            assert _first_rule(some, ls, [x.lower() for x in ls], idxs) == want


def test_script_counted_only_as_far_as_needed_equals_the_full_count(real_pages):
    # (any Traditional character, script) from the capped count == from the full count, on real
    # pages, their Traditional conversions (opencc s2t) and crafted counts at both thresholds
    import random

    from policylab.clean import _has_traditional_and_script, _script, traditional_chars

    trad_chars = "發關於實產業這個們會"  # each changed by t2s on its own
    assert all(traditional_chars(c) == 1 for c in trad_chars)
    rng = random.Random(3)
    crafted = []
    for n_trad in (0, 1, 4, 5, 6, 10, 30):
        for n_han in (0, 50, 150, 166, 167, 170, 200, 333, 334, 1000):
            chars = [rng.choice(trad_chars) for _ in range(n_trad)] + ["中"] * max(0, n_han - n_trad)
            rng.shuffle(chars)
            crafted.append("".join(chars) + "abc,。")
    import opencc

    s2t = opencc.OpenCC("s2t")
    pages = real_pages + [s2t.convert(p) for p in real_pages[:20]] + crafted
    n_trad_script = 0
    for page in pages:
        trad = traditional_chars(page)
        want = (trad > 0, _script(page, trad))
        assert _has_traditional_and_script(page) == want, (trad, page[:40])
        n_trad_script += want[1] == "traditional"
    assert n_trad_script >= 20


def test_normalise_lines_of_a_page_equal_line_by_line(real_pages):
    # the page-level NFC / fold tests stand for every line's: real pages, and crafted pages with
    # combining marks on either side of each kind of line boundary, odd spaces and tabs
    import unicodedata

    from policylab.clean import normalise_line, normalise_lines, split_lines

    marks = ["e\u0301", "\u0301", "\u0065\u0308\u0301", "\u1100\u1161", "\u212b", "\uac00\u11a8", "\u0308"]
    seps = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
    crafted = []
    for m in marks:
        for s in seps:
            crafted += [f"标题{m}{s}{m}正文", f"{m}{s}{s}{m}", f"a  b{s}\t{m} c ", f"{m}\u3000{s}（一）"]
    crafted += ["", "\n", "  \t  ", "\u00a0x\u200b", "a\u3000\u3000b", "正文  两个空格\n\t制表"]
    n_fast = 0
    for page in real_pages + crafted:
        lines = split_lines(page)
        assert normalise_lines(page, lines) == [normalise_line(x) for x in lines], repr(page[:40])
        n_fast += unicodedata.is_normalized("NFC", page)
    assert n_fast > 20
