"""Topic models of policy sections: NMF and LDA, chosen by coherence and stability, read in the text.

A thin, seeded layer over scikit-learn's ``NMF`` and ``LatentDirichletAllocation``. Model units are
sections (or paragraphs) -- a handful of whole documents is too few to learn topics from -- and
come from a tokens table (``policylab.tokenize(sections, unit_col="section_id")``) through
``policylab.matrix.document_term_matrix``.

What a reviewer asks of a topic model, and where the answer is:

- *why this K*: :func:`select_k` fits a grid of K x seeds and reports coherence (NPMI and UMass,
  on the same tokens, document co-occurrence within units), perplexity (LDA), stability across
  seeds and topic diversity in one table (``plots.topics.model_selection`` draws it);
- *would another seed give the same topics*: :func:`matched_similarity` matches the topics of two
  models with the Hungarian algorithm on the cosine similarity of their topic-term distributions;
- *what does a topic mean*: :meth:`TopicModel.topic_terms`, :meth:`TopicModel.topic_labels` and
  :func:`top_units` (the sections that load most on each topic, with city and heading);
- *where and when*: :func:`prevalence` by document, city or year, with bootstrap intervals.

Every result is a long DataFrame (schemas in ``policylab.schema``) joining on ``doc_id`` and
``section_id``. Topics are numbered 1..K in order of decreasing overall prevalence, so topic 1 is
the most common one. A fitted model is saved as plain arrays and JSON (:func:`save_model`), never
pickled.

Length: about 1110 lines, more than half of them (some 580) docstrings and examples, some 420 code.
One job holds it together: topic models of sections, from input (:func:`section_tokens`) through
fitting (:class:`TopicModel`, NMF and LDA behind one interface, about 400 lines), choosing k by
coherence and stability (:func:`select_k`, :func:`choose_k`) to reading (:func:`prevalence`,
:func:`top_units`) and saving; every step takes or returns a :class:`TopicModel`.

Examples
--------
>>> import pandas as pd
>>> from policylab.topics import TopicModel
>>> tokens = pd.DataFrame({
...     "doc_id": ["a"] * 6 + ["b"] * 6,
...     "section_id": ["1", "1", "1", "2", "2", "2"] * 2,
...     "position": [0, 1, 2, 0, 1, 2] * 2,
...     "token": ["算力", "芯片", "数据", "人才", "高校", "培养",
...               "算力", "芯片", "数据", "人才", "高校", "培养"]})
>>> m = TopicModel(k=2, min_df=1, max_df=1.0).fit(tokens)
>>> sorted(m.topic_terms(n=3).groupby("topic")["term"].apply(sorted).tolist())
[['人才', '培养', '高校'], ['数据', '算力', '芯片']]
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from policylab import schema, tokens
from policylab.matrix import document_term_matrix
from policylab.store import versions

METHODS = ("nmf", "lda")
FORMAT = "policylab.topics/1"
_DEFAULT_UNITS = ("doc_id", "section_id")


# --------------------------------------------------------------------------- the model


class TopicModel:
    """One topic model (NMF or LDA) over the units of a tokens table, scikit-learn style.

    Parameters
    ----------
    k : int, default 8
        Number of topics.
    method : {'nmf', 'lda'}, default 'nmf'
        ``'nmf'`` (scikit-learn ``NMF`` on TF-IDF; about 30x faster than LDA on policy sections)
        or ``'lda'`` (``LatentDirichletAllocation``, batch variational Bayes, on counts).
    random_state : int, default 0
        Passed to the estimator; the same data and seed give identical tables.
    min_df, max_df, max_features, keep_single_chars
        Vocabulary options of :func:`policylab.matrix.document_term_matrix`. ``min_df=2`` drops
        terms of a single unit (they cannot co-occur, so coherence cannot judge them);
        ``max_df=0.9`` drops terms found in nearly every unit (人工智能 in an AI plan).
    unit_cols : tuple of str, default ``("doc_id", "section_id")``
        Columns of the tokens table that identify a unit: ``("doc_id", "section_id")`` or
        ``("doc_id", <another unit id, e.g. a paragraph id>)``, or ``("doc_id",)`` for whole
        documents. The second column is reported as ``section_id`` in every table.
    weighting : {'tfidf', 'count'}, optional
        Matrix weighting; default ``'tfidf'`` for NMF and ``'count'`` for LDA (LDA needs counts).
    init : str, optional
        NMF initialisation; default ``'random'`` so that the seed matters and stability across
        seeds means something (``'nndsvda'`` gives one deterministic answer whatever the seed).
    max_iter : int, optional
        Iterations; default 400 (NMF) / 50 (LDA).
    n_jobs : int, optional
        LDA only: processes for the E-step (about 1.5x faster on 2 cores for large corpora; slower
        on a few hundred sections). As in scikit-learn, the result depends on ``n_jobs`` (each
        process draws its own initial values), so keep it fixed to reproduce a model; it is
        saved with the settings.

    Attributes
    ----------
    terms_ : list of str
        Vocabulary, in matrix column order (code-point order).
    units_ : pandas.DataFrame
        ``doc_id, section_id`` of every matrix row, sorted.
    components_ : ndarray, shape (k, n_terms)
        Topic-term weights as the estimator learned them (topics reordered by prevalence).
    doc_topic_ : ndarray, shape (n_units, k)
        Unit-topic weights as the estimator gives them; a unit with no vocabulary term (or, for
        NMF, no weight on any topic) has a row of NaN and is left out of :meth:`unit_topics`.
    matrix_ : scipy.sparse.csr_matrix
        The weighted unit x term matrix the model was fitted on (coherence is computed on it).
    perplexity_ : float or None
        LDA: in-sample perplexity of the fitted units (lower is better); None for NMF.
    reconstruction_err_ : float or None
        NMF: Frobenius norm of ``X - WH``; None for LDA.
    n_iter_ : int
    estimator_ : sklearn estimator or None
        The fitted scikit-learn estimator (None for a model read by :func:`load_model`).

    Examples
    --------
    >>> import policylab                                              # doctest: +SKIP
    >>> corpus = policylab.load_corpus("seeds")                        # doctest: +SKIP
    >>> sections = policylab.structure.parse_sections(corpus.documents)  # doctest: +SKIP
    >>> tokens = policylab.tokenize(sections, unit_col="section_id")   # doctest: +SKIP
    >>> model = TopicModel(k=8, method="nmf", random_state=0).fit(tokens)  # doctest: +SKIP
    >>> model.topic_labels(n=8)                                        # doctest: +SKIP
    """

    def __init__(
        self,
        k: int = 8,
        method: str = "nmf",
        random_state: int = 0,
        min_df: int | float = 2,
        max_df: int | float = 0.9,
        max_features: int | None = None,
        keep_single_chars: bool = False,
        unit_cols: Sequence[str] = _DEFAULT_UNITS,
        weighting: str | None = None,
        init: str | None = None,
        max_iter: int | None = None,
        n_jobs: int | None = None,
    ):
        self.k = k
        self.method = method
        self.random_state = random_state
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.keep_single_chars = keep_single_chars
        self.unit_cols = tuple(unit_cols)
        self.weighting = weighting
        self.init = init
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    # -- configuration ------------------------------------------------------------------

    def get_params(self) -> dict:
        """The constructor arguments, as a JSON-able dict.

        Returns
        -------
        dict

        Examples
        --------
        >>> TopicModel(k=4, random_state=1).get_params()["k"]
        4
        """
        return {
            "k": self.k, "method": self.method, "random_state": self.random_state,
            "min_df": self.min_df, "max_df": self.max_df, "max_features": self.max_features,
            "keep_single_chars": self.keep_single_chars, "unit_cols": list(self.unit_cols),
            "weighting": self.weighting, "init": self.init, "max_iter": self.max_iter,
            "n_jobs": self.n_jobs,
        }

    def __repr__(self) -> str:
        return f"TopicModel(k={self.k}, method={self.method!r}, random_state={self.random_state})"

    def _check(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if not (isinstance(self.k, (int, np.integer)) and self.k >= 1):
            raise ValueError(f"k must be a positive integer, got {self.k!r}")
        if not self.unit_cols or self.unit_cols[0] != "doc_id" or len(self.unit_cols) > 2:
            raise ValueError(f"unit_cols must be ('doc_id',) or ('doc_id', <unit id>), "
                             f"got {self.unit_cols!r}")
        if self.method == "lda" and self._weighting != "count":
            raise ValueError("LDA models counts: use weighting='count' (or leave it None)")

    @property
    def _weighting(self) -> str:
        return self.weighting or ("tfidf" if self.method == "nmf" else "count")

    def _matrix_options(self) -> dict:
        return dict(unit_cols=self.unit_cols, min_df=self.min_df, max_df=self.max_df,
                    max_features=self.max_features, keep_single_chars=self.keep_single_chars,
                    weighting=self._weighting)

    def _estimator(self):
        if self.method == "nmf":
            from sklearn.decomposition import NMF

            return NMF(n_components=self.k, init=self.init or "random", random_state=self.random_state,
                       max_iter=self.max_iter or 400)
        from sklearn.decomposition import LatentDirichletAllocation

        return LatentDirichletAllocation(n_components=self.k, learning_method="batch",
                                         max_iter=self.max_iter or 50, n_jobs=self.n_jobs,
                                         random_state=self.random_state)

    # -- learning -----------------------------------------------------------------------

    def fit(self, tokens: pd.DataFrame) -> "TopicModel":
        """Build the unit x term matrix of ``tokens`` and fit the topic model on it.

        Parameters
        ----------
        tokens : pandas.DataFrame
            A tokens table with the ``unit_cols`` and ``token`` (``policylab.tokenize``).

        Returns
        -------
        self

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"doc_id": list("aabbccdd"), "section_id": ["1"] * 8, "position": [0, 1] * 4,
        ...                   "token": ["算力", "数据"] * 2 + ["人才", "高校"] * 2})
        >>> m = TopicModel(k=2, random_state=0).fit(t)
        >>> m.k, len(m.terms_)
        (2, 4)
        """
        self._check()
        return self._fit_matrix(_dtm(tokens, **self._matrix_options()))

    def _fit_matrix(self, dtm) -> "TopicModel":
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        self._check()
        X = dtm.matrix.tocsr().astype(np.float64)
        if X.shape[1] < self.k:
            raise ValueError(f"only {X.shape[1]} terms for k={self.k} topics; lower min_df or k")
        has_terms = np.diff(X.indptr) > 0
        est = self._estimator()
        with warnings.catch_warnings():
            # a capped iteration count is a setting, not an error; n_iter_ records it
            warnings.simplefilter("ignore", ConvergenceWarning)
            W_fit = est.fit_transform(X[has_terms])
        H = est.components_
        W = np.full((X.shape[0], self.k), np.nan)
        W[has_terms] = W_fit
        theta = _row_normalise(W)
        # topics in order of decreasing prevalence (mean share over units), ties by estimator order
        order = np.argsort(-np.nan_to_num(np.nanmean(theta, axis=0), nan=0.0), kind="stable")
        self.components_ = H[order]
        self.doc_topic_ = W[:, order]
        self.terms_ = list(dtm.terms)
        self.units_ = _units_frame(dtm.units, self.unit_cols)
        self.matrix_ = X
        self.perplexity_ = float(est.perplexity(X[has_terms])) if self.method == "lda" else None
        self.reconstruction_err_ = float(est.reconstruction_err_) if self.method == "nmf" else None
        self.n_iter_ = int(est.n_iter_)
        self.estimator_ = est
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise RuntimeError("this TopicModel is not fitted yet: call .fit(tokens) first")

    # -- tidy results -------------------------------------------------------------------

    @property
    def topic_term_distribution_(self) -> np.ndarray:
        """Topic-term weights normalised to sum to 1 over terms (what the tables report)."""
        self._fitted()
        return _row_normalise(self.components_)

    def topic_terms(self, n: int | None = None) -> pd.DataFrame:
        """Long table of topic-term weights: ``topic, term, weight, rank``.

        Parameters
        ----------
        n : int, optional
            Keep the top ``n`` terms of each topic; default all terms with a non-zero weight.

        Returns
        -------
        pandas.DataFrame
            Schema ``topic_terms``: weights sum to 1 within a topic; rank 1 is the heaviest
            term (ties broken by term); sorted by topic, rank.

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"doc_id": list("aabbccdd"), "section_id": ["1"] * 8, "position": [0, 1] * 4,
        ...                   "token": ["算力", "数据"] * 2 + ["人才", "高校"] * 2})
        >>> m = TopicModel(k=2, random_state=0).fit(t)
        >>> m.topic_terms(n=1)[["topic", "term", "rank"]].values.tolist()
        [[1, '人才', 1], [2, '数据', 1]]
        """
        beta = self.topic_term_distribution_
        terms = np.asarray(self.terms_, dtype=object)
        frames = []
        for t in range(beta.shape[0]):
            idx = _top_indices(beta[t], n, self.terms_)
            idx = idx[beta[t, idx] > 0]
            frames.append(pd.DataFrame({"topic": t + 1, "term": terms[idx], "weight": beta[t, idx],
                                        "rank": np.arange(1, len(idx) + 1)}))
        return schema.conform("topic_terms", pd.concat(frames, ignore_index=True))

    def unit_topics(self) -> pd.DataFrame:
        """Long table of unit-topic shares: ``doc_id, section_id, topic, weight``.

        Weights of a unit sum to 1 over topics (NMF weights are normalised per unit). Units
        without any vocabulary term are left out. Sorted by unit, then topic.

        Returns
        -------
        pandas.DataFrame
            Schema ``unit_topics``.

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"doc_id": list("aabbccdd"), "section_id": ["1"] * 8, "position": [0, 1] * 4,
        ...                   "token": ["算力", "数据"] * 2 + ["人才", "高校"] * 2})
        >>> m = TopicModel(k=2, random_state=0).fit(t)
        >>> m.unit_topics().round(2).values.tolist()[:2]
        [['a', '1', 1, 0.0], ['a', '1', 2, 1.0]]
        """
        self._fitted()
        theta = _row_normalise(self.doc_topic_)
        keep = ~np.isnan(theta).any(axis=1)
        k = theta.shape[1]
        units = self.units_.loc[keep].reset_index(drop=True)
        out = units.loc[units.index.repeat(k)].reset_index(drop=True)
        out["topic"] = np.tile(np.arange(1, k + 1), len(units))
        out["weight"] = theta[keep].ravel()
        return schema.conform("unit_topics", out)

    def top_terms(self, n: int = 10) -> list[list[str]]:
        """The top ``n`` terms of each topic, heaviest first (ties by term).

        Parameters
        ----------
        n : int, default 10

        Returns
        -------
        list of list of str
            One list per topic, in topic order.

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"doc_id": list("aabbccdd"), "section_id": ["1"] * 8, "position": [0, 1] * 4,
        ...                   "token": ["算力", "数据"] * 2 + ["人才", "高校"] * 2})
        >>> m = TopicModel(k=2, random_state=0).fit(t)
        >>> m.top_terms(2)
        [['人才', '高校'], ['数据', '算力']]
        """
        beta = self.topic_term_distribution_
        return [[self.terms_[i] for i in _top_indices(row, n, self.terms_)] for row in beta]

    def topic_labels(self, n: int = 10, labels_csv: str | Path | None = None, sep: str = " ") -> pd.DataFrame:
        """One row per topic: ``topic, top_terms, label``.

        Parameters
        ----------
        n : int, default 10
            Number of top terms joined into ``top_terms`` (heaviest first, joined with ``sep``).
        labels_csv : path, optional
            A UTF-8 CSV with columns ``topic`` and ``label`` (and optionally ``note``), written by
            a person who read the topics (see :func:`top_units`). Without it ``label`` is null:
            a label is never made up from the terms.

        Returns
        -------
        pandas.DataFrame
            Schema ``topic_labels``, sorted by topic.

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"doc_id": list("aabbccdd"), "section_id": ["1"] * 8, "position": [0, 1] * 4,
        ...                   "token": ["算力", "数据"] * 2 + ["人才", "高校"] * 2})
        >>> m = TopicModel(k=2, random_state=0).fit(t)
        >>> m.topic_labels(n=2)[["topic", "top_terms"]].values.tolist()
        [[1, '人才 高校'], [2, '数据 算力']]
        """
        tops = self.top_terms(n)
        out = pd.DataFrame({"topic": np.arange(1, len(tops) + 1),
                            "top_terms": [sep.join(t) for t in tops]})
        if labels_csv is not None:
            lab = pd.read_csv(labels_csv, dtype={"label": "string"}, encoding="utf-8")
            if not {"topic", "label"} <= set(lab.columns):
                raise ValueError(f"{labels_csv}: needs columns 'topic' and 'label', has {list(lab.columns)}")
            if lab["topic"].duplicated().any():
                raise ValueError(f"{labels_csv}: topic listed twice")
            unknown = sorted(set(lab["topic"]) - set(out["topic"]))
            if unknown:
                raise ValueError(f"{labels_csv}: topics {unknown} not in this {len(tops)}-topic model")
            out = out.merge(lab[["topic", "label"]], on="topic", how="left")
        return schema.conform("topic_labels", out)

    def coherence(self, n: int = 10) -> pd.DataFrame:
        """Per-topic coherence of the top ``n`` terms on the units the model was fitted on.

        Parameters
        ----------
        n : int, default 10

        Returns
        -------
        pandas.DataFrame
            A ``topic_coherence`` table (``topic, npmi, umass``); see :func:`coherence`.

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"doc_id": list("aabbccdd"), "section_id": ["1"] * 8, "position": [0, 1] * 4,
        ...                   "token": ["算力", "数据"] * 2 + ["人才", "高校"] * 2})
        >>> m = TopicModel(k=2, random_state=0).fit(t)
        >>> m.coherence(2)["npmi"].round(3).tolist()
        [1.0, 1.0]
        """
        self._fitted()
        idx = [_top_indices(row, n, self.terms_) for row in self.topic_term_distribution_]
        npmi, umass = _coherence_scores(idx, self.matrix_)
        return schema.conform("topic_coherence", pd.DataFrame(
            {"topic": np.arange(1, len(idx) + 1), "npmi": npmi, "umass": umass}))

    def diversity(self, n: int = 10) -> float:
        """Topic diversity: share of unique terms among the top ``n`` terms of all topics.

        Parameters
        ----------
        n : int, default 10

        Returns
        -------
        float

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"doc_id": list("aabbccdd"), "section_id": ["1"] * 8, "position": [0, 1] * 4,
        ...                   "token": ["算力", "数据"] * 2 + ["人才", "高校"] * 2})
        >>> m = TopicModel(k=2, random_state=0).fit(t)
        >>> m.diversity(2)
        1.0
        """
        return topic_diversity(self.top_terms(n))


# --------------------------------------------------------------------------- helpers


def _dtm(tokens: pd.DataFrame, **options):
    return document_term_matrix(tokens, **options)


def _units_frame(units: pd.DataFrame, unit_cols: Sequence[str]) -> pd.DataFrame:
    """The unit ids as ``doc_id, section_id`` strings (section_id null for whole documents)."""
    out = pd.DataFrame({"doc_id": units[unit_cols[0]].astype("string").to_numpy()})
    if len(unit_cols) > 1:
        out["section_id"] = units[unit_cols[1]].astype("string").to_numpy()
    else:
        out["section_id"] = pd.Series([pd.NA] * len(units), dtype="string")
    return out.astype("string")


def _row_normalise(a: np.ndarray) -> np.ndarray:
    """Rows divided by their sum; rows summing to 0 (or NaN) become NaN."""
    a = np.asarray(a, dtype=np.float64)
    s = a.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, a / np.where(s > 0, s, 1.0), np.nan)


def _top_indices(row: np.ndarray, n: int | None, terms: Sequence[str]) -> np.ndarray:
    """Indices of the ``n`` largest entries of ``row``, heaviest first, ties by term.

    ``terms`` are in code-point order (matrix columns), so a stable sort on -weight breaks ties
    by term.
    """
    order = np.argsort(-row, kind="stable")
    return order if n is None else order[:n]


def topic_diversity(top_terms: Sequence[Sequence[str]]) -> float:
    """Share of unique terms among the top terms of all topics (1.0 = no term shared).

    Parameters
    ----------
    top_terms : sequence of sequences of str
        Each topic's top terms.

    Returns
    -------
    float

    Examples
    --------
    >>> topic_diversity([["算力", "芯片"], ["算力", "人才"]])
    0.75
    """
    flat = [t for topic in top_terms for t in topic]
    return len(set(flat)) / len(flat) if flat else float("nan")


# --------------------------------------------------------------------------- coherence


def _coherence_scores(top_idx: Sequence[Sequence[int]], X) -> tuple[np.ndarray, np.ndarray]:
    """NPMI and UMass of each topic's top terms (column indices of X, heaviest first).

    Probabilities are document (unit) frequencies: a term "occurs" in a unit if its cell is
    non-zero; N is the number of units (rows of X), empty units included.
    """
    B = (X.tocsc() != 0).astype(np.float64)
    N = B.shape[0]
    npmi, umass = [], []
    for idx in top_idx:
        idx = list(idx)
        M = len(idx)
        if M < 2:
            npmi.append(np.nan)
            umass.append(np.nan)
            continue
        sub = B[:, idx]
        D = np.asarray((sub.T @ sub).todense())  # D[i, j]: units with both terms; D[i, i]: df
        df = np.diag(D)
        iu, ju = np.triu_indices(M, k=1)  # pairs (l, m) with l < m: l is the heavier term
        co = D[iu, ju]
        # UMass (Mimno et al. 2011): log (D(w_m, w_l) + 1) / D(w_l), conditioned on the heavier
        # term; averaged over the M(M-1)/2 pairs (the sum grows with M, the mean does not)
        with np.errstate(divide="ignore", invalid="ignore"):
            um = np.where(df[iu] > 0, np.log((co + 1.0) / np.where(df[iu] > 0, df[iu], 1.0)), np.nan)
        # NPMI (Bouma 2009): log(P(i,j) / P(i)P(j)) / -log P(i,j); -1 for pairs never together
        # (its limit), +1 for pairs in every unit (both always together)
        p_ij, p_i, p_j = co / N, df[iu] / N, df[ju] / N
        with np.errstate(divide="ignore", invalid="ignore"):
            pmi = np.log(p_ij / (p_i * p_j))
            nm = np.where(p_ij == 0, -1.0, np.where(p_ij == 1, 1.0, pmi / -np.log(p_ij)))
        nm = np.where((p_i == 0) | (p_j == 0), np.nan, nm)
        npmi.append(float(np.nanmean(nm)) if np.isfinite(nm).any() else np.nan)
        umass.append(float(np.nanmean(um)) if np.isfinite(um).any() else np.nan)
    return np.asarray(npmi), np.asarray(umass)


def coherence(
    top_terms: Sequence[Sequence[str]] | pd.DataFrame,
    tokens: pd.DataFrame,
    unit_cols: Sequence[str] = _DEFAULT_UNITS,
    n: int = 10,
    keep_single_chars: bool = True,
) -> pd.DataFrame:
    """NPMI and UMass coherence of topics' top terms, by co-occurrence in the units of ``tokens``.

    With ``N`` units, ``D(w)`` the number of units containing ``w`` and ``D(w, v)`` the number
    containing both, for the top terms ``w_1 .. w_M`` of a topic (heaviest first):

    - ``umass`` = mean over pairs ``l < m`` of ``log((D(w_m, w_l) + 1) / D(w_l))``
      (Mimno et al. 2011; the mean, not the sum, so it does not grow with M). Usually
      negative (at most log 2, because of the +1); higher is more coherent.
    - ``npmi`` = mean over pairs of ``log(P(w_i, w_j) / (P(w_i) P(w_j))) / -log P(w_i, w_j)``
      with ``P = D / N`` (Bouma 2009; Roeder et al. 2015 with boolean-document co-occurrence).
      In [-1, 1]: -1 for terms never together, 0 for independence, 1 for always together.

    Parameters
    ----------
    top_terms : list of lists of str, or a ``topic_terms`` table
        Each topic's terms, heaviest first; from a table the top ``n`` by rank are used.
    tokens : pandas.DataFrame
        Tokens table whose units give the co-occurrence counts (the same tokens the model
        was fitted on).
    unit_cols : tuple of str
    n : int, default 10
        Top terms per topic when ``top_terms`` is a table.
    keep_single_chars : bool, default True
        Count one-character tokens too (they may be top terms of a model that kept them).

    Returns
    -------
    pandas.DataFrame
        Schema ``topic_coherence``: ``topic`` (1-based, in the given order), ``npmi``, ``umass``.
        A term absent from every unit makes the pairs involving it undefined (left out).

    Examples
    --------
    >>> import pandas as pd
    >>> tokens = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "section_id": ["1"] * 4,
    ...                        "token": ["算力", "芯片", "算力", "芯片"]})
    >>> coherence([["算力", "芯片"]], tokens).round(3).loc[0, ["npmi", "umass"]].tolist()
    [-0.262, 0.0]
    """
    if isinstance(top_terms, pd.DataFrame):
        tt = top_terms[top_terms["rank"] <= n].sort_values(["topic", "rank"], kind="stable")
        top_terms = [list(g["term"]) for _, g in tt.groupby("topic", sort=True)]
    top_terms = [[str(t) for t in topic] for topic in top_terms]
    dtm = _dtm(tokens, unit_cols=tuple(unit_cols), min_df=1, max_df=1.0, max_features=None,
               keep_single_chars=keep_single_chars, weighting="binary")
    col = {t: i for i, t in enumerate(dtm.terms)}
    # a term missing from the tokens gets an all-zero column appended at the end
    import scipy.sparse as sp

    missing = sorted({t for topic in top_terms for t in topic} - set(col))
    X = dtm.matrix.tocsc()
    if missing:
        X = sp.hstack([X, sp.csc_matrix((X.shape[0], len(missing)))]).tocsc()
        col.update({t: len(dtm.terms) + i for i, t in enumerate(missing)})
    npmi, umass = _coherence_scores([[col[t] for t in topic] for topic in top_terms], X)
    return schema.conform("topic_coherence", pd.DataFrame(
        {"topic": np.arange(1, len(top_terms) + 1), "npmi": npmi, "umass": umass}))


# --------------------------------------------------------------------------- stability


def matched_similarity(a: TopicModel, b: TopicModel, return_pairs: bool = False):
    """How alike two models' topics are: Hungarian matching on cosine similarity, mean matched.

    The topic-term distributions of ``a`` and ``b`` are aligned on the union of their
    vocabularies; the cosine similarity of every topic pair is computed, topics are paired
    one-to-one to maximise the total (``scipy.optimize.linear_sum_assignment``), and the mean
    similarity of the matched pairs is returned: 1.0 for the same topics in any order, near 0
    for unrelated ones.

    Parameters
    ----------
    a, b : TopicModel
        Fitted models (K may differ: min(K_a, K_b) pairs are matched).
    return_pairs : bool, default False
        Also return a DataFrame ``topic_a, topic_b, similarity`` of the matched pairs.

    Returns
    -------
    float or (float, pandas.DataFrame)
        Mean cosine similarity of the matched topics (1.0 = the same topics), and the pairs.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": list("aabbcc"), "section_id": ["1"] * 6,
    ...                   "token": ["算力", "芯片", "人才", "高校", "算力", "芯片"]})
    >>> m = TopicModel(k=2, min_df=1, max_df=1.0).fit(t)
    >>> round(matched_similarity(m, m), 6)
    1.0
    """
    from scipy.optimize import linear_sum_assignment

    A, B = a.topic_term_distribution_, b.topic_term_distribution_
    if a.terms_ != b.terms_:
        vocab = sorted(set(a.terms_) | set(b.terms_))
        pos = {t: i for i, t in enumerate(vocab)}
        A2, B2 = np.zeros((A.shape[0], len(vocab))), np.zeros((B.shape[0], len(vocab)))
        A2[:, [pos[t] for t in a.terms_]] = A
        B2[:, [pos[t] for t in b.terms_]] = B
        A, B = A2, B2
    S = _cosine(A, B)
    rows, cols = linear_sum_assignment(S, maximize=True)
    value = float(S[rows, cols].mean())
    if return_pairs:
        pairs = pd.DataFrame({"topic_a": rows + 1, "topic_b": cols + 1, "similarity": S[rows, cols]})
        return value, pairs
    return value


def _cosine(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    na = np.linalg.norm(A, axis=1, keepdims=True)
    nb = np.linalg.norm(B, axis=1, keepdims=True)
    na[na == 0] = 1.0
    nb[nb == 0] = 1.0
    return np.clip((A / na) @ (B / nb).T, 0.0, 1.0)


# --------------------------------------------------------------------------- model selection


def select_k(
    tokens: pd.DataFrame,
    ks: Sequence[int] = (4, 6, 8, 10, 12),
    seeds: Sequence[int] = (0, 1, 2),
    methods: Sequence[str] | str = ("nmf",),
    n_top: int = 10,
    **model_options: Any,
) -> pd.DataFrame:
    """Fit every (method, K, seed) and measure it: the table behind "why this K".

    Parameters
    ----------
    tokens : pandas.DataFrame
        Tokens table (units as in ``unit_cols``, default ``doc_id, section_id``).
    ks : sequence of int
        Numbers of topics to try.
    seeds : sequence of int
        Random states; stability needs at least two.
    methods : 'nmf', 'lda' or a sequence of them
    n_top : int, default 10
        Top terms per topic for coherence and diversity.
    **model_options
        Other :class:`TopicModel` options (``min_df``, ``max_df``, ``unit_cols``, ``n_jobs`` ...).

    Returns
    -------
    pandas.DataFrame
        Schema ``model_selection``, one row per fitted model, sorted by method, k, seed:
        ``npmi`` and ``umass`` (mean over topics, on the same tokens and units), ``diversity``
        (share of unique top terms), ``stability`` (mean matched similarity of this seed's model
        to each other seed's model at the same method and K; 1.0 = same topics),
        ``perplexity`` (LDA, in-sample) and ``reconstruction_error`` (NMF).

    Examples
    --------
    >>> ms = select_k(tokens, ks=(4, 8), seeds=(0, 1))                  # doctest: +SKIP
    >>> ms.groupby(["method", "k"])[["npmi", "stability"]].mean()       # doctest: +SKIP
    """
    methods = [methods] if isinstance(methods, str) else list(methods)
    for bad in ("k", "method", "random_state"):
        if bad in model_options:
            raise TypeError(f"select_k: pass {bad!r} through ks/methods/seeds, not as an option")
    ks, seeds = [int(k) for k in ks], [int(s) for s in seeds]
    rows: dict[tuple, dict] = {}
    matrices: dict[tuple, Any] = {}  # the matrix is built once per weighting, not once per fit
    for method in methods:
        for k in ks:
            models = {}
            for seed in seeds:
                m = TopicModel(k=k, method=method, random_state=seed, **model_options)
                m._check()
                key = tuple(sorted((kk, str(v)) for kk, v in m._matrix_options().items()))
                if key not in matrices:
                    matrices[key] = _dtm(tokens, **m._matrix_options())
                models[seed] = m._fit_matrix(matrices[key])
                coh = m.coherence(n_top)
                rows[(method, k, seed)] = {
                    "method": method, "k": k, "seed": seed,
                    "npmi": coh["npmi"].astype(float).mean(), "umass": coh["umass"].astype(float).mean(),
                    "diversity": m.diversity(n_top),
                    "perplexity": m.perplexity_, "reconstruction_error": m.reconstruction_err_}
            # similarity is symmetric: each pair of seeds is matched once
            sim = {(a, b): matched_similarity(models[a], models[b])
                   for i, a in enumerate(seeds) for b in seeds[i + 1:]}
            for seed in seeds:
                others = [v for pair, v in sim.items() if seed in pair]
                rows[(method, k, seed)]["stability"] = float(np.mean(others)) if others else np.nan
    rows = list(rows.values())
    out = pd.DataFrame(rows).sort_values(["method", "k", "seed"], kind="stable")
    return schema.conform("model_selection", out)


# --------------------------------------------------------------------------- prevalence


def prevalence(
    unit_topics: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    by: str = "city",
    n_boot: int = 1000,
    random_state: int = 0,
    ci: float = 0.95,
    per: str = "unit",
) -> pd.DataFrame:
    """Topic share by document, city or year, with bootstrap confidence intervals over units.

    This is the one topic-share function: :func:`policylab.timeline.topic_prevalence_over_time`
    (topic share by year) calls it with ``per="document"``.

    The share of topic t in a group is the mean of the units' weights on t (each unit counts
    once). The interval resamples the group's units with replacement ``n_boot`` times
    (percentile interval), so a city with few sections gets a wide interval. Units are treated
    as independent: sections of one document are alike, so when a group holds one or two
    documents the interval shows the spread within them, not between documents.

    Parameters
    ----------
    unit_topics : pandas.DataFrame
        A ``unit_topics`` table (:meth:`TopicModel.unit_topics`).
    documents : pandas.DataFrame, optional
        Document metadata with ``doc_id`` and the ``by`` column; not needed for ``by='doc_id'``.
        For ``by='year'`` a ``year`` column is used, or else the year of ``issued``.
    by : str, default 'city'
        ``'doc_id'``, ``'city'``, ``'year'`` or any column of ``documents``. Units whose
        document has no value there (null) are left out.
    n_boot : int, default 1000
    random_state : int, default 0
    ci : float, default 0.95
    per : {'unit', 'document'}, default 'unit'
        What counts once: each unit (section), or each document (the mean of its units, so a
        long document weighs as much as a short one; the interval then resamples documents).

    Returns
    -------
    pandas.DataFrame
        Schema ``prevalence`` (``by, group, topic, share, ci_low, ci_high, n_units``), sorted by
        group then topic. Shares of a group sum to 1 over topics.

    Examples
    --------
    >>> import pandas as pd
    >>> ut = pd.DataFrame({"doc_id": ["a", "a", "a", "a"], "section_id": ["1", "1", "2", "2"],
    ...                    "topic": [1, 2, 1, 2], "weight": [0.8, 0.2, 0.4, 0.6]})
    >>> prevalence(ut, by="doc_id", n_boot=200)[["group", "topic", "share"]].round(2).values.tolist()
    [['a', 1, 0.6], ['a', 2, 0.4]]
    """
    ut = unit_topics[["doc_id", "section_id", "topic", "weight"]].copy()
    ut["weight"] = ut["weight"].astype(float)
    # one row per unit (section_id may be null for whole-document units), one column per topic
    key = ut.groupby(["doc_id", "section_id"], dropna=False, sort=True).ngroup().to_numpy()
    topics = np.sort(ut["topic"].astype(int).unique())
    W = np.zeros((key.max() + 1 if len(key) else 0, len(topics)))
    W[key, np.searchsorted(topics, ut["topic"].astype(int).to_numpy())] = ut["weight"].to_numpy()
    units = ut.assign(_key=key).drop_duplicates("_key").sort_values("_key")[["doc_id"]]
    units = units.reset_index(drop=True)
    if per == "document":
        doc_codes, doc_ids = pd.factorize(units["doc_id"].astype(str), sort=True)
        sums = np.zeros((len(doc_ids), W.shape[1]))
        np.add.at(sums, doc_codes, W)
        W = sums / np.bincount(doc_codes, minlength=len(doc_ids))[:, None]
        units = pd.DataFrame({"doc_id": list(doc_ids)})
    elif per != "unit":
        raise ValueError(f"per must be 'unit' or 'document', got {per!r}")
    if by == "doc_id":
        groups = units["doc_id"].astype("string")
    else:
        if documents is None:
            raise ValueError(f"prevalence by {by!r} needs the documents table (doc_id, {by})")
        docs = documents.drop_duplicates("doc_id").set_index("doc_id")
        if by in docs.columns:
            col = docs[by]
        elif by == "year" and "issued" in docs.columns:
            col = pd.to_datetime(docs["issued"]).dt.year.astype("Int64")
        else:
            raise ValueError(f"documents has no column {by!r} (has {list(documents.columns)})")
        col = col.astype("string")
        groups = pd.Series(col.reindex(units["doc_id"].astype(str)).to_numpy(), dtype="string")
    rng = np.random.default_rng(random_state)
    alpha = (1.0 - ci) / 2.0
    rows = []
    for g in sorted(groups.dropna().unique()):
        sel = W[(groups == g).fillna(False).to_numpy(dtype=bool)]
        share = sel.mean(axis=0)
        boot = sel[rng.integers(0, len(sel), size=(n_boot, len(sel)))].mean(axis=1)
        lo, hi = np.quantile(boot, [alpha, 1 - alpha], axis=0)
        for j, t in enumerate(topics):
            # an interval always contains its point estimate (a one-unit group: zero width)
            rows.append({"by": by, "group": g, "topic": t, "share": share[j],
                         "ci_low": min(lo[j], share[j]), "ci_high": max(hi[j], share[j]),
                         "n_units": len(sel)})
    out = pd.DataFrame(rows, columns=schema.columns("prevalence"))
    return schema.conform("prevalence", out)


# --------------------------------------------------------------------------- reading topics


def top_units(
    model: TopicModel | pd.DataFrame,
    sections: pd.DataFrame,
    n: int = 5,
    documents: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ``n`` units that load most on each topic, with city, heading and text, for reading.

    Parameters
    ----------
    model : TopicModel or pandas.DataFrame
        A fitted model, or its ``unit_topics`` table.
    sections : pandas.DataFrame
        The sections table (``doc_id, section_id, heading, text`` ...).
    n : int, default 5
    documents : pandas.DataFrame, optional
        Supplies ``city`` by ``doc_id`` when ``sections`` lacks it; city is null otherwise.

    Returns
    -------
    pandas.DataFrame
        Schema ``top_units``: ``topic, rank, doc_id, section_id, weight, city, heading, text``,
        sorted by topic and rank (rank 1 = highest weight; ties by doc_id, section_id).

    Examples
    --------
    >>> import pandas as pd
    >>> ut = pd.DataFrame({"doc_id": ["a", "a", "a", "a"], "section_id": ["1", "1", "2", "2"],
    ...                    "topic": [1, 2, 1, 2], "weight": [0.8, 0.2, 0.4, 0.6]})
    >>> sections = pd.DataFrame({"doc_id": ["a", "a"], "section_id": ["1", "2"],
    ...                          "heading": ["算力基础设施", "人才培养"], "text": ["建设智算中心", "引进高端人才"]})
    >>> top_units(ut, sections, n=1)[["topic", "section_id", "heading"]].values.tolist()
    [[1, '1', '算力基础设施'], [2, '2', '人才培养']]
    """
    ut = model.unit_topics() if isinstance(model, TopicModel) else model
    ut = ut[["doc_id", "section_id", "topic", "weight"]].copy()
    ut["weight"] = ut["weight"].astype(float)
    ut = ut.sort_values(["topic", "weight", "doc_id", "section_id"], ascending=[True, False, True, True],
                        kind="stable")
    ut["rank"] = ut.groupby("topic").cumcount() + 1
    ut = ut[ut["rank"] <= n]
    sec = sections.copy()
    keys = ["doc_id", "section_id"]
    for c in keys:
        sec[c] = sec[c].astype("string")
        ut[c] = ut[c].astype("string")
    cols = [c for c in ("heading", "text", "city") if c in sec.columns]
    out = ut.merge(sec[keys + cols].drop_duplicates(keys), on=keys, how="left")
    if "city" not in out.columns and documents is not None and "city" in documents.columns:
        city = documents[["doc_id", "city"]].drop_duplicates("doc_id").astype({"doc_id": "string"})
        out = out.merge(city, on="doc_id", how="left")
    out = out.sort_values(["topic", "rank"], kind="stable")
    return schema.conform("top_units", out)


