"""Document structure: the section tree, the agencies responsible for each task, cited documents.

Chinese official documents number their headings in a fixed hierarchy, which gives the section tree:

====  ===========================  ===========================================
level numbering                    examples
====  ===========================  ===========================================
1     一、 (also 一. / 一．)          ``一、指导思想``
2     (一) (full- or half-width)   ``(一)总体目标``, ``（二）基本原则。``
3     1. / 1、 / 1. (space) / １．   ``1.打造产业集聚发展高地。高标准打造…``
4     (1)                          ``(1)智能芯片``
====  ===========================  ===========================================

- ``section_id`` is the path of the document's own numbers (``3.2.7`` = 三、 > (二) > 7.); a level
  that is skipped is simply absent from the path (``4.18`` = 四、 > 18.). A number repeated under
  the same parent gets a suffix (``3.2~2``) so ids stay unique.
- Run-in headings: ``(一)指导思想。全面落实…`` gives heading 指导思想 and the rest is the text.
- ``——`` bullet paragraphs (and unnumbered lead-in paragraphs such as ``智能空管。…``) are body text
  of the section they stand in; they are not sections.
- The notice wrapper (关于印发…的通知, 文号, addressees, 现将…印发给你们, signature, the plan's title)
  is not a section, even when it contains numbered items; the text between it and the first heading
  is section ``'0'`` (level 0). A signature block closing the document is not section text.

``agencies`` reads responsibility clauses -- ``(责任单位:…)``, ``[责任部门:…]``, ``【牵头单位:…】`` or a
line ``责任单位:…`` -- and gives one row per agency. Agencies are separated by ``、`` ``,`` ``;``;
within a clause ``A、B牵头,C、D按职责分工负责`` makes A and B 'lead' and C and D 'responsible'.

``citations`` gives one row per cited document: a title in 《…》 (with the 文号 in parentheses right
after it on the same row), or a bare 文号. A 《…》 that is no official document genre (a book, a
case collection) is not a citation, and neither is the document's own title or number.

Length: about 650 lines, of which some 210 are docstrings and examples and some 370 code. One job
holds it together: reading a document's body -- the section tree, then what hangs off its sections
(the agencies responsible for each task, the documents it cites). Linking citations across documents
(:func:`cited_level`, :func:`link_citations` and helpers, about 130 lines) works on the whole corpus
rather than one document; it is the part to move to a module of its own if this one grows.

Examples
--------
>>> import pandas as pd
>>> from policylab.structure import parse_sections
>>> docs = pd.DataFrame({"doc_id": ["d1"], "text": ["前言。\\n一、总体要求\\n(一)指导思想。坚持创新。\\n1.做强产业。内容。"]})
>>> s = parse_sections(docs)
>>> s["section_id"].tolist(), s["parent_id"].tolist()
(['0', '1', '1.1', '1.1.1'], [<NA>, <NA>, '1', '1.1'])
>>> s["heading"].tolist(), s["text"].tolist()
([<NA>, '总体要求', '指导思想', '做强产业'], ['前言。', <NA>, '坚持创新。', '内容。'])
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from policylab import resources, schema
from policylab.frame import (  # noqa: F401  (match_heading: also public here)
    document_head,
    document_identity,
    end_signature,
    find_doc_numbers,
    genre,
    join_split_titles,
    match_heading,
    normalize_doc_number,
)
from policylab.text import fold, lines_of

# the metadata, section and citation stages read the same documents in turn (a batch of a build):
# each document's lines and frame are kept for the next stage, for the last texts up to this many
# characters (a batch of pages holds far fewer; a bigger corpus in one process just misses)
_FRAME_MEMO_CHARS = 2_000_000
_frame_memo: dict[str, list] = {}  # text -> [lines, document_head or None, body's end signature or _UNSET]
_UNSET = object()
_frame_memo_chars = 0


_last_framed: tuple = (None, None)  # the last text asked for and its entry, kept or not (one object:
# a thread reading it sees one pair, never a text with another text's entry)


def _framed(text: str) -> list:
    global _frame_memo_chars, _last_framed
    last = _last_framed
    if last[0] is text:  # the same document again (a text too long for the memo too)
        return last[1]
    entry = _frame_memo.get(text)
    if entry is None:
        entry = [tuple(join_split_titles(lines_of(text))), None, _UNSET]
        if len(text) <= _FRAME_MEMO_CHARS:
            while _frame_memo and _frame_memo_chars + len(text) > _FRAME_MEMO_CHARS:
                oldest = next(iter(_frame_memo), None)  # the oldest first
                if oldest is not None and _frame_memo.pop(oldest, None) is not None:
                    _frame_memo_chars -= len(oldest)
            _frame_memo[text] = entry
            _frame_memo_chars += len(text)
    _last_framed = (text, entry)
    return entry


def document_lines(text: str) -> tuple[str, ...]:
    """A document's lines as every stage reads them: folded, stripped, non-empty, a title broken
    over two lines joined (:func:`policylab.text.lines_of`, :func:`policylab.frame.join_split_titles`).

    The metadata, section and citation stages each read a document's lines; the lines of the last
    texts read are kept (up to a bound), so each document's are found once per batch, not once per
    stage. A tuple: the same object may be given to several callers.

    Parameters
    ----------
    text : str
        A document, one paragraph per line.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> document_lines("南京市人工智能产业\\n发展行动计划\\n\\n一、总体要求")
    ('南京市人工智能产业发展行动计划', '一、总体要求')
    """
    return _framed(text)[0]


def document_frame(text: str) -> tuple[tuple[str, ...], dict]:
    """:func:`document_lines` and their :func:`policylab.frame.document_head`, kept alike (the
    head's dict is shared: read it, do not change it).

    Parameters
    ----------
    text : str

    Returns
    -------
    (tuple of str, dict)

    Examples
    --------
    >>> lines, head = document_frame("关于印发某市实施方案的通知\\n某政发〔2020〕1号\\n一、目标")
    >>> head["body_start"], lines[head["body_start"]]
    (2, '一、目标')
    """
    entry = _framed(text)
    if entry[1] is None:
        entry[1] = document_head(list(entry[0]))
    return entry[0], entry[1]


def _body_signature(entry: list):
    if entry[2] is _UNSET:
        if entry[1] is None:
            entry[1] = document_head(list(entry[0]))
        entry[2] = end_signature(list(entry[0][entry[1]["body_start"]:]))
    return entry[2]


def body_signature(text: str):
    """:func:`policylab.frame.end_signature` of the document's body (its lines from the head's
    ``body_start``), kept with :func:`document_frame` (shared: read it, do not change it).

    Parameters
    ----------
    text : str

    Returns
    -------
    (int, list of str, Timestamp) or None

    Examples
    --------
    >>> body_signature("一、总体要求\\n加快发展。\\n合肥市人民政府\\n2018年12月6日")
    (2, ['合肥市人民政府'], Timestamp('2018-12-06 00:00:00'))
    """
    return _body_signature(_framed(text))


def _doc_sections(doc_id: str, text: str) -> list[dict]:
    lines, head = document_frame(text)
    body = lines[head["body_start"]:]
    end = body_signature(text)
    if end is not None:
        body = body[:end[0]]
    rows: list[dict] = []
    preamble: list[str] = []
    stack: list[dict] = []  # open headings, outermost first
    used: set[str] = {"0"}  # the preamble's id: a heading numbered 0 becomes 0~2
    current = None
    for ln in body:
        h = match_heading(ln, folded=True)  # a line of lines_of: folded
        if h is None:
            if current is None:
                preamble.append(ln)
            else:
                current["_text"].append(ln)
            continue
        while stack and stack[-1]["level"] >= h["level"]:
            stack.pop()
        parent = stack[-1]["section_id"] if stack else None
        sid = f"{parent}.{h['number']}" if parent else str(h["number"])
        if sid in used:
            k = 2
            while f"{sid}~{k}" in used:
                k += 1
            sid = f"{sid}~{k}"
        used.add(sid)
        current = {"doc_id": doc_id, "section_id": sid, "parent_id": parent, "level": h["level"],
                   "label": h["label"], "heading": h["heading"],
                   "_text": [h["text"]] if h["text"] else []}
        stack.append(current)
        rows.append(current)
    if preamble:
        rows.insert(0, {"doc_id": doc_id, "section_id": "0", "parent_id": None, "level": 0,
                        "label": None, "heading": None, "_text": preamble})
    for order, r in enumerate(rows):
        r["text"] = "\n".join(r.pop("_text")) or None
        r["order"] = order
    return rows


def parse_sections(documents: pd.DataFrame) -> pd.DataFrame:
    """The heading tree of every document (schema ``sections``).

    Parameters
    ----------
    documents : DataFrame
        ``doc_id`` and ``text`` (clean or raw text, one paragraph per line).

    Returns
    -------
    DataFrame
        One row per section, sorted by ``doc_id`` then ``order``.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["d"], "text": ["一、目标\\n二、任务\\n(一)创新\\n1、平台"]})
    >>> parse_sections(docs)["section_id"].tolist()
    ['1', '2', '2.1', '2.1.1']
    """
    rows = []
    for doc_id, text in zip(schema.column_list(documents, "doc_id"), schema.column_list(documents, "text")):
        rows.extend(_doc_sections(doc_id, "" if pd.isna(text) else str(text)))
    # the columns as lists, put in (doc_id, order) order here: one frame built from them, not a
    # frame of row dicts cast and sorted by pandas (which cost more than the parsing of a batch)
    cols = {name: [r[name] for r in rows] for name in schema.columns("sections")}
    order = schema.stable_order(cols["doc_id"], cols["order"])
    if order is None:  # a null or non-text doc_id: pandas sorts as the table holds it
        df = schema.from_columns("sections", cols)
        return df.sort_values(["doc_id", "order"], kind="stable").reset_index(drop=True)
    if order is not True:
        cols = {name: [col[i] for i in order] for name, col in cols.items()}
    # the agencies, citations and targets stages read these columns back (schema.column_list); the
    # headings and texts are pieces of lines_of's folded lines, folded too (schema.column_is_folded)
    return schema.from_columns("sections", cols, keep=("doc_id", "section_id", "parent_id", "heading", "text"),
                               folded=("heading", "text"))


# ----------------------------------------------------------------------------- agencies

_LABELS = r"(?:责任单位|责任部门|牵头单位|牵头部门|配合单位|配合部门|责任主体|负责单位|实施单位|参与单位)"
_OPEN = {"(": ")", "（": "）", "[": "]", "［": "］", "【": "】"}
_CLAUSE_START = re.compile(rf"[(（\[［【]\s*(?P<label>{_LABELS})\s*[:：]")
_CLAUSE_LINE = re.compile(rf"^(?P<label>{_LABELS})\s*[:：]\s*(?P<body>.+)$")
_TAIL = re.compile(r"(?:按(?:照)?(?:责任|职责)分工负责|按职责负责|分工负责|负责|配合|参与|牵头)$")
# what every responsibility clause holds (each label ends in 单位/部门 or is 责任主体; a bare clause
# has a 牵头 group): a line without it holds no clause
_CLUE = re.compile(r"单位|部门|责任主体|牵头")
_BARE_UNIT = re.compile(r"^各?(?:相关|有关)?[区县市乡镇](?:\([^)]*\))?$")


# the brackets _closing counts, by opener: round brackets of either width pair with each other
_BRACKETS_OF = {o: re.compile("[(（)）]" if o in "(（" else "[" + re.escape(o + c) + "]") for o, c in _OPEN.items()}


def _closing(s: str, start: int) -> int:
    """Index of the bracket closing the one at ``s[start]`` (nesting aware), or -1."""
    depth = 0
    opener = s[start]
    opens = "(（" if opener in "(（" else opener
    for m in _BRACKETS_OF[opener].finditer(s, start):  # the brackets only, not every character
        if m.group() in opens:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.start()
    return -1


def find_responsibility_clauses(line: str, folded: bool = False) -> list[tuple[str, str]]:
    """``(label, body)`` of every responsibility clause in ``line``.

    A clause is bracketed with a label (``(责任单位:…)``, ``[责任部门:…]``, ``【牵头单位:…】``), a
    whole line ``责任单位:…``, or an unlabelled bracket whose every group names a role
    (``(省科技厅牵头,省经信厅配合)``).

    Parameters
    ----------
    line : str
    folded : bool
        True: ``line`` is folded already (:func:`policylab.text.fold` leaves it as it is, as a line
        of a section text :func:`parse_sections` built): it is not scanned again.

    Returns
    -------
    list of (str, str)

    Examples
    --------
    >>> find_responsibility_clauses("…落实。(责任单位:有关区(市)县,市科技局)")
    [('责任单位', '有关区(市)县,市科技局')]
    >>> find_responsibility_clauses("落实。（责任单位：市科技局）") == find_responsibility_clauses("落实。(责任单位:市科技局)", folded=True)
    True
    """
    if not _CLUE.search(line):  # every clause names a label or a 牵头 role: most lines name neither
        return []
    line = line.strip() if folded else fold(line).strip()
    m = _CLAUSE_LINE.match(line)
    if m:
        return [(m.group("label"), m.group("body").strip())]
    out = []
    for m in _CLAUSE_START.finditer(line):
        end = _closing(line, m.start())
        body = line[m.end(): end if end >= 0 else len(line)]
        out.append((m.group("label"), body.strip()))
    if not out:
        # an unlabelled clause: (省科技厅牵头,省经信厅、省财政厅配合) -- every group names its role
        for m in _BARE_CLAUSE.finditer(line):
            groups = _split_top(m.group("body"), ",;")
            if any(g.endswith("牵头") for g in groups) and all(_ROLE_END.search(g) for g in groups):
                out.append(("责任单位", m.group("body").strip()))
    return out


_BARE_CLAUSE = re.compile(r"\((?P<body>[^()。]{2,160}?)\)")
_ROLE_END = re.compile(r"(?:牵头|配合|参与|负责)$")


def strip_responsibility_clauses(text: str) -> str:
    r"""The text without its responsibility clauses (责任单位 lines and bracketed clauses).

    Keyword statistics otherwise rank agency names (工信局, 责任单位) as what a plan is about.

    Parameters
    ----------
    text : str or None
        A section's (or document's) text; a null stays null.

    Returns
    -------
    str or None

    Examples
    --------
    >>> strip_responsibility_clauses("建设智算中心。(责任单位:市发改委、市工信局)\n责任部门:市科技局\n完善政策。")
    '建设智算中心。\n完善政策。'
    """
    if not isinstance(text, str):  # a section with no text of its own stays null
        return text
    out = []
    for line in text.split("\n"):
        if not _CLUE.search(line):
            if line.strip():
                out.append(line)
            continue
        folded = fold(line).strip()
        if _CLAUSE_LINE.match(folded):
            continue
        spans = []
        for m in _CLAUSE_START.finditer(folded):
            end = _closing(folded, m.start())
            spans.append((m.start(), len(folded) if end < 0 else end + 1))
        if not spans:
            for m in _BARE_CLAUSE.finditer(folded):
                groups = _split_top(m.group("body"), ",;")
                if any(g.endswith("牵头") for g in groups) and all(_ROLE_END.search(g) for g in groups):
                    spans.append((m.start(), m.end()))
        for a, b in reversed(spans):
            folded = folded[:a] + folded[b:]
        if folded.strip():
            out.append(folded.strip() if spans else line)
    return "\n".join(out)


_OPENERS = "(（[〔【［"


_CLOSERS = ")）]〕】］"
_OPENER_RE = re.compile("[" + re.escape(_OPENERS) + "]")


def _split_top(s: str, seps: str) -> list[str]:
    # no bracket: every separator is at the top level (one class scan, not a generator of six ``in``)
    if _OPENER_RE.search(s) is None:
        return [p.strip() for p in _split_at(seps).split(s) if p.strip()]
    parts, depth, last = [], 0, 0
    for m in _split_scan(seps).finditer(s):  # brackets and separators only, not every character
        ch = m.group()
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif depth == 0:  # a separator outside brackets
            parts.append(s[last:m.start()])
            last = m.end()
    parts.append(s[last:])
    return [p.strip() for p in parts if p.strip()]


@functools.lru_cache(maxsize=None)
def _split_scan(seps: str) -> re.Pattern:
    return re.compile("[" + re.escape(_OPENERS + _CLOSERS + seps) + "]")


@functools.lru_cache(maxsize=None)
def _split_at(seps: str) -> re.Pattern:
    return re.compile("[" + re.escape(seps) + "]")


_LEAD_MARK = re.compile(r"[(（]牵头[)）]$")
_DENG = re.compile(r"等$")


def split_agencies(label: str, body: str) -> list[tuple[str, str]]:
    """``(agency, role)`` pairs of one clause body; role is 'lead' or 'responsible'.

    Parameters
    ----------
    label : str
        The clause's label (牵头单位 makes every agency 'lead').
    body : str
        The clause's text.

    Returns
    -------
    list of (str, str)

    Examples
    --------
    >>> split_agencies("责任单位", "市科技局、市发改委牵头,各相关县(市)区政府,市经信局等按责任分工负责。")
    [('市科技局', 'lead'), ('市发改委', 'lead'), ('各相关县(市)区政府', 'responsible'), ('市经信局', 'responsible')]
    """
    default = "lead" if label.startswith("牵头") else "responsible"
    out = []
    for group in _split_top(body.rstrip("。.;"), ",;，；"):
        role = default
        g = group
        if g.endswith("牵头"):
            role = "lead"
        # each regex below is tried only where its words stand (every match holds them): a search
        # ending in ``$`` is tried at every position of the string
        if "负责" in g or "配合" in g or "参与" in g or "牵头" in g:
            g = _TAIL.sub("", g)
        g = g.strip()
        pieces = _split_top(g, "、")
        merged: list[str] = []
        carry = ""
        for p in pieces:
            if _BARE_UNIT.match(p):
                carry = f"{carry}{p}、"
                continue
            merged.append(carry + p)
            carry = ""
        if carry:
            merged.append(carry.rstrip("、"))
        for a in merged:
            r = role
            if "牵头" in a and _LEAD_MARK.search(a):
                a, r = _LEAD_MARK.sub("", a), "lead"
            if "等" in a:
                a = _DENG.sub("", a)
            a = a.strip(" 。:")
            if a:
                out.append((a, r))
    return out


def extract_agencies(sections: pd.DataFrame) -> pd.DataFrame:
    r"""One row per agency named in a responsibility clause (schema ``agencies``).

    Parameters
    ----------
    sections : DataFrame
        The ``sections`` table (its ``text`` holds the clauses).

    Returns
    -------
    DataFrame
        ``doc_id, section_id, clause, agency, role``, in document and section order.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["d"], "text": ["一、任务\n1.建平台。(责任单位:市工信局牵头,市科技局)"]})
    >>> a = extract_agencies(parse_sections(docs))
    >>> a[["section_id", "clause", "agency", "role"]].values.tolist()
    [['1.1', 0, '市工信局', 'lead'], ['1.1', 0, '市科技局', 'responsible']]
    """
    cols = {name: [] for name in ("doc_id", "section_id", "clause", "agency", "role")}
    c_doc, c_sid, c_clause, c_agency, c_role = cols.values()
    # plain lists, not a groupby: the sorted rows of one document are contiguous
    current, clause = None, 0
    # texts parse_sections built are folded (schema.column_is_folded): their lines are not folded again
    folded = schema.column_is_folded(sections, "text")
    for doc_id, sid, text in zip(*_sorted_columns(sections, ["doc_id", "section_id", "text"])):
        if doc_id != current:
            current, clause = doc_id, 0
        if type(text) is not str and pd.isna(text):  # (a str is no null: pd.isna not asked)
            continue
        if type(doc_id) is not str and pd.isna(doc_id):  # (groupby left rows without a doc_id out too)
            continue
        text = str(text)
        for ln in _clue_lines(text):
            for label, body in find_responsibility_clauses(ln, folded=folded):
                for agency, role in split_agencies(label, body):
                    c_doc.append(doc_id)
                    c_sid.append(sid)
                    c_clause.append(clause)
                    c_agency.append(agency)
                    c_role.append(role)
                clause += 1
    return schema.from_columns("agencies", cols)


def _clue_lines(text: str):
    """The lines of ``text`` (split at ``\\n``) holding a match of ``_CLUE``, in order.

    Every line holding no clue gives no clause (:func:`find_responsibility_clauses` tests that
    first): one search over the text, going on at the next line after each line found, stands for
    a search of every line (a clue, literal words, never spans two lines).

    Examples
    --------
    >>> list(_clue_lines("建设平台。\\n(责任单位:市科技局)\\n完善政策。牵头\\n"))
    ['(责任单位:市科技局)', '完善政策。牵头']
    """
    pos, n = 0, len(text)
    while pos <= n and (m := _CLUE.search(text, pos)) is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        if end < 0:
            end = n
        yield text[start:end]
        pos = end + 1


def _sorted_columns(sections: pd.DataFrame, names: list[str]) -> list[list]:
    """Columns of a sections table as lists, in ``sort_values(["doc_id", "order"], kind="stable")``
    order: put in order in Python when the keys allow it (:func:`policylab.schema.stable_order`),
    which spares pandas sorting (and copying) every column, the texts included.

    Examples
    --------
    >>> secs = pd.DataFrame({"doc_id": ["d2", "d1"], "order": [0, 0], "section_id": ["1", "2"]})
    >>> _sorted_columns(secs, ["doc_id", "section_id"])
    [['d1', 'd2'], ['2', '1']]
    """
    order = schema.stable_order(schema.column_list(sections, "doc_id"), sections["order"].tolist())
    if order is None:
        secs = sections.sort_values(["doc_id", "order"], kind="stable")
        return [secs[name].tolist() for name in names]
    cols = [schema.column_list(sections, name) for name in names]
    if order is not True:
        cols = [[col[i] for i in order] for col in cols]
    return cols


# ----------------------------------------------------------------------------- citations

_TITLE_NUM = re.compile(r"《(?P<title>[^《》]{2,200})》(?:\s*[(（\[]\s*(?P<num>[^()（）\[\]]{2,40}?号)[^()（）]*[)）\]])?")


def _norm_title(t: str | None) -> str:
    if not t:
        return ""
    t = fold(t).strip().strip("《》")
    t = t.replace("〔", "(").replace("〕", ")").replace("[", "(").replace("]", ")")
    t = re.sub(r"[—–～~]", "-", t)
    return re.sub(r"\s+", "", t)


def _doc_citations(doc_id: str, text: str, own: dict, sections: list[tuple[str, object]] | None) -> list[dict]:
    lines = document_lines(text)
    own_titles = {_norm_title(own.get(k)) for k in ("title", "notice_title") if own.get(k)}
    own_titles.discard("")
    own_number = own.get("doc_number")
    # map each body line to the section that holds it
    line_section: dict[str, str] = {}
    if sections is not None:
        for sid, t in sections:  # (section_id, text) in section order
            if pd.notna(t):
                for ln in str(t).split("\n"):
                    line_section.setdefault(ln, sid)
            # headings with run-in text keep their citations in `text`, already covered
    rows, seen_titles, seen_numbers = [], set(), set()

    def section_of(ln: str) -> str | None:
        sid = line_section.get(ln)
        if sid is None:
            for key in line_section:  # a heading line's run-in part
                if key and key in ln:
                    return line_section[key]
        return sid

    for ln in lines:
        # a cited title needs 《, a 文号 needs 号: most lines hold neither, and skip the scans
        has_title, has_number = "《" in ln, "号" in ln
        if not (has_title or has_number):
            continue
        sid = section_of(ln)
        taken = []
        for m in (_TITLE_NUM.finditer(ln) if has_title else ()):
            title = m.group("title").strip()
            num = None
            if m.group("num"):
                nums = find_doc_numbers(m.group("num"))
                num = nums[0][2] if nums else None
            taken.append((m.start(), m.end()))
            if _norm_title(title) in own_titles or (num and num == own_number):
                continue
            if num is None and genre(title) is None:
                continue  # a book or collection, not an official document
            key = _norm_title(title)
            if key in seen_titles:
                continue
            seen_titles.add(key)
            if num:
                seen_numbers.add(num)
            rows.append({"doc_id": doc_id, "section_id": sid, "cited_title": title,
                         "cited_doc_number": num})
        for s, e, num in (find_doc_numbers(ln) if has_number else ()):
            if any(a <= s < b for a, b in taken) or num == own_number or num in seen_numbers:
                continue
            seen_numbers.add(num)
            rows.append({"doc_id": doc_id, "section_id": sid, "cited_title": None,
                         "cited_doc_number": num})
    return rows


def extract_citations(documents: pd.DataFrame, meta: pd.DataFrame | None = None,
                      sections: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per document cited by each document (schema ``citations``).

    Parameters
    ----------
    documents : DataFrame
        ``doc_id`` and ``text``.
    meta : DataFrame, optional
        Document metadata (``doc_id``, ``title``, ``notice_title``, ``doc_number``): the document's
        own title and number are not citations. Pass the metadata table (a number the page gives,
        or a correction, counts); without it the document's frame gives them
        (:func:`policylab.frame.document_identity`).
    sections : DataFrame, optional
        The ``sections`` table, to give each citation its ``section_id``; parsed when not given.

    Returns
    -------
    DataFrame
        ``doc_id, section_id, cited_title, cited_doc_number`` (schema ``citations``).

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["d"], "text": [
    ...     "某市人工智能行动计划\\n根据《国务院关于印发新一代人工智能发展规划的通知》(国发〔2017〕35号),制定本计划。"]})
    >>> extract_citations(docs)[["section_id", "cited_title", "cited_doc_number"]].values.tolist()
    [['0', '国务院关于印发新一代人工智能发展规划的通知', '国发〔2017〕35号']]
    """
    if sections is None:
        sections = parse_sections(documents)
    own_by_doc = {}
    if meta is not None:
        keys = ("title", "notice_title", "doc_number")
        cols = [meta[k].tolist() if k in meta.columns else [None] * len(meta) for k in keys]
        for doc_id, *values in zip(meta["doc_id"].tolist(), *cols):
            own_by_doc[doc_id] = {k: (None if pd.isna(v) else v) for k, v in zip(keys, values)}
    # each document's (section_id, text) pairs, in the table's order (plain lists: no groupby)
    secs_by_doc: dict = {}
    for doc_id, sid, t in zip(schema.column_list(sections, "doc_id"), schema.column_list(sections, "section_id"),
                              schema.column_list(sections, "text")):
        secs_by_doc.setdefault(doc_id, []).append((sid, t))
    rows = []
    for doc_id, text in zip(schema.column_list(documents, "doc_id"), schema.column_list(documents, "text")):
        text = "" if pd.isna(text) else str(text)
        own = own_by_doc.get(doc_id)
        if not own:
            lines, head = document_frame(text)
            own = document_identity(list(lines), head)
        rows.extend(_doc_citations(doc_id, text, own, secs_by_doc.get(doc_id, [])))
    cols = {name: [r[name] for r in rows] for name in ("doc_id", "section_id", "cited_title", "cited_doc_number")}
    order = schema.stable_order(cols["doc_id"])
    if order is None:  # a null or non-text doc_id: pandas sorts as the table holds it
        df = schema.from_columns("citations", cols)
        return df.sort_values(["doc_id"], kind="stable").reset_index(drop=True)
    if order is not True:
        cols = {name: [col[i] for i in order] for name, col in cols.items()}
    return schema.from_columns("citations", cols)


