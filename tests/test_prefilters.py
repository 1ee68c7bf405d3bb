"""Exact pre-tests and one-pass loops of the parsing stages (issue 15, fifth pass) against the plain
rules they stand for: on the seed corpus, the fixture pages and crafted edge cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policylab import text as X

FIXTURES = Path(__file__).parent / "fixtures" / "pages"


def _fixture_texts() -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(FIXTURES.rglob("*")) if p.is_file()]


@pytest.fixture(scope="module")
def texts(corpus) -> list[str]:
    """Folded documents, their lines and section texts (seeds), the fixture pages, crafted cases."""
    docs = [X.fold(t) for t in corpus.documents["text"]]
    secs = corpus.sections
    sections = [X.fold(f"{h}\n{t}") for h, t in zip(secs["heading"].fillna(""), secs["text"].fillna(""))]
    lines = [ln for d in docs for ln in X.lines_of(d)]
    crafted = [
        "到“十四五”末,建成5个平台。", "十四五期末", "至 “十三五”规划时期末,完成", "十五五末", "十一五", "到十九五末",
        "“十四五”末期", "十四 五末", "到“十 四五”末", "五年内", "第五", "十五个", "到2025年底前,培育100家",
        "第3个、5G、1—2个²3个①5家", "1,00012个", "1至2,0001个", "五万X", "²12个", "3 5个", "12个",
        "一个", "x10000+人", "1.5亿元", "一二三", "2018-2020年", "十五个百分点以上", "٣٤个", "3٤个",
        "培育12家,1,000个", "超过1,200.5亿元;三千家企业", "",
    ]
    return docs + sections + lines + [X.fold(t) for t in _fixture_texts()] + crafted


def _plain_horizons(text: str, folded: bool = True):
    """:func:`policylab.text.horizons` with the five-year-plan pattern tried on every text holding 五."""
    saved = X._FYP_CORE
    X._FYP_CORE = re.compile("")  # matches every text: the plain rule
    try:
        return X.horizons(text, folded=folded)
    finally:
        X._FYP_CORE = saved


def test_five_year_plan_pretest_is_implied_by_the_pattern(texts):
    # every match of the pattern holds the pre-test's match, so a text the pre-test refuses has none
    for t in texts:
        for m in X._FYP_RE.finditer(t):
            assert X._FYP_CORE.search(m.group(0))
        assert X.horizons(t, folded=True) == _plain_horizons(t), t[:40]
    assert [y for _, y, _ in X.horizons("到“十四五”末,建成平台。到“十三五”规划期末")] == [2025, 2020]


def test_heading_first_character_test_needs_no_fold():
    from policylab.frame import _HEADING_FIRST

    def plain(ch: str) -> bool:  # the test as it was: on the folded character
        f = X.fold(ch)
        return f in _HEADING_FIRST or f.isdecimal()

    for cp in range(0x110000):
        ch = chr(cp)
        if not ch.isspace():  # match_heading reads the first character after lstrip
            assert (ch in _HEADING_FIRST or ch.isdecimal()) == plain(ch), hex(cp)


def test_match_heading_on_real_lines(texts):
    from policylab import frame

    def plain(line):  # the whole line folded first, then the patterns, as before
        line = X.fold(line).strip()
        if not line or (line[0] not in frame._HEADING_FIRST and not line[0].isdecimal()):
            return None
        for level, rx, fmt in frame._HEADINGS:
            m = rx.match(line)
            if m:
                number = X.cn_number(m.group("n"))
                if number is None:
                    return None
                heading, text = frame._split_run_in(m.group("rest").strip())
                return {"level": level, "label": fmt.format(m.group("n")), "number": number,
                        "heading": heading, "text": text}
        return None

    lines = [ln for t in texts for ln in t.split("\n")]
    lines += ["（一）总体目标", "１．发展目标", "　（二）", "\u3000１、任务", "(3)措施", "十、保障"]
    assert sum(frame.match_heading(ln) is not None for ln in lines) > 50
    for ln in lines:
        assert frame.match_heading(ln) == plain(ln), ln[:30]


def test_clause_bounds_are_the_per_delimiter_searches(texts):
    from policylab import targets as T

    def start(text, pos):
        return max(text.rfind(d, 0, pos) for d in T._CLAUSE_DELIMS) + 1

    def end(text, pos):
        ends = [i for i in (text.find(d, pos) for d in T._CLAUSE_DELIMS) if i != -1]
        return min(ends) if ends else len(text)

    def sentence(text, pos):
        a = max(text.rfind(d, 0, pos) for d in T._SENTENCE_ENDS) + 1
        ends = [i for i in (text.find(d, pos) for d in T._SENTENCE_ENDS) if i != -1]
        return text[a : min(ends) + 1 if ends else len(text)].strip()

    # the written-out forms name these delimiters
    assert T._CLAUSE_DELIMS == ",;。:!?\n" and T._SENTENCE_ENDS == "。!?;\n"
    for t in texts[:400] + texts[-60:] + ["", "。", "a,b;c\nd", ",,,", "abc"]:
        step = max(1, len(t) // 50)
        for pos in list(range(0, len(t) + 1, step)) + [len(t)]:
            assert T._clause_start(t, pos) == start(t, pos), (t[:20], pos)
            assert T._clause_end(t, pos) == end(t, pos), (t[:20], pos)
            if pos < len(t):
                assert T._sentence_at(t, pos) == sentence(t, pos), (t[:20], pos)


def test_bracket_pretest_of_split_top(texts):
    from policylab import structure as S

    for t in texts[:2000] + ["a(b", "［x", "x】", "", "〔2020〕"]:
        assert (S._OPENER_RE.search(t) is None) == (not any(ch in t for ch in S._OPENERS)), t[:30]


def test_cn_number_digit_words():
    # each character a digit word, else None (the test once a generator over the digits)
    assert [X.cn_number(s) for s in ["二〇二五", "二○二五", "一二三", "二x二五", "〇", "三万", "二十五", "十"]] == [
        2025, 2025, 123, None, 0, None, 25, 10]


def test_lines_of_strips_once(texts):
    for t in texts[:300] + ["  标题 \n\n（一）目标", "", "\n \u3000\n", "a\r\nb\u2028c"]:
        assert X.lines_of(t) == [ln.strip() for ln in X.fold(t).splitlines() if ln.strip()]


def test_int64_column_without_nulls_as_read_element_wise():
    import numpy as np
    import pandas as pd

    from policylab import schema

    for values in ([], [0], [1, -5, 2**62, -(2**63), 2**63 - 1], list(range(1000))):
        got = schema._plain_array(values, pd.Int64Dtype())
        want = pd.arrays.IntegerArray(np.fromiter(values, dtype=np.int64, count=len(values)),
                                      np.zeros(len(values), dtype=bool))
        assert got.dtype == want.dtype and got.tolist() == want.tolist()
        assert got._data.dtype == np.int64 and not got._mask.any() and got._mask.shape == want._mask.shape
    for bad in ([2**63], [1, True], [1.0]):
        try:
            out = schema._plain_array(bad, pd.Int64Dtype())
        except OverflowError:
            out = "overflow"
        assert out in (None, "overflow")
    with_null = schema._plain_array([1, None, 3], pd.Int64Dtype())
    assert with_null.tolist() == [1, pd.NA, 3]


# ----------------------------------------------------------------------------- sixth pass: folded inputs
def _raw_docs(corpus) -> list[str]:
    """Documents as written (seeds), the fixture pages, and crafted lines with full-width forms."""
    crafted = [
        "（一）指导思想。全面落实…", "一、总体要求", "１．建设平台", "(1)平台", "\u3000(二)任务：", "2025年底前",
        "建设智算中心。（责任单位：市发改委、市工信局）", "责任部门：市科技局", "（省科技厅牵头，省经信厅配合）",
        "到“十四五”末，建成５个平台。", "至２０２７年底前，全面完成。", "",
    ]
    return list(corpus.documents["text"]) + _fixture_texts() + ["\n".join(crafted)]


def test_stages_told_lines_are_folded_give_what_folding_them_gives(corpus):
    # match_heading, find_responsibility_clauses and target_years skip the fold only when told the
    # lines are folded: on folded lines (lines_of's, as the stages give them) the results are the
    # plain ones, and parse_sections' heading and text columns are folded indeed
    from policylab import meta, structure
    from policylab.frame import match_heading

    n_head = n_clause = 0
    for doc in _raw_docs(corpus):
        lines = X.lines_of(doc)
        for ln in lines:
            assert X.fold(ln) == ln
            h = match_heading(ln)
            assert match_heading(ln, folded=True) == h
            n_head += h is not None
            c = structure.find_responsibility_clauses(ln)
            assert structure.find_responsibility_clauses(ln, folded=True) == c
            n_clause += bool(c)
        assert meta.target_years(lines, folded=True) == meta.target_years(lines)
        for ln in doc.splitlines():  # unfolded lines: the default folds them as before
            assert structure.find_responsibility_clauses(ln) == structure.find_responsibility_clauses(X.fold(ln), folded=True)
    assert n_head > 50 and n_clause > 10


def test_sections_marked_folded_give_the_tables_of_unmarked_ones(corpus):
    # the agencies and targets stages skip folding the texts of a sections table parse_sections
    # built (marked folded); a table of the same values not so marked (built by hand) is folded as
    # before: the tables are equal, and a column written to loses the mark
    import pandas as pd

    from policylab import schema, structure, targets

    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(_raw_docs(corpus)))], "text": _raw_docs(corpus)})
    secs = structure.parse_sections(docs)
    assert schema.column_is_folded(secs, "text") and schema.column_is_folded(secs, "heading")
    assert not schema.column_is_folded(secs, "doc_id") and not schema.column_is_folded(secs, "nope")
    for col in ("heading", "text"):
        assert all(v is pd.NA or X.fold(v) == v for v in secs[col].tolist())
    plain = pd.DataFrame({c: pd.Series(secs[c].tolist(), dtype=object) for c in secs.columns})
    assert not schema.column_is_folded(plain, "text")
    pd.testing.assert_frame_equal(targets.extract_targets(secs, docs), targets.extract_targets(plain, docs))
    pd.testing.assert_frame_equal(structure.extract_agencies(secs), structure.extract_agencies(plain))
    assert len(structure.extract_agencies(secs)) > 10 and len(targets.extract_targets(secs)) > 10
    changed = secs.copy()
    changed.loc[0, "text"] = "（责任单位：市科技局）"
    assert not schema.column_is_folded(changed, "text")
    got = structure.extract_agencies(changed)
    assert "市科技局" in got.loc[got["section_id"] == changed.loc[0, "section_id"], "agency"].tolist()


def test_clue_lines_are_the_lines_holding_a_clue(texts, corpus):
    from policylab import structure

    crafted = ["", "\n", "单位", "单位\n", "\n单位", "a\n\n部门\nb单\n位c\n牵头\n", "责任主体责任主体\n单位部门",
               "单\n位", "部门\n\n\n部门"]
    secs = corpus.sections["text"].dropna().tolist()
    for t in texts + secs + crafted + ["\n".join(secs)]:
        want = [ln for ln in t.split("\n") if structure._CLUE.search(ln)]
        assert list(structure._clue_lines(t)) == want, t[:40]


def _split_agencies_plain(label: str, body: str) -> list[tuple[str, str]]:
    """split_agencies as it was: every regex tried on every group and agency."""
    from policylab.structure import _BARE_UNIT, _DENG, _LEAD_MARK, _TAIL, _split_top

    default = "lead" if label.startswith("牵头") else "responsible"
    out = []
    for group in _split_top(body.rstrip("。.;"), ",;，；"):
        role = default
        g = group
        if g.endswith("牵头"):
            role = "lead"
        g = _TAIL.sub("", g).strip()
        merged, carry = [], ""
        for p in _split_top(g, "、"):
            if _BARE_UNIT.match(p):
                carry = f"{carry}{p}、"
                continue
            merged.append(carry + p)
            carry = ""
        if carry:
            merged.append(carry.rstrip("、"))
        for a in merged:
            r = role
            if _LEAD_MARK.search(a):
                a, r = _LEAD_MARK.sub("", a), "lead"
            a = _DENG.sub("", a).strip(" 。:")
            if a:
                out.append((a, r))
    return out


def test_split_agencies_word_pretests(corpus, texts):
    from policylab import structure

    bodies = []
    for t in texts + corpus.sections["text"].dropna().tolist():
        for ln in t.split("\n"):
            bodies += [b for _, b in structure.find_responsibility_clauses(ln)]
    crafted = ["市科技局等", "市科技局(牵头)、市发改委", "市科技局(牵头)\n", "市科技局负责\n", "市科技局等\n",
               "各区、县(市)政府,市经信局等按责任分工负责", "市工信局牵头,市科技局配合;市财政局参与", "等", "牵头",
               "(牵头)", "市科技局（牵头）、各有关区县\n、市财政局", "按照职责分工负责", "X(a、\n、b)等", ""]
    assert len(bodies) > 50
    for body in bodies + crafted:
        for label in ("责任单位", "牵头单位"):
            assert structure.split_agencies(label, body) == _split_agencies_plain(label, body), body


def test_cn_number_digit_by_digit():
    from itertools import product

    def plain(s):
        s = s.strip()
        if s.isdigit():
            return int(s)
        if not s:
            return None
        if "十" in s:
            head, _, tail = s.partition("十")
            tens = X._CN_DIGIT.get(head, None) if head else 1
            ones = X._CN_DIGIT.get(tail, None) if tail else 0
            return None if tens is None or ones is None else tens * 10 + ones
        digits = [X._CN_DIGIT.get(ch) for ch in s]
        if any(d is None for d in digits):
            return None
        n = 0
        for d in digits:
            n = n * 10 + d
        return n

    alphabet = list(X._CN_DIGIT) + ["十", "百", "7", "x", " "]
    cases = ["".join(p) for k in range(0, 4) for p in product(alphabet, repeat=k)]
    for s in cases + ["二〇二二", "20２2", " 三 "]:
        assert X.cn_number(s) == plain(s), s


def test_places_of_prefix_is_the_longest_proper_prefix(corpus):
    # one lookup per prefix length == sorting every gazetteer prefix the code starts with
    from policylab import meta

    _, _, prefix, _ = meta._gaz_index()

    def plain(doc_number):
        if not doc_number:
            return []
        code = doc_number.split("〔")[0]
        hits = sorted((p for p in prefix if code.startswith(p) and len(code) > len(p)), key=len, reverse=True)
        return list(prefix[hits[0]]) if hits else []

    numbers = [n for n in corpus.documents.get("doc_number", []) if isinstance(n, str)]
    numbers += [p + s for p in prefix for s in ("", "政", "政发〔2020〕1号", "〔2020〕1号")]
    numbers += ["", None, "〔2020〕1号", "国发〔2017〕35号", "宁政发〔2022〕133号", "X"]
    assert len(numbers) > 400
    for n in numbers:
        assert meta._places_of_prefix(n) == plain(n), n


# ---- targets: the quantity pattern's digit class and unit tree (issue 15, seventh pass) ----------


def _plain_qty_re() -> re.Pattern:
    """The quantity pattern as written before: ``\\d`` for the first character, the units as one
    longest-first alternation."""
    import pandas as pd

    from policylab import resources
    from policylab import targets as G

    units = pd.read_csv(resources.path("target_units.csv"), dtype=str, keep_default_na=False)
    alts = sorted(((len(r.unit), re.escape(r.unit) + (f"(?!{r.not_followed_by})" if r.not_followed_by else ""))
                   for r in units.itertuples(index=False)), key=lambda a: -a[0])
    unit_re = "|".join(a for _, a in alts)
    num = rf"(?:{G._AR}|{G._CN})"
    first = rf"[\d{G._CN_FIRST}](?:(?<=\d)\d*(?:,\d{{3}})*(?:\.\d+)?|(?<=[{G._CN_FIRST}])[{G._CN_DIGITS}]*)"
    return re.compile(
        rf"(?P<num>{first})"
        rf"(?:\s*(?P<dash>{G._DASH})\s*(?P<num2>{num}))?"
        rf"(?P<approx>[多余](?=\s*(?:{unit_re})))?"
        rf"(?P<plus>\+(?![\d{G._CN_DIGITS}]))?"
        rf"\s*(?P<unit>{unit_re})?"
    )


def _matches(rx: re.Pattern, s: str) -> list:
    return [(m.span(), m.groupdict()) for m in rx.finditer(s)]


def test_quantity_pattern_matches_the_plain_one(texts):
    from policylab import resources
    from policylab import targets as G

    import pandas as pd

    fast, plain = G._lexicon().qty_re, _plain_qty_re()
    units = pd.read_csv(resources.path("target_units.csv"), dtype=str, keep_default_na=False)
    crafted = []
    # every unit after numbers of every kind, with the next characters its guard refuses or not
    for r in units.itertuples(index=False):
        for tail in ["", "工", "月", "目", "的企业", "A", "x", "次", "元", "百分点", "宇宙"]:
            for n in ["3", "12.5", "1,000", "三", "十二", "３", "٣", "𝟑", "\U0001D7D0\U0001D7D1", "五百", "1—2", "3多"]:
                crafted.append(f"培育{n}{r.unit}{tail},")
                crafted.append(f"{n} {r.unit}{tail}")
    crafted += ["万亿元", "1万亿元以上", "5个百分点", "5个百", "5PFLOPS", "5PFlopsX", "5PB", "5PBx", "2个人工",
                "2个人才", "第3个", "\u0967\u0968个", "\U00011066个", "꧑个", "ᱚ家", "㈠个", "①个", "²个", "Ⅲ个",
                "10万人次", "10万人", "10万", "10万元", "10万美元", "3家次", "3家庭"]
    for s in texts + crafted:
        assert _matches(fast, s) == _matches(plain, s), s[:40]


def test_digit_superset_holds_every_digit(monkeypatch):
    from policylab import targets as G

    digits = "".join(c for c in map(chr, range(0x110000)) if re.match(r"\d", c))
    for body in (G._digit_superset(),):
        cls = re.compile("[" + body + "]")
        assert all(cls.match(c) for c in digits)
        # no Han character, CJK or general punctuation: the engine's false starts stay rare
        assert not any(cls.match(c) for c in "年月日、。,;:“”《》()—…·\u3000一十百千万亿零〇")
        assert not any(cls.match(chr(c)) for c in range(0x3000, 0xA000))
    # under another Unicode database the digits are read from it (here: the same ones)
    monkeypatch.setattr(G.unicodedata, "unidata_version", "0.0")
    cls = re.compile("[" + G._digit_superset() + "]")
    assert all(cls.match(c) for c in digits)
    assert [c for c in map(chr, range(0x10000)) if cls.match(c)] == [c for c in digits if ord(c) < 0x10000]


def test_unit_tree_takes_the_unit_the_alternation_takes():
    import random

    from policylab.targets import _unit_tree

    rng = random.Random(7)
    alphabet = "ab元亿万个"
    for _ in range(300):
        units = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 6))}
        items = [(u, rng.choice(["", "", "(?!a)", "(?!b|元)"])) for u in units]
        items.append(items[0][:1] + ("(?!亿)",))  # one spelling twice, with another guard
        items.sort(key=lambda a: -len(a[0]))
        plain = re.compile("(?:" + "|".join(re.escape(u) + g for u, g in items) + ")")
        tree = re.compile(_unit_tree(items))
        for _ in range(20):
            s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5)))
            for i in range(len(s) + 1):
                a, b = plain.match(s, i), tree.match(s, i)
                assert (a and a.span()) == (b and b.span()), (items, s, i)
    with pytest.raises(ValueError):
        _unit_tree([("元", ""), ("亿元", "")])


def test_site_date_lines_open_with_the_first_digit_of_their_year(texts):
    """clean_page tries the site-date pattern only on lines opening with 1 or 2: every line it matches
    does (its year is 19xx or 20xx, at the line's start)."""
    from policylab import clean as K

    assert K._SITE_DATE.pattern.startswith(r"^(?P<date>(?:19|20)")
    lines = [ln for t in texts + _fixture_texts() for ln in t.split("\n") if ln]
    lines += ["2020-11-17 2732", "1999/1/2", "2024.05.06 10:30 阅读 321次", "２０２０-11-17", "0020-11-17",
              " 2020-11-17", "3020-11-17", "2020-11-17 浏览次数:12", "二〇二〇-11-17"]
    hits = [ln for ln in lines if K._SITE_DATE.match(ln)]
    assert len(hits) >= 4
    assert all(ln[0] in "12" for ln in hits)


def test_label_filter_finds_the_lines_the_label_pattern_finds(texts):
    """clean_page finds the lines holding a page-field label with the labels as a tree: the same
    lines as the label pattern, on real pages and on random strings made of labels' pieces."""
    import random

    from policylab import clean as K

    plain, tree = K._label_regex(), K._label_filter()
    pages = _fixture_texts() + texts
    for t in pages:
        lines = t.split("\n")
        short = [i for i, x in enumerate(lines) if 0 < len(x) <= K.FIELD_LINE_MAX]
        joined = "\n".join(lines[i] for i in short)
        assert list(K._lines_holding(tree, joined, lines, short)) == list(K._lines_holding(plain, joined, lines, short))
    labels = sorted(K.page_field_labels())
    pieces = labels + [lab[:k] for lab in labels for k in range(1, len(lab))] + [":", "：", " ", "\n", "\t", "x", "日期"] * 20
    rng = random.Random(11)
    n_hits = 0
    for _ in range(3000):
        s = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        for i in range(len(s) + 1):
            hit = plain.match(s, i) is not None
            assert (tree.match(s, i) is not None) == hit, (s, i)
            n_hits += hit
    assert n_hits > 200
    assert K._tree(["发布时间", "发布", "来源"]) == "(?:发布(?:时间|)|来源)"


def test_indicator_pretests_are_the_plain_tests(texts):
    """_quantities' support search, strip-word pre-test and trailing-connective pre-test decide as
    the plain tests they stand for, on real texts, their pieces and crafted strings."""
    from policylab import targets as G

    lex = G._lexicon()
    pieces = [t[i:j] for t in texts[:3000] for i, j in ((0, 12), (3, 30), (len(t) - 15, len(t))) if t]
    crafted = [w + x for w in lex.support + lex.strip + lex.after + lex.before + ["以及", "等", "和", "及", "与", "、", "或", ""]
               for x in ("", "企业", "\n", "和", "等\n", "以", "及\n\n")]
    crafted += [x + w for w in lex.before for x in ("", "规模", "“")]
    crafted += ["领军企业和", "企业以及", "企业、", "企业或\n", "企业等\n\n", "以", "等等", "和平", "\n", ""]
    for s in pieces + crafted + texts:
        assert (lex.support_re.search(s) is not None) == any(w in s for w in lex.support)
        assert s.startswith(lex.strip_prefixes) == any(s.startswith(w) for w in lex.strip)
        assert s.startswith(lex.after_prefixes) == any(s.startswith(w) for w in lex.after)
        assert s.endswith(lex.before_suffixes) == any(s.endswith(w) for w in lex.before)
        if G._TRAILING_CONJ.sub("", s) != s:  # the pattern changes it: the pre-test lets it through
            assert s[-1:] in G._CONJ_LAST or s[-2:-1] in G._CONJ_LAST, s
    # the pre-test's characters: the last one of each word of the pattern
    words = re.fullmatch(r"\(\?:(.*)\)\+\$", G._TRAILING_CONJ.pattern).group(1).split("|")
    assert {w[-1] for w in words} == set(G._CONJ_LAST)
    empty = G._Lexicon(units={}, same_as={}, qty_re=lex.qty_re, before=[], after=[], support=[],
                       support_ratio=[], not_indicator=[], strip=[], annual=[])
    assert empty.support_re.search("任何文字") is None and not "x".startswith(empty.strip_prefixes)
    assert not "x".startswith(empty.after_prefixes) and not "x".endswith(empty.before_suffixes)
