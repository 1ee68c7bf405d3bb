"""The official-document frame (公文格式): the parts around a policy text's body, and its headings.

A Chinese official document wraps its body in a fixed frame, and every parsing stage needs to
recognise it -- :mod:`policylab.clean` to tell the document's lines from the website's,
:mod:`policylab.structure` to know where the section tree starts and ends, :mod:`policylab.meta`
to read the 文号, issuer and dates. The frame is defined here, once:

- the notice wrapper (``关于印发…的通知``, :data:`NOTICE`), the document number (文号,
  ``宁政发〔2022〕133号``: :func:`find_doc_numbers`, :func:`normalize_doc_number`), the addressees
  (主送机关, ``各区人民政府…:``), the transmitting sentence (``现将…印发给你们``), ``(此件公开发布)``;
- the signature block: the issuing organ(s) (发文机关, :func:`is_issuer_line`) and the date signed
  (成文日期, a date line);
- the plan's title, whose last words name its genre (:func:`genre`; 实施方案, 行动计划 … from
  ``resources/doc_types.csv``);
- the heading grammar (:func:`match_heading`): ``一、`` > ``(一)`` > ``1.`` > ``(1)``.

:func:`document_head` reads the wrapper at the top of a document, :func:`end_signature` a
signature closing it, :func:`document_identity` the document's own title and number.

Length: about 680 lines, over half of them docstrings and examples. The frame is one grammar
whose parts test each other (a title line is checked against the notice, number, date, signature
and heading rules), so it stays one module rather than being split across files.

Two strengths of test live here. The *parsing* grammar above reads clean text. The *shape* tests
(:func:`is_structural` and the ``*_SHAPE`` patterns) are looser: :mod:`policylab.clean` applies them
to raw page lines before the body is known, to keep a line that looks like a part of the frame
(a title, a 文号, a signature) and drop a site's header or footer.

Examples
--------
>>> from policylab.frame import document_head, document_identity, match_heading
>>> lines = ["关于印发沈阳市人工智能行动计划(2021-2023年)的通知", "沈政发〔2021〕8号",
...          "各区人民政府:", "现将《行动计划》印发给你们,请认真贯彻执行。", "沈阳市人民政府",
...          "2021年3月2日", "沈阳市人工智能行动计划(2021-2023年)", "一、总体要求"]
>>> head = document_head(lines)
>>> head["body_start"], head["signature"][1], str(head["signature"][2].date())
(7, ['沈阳市人民政府'], '2021-03-02')
>>> document_identity(lines, head)["doc_number"]
'沈政发〔2021〕8号'
>>> match_heading("一、总体要求")["level"]
1
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache

import pandas as pd

from policylab import resources
from policylab.text import DATE, cn_number, count_han, fold, parse_date

# ----------------------------------------------------------------------------- document numbers

_DOCNUM = re.compile(
    r"(?P<org>[\u4e00-\u9fff]{1,12}?)\s*[〔\[(【［]\s*(?P<year>(?:19|20)\d{2})\s*[〕\])】］]"
    r"\s*(?P<num>\d{1,5})\s*号"
)
# the part of a 文号 from its bracket on: a line without it holds none. It opens with the bracket
# (a character class the regex engine skips ahead to), where _DOCNUM opens with a lazy run of Han
# characters tried at every position of the line
_DOCNUM_TAIL = re.compile(r"[〔\[(【［]\s*(?:19|20)\d{2}\s*[〕\])】］]\s*\d{1,5}\s*号")


def _docnum_search(s: str) -> re.Match | None:
    """``_DOCNUM.search(s)``, skipping the full search on a text with no 文号 tail (most lines)."""
    if "号" not in s or _DOCNUM_TAIL.search(s) is None:
        return None
    return _DOCNUM.search(s)


# words that precede a cited number in running text and are not part of the issuing code
_LEAD_WORDS = re.compile(r"^(?:.*?(?:根据|按照|依据|依照|贯彻|落实|参照|印发|转发|见|和|及|与|或|、))")


def _clean_org(org: str) -> str:
    return _LEAD_WORDS.sub("", org) or org


def normalize_doc_number(s: str) -> str | None:
    """The first document number (文号) in ``s``, written the standard way (``宁政发〔2022〕133号``).

    Parameters
    ----------
    s : str
        Text holding a number in any bracket style: ``[2022]``, ``(2022)``, ``【2022】``, ``〔2022〕``.

    Returns
    -------
    str or None
        None when ``s`` holds no document number.

    Examples
    --------
    >>> normalize_doc_number("宁政发[2022]133号"), normalize_doc_number("宁政发（2022）133号")
    ('宁政发〔2022〕133号', '宁政发〔2022〕133号')
    """
    m = _docnum_search(fold(s or ""))
    if not m:
        return None
    return f"{_clean_org(m.group('org'))}〔{m.group('year')}〕{int(m.group('num'))}号"


def find_doc_numbers(line: str) -> list[tuple[int, int, str]]:
    """Every document number in ``line`` as ``(start, end, normalised)``.

    Words that lead into a cited number (根据, 印发, 和 ...) are not part of its issuing code.

    Parameters
    ----------
    line : str
        One (folded) line.

    Returns
    -------
    list of (int, int, str)

    Examples
    --------
    >>> find_doc_numbers("根据国发〔2017〕35号和辽政发[2018]3号")
    [(2, 13, '国发〔2017〕35号'), (14, 25, '辽政发〔2018〕3号')]
    """
    out = []
    if "号" not in line or _DOCNUM_TAIL.search(line) is None:
        return out  # no bracketed year and number: no 文号 (the usual line)
    for m in _DOCNUM.finditer(line):
        org = _clean_org(m.group("org"))
        start = m.end("org") - len(org)
        out.append((start, m.end(), f"{org}〔{m.group('year')}〕{int(m.group('num'))}号"))
    return out


# ----------------------------------------------------------------------------- curated data


@lru_cache(maxsize=1)
def doc_types() -> tuple[str, ...]:
    """Genre words (实施方案, 行动计划 ...) from ``resources/doc_types.csv``, longest first.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> "行动计划" in doc_types() and "实施方案" in doc_types()
    True
    """
    with open(resources.path("doc_types.csv"), encoding="utf-8") as f:
        words = [r["doc_type"].strip() for r in csv.DictReader(f) if r["doc_type"].strip()]
    return tuple(sorted(set(words), key=len, reverse=True))


# ----------------------------------------------------------------------------- line kinds

_ORGAN = re.compile(
    r"(?:人民政府|政府|办公厅|办公室|委员会|管委会|领导小组|工作小组|局|厅|委|部|院|署|中心|"
    r"办|会|党委|党组|市委|省委|区委|县委|银行|分行|公司|集团|协会|联合会)$"
)
NOTICE = re.compile(r"^《?(?P<notice>(?P<organ>[^《》〔〕\[\]()\d]*?)关于(?:印发|转发|印送|发布|下发)(?P<inner>.+?)的(?:通知|通告|函))》?")
# addressees (主送机关): 各区人民政府,市府各委办局,市各直属单位: -- not a lead-in such as 现提出如下意见:
_ADDRESSEE = re.compile(
    r"^(?!为|根据|按照|依据|经|现|特|兹)(?=[^。]*(?:各|人民政府|单位|部门|机构|机关|委办局))[^。]{2,150}:$"
)
# 现将《X》印发给你们 / 《X》已经市政府同意,现印发给你们 / 现予印发
_TRANSMIT = re.compile(
    r"(?:现|今|特|兹)(?:将|把)[^。]*(?:印发|转发|发布|印送|下发)|(?:现|今|特|兹)(?:予以?)?(?:印发|转发|印送|下发)"
)
_THIS_COPY = re.compile(r"^[(\[【]此件[^)\]】]{0,12}[)\]】]$")
_DATE_LINE = re.compile(rf"^{DATE}$")
_ISSUER_DATE = re.compile(rf"^(?P<issuer>.+?)\s+(?P<date>{DATE})$")
# a title's last line holding only its period or edition: (2024~2026年), (2026年版), (试行)
_TITLE_TAIL_LINE = re.compile(
    r"^[(\[【]\s*(?:(?:19|20)\d{2}\s*年?\s*[-—–~至到]+\s*(?:19|20)\d{2}\s*年?|(?:19|20)\d{2}\s*年?\s*版"
    r"|试行|暂行|征求意见稿|修订稿?)\s*[)\]】]$"
)
_ANNEX_LABEL = re.compile(r"^附件\s*\d{0,2}\s*[:]?\s*(?=\S)")
_TITLE_TAIL = re.compile(
    r"\s*(?:[(\[【]\s*(?:(?:19|20)\d{2}[^)\]】]{0,12}|[^)\]】]{0,8}版|试行|暂行|征求意见稿|修订)\s*[)\]】]"
    r"|(?:19|20)\d{2}\s*年?\s*[-—–~至到]+\s*(?:19|20)\d{2}\s*年)\s*$"
)


_NOT_ISSUER_PUNCT = re.compile(r"[。,:;!?《》]")
_ISSUER_SEP = re.compile(r"[\s、]+")  # between organ names of a signature


def is_issuer_line(line: str) -> bool:
    """Whether ``line`` is a signature line: organ names (separated by spaces or 、), nothing else.

    Parameters
    ----------
    line : str

    Returns
    -------
    bool

    Examples
    --------
    >>> is_issuer_line("沈阳市人民政府办公厅"), is_issuer_line("市科技局 市发改委"), is_issuer_line("加快发展。")
    (True, True, False)
    """
    if len(line) > 80 or _NOT_ISSUER_PUNCT.search(line):
        return False
    parts = [p for p in _ISSUER_SEP.split(line) if p]
    return bool(parts) and all(2 <= len(p) <= 30 and _ORGAN.search(p) for p in parts)


def genre(title: str) -> str | None:
    """The genre word a title ends with (实施方案, 行动计划 …), a period or edition label aside.

    Parameters
    ----------
    title : str

    Returns
    -------
    str or None
        None when the title names no genre of ``resources/doc_types.csv``.

    Examples
    --------
    >>> genre("沈阳市人工智能行动计划(2021-2023年)"), genre("新一代人工智能")
    ('行动计划', None)
    """
    t = _TITLE_TAIL.sub("", title).rstrip("》")
    if not t.endswith(doc_types()):  # one C-speed test of every genre: most lines end in none
        return None
    for w in doc_types():
        if t.endswith(w):
            return w
    return None


def looks_like_title(line: str) -> bool:
    """Whether ``line`` reads as a document title: short, no sentence punctuation, ends in a genre.

    Parameters
    ----------
    line : str
        A non-empty line.

    Returns
    -------
    bool

    Examples
    --------
    >>> looks_like_title("合肥市人工智能产业发展实施意见"), looks_like_title("制定本实施意见。")
    (True, False)
    """
    if len(line) > 100 or line[-1] in "。,;:!?" or "。" in line:
        return False
    return genre(line) is not None


def join_split_titles(lines: list[str], limit: int = 14) -> list[str]:
    """Join a title broken over two lines (PDF extraction) among the first ``limit`` lines.

    Parameters
    ----------
    lines : list of str
        Folded, stripped lines (:func:`policylab.text.lines_of`).
    limit : int
        How many head lines to look at.

    Returns
    -------
    list of str
        A new list; the joined title takes the place of its two halves.

    Examples
    --------
    >>> join_split_titles(["南京市人工智能产业", "发展行动计划", "一、总体要求"])
    ['南京市人工智能产业发展行动计划', '一、总体要求']
    """
    out = list(lines)
    i = 0
    while i < min(len(out) - 1, limit):
        a, b = out[i], out[i + 1]
        if continues_title(a, b):
            out[i:i + 2] = [a + b]
            continue
        joinable = (
            len(a) <= 40 and len(b) <= 60 and a[-1] not in "。,;:!?》)" and not looks_like_title(a)
            and not NOTICE.match(a) and _docnum_search(a) is None and not _DATE_LINE.match(a)
            and not is_issuer_line(a) and not _DATE_LINE.match(b) and not is_issuer_line(b)
            and not _heading_like(b)
        )
        if joinable and (looks_like_title(a + b) or NOTICE.match(a + b)):
            out[i:i + 2] = [a + b]
            continue
        i += 1
    return out


def continues_title(a: str, b: str) -> bool:
    """Whether line ``b`` is the last line of title ``a``: its period or edition label alone.

    A plan title is often printed with its period on a line of its own
    (``…三年行动计划`` / ``(2024~2026年)``); the two lines are one title.

    Parameters
    ----------
    a, b : str
        Two consecutive folded lines.

    Returns
    -------
    bool

    Examples
    --------
    >>> continues_title("武汉市人工智能产业三年行动计划", "(2024~2026年)")
    True
    >>> continues_title("西安市人工智能工作指引", "(2026年版)"), continues_title("一、总体要求", "(2024-2026年)")
    (True, False)
    """
    return (len(b) <= 20 and _TITLE_TAIL_LINE.match(b) is not None and looks_like_title(a)
            and _TITLE_TAIL.search(a) is None and not _heading_like(a))


def _heading_like(line: str) -> bool:
    return match_heading(line) is not None


def _signature_at(lines: list[str], i: int) -> tuple[int, list[str], pd.Timestamp] | None:
    """If ``lines[i]`` is the date of a signature block, return (first line, issuers, date)."""
    m = _ISSUER_DATE.match(lines[i])
    if m and is_issuer_line(m.group("issuer")):
        issuers = _ISSUER_SEP.split(m.group("issuer"))
        j = i
    elif _DATE_LINE.match(lines[i]):
        j = i
        while j > 0 and i - j < 8 and is_issuer_line(lines[j - 1]):
            j -= 1
        if j == i:
            return None
        issuers = [p for ln in lines[j:i] for p in _ISSUER_SEP.split(ln) if p]
    else:
        return None
    return j, issuers, parse_date(lines[i])


def document_head(lines: list[str]) -> dict:
    """Parse the wrapper that precedes the plan's body (notice, 文号, addressees, signature, title).

    Parameters
    ----------
    lines : list of str
        Folded, stripped, non-empty lines (:func:`policylab.text.lines_of`, then
        :func:`join_split_titles`).

    Returns
    -------
    dict
        ``body_start`` (index of the first body line), ``notice`` (the :data:`NOTICE` match or
        None), ``notice_line``, ``title_line`` (index or None), ``number_lines`` (indices),
        ``addressee`` (index or None) and ``signature`` ((first line, issuers, date) or None).

    Examples
    --------
    >>> h = document_head(["关于印发某市实施方案的通知", "某政办发〔2020〕1号", "各区人民政府:", "一、总体要求"])
    >>> h["body_start"], h["notice"].group("inner"), h["number_lines"], h["addressee"]
    (3, '某市实施方案', [1], 2)
    """
    info = {"body_start": 0, "notice": None, "notice_line": None, "title_line": None,
            "number_lines": [], "signature": None, "addressee": None}
    n = len(lines)
    i = _frame_start(lines)
    while i < n:
        ln = lines[i]
        nm = NOTICE.match(ln)
        nums = find_doc_numbers(ln)
        if nm and info["notice"] is None and len(ln) <= 160 and "。" not in ln:
            info["notice"], info["notice_line"] = nm, i
            if nums:
                info["number_lines"].append(i)
        elif nums and len(ln) <= 160 and "。" not in ln and not ln.startswith("根据"):
            # a number line, possibly with the notice in 《》 beside it (沈政办发〔2018〕144号《…》)
            rest = ln
            for s, e, _ in reversed(nums):
                rest = rest[:s] + rest[e:]
            rest = rest.strip(" ()")
            if rest and not (NOTICE.match(rest) or looks_like_title(rest.strip("《》"))):
                break
            info["number_lines"].append(i)
            if rest and NOTICE.match(rest) and info["notice"] is None:
                info["notice"], info["notice_line"] = NOTICE.match(rest), i
        elif nm or _THIS_COPY.match(ln):
            pass  # the notice title printed again, or (此件公开发布)
        elif _TRANSMIT.search(ln) and len(ln) <= 300:
            if info["signature"] is None and info["notice"] is not None:
                # numbered notice items (一、…) may stand between this line and the signature
                for k in range(i + 1, min(n, i + 30)):
                    sig = _signature_at(lines, k)
                    if sig and sig[0] > i:
                        if sig[0] > i + 1:
                            info["signature"], i = sig, k
                        break
        elif _signature_here(lines, i):
            info["signature"] = sig = _signature_here(lines, i)
            i = sig[3]
        elif _ADDRESSEE.match(ln) and not _heading_like(ln):
            info["addressee"] = i
        elif looks_like_title(ln) and info["title_line"] is None and not _heading_like(ln):
            info["title_line"] = i
        else:
            break
        i += 1
    info["body_start"] = i
    if info["signature"] is not None:
        info["signature"] = info["signature"][:3]
    return info


_RESIDUE_MAX = 40  # a menu item or a site name is short


def _frame_start(lines: list[str], limit: int = 600) -> int:
    """Index of the notice title that opens the frame, past a page's residue before it.

    A page's menu or header that cleaning left (short lines, no sentence, no heading) may stand
    before the notice title; the frame starts at the last notice line (关于印发…的通知) before the
    first sentence, when every line before it is such residue. Else 0.
    """
    last = 0
    for k in range(min(len(lines), limit)):
        ln = lines[k]
        if NOTICE.match(ln) and len(ln) <= 160 and "。" not in ln:
            last = k
            continue
        if "。" in ln or len(ln) > _RESIDUE_MAX or _heading_like(ln) or find_doc_numbers(ln) \
                or _ADDRESSEE.match(ln) or _DATE_LINE.match(ln):
            break  # a sentence or a part of the frame: what comes before is not a menu
    return last


def _signature_here(lines: list[str], i: int):
    """A signature block starting at line ``i``: (first, issuers, date, index of the date line)."""
    m = _ISSUER_DATE.match(lines[i])
    if m and is_issuer_line(m.group("issuer")):
        return i, _ISSUER_SEP.split(m.group("issuer")), parse_date(m.group("date")), i
    k = i
    while k < len(lines) and k - i < 8 and is_issuer_line(lines[k]):
        k += 1
    if k > i and k < len(lines) and _DATE_LINE.match(lines[k]):
        issuers = [p for ln in lines[i:k] for p in _ISSUER_SEP.split(ln) if p]
        return i, issuers, parse_date(lines[k]), k
    return None


def end_signature(lines: list[str]) -> tuple[int, list[str], pd.Timestamp] | None:
    """A signature block among the last five lines (a document without a wrapper signs at its end).

    Parameters
    ----------
    lines : list of str
        The document's (body) lines.

    Returns
    -------
    (int, list of str, Timestamp) or None
        Index of the block's first line, the issuers, the date signed.

    Examples
    --------
    >>> end_signature(["一、总体要求", "加快发展。", "合肥市人民政府", "2018年12月6日"])
    (2, ['合肥市人民政府'], Timestamp('2018-12-06 00:00:00'))
    """
    for k in range(len(lines) - 1, max(-1, len(lines) - 6), -1):
        sig = _signature_at(lines, k)
        if sig:
            return sig
    return None


def document_identity(lines: list[str], head: dict | None = None) -> dict:
    """The document's own ``title``, ``notice_title`` and ``doc_number``, as its frame gives them.

    The title is the plan's title line, else the document named by the notice (关于印发《X》的通知
    -> X); the number is the first 文号 on a number line of the wrapper. A citation of another
    document is never taken for the document's own.

    Parameters
    ----------
    lines : list of str
        As for :func:`document_head`.
    head : dict, optional
        :func:`document_head` of ``lines`` (computed when not given).

    Returns
    -------
    dict
        ``title``, ``notice_title``, ``doc_number``; a part the frame does not give is None.

    Examples
    --------
    >>> document_identity(["关于印发某市实施方案的通知", "某政发〔2020〕1号", "一、目标"])
    {'title': '某市实施方案', 'notice_title': '关于印发某市实施方案的通知', 'doc_number': '某政发〔2020〕1号'}
    >>> document_identity(["关于印发某市行动计划的通知", "某市人民政府", "2025年3月21日", "附件某市行动计划", "一、目标"])["title"]
    '某市行动计划'
    """
    if head is None:
        head = document_head(lines)
    out = {"title": None, "notice_title": None, "doc_number": None}
    notice = head["notice"]
    if notice is not None:
        out["notice_title"] = notice.group("notice")
    if head["title_line"] is not None:
        # a plan sent as an annex of its notice may keep the label on its title line (附件 / 附件1:)
        out["title"] = _ANNEX_LABEL.sub("", lines[head["title_line"]]).strip("《》")
    elif notice is not None:
        out["title"] = notice.group("inner").strip().strip("《》") or None
    for i in head["number_lines"]:
        nums = find_doc_numbers(lines[i])
        if nums:
            out["doc_number"] = nums[0][2]
            break
    return out


# ----------------------------------------------------------------------------- headings

_CN = r"[一二三四五六七八九十]{1,3}"
_HEADINGS = [
    (1, re.compile(rf"^(?P<n>{_CN})\s*[、.．]\s*(?P<rest>.*)$"), "{}"),
    (2, re.compile(rf"^[(（]\s*(?P<n>{_CN})\s*[)）]\s*[、.]?\s*(?P<rest>.*)$"), "({})"),
    (3, re.compile(r"^(?P<n>\d{1,3})\s*(?:[.．、](?!\d)|\.(?=\s))\s*(?P<rest>\S.*)$"), "{}"),
    (4, re.compile(r"^[(（]\s*(?P<n>\d{1,3})\s*[)）]\s*[、.]?\s*(?P<rest>\S.*)$"), "({})"),
]
_RUN_IN_MAX = 40
# the first character of a line any pattern of _HEADINGS matches (besides a decimal digit, which
# ``\d`` matches in every script: str.isdecimal is the same test): most lines fail this one test
_HEADING_FIRST = frozenset("一二三四五六七八九十(（")


def match_heading(line: str, folded: bool = False) -> dict | None:
    """Parse a heading line: level, label, number, heading and any run-in text; else None.

    The grammar: level 1 ``一、`` (also ``一.``), level 2 ``(一)``, level 3 ``1.`` / ``1、``, level 4
    ``(1)``, full- or half-width. A run-in heading (``(一)指导思想。全面落实…``) is split at its
    first 。 or :.

    Parameters
    ----------
    line : str
    folded : bool
        True: ``line`` is folded already (:func:`policylab.text.fold` leaves it as it is, as every
        line of :func:`policylab.text.lines_of`): it is not scanned again.

    Returns
    -------
    dict or None
        ``level``, ``label``, ``number``, ``heading`` (or None), ``text`` (run-in text or None).

    Examples
    --------
    >>> match_heading("1.5亿元用于支持") is None
    True
    >>> h = match_heading("（一）指导思想。全面落实…")
    >>> h["level"], h["label"], h["number"], h["heading"], h["text"]
    (2, '(一)', 1, '指导思想', '全面落实…')
    >>> match_heading("(一)指导思想", folded=True) == match_heading("（一）指导思想")
    True
    """
    # the first character decides first (most lines are no heading): the same one after folding the
    # whole line and stripping it, as folding maps no space to a non-space and no non-space to a space.
    # It is tested unfolded: folding changes a non-space only from U+FF01..U+FF5E to ASCII, and the
    # ones that fold into the test -- （ and the full-width digits -- pass it as they are (（ is in
    # _HEADING_FIRST, a full-width digit is decimal; tested over every code point)
    first = line.lstrip()[:1]
    if not first:
        return None
    if first not in _HEADING_FIRST and not first.isdecimal():
        return None
    line = line.strip() if folded else fold(line).strip()
    for level, rx, fmt in _HEADINGS:
        m = rx.match(line)
        if not m:
            continue
        raw_n = m.group("n")
        number = cn_number(raw_n)
        if number is None:
            return None
        rest = m.group("rest").strip()
        heading, text = _split_run_in(rest)
        return {"level": level, "label": fmt.format(raw_n), "number": number,
                "heading": heading, "text": text}
    return None


_RUN_IN_STOP = re.compile(r"[。:]")


def _split_run_in(rest: str) -> tuple[str | None, str | None]:
    """``指导思想。全面落实…`` -> (指导思想, 全面落实…); a short line without a full stop is all heading."""
    rest = rest.strip()
    if not rest:
        return None, None
    m = _RUN_IN_STOP.search(rest)
    if m:
        head, tail = rest[:m.start()].strip(), rest[m.end():].strip()
        if head and (len(head) <= 20 or (len(head) <= _RUN_IN_MAX and "," not in head)):
            return head, tail or None
        return None, rest
    if len(rest) <= 60:
        return rest.rstrip(";,"), None
    return None, rest


# ----------------------------------------------------------------------------- line shapes
# Looser than the grammar above: clean tests raw page lines with these before the body is known.

#: a 文号 anywhere in a line (〔2020〕12号, [2020]第12号)
DOC_NUMBER_SHAPE = re.compile(r"[〔\[【(]\s*(?:19|20)\d{2}\s*[〕\]】)]\s*第?\s*\d+\s*号")
_DOC_TYPE_END = (
    r"(?:通知|方案|意见|计划|规划|办法|措施|细则|纲要|决定|若干政策|指南|条例|规定|要点|公告|通告|批复|"
    r"函|报告|战略|纲领|清单|目录|指引|规则|标准|白皮书|若干规定)"
)
#: the end of a title: a document type, maybe a period (2018-2020年) or a number in brackets
TITLE_END = re.compile(
    _DOC_TYPE_END + r"\s*(?:\(\s*(?:19|20)\d{2}\s*[-—–~～至]+\s*(?:19|20)?\d{2,4}\s*年?\s*\)|\(.{0,20}号\)"
    r"|\(\s*(?:19|20)\d{2}\s*年?\s*版\s*\)|\((?:试行|暂行|征求意见稿|修订稿?)\))?[》]?$"
)
#: an addressee line (各…:)
ADDRESSEE_SHAPE = re.compile(r"^各.{2,80}[:]$")
#: a date line (成文日期) as the signature prints it
DATE_LINE = _DATE_LINE
#: a line of organ names (a signature's issuers)
ORGAN_LINE_SHAPE = re.compile(
    r"^(?:\S{2,40}(?:人民政府|政府|办公厅|办公室|委员会|管委会|管理委员会|局|厅|部|委|院|中心|办)\s*){1,8}$"
)
#: (此件公开发布), (本件…)
PUBLIC_NOTE = re.compile(r"^\((?:此件|本件).{0,12}\)$")
#: 附件 / 抄送 / 印发 / 主送 / 联系人 lines
ANNEX_LINE = re.compile(r"^(?:附件|抄送|印发|主送|联系人)\s*\d*[:]")
#: a numbered heading's opening, including 第X章/节/条 (wider than :func:`match_heading`)
HEADING_SHAPE = re.compile(
    r"^(?:[一二三四五六七八九十百]+、|\([一二三四五六七八九十]+\)|\d{1,3}\s*[.、]|\(\d{1,3}\)|第[一二三四五六七八九十百]+[章节条部分])"
)


def is_structural(line: str, strong_only: bool = False) -> bool:
    """Whether a short line has the shape of a part of an official document.

    Strong shapes: 文号 lines, the addressee line (各…:), signature lines (an organ's name), date
    lines, (此件公开发布), 附件/抄送 lines and numbered headings. Weak shape: a title (ending in a
    document type such as 方案/意见/通知, or containing 关于) -- a noise pattern outranks it.

    Parameters
    ----------
    line : str
        A normalised line (:func:`policylab.clean.normalise_line`).
    strong_only : bool
        Test the strong shapes only.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_structural("沈政办发〔2018〕144号"), is_structural("某市人工智能实施方案")
    (True, True)
    >>> is_structural("某市人工智能实施方案", strong_only=True), is_structural("首页 > 政策文件")
    (False, False)
    """
    strong = bool(
        DOC_NUMBER_SHAPE.search(line)
        or ADDRESSEE_SHAPE.match(line)
        or DATE_LINE.match(line)
        or ORGAN_LINE_SHAPE.match(line)
        or PUBLIC_NOTE.match(line)
        or ANNEX_LINE.match(line)
        or HEADING_SHAPE.match(line)
    )
    if strong or strong_only:
        return strong
    return count_han(line) >= 4 and bool(TITLE_END.search(line) or "关于" in line)
