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
- ``target_years``: every ``到20XX年`` horizon, plus the years opening stage-goal paragraphs
  (``2023年,…``) under a heading that names 目标; stored as a comma-separated string of sorted
  years (``'2022,2023,2024,2025'``) so it round-trips through Parquet and CSV unchanged.
- ``year`` = year of ``issued``, else ``effective_from``, else ``published``, else ``plan_start``;
  ``year_source`` names the field used.

A field the text does not give stays null.

Examples
--------
>>> from policylab.meta import extract_metadata
>>> m = extract_metadata("关于印发X市人工智能行动计划(2021-2023年)的通知\\n沈政发〔2021〕8号\\n"
...                      "沈阳市人民政府\\n2021年3月2日\\n一、总体要求")
>>> m["doc_number"], m["issuer"], str(m["issued"].date()), m["plan_start"], m["plan_end"]
('沈政发〔2021〕8号', '沈阳市人民政府', '2021-03-02', 2021, 2023)
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from policylab import resources, schema

# ----------------------------------------------------------------------------- text helpers

_FULL_TO_HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULL_TO_HALF[0x3000] = 0x20
# keep the brackets and punctuation the clean-text contract keeps full-width
for _keep in "〔〕【】":
    _FULL_TO_HALF.pop(ord(_keep), None)


_NEEDS_FOLD = re.compile("[\uff01-\uff5e\u3000]")


def fold(text: str) -> str:
    """Fold full-width ASCII forms (（）：，１２…, U+3000) to half-width; keep 〔〕【】、。“”《》——."""
    # clean text is folded already: a C-speed scan spares the per-character translate
    return text.translate(_FULL_TO_HALF) if _NEEDS_FOLD.search(text) else text


def lines_of(text: str) -> list[str]:
    """Folded, stripped, non-empty lines of ``text``."""
    return [ln.strip() for ln in fold(text or "").splitlines() if ln.strip()]


_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def cn_number(s: str) -> int | None:
    """Small Chinese numerals: 十二 -> 12, 二十一 -> 21, 三十 -> 30, 二〇二二 -> 2022, 7 -> 7."""
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
    digits = [_CN_DIGIT.get(ch) for ch in s]
    if any(d is None for d in digits):
        return None
    n = 0
    for d in digits:
        n = n * 10 + d
    return n


_Y = r"(?:19|20)\d{2}"
_CN_Y = r"[〇零○OＯ一二三四五六七八九]{4}"
_CN_MD = r"[一二三四五六七八九十]{1,3}"
DATE = (rf"(?:{_Y}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|{_CN_Y}年{_CN_MD}月{_CN_MD}日"
        rf"|{_Y}[-/.]\d{{1,2}}[-/.]\d{{1,2}})")
_DATE_PARTS = re.compile(
    rf"(?P<y>{_Y}|{_CN_Y})\s*[年/.-]\s*(?P<m>\d{{1,2}}|{_CN_MD})\s*[月/.-]\s*(?P<d>\d{{1,2}}|{_CN_MD})"
)


def parse_date(s) -> pd.Timestamp | None:
    """A date written ``2022年12月12日``, ``二〇二二年十二月十二日``, ``2022-12-12`` or ``2022/12/12``."""
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


# ----------------------------------------------------------------------------- document numbers

_DOCNUM = re.compile(
    r"(?P<org>[\u4e00-\u9fff]{1,12}?)\s*[〔\[(【［]\s*(?P<year>(?:19|20)\d{2})\s*[〕\])】］]"
    r"\s*(?P<num>\d{1,5})\s*号"
)
# words that precede a cited number in running text and are not part of the issuing code
_LEAD_WORDS = re.compile(r"^(?:.*?(?:根据|按照|依据|依照|贯彻|落实|参照|印发|转发|见|和|及|与|或|、))")


def _clean_org(org: str) -> str:
    return _LEAD_WORDS.sub("", org) or org


