"""Tokens in steps: filters over a tokens table, and the content-token recipe of a corpus.

As in tidytext (``unnest_tokens`` then ``anti_join(stop_words)``) and quanteda (``tokens`` then
``tokens_remove``), segmentation and filtering are separate steps:

1. :func:`policylab.tokenize` segments each unit's text into the full token stream and caches it
   (its filter options are kept for convenience and run the same rule as :func:`remove`);
2. :func:`remove` drops tokens from a tokens table -- stopwords, numbers, single characters,
   punctuation, place names, agency names, words of your own -- without renumbering positions,
   so distances between the tokens that remain stay true (KWIC, co-occurrence);
3. :func:`content_tokens` is the one named recipe for the *content* of a corpus, at document or
   section level: responsibility clauses left out (an agency list is not a theme), the general
   and policy-boilerplate stopwords, numbers and punctuation dropped, and the documents' own place
   names dropped (otherwise a topic is "the Chengdu plan"). Keywords and topics both use it
   (:func:`policylab.topics.section_tokens` is this recipe at section level).

The rule deciding what a number, a punctuation token or a stopword is lives once, in
:func:`policylab.segment.token_filter`.

Examples
--------
>>> import pandas as pd
>>> from policylab import tokens, tokenize
>>> docs = pd.DataFrame({"doc_id": ["d1"], "text": ["到2025年,南京市建成3个智算中心。"]})
>>> full = tokenize(docs, cache=False, stopwords=False, punctuation=True, numbers="keep")
>>> tokens.remove(full, places=["南京市"])[["position", "token"]].values.tolist()
[[0, '到'], [2, '年'], [5, '建成'], [8, '智算中心']]
"""

from __future__ import annotations

import os
from typing import Iterable, Sequence

import pandas as pd

from policylab.segment import (domain_terms, drop_mask, load_stopwords, token_filter, tokenize)
from policylab.structure import strip_responsibility_clauses

UNITS = {"document": None, "section": "section_id"}


def remove(
    tokens: pd.DataFrame,
    *,
    stopwords: bool = True,
    boilerplate: bool = False,
    user_stopwords: Sequence[str | os.PathLike] = (),
    words: Iterable[str] = (),
    numbers: bool = True,
    single_chars: bool = False,
    punctuation: bool = True,
    places: Iterable[str] = (),
    agencies: Iterable[str] = (),
    user_dicts: Sequence[str | os.PathLike] = (),
) -> pd.DataFrame:
    """Drop tokens from a tokens table; positions are kept (gaps mark what was dropped).

    Parameters
    ----------
    tokens : DataFrame
        A tokens table (``doc_id, [unit], position, token, pos``) from :func:`policylab.tokenize`.
    stopwords : bool, default True
        Drop the general stopwords (``resources/stopwords_zh.txt``, plus
        ``$POLICYLAB_USER_STOPWORDS``).
    boilerplate : bool, default False
        Also drop policy boilerplate (``resources/stopwords_policy.txt``: 加快, 推进, 我市 ...).
    user_stopwords : sequence of paths
        Stopword files of your own (one word per line).
    words : iterable of str
        Further words to drop, given inline.
    numbers : bool, default True
        Drop number tokens (2025, 15%, 二十); dictionary terms such as 十四五 are never numbers.
    single_chars : bool, default False
        Drop one-character tokens (云, 链 ... go too).
    punctuation : bool, default True
        Drop punctuation tokens.
    places : iterable of str
        Place names to drop (e.g. :func:`place_names` of the documents).
    agencies : iterable of str
        Agency names to drop (e.g. the ``agency`` column of a corpus' ``agencies`` table); a name
        is dropped where it is one token.
    user_dicts : sequence of paths
        Dictionaries in use, whose terms are exempt from the numbers rule.

    Returns
    -------
    DataFrame
        The rows of ``tokens`` that remain, in their order, index reset; same columns and dtypes.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["d"] * 5, "position": pd.array([0, 1, 2, 3, 4], dtype="Int64"),
    ...                   "token": pd.array(["2025", "年", "合肥", "发展", "云"], dtype="string")})
    >>> remove(t, places=["合肥"])["token"].tolist()
    ['年', '发展', '云']
    >>> remove(t, places=["合肥"], single_chars=True, boilerplate=True)["token"].tolist()
    []
    """
    if "token" not in tokens.columns:
        raise ValueError(f"remove: a tokens table needs a 'token' column; has {list(tokens.columns)}")
    extra = {str(w) for w in [*words, *places, *agencies] if isinstance(w, str) and w}
    drop = token_filter(
        stopwords=load_stopwords(stopwords, boilerplate, user_stopwords, extra),
        numbers="drop" if numbers else "keep", punctuation=not punctuation,
        single_chars=not single_chars, terms=domain_terms(user_dicts) if numbers else (),
    )
    keep = ~drop_mask(tokens["token"], drop)
    out = tokens[keep].reset_index(drop=True)
    out.attrs = dict(tokens.attrs)
    return out