# ----------------------------------------------------------------------------- citation links

@functools.lru_cache(maxsize=1)
def _gazetteer() -> pd.DataFrame:
    # the table of policylab.meta.gazetteer (meta stands above structure in the layers): one reader
    return resources.read_gazetteer()


_TITLE_DROP = re.compile(r"[\W_]+")
_NOTICE = re.compile(r"关于(?:印发|转发|发布)《?(?P<inner>.+?)》?的通知$")


def _norm_cited_title(t) -> str:
    if t is None or (not isinstance(t, str) and pd.isna(t)):
        return ""
    return _TITLE_DROP.sub("", str(t).replace("—", "-").replace("－", "-"))


def _title_keys(t) -> set[str]:
    """A title's normalised forms: itself, and the inner title of a 关于印发…的通知 wrapper."""
    keys = set()
    if isinstance(t, str) and t:
        keys.add(_norm_cited_title(t))
        m = _NOTICE.search(t.strip())
        if m:
            keys.add(_norm_cited_title(m.group("inner")))
    keys.discard("")
    return keys


def cited_level(doc_number, title=None) -> str | None:
    """Level of government of a cited document, from its 文号's issuing code or its title's issuer.

    Examples
    --------
    >>> cited_level("国发〔2017〕35号"), cited_level("皖政〔2018〕42号"), cited_level("沈政发〔2018〕19号")
    ('national', 'provincial', 'municipal')
    >>> cited_level(None, "国务院关于印发新一代人工智能发展规划的通知")
    'national'
    """
    return _cited_level(doc_number if isinstance(doc_number, str) else None,
                        title if isinstance(title, str) else None)


