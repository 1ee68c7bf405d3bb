"""Chinese text primitives, one place each: width folding, numerals, dates, horizon years.

Every parsing stage reads Chinese official text through these few functions, so that a rule such
as "what counts as a target year" has one definition:

- :func:`fold` folds full-width ASCII forms (``（一）`` ``：`` ``２０２５``) to half-width, one character
  for one (offsets stay valid); :func:`fold_page` is the page-level variant :mod:`policylab.clean`
  applies to raw lines (it also folds odd spaces and small-form brackets and drops zero-width
  characters).
- :func:`cn_number` reads the small numerals of headings and dates (十二, 二〇二二);
  :func:`parse_number` reads any quantity (1,200.5, 三千五百, 1.5万) with cn2an.
- :data:`DATE` and :func:`parse_date` read a date written 2022年12月12日, 二〇二二年十二月十二日 or
  2022-12-12.
- :func:`find_horizons` is the one horizon (target-year) finder: 到2025年, 至2025年, 力争到2025年,
  2025年底前, 2025年前, 到2026年底, 到“十四五”末, and a stage goal opening a sentence
  (``2023年,…``). A plan period (2018-2020年), a date (2020年12月10日), an edition (2026年版) or a
  year inside a cited title 《…》 is never a horizon. :mod:`policylab.targets` dates each quantity by
  it, and :mod:`policylab.meta` derives ``documents.target_years`` from it.

Examples
--------
>>> from policylab.text import fold, cn_number, parse_date, find_horizons
>>> fold("（一）到２０２５年：")
'(一)到2025年:'
>>> cn_number("二十一"), cn_number("二〇二二")
(21, 2022)
>>> str(parse_date("二〇一八年十二月六日").date())
'2018-12-06'
>>> [year for _, year in find_horizons("至2025年,建成10个平台;2027年底前,全面完成。")]
[2025, 2027]
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = [
    "fold", "fold_page", "lines_of", "count_han", "cn_number", "parse_number", "DATE", "parse_date",
    "find_horizons", "horizons",
]

# ----------------------------------------------------------------------------- width

# full-width ASCII forms -> ASCII, U+3000 -> space; 〔〕【】、。“”《》—— are not in this range and stay
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_NEEDS_WIDTH = re.compile("[\uff01-\uff5e\u3000]")

# a scraped page also holds other spaces, small-form brackets and zero-width characters
_PAGE_WIDTH = dict(_WIDTH)
_PAGE_WIDTH.update({0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})
_PAGE_WIDTH.update({0xFE5D: 0x3014, 0xFE5E: 0x3015})  # small-form ﹝﹞ -> 〔〕
_PAGE_WIDTH.update({cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD)})
_NEEDS_PAGE_WIDTH = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_PAGE_WIDTH)) + "]")


def fold(text: str) -> str:
    """Fold full-width ASCII forms and the ideographic space to half-width, one character for one.

    ``〔〕【】、。“”《》——`` are kept: they are the clean-text contract's punctuation.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        The text, same length, full-width forms folded.

    Examples
    --------
    >>> fold("（二）目标：到２０２５年，〔2022〕")
    '(二)目标:到2025年,〔2022〕'
    """
    # clean text is folded already: a C-speed scan spares the per-character translate
    return text.translate(_WIDTH) if _NEEDS_WIDTH.search(text) else text


def fold_page(text: str) -> str:
    """:func:`fold`, plus the characters of scraped pages: odd spaces, ﹝﹞, zero-width marks.

    Parameters
    ----------
    text : str
        A raw line of a page.

    Returns
    -------
    str
        The line folded; zero-width characters and soft hyphens are dropped.

    Examples
    --------
    >>> fold_page("﹝2022﹞\\u200b１号\\u00a0")
    '〔2022〕1号 '
    """
    return text.translate(_PAGE_WIDTH) if _NEEDS_PAGE_WIDTH.search(text) else text


def lines_of(text: str | None) -> list[str]:
    """Folded, stripped, non-empty lines of ``text``.

    Parameters
    ----------
    text : str or None
        A document, one paragraph per line.

    Returns
    -------
    list of str

    Examples
    --------
    >>> lines_of("  标题 \\n\\n（一）目标")
    ['标题', '(一)目标']
    """
    return [s for ln in fold(text or "").splitlines() if (s := ln.strip())]  # each line stripped once


_HAN_RUN = re.compile("[\u3400-\u9fff]+")


def count_han(text: str, stop_at: int | None = None) -> int:
    """Number of Han characters (CJK Unified Ideographs and Extension A) in ``text``.

    Parameters
    ----------
    text : str
    stop_at : int, optional
        Stop counting once this many are found (a gate asking "at least n?" need not read a long
        document to its end); the result is then ``stop_at`` or a little more.

    Returns
    -------
    int

    Examples
    --------
    >>> count_han("到2025年,建成10个平台")
    7
    >>> count_han("到2025年,建成10个平台", stop_at=2) >= 2
    True
    """
    if stop_at is None:
        return sum(map(len, _HAN_RUN.findall(text)))
    n = 0
    for m in _HAN_RUN.finditer(text):
        n += m.end() - m.start()
        if n >= stop_at:
            break
    return n


# ----------------------------------------------------------------------------- numerals

_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ARABIC = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def cn_number(s: str) -> int | None:
    """A small numeral of a heading or a date: Arabic, up to 99 in words, or digit by digit.

    Headings and dates use only these shapes, and they are read on every line, so this is a
    plain lookup; quantities with 百/千/万 go through :func:`parse_number`.

    Parameters
    ----------
    s : str
        ``7``, ``十二``, ``二十一``, ``三十``, ``二〇二二`` (〇, 零, ○ and O are zero).

    Returns
    -------
    int or None
        None when ``s`` is no such numeral.

    Examples
    --------
    >>> cn_number("十二"), cn_number("二十一"), cn_number("三十"), cn_number("二〇二二"), cn_number("7")
    (12, 21, 30, 2022, 7)
    >>> cn_number("百") is None
    True
    """
    s = s.strip()
    if s.isdigit():
        return int(s)
    if not s:
        return None
    if "十" in s:
        head, _, tail = s.partition("十")
        tens = _CN_DIGIT.get(head, None) if head else 1
        ones = _CN_DIGIT.get(tail, None) if tail else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    n = 0
    for ch in s:  # digit by digit (no list, no generator: this runs on every heading line)
        d = _CN_DIGIT.get(ch)
        if d is None:
            return None
        n = n * 10 + d
    return n


def parse_number(s: str | None) -> float | None:
    """A quantity written in Arabic digits (``1,200.5``) or Chinese numerals (``三千五百``), via cn2an.

    Parameters
    ----------
    s : str or None

    Returns
    -------
    float or None
        None when ``s`` is no number.

    Examples
    --------
    >>> parse_number("1,200.5"), parse_number("三千五百"), parse_number("两"), parse_number("平台")
    (1200.5, 3500.0, 2.0, None)
    """
    if s is None:
        return None
    if _ARABIC.fullmatch(s):
        return float(s.replace(",", ""))
    import cn2an  # only needed for Chinese numerals

    try:
        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


# ----------------------------------------------------------------------------- dates

_Y = r"(?:19|20)\d{2}"
_CN_Y = r"[〇零○OＯ一二三四五六七八九]{4}"
_CN_MD = r"[一二三四五六七八九十]{1,3}"
#: a date as official documents and pages print it (Arabic, Chinese numerals or ISO)
DATE = (rf"(?:{_Y}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|{_CN_Y}年{_CN_MD}月{_CN_MD}日"
        rf"|{_Y}[-/.]\d{{1,2}}[-/.]\d{{1,2}})")
_DATE_PARTS = re.compile(
    rf"(?P<y>{_Y}|{_CN_Y})\s*[年/.-]\s*(?P<m>\d{{1,2}}|{_CN_MD})\s*[月/.-]\s*(?P<d>\d{{1,2}}|{_CN_MD})"
)


def parse_date(s) -> pd.Timestamp | None:
    """The first date in ``s``: ``2022年12月12日``, ``二〇二二年十二月十二日``, ``2022-12-12``, ``2022/12/12``.

    Parameters
    ----------
    s : str or None
        Text holding a date.

    Returns
    -------
    pandas.Timestamp or None
        None when there is no valid date.

    Examples
    --------
    >>> str(parse_date("成文日期:2022年12月12日").date()), parse_date("2022年13月40日")
    ('2022-12-12', None)
    """
    if s is None or (not isinstance(s, str) and pd.isna(s)):
        return None
    m = _DATE_PARTS.search(fold(str(s)))
    if not m:
        return None
    y, mo, d = (cn_number(m.group(k)) for k in ("y", "m", "d"))
    try:
        return pd.Timestamp(year=y, month=mo, day=d)
    except (TypeError, ValueError):
        return None


# ----------------------------------------------------------------------------- horizons

#: a year in Arabic digits or Chinese numerals written digit by digit (二〇二五)
YEAR = r"(?:19|20)\d{2}|[一二][〇零九][〇零一二三四五六七八九][〇零一二三四五六七八九]"
_YEAR = YEAR
# a horizon is a year, maybe led by 到/至/截至… and followed by 年底/末 or 前/以前. The scan looks for the
# year first (a cheap character class) and then back for its lead word: a pattern opening with an
# optional lead word would be tried at every position of every line.
# YEAR written to open with one character class (the first character's branch chosen by a look-behind):
# the same strings, but the regex engine skips ahead to a 1, 2, 一 or 二 instead of trying the
# pattern at every position
_YEAR_FIRST_CLASS = (
    r"[12一二](?:(?<=1)9\d{2}|(?<=2)0\d{2}|(?<=[一二])[〇零九][〇零一二三四五六七八九][〇零一二三四五六七八九])"
)
_HORIZON_RE = re.compile(
    rf"(?P<year>{_YEAR_FIRST_CLASS})\s*年\s*(?P<suf>年底|年末|底|末)?\s*(?P<before>前|以前)?"
)
_LEAD_WORD = re.compile(r"(?:截止到|截至|截止|直至|力争到|争取到|预计到|计划到|力争在|争取在|到|至)$")
_FYP_RE = re.compile(r"(?:到|至)?\s*“?十(?P<n>[一二三四五六七八九])五”?\s*(?:规划)?\s*(?:时期|期)?末")
# every match of _FYP_RE holds 十X五 as written: a text without it holds no match. _FYP_RE opens with
# optional words, so the engine tries it at every position; this opens with a literal, which it skips
# ahead to (a text holding 五 was 0.11 CPU-s per 10 MB through _FYP_RE, 5 ms through this)
_FYP_CORE = re.compile(r"十[一二三四五六七八九]五")
_NOT_HORIZON_AFTER = re.compile(r"\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*月|\s*(?:版|起|以来|度)")
_YEAR_ONLY = re.compile(_YEAR)
_DASHES = frozenset("-—–~～至到")


def _range_before(text: str, pos: int) -> bool:
    """Whether a year range's first half ends at ``pos`` (``2018-``, ``2018年至``): a plan period.

    The same test as ``re.search(YEAR + r"\\s*年?\\s*[-—–~～至到]\\s*$", text[:pos])``, read
    backwards from ``pos`` instead of scanning the whole text before it.
    """
    e = pos
    while e > 0 and text[e - 1].isspace():
        e -= 1
    if e == 0 or text[e - 1] not in _DASHES:
        return False
    e -= 1
    while e > 0 and text[e - 1].isspace():
        e -= 1
    if e > 0 and text[e - 1] == "年":
        e -= 1
        while e > 0 and text[e - 1].isspace():
            e -= 1
    return e >= 4 and _YEAR_ONLY.fullmatch(text, e - 4, e) is not None


def inside(text: str, pos: int, open_: str, close: str) -> tuple[int, int] | None:
    """``(start, end)`` of the ``open_ … close`` span around ``pos`` (e.g. a 《title》), or None.

    Parameters
    ----------
    text : str
    pos : int
        An offset in ``text``.
    open_, close : str
        The bracket pair.

    Returns
    -------
    tuple of int, or None

    Examples
    --------
    >>> inside("根据《2025年规划》,到2025年", 4, "《", "》"), inside("根据《规划》,到2025年", 10, "《", "》")
    ((2, 10), None)
    """
    o = text.rfind(open_, 0, pos)
    if o < 0 or text.rfind(close, 0, pos) > o:
        return None
    c = text.find(close, pos)
    return (o, c if c != -1 else len(text))


def horizons(text: str, *, folded: bool = False) -> list[tuple[int, int, str]]:
    """Every horizon year of ``text`` with its offset and kind, in text order.

    ``kind`` is ``'by'`` for a deadline (到/至/截至…2025年, 2025年底, 2025年前, 到“十四五”末) and
    ``'stage'`` for a year opening a sentence before , : or 、 (``2023年,完成…``), which is a stage
    goal only in a goals section (:func:`policylab.meta.target_years` checks the heading).

    Parameters
    ----------
    text : str
        Any text (folded here; offsets refer to the folded text, of the same length).
    folded : bool
        ``text`` is folded already (:func:`fold`, :func:`lines_of`): the fold, a scan of the whole
        text, is skipped.

    Returns
    -------
    list of (int, int, str)
        ``(offset, year, kind)`` sorted by offset; the offset is where the horizon's words start
        (the lead word 到, else the year).

    Examples
    --------
    >>> horizons("到2026年底,建成平台。2023年,完成规划。本方案(2018-2020年)自2020年12月1日起施行。")
    [(0, 2026, 'by'), (13, 2023, 'stage')]
    >>> horizons("到“十四五”末,建成5个平台。")
    [(0, 2025, 'by')]
    >>> horizons("至２０２５年", folded=False) == horizons(fold("至２０２５年"), folded=True)
    True
    """
    if "年" not in text and "五" not in text:
        return []  # a horizon holds 年, a five-year plan's end 五 (folding makes neither)
    if not folded:
        text = fold(text)
    out = []
    prev_end = 0  # where the previous match ended: its characters are no one else's lead word
    for m in _HORIZON_RE.finditer(text):
        ys = m.start("year")
        start = ys
        while start > prev_end and text[start - 1].isspace():
            start -= 1
        lead = _LEAD_WORD.search(text, max(prev_end, start - 3), start)
        if lead is not None:
            start = lead.start()
        prev_end = m.end()
        year = cn_number(m.group("year"))
        if year is None or not 1949 <= year <= 2100:
            continue
        if _NOT_HORIZON_AFTER.match(text, m.end()) and not m.group("suf") and not m.group("before"):
            continue
        if _range_before(text, ys):
            continue  # (2018-2020年), 2018至2020年: a plan period, not a horizon
        if inside(text, start, "《", "》"):
            continue
        if lead is not None or m.group("suf") or m.group("before"):
            out.append((start, year, "by"))
            continue
        # a stage goal opens a sentence: "2023年,组织实施..."
        k = ys
        while k > 0 and text[k - 1] == " ":
            k -= 1
        opens = k == 0 or text[k - 1] in "。;!?\n"
        if opens and text[m.end() : m.end() + 1] in (",", ":", "、"):
            out.append((start, year, "stage"))
    if "五" in text and _FYP_CORE.search(text):
        for m in _FYP_RE.finditer(text):
            n = 10 + "一二三四五六七八九".index(m.group("n")) + 1
            out.append((m.start(), 1955 + 5 * n, "by"))  # the Nth five-year plan (N >= 3) ends in 1955 + 5N
    return sorted(out)


def find_horizons(text: str, *, folded: bool = False) -> list[tuple[int, int]]:
    """Horizon years in ``text`` as ``(offset, year)`` pairs, in text order (see :func:`horizons`).

    Parameters
    ----------
    text : str
    folded : bool
        ``text`` is folded already (see :func:`horizons`).

    Returns
    -------
    list of (int, int)

    Examples
    --------
    >>> find_horizons("到2025年,建成10个平台。2023年,完成规划。本方案(2018-2020年)自2020年12月1日起施行。")
    [(0, 2025), (15, 2023)]
    """
    return [(offset, year) for offset, year, _ in horizons(text, folded=folded)]
