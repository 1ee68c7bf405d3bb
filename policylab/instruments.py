"""Policy instruments (政策工具): units of coding, a transparent coder, manual coding in and out, shares.

The codebook is Rothwell & Zegveld's supply / environment / demand typology in the form Chinese
S&T- and AI-policy studies use it (赵筱媛 & 苏竣 2007): 14 instruments in three types.

- :func:`units` splits the body of every document into **measures** (措施): one per sentence of a
  section's text, or per clause of it set off by ``；``. Headings, the notice wrapper (already left
  out of ``corpus.sections``), background and purpose statements and responsibility clauses
  (责任单位…) are not units.
- :func:`code` gives each unit a ``primary`` instrument, up to two ``secondary`` ones, its ``type``
  and the ``evidence`` (cue words and the decision rule that fired). The cues live in
  ``resources/instruments_cues.csv`` (code, cue, weight, kind, source, note) so a researcher can
  read and edit every decision; the codebook's five decision rules are code (:func:`apply_rules`).
- :func:`export_coding` / :func:`import_coding` write units to CSV or XLSX for manual coding and read
  them back; agreement between coders is in :mod:`policylab.agreement`.
- :func:`shares` gives the share of each type or instrument by any grouping with bootstrap
  intervals over units; :func:`compare_published` sets type shares beside the published AI-policy
  shares; :func:`share_findings` and :func:`comparison_findings` write sentences that obey the
  report's rules (no "largest" for ties or overlapping intervals, small-n caveats).

Length: about 620 lines, of which some 240 are docstrings and examples and some 310 code. One job
holds it together: coding policy instruments as one pipeline -- sections to measures to coding units
(:func:`units`), cue hits, and the rules that turn hits into codes (:func:`apply_rules`,
:func:`code`) -- all reading the same cue list and codebook. Agreement with a human coder is in
:mod:`policylab.agreement`, shares in :mod:`policylab.instrument_shares`.

Examples
--------
>>> import pandas as pd
>>> secs = pd.DataFrame({"doc_id": ["d"], "section_id": ["3.1"], "parent_id": ["3"], "level": [2],
...     "label": ["(一)"], "heading": ["加大资金支持"], "order": [1],
...     "text": ["设立人工智能专项资金,对重点项目给予补助；鼓励银行开展知识产权质押贷款。(责任单位:市财政局)"]})
>>> u = units(secs)
>>> u["text"].tolist()
['设立人工智能专项资金,对重点项目给予补助', '鼓励银行开展知识产权质押贷款。']
>>> code(u)[["primary", "type"]].values.tolist()
[['S2', 'supply'], ['E2', 'environment']]
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from policylab import resources, schema
from policylab.structure import strip_responsibility_clauses

CODES = {
    "S1": ("supply", "人才"), "S2": ("supply", "资金投入"), "S3": ("supply", "技术支持"),
    "S4": ("supply", "基础设施"), "S5": ("supply", "公共服务"),
    "E1": ("environment", "目标规划"), "E2": ("environment", "金融支持"), "E3": ("environment", "税收优惠"),
    "E4": ("environment", "法规管制"), "E5": ("environment", "策略性措施"),
    "D1": ("demand", "政府采购"), "D2": ("demand", "示范应用"), "D3": ("demand", "服务外包"),
    "D4": ("demand", "贸易与海外"),
    "N": ("none", "非措施"),
}
"""Instrument code -> (type, Chinese name), in the codebook's order."""

TYPES = ("supply", "environment", "demand")
TYPE_ZH = {"supply": "供给型", "environment": "环境型", "demand": "需求型", "none": "非措施"}

PUBLISHED_SHARES = {"supply": 0.4586, "environment": 0.3345, "demand": 0.2069}
"""Provincial and city AI policies (目标—工具—产业链 framework, Table 4 of the study the codebook cites)."""

PERIODS = ((2017, 2019), (2020, 2022), (2023, 2025))

CUES_FILE = "instruments_cues.csv"
LABELLED_FILE = "instruments_labelled.csv"