@functools.lru_cache(maxsize=1)
def _level_index():
    """(prefix, level) pairs longest first, and (names, level) per place in gazetteer order."""
    g = _gazetteer()
    level_of = {"national": "national", "province": "provincial", "prefecture": "municipal"}
    prefixes = []
    places = []
    for r in g.itertuples(index=False):
        for pre in filter(None, str(r.doc_prefixes).split("|")):
            prefixes.append((pre, level_of.get(r.level)))
        names = [r.name] + [a for a in str(r.aliases).split("|") if a]
        if r.level != "national":
            names = [r.name]
        places.append((tuple(n for n in names if n), level_of.get(r.level)))
    return prefixes, places


@functools.lru_cache(maxsize=65536)
def _cited_level(doc_number: str | None, title: str | None) -> str | None:
    prefixes, places = _level_index()
    if doc_number:
        code = doc_number.split("〔")[0]
        best = None
        for pre, level in prefixes:  # the longest prefix wins; the first of equal length
            if code.startswith(pre) and len(code) > len(pre) and (best is None or len(pre) > best[0]):
                best = (len(pre), level)
        if best:
            return best[1]
    if title:
        for names, level in places:
            if any(title.startswith(n) for n in names):
                return level
    return None


def link_citations(citations: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """The citations table with the cited document's ``doc_id`` where the corpus holds it.

    A citation matches a document by its normalised 文号, else by its title (the document's
    ``title`` or ``notice_title``, or the title inside a 关于印发…的通知 wrapper), when exactly one
    other document matches. Unmatched citations stay, with ``cited_doc_id`` null, so
    :func:`missing_citations` can list what the corpus lacks.

    Parameters
    ----------
    citations : DataFrame
        Schema ``citations`` (``doc_id, section_id, cited_title, cited_doc_number``).
    documents : DataFrame
        ``doc_id`` with ``doc_number``, ``title``, ``notice_title`` where known.

    Returns
    -------
    DataFrame
        Schema ``citation_links``: the citation columns plus ``cited_doc_id``, ``match``
        ('doc_number', 'title', or null) and ``cited_level``.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["n", "c"], "doc_number": ["国发〔2017〕35号", "宁政发〔2022〕133号"],
    ...                      "title": ["新一代人工智能发展规划", "南京实施方案"], "notice_title": [None, None]})
    >>> cites = pd.DataFrame({"doc_id": ["c", "c"], "section_id": ["0", "0"],
    ...                       "cited_title": ["国务院关于印发新一代人工智能发展规划的通知", "安徽省规划"],
    ...                       "cited_doc_number": ["国发[2017]35号", "皖政〔2018〕42号"]})
    >>> link_citations(cites, docs)[["cited_doc_number", "cited_doc_id", "match", "cited_level"]].values.tolist()
    [['国发〔2017〕35号', 'n', 'doc_number', 'national'], ['皖政〔2018〕42号', <NA>, <NA>, 'provincial']]
    """
    if citations is None or len(citations) == 0:
        return schema.empty("citation_links")
    by_number: dict[str, set[str]] = {}
    by_title: dict[str, set[str]] = {}
    # plain lists of the columns read, not itertuples: the documents table holds every text too
    def column(df, name):
        return df[name].tolist() if name in df.columns else [None] * len(df)

    for did, num, title, notice_title in zip(column(documents, "doc_id"), column(documents, "doc_number"),
                                             column(documents, "title"), column(documents, "notice_title")):
        did = str(did)
        if isinstance(num, str) and num:
            n = normalize_doc_number(num) or num
            by_number.setdefault(n, set()).add(did)
        for t in (title, notice_title):
            for k in _title_keys(t):
                by_title.setdefault(k, set()).add(did)
    out = citations.copy()
    ids, how, levels, numbers = [], [], [], []
    for doc_id, cited_number, cited_title in zip(column(out, "doc_id"), column(out, "cited_doc_number"),
                                                 column(out, "cited_title")):
        num = cited_number if isinstance(cited_number, str) else None
        num = (normalize_doc_number(num) or num) if num else None
        numbers.append(num)
        hit, why = None, None
        cands = by_number.get(num, set()) - {doc_id} if num else set()
        if len(cands) == 1:
            hit, why = next(iter(cands)), "doc_number"
        else:
            cands = set()
            for k in _title_keys(cited_title if isinstance(cited_title, str) else None):
                cands |= by_title.get(k, set())
            cands -= {doc_id}
            if len(cands) == 1:
                hit, why = next(iter(cands)), "title"
        ids.append(hit)
        how.append(why)
        levels.append(cited_level(num, cited_title if isinstance(cited_title, str) else None))
    out["cited_doc_number"] = pd.array(numbers, dtype="string")
    out["cited_doc_id"] = pd.array(ids, dtype="string")
    out["match"] = pd.array(how, dtype="string")
    out["cited_level"] = pd.array(levels, dtype="string")
    return schema.conform("citation_links", out)
