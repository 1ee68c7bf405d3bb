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
                         "text": _BULLET.sub("", text)})
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
