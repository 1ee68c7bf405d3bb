"""Quantitative targets (量化目标): the dated, numeric commitments of a policy text.

A city plan promises things like 到2025年,人工智能核心产业规模超过500亿元. This module turns each
such quantity into one row of the ``targets`` table: the measured thing (``indicator``), the number
(``value``, ``value_high`` for ranges such as 1—2个), the unit as printed (亿元, 家, 个, %, ...), the
comparator (超过, 突破, 达到, 以上, 左右, ``+`` ...), the value in a standard unit (``value_std``:
money in yuan, counts as plain numbers), the horizon year the sentence stands under (``target_year``)
and whether it is a ``target`` or ``support`` (a subsidy, a cap or a funding ratio:
给予最高200万元补助, 项目成本15%).

How the year is found. A horizon is written 到2025年 / 至2025年 / 2025年底前 / 到“十四五”末, or as a
stage goal opening a sentence (``2023年,...``). A horizon holds for the rest of its section (so
``——`` bullets after 到2020年 inherit 2020) and for the section's children (a ``1.`` task under
``(一)总体目标`` inherits the year of 总体目标). A plan period such as (2018-2020年), a date
(2020年12月10日), an edition (2026年版) or a citation's year is never a horizon. A target with no
horizon in a plan with a period (``行动方案(2025—2027年)``, given by the documents table) stands
under the period's last year (unless it is a yearly quantity: 每年, 年均). Else no horizon, no year: ``target_year`` stays null.
``year_source`` says which rule gave the year ('horizon', 'parent_section', 'plan_period'). The
horizon finder is :func:`policylab.text.horizons`, the one ``documents.target_years`` is derived
from too.

Quantities. Each quantity is a row, several in one sentence (培育骨干企业50家、专精特新企业200家)
included. A floor and a stretch goal of one measure (规模达6000亿元以上、力争1.2万亿元) are two rows of
the same indicator; a value in 万亿元 is given in 亿元 (12000 亿元), compute in EFLOPS / PFLOPS / P
(``value_std`` in PFLOPS), devices in 亿台 / 万台.

What is not a quantity. A number counts only when a unit (from ``resources/target_units.csv``) or
``+`` follows it. Ordinals (第一), document numbers (〔2020〕97号), section numbers, 5G, 十四五,
sector counts (6大行业), slogans in quotes (“五个高地”), names in book-title marks, the article
一个, ranks (前10名), durations (3个月) and attributive amounts (规模超10亿元的企业: the row is the
enterprises, not the 10亿元) are skipped.

Curated lists live in data files: ``target_units.csv`` (units, factors, look-alike guards),
``target_cues.csv`` (comparators, support cues, enumeration nouns, words stripped from indicators)
and ``indicator_families.csv`` (indicator keyword -> family).

Length: about 510 lines, of which some 130 are docstrings and examples and some 310 code. One job
holds it together: finding the dated numeric targets of a text. Candidate clauses, quantity parsing
and indicator families read the same indicator lexicon, and :func:`extract_targets` needs them in
turn, so they stay together.

Examples
--------
>>> from policylab.targets import targets_from_text
>>> t = targets_from_text("到2025年,人工智能核心产业规模超过500亿元,培育100家以上重点企业。")
>>> t[["target_year", "indicator", "value", "unit", "comparator"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
[{'target_year': 2025, 'indicator': '人工智能核心产业规模', 'value': 500.0, 'unit': '亿元', 'comparator': '超过'},
 {'target_year': 2025, 'indicator': '重点企业', 'value': 100.0, 'unit': '家', 'comparator': '以上'}]
>>> t["value_std"].tolist()
[50000000000.0, 100.0]
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from policylab import resources, schema
from policylab.text import YEAR as _YEAR
from policylab.text import find_horizons, fold, inside, parse_number

__all__ = ["extract_targets", "targets_from_text", "find_horizons", "indicator_family"]

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_AR = r"\d+(?:,\d{3})*(?:\.\d+)?"
# a Chinese numeral starts with a digit word, never with 百/千/万 alone (千家万户, 百家争鸣 are idioms)
_CN_FIRST = "一二两三四五六七八九十"
_CN = rf"[{_CN_FIRST}][{_CN_DIGITS}]*"
_DASH = r"[-—–~～至到]"
_CLAUSE_DELIMS = ",;。:!?\n"
# a number right after one of these is part of a code, an ordinal or a longer number (第3, 5G, 1.5)
_NOT_BEFORE_NUMBER = frozenset("0123456789" + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + ".-/第几数上"
                               + "零〇一二两三四五六七八九十百千万亿")
_CLAUSE_DELIM_RE = re.compile("[" + re.escape(_CLAUSE_DELIMS) + "]")
_SENTENCE_RE = re.compile(r"[^。!?;\n]*(?:[。!?;]|\n|$)")


@dataclass(frozen=True)
class _Lexicon:
    units: dict  # unit -> (factor or None, quantity)
    same_as: dict  # unit -> the unit its value is given in (万亿元 -> 亿元)
    qty_re: re.Pattern
    before: list  # comparators written before the number, longest first
    after: list
    support: list
    support_ratio: list
    not_indicator: list
    strip: list
    annual: list

    @functools.cached_property
    def not_indicator_prefixes(self) -> tuple:
        """``not_indicator`` as a tuple: one ``str.startswith`` call tests them all."""
        return tuple(self.not_indicator)

    @functools.cached_property
    def after_prefixes(self) -> tuple:
        """``after`` as a tuple (one ``startswith`` call: does any open the string?)."""
        return tuple(self.after)

    @functools.cached_property
    def before_suffixes(self) -> tuple:
        """``before`` as a tuple (one ``endswith`` call: does any end the string?)."""
        return tuple(self.before)

    @functools.cached_property
    def strip_prefixes(self) -> tuple:
        """``strip`` as a tuple: one ``str.startswith`` call tells whether any of them opens a string
        (most indicators open with none; the loop then finds which one does)."""
        return tuple(self.strip)

    @functools.cached_property
    def support_re(self) -> re.Pattern:
        """Found in a string iff one of ``support`` is in it: one search, not a generator of ``in``."""
        return re.compile("|".join(map(re.escape, self.support)) if self.support else "(?!)")


# Every decimal digit of the Basic Multilingual Plane (what ``\d`` matches below U+10000) lies in
# these ranges in Unicode 14.0 (Python 3.11's database: tests/test_prefilters.py checks every code
# point); no Han character, CJK or general punctuation does (the engine stops at few false starts)
_BMP_DIGITS_UNICODE_14 = "0-9\u0660-\u1c59\ua620-\uabf9\uff10-\uff19"


def _digit_superset() -> str:
    r"""A character class body (ranges) holding every character ``\d`` matches, and few others.

    Examples
    --------
    >>> cls = re.compile("[" + _digit_superset() + "]")
    >>> all(cls.match(c) for c in "09\uff13\u0663\U0001d7ce"), cls.match("年") is None
    (True, True)
    """
    if unicodedata.unidata_version == "14.0.0":
        bmp = _BMP_DIGITS_UNICODE_14
    else:  # another database: its own digits, read from it (a few ms, once per process)
        bmp = "".join(re.escape(c) for c in map(chr, range(0x10000)) if c.isdecimal())
    return bmp + "\U00010000-\U0010ffff"  # the other planes as one range (digits there are rare)


def _unit_tree(units: list[tuple[str, str]]) -> str:
    """The alternation of ``units`` (``(unit, guard)``, tried in that order: longest first) as a
    tree by characters, matching the unit the alternation matches.

    A regex alternation tries its branches in turn at each number; in the tree the engine follows
    the one branch of the next character. The units matching at a place all lie on one path of
    the tree (each is a prefix of the text there), and the tree tries a longer one before a
    shorter one, as the longest-first alternation does; units of one spelling (guards) keep their
    order.

    Examples
    --------
    >>> _unit_tree([("亿元", ""), ("万元", ""), ("亿", "(?!人)"), ("元", "")])
    '(?:亿(?:元|(?!人))|万元|元)'
    >>> re.fullmatch(_unit_tree([("个百分点", ""), ("个", "(?!月)")]), "个百分点") is not None
    True
    """
    if any(len(units[i][0]) < len(units[i + 1][0]) for i in range(len(units) - 1)):
        raise ValueError("units must come longest first")
    tree: dict = {}
    for unit, guard in units:
        node = tree
        for ch in unit:
            node = node.setdefault(ch, {})
        node.setdefault(None, []).append(guard)  # None: the units ending here, in order

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(sub) for ch, sub in node.items() if ch is not None]
        branches += node.get(None, [])  # after the longer units through this node
        return "(?:" + "|".join(branches) + ")" if len(branches) > 1 else branches[0]

    return "(?:" + "|".join(re.escape(ch) + emit(sub) for ch, sub in tree.items()) + ")"


@functools.lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    units = pd.read_csv(resources.path("target_units.csv"), dtype=str, keep_default_na=False)
    cues = pd.read_csv(resources.path("target_cues.csv"), dtype=str, keep_default_na=False)
    unit_info = {}
    same_as = {}
    alts = []
    for r in units.itertuples(index=False):
        unit_info[r.unit] = (float(r.factor) if r.factor else None, r.quantity)
        if r.same_as:
            same_as[r.unit] = r.same_as
        guard = f"(?!{r.not_followed_by})" if r.not_followed_by else ""
        alts.append((len(r.unit), r.unit, guard))
    alts.sort(key=lambda a: -a[0])  # longest unit first: 亿元 before 亿, 个百分点 before 个
    num = rf"(?:{_AR}|{_CN})"
    # the pattern opens with the number's first character, so the regex engine skips ahead to the
    # next digit instead of trying every position: the leading number is written as one character
    # class (a digit or a numeral word) and a look-behind then picks the rest of its kind -- the
    # same matches as (?P<num>{num}), whose alternation the engine cannot skip ahead with. The
    # characters that may not stand before a number (第, letters, digits ...) are checked on each
    # match (:data:`_NOT_BEFORE_NUMBER`)
    #
    # That class is a superset of the digits (:func:`_digit_superset`), not ``\d``: the engine
    # scans for it at every character, and a class holding a category (``\d``) costs a lookup of
    # each character's Unicode record, a class of ranges a table lookup. The look-behinds that pick
    # the number's kind match only on a digit or a numeral word, so a match starts where it did.
    # The units are one tree by characters (:func:`_unit_tree`): the engine tries the branch of the
    # next character, not every unit after every number, and takes the same unit.
    first = (rf"[{_digit_superset()}{_CN_FIRST}]"
             rf"(?:(?<=\d)\d*(?:,\d{{3}})*(?:\.\d+)?|(?<=[{_CN_FIRST}])[{_CN_DIGITS}]*)")
    unit_tree = _unit_tree([(u, g) for _, u, g in alts])
    qty_re = re.compile(
        rf"(?P<num>{first})"
        rf"(?:\s*(?P<dash>{_DASH})\s*(?P<num2>{num}))?"
        rf"(?P<approx>[多余](?=\s*{unit_tree}))?"
        rf"(?P<plus>\+(?![\d{_CN_DIGITS}]))?"
        rf"\s*(?P<unit>{unit_tree})?"
    )

    def role(name):
        terms = cues.loc[cues["role"] == name, "cue"].tolist()
        return sorted(terms, key=len, reverse=True)

    return _Lexicon(
        units=unit_info,
        same_as=same_as,
        qty_re=qty_re,
        before=role("comparator_before"),
        after=role("comparator_after"),
        support=role("support"),
        support_ratio=role("support_ratio"),
        not_indicator=role("not_indicator"),
        strip=role("strip"),
        annual=role("annual"),
    )


@functools.lru_cache(maxsize=1)
def _families() -> list[tuple[str, str]]:
    fam = pd.read_csv(resources.path("indicator_families.csv"), dtype=str, keep_default_na=False)
    return list(zip(fam["keyword"], fam["family"]))


@functools.lru_cache(maxsize=65536)
def _family_of(indicator: str) -> str:
    best = None
    for kw, family in _families():
        pos = indicator.rfind(kw)
        if pos < 0:
            continue
        key = (pos + len(kw), len(kw))
        if best is None or key > best[0]:
            best = (key, family)
    return best[1] if best else "other"


def indicator_family(indicator: str | None) -> str | None:
    """Family of an indicator from ``resources/indicator_families.csv``.

    The keyword ending furthest right wins (the head of a Chinese noun phrase is at its end; ties go
    to the longer keyword); an indicator with no keyword is ``'other'``.

    Parameters
    ----------
    indicator : str or None

    Returns
    -------
    str or None
        None for a null indicator.

    Examples
    --------
    >>> indicator_family("人工智能核心产业规模"), indicator_family("人工智能重点企业")
    ('industry_scale', 'enterprises')
    """
    if indicator is None or (isinstance(indicator, float) and np.isnan(indicator)):
        return None
    return _family_of(indicator)


# ---- numbers --------------------------------------------------------------------------------


_to_number = parse_number


# ---- quantities -----------------------------------------------------------------------------


def _clause_start(text: str, pos: int) -> int:
    """Just after the last clause delimiter before ``pos`` (0 if none).

    The last of each delimiter's ``rfind``, written out: a generator per call cost more than the
    searches (tested against the generator form).

    Examples
    --------
    >>> _clause_start("到2025年,建成5个平台;培育10家", 15)
    14
    """
    return max(text.rfind(",", 0, pos), text.rfind(";", 0, pos), text.rfind("。", 0, pos),
               text.rfind(":", 0, pos), text.rfind("!", 0, pos), text.rfind("?", 0, pos),
               text.rfind("\n", 0, pos)) + 1


def _clause_end(text: str, pos: int) -> int:
    """The first clause delimiter at or after ``pos`` (``len(text)`` if none): one scan for the
    first of them instead of one ``find`` per delimiter (tested against that form).

    Examples
    --------
    >>> _clause_end("到2025年,建成5个平台;培育10家", 7), _clause_end("培育10家", 0)
    (13, 5)
    """
    m = _CLAUSE_DELIM_RE.search(text, pos)
    return len(text) if m is None else m.start()


def _candidates(text: str) -> list[dict]:
    """Every quantity in ``text`` that passes the look-alike filters, in text order."""
    lex = _lexicon()
    found = []
    pos, n = 0, len(text)
    while pos < n:
        m = lex.qty_re.search(text, pos)
        if m is None:
            break
        start = m.start()
        if start > 0 and ((prev := text[start - 1]) in _NOT_BEFORE_NUMBER or prev.isdigit()):
            pos = start + 1  # as a look-behind would: the next position may still start a number
            continue
        pos = m.end()
        unit, plus = m.group("unit", "plus")  # (most numbers have neither: one call)
        if not unit and not plus:
            continue
        num = m.group("num")
        if num == "一" and not m.group("num2"):
            continue  # 一个 / 一项 / 最后一公里: an article or an idiom, not a count
        end = m.end()
        after = text[end : end + 16]  # cues are short: no copy of the rest of the text per quantity
        if unit and after.startswith(lex.not_indicator_prefixes):
            continue  # 三个领域 (enumeration), 3个月 (duration)
        base = max(0, start - 16)
        before = text[base:start]
        if before.endswith("前") and unit in ("名", "位", "强"):
            continue  # 前10名: a rank
        # names and slogans: 《...》, or quotes holding more than the quantity (“五个高地”)
        if inside(text, start, "《", "》"):
            continue
        q = inside(text, start, "“", "”")
        if q and text[q[0] + 1 : q[1]].strip() != m.group(0).strip():
            continue
        # 规模超10亿元的领军企业: a measure (money, %, area) qualifying a noun is no commitment of its
        # own; a count classifier before 的 (100家以上的企业) still counts the noun
        unit_kind = lex.units.get(unit, (None, "count"))[1] if unit else "count"
        if unit_kind != "count" and text[m.end() : m.end() + 1] == "的":
            clause = text[_clause_start(text, start) : _clause_end(text, m.end())]
            if not any(w in clause for w in lex.support):
                continue
        value = _to_number(num)
        if value is None:
            continue
        value_high = _to_number(m.group("num2")) if m.group("num2") else None
        if m.group("num2") and value_high is None:
            continue
        comparator = None
        if plus:
            comparator = "+"
        elif m.group("approx"):
            comparator = m.group("approx")
        elif after.startswith(lex.after_prefixes):  # (the loop finds the first one, in order)
            for c in lex.after:
                if after.startswith(c) and c != "+":
                    comparator = c
                    end += len(c)
                    break
        pre_comp_start = start
        tail = before.rstrip(" “\"'")
        for c in lex.before if tail.endswith(lex.before_suffixes) else ():
            if tail.endswith(c):
                if comparator is None or c not in ("达到", "达"):
                    comparator = c
                pre_comp_start = base + len(tail) - len(c)
                break
        if comparator is None:
            cs = _clause_start(text, start)
            if "力争" in text[cs:start]:
                comparator = "力争"
        found.append(
            dict(
                start=start,
                cstart=pre_comp_start,
                end=end,
                num_end=m.end(),
                value=value,
                value_high=value_high,
                unit=unit,
                comparator=comparator,
            )
        )
    return found


_LEADING_HORIZON = re.compile(rf"^(?:到|至|在)?\s*(?:{_YEAR})\s*年(?:底|末)?(?:前)?\s*")
_TRAILING_CONJ = re.compile(r"(?:等|和|及|与|以及|、|或)+$")
_CONJ_LAST = "等和及与、或"  # the last character of each of its words (以及 ends in 及)


def _strip_indicator(s: str, lex: _Lexicon, leading: bool = True) -> str | None:
    """Clean an indicator: leading horizons and connectives off (``leading``), head noun after 的."""
    s = s.strip(" \"'、()")
    changed = leading
    while changed and s:
        changed = False
        m = _LEADING_HORIZON.match(s)
        if m and m.end() > 0:
            s, changed = s[m.end() :], True
        if s.startswith(lex.strip_prefixes):  # (the loop finds the first one, in order)
            for w in lex.strip:
                if s.startswith(w) and len(s) > len(w):
                    s, changed = s[len(w) :], True
                    break
        s = s.strip(" \"'、()的")
    if "的" in s:
        head = s.rsplit("的", 1)[1]
        if len(head) >= 2:
            s = head  # the head noun: 可复制、可推广的标杆型示范应用场景 -> 标杆型示范应用场景
    # a list cut at the next quantity: 领军企业和 -> 领军企业. The pattern ends in ``$`` (so is tried at
    # every position): it is tried only on a string ending in one of its words (or that and a newline)
    if s[-1:] in _CONJ_LAST or s[-2:-1] in _CONJ_LAST:
        s = _TRAILING_CONJ.sub("", s)
    if s.count("“") != s.count("”"):
        s = s.replace("“", "").replace("”", "")  # a quote cut in half by the clause boundary
    return s or None


def _quantities(text: str) -> list[dict]:
    """Quantities of ``text`` with indicator, kind and standard value (no year yet)."""
    lex = _lexicon()
    cands = _candidates(text)
    rows = []
    for i, c in enumerate(cands):
        cs = _clause_start(text, c["start"])
        clause_end = _clause_end(text, c["end"])
        support_clause = text[cs:clause_end]
        if i > 0 and cands[i - 1]["end"] > cs:
            cs = cands[i - 1]["end"]
        nxt = cands[i + 1]["cstart"] if i + 1 < len(cands) else len(text)
        ce = min(clause_end, nxt)
        is_support = lex.support_re.search(support_clause) is not None or (
            c["unit"] == "%" and any(w in text[cs : c["start"]] for w in lex.support_ratio)
        )
        post = text[c["end"] : ce].lstrip(" ”\"'").rstrip(" “\"'")
        pre = text[cs : c["cstart"]]
        indicator = None
        if len(post) >= 2 and not post[0] in "、,;。":
            indicator = _strip_indicator(post, lex, leading=False)
        if not indicator:
            indicator = _strip_indicator(pre, lex)
        unit, value, value_high = c["unit"], c["value"], c["value_high"]
        factor = lex.units.get(unit, (1.0, "count"))[0] if unit else 1.0
        if unit in lex.same_as:
            # 1.2万亿元 is written in the unit of its kind's other values: 12000 亿元
            scale = factor / lex.units[lex.same_as[unit]][0]
            unit, value = lex.same_as[unit], round(value * scale, 6)
            value_high = None if value_high is None else round(value_high * scale, 6)
        if indicator is None and rows and i > 0 and _same_measure(text, cands[i - 1], c, lex):
            # 规模达6000亿元以上、力争1.2万亿元: a second value (a stretch goal, an alternative) of the
            # quantity before it, with no words of its own
            indicator = rows[-1]["indicator"]
        rows.append(
            dict(
                offset=c["start"],
                indicator=indicator,
                value=value,
                value_high=value_high,
                unit=unit,
                comparator=c["comparator"],
                value_std=None if factor is None else c["value"] * factor,
                kind="support" if is_support else "target",
            )
        )
    return rows


_BETWEEN_VALUES = re.compile(r"[\s、,或]*(?:或|甚至)?[\s、,]*")


def _same_measure(text: str, prev: dict, cur: dict, lex: _Lexicon) -> bool:
    """Whether ``cur`` follows ``prev`` with only a delimiter between them, in a unit of the same kind."""
    if prev["unit"] is None or cur["unit"] is None:
        return False
    if lex.units.get(prev["unit"], (None, ""))[1] != lex.units.get(cur["unit"], (None, "?"))[1]:
        return False
    return _BETWEEN_VALUES.fullmatch(text, prev["end"], cur["cstart"]) is not None


_SENTENCE_ENDS = "。!?;\n"
_SENTENCE_END_RE = re.compile("[" + re.escape(_SENTENCE_ENDS) + "]")


def _sentence_at(text: str, pos: int) -> str:
    if 0 <= pos < len(text):
        # _SENTENCE_RE's matches tile the text, each ending at (and holding) a sentence end: the one
        # holding pos runs from after the last end before pos to the first end at or after it
        # (each delimiter's rfind written out, and one scan for the first end: no generator a call)
        a = max(text.rfind("。", 0, pos), text.rfind("!", 0, pos), text.rfind("?", 0, pos),
                text.rfind(";", 0, pos), text.rfind("\n", 0, pos)) + 1
        m = _SENTENCE_END_RE.search(text, pos)
        return text[a : len(text) if m is None else m.start() + 1].strip()
    for m in _SENTENCE_RE.finditer(text):
        if m.start() <= pos < max(m.end(), m.start() + 1):
            return m.group(0).strip()
    return text.strip()


# ---- public API -----------------------------------------------------------------------------


def extract_targets(sections: pd.DataFrame, documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``targets`` table of a sections table: one row per quantity.

    Parameters
    ----------
    sections : DataFrame
        The sections table of :mod:`policylab.structure` (``doc_id, section_id, parent_id, level,
        label, heading, text, order``). Only ``doc_id``, ``section_id`` and ``text`` are required;
        without ``parent_id`` no year is inherited from a parent section, without ``order`` rows keep
        their input order. ``heading`` is read before ``text`` (run-in headings may hold numbers).
    documents : DataFrame, optional
        ``doc_id`` and ``plan_end`` (the documents or metadata table). A target with no horizon in
        its section or above it, in a plan with a period (``(2025—2027年)``), takes the period's
        last year, ``year_source`` 'plan_period'. Without it such a target has no year.

    Returns
    -------
    DataFrame
        Schema ``targets`` (see :mod:`policylab.schema`), sorted by document, section order and
        position in the section.

    Examples
    --------
    >>> import pandas as pd
    >>> secs = pd.DataFrame({"doc_id": ["d1", "d1"], "section_id": ["1", "1.1"],
    ...                      "parent_id": [None, "1"], "heading": ["建设目标", "产业集聚"],
    ...                      "text": ["到2025年,全市人工智能产业加快发展。", "培育1—2个产业集群。"],
    ...                      "order": [0, 1]})
    >>> extract_targets(secs)[["section_id", "target_year", "value", "value_high", "unit"]].to_dict("records")
    [{'section_id': '1.1', 'target_year': 2025, 'value': 1.0, 'value_high': 2.0, 'unit': '个'}]
    >>> goals = pd.DataFrame({"doc_id": ["d2"], "section_id": ["1"], "heading": ["发展目标"],
    ...                       "text": ["核心产业规模突破800亿元。"]})
    >>> plan = pd.DataFrame({"doc_id": ["d2"], "plan_end": [2027]})
    >>> extract_targets(goals, plan)[["target_year", "year_source", "value"]].to_dict("records")
    [{'target_year': 2027, 'year_source': 'plan_period', 'value': 800.0}]
    """
    missing = [c for c in ("doc_id", "section_id", "text") if c not in sections.columns]
    if missing:
        raise ValueError(f"extract_targets needs a sections table; missing columns: {missing}")
    has_parent = "parent_id" in sections.columns
    has_heading = "heading" in sections.columns
    n = len(sections)
    names = ["doc_id", "section_id", "text", "heading", "parent_id"]
    # plain lists in (doc_id, order, row) order: iterating Arrow-backed columns row by row costs
    # more than the parsing, and pandas' sort would copy every column (the texts too)
    doc_ids = schema.column_list(sections, "doc_id")
    order = schema.stable_order(doc_ids, sections["order"].tolist() if "order" in sections.columns else None)
    if order is None:  # a null or non-text key: pandas sorts as before
        secs = sections.reset_index(drop=True).copy()
        secs["_row"] = np.arange(len(secs))
        if "order" in secs.columns:
            secs = secs.sort_values(["doc_id", "order", "_row"], kind="stable")
        else:
            secs = secs.sort_values(["doc_id", "_row"], kind="stable")
        cols = [secs[c].tolist() if c in secs.columns else [None] * n for c in names]
    else:
        cols = [doc_ids] + [schema.column_list(sections, c) if c in sections.columns else [None] * n
                            for c in names[1:]]
        if order is not True:
            cols = [[col[i] for i in order] for col in cols]

    # texts and headings parse_sections built are folded already (a fold of each would scan them again)
    folded = schema.column_is_folded(sections, "text") and (not has_heading or schema.column_is_folded(sections, "heading"))
    plan_end: dict[str, int] = {}
    if documents is not None and "plan_end" in documents.columns:
        for d, y in zip(documents["doc_id"], documents["plan_end"]):
            if not pd.isna(y):
                plan_end[str(d)] = int(y)
    lex = _lexicon()
    carry: dict[tuple, int | None] = {}  # (doc_id, section_id) -> horizon in force at its end
    rows = []
    for rank, (doc_id, section_id, sec_text, heading, parent) in enumerate(zip(*cols)):
        doc_id, section_id = str(doc_id), str(section_id)
        parts = []
        if isinstance(heading, str) and heading.strip():
            parts.append(heading.strip())
        if isinstance(sec_text, str) and sec_text.strip():
            parts.append(sec_text)
        text = "\n".join(parts) if folded else fold("\n".join(parts))
        inherited = None
        if has_parent:
            if isinstance(parent, str) and parent:
                inherited = carry.get((doc_id, parent))
        horizons = find_horizons(text, folded=True)  # folded above
        carry[(doc_id, section_id)] = horizons[-1][1] if horizons else inherited
        for q in _quantities(text):
            year, source = inherited, None if inherited is None else "parent_section"
            for pos, y in horizons:
                if pos < q["offset"]:
                    year, source = y, "horizon"
            q["sentence"] = _sentence_at(text, q["offset"])
            if year is None and q["kind"] == "target" and doc_id in plan_end and not any(
                w in q["sentence"] for w in lex.annual
            ):  # a yearly quantity (每年…100个) has no end year
                year, source = plan_end[doc_id], "plan_period"
            q.update(doc_id=doc_id, section_id=section_id, target_year=year, year_source=source, _rank=rank)
            rows.append(q)
    if not rows:
        return schema.empty("targets")
    # rows come in (section rank, offset) order; a stable sort keeps them so (as pandas' did)
    rows.sort(key=lambda q: (q["_rank"], q["offset"]))
    cols = {name: [q[name] for q in rows] for name in schema.columns("targets") if name != "indicator_family"}
    cols["indicator_family"] = [indicator_family(i) for i in cols["indicator"]]
    # the value column is float64 (an int value too, as the frame's astype made it)
    cols["value"] = [v if v is None or type(v) is float else float(v) for v in cols["value"]]
    return schema.from_columns("targets", cols)


def targets_from_text(text: str, doc_id: str = "doc") -> pd.DataFrame:
    """The ``targets`` of a plain text, read as one section (handy for single sentences).

    A horizon then holds for the rest of the whole text; for a full document use the sections table
    so that years follow the section tree.

    Parameters
    ----------
    text : str
    doc_id : str
        The ``doc_id`` the rows carry.

    Returns
    -------
    DataFrame
        Schema ``targets``.

    Examples
    --------
    >>> t = targets_from_text("2023年,培育“10000+”人工智能人才。")
    >>> t[["target_year", "indicator", "value", "comparator"]].to_dict("records")
    [{'target_year': 2023, 'indicator': '人工智能人才', 'value': 10000.0, 'comparator': '+'}]
    """
    sections = pd.DataFrame(
        {"doc_id": [doc_id], "section_id": ["0"], "parent_id": [None], "heading": [None],
         "text": [text], "order": [0]}
    )
    return extract_targets(sections)
