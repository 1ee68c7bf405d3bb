"""Document-term matrices from a tokens table (the stage between segmentation and models).

A tokens table (one row per token, see ``schema.SCHEMAS["tokens"]``) is turned into a sparse
matrix whose rows are units (documents, sections, or any columns you group by) and whose columns
are terms. It is built with scikit-learn's vectorizers fed the *pre-tokenised* lists
(``analyzer=callable``): scikit-learn's default ``token_pattern`` (``(?u)\\b\\w\\w+\\b``) would
silently drop every one-character token (人, 云, 链 ...) and would re-split Chinese text, so we
never let it see raw strings. Whether single characters are kept is the explicit
``keep_single_chars`` option.

Ordering is deterministic: units are sorted by their id columns, terms by code point, and
``max_features`` breaks frequency ties by term.

Examples
--------
>>> import pandas as pd
>>> from policylab.matrix import document_term_matrix
>>> tokens = pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "position": [0, 1, 2, 0],
...                        "token": ["人工智能", "产业", "人", "产业"]})
>>> dtm = document_term_matrix(tokens, keep_single_chars=True)
>>> dtm.terms                       # code-point order: 产 U+4EA7 < 人 U+4EBA
['产业', '人', '人工智能']
>>> dtm.matrix.toarray().tolist()
[[1, 1, 1], [1, 0, 0]]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

WEIGHTINGS = ("count", "binary", "tfidf")


def _pretokenized(doc):
    """Analyzer for scikit-learn vectorizers: the document already is its list of tokens."""
    return doc


@dataclass(frozen=True)
class DocumentTermMatrix:
    """A sparse unit x term matrix with the ids that label its rows and columns.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Shape ``(len(units), len(terms))``; int64 counts (``count``/``binary``) or float64 weights
        (``tfidf``, rows L2-normalised as scikit-learn's ``TfidfTransformer`` does by default).
    units : pandas.DataFrame
        The unit id columns, one row per matrix row, sorted, index ``0..n-1``.
    terms : list of str
        Column labels, sorted by code point.
    weighting : str
        ``'count'``, ``'binary'`` or ``'tfidf'``.

    Parameters
    ----------
    matrix, units, terms, weighting
        As the attributes above.
    params : dict
        The options :func:`document_term_matrix` was called with.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["a", "a", "b"], "position": [0, 1, 0], "token": ["算力", "数据", "算力"]})
    >>> d = document_term_matrix(t, "doc_id")
    >>> d.shape, d.terms
    ((2, 2), ['数据', '算力'])
    """

    matrix: Any
    units: pd.DataFrame
    terms: list[str]
    weighting: str = "count"
    params: dict = field(default_factory=dict)

    @property
    def unit_cols(self) -> list[str]:
        return list(self.units.columns)

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def to_frame(self) -> pd.DataFrame:
        """Long table of the non-zero cells: the unit id columns, ``term``, ``value``.

        Sorted by unit (matrix row order) then term. ``value`` is ``Int64`` for counts and
        ``Float64`` for TF-IDF weights.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"doc_id": ["a", "a", "b"], "position": [0, 1, 0], "token": ["算力", "数据", "算力"]})
        >>> document_term_matrix(t, "doc_id").to_frame().values.tolist()
        [['a', '数据', 1], ['a', '算力', 1], ['b', '算力', 1]]
        """
        coo = self.matrix.tocoo()
        order = np.lexsort((coo.col, coo.row))
        rows, cols, vals = coo.row[order], coo.col[order], coo.data[order]
        out = self.units.iloc[rows].reset_index(drop=True)
        out["term"] = pd.array(np.asarray(self.terms, dtype=object)[cols], dtype="string")
        dtype = "Float64" if self.weighting == "tfidf" else "Int64"
        out["value"] = pd.array(vals, dtype=dtype)
        return out


def document_term_matrix(
    tokens: pd.DataFrame,
    unit_cols: Sequence[str] | str = ("doc_id",),
    min_df: int | float = 1,
    max_df: int | float = 1.0,
    max_features: int | None = None,
    keep_single_chars: bool = False,
    weighting: str = "count",
    *,
    token_col: str = "token",
    vocabulary: Sequence[str] | None = None,
    tfidf_options: dict | None = None,
) -> DocumentTermMatrix:
    """Count (or TF-IDF weight) the tokens of each unit into a sparse matrix.

    Parameters
    ----------
    tokens : pandas.DataFrame
        A tokens table: the ``unit_cols``, ``token`` and (optionally) ``position``. Rows are put
        in ``position`` order within each unit before counting (order does not change counts,
        but keeps the build deterministic).
    unit_cols : str or sequence of str, default ``("doc_id",)``
        Columns that identify a matrix row, e.g. ``("doc_id", "section_id")`` or ``("city",)``
        after merging metadata onto the tokens.
    min_df, max_df : int or float
        As in scikit-learn: a term must occur in at least ``min_df`` units (int) or fraction of
        units (float), and in at most ``max_df``.
    max_features : int, optional
        Keep only the ``max_features`` terms with the highest total count (after the df
        filters); ties are broken by term so the result never depends on sort stability.
    keep_single_chars : bool, default False
        Keep one-character tokens (人, 云, 链 ...). False drops them *explicitly* here; the
        vectorizer itself never drops anything.
    weighting : {'count', 'binary', 'tfidf'}
        Raw counts, 0/1 presence, or scikit-learn ``TfidfTransformer`` weights (default options:
        ``smooth_idf=True``, ``norm='l2'``; override with ``tfidf_options``).
    token_col : str, default 'token'
    vocabulary : sequence of str, optional
        A fixed vocabulary (e.g. to project new documents into a fitted topic model's terms);
        the df and max_features filters are then not applied. Terms come out sorted.
    tfidf_options : dict, optional
        Keyword arguments for ``sklearn.feature_extraction.text.TfidfTransformer``.

    Returns
    -------
    DocumentTermMatrix

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "position": [0, 1, 0, 1],
    ...                   "token": ["算力", "云", "算力", "算力"]})
    >>> dtm = document_term_matrix(t)
    >>> dtm.terms, dtm.matrix.toarray().tolist()
    (['算力'], [[1], [2]])
    >>> document_term_matrix(t, keep_single_chars=True).to_frame()["term"].tolist()
    ['云', '算力', '算力']
    """
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
    unit_cols = [unit_cols] if isinstance(unit_cols, str) else list(unit_cols)
    missing = [c for c in [*unit_cols, token_col] if c not in tokens.columns]
    if missing:
        raise ValueError(f"tokens table lacks column(s) {missing}; has {list(tokens.columns)}")

    order_cols = unit_cols + (["position"] if "position" in tokens.columns else [])
    df = tokens[list(dict.fromkeys(order_cols + [token_col]))]
    df = df.sort_values(order_cols, kind="stable", na_position="last").reset_index(drop=True)

    # one row per unit, sorted; units whose tokens are all filtered out keep an all-zero row
    units = df[unit_cols].drop_duplicates().reset_index(drop=True)
    row_of = df.groupby(unit_cols, sort=False, dropna=False).ngroup().to_numpy()

    tok = df[token_col]
    keep = np.array(tok.notna().to_numpy(dtype=bool))  # a writable copy
    if not keep_single_chars:
        keep &= (tok.str.len() > 1).fillna(False).to_numpy(dtype=bool)
    rows = row_of[keep]
    words = tok.to_numpy(dtype=object)[keep]
    # rows is sorted (df is sorted by unit), so each unit's tokens are one contiguous slice
    bounds = np.searchsorted(rows, np.arange(len(units) + 1))
    docs = [list(words[bounds[i]:bounds[i + 1]]) for i in range(len(units))]

    if vocabulary is not None:
        vocab = sorted(set(vocabulary))
        vec = CountVectorizer(analyzer=_pretokenized, vocabulary=vocab, binary=weighting == "binary",
                              dtype=np.int64)
        X = vec.fit_transform(docs)
        terms = vocab
    else:
        vec = CountVectorizer(analyzer=_pretokenized, min_df=min_df, max_df=max_df,
                              binary=weighting == "binary", dtype=np.int64)
        try:
            X = vec.fit_transform(docs)
        except ValueError as e:  # sklearn: "empty vocabulary" / "no terms remain"
            raise ValueError(f"document_term_matrix: no terms left ({e}); "
                             f"check keep_single_chars/min_df/max_df") from None
        terms = [str(t) for t in vec.get_feature_names_out()]
        if max_features is not None and max_features < len(terms):
            totals = np.asarray(X.sum(axis=0)).ravel()
            # highest total first, ties by term (terms are already sorted, so a stable sort works)
            top = np.sort(np.argsort(-totals, kind="stable")[:max_features])
            X = X[:, top]
            terms = [terms[i] for i in top]

    X = X.tocsr()
    if weighting == "tfidf":
        X = TfidfTransformer(**(tfidf_options or {})).fit_transform(X).tocsr()
    X.sort_indices()
    params = dict(unit_cols=tuple(unit_cols), min_df=min_df, max_df=max_df,
                  max_features=max_features, keep_single_chars=keep_single_chars,
                  weighting=weighting)
    return DocumentTermMatrix(matrix=X, units=units, terms=terms, weighting=weighting, params=params)