# a unit is split at sentence ends and at ；; a clause shorter than this (in Han characters) is a
# run-in heading or a label (智能政务。 / “一核引领”。), not a measure
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_CLAUSE = re.compile(r"(?<=[；;])")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# a line with no punctuation at all is a title, a signature or a heading, never a sentence of the body
_PUNCT = re.compile(r"[，,。；;：:！？!?、]")
MIN_HAN = 8
RUN_IN_MAX_HAN = 12
_BULLET = re.compile(r"^\s*(?:——|—|-|•|·|●|▪|◆|■|□)+\s*")


def type_of(code: str | None) -> str | None:
    """Instrument type of a code ('S2' -> 'supply'); None for a missing or unknown code.

    Examples
    --------
    >>> type_of("E2"), type_of("D1"), type_of("N"), type_of(None)
    ('environment', 'demand', 'none', None)
    """
    if not isinstance(code, str):
        return None
    return CODES.get(code.strip().upper(), (None,))[0]


# ----------------------------------------------------------------------------- cues

@functools.lru_cache(maxsize=4)
def _read_cues(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    df["weight"] = pd.to_numeric(df["weight"]).astype(float)
    return df


def load_cues(path=None) -> pd.DataFrame:
    """The cue table: ``code, cue, weight, kind, source, note`` (one row per cue).

    ``kind`` is ``word`` (a literal substring), ``regex`` (a regular expression), ``exclude`` (a
    regular expression marking a sentence that is not a unit: background, purpose, guiding
    ideology) or ``section`` (a regular expression on a section heading whose text is not units).

    Parameters
    ----------
    path : str or Path, optional
        A researcher's own copy; default the packaged ``resources/instruments_cues.csv``.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> cues = load_cues()
    >>> sorted(set(cues["code"]) - {"N"}) == sorted(c for c in CODES if c != "N")
    True
    """
    p = resources.path(CUES_FILE) if path is None else path
    return _read_cues(str(p)).copy()


@functools.lru_cache(maxsize=4)
def _patterns(path: str):
    cues = _read_cues(path)
    word = cues[cues["kind"].isin(["word", "regex"])]
    compiled = [(r.code, re.compile(r.cue if r.kind == "regex" else re.escape(r.cue)), float(r.weight), r.cue)
                for r in word.itertuples()]
    exclude = [re.compile(c) for c in cues.loc[cues["kind"] == "exclude", "cue"]]
    sections = [re.compile(c) for c in cues.loc[cues["kind"] == "section", "cue"]]
    return compiled, exclude, sections


@functools.lru_cache(maxsize=4)
def _heading_patterns(path: str):
    cues = _read_cues(path)
    h = cues[cues["kind"] == "heading"]
    return [(r.code, re.compile(r.cue), float(r.weight), r.rule) for r in h.itertuples()]


def _cue_path(codebook) -> str:
    return str(resources.path(CUES_FILE) if codebook is None else codebook)


# ----------------------------------------------------------------------------- units

def _sections_of(corpus_or_sections) -> pd.DataFrame:
    if corpus_or_sections is None:
        return schema.empty("sections")
    if isinstance(corpus_or_sections, pd.DataFrame):
        return corpus_or_sections
    return getattr(corpus_or_sections, "sections", None)


def _documents_of(corpus_or_sections, documents):
    if documents is not None:
        return documents
    return getattr(corpus_or_sections, "documents", None)


def is_background(sentence: str, codebook=None) -> bool:
    """Whether a sentence states background or purpose with no action (为贯彻落实…制定本方案).

    Examples
    --------
    >>> is_background("为贯彻落实国家关于发展人工智能的部署,制定本方案。")
    True
    >>> is_background("设立人工智能专项资金。")
    False
    """
    _, exclude, _ = _patterns(_cue_path(codebook))
    s = _BULLET.sub("", sentence)
    return any(p.search(s) for p in exclude)


def _is_run_in_heading(sentence: str) -> bool:
    """A short sentence with no comma that opens a paragraph (``——智能语音。``, ``“一核引领”。``)."""
    body = _BULLET.sub("", sentence)
    return len(_HAN.findall(body)) <= RUN_IN_MAX_HAN and not re.search(r"[,，；;:：]", body)


def is_measure(text: str, codebook=None) -> bool:
    """Whether a text can be a unit of coding: a sentence long enough, punctuated, not background or
    purpose, not only a responsibility clause. :func:`code` gives anything else the code N.

    Examples
    --------
    >>> is_measure("建设城市级智算中心,形成公共算力资源池。"), is_measure("二、重点任务")
    (True, False)
    >>> is_measure("为加快人工智能发展,制定本方案。"), is_measure("(责任单位:市发改委、市数据局)")
    (False, False)
    """
    if not isinstance(text, str):
        return False
    t = strip_responsibility_clauses(text).strip()
    return len(_HAN.findall(t)) >= MIN_HAN and bool(_PUNCT.search(t)) and not is_background(t, codebook)


def split_measures(text: str) -> list[tuple[int, int, str]]:
    """``(sentence, clause, text)`` of every candidate measure in a section's text (1-based numbers).

    Responsibility clauses are removed first; a line splits at 。！？ and each sentence at ``；``.

    Examples
    --------
    >>> split_measures("建设智算中心；开放数据集。\\n责任单位:市发改委")
    [(1, 1, '建设智算中心；'), (1, 2, '开放数据集。')]
    """
    if not isinstance(text, str) or not text.strip():
        return []
    out = []
    n_sentence = 0
    for line in strip_responsibility_clauses(text).split("\n"):
        sentences = [x for x in _SENTENCE_END.split(line.strip()) if x.strip()]
        for i, sentence in enumerate(sentences):
            n_sentence += 1  # a run-in heading keeps its number, so references match the text
            if i == 0 and len(sentences) > 1 and _is_run_in_heading(sentence):
                continue  # 智能政务。加快建设… : the first short sentence of a paragraph heads it
            for k, clause in enumerate((c for c in _CLAUSE.split(sentence) if c.strip()), start=1):
                out.append((n_sentence, k, clause.strip()))
    return out


def units(corpus_or_sections, documents: pd.DataFrame | None = None, codebook=None) -> pd.DataFrame:
    """The units of coding: one measure per sentence or ``；`` clause of the document bodies.

    Parameters
    ----------
    corpus_or_sections : Corpus or DataFrame
        A :class:`policylab.corpus.Corpus` (its ``sections`` and ``documents``) or a ``sections``
        table. Headings are columns of that table, never units; the notice wrapper is not in it.
    documents : DataFrame, optional
        Document metadata to attach (``city``, ``level``, ``year``); default the corpus' own.
    codebook : path, optional
        Cue file (its ``exclude`` and ``section`` rows say what is background or purpose).

    Returns
    -------
    DataFrame
        Schema ``instrument_units``: ``unit_id, doc_id, section_id, clause_ref, sentence, clause,
        level, heading, text`` (+ ``city, level_of_government, year`` when documents are known),
        in document and section order. An empty corpus gives an empty table with these columns.

    Examples
    --------
    >>> import pandas as pd
    >>> secs = pd.DataFrame({"doc_id": ["d", "d"], "section_id": ["0", "2.1"], "parent_id": [None, "2"],
    ...     "level": [0, 2], "label": [None, "(一)"], "heading": [None, "加强人才培养"], "order": [0, 1],
    ...     "text": ["为加快发展人工智能,制定本方案。", "——引进人才。引进一批领军人才。(责任单位:市人社局)"]})
    >>> units(secs)[["unit_id", "clause_ref", "text"]].values.tolist()
    [['d:2.1:2', '2-1-2', '引进一批领军人才。']]
    """
    sections = _sections_of(corpus_or_sections)
    docs = _documents_of(corpus_or_sections, documents)
    cols = schema.columns("instrument_units")
    if sections is None or len(sections) == 0 or "text" not in sections:
        return schema.empty("instrument_units")
    _, _, skip_sections = _patterns(_cue_path(codebook))
    rows = []
    order = sections.sort_values(["doc_id", "order"], kind="stable") if "order" in sections else sections
    skipped = _skipped_sections(order, skip_sections)
    for s in order.itertuples(index=False):
        heading = getattr(s, "heading", None)
        heading = None if pd.isna(heading) else str(heading)
        if (s.doc_id, s.section_id) in skipped:
            continue
        ref = str(s.section_id).replace(".", "-")
        for n_sentence, n_clause, text in split_measures(s.text):
            if (len(_HAN.findall(text)) < MIN_HAN or not _PUNCT.search(text)
                    or is_background(text, codebook)):
                continue
            suffix = f"{n_sentence}" if n_clause == 1 and not _CLAUSE.search(text) else f"{n_sentence}.{n_clause}"
            rows.append({"unit_id": f"{s.doc_id}:{s.section_id}:{suffix}", "doc_id": s.doc_id,
                         "section_id": s.section_id, "clause_ref": f"{ref}-{suffix}",
                         "sentence": n_sentence, "clause": n_clause,
                         "level": getattr(s, "level", None), "heading": heading,
                         "text": _BULLET.sub("", text).rstrip("；;,， ")})
    df = pd.DataFrame(rows, columns=[c for c in cols if c not in ("city", "level_of_government", "year")])
    df = _attach_documents(df, docs)
    return schema.conform("instrument_units", df).reset_index(drop=True)


def _skipped_sections(sections: pd.DataFrame, patterns) -> set:
    """``(doc_id, section_id)`` of sections whose own or an ancestor's heading is background (指导思想, 基本原则)."""
    if not patterns or "heading" not in sections:
        return set()
    parent = {}
    own = set()
    for s in sections.itertuples(index=False):
        key = (s.doc_id, s.section_id)
        p = getattr(s, "parent_id", None)
        parent[key] = None if p is None or pd.isna(p) else (s.doc_id, p)
        h = s.heading
        if isinstance(h, str) and any(pt.search(h) for pt in patterns):
            own.add(key)
    out = set()
    for key in parent:
        k, seen = key, set()
        while k is not None and k not in seen:
            if k in own:
                out.add(key)
                break
            seen.add(k)
            k = parent.get(k)
    return out


def _attach_documents(df: pd.DataFrame, docs) -> pd.DataFrame:
    if docs is None or len(docs) == 0 or "doc_id" not in docs:
        return df.assign(city=pd.NA, level_of_government=pd.NA, year=pd.NA)
    meta = pd.DataFrame({"doc_id": docs["doc_id"]})
    meta["city"] = docs["city"] if "city" in docs else pd.NA
    meta["level_of_government"] = docs["level"] if "level" in docs else pd.NA
    meta["year"] = docs["year"] if "year" in docs else pd.NA
    return df.merge(meta.drop_duplicates("doc_id"), on="doc_id", how="left")


# ----------------------------------------------------------------------------- coder

_PLATFORM = re.compile(r"平台")
_PLATFORM_KIND = (  # rule 4: what kind of platform, read off the words just before 平台
    ("S5", re.compile(r"(公共服务|公共技术服务|服务|检测|检验|评测|测评|测试|孵化|共享|开放|对接|交易|信息)[\u4e00-\u9fff]{0,2}$")),
    ("S3", re.compile(r"(研发|创新|技术|实验|科研|开源|开发)[\u4e00-\u9fff]{0,2}$")),
    ("S4", re.compile(r"(算力|计算|数据|云|网络|调度|超算|智算)[\u4e00-\u9fff]{0,2}$")),
)
_LEAD = 15  # characters at the start of a unit whose cues weigh more: what a sentence opens with is its topic
_LEAD_BOOST = 1.5
_ACTION = re.compile(r"建设|建成|推动|推进|打造|支持|实施|开展|培养|引进|统筹|加快|部署|组织|设立|发放|布局")
_GRANT = re.compile(r"^\s*对[^。；;]{1,60}?[,，]?\s*(可)?(给予|按|发放)")  # 对X(,)给予… : money to X
HEADING_FACTOR = 0.5  # word cues of the section heading count at half weight


def cue_hits(text: str, codebook=None) -> list[tuple[str, str, int, float, str]]:
    """Every cue found in ``text``: ``(code, cue, start, weight, rule)``, longest match first.

    A cue inside a longer cue found at the same place does not count (公共服务平台 is not also 服务平台).

    Examples
    --------
    >>> [(c, w) for c, w, *_ in cue_hits("建设公共服务平台")]
    [('S5', '公共服务平台')]
    """
    if not isinstance(text, str) or not text:
        return []
    compiled, _, _ = _patterns(_cue_path(codebook))
    rules = _cue_rules(_cue_path(codebook))
    found = []
    for code, pat, weight, cue in compiled:
        for m in pat.finditer(text):
            if m.end() > m.start():
                found.append((code, m.group(0), m.start(), m.end(), weight, rules.get((code, cue), "")))
    found.sort(key=lambda h: (-(h[3] - h[2]), h[2]))
    kept, spans = [], []
    for h in found:
        if any(a <= h[2] and h[3] <= b and (b - a) > (h[3] - h[2]) for a, b in spans):
            continue  # strictly inside a longer cue
        spans.append((h[2], h[3]))
        kept.append((h[0], h[1], h[2], h[4], h[5]))
    return kept


@functools.lru_cache(maxsize=4)
def _cue_rules(path: str) -> dict:
    cues = _read_cues(path)
    return {(r.code, r.cue): r.rule for r in cues.itertuples() if r.kind in ("word", "regex")}


def platform_codes(text: str) -> list[tuple[str, int]]:
    """Rule 4: ``(code, position)`` of every 平台 by its kind (service S5, R&D S3, compute/data S4).

    Examples
    --------
    >>> platform_codes("建设检验检测平台和算力调度平台")
    [('S5', 6), ('S4', 13)]
    """
    out = []
    if not isinstance(text, str):
        return out
    for m in _PLATFORM.finditer(text):
        before = text[max(0, m.start() - 8):m.start()]
        for code, pat in _PLATFORM_KIND:
            if pat.search(before):
                out.append((code, m.start()))
                break
    return out


def score_codes(text: str, codebook=None, heading: str | None = None) -> tuple[dict, dict, dict, set]:
    """Cue scores per code, the first position of each code, the cue words, and the rules flagged.

    The section heading is context: its ``heading`` cues (a goals heading, an AI+ heading) add
    their weight and rule flag, and its word cues count at half weight; a code found only in the
    heading is never "named first" (its position is after the text).

    Returns
    -------
    scores : dict code -> float, first : dict code -> int, words : dict code -> list, flags : set

    Examples
    --------
    >>> scores, first, words, flags = score_codes("形成10个应用场景。", heading="发展目标")
    >>> "heading_target" in flags, words["E1"][0]
    (True, '[目标]')
    """
    scores: dict = {}
    first: dict = {}
    words: dict = {}
    flags: set = set()
    hits = cue_hits(text, codebook)
    for code, cue, start, weight, rule in hits:
        w = weight * (_LEAD_BOOST if start < _LEAD else 1.0)
        scores[code] = scores.get(code, 0.0) + w
        first[code] = min(first.get(code, start), start)
        words.setdefault(code, []).append(cue)
        if rule:
            flags.add(rule)
        if rule == "budget_money" and weight >= 3:
            flags.add("explicit_money")  # 给予…万元, …券: the money is spelled out
    targets = [start for _, _, start, _, rule in hits if rule == "target"]
    if targets and _ACTION.search(text[:min(targets)]):
        flags.add("builds_before_target")  # 推动…建设,到2025年…: an action precedes the target
    for code, start in platform_codes(text):
        scores[code] = scores.get(code, 0.0) + 1.0
        first[code] = min(first.get(code, start), start)
        words.setdefault(code, []).append("平台(rule4)")
        flags.add("platform")
    if _GRANT.match(text):
        flags.add("grant")
    if isinstance(heading, str) and heading:
        after = len(text) + 1
        for code, pat, weight, rule in _heading_patterns(_cue_path(codebook)):
            m = pat.search(heading)
            if m:
                scores[code] = scores.get(code, 0.0) + weight
                first.setdefault(code, after)
                words.setdefault(code, []).append(f"[{m.group(0)}]")
                if rule:
                    flags.add("heading_" + rule)
        for code, cue, _, weight, _ in cue_hits(heading, codebook):
            scores[code] = scores.get(code, 0.0) + HEADING_FACTOR * weight
            first.setdefault(code, after)
            words.setdefault(code, []).append(f"[{cue}]")
    return scores, first, words, flags


def apply_rules(scores: dict, first: dict, flags: set, fallback: str = "E5") -> tuple[str, list[str], str]:
    """The codebook's decision rules: ``(primary, secondary, rule)`` from cue scores.

    Rules, in the order they are tried:

    - rule 2: a target sentence (到20XX年 / 力争 …) is E1, unless it also builds the thing and names
      the building before the target (then the thing's instrument, E1 secondary);
    - rule 1: money paid from the budget (补贴, 奖励, 券, 给予…万元) is S2, money lent, guaranteed or
      invested through funds is E2; when both, the one named first;
    - rule 3: application scenarios and AI+ measures are D2, unless procurement is named (D1);
    - rule 5 (and rule 4 through the platform cues): otherwise the highest cue score; codes
      within 10 % of each other are equally prominent and the one named first wins.

    Parameters
    ----------
    scores, first : dict
        Cue score and first position of each code (:func:`score_codes`).
    flags : set
        Rule flags of the cues found ('target', 'budget_money', 'lent_money', 'procurement',
        'application', 'platform'; 'heading_target' and 'heading_application' from the section
        heading; 'grant' for the 对X给予Y construction; 'builds_before_target' when an action verb
        comes before the target phrase).
    fallback : str
        Code when no cue is found (a measure the cues cannot place; see the ``rule`` column).

    Returns
    -------
    tuple
        primary code, list of up to two secondary codes, and the rule that decided.

    Examples
    --------
    >>> apply_rules({"S4": 2.0, "S2": 3.0}, {"S4": 0, "S2": 5}, {"budget_money"})
    ('S2', ['S4'], 'rule1')
    >>> apply_rules({"E1": 3.0, "S4": 4.0}, {"E1": 0, "S4": 8}, {"target"})
    ('E1', ['S4'], 'rule2')
    >>> apply_rules({"E1": 3.0, "S4": 4.0}, {"E1": 9, "S4": 2}, {"target", "builds_before_target"})
    ('S4', ['E1'], 'rule2')
    >>> apply_rules({"D2": 3.0, "D1": 3.0}, {"D2": 0, "D1": 9}, {"application", "procurement"})
    ('D1', ['D2'], 'rule3')
    >>> apply_rules({"S3": 2.0, "S1": 2.1}, {"S3": 0, "S1": 4}, set())
    ('S3', ['S1'], 'rule5')
    >>> apply_rules({}, {}, set())
    ('E5', [], 'fallback')
    """
    if not scores:
        return fallback, [], "fallback"
    ranked = sorted(scores, key=lambda c: (-scores[c], first.get(c, 10**9), c))
    top = scores[ranked[0]]
    lead = min(first.values())

    def prominent(c):  # among the strongest, or named first
        return c in scores and (scores[c] >= 0.9 * top or first.get(c) == lead)

    primary, rule = None, "score"
    if "heading_target" in flags:
        primary, rule = "E1", "rule2"
    elif "target" in flags and "E1" in scores:
        # a sentence that builds a thing before its target (推动5G建设,到2025年…) is the thing's instrument
        builders = [c for c in ("S1", "S3", "S4", "S5") if first.get(c, 10**9) < first["E1"]
                    and "builds_before_target" in flags]
        primary, rule = (min(builders, key=lambda c: first[c]) if builders else "E1"), "rule2"
    if primary is None:
        # money is the instrument when it is among the strongest cues, or when the sentence is the
        # 对X,给予Y construction (money is the means, X the beneficiary)
        grant = "grant" in flags or "explicit_money" in flags
        money = [c for c in ("S2", "E2") if (prominent(c) or (grant and c == "S2"))
                 and (("budget_money" in flags and c == "S2") or ("lent_money" in flags and c == "E2"))]
        if money:
            primary, rule = min(money, key=lambda c: first[c]), "rule1"
    if primary is None and "procurement" in flags and "D1" in scores and (prominent("D1") or prominent("D2")):
        primary, rule = "D1", "rule3"
    if primary is None and ("application" in flags or "heading_application" in flags) and prominent("D2"):
        primary, rule = "D2", "rule3"
    if primary is None:
        tied = [c for c in ranked if scores[c] >= 0.9 * top]
        primary = min(tied, key=lambda c: (first.get(c, 10**9), c))
        rule = "rule5" if len(tied) > 1 else "score"
        if "target" in flags and "heading_target" not in flags and primary != "E1":
            rule = "rule2"  # a target sentence that opens by building: the thing's instrument
    secondary = [c for c in ranked if c != primary][:2]
    return primary, secondary, rule


def code(units: pd.DataFrame, codebook=None, fallback: str = "E5") -> pd.DataFrame:
    """Code every unit: ``primary``, ``secondary`` (a list), ``type``, ``evidence`` and ``rule``.

    Parameters
    ----------
    units : DataFrame
        Output of :func:`units` (at least ``unit_id`` and ``text``); every column is kept.
    codebook : path, optional
        A cue file in the format of ``resources/instruments_cues.csv`` (default: the packaged one).
    fallback : str
        Code for a unit no cue matches (reported as rule 'fallback', so it can be reviewed).

    Returns
    -------
    DataFrame
        The units with the columns of schema ``instrument_codes`` added. A text that is no measure
        (a heading, background or purpose, a bare responsibility clause: units from elsewhere, such
        as an imported sheet) is coded N with rule 'not_a_measure'. Empty in, empty out.

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"unit_id": ["a", "b", "c"], "text": [
    ...     "对租用智算中心算力的企业发放算力券。", "到2025年,建成智算中心3个。", "加大政府采购力度。"]})
    >>> code(u)[["primary", "type", "rule"]].values.tolist()
    [['S2', 'supply', 'rule1'], ['E1', 'environment', 'rule2'], ['D1', 'demand', 'rule3']]
    """
    out = units.copy() if units is not None else pd.DataFrame(columns=["unit_id", "text"])
    prim, sec, typ, ev, rl = [], [], [], [], []
    headings = out["heading"] if "heading" in out else pd.Series([None] * len(out), index=out.index)
    for text, heading in zip(out.get("text", pd.Series([], dtype="object")), headings):
        t = "" if not isinstance(text, str) else text
        h = heading if isinstance(heading, str) else None
        if not is_measure(t, codebook):
            scores, first, words, flags = {}, {}, {}, set()
            p, s, r = "N", [], "not_a_measure"
        else:
            scores, first, words, flags = score_codes(t, codebook, heading=h)
            p, s, r = apply_rules(scores, first, flags, fallback=fallback)
        prim.append(p)
        sec.append(s)
        typ.append(type_of(p))
        parts = [f"{c}:{','.join(dict.fromkeys(words[c]))}" for c in sorted(words, key=lambda c: first[c])]
        ev.append("; ".join(parts + [r]))
        rl.append(r)
    out["primary"] = pd.array(prim, dtype="string")
    out["secondary"] = pd.Series(sec, index=out.index, dtype="object")
    out["type"] = pd.array(typ, dtype="string")
    out["evidence"] = pd.array(ev, dtype="string")
    out["rule"] = pd.array(rl, dtype="string")
    return out.reset_index(drop=True)


def with_part(units: pd.DataFrame, sections: pd.DataFrame) -> pd.DataFrame:
    """The units with a ``part`` column: the heading of their top-level section (一、重点任务 …).

    A second dimension for :func:`policylab.instrument_shares.cross_tab` that every plan has (the
    codebook's goal dimension needs coding by hand); null for the preamble or an unknown section.

    Examples
    --------
    >>> import pandas as pd
    >>> secs = pd.DataFrame({"doc_id": ["d", "d"], "section_id": ["3", "3.1"], "level": [1, 2],
    ...                      "heading": ["重点任务", "建设算力"]})
    >>> with_part(pd.DataFrame({"doc_id": ["d"], "section_id": ["3.1"]}), secs)["part"].tolist()
    ['重点任务']
    """
    out = units.copy()
    if len(out) == 0 or sections is None or len(sections) == 0:
        out["part"] = pd.array([pd.NA] * len(out), dtype="string")
        return out
    top = sections[sections["level"] == 1].drop_duplicates(["doc_id", "section_id"])
    heads = {(d, s): h for d, s, h in zip(top["doc_id"], top["section_id"], top["heading"])}
    first = out["section_id"].astype(str).str.split(".").str[0]
    out["part"] = pd.array([heads.get((d, f)) for d, f in zip(out["doc_id"], first)], dtype="string")
    return out
