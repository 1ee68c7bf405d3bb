"""Document metadata: 文号, issuer, dates, place, plan period (one row per document).

Chinese official documents (公文) carry their metadata in a fixed frame, which this module reads:

- a notice wrapper (``关于印发…的通知``), the document number (文号, ``宁政发〔2022〕133号``), the
  addressees (``各区人民政府…:``), the transmitting sentence (``现将…印发给你们``), and a signature
  block: the issuing body (发文机关) on one or more lines followed by the date signed (成文日期);
- the plan's own title, whose last words name its genre (实施方案, 实施意见, 行动计划 ...) and may
  carry a period (``(2018-2020年)``);
- clauses on validity (``自2020年12月10日实施,有效期至2022年12月31日止``) and horizons (``到2025年``).

Rules (documented here because researchers date and group by them):

- ``issuer`` is the signature block as written (several issuers joined with ``、``); if there is no
  signature, the organ that opens the title (``合肥市人民政府关于…``); else the page's 发文机关 field.
  ``issuer_source`` says which (``signature`` | ``title`` | ``page``). Never inferred from a
  document-number prefix.
- ``issued`` is the signature date (成文日期, Arabic or Chinese numerals), else a page field labelled
  成文日期. ``published`` / ``updated`` come only from the page (发布时间 / 更新于) -- of the canonical
  file or of any of its duplicates -- and are never the issue date.
- ``city`` / ``province`` / ``level`` come from the gazetteer (``resources/gazetteer.csv``), tried on:
  the issuer, the organ opening the (notice) title, the document-number prefix, the place opening the
  plan title, the page's issuer field. A name or prefix shared by several places is used only when
  exactly one of them is named in the text. ``place_source`` says which source decided.
  A prefecture gives ``level`` 'municipal'; a province 'provincial' (``city`` null); one of the four
  municipalities under the central government (北京, 天津, 上海, 重庆) 'municipal' with ``city`` and
  ``province`` both set; 国务院 / 国发 'national'. If none resolves, the page's 政策级别 (市级 ...).
- ``plan_start`` / ``plan_end``: a year range in the title (``(2018-2020年)``, ``(2025～2026年)``,
  ``2018—2020年``); an edition label (``(2026年版)``) is not a period.
- ``target_years``: every deadline horizon the one horizon finder
  (:func:`policylab.text.horizons`) reads in the body -- 到/至/截至 2025年, 2025年底前, 到“十四五”末 --
  plus the years opening stage-goal paragraphs (``2023年,…``) under a heading that names 目标
  (:func:`target_years`); stored as a comma-separated string of sorted years
  (``'2022,2023,2024,2025'``) so it round-trips through Parquet and CSV unchanged. The targets
  table dates its quantities by the same finder.
- ``year`` = year of ``issued``, else ``effective_from``, else ``published``, else ``plan_start``
  (:data:`YEAR_RULE`, :func:`year_by_rule`; the timeline and the corrections use the same
  function); ``year_source`` names the field used.

The official-document frame this module reads (notice, 文号, signature, title, headings) is
defined in :mod:`policylab.frame`; the text primitives (width, numerals, dates, horizons) in
:mod:`policylab.text`; researcher corrections in :mod:`policylab.corrections`.

A field the text does not give stays null.

Length: about 570 lines, of which some 170 are docstrings and examples (the rules above among them)
and some 280 code. One job holds it together: the metadata row of a document. 文号, issuer, dates,
place and plan period are read from the same document frame and page fields and depend on each other
(the year rule reads the dates; the place reads the issuer, title and 文号 against the gazetteer),
so they stay together.

Examples
--------
>>> from policylab.meta import extract_metadata
>>> m = extract_metadata("关于印发X市人工智能行动计划(2021-2023年)的通知\\n沈政发〔2021〕8号\\n"
...                      "沈阳市人民政府\\n2021年3月2日\\n一、总体要求")
>>> m["doc_number"], m["issuer"], str(m["issued"].date()), m["plan_start"], m["plan_end"]
('沈政发〔2021〕8号', '沈阳市人民政府', '2021-03-02', 2021, 2023)
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache
from typing import Mapping

import pandas as pd

from policylab import resources, schema
from policylab.frame import (  # noqa: F401  (doc_types, find_doc_numbers, document_head: also public here)
    doc_types,
    document_head,
    document_identity,
    end_signature,
    find_doc_numbers,
    genre,
    is_issuer_line,
    join_split_titles,
    match_heading,
    normalize_doc_number,
)
from policylab.structure import body_signature, document_frame
from policylab.text import DATE, cn_number, fold, horizons, lines_of, parse_date  # noqa: F401  (fold, lines_of: also public here)

__all__ = [
    "META_FIELDS", "YEAR_RULE", "extract_metadata", "document_metadata", "target_years", "year_by_rule",
    "gazetteer",
]

# names that moved to policylab.corrections; ``from policylab.meta import apply_corrections`` keeps
# working (resolved on first use, so meta does not import the later corrections stage)
_MOVED = {"CORRECTION_COLUMNS", "read_corrections", "apply_corrections"}


def __getattr__(name: str):
    if name in _MOVED:
        return getattr(importlib.import_module("policylab.corrections"), name)
    raise AttributeError(f"module 'policylab.meta' has no attribute {name!r}")


# ----------------------------------------------------------------------------- curated data


@lru_cache(maxsize=1)
def gazetteer() -> pd.DataFrame:
    """China's province- and prefecture-level divisions (``resources/gazetteer.csv``).

    Returns
    -------
    DataFrame
        ``name, short, province, level, kind, adcode, doc_prefixes, aliases, source, note``
        (strings), one row per place.

    Examples
    --------
    >>> g = gazetteer()
    >>> g.loc[g["name"] == "合肥市", ["short", "province"]].values.tolist()
    [['合肥', '安徽']]
    """
    return resources.read_gazetteer()


@lru_cache(maxsize=1)
def _gaz_index():
    g = gazetteer()
    full, short, prefix, alias = {}, {}, {}, {}
    cols = ("level", "name", "short", "doc_prefixes", "aliases")
    for i, level, name, short_name, prefixes, aliases in zip(g.index, *(g[c].tolist() for c in cols)):
        if level != "national":
            full[name] = i
            short.setdefault(short_name, []).append(i)
        for p in filter(None, prefixes.split("|")):
            prefix.setdefault(p, []).append(i)
        for a in filter(None, aliases.split("|")):
            alias[a] = i
    return full, short, prefix, alias


@lru_cache(maxsize=1)
def _gaz_rows() -> dict:
    """Gazetteer rows as plain dicts by index (read per document: no DataFrame lookups)."""
    g = gazetteer()
    return {i: r for i, r in zip(g.index, g.to_dict("records"))}


_LENGTHS: dict[int, tuple] = {}  # id of a gazetteer index dict -> its key lengths, longest first


def _longest_key_at_start(s: str, keys: dict, min_len: int = 1):
    """The longest key of ``keys`` that opens ``s`` (names are short: try each length once)."""
    lengths = _LENGTHS.get(id(keys))
    if lengths is None:
        lengths = _LENGTHS[id(keys)] = tuple(sorted({len(k) for k in keys}, reverse=True))
    for n in lengths:
        if min_len <= n <= len(s) and s[:n] in keys:
            return s[:n]
    return None


def _places_at_start(s: str, *, issuer: bool = False) -> list[int]:
    """Gazetteer rows whose full or short name opens ``s`` (full names win; longest match)."""
    full, short, _, alias = _gaz_index()
    if not s:
        return []
    if issuer:
        a = _longest_key_at_start(s, alias)
        if a is not None:
            return [alias[a]]
    n = _longest_key_at_start(s, full)
    if n is not None:
        return [full[n]]
    n = _longest_key_at_start(s, short, min_len=2)
    return list(short[n]) if n is not None else []


def _places_of_prefix(doc_number: str | None) -> list[int]:
    """Rows whose document-number prefix opens the issuing code of ``doc_number`` (longest wins)."""
    if not doc_number:
        return []
    code = doc_number.split("〔")[0]
    _, _, prefix, _ = _gaz_index()
    # the longest prefix shorter than the code: a key opening the code without its last character
    # (one lookup per prefix length, not a test of every prefix of the gazetteer)
    hit = _longest_key_at_start(code[:-1], prefix)
    return list(prefix[hit]) if hit is not None else []


def _agree(cands: list[int], text: str) -> int | None:
    """One candidate: it. Several: the only one named (full or short name) in ``text``, else None."""
    if len(cands) == 1:
        return cands[0]
    g = _gaz_rows()
    named = [i for i in cands if g[i]["name"] in text or
             (len(g[i]["short"]) >= 2 and g[i]["short"] in text)]
    # a full name settles ties between a province and a prefecture sharing a short name (海南)
    full_named = [i for i in named if g[i]["name"] in text]
    if len(named) == 1:
        return named[0]
    if len(full_named) == 1:
        return full_named[0]
    return None


_PERIOD = re.compile(
    r"((?:19|20)\d{2})\s*年?\s*[-—–～~至到]+\s*((?:19|20)\d{2})\s*年(?!版)"
)


# ----------------------------------------------------------------------------- extraction

META_FIELDS = [
    "title", "notice_title", "doc_number", "issuer", "issuer_source", "doc_type", "city",
    "province", "level", "place_source", "issued", "published", "updated", "effective_from",
    "effective_to", "plan_start", "plan_end", "target_years", "year", "year_source",
]
_LEVEL_WORDS = {"市级": "municipal", "省级": "provincial", "国家级": "national", "国家": "national",
                "中央": "national", "区级": "county", "县级": "county", "区县级": "county"}


def _page_values(page_fields, field: str) -> list[str]:
    """Non-empty values of one page field, in table order (plain iteration: this runs per document)."""
    if page_fields is None or len(page_fields) == 0:
        return []
    out = []
    fields, values = page_fields["field"], page_fields["value"]
    if hasattr(fields, "tolist"):
        fields, values = fields.tolist(), values.tolist()
    for f, v in zip(fields, values):
        if f == field and isinstance(v, str) and v.strip():
            out.append(v.strip())
    return out


def _page_value(page_fields: pd.DataFrame | None, field: str) -> str | None:
    v = _page_values(page_fields, field)
    return v[0] if v else None


def _page_date(page_fields, field) -> pd.Timestamp | None:
    for v in _page_values(page_fields, field):
        d = parse_date(v)
        if d is not None:
            return d
    return None




# ----------------------------------------------------------------------------- the year rule

#: the fields a document's ``year`` is taken from, first non-null wins: issued (成文日期), in force
#: (施行), published (发布), the plan's first year
YEAR_RULE = ("issued", "effective_from", "published", "plan_start")


def year_by_rule(values: Mapping) -> tuple[int | None, str | None]:
    """A document's ``year`` and ``year_source`` by :data:`YEAR_RULE`.

    Parameters
    ----------
    values : mapping
        Field name -> value (a dict, a DataFrame row). Dates may be Timestamps, datetimes or
        date strings; ``plan_start`` a year (int or ``'2021'``). Missing or null fields are skipped.

    Returns
    -------
    (int or None, str or None)
        The year and the field it came from; ``(None, None)`` when no field gives one.

    Examples
    --------
    >>> import pandas as pd
    >>> year_by_rule({"issued": None, "published": pd.Timestamp("2019-03-01"), "plan_start": 2018})
    (2019, 'published')
    >>> year_by_rule({"plan_start": 2021}), year_by_rule({})
    ((2021, 'plan_start'), (None, None))
    """
    for field in YEAR_RULE:
        v = values.get(field) if hasattr(values, "get") else None
        if v is None or v is pd.NaT:
            continue
        try:
            if pd.isna(v):
                continue
        except (TypeError, ValueError):
            pass
        if hasattr(v, "year"):
            return int(v.year), field
        if isinstance(v, str):
            s = v.strip()
            if s.isdigit() and len(s) == 4:
                return int(s), field
            try:
                return int(pd.Timestamp(s).year), field
            except (TypeError, ValueError):
                continue
        try:
            return int(v), field
        except (TypeError, ValueError):
            continue
    return None, None


# ----------------------------------------------------------------------------- target years


def target_years(lines: list[str], folded: bool = False) -> list[int]:
    """The horizon years of a document's body lines, sorted (``documents.target_years``).

    Every deadline horizon of :func:`policylab.text.horizons` (到/至 2025年, 2025年底前, 到“十四五”末)
    counts; a stage year opening a sentence (``2023年,…``) counts under a heading that names 目标.

    Parameters
    ----------
    lines : list of str
        The body's lines (after the notice wrapper).
    folded : bool
        True: the lines are folded already (:func:`policylab.text.lines_of`'s): not folded again.

    Returns
    -------
    list of int

    Examples
    --------
    >>> target_years(["一、发展目标", "到2025年,建成平台。", "2023年,完成规划。",
    ...               "二、重点任务", "2024年,开展试点。", "至2027年底前,全面完成。"])
    [2023, 2025, 2027]
    """
    years = set()
    headings: dict[int, dict | None] = {}  # line -> match_heading, read only when a stage year asks

    def under_goal_heading(k: int) -> bool:
        # the heading in force at line k is the last line up to k that parses as one
        for j in range(k, -1, -1):
            if j not in headings:
                headings[j] = match_heading(lines[j], folded=folded)
            if headings[j] is not None:
                return "目标" in (headings[j]["heading"] or "")
        return False

    for k, ln in enumerate(lines):
        if "年" not in ln and "五" not in ln:
            continue  # no year and no five-year plan: no horizon (most lines)
        for _, year, kind in horizons(ln, folded=folded):
            if kind == "by" or under_goal_heading(k):
                years.add(year)
    return sorted(years)


_IN_FORCE_VERB = re.compile(r"施行|实施|执行|生效")


def _in_force_words(text: str):
    """Offsets where an in-force phrase starts after a 日 or digit: ``(?<=[日\\d])\\s*(?:起\\s*)?(?:开始)?``
    before one of the verbs, in text order (what that pattern's ``finditer`` gives, as starts).

    The verbs are rare and open with a literal, so they are found first and the words before them
    read backwards; that pattern, which opens with a look-behind (or a digit class: digits are
    common), is tried at many more positions.
    """
    for v in _IN_FORCE_VERB.finditer(text):
        e = v.start()
        if e >= 2 and text[e - 2 : e] == "开始":
            e -= 2
        while e > 0 and text[e - 1].isspace():
            e -= 1
        if e > 0 and text[e - 1] == "起":
            e -= 1
            while e > 0 and text[e - 1].isspace():
                e -= 1
        if e > 0 and (text[e - 1] == "日" or text[e - 1].isdecimal()):  # \d is str.isdecimal
            yield e


_DATE_AT_END = re.compile(rf"({DATE})\s*$")
_FROM_ISSUE = re.compile(r"自(?:印发|发布|公布)之日起(?:施行|实施|执行|生效)")
_VALID_TO = re.compile(rf"有效期\s*(?:至|到|截至)\s*({DATE})")
_VALID_FOR = re.compile(r"有效期\s*(?:为)?\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*年")


def _effective(text: str, issued) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    frm = to = None
    # (自)2020年12月10日(起)施行: find the verb, then a date right before it (a date pattern tried at
    # every position of the text would cost more than the rest of the metadata)
    for at in _in_force_words(text):
        m = _DATE_AT_END.search(text[max(0, at - 30) : at])
        if m:
            frm = parse_date(m.group(1))
            break
    if frm is None and issued is not None and _FROM_ISSUE.search(text):
        frm = issued
    m = _VALID_TO.search(text) if "有效期" in text else None
    if m:
        to = parse_date(m.group(1))
    elif frm is not None:
        m = _VALID_FOR.search(text)
        if m and cn_number(m.group(1)):
            to = frm + pd.DateOffset(years=cn_number(m.group(1))) - pd.Timedelta(days=1)
    return frm, to


def extract_metadata(text: str, page_fields: pd.DataFrame | None = None) -> dict:
    """Metadata of one document from its text (clean or raw) and, optionally, its page fields.

    Parameters
    ----------
    text : str
        The document, one paragraph per line (full- or half-width punctuation).
    page_fields : DataFrame, optional
        Rows of the ``page_fields`` table for this document's files (``field``, ``value``), the
        canonical file's first; used for ``published``/``updated`` and as fallbacks (see module doc).

    Returns
    -------
    dict
        Keys of :data:`META_FIELDS`; absent facts are ``None``.

    Examples
    --------
    >>> m = extract_metadata("合肥市人民政府关于加快推进人工智能产业发展的实施意见\\n各县(市)、区人民政府:\\n"
    ...                      "到2020年,产业规模超过100亿元。到2025年,…")
    >>> m["issuer"], m["doc_type"], m["city"], m["province"], m["target_years"]
    ('合肥市人民政府', '实施意见', '合肥', '安徽', '2020,2025')
    """
    lines, head = document_frame(text)  # the section and citation stages read them too
    lines = list(lines)
    out: dict = dict.fromkeys(META_FIELDS)

    # titles and the document number (a number line of the wrapper, else the page's 文号 field)
    out.update(document_identity(lines, head))
    notice = head["notice"]
    if out["title"]:
        out["doc_type"] = genre(out["title"])
        m = _PERIOD.search(out["title"])
        if m and int(m.group(1)) <= int(m.group(2)):
            out["plan_start"], out["plan_end"] = int(m.group(1)), int(m.group(2))

    if out["doc_number"] is None:
        out["doc_number"] = normalize_doc_number(_page_value(page_fields, "doc_number") or "")

    # signature: issuer(s) and the date signed
    sig = head["signature"] or body_signature(text)  # end_signature(lines[head["body_start"]:]), kept
    if sig:
        out["issuer"], out["issuer_source"] = "、".join(sig[1]), "signature"
        out["issued"] = sig[2]
    else:
        organ = None
        if out["title"] and "关于" in out["title"]:
            organ = out["title"].split("关于")[0]
        if not organ and notice is not None:
            organ = notice.group("organ").strip("《")
        if organ and is_issuer_line(organ):
            out["issuer"], out["issuer_source"] = organ, "title"
        elif _page_value(page_fields, "issuer"):
            out["issuer"], out["issuer_source"] = _page_value(page_fields, "issuer"), "page"
    if out["issued"] is None:
        out["issued"] = _page_date(page_fields, "issued")
    out["published"] = _page_date(page_fields, "published")
    out["updated"] = _page_date(page_fields, "updated")

    joined = "\n".join(lines)
    out["effective_from"], out["effective_to"] = _effective(joined, out["issued"])
    ty = target_years(lines[head["body_start"]:], folded=True)  # lines of lines_of: folded
    out["target_years"] = ",".join(map(str, ty)) if ty else None

    _place(out, notice, joined, page_fields)

    out["year"], out["year_source"] = year_by_rule(out)
    return out


def _place(out: dict, notice, text: str, page_fields) -> None:
    g = _gaz_rows()
    organs = []
    if out["issuer"] and out["issuer_source"] != "page":
        organs.append(("issuer", out["issuer"], True))
    for t in (out["title"], out["notice_title"]):
        if t and "关于" in t:
            organs.append(("title", t.split("关于")[0].strip("《"), True))
    tries = [(src, _places_at_start(s, issuer=iss)) for src, s, iss in organs]
    tries.append(("doc_number", _places_of_prefix(out["doc_number"])))
    for t in (out["title"],):
        if t:
            tries.append(("title", _places_at_start(t.strip("《"))))
    if out["issuer_source"] == "page" or _page_value(page_fields, "issuer"):
        tries.append(("page", _places_at_start(_page_value(page_fields, "issuer") or "", issuer=True)))
    for src, cands in tries:
        if not cands:
            continue
        i = _agree(cands, text)
        if i is None:
            continue
        r = g[i]
        if r["level"] == "national":
            out["level"] = "national"
        elif r["level"] == "province" and r["kind"] != "直辖市":
            out["province"], out["level"] = r["short"], "provincial"
        else:
            out["city"], out["province"], out["level"] = r["short"], r["province"], "municipal"
        out["place_source"] = src
        return
    lv = _page_value(page_fields, "level")
    if lv and lv.strip() in _LEVEL_WORDS:
        out["level"], out["place_source"] = _LEVEL_WORDS[lv.strip()], "page"


# ----------------------------------------------------------------------------- corpus level


def _pf_for_doc(page_fields: pd.DataFrame | None, files: pd.DataFrame | None) -> dict:
    """page_fields rows grouped by doc_id, the canonical file's rows first (then by path)."""
    if page_fields is None or len(page_fields) == 0 or files is None or len(files) == 0:
        return {}
    fast = _pf_lists(page_fields, files)
    return fast if fast is not None else _pf_merged(page_fields, files)


def _pf_merged(page_fields: pd.DataFrame, files: pd.DataFrame) -> dict:
    """:func:`_pf_for_doc` by a merge and a frame sort: any keys (see :func:`_pf_lists`)."""
    f = files.loc[files["doc_id"].notna(), ["path", "doc_id", "status"]].copy()
    f["rank"] = (f["status"] != "document").astype(int)
    pf = page_fields.merge(f, on="path", how="inner")
    pf = pf.sort_values(["doc_id", "rank", "path", "line_no"], kind="stable")
    # plain lists per document: extract_metadata reads them many times per document
    # (a pass over plain lists, not a groupby: the sorted rows of one document are contiguous)
    out: dict = {}
    for d, fld, val in zip(pf["doc_id"].tolist(), pf["field"].tolist(), pf["value"].tolist()):
        if d not in out:
            out[d] = {"field": [], "value": []}
        out[d]["field"].append(fld)
        out[d]["value"].append(val)
    return out


def _pf_lists(page_fields: pd.DataFrame, files: pd.DataFrame) -> dict | None:
    """:func:`_pf_for_doc` from the columns as plain lists (no merge, no frame sort): the same
    rows in the same order, or None when a key is not of the plain kind that makes the two agree
    (a path, doc_id or status that is not text -- a null path matches a null path in a merge --,
    a path given twice in ``files``, a line number that is not an int)."""
    where: dict = {}
    for path, d, status in zip(files["path"].tolist(), files["doc_id"].tolist(), files["status"].tolist()):
        if d is None or d is pd.NA or (isinstance(d, float) and d != d):
            continue  # files["doc_id"].notna() leaves it out
        if type(path) is not str or type(d) is not str or type(status) is not str or path in where:
            return None
        where[path] = (d, 0 if status == "document" else 1)  # rank: the canonical file's rows first
    keys = []
    for i, (path, line_no) in enumerate(zip(page_fields["path"].tolist(), page_fields["line_no"].tolist())):
        if type(path) is not str:
            return None
        w = where.get(path)
        if w is None:
            continue  # an inner merge drops it
        if type(line_no) is not int:
            return None
        keys.append((w[0], w[1], path, line_no, i))  # i: the stable sort keeps the table's order
    keys.sort()
    fields, values = page_fields["field"].tolist(), page_fields["value"].tolist()
    out: dict = {}
    for d, _, _, _, i in keys:
        if d not in out:
            out[d] = {"field": [], "value": []}
        out[d]["field"].append(fields[i])
        out[d]["value"].append(values[i])
    return out


def document_metadata(documents: pd.DataFrame, page_fields: pd.DataFrame | None = None,
                      files: pd.DataFrame | None = None) -> pd.DataFrame:
    """Metadata of every document (schema ``document_metadata``), one row per ``doc_id``.

    Parameters
    ----------
    documents : DataFrame
        ``doc_id`` and ``text`` (clean text).
    page_fields : DataFrame, optional
        The corpus' ``page_fields`` (per file path).
    files : DataFrame, optional
        The corpus' ``files``: maps every path -- duplicates included -- to its ``doc_id``, so a fact
        only a duplicate's page gives (e.g. its 发布时间) reaches the canonical record.

    Returns
    -------
    DataFrame
        One row per ``doc_id``, the columns of :data:`META_FIELDS` (schema ``document_metadata``).

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["d1"], "text": ["某某方案\\n一、总体要求\\n到2025年,…"]})
    >>> document_metadata(docs)[["doc_id", "title", "target_years", "year"]]
      doc_id title target_years  year
    0     d1  某某方案         2025  <NA>
    """
    pf = _pf_for_doc(page_fields, files)
    rows = []
    # plain lists: iterating Arrow-backed columns row by row costs more than reading them
    for doc_id, text in zip(schema.column_list(documents, "doc_id"), schema.column_list(documents, "text")):
        m = extract_metadata("" if pd.isna(text) else str(text), pf.get(doc_id))
        m["doc_id"] = doc_id
        rows.append(m)
    # the frame straight from the columns, in doc_id order, when every value is of a plain kind
    # (str, int, Timestamp, None); else pandas infers, casts and sorts, as it always did
    cols = {name: [m[name] for m in rows] for name in ("doc_id", *META_FIELDS)}
    order = schema.stable_order(cols["doc_id"])
    if order is not None:
        if order is not True:
            cols = {name: [col[i] for i in order] for name, col in cols.items()}
        df = schema.from_columns("document_metadata", cols, fallback=False)
        if df is not None:
            return df
    df = pd.DataFrame(rows, columns=["doc_id", *META_FIELDS])
    return _conform(df)


def _conform(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in schema.SCHEMAS["document_metadata"]:
        if c.dtype.startswith("datetime") and c.name in df:
            df[c.name] = pd.to_datetime(df[c.name]).astype(c.dtype)
    out = schema.conform("document_metadata", df)
    return out.sort_values("doc_id", kind="stable").reset_index(drop=True)