def place_names(documents: pd.DataFrame | None) -> list[str]:
    """The documents' own place names: each ``city`` value and the same with 市, sorted.

    Parameters
    ----------
    documents : DataFrame or None
        A table with a ``city`` column (the corpus' ``documents``); None gives no names.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> place_names(pd.DataFrame({"city": ["南京", None, "南京"]}))
    ['南京', '南京市']
    """
    if documents is None or "city" not in documents:
        return []
    cities = documents["city"].dropna().astype(str)
    return sorted(set(cities) | {f"{c}市" for c in cities})


def content_tokens(
    corpus_or_table,
    unit: str = "document",
    documents: pd.DataFrame | None = None,
    **tokenize_options,
) -> pd.DataFrame:
    """The content tokens of a corpus at document or section level: the one recipe for analysis.

    Each unit's text loses its responsibility clauses (责任单位: ...), is tokenized with the general
    and the policy-boilerplate stopwords (numbers and punctuation dropped), and the documents' own
    place names are removed (:func:`place_names`).

    Parameters
    ----------
    corpus_or_table : Corpus or DataFrame
        A corpus (its ``documents`` or ``sections`` table is used, by ``unit``), or the table of
        units itself: ``documents`` (``doc_id, text``) or ``sections`` (``doc_id, section_id, text``).
    unit : {'document', 'section'}, default 'document'
        The unit a row of text stands for; 'section' keeps ``section_id``.
    documents : DataFrame, optional
        The table holding ``city`` for the place names; a corpus' own ``documents`` by default (and
        the table itself at document level).
    **tokenize_options
        Passed on to :func:`policylab.tokenize` (e.g. ``cache=False``, ``user_dicts=``,
        ``extra_stopwords=``); ``boilerplate`` defaults to True and ``progress`` to False.

    Returns
    -------
    DataFrame
        Schema ``tokens`` (document) or ``section_tokens`` (section).

    Examples
    --------
    >>> import pandas as pd
    >>> secs = pd.DataFrame({"doc_id": ["d1"], "section_id": ["1"],
    ...                      "text": ["建设南京智算中心,发展大模型。(责任单位:市工信局)"]})
    >>> content_tokens(secs, "section", pd.DataFrame({"city": ["南京"]}), cache=False)["token"].tolist()
    ['智算中心', '大模型']
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {sorted(UNITS)}, got {unit!r}")
    if isinstance(corpus_or_table, pd.DataFrame):
        table = corpus_or_table
        if documents is None and unit == "document":
            documents = table
    else:  # a Corpus: its tables by unit
        table = getattr(corpus_or_table, "sections" if unit == "section" else "documents")
        if documents is None:
            documents = corpus_or_table.documents
    if table is None:
        raise ValueError(f"content_tokens: the corpus has no {unit} table")
    unit_col = UNITS[unit]
    units = table.assign(text=table["text"].map(strip_responsibility_clauses))
    options = {"boilerplate": True, "progress": False, **tokenize_options}
    toks = tokenize(units, unit_col=unit_col, **options)
    return remove(toks, stopwords=False, numbers=False, punctuation=False, places=place_names(documents))
