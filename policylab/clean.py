"""Clean: a scraped page's text -> the policy document's clean text, with an audit of every change.

The steps, in order, for one page:

1. **Normalise** each line: Unicode NFC; full-width ASCII-range forms folded to half-width
   (``（一）`` -> ``(一)``, ``，`` -> ``,``, ``：`` -> ``:``, full-width digits -> ASCII, U+3000 -> space)
   while ``、。〔〕“”《》——【】`` stay as they are; zero-width characters dropped; runs of spaces
   folded to one.
2. **Repair converter artefacts**: a pinyin reading in parentheses after a character (``發(fā)``),
   left by sites that run text through a Traditional converter with ruby annotations.
3. **Convert Traditional to Simplified** with OpenCC (``t2s``) when the page is Traditional, and
   audit the result: characters that are still Traditional are counted.
4. **Classify lines**: each line is kept, or removed with a reason. Patterns for each *kind* of
   noise (spam, navigation, buttons, forms, QR prompts, links, phone numbers, footers, figure
   captions) live in ``resources/noise_patterns.csv``; page-metadata lines (发布时间, 发文部门 ...,
   labels in ``resources/page_field_labels.csv``) leave the text and become page fields.
   Structural cues do the rest: the *body* runs from the first to the last line of running prose;
   before and after it only lines with the shape of an official document's parts (title, 文号,
   addressees, signature, date) survive.
5. **Join lines** broken by PDF extraction (a title split over two lines, a paragraph cut mid-sentence).

Length: about 880 lines, of which some 350 are docstrings and examples. The five steps share the
line classification state of one page (:func:`clean_page`), so they stay together; the document
frame's line shapes they test are in :mod:`policylab.frame`, the text primitives in
:mod:`policylab.text`.

Examples
--------
>>> from policylab.clean import clean_page
>>> r = clean_page("點贊\\n關於印發(fā)人工智能實施方案的通知\\n各區人民政府:\\n"
...                "現將《實施方案》印發(fā)給你們,請認真組織實施,到2025年產業規模超過500億元。")
>>> print(r.text)
关于印发人工智能实施方案的通知
各区人民政府:
现将《实施方案》印发给你们,请认真组织实施,到2025年产业规模超过500亿元。
>>> r.script, r.n_artefacts_repaired, [x.reason for x in r.removed]
('traditional', 2, ['share_buttons'])
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from policylab import resources
from policylab.frame import (
    ADDRESSEE_SHAPE,
    ANNEX_LINE,
    DATE_LINE,
    DOC_NUMBER_SHAPE,
    HEADING_SHAPE,
    ORGAN_LINE_SHAPE,
    PUBLIC_NOTE,
    TITLE_END,
    continues_title,
    is_structural,
)
from policylab.text import _NEEDS_PAGE_WIDTH, count_han, fold_page

# ---------------------------------------------------------------------------------------------
# 1. normalisation
# ---------------------------------------------------------------------------------------------
_SPACES = re.compile(r"[ \t\f\v]+")


def normalise_line(line: str) -> str:
    """NFC, half-width ASCII-range punctuation and digits, single spaces, stripped.

    Parameters
    ----------
    line : str
        A raw line of a page.

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_line("　（一）总体目标：到２０２５年，")
    '(一)总体目标:到2025年,'
    """
    line = unicodedata.normalize("NFC", line)
    line = fold_page(line)
    if "  " in line or "\t" in line or "\x0b" in line or "\x0c" in line:  # else no run to fold
        line = _SPACES.sub(" ", line)
    return line.strip()


def normalise_lines(raw: str, raw_lines: list[str]) -> list[str]:
    """``[normalise_line(x) for x in raw_lines]``, ``raw_lines`` being :func:`split_lines` of ``raw``.

    Most pages are in NFC already and hold no character :func:`policylab.text.fold_page` changes:
    each is then tested once on the whole page, not on every line (a line is a piece of the page
    cut at line boundaries, which NFC neither moves nor joins to anything), and a line is only
    stripped (and its space runs folded).

    Parameters
    ----------
    raw : str
        A page.
    raw_lines : list of str
        ``split_lines(raw)``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> raw = "　（一）总体目标：到２０２５年，\\n 正文  两个空格 "
    >>> normalise_lines(raw, split_lines(raw))
    ['(一)总体目标:到2025年,', '正文 两个空格']
    >>> normalise_lines("标题\\n 正文 ", ["标题", " 正文 "])
    ['标题', '正文']
    """
    if not unicodedata.is_normalized("NFC", raw) or _NEEDS_PAGE_WIDTH.search(raw) is not None:
        return [normalise_line(x) for x in raw_lines]
    if "  " in raw or "\t" in raw or "\x0b" in raw or "\x0c" in raw:
        return [(_SPACES.sub(" ", x) if "  " in x or "\t" in x or "\x0b" in x or "\x0c" in x else x).strip()
                for x in raw_lines]
    return [x.strip() for x in raw_lines]


# ---------------------------------------------------------------------------------------------
# 2. converter artefacts: 發(fā) -> 發
# ---------------------------------------------------------------------------------------------
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# the look-behind for the character stands after the "(" (it sees both): the pattern opens with a
# literal the regex engine skips ahead to, where a look-behind first is tried at every position
_PINYIN = re.compile(
    r"\((?<=[\u3400-\u9fff]\()(?P<py>(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"[aeiouvü" + _TONED + r"][a-zü" + _TONED + r"]{0,4})\)"
)


def repair_artefacts(text: str) -> tuple[str, int]:
    """Remove pinyin readings in parentheses after a character; returns ``(text, n_removed)``.

    A reading with a tone mark (``(fā)``) is always an artefact. One without (``(de)``) is removed
    only when the page has at least three toned ones, because a bare ``(a)`` after a character
    can be real text.

    Parameters
    ----------
    text : str

    Returns
    -------
    (str, int)
        The repaired text and the number of readings removed.

    Examples
    --------
    >>> repair_artefacts("發(fā)展產業(yè)")
    ('發展產業', 2)
    """
    matches = list(_PINYIN.finditer(text))
    toned = sum(1 for m in matches if any(c in _TONED for c in m.group("py")))
    if not matches:
        return text, 0
    keep_bare = toned < 3
    n = 0

    def sub(m: re.Match) -> str:
        nonlocal n
        if keep_bare and not any(c in _TONED for c in m.group("py")):
            return m.group(0)
        n += 1
        return ""

    return _PINYIN.sub(sub, text), n


# ---------------------------------------------------------------------------------------------
# 3. Traditional -> Simplified
# ---------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=65536)
def _is_traditional_char(ch: str) -> bool:
    return _t2s().convert(ch) != ch


_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


@functools.lru_cache(maxsize=1)
def _traditional_class() -> re.Pattern:
    # every Han character (U+3400..U+9FFF) that t2s changes on its own, as one character class: a page
    # is then counted in one C-speed scan (built once, before a pool forks)
    chars = [chr(c) for c in range(0x3400, 0xA000)]
    conv = _t2s().convert("\n".join(chars)).split("\n")
    if len(conv) != len(chars):  # a converter that joins across lines: test one by one
        conv = [_t2s().convert(ch) for ch in chars]
    trad = [ch for ch, c in zip(chars, conv) if c != ch]
    return re.compile("[" + "".join(trad) + "]")


def traditional_chars(text: str) -> int:
    """Number of characters in ``text`` that OpenCC's t2s would change (i.e. Traditional-only).

    Parameters
    ----------
    text : str

    Returns
    -------
    int

    Examples
    --------
    >>> traditional_chars("發展产业"), traditional_chars("发展产业")
    (1, 0)
    """
    return len(_traditional_class().findall(text))


def detect_script(text: str) -> str:
    """'traditional' when at least 3 % of the Han characters (and 5 or more) are Traditional-only.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        'traditional' or 'simplified'.

    Examples
    --------
    >>> detect_script("關於印發人工智能產業發展實施方案的通知"), detect_script("关于印发人工智能实施方案的通知")
    ('traditional', 'simplified')
    """
    return _script(text, traditional_chars(text))


def _script(text: str, trad: int) -> str:
    """:func:`detect_script` of ``text`` holding ``trad`` Traditional-only characters."""
    if trad < 5:
        return "simplified"
    han = sum(map(len, _HAN_RUN.findall(text)))
    return "traditional" if trad >= 0.03 * han else "simplified"


def _has_traditional_and_script(text: str) -> tuple[bool, str]:
    """``(traditional_chars(text) > 0, detect_script(text))``, counting only as far as the script
    needs: up to 5 Traditional-only characters, then up to 3 % of the Han ones (a Traditional page
    holds many times that; counting all of them cost as much as scanning every page).

    Examples
    --------
    >>> _has_traditional_and_script("關於印發人工智能產業發展實施方案的通知"), _has_traditional_and_script("发展")
    ((True, 'traditional'), (False, 'simplified'))
    """
    found = _traditional_class().finditer(text)
    n = 0
    for _ in found:
        n += 1
        if n >= 5:
            break
    if n < 5:
        return n > 0, "simplified"
    need = 0.03 * sum(map(len, _HAN_RUN.findall(text)))
    if n >= need:
        return True, "traditional"
    for _ in found:
        n += 1
        if n >= need:
            return True, "traditional"
    return True, "simplified"


def to_simplified(text: str) -> str:
    """Convert Traditional text to Simplified with OpenCC's ``t2s`` configuration.

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> to_simplified("關於印發實施方案")
    '关于印发实施方案'
    """
    return _t2s().convert(text)


# ---------------------------------------------------------------------------------------------
# 4. line classification
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NoiseRule:
    kind: str
    match: str  # 'regex' or 'terms'
    pattern: re.Pattern | tuple[str, ...]
    zone: str  # 'any': anywhere; 'edge': only before/after the body
    max_len: int | None
    min_hits: int
    cut: bool  # a footer marker: what follows it on the page is footer too
    note: str

    def matches(self, line: str) -> bool:
        """Whether ``line`` is noise of this rule's kind (its length cap, then its terms or regex).

        Parameters
        ----------
        line : str
            A normalised line.

        Returns
        -------
        bool

        Examples
        --------
        >>> rule = next(r for r in noise_rules() if r.kind == "share_buttons")
        >>> rule.matches("点赞"), rule.matches("到2025年,人工智能产业规模超过500亿元。")
        (True, False)
        """
        if self.max_len and len(line) > self.max_len:
            return False
        if self.match == "terms":
            low = line.lower()
            return sum(1 for t in self.pattern if t in low) >= self.min_hits
        return self.pattern.search(line) is not None


@functools.lru_cache(maxsize=None)
def noise_rules(name: str = "noise_patterns.csv") -> tuple[NoiseRule, ...]:
    """The noise rules of a patterns file (default: the package's reviewed ``noise_patterns.csv``).

    Parameters
    ----------
    name : str
        A file name under ``policylab/resources`` or a path (one with a ``/``).

    Returns
    -------
    tuple of NoiseRule

    Examples
    --------
    >>> "share_buttons" in {r.kind for r in noise_rules()}
    True
    """
    rules = []
    with open(resources.path(name) if "/" not in name else name, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["match"] == "terms":
                pat = tuple(t.lower() for t in row["pattern"].split("|") if t)
            else:
                pat = re.compile(row["pattern"], re.IGNORECASE)
            rules.append(
                NoiseRule(
                    kind=row["kind"],
                    match=row["match"],
                    pattern=pat,
                    zone=row["zone"],
                    max_len=int(row["max_len"]) if row["max_len"] else None,
                    min_hits=int(row["min_hits"] or 1),
                    cut=row["cut"] == "1",
                    note=row["note"],
                )
            )
    return tuple(rules)


# a pattern holding one of these may match a line alone but not the same line inside a page (an
# absolute anchor, a look-around that could see the next line, a possessive or atomic part that could
# run past the line's end): such a rule is tested line by line
_NOT_LINE_LOCAL = re.compile(r"\\[AZz]|\(\?[=!>]|\(\?<[=!]|[*+?}]\+")


@functools.lru_cache(maxsize=None)
def _line_filters(name: str = "noise_patterns.csv") -> tuple[re.Pattern | None, ...]:
    """One pattern per rule of :func:`noise_rules`, searched in several lines joined by newlines.

    A line the rule matches holds a match of its filter at the same offset: a regex rule's filter is
    its pattern with ``^``/``$`` at every line (MULTILINE), a terms rule's the alternation of its
    terms (searched in the lowered lines). The filter may also match across lines, or where the rule
    does not match (a terms rule needing several terms): each line it finds is then tested by the
    rule itself. None: the pattern is not line-local (see ``_NOT_LINE_LOCAL``), test every line.

    Examples
    --------
    >>> [f is None for f in _line_filters()][:3]
    [False, False, False]
    """
    out = []
    for rule in noise_rules(name):
        if rule.match == "terms":
            out.append(_terms_filter(rule.pattern))
        elif _NOT_LINE_LOCAL.search(rule.pattern.pattern):
            out.append(None)
        else:
            out.append(re.compile(rule.pattern.pattern, rule.pattern.flags | re.MULTILINE))
    return tuple(out)


def _trie(terms) -> str:
    """A regex that matches at a position iff one of ``terms`` (non-empty) starts there.

    The terms as a tree by their characters (``国产|国际`` -> ``国(?:产|际)``): the engine tries one
    branch per first character at a position, not every term; a term that is a prefix of another
    stands for both (only where a match starts is wanted).

    Examples
    --------
    >>> _trie(["在线视频", "在线观看", "视频", "视"])
    '在线(?:视频|观看)|视'
    """
    return "|".join(_trie_branches(terms))


def _trie_branches(terms) -> list[str]:
    """:func:`_trie`'s alternatives, one per first character."""
    groups: dict[str, list[str]] = {}
    for t in terms:
        groups.setdefault(t[0], []).append(t[1:])
    alts = []
    for ch, tails in groups.items():
        if "" in tails:  # a term ends here: whatever follows, a match starts at this position
            alts.append(re.escape(ch))
            continue
        inner = _trie_branches(tails)
        alts.append(re.escape(ch) + (inner[0] if len(inner) == 1 else "(?:" + "|".join(inner) + ")"))
    return alts


@functools.lru_cache(maxsize=None)
def _terms_filter(terms: tuple[str, ...]) -> re.Pattern:
    """The filter of terms rules: matches where one of ``terms`` starts (see :func:`_trie`).

    Examples
    --------
    >>> [m.start() for m in _terms_filter(("视频", "在线视频")).finditer("在线视频 视频")]
    [0, 5]
    """
    return re.compile(_trie(sorted(set(terms))))


# the code points among which the case variants of an ASCII letter lie (K, ſ, İ, ı, the Kelvin
# sign ...): an IGNORECASE letter matches these and no others (tested over every code point)
_CASE_SCAN = 0x2200


def _first_chars(items, flags: int, anchored: list | None = None):
    """``(chars, nullable)`` of a parsed pattern sequence (``re._parser``): the characters a match
    not starting at a line start can begin with, and whether the sequence can match empty; None
    when that is not known (a class by category, a negated one, a look-around, a back reference ...).
    A sequence opening with ``^`` (MULTILINE) can only match at a line start: it adds no character,
    and ``anchored`` (a list) gets an item."""
    from re import _constants as c

    chars: set = set()
    for k, (op, av) in enumerate(items):
        if op is c.AT:
            if av in (c.AT_BEGINNING, c.AT_BEGINNING_LINE) and k == 0 and flags & re.MULTILINE:
                if anchored is not None:
                    anchored.append(True)
                return chars, False  # a line start: matches there are found by their line
            if av in (c.AT_BOUNDARY, c.AT_NON_BOUNDARY, c.AT_END, c.AT_END_LINE):
                continue  # zero width: the next item opens the match
            return None
        if op in (c.LITERAL, c.IN):
            got, nullable = set(), False
            for iop, iav in ([(op, av)] if op is c.LITERAL else av):
                if iop is c.LITERAL:
                    got.add(chr(iav))
                elif iop is c.RANGE and iav[1] - iav[0] <= 1000:
                    got.update(map(chr, range(iav[0], iav[1] + 1)))
                else:
                    return None
            if flags & re.IGNORECASE:
                cased = {ch for ch in got if ch.lower() != ch or ch.upper() != ch or ch.casefold() != ch}
                if any(not ch.isascii() for ch in cased):
                    return None  # only an ASCII letter's case variants are known to lie in _CASE_SCAN
                if cased:  # the characters the engine matches to them, found by the engine itself
                    cls = re.compile("[" + "".join(map(re.escape, sorted(cased))) + "]", re.IGNORECASE)
                    got |= set(cls.findall(_case_scan_chars()))
        elif op is c.SUBPATTERN:
            _, add, delete, sub = av
            r = _first_chars(list(sub), (flags | add) & ~delete, anchored)
            if r is None:
                return None
            got, nullable = r
        elif op is c.BRANCH:
            got, nullable = set(), False
            for branch in av[1]:
                r = _first_chars(list(branch), flags, anchored)
                if r is None:
                    return None
                got |= r[0]
                nullable = nullable or r[1]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            lo, hi, sub = av
            r = _first_chars(list(sub), flags, anchored)
            if r is None:
                return None
            got, nullable = r[0], r[1] or lo == 0
        else:
            return None
        chars |= got
        if not nullable:
            return chars, False
    return chars, True


def _skips_ahead(items, flags: int) -> bool:
    """Whether a parsed pattern opens with what the regex engine skips ahead to: a literal, a class
    or an alternation of literals, none of them a cased letter under IGNORECASE."""
    from re import _constants as c

    while items and items[0][0] is c.SUBPATTERN:
        _, add, delete, sub = items[0][1]
        items, flags = list(sub), (flags | add) & ~delete

    def plain(ch: int) -> bool:
        x = chr(ch)
        return not flags & re.IGNORECASE or (x.lower() == x and x.upper() == x and x.casefold() == x)

    if not items:
        return False
    op, av = items[0]
    if op is c.LITERAL:
        return plain(av)
    if op is c.IN:
        return all(iop is c.LITERAL and plain(iav) for iop, iav in av)
    if op is c.BRANCH:
        return all(b and b[0][0] is c.LITERAL and plain(b[0][1]) for b in av[1])
    return False


@functools.lru_cache(maxsize=1)
def _case_scan_chars() -> str:
    return "".join(map(chr, range(_CASE_SCAN)))


@functools.lru_cache(maxsize=None)
def _witness_filters(pattern: re.Pattern):
    """Two patterns that find, in lines joined by newlines, every match of the line-local ``pattern``
    (MULTILINE) where it starts -- or None, when its first characters are not known.

    The first opens with the class of characters a match not at a line start can begin with (case
    variants included): the regex engine skips ahead to them, and a look-behind holding a look-ahead
    then tries ``pattern`` at that very character. The second, searched in the text with a newline
    put before it, opens with that newline (a literal) and tries ``pattern`` right after it, at each
    line start. A pattern tried at every position of a page costs 20-120 ns a character
    (IGNORECASE with Latin letters, ``^`` alternatives); these two, a few.
    """
    try:
        from re import _parser

        anchored: list = []
        parsed = list(_parser.parse(pattern.pattern, pattern.flags))
        if _skips_ahead(parsed, pattern.flags):
            return None  # the engine skips ahead to its first character already: nothing to gain
        first = _first_chars(parsed, pattern.flags, anchored)
        if first is None or first[1]:
            return None
        body = f"(?={pattern.pattern})"
        anywhere = at_line_start = None
        if first[0]:
            cls = "[" + "".join(map(re.escape, sorted(first[0]))) + "]"
            anywhere = re.compile(f"(?-i:{cls})(?<={body}(?s:.))", pattern.flags)
        if anchored:
            at_line_start = re.compile(r"\n" + body, pattern.flags)
    except Exception:  # an engine whose parser or syntax is not this one's: the plain filter
        return None
    return anywhere, at_line_start


def _lines_holding(pattern: re.Pattern, text: str, lines: list[str], sub: list[int]):
    """The indices ``i`` (of ``sub``, in order) of the lines ``lines[i]`` in which a match of ``pattern``
    starts, ``text`` being those lines joined by newlines: one regex pass over the text, and a line
    is given once however many matches it holds (the search goes on at the next line).

    Examples
    --------
    >>> lines = ["首页", "正文", "发布时间:2024-01-01", "首页 > 政策"]
    >>> list(_lines_holding(re.compile("首页"), "\\n".join(lines), lines, [0, 1, 2, 3]))
    [0, 3]
    """
    pos, k, start, n = 0, 0, 0, len(text)
    while pos <= n and k < len(sub):
        m = pattern.search(text, pos)
        if m is None:
            return
        # the line holding the match's start (lines are visited in order: walk forward)
        while start + len(lines[sub[k]]) < m.start():
            start += len(lines[sub[k]]) + 1
            k += 1
        yield sub[k]
        start += len(lines[sub[k]]) + 1
        k += 1
        pos = start


def _first_rule(rules: list[tuple[NoiseRule, re.Pattern | None]], lines: list[str], low: list[str],
                idxs: list[int]) -> dict[int, str]:
    """``{i: kind}``: for each line ``lines[i]`` (``i`` in ``idxs``), the kind of the first of ``rules``
    (in order) that matches it; lines no rule matches are left out.

    Each rule scans the lines it may match (not longer than its ``max_len``) joined by newlines, with
    its line filter, in one regex pass: a line holding no match of the filter is not tested, one
    holding a match is tested by :meth:`NoiseRule.matches` itself, so the result is the line-by-line
    one. ``low`` is ``lines`` lowered (terms rules test lowered lines).
    """
    found: dict[int, str] = {}
    subsets: dict = {}  # max_len -> [indices of the lines, their text joined, lowered and joined]
    # the terms rules of a length cap share one pass of the filter of all their terms: each then
    # tests the lines holding any term (a line holding none of its own fails the rule's own test)
    terms_held: dict = {}  # max_len -> the lines (of its subset) holding a term of any terms rule
    for rule, filt in rules:
        key = rule.max_len
        if key not in subsets:
            sub = idxs if key is None else [i for i in idxs if len(lines[i]) <= key]
            subsets[key] = [sub, None, None]
        sub = subsets[key][0]
        if not sub:
            continue
        if filt is None:
            hits = [i for i in sub if rule.matches(lines[i])]
        else:
            entry = subsets[key]  # the joined lines are built once per length cap, when first needed
            if rule.match == "terms":
                if entry[2] is None:
                    entry[2] = "\n".join(low[i] for i in sub)
                text, src = entry[2], low
            else:
                if entry[1] is None:
                    entry[1] = "\n".join(lines[i] for i in sub)
                text, src = entry[1], lines
            witness = _witness_filters(filt) if rule.match == "regex" else None
            if rule.match == "terms":
                if key not in terms_held:
                    every = tuple(t for r, f in rules if r.match == "terms" and f is not None and r.max_len == key
                                  for t in r.pattern)
                    terms_held[key] = list(_lines_holding(_terms_filter(every), text, src, sub))
                held = terms_held[key]
            elif witness is None:
                held = _lines_holding(filt, text, src, sub)
            else:
                # the lines holding a match at a character of its first class, and those holding
                # one at their start (the newline before each line is the witness: a text with
                # one more newline in front, so a line's start is that newline's offset)
                anywhere, at_line_start = witness
                held = set(_lines_holding(anywhere, text, src, sub)) if anywhere is not None else set()
                if at_line_start is not None:
                    if len(entry) == 3:
                        entry.append("\n" + text)  # built once per length cap, as the joined lines
                    held.update(_lines_holding(at_line_start, entry[3], src, sub))
                held = sorted(held)
            hits = [i for i in held if rule.matches(lines[i])]
        for i in hits:
            found.setdefault(i, rule.kind)
    return found


@functools.lru_cache(maxsize=1)
def page_field_labels() -> dict[str, str]:
    """Page-metadata label -> normalised field name (from ``page_field_labels.csv``).

    Returns
    -------
    dict

    Examples
    --------
    >>> page_field_labels()["发布时间"]
    'published'
    """
    with open(resources.path("page_field_labels.csv"), encoding="utf-8", newline="") as fh:
        return {row["label"]: row["field"] for row in csv.DictReader(fh)}


@functools.lru_cache(maxsize=1)
def _label_regex() -> re.Pattern:
    labels = sorted(page_field_labels(), key=len, reverse=True)
    return re.compile(r"(?P<label>" + "|".join(map(re.escape, labels)) + r")\s*[:：]\s*")


def _tree(terms) -> str:
    """A regex matching each of ``terms`` (non-empty) and nothing else: the terms as a tree by
    characters, every term kept whole (unlike :func:`_trie`, what follows may still fail).

    Where a match may start does not hang on the order in which the engine tries the terms:
    followed by the same pattern, the tree and the terms' alternation match at the same places.

    Examples
    --------
    >>> _tree(["发布时间", "发布", "来源"])
    '(?:发布(?:时间|)|来源)'
    """
    groups: dict[str, list[str]] = {}
    for t in terms:
        groups.setdefault(t[0], []).append(t[1:])
    alts = []
    for ch, tails in groups.items():
        rest = [t for t in tails if t]
        inner = _tree(rest) if rest else ""
        if rest and "" in tails:  # a term ends here too: the longer ones, or nothing more
            inner = f"(?:{inner}|)"
        alts.append(re.escape(ch) + inner)
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


@functools.lru_cache(maxsize=1)
def _label_filter() -> re.Pattern:
    """Found in a text where :func:`_label_regex` is (its labels as a tree, :func:`_tree`; its
    closing ``\\s*`` matches the empty string): the filter of the lines holding a label. At each
    label's first character (发, 文, 日 are common) the engine follows one branch, not 64 labels.

    The label pattern itself is compiled here too: a process warmed by one :func:`clean_page`
    call (before a pool forks) holds both, as it held the pattern when that was the filter.
    """
    _label_regex()
    return re.compile(_tree(sorted(page_field_labels(), key=len, reverse=True)) + r"\s*[:：]")


@functools.lru_cache(maxsize=1)
def policy_cues() -> tuple[re.Pattern, ...]:
    r"""The cues of an official policy text (``resources/policy_cues.txt``), compiled.

    A page shows a cue when one of these patterns is found in its clean text; the corpus gate
    (:func:`policylab.page.policy_text_gate`) counts distinct cues.

    Returns
    -------
    tuple of re.Pattern

    Examples
    --------
    >>> sum(1 for cue in policy_cues() if cue.search("关于印发实施方案的通知\n一、指导思想")) >= 2
    True
    """
    lines = resources.path("policy_cues.txt").read_text(encoding="utf-8").splitlines()
    return tuple(re.compile(x) for x in lines if x.strip() and not x.startswith("#"))


@functools.lru_cache(maxsize=1)
def _cue_tests() -> tuple:
    """:func:`policy_cues` with each cue that is a plain string (no character of the regex syntax,
    no flag) as that string: ``s in text`` finds what ``re.compile(s).search(text)`` finds, faster."""
    return tuple(c.pattern if re.escape(c.pattern) == c.pattern and c.flags == re.UNICODE else c
                 for c in policy_cues())


def count_cues(text: str, stop_at: int | None = None) -> int:
    """Number of distinct policy-text cues (:func:`policy_cues`) ``text`` shows.

    Parameters
    ----------
    text : str
        A clean text.
    stop_at : int, optional
        Stop counting once this many are found (a gate asking "at least n?" need not try every
        cue on the whole text): the result is then ``min(count, stop_at)``.

    Returns
    -------
    int

    Examples
    --------
    >>> count_cues("关于印发实施方案的通知\\n一、指导思想\\n到2025年,…")
    4
    >>> count_cues("关于印发实施方案的通知\\n一、指导思想\\n到2025年,…", stop_at=2)
    2
    """
    n = 0
    for cue in _cue_tests():
        if (cue in text) if isinstance(cue, str) else (cue.search(text) is not None):
            n += 1
            if stop_at is not None and n >= stop_at:
                break
    return n


_DATE_ISO = r"(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}"
# a site's date line: an ISO date, maybe a time, maybe a view count (2020-11-17 2732; 阅读 321)
_SITE_DATE = re.compile(
    rf"^(?P<date>{_DATE_ISO})(?:\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"
    r"(?:\s*(?:阅读|浏览|点击|访问|阅读量|浏览量|浏览次数|阅读次数)?\s*:?\s*\d+\s*次?)?$"
)
_SENTENCE_PUNCT = re.compile(r"[。;,:!?、]")
_HAN = re.compile(r"[\u3400-\u9fff]")




# an edition label closing a title: (2026年版), (2024年修订版), (试行), (暂行), (征求意见稿), (第二版)
_EDITION_LABEL = re.compile(
    r"\s*\((?:(?:19|20)\d{2}\s*年\s*(?:修订|修正)?版|试行|暂行|修订稿?|征求意见稿|送审稿|第[一二三四五六七八九十\d]+版)\)$"
)
MENU_RUN = 6  # short label lines in a row before the body that make a site menu
# a menu item: a short label, no punctuation, no digits (市教育局, 新闻中心, 政务公开)
_MENU_ITEM = re.compile(r"^[\u3400-\u9fffA-Za-z·]{2,12}$")


def is_prose(line: str) -> bool:
    """A line of running text: 20 or more Han characters with sentence punctuation, or a shorter
    sentence (8 or more Han characters) that ends with 。 or ;.

    Parameters
    ----------
    line : str

    Returns
    -------
    bool

    Examples
    --------
    >>> is_prose("加快建设人工智能创新应用先导区。"), is_prose("首页 > 政策文件")
    (True, False)
    """
    if len(line) < 8:
        return False  # fewer than 8 characters, fewer than 8 Han characters
    if not line.endswith(("。", ";", "!", "?")) and _SENTENCE_PUNCT.search(line) is None:
        return False  # neither kind of prose: no need to count
    n = count_han(line)
    if n >= 20 and _SENTENCE_PUNCT.search(line) is not None:
        return True
    return n >= 8 and line.endswith(("。", ";", "!", "?"))


FIELD_LINE_MAX = 160  # a line of page fields is short: a longer one is text


def parse_page_fields(line: str) -> list[tuple[str, str, str]] | None:
    """``[(field, label, value), ...]`` if the line is made of page-metadata pairs, else None.

    Parameters
    ----------
    line : str
        A normalised line.

    Returns
    -------
    list of (str, str, str), or None

    Examples
    --------
    >>> parse_page_fields("政策汇编 (9475) 发布于:2020-04-22 更新于:2022-04-22 来自:合肥市人民政府")
    [('published', '发布于', '2020-04-22'), ('updated', '更新于', '2022-04-22'), ('source', '来自', '合肥市人民政府')]
    """
    if len(line) > FIELD_LINE_MAX:
        return None
    ms = list(_label_regex().finditer(line))
    # what precedes the first label is at most a short tag (政策汇编 (9475)), never part of a sentence
    if not ms or ms[0].start() > 16 or re.search(r"[。,;:、]", line[: ms[0].start()]):
        return None
    labels = page_field_labels()
    out = []
    for i, m in enumerate(ms):
        end = ms[i + 1].start() if i + 1 < len(ms) else len(line)
        value = line[m.end() : end].strip(" |/·,;")
        label = m.group("label")
        out.append((labels[label], label, value))
    return out


# ---------------------------------------------------------------------------------------------
# 5. line joining
# ---------------------------------------------------------------------------------------------
_END_PUNCT = tuple("。;:!?”’》)〕】…")
_CONTINUATION_PUNCT = set(",、。;:!?)”’》〕】")


_BARE_ANNEX = re.compile(r"^附件\s*\d{0,2}\s*[:：]?$")


def _joinable(a: str, b: str) -> bool:
    """Whether line ``b`` continues line ``a`` (a break left by PDF extraction)."""
    if not a or not b:
        return False
    if continues_title(a, b):  # a title's period or edition label printed on a line of its own
        return True
    if HEADING_SHAPE.match(b) or _BARE_ANNEX.match(a):  # 附件 / 附件1: alone labels what follows
        return False
    if b[0] in _CONTINUATION_PUNCT:  # no line of a document starts with a comma: a wrap before it
        return True
    if a.endswith(_END_PUNCT):
        return False
    if not (_HAN.match(a[-1]) and _HAN.match(b[0])):
        return False
    if DATE_LINE.match(a) or DATE_LINE.match(b) or ORGAN_LINE_SHAPE.match(a) or PUBLIC_NOTE.match(a):
        return False
    if DOC_NUMBER_SHAPE.search(b) and len(b) < 30:
        return False
    title_a = TITLE_END.search(a) is not None
    # a title broken in two: the first half is not a title on its own, the second ends like one
    if not title_a and TITLE_END.search(b) and len(a) + len(b) <= 100 and not _SENTENCE_PUNCT.search(b):
        return True
    # running prose cut at a fixed width: a long line without closing punctuation, continued
    return len(a) >= 20 and _SENTENCE_PUNCT.search(a) is not None and not title_a


def join_broken_lines(lines: list[str]) -> list[str]:
    """Join lines that PDF extraction broke (see :func:`_joinable`).

    Parameters
    ----------
    lines : list of str
        Kept, normalised lines.

    Returns
    -------
    list of str

    Examples
    --------
    >>> join_broken_lines(["南京国家人工智能创新应用先导区", "建设实施方案", "为贯彻落实..."])
    ['南京国家人工智能创新应用先导区建设实施方案', '为贯彻落实...']
    """
    out: list[str] = []
    for line in lines:
        if out and _joinable(out[-1], line):
            out[-1] = out[-1] + line
        else:
            out.append(line)
    return out


# ---------------------------------------------------------------------------------------------
# the whole page
# ---------------------------------------------------------------------------------------------
@dataclass
class RemovedLine:
    line_no: int
    text: str
    reason: str


@dataclass
class PageField:
    line_no: int
    field: str
    label: str
    value: str


@dataclass
class CleanResult:
    text: str
    script: str
    n_artefacts_repaired: int
    n_traditional_left: int
    removed: list[RemovedLine] = field(default_factory=list)
    page_fields: list[PageField] = field(default_factory=list)
    n_cues: int = 0

    @property
    def n_chars(self) -> int:
        """Characters of the clean text.

        Returns
        -------
        int

        Examples
        --------
        >>> clean_page("").n_chars
        0
        """
        return len(self.text)


# every line boundary str.splitlines knows (CR LF, CR, LF, VT, FF, FS/GS/RS, NEL, U+2028/2029): a
# page's line must be the line every later tool sees (segment, meta and structure use splitlines)
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def split_lines(raw: str) -> list[str]:
    r"""A page's lines, split at every Unicode line boundary (the numbering of ``removed.line_no``).

    Parameters
    ----------
    raw : str

    Returns
    -------
    list of str

    Examples
    --------
    >>> split_lines("标题\r\n正文\u2029附件")
    ['标题', '正文', '附件']
    >>> split_lines("标题\n"), split_lines("")
    (['标题', ''], [''])
    """
    # str.splitlines splits at the same boundaries, at C speed, but gives no last empty line after
    # a final boundary (nor one for an empty page): _LINE_BREAK.split does
    lines = raw.splitlines()
    if not raw or raw[-1] in _BREAK_CHARS:
        lines.append("")
    return lines


_BREAK_CHARS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _body_bounds(lines: list[str], status: list, cut_kinds: set) -> tuple[int, int]:
    """``(start, end)`` of the body: its first and last lines of running prose that no rule removed
    (``status`` None), ``(len(lines), -1)`` when there is none.

    A footer marker (a status in ``cut_kinds``) after the body has begun ends the page, unless real
    prose follows it in quantity (then the marker was a false alarm inside the document). The
    first and last prose lines are found from either end; the prose lines between them are listed
    only when a marker stands between them (most pages have none): only that test reads them.

    Examples
    --------
    >>> p = "加快建设人工智能创新应用先导区,推动人工智能与实体经济深度融合。"
    >>> _body_bounds(["首页", p, "版权所有", p, "联系我们"], ["navigation", None, "footer", None, "footer"], {"footer"})
    (1, 3)
    """
    start = next((i for i in range(len(lines)) if status[i] is None and is_prose(lines[i])), None)
    if start is None:
        return len(lines), -1
    end = next(i for i in range(len(lines) - 1, start - 1, -1) if status[i] is None and is_prose(lines[i]))
    prose = None
    for i in range(start + 1, end + 1):
        if status[i] in cut_kinds:
            if prose is None:
                prose = [j for j in range(start, end + 1) if status[j] is None and is_prose(lines[j])]
            after = sum(len(lines[j]) for j in prose if j > i)
            before = sum(len(lines[j]) for j in prose if j < i)
            if after < 0.2 * before:
                return start, max((j for j in prose if j < i), default=start)
    return start, end


def clean_page(raw: str, meta_fields: list[tuple[str, str]] = (), cue_limit: int | None = None) -> CleanResult:
    r"""Clean one page's decoded text (see the module docstring for the steps).

    Parameters
    ----------
    raw : str
        The page's text as :func:`policylab.ingest.read_page` decoded it.
    meta_fields : list of (str, str)
        ``(label, value)`` pairs the page carried outside its text (HTML <meta> tags).
    cue_limit : int, optional
        Count the cues only up to this many (``n_cues`` is then ``min(count, cue_limit)``): the
        corpus gate only asks whether a page shows :data:`policylab.page.MIN_CUES` of them.

    Returns
    -------
    CleanResult
        ``text`` (one paragraph per line), ``script``, ``n_artefacts_repaired``,
        ``n_traditional_left``, ``removed`` (every dropped line with its reason), ``page_fields``
        and ``n_cues`` (distinct policy-text cues shown).

    Examples
    --------
    >>> r = clean_page("首页 > 政策文件\n关于印发某市实施方案的通知\n各区人民政府:\n现将《实施方案》印发给你们,请认真贯彻执行。")
    >>> r.text.split("\n")[0], [x.reason for x in r.removed]
    ('关于印发某市实施方案的通知', ['navigation'])
    """
    raw_lines = split_lines(raw)
    norm = normalise_lines(raw, raw_lines)

    joined = "\n".join(norm)
    joined, n_art = repair_artefacts(joined)
    trad, script = _has_traditional_and_script(joined)  # trad: whether the page holds any
    if script == "traditional":
        joined = to_simplified(joined)
    lines = joined.split("\n")  # same length as raw_lines: no step above adds or drops a newline

    rules = noise_rules()
    cut_kinds = {r.kind for r in rules if r.cut}
    ruled = list(zip(rules, _line_filters()))
    any_rules = [rf for rf in ruled if rf[0].zone == "any"]
    edge_only = [rf for rf in ruled if rf[0].zone == "edge"]
    low = joined.lower().split("\n")  # terms rules read lowered lines (lower() keeps every newline)
    removed: list[RemovedLine] = []
    fields: list[PageField] = [PageField(0, page_field_labels().get(lab, "other"), lab, val) for lab, val in meta_fields]
    status: list[str | None] = [None] * len(lines)  # None = kept, else the reason
    waiting: PageField | None = None  # a label whose value stands on the next line (table cells)
    ruled_lines: list[int] = []  # lines the noise rules decide, in order (site dates marked below)
    site_dates: set[int] = set()
    # the lines holding a page-field label, in one pass over the lines short enough to be fields: no
    # other line is made of fields
    short = [i for i, x in enumerate(lines) if 0 < len(x) <= FIELD_LINE_MAX]
    labelled = set(_lines_holding(_label_filter(), "\n".join([lines[i] for i in short]), lines, short))
    for i, line in enumerate(lines):
        if not line:
            status[i] = ""  # blank: dropped silently
            continue
        pf = parse_page_fields(line) if i in labelled else None
        if pf:
            status[i] = "page_field"
            new = [PageField(i + 1, f, lab, val) for f, lab, val in pf]
            fields.extend(new)
            waiting = new[-1] if not new[-1].value else None
            continue
        if waiting is not None:
            # an info table printed one cell per line: 成文日期: / 2023年05月23日
            if len(line) <= 60 and not _SENTENCE_PUNCT.search(line.replace("、", "")):
                waiting.value = line
                status[i] = "page_field"
                waiting = None
                continue
            waiting = None
        # a bare ISO date (and view count): the site's, decided below. Such a line opens with the
        # 1 or 2 of its year (19xx, 20xx): the first character decides first (most lines are none)
        if line[0] in "12" and _SITE_DATE.match(line):
            site_dates.add(i)
        ruled_lines.append(i)
    # the rules of any zone, each over all its lines in one pass (the first rule that matches wins)
    hit = _first_rule(any_rules, lines, low, [i for i in ruled_lines if i not in site_dates])
    edge_rules = []
    for i in ruled_lines:
        if i in hit:
            status[i] = hit[i]
        else:
            edge_rules.append(i)

    # the body: from the first to the last line of running prose that no rule removed
    start, end = _body_bounds(lines, status, cut_kinds)

    def next_kept(i: int, step: int) -> int | None:
        j = i + step
        while 0 <= j < len(lines) and status[j] is not None:
            j += step
        return j if 0 <= j < len(lines) else None

    def _wrapped_title_head(line: str, i: int) -> bool:
        """The first half of a title wrapped over two lines (the second half ends like a title)."""
        j = next_kept(i, 1)
        return (
            j is not None
            and not re.search(r"[:>|/]", line)
            and count_han(line) >= 4
            and _joinable(line, lines[j])
            and TITLE_END.search(lines[j]) is not None
        )

    # a paragraph wrapped at a fixed width (PDF copies) ends in a short piece: still the body
    while (j := next_kept(end, 1)) is not None and end >= 0 and _joinable(lines[end], lines[j]):
        end = j

    edge = [i for i in edge_rules if not start <= i <= end]
    # the edge rules over the lines outside the body with no strong shape, in one pass each
    weak = {i for i in edge if i not in site_dates and not is_structural(lines[i], strong_only=True)}
    edge_hit = _first_rule(edge_only, lines, low, [i for i in edge if i in weak])
    for i in edge:
        line = lines[i]
        reason = None
        if i in site_dates:
            # official documents print dates as 2022年12月12日; an ISO date outside the body is the
            # website's own (publication) date
            fields.append(PageField(i + 1, "published", "", _SITE_DATE.match(line).group("date")))
            reason = "page_field"
        elif i in weak:
            if i in edge_hit:
                reason = edge_hit[i]
            else:
                # a title's edition label ((2026年版), (试行)) is no part of its shape
                shape = _EDITION_LABEL.sub("", line)
                if not is_structural(shape) and not (i < start and _wrapped_title_head(line, i)):
                    reason = "site_header" if i < start else "site_footer"
        status[i] = reason
    # lines after a cut marker that lie beyond the body are footer whatever their shape
    cut_seen = False  # a cut marker stands between the body's end and this line
    for i in range(end + 1, len(lines)):
        if status[i] is None and cut_seen:
            status[i] = "site_footer"
        elif status[i] in cut_kinds:
            cut_seen = True

    # a page title printed again by the document itself: drop the page's copy
    header = [i for i in range(min(start, len(lines))) if status[i] is None]
    for i in header:
        # longest first: a title must be taken out whole before a name inside it is
        later = sorted((lines[j] for j in header if j > i and len(lines[j]) >= 6), key=len, reverse=True)
        rest = lines[i]
        for other in later:
            rest = rest.replace(other, "")
        # what is left once the document's own lines are taken out: nothing, or a site's name
        # after separators (…的通知_政策文件_首都之窗_北京市人民政府门户网站)
        site_suffix = all(len(part) <= 15 for part in re.split(r"[_|\-–—·\s]+", rest) if part)
        if any(lines[i] in other for other in later) or (
            rest != lines[i] and (not _HAN.search(rest) or (site_suffix and re.search(r"[_|]", rest)))
        ):
            status[i] = "page_title_repeat"

    # a site's menu before the body (one department or section per <li>, so one per line): a run of
    # MENU_RUN or more short label lines in a row. An official document's head has a title, a 文号 and
    # addressees -- never that many bare labels in a row (a joint signature stands after the body).
    run: list[int] = []
    for i in list(range(min(start, len(lines)))) + [None]:
        if i is not None and status[i] is not None:
            continue  # removed or blank lines do not break a run
        if i is not None and _MENU_ITEM.match(lines[i]) and not DOC_NUMBER_SHAPE.search(lines[i]):
            run.append(i)
            continue
        if len(run) >= MENU_RUN:
            for j in run:
                status[j] = "navigation"
        run = []

    kept = []
    for i, line in enumerate(lines):
        if status[i] is None:
            kept.append(line)
        elif status[i]:
            removed.append(RemovedLine(i + 1, raw_lines[i].strip(), status[i]))
    kept = join_broken_lines(kept)
    text = "\n".join(kept)
    n_cues = count_cues(text, stop_at=cue_limit)
    return CleanResult(
        text=text,
        script=script,
        n_artefacts_repaired=n_art,
        # the clean text is some of the page's characters: none Traditional on the page, none left
        n_traditional_left=traditional_chars(text) if trad else 0,
        removed=removed,
        page_fields=fields,
        n_cues=n_cues,
    )