def normalize_doc_number(s: str) -> str | None:
    """``宁政发[2022]133号`` / ``宁政发(2022)133号`` / ``宁政发【2022】133号`` -> ``宁政发〔2022〕133号``."""
    m = _DOCNUM.search(fold(s or ""))
    if not m:
        return None
    return f"{_clean_org(m.group('org'))}〔{m.group('year')}〕{int(m.group('num'))}号"


def find_doc_numbers(line: str) -> list[tuple[int, int, str]]:
    """Every document number in ``line`` as ``(start, end, normalised)``."""
    out = []
    for m in _DOCNUM.finditer(line):
        org = _clean_org(m.group("org"))
        start = m.end("org") - len(org)
        out.append((start, m.end(), f"{org}〔{m.group('year')}〕{int(m.group('num'))}号"))
    return out


# ----------------------------------------------------------------------------- curated data


@lru_cache(maxsize=1)
def doc_types() -> tuple[str, ...]:
    """Genre words (实施方案, 行动计划 ...) from ``resources/doc_types.csv``, longest first."""
    with open(resources.path("doc_types.csv"), encoding="utf-8") as f:
        words = [r["doc_type"].strip() for r in csv.DictReader(f) if r["doc_type"].strip()]
    return tuple(sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def gazetteer() -> pd.DataFrame:
    """China's province- and prefecture-level divisions (``resources/gazetteer.csv``)."""
    g = pd.read_csv(resources.path("gazetteer.csv"), dtype=str, keep_default_na=False)
    return g


@lru_cache(maxsize=1)
def _gaz_index():
    g = gazetteer()
    full, short, prefix, alias = {}, {}, {}, {}
    for i, r in g.iterrows():
        if r["level"] != "national":
            full[r["name"]] = i
            short.setdefault(r["short"], []).append(i)
        for p in filter(None, r["doc_prefixes"].split("|")):
            prefix.setdefault(p, []).append(i)
        for a in filter(None, r["aliases"].split("|")):
            alias[a] = i
    return full, short, prefix, alias


def _places_at_start(s: str, *, issuer: bool = False) -> list[int]:
    """Gazetteer rows whose full or short name opens ``s`` (full names win; longest match)."""
    full, short, _, alias = _gaz_index()
    if not s:
        return []
    if issuer:
        for a in sorted(alias, key=len, reverse=True):
            if s.startswith(a):
                return [alias[a]]
    for n in sorted((n for n in full if s.startswith(n)), key=len, reverse=True)[:1]:
        return [full[n]]
    hits = sorted((n for n in short if len(n) >= 2 and s.startswith(n)), key=len, reverse=True)
    return list(short[hits[0]]) if hits else []


def _places_of_prefix(doc_number: str | None) -> list[int]:
    """Rows whose document-number prefix opens the issuing code of ``doc_number`` (longest wins)."""
    if not doc_number:
        return []
    code = doc_number.split("〔")[0]
    _, _, prefix, _ = _gaz_index()
    hits = sorted((p for p in prefix if code.startswith(p) and len(code) > len(p)), key=len,
                  reverse=True)
    return list(prefix[hits[0]]) if hits else []


def _agree(cands: list[int], text: str) -> int | None:
    """One candidate: it. Several: the only one named (full or short name) in ``text``, else None."""
    if len(cands) == 1:
        return cands[0]
    g = gazetteer()
    named = [i for i in cands if g.at[i, "name"] in text or
             (len(g.at[i, "short"]) >= 2 and g.at[i, "short"] in text)]
    # a full name settles ties between a province and a prefecture sharing a short name (海南)
    full_named = [i for i in named if g.at[i, "name"] in text]
    if len(named) == 1:
        return named[0]
    if len(full_named) == 1:
        return full_named[0]
    return None


# ----------------------------------------------------------------------------- line kinds

_ORGAN = re.compile(
    r"(?:人民政府|政府|办公厅|办公室|委员会|管委会|领导小组|工作小组|局|厅|委|部|院|署|中心|"
    r"办|会|党委|党组|市委|省委|区委|县委|银行|分行|公司|集团|协会|联合会)$"
)
_NOTICE = re.compile(r"^《?(?P<notice>(?P<organ>[^《》〔〕\[\]()\d]*?)关于(?:印发|转发|印送|发布|下发)(?P<inner>.+?)的(?:通知|通告|函))》?")
# addressees (主送机关): 各区人民政府,市府各委办局,市各直属单位: -- not a lead-in such as 现提出如下意见:
_ADDRESSEE = re.compile(
    r"^(?!为|根据|按照|依据|经|现|特|兹)(?=[^。]*(?:各|人民政府|单位|部门|机构|机关|委办局))[^。]{2,150}:$"
)
_TRANSMIT = re.compile(r"(?:现|今|特|兹)(?:将|把)[^。]*(?:印发|转发|发布|印送|下发)")
_THIS_COPY = re.compile(r"^[(\[【]此件[^)\]】]{0,12}[)\]】]$")
_DATE_LINE = re.compile(rf"^{DATE}$")
_ISSUER_DATE = re.compile(rf"^(?P<issuer>.+?)\s+(?P<date>{DATE})$")
_TITLE_TAIL = re.compile(
    r"\s*(?:[(\[【]\s*(?:(?:19|20)\d{2}[^)\]】]{0,12}|[^)\]】]{0,8}版|试行|暂行|征求意见稿|修订)\s*[)\]】]"
    r"|(?:19|20)\d{2}\s*年?\s*[-—–~至到]+\s*(?:19|20)\d{2}\s*年)\s*$"
)
_PERIOD = re.compile(
    r"((?:19|20)\d{2})\s*年?\s*[-—–～~至到]+\s*((?:19|20)\d{2})\s*年(?!版)"
)
_HORIZON = re.compile(r"到\s*((?:19|20)\d{2})\s*年")
_STAGE = re.compile(r"^((?:19|20)\d{2})\s*年\s*[,:，：]")


def is_issuer_line(line: str) -> bool:
    """A signature line: one or more organ names (separated by spaces or 、), nothing else."""
    if len(line) > 80 or re.search(r"[。,:;!?《》]", line):
        return False
    parts = [p for p in re.split(r"[\s、]+", line) if p]
    return bool(parts) and all(2 <= len(p) <= 30 and _ORGAN.search(p) for p in parts)


def _genre(title: str) -> str | None:
    t = _TITLE_TAIL.sub("", title).rstrip("》")
    for w in doc_types():
        if t.endswith(w):
            return w
    return None


def _looks_like_title(line: str) -> bool:
    if len(line) > 100 or line[-1] in "。,;:!?" or "。" in line:
        return False
    return _genre(line) is not None


def _join_split_titles(lines: list[str], limit: int = 14) -> list[str]:
    """Join a title broken over two lines (PDF extraction) in the document head."""
    out = list(lines)
    i = 0
    while i < min(len(out) - 1, limit):
        a, b = out[i], out[i + 1]
        joinable = (
            len(a) <= 40 and len(b) <= 60 and a[-1] not in "。,;:!?》)" and not _looks_like_title(a)
            and not _NOTICE.match(a) and not _DOCNUM.search(a) and not _DATE_LINE.match(a)
            and not is_issuer_line(a) and not _DATE_LINE.match(b) and not is_issuer_line(b)
            and not _heading_like(b)
        )
        if joinable and (_looks_like_title(a + b) or _NOTICE.match(a + b)):
            out[i:i + 2] = [a + b]
            continue
        i += 1
    return out


def _heading_like(line: str) -> bool:
    from policylab.structure import match_heading

    return match_heading(line) is not None


def _signature_at(lines: list[str], i: int) -> tuple[int, list[str], pd.Timestamp] | None:
    """If ``lines[i]`` is the date of a signature block, return (first line, issuers, date)."""
    m = _ISSUER_DATE.match(lines[i])
    if m and is_issuer_line(m.group("issuer")):
        issuers = re.split(r"[\s、]+", m.group("issuer"))
        j = i
    elif _DATE_LINE.match(lines[i]):
        j = i
        while j > 0 and i - j < 8 and is_issuer_line(lines[j - 1]):
            j -= 1
        if j == i:
            return None
        issuers = [p for ln in lines[j:i] for p in re.split(r"[\s、]+", ln) if p]
    else:
        return None
    return j, issuers, parse_date(lines[i])


def document_head(lines: list[str]) -> dict:
    """Parse the wrapper that precedes the plan's body.

    Returns a dict with ``body_start`` (index of the first body line), ``notice`` (the notice match),
    ``title_line`` (index or None), ``number_lines``, ``signature`` ((first, issuers, date) or None).
    """
    info = {"body_start": 0, "notice": None, "notice_line": None, "title_line": None,
            "number_lines": [], "signature": None, "addressee": None}
    n = len(lines)
    i = 0
    while i < n:
        ln = lines[i]
        nm = _NOTICE.match(ln)
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
            if rest and not (_NOTICE.match(rest) or _looks_like_title(rest.strip("《》"))):
                break
            info["number_lines"].append(i)
            if rest and _NOTICE.match(rest) and info["notice"] is None:
                info["notice"], info["notice_line"] = _NOTICE.match(rest), i
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
        elif _looks_like_title(ln) and info["title_line"] is None and not _heading_like(ln):
            info["title_line"] = i
        else:
            break
        i += 1
    info["body_start"] = i
    if info["signature"] is not None:
        info["signature"] = info["signature"][:3]
    return info


def _signature_here(lines: list[str], i: int):
    """A signature block starting at line ``i``: (first, issuers, date, index of the date line)."""
    m = _ISSUER_DATE.match(lines[i])
    if m and is_issuer_line(m.group("issuer")):
        return i, re.split(r"[\s、]+", m.group("issuer")), parse_date(m.group("date")), i
    k = i
    while k < len(lines) and k - i < 8 and is_issuer_line(lines[k]):
        k += 1
    if k > i and k < len(lines) and _DATE_LINE.match(lines[k]):
        issuers = [p for ln in lines[i:k] for p in re.split(r"[\s、]+", ln) if p]
        return i, issuers, parse_date(lines[k]), k
    return None


def _end_signature(lines: list[str]) -> tuple[int, list[str], pd.Timestamp] | None:
    """A signature block among the last lines of the document (documents without a wrapper)."""
    for k in range(len(lines) - 1, max(-1, len(lines) - 6), -1):
        sig = _signature_at(lines, k)
        if sig:
            return sig
    return None


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


def _target_years(lines: list[str]) -> list[int]:
    from policylab.structure import match_heading

    years = set()
    goal_heading = False
    for ln in lines:
        h = match_heading(ln)
        if h is not None:
            goal_heading = "目标" in (h["heading"] or "")
        years.update(int(y) for y in _HORIZON.findall(ln))
        m = _STAGE.match(ln)
        if m and goal_heading:
            years.add(int(m.group(1)))
    return sorted(years)


def _effective(text: str, issued) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    frm = to = None
    m = re.search(rf"自?\s*({DATE})\s*起?\s*(?:开始)?(?:施行|实施|执行|生效)", text)
    if m:
        frm = parse_date(m.group(1))
    elif issued is not None and re.search(r"自(?:印发|发布|公布)之日起(?:施行|实施|执行|生效)", text):
        frm = issued
    m = re.search(rf"有效期\s*(?:至|到|截至)\s*({DATE})", text)
    if m:
        to = parse_date(m.group(1))
    elif frm is not None:
        m = re.search(r"有效期\s*(?:为)?\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*年", text)
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
    lines = _join_split_titles(lines_of(text))
    head = document_head(lines)
    out: dict = dict.fromkeys(META_FIELDS)

    # titles
    notice = head["notice"]
    if notice is not None:
        nt = notice.group("notice")
        out["notice_title"] = nt
    if head["title_line"] is not None:
        out["title"] = lines[head["title_line"]].strip("《》")
    elif notice is not None:
        out["title"] = notice.group("inner").strip().strip("《》") or None
    if out["title"]:
        out["doc_type"] = _genre(out["title"])
        m = _PERIOD.search(out["title"])
        if m and int(m.group(1)) <= int(m.group(2)):
            out["plan_start"], out["plan_end"] = int(m.group(1)), int(m.group(2))

    # document number: a number line of the wrapper, else the page's 文号 field
    for i in head["number_lines"]:
        nums = find_doc_numbers(lines[i])
        if nums:
            out["doc_number"] = nums[0][2]
            break
    if out["doc_number"] is None:
        out["doc_number"] = normalize_doc_number(_page_value(page_fields, "doc_number") or "")

    # signature: issuer(s) and the date signed
    sig = head["signature"] or _end_signature(lines[head["body_start"]:])
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
    ty = _target_years(lines[head["body_start"]:])
    out["target_years"] = ",".join(map(str, ty)) if ty else None

    _place(out, notice, joined, page_fields)

    for field in ("issued", "effective_from", "published", "plan_start"):
        v = out[field]
        if v is not None:
            out["year"] = v if isinstance(v, int) else v.year
            out["year_source"] = field
            break
    return out


def _place(out: dict, notice, text: str, page_fields) -> None:
    g = gazetteer()
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
        r = g.loc[i]
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
    f = files.loc[files["doc_id"].notna(), ["path", "doc_id", "status"]].copy()
    f["rank"] = (f["status"] != "document").astype(int)
    pf = page_fields.merge(f, on="path", how="inner")
    pf = pf.sort_values(["doc_id", "rank", "path", "line_no"], kind="stable")
    # plain lists per document: extract_metadata reads them many times per document
    return {d: {"field": g["field"].tolist(), "value": g["value"].tolist()} for d, g in pf.groupby("doc_id", sort=True)}


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
    for doc_id, text in zip(documents["doc_id"], documents["text"]):
        m = extract_metadata("" if pd.isna(text) else str(text), pf.get(doc_id))
        m["doc_id"] = doc_id
        rows.append(m)
    df = pd.DataFrame(rows, columns=["doc_id", *META_FIELDS])
    return _conform(df)


def _conform(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in schema.SCHEMAS["document_metadata"]:
        if c.dtype.startswith("datetime") and c.name in df:
            df[c.name] = pd.to_datetime(df[c.name]).astype(c.dtype)
    out = schema.conform("document_metadata", df)
    return out.sort_values("doc_id", kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- corrections

CORRECTION_COLUMNS = ["doc_key", "field", "value", "source", "note"]
_YEAR_RULE = ("issued", "effective_from", "published", "plan_start")


def read_corrections(path: str | Path) -> pd.DataFrame:
    """Read a corrections CSV (``doc_key, field, value, source, note``); missing file -> empty."""
    p = Path(path)
    if not p.exists():
        return pd.DataFrame({c: pd.Series(dtype="string") for c in CORRECTION_COLUMNS})
    df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in CORRECTION_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{p}: corrections file lacks columns {missing}")
    return df[CORRECTION_COLUMNS].astype("string")


def apply_corrections(meta: pd.DataFrame, corrections: pd.DataFrame,
                      files: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply curated corrections to a metadata table; return it and a log of what was done.

    A correction row names the document by ``doc_key`` -- its ``doc_id``, or a source file's name
    or relative path (resolved through ``files`` or a ``source_path`` column of ``meta``) -- and gives
    a ``field`` of :data:`META_FIELDS` and a ``value`` (empty = set to null). Dates are read as
    dates, years as integers. When a date or ``plan_start`` is corrected and ``year`` is not,
    ``year``/``year_source`` are recomputed by the documented rule; a corrected ``year`` gets
    ``year_source`` 'correction'.

    Returns
    -------
    (DataFrame, DataFrame)
        ``meta`` with corrections applied (other columns untouched) and the log (schema
        ``metadata_corrections``: doc_key, doc_id, field, old_value, new_value, source, note, status
        where status is 'applied', 'unknown_document', 'unknown_field' or 'bad_value').

    Examples
    --------
    >>> import pandas as pd
    >>> meta = document_metadata(pd.DataFrame({"doc_id": ["d1"], "text": ["某某方案"]}))
    >>> fix = pd.DataFrame({"doc_key": ["d1"], "field": ["issued"], "value": ["2021-05-01"],
    ...                     "source": ["gov.cn"], "note": [""]})
    >>> meta, log = apply_corrections(meta, fix)
    >>> meta.loc[0, "year"], meta.loc[0, "year_source"], log.loc[0, "status"]
    (np.int64(2021), 'issued', 'applied')
    """
    meta = meta.copy()
    dtypes = {c.name: c.dtype for c in schema.SCHEMAS["document_metadata"]}
    key_to_id: dict[str, str] = {str(d): str(d) for d in meta["doc_id"]}
    paths = []
    if files is not None and len(files):
        paths += list(zip(files["path"], files["doc_id"]))
    if "source_path" in meta.columns:
        paths += list(zip(meta["source_path"], meta["doc_id"]))
    for p, d in paths:
        if pd.notna(p) and pd.notna(d):
            key_to_id.setdefault(str(p), str(d))
            key_to_id.setdefault(Path(str(p)).name, str(d))
    log = []
    touched: dict[str, set] = {}
    for _, r in corrections.fillna("").iterrows():
        key, field, value = str(r["doc_key"]).strip(), str(r["field"]).strip(), str(r["value"]).strip()
        entry = {"doc_key": key, "doc_id": key_to_id.get(key), "field": field, "old_value": None,
                 "new_value": value or None, "source": r.get("source") or None,
                 "note": r.get("note") or None}
        if entry["doc_id"] is None:
            entry["status"] = "unknown_document"
        elif field not in META_FIELDS:
            entry["status"] = "unknown_field"
        else:
            idx = meta.index[meta["doc_id"] == entry["doc_id"]]
            old = meta.loc[idx[0], field]
            entry["old_value"] = None if pd.isna(old) else str(old)
            try:
                new = _cast(value, dtypes[field], field)
            except ValueError:
                entry["status"] = "bad_value"
            else:
                if dtypes[field].startswith("datetime"):
                    meta[field] = meta[field].astype(dtypes[field])
                meta.loc[idx, field] = new if new is not None else pd.NA
                entry["status"] = "applied"
                touched.setdefault(entry["doc_id"], set()).add(field)
        log.append(entry)
    for doc_id, fields in touched.items():
        idx = meta.index[meta["doc_id"] == doc_id]
        if "year" in fields:
            if "year_source" not in fields:
                meta.loc[idx, "year_source"] = "correction"
        elif fields & set(_YEAR_RULE):
            row = meta.loc[idx[0]]
            meta.loc[idx, ["year", "year_source"]] = [pd.NA, pd.NA]
            for f in _YEAR_RULE:
                v = row[f]
                if pd.notna(v):
                    meta.loc[idx, "year"] = int(v) if f == "plan_start" else v.year
                    meta.loc[idx, "year_source"] = f
                    break
    log_df = pd.DataFrame(log, columns=schema.columns("metadata_corrections"))
    for c in ("year", "plan_start", "plan_end"):
        if c in meta:
            meta[c] = meta[c].astype("Int64")
    return meta, schema.conform("metadata_corrections", log_df)


def _cast(value: str, dtype: str, field: str):
    if value == "":
        return None
    if dtype.startswith("datetime"):
        d = parse_date(value)
        if d is None:
            raise ValueError(f"{field}: not a date: {value!r}")
        return d
    if dtype == "Int64":
        if not re.fullmatch(r"\d{1,4}", value):
            raise ValueError(f"{field}: not a year: {value!r}")
        return int(value)
    if field == "doc_number":
        n = normalize_doc_number(value)
        if n is None:
            raise ValueError(f"doc_number: not a document number: {value!r}")
        return n
    return value