# --------------------------------------------------------------------------- save / load


def _versions() -> dict:
    return versions(("scikit-learn", "numpy", "scipy", "pandas"))


def save_model(model: TopicModel, directory: str | Path) -> Path:
    """Write a fitted model as plain arrays (``arrays.npz``) and JSON (``model.json``); no pickle.

    ``model.json`` holds the settings, vocabulary, unit ids, fit statistics and library versions;
    ``arrays.npz`` the topic-term and unit-topic weights and the fitted matrix (CSR parts), all
    numeric, readable with ``numpy.load(allow_pickle=False)``.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    directory : path
        Created if missing.

    Returns
    -------
    pathlib.Path
        The directory.

    Examples
    --------
    >>> save_model(model, "models/nmf_k8")                                   # doctest: +SKIP
    >>> load_model("models/nmf_k8").topic_terms().equals(model.topic_terms())  # doctest: +SKIP
    True
    """
    model._fitted()
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    X = model.matrix_.tocsr()
    np.savez(d / "arrays.npz", components=model.components_, doc_topic=model.doc_topic_,
             matrix_data=X.data, matrix_indices=X.indices, matrix_indptr=X.indptr,
             matrix_shape=np.asarray(X.shape, dtype=np.int64))
    units = {c: [None if pd.isna(v) else str(v) for v in model.units_[c]] for c in model.units_.columns}
    meta = {"format": FORMAT, "settings": model.get_params(), "terms": model.terms_, "units": units,
            "perplexity": model.perplexity_, "reconstruction_error": model.reconstruction_err_,
            "n_iter": model.n_iter_, "versions": _versions()}
    (d / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return d


def load_model(directory: str | Path) -> TopicModel:
    """Read a model written by :func:`save_model`; it gives tables identical to the original's.

    ``estimator_`` is None (the scikit-learn object is not stored).

    Parameters
    ----------
    directory : path
        A folder written by :func:`save_model`.

    Returns
    -------
    TopicModel

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": list("aabbccdd"), "section_id": ["1"] * 8, "position": [0, 1] * 4,
    ...                   "token": ["算力", "数据"] * 2 + ["人才", "高校"] * 2})
    >>> m = TopicModel(k=2, random_state=0).fit(t)
    >>> load_model(save_model(m, tempfile.mkdtemp())).topic_terms().equals(m.topic_terms())
    True
    """
    import scipy.sparse as sp

    d = Path(directory)
    meta = json.loads((d / "model.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{d}: not a policylab topic model (format {meta.get('format')!r})")
    s = dict(meta["settings"])
    s["unit_cols"] = tuple(s["unit_cols"])
    m = TopicModel(**s)
    with np.load(d / "arrays.npz", allow_pickle=False) as z:
        m.components_ = z["components"]
        m.doc_topic_ = z["doc_topic"]
        m.matrix_ = sp.csr_matrix((z["matrix_data"], z["matrix_indices"], z["matrix_indptr"]),
                                  shape=tuple(z["matrix_shape"]))
    m.terms_ = list(meta["terms"])
    m.units_ = pd.DataFrame(meta["units"], dtype="string")
    m.perplexity_ = meta["perplexity"]
    m.reconstruction_err_ = meta["reconstruction_error"]
    m.n_iter_ = meta["n_iter"]
    m.estimator_ = None
    m.versions_ = meta["versions"]
    return m


def k_candidates(n_units: int, n: int = 4, k_min: int = 2, k_cap: int = 30) -> tuple[int, ...]:
    """The numbers of topics worth comparing for ``n_units`` units: they scale with the corpus.

    The largest K is about ``sqrt(n_units / 2)`` (119 sections: 8; 1,000 sections: 22), never above
    ``k_cap`` nor ``n_units - 1``; ``n`` values are spread evenly from ``k_min`` to it. Fewer than
    four units support no topic model (an empty tuple).

    Parameters
    ----------
    n_units : int
        Units (sections) with tokens.
    n : int, default 4
        How many values of K at most.
    k_min : int, default 2
    k_cap : int, default 30

    Returns
    -------
    tuple of int
        Increasing, without repeats.

    Examples
    --------
    >>> k_candidates(119), k_candidates(1000), k_candidates(12), k_candidates(3)
    ((2, 4, 6, 8), (2, 9, 15, 22), (2,), ())
    """
    if n_units < 4:
        return ()
    k_max = int(min(k_cap, n_units - 1, max(k_min, round(math.sqrt(n_units / 2)))))
    return tuple(sorted({int(round(x)) for x in np.linspace(k_min, k_max, num=max(1, n))}))


def choose_k(selection: pd.DataFrame, min_stability: float = 0.7) -> int:
    """The number of topics to use: the most coherent K among the stable ones.

    Means over seeds of a ``model_selection`` table (:func:`policylab.topics.select_k`) are taken per
    K; among the K whose mean ``stability`` is at least ``min_stability`` the one with the highest
    mean ``npmi`` wins (ties: the smaller K); if none is that stable, the most coherent K overall.
    One documented rule, so every notebook and paper that uses it picks the same model.

    Parameters
    ----------
    selection : pandas.DataFrame
        ``k``, ``npmi``, ``stability`` (one row per K and seed).
    min_stability : float, default 0.7

    Returns
    -------
    int

    Examples
    --------
    >>> import pandas as pd
    >>> ms = pd.DataFrame({"k": [4, 4, 8, 8], "npmi": [0.1, 0.2, 0.3, 0.3], "stability": [0.9, 0.9, 0.5, 0.6]})
    >>> choose_k(ms), choose_k(ms, min_stability=0.5)
    (4, 8)
    """
    by_k = selection.groupby("k", sort=True)[["npmi", "stability"]].mean()
    stable = by_k[by_k["stability"].astype(float) >= min_stability]
    pool = stable if len(stable) else by_k
    return int(pool["npmi"].astype(float).idxmax())


def section_tokens(sections: pd.DataFrame, documents: pd.DataFrame | None = None, **tokenize_options) -> pd.DataFrame:
    """The tokens topic models are fitted on: sections as units, themes kept, the rest left out.

    :func:`policylab.tokens.content_tokens` at section level: responsibility clauses are removed
    from each section's text (agency names are not a theme), and it is tokenized with the
    policy-boilerplate stopwords, then the documents' own place names are removed (otherwise a topic
    is "the Chengdu plan"). One recipe, so every notebook and paper fits the same units.

    Parameters
    ----------
    sections : DataFrame
        The corpus' ``sections`` table.
    documents : DataFrame, optional
        The corpus' ``documents``; its ``city`` values (and ``city`` + 市) become stopwords.
    **tokenize_options
        Passed on to :func:`policylab.tokenize` (e.g. ``cache=False``).

    Returns
    -------
    pandas.DataFrame
        A ``section_tokens`` table (``doc_id, section_id, position, token, pos``).

    Examples
    --------
    >>> import pandas as pd
    >>> secs = pd.DataFrame({"doc_id": ["d1"], "section_id": ["1"],
    ...                      "text": ["建设南京智算中心,发展大模型。(责任单位:市工信局)"]})
    >>> section_tokens(secs, pd.DataFrame({"city": ["南京"]}), cache=False)["token"].tolist()
    ['智算中心', '大模型']
    """
    return tokens.content_tokens(sections, unit="section", documents=documents, **tokenize_options)
