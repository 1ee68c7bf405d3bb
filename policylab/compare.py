"""Compare: how alike documents (or cities) are -- similarity matrix, clustering, nearest neighbours.

Two measures, side by side in one long table (one row per ordered pair ``doc_a != doc_b``):

- ``cosine``: cosine similarity of TF-IDF vectors of the content tokens
  (:func:`policylab.matrix.document_term_matrix` with ``weighting="tfidf"``): alike in vocabulary;
- ``reuse_share``: the share of ``doc_a``'s text lying in passages it shares with ``doc_b``
  (:func:`policylab.reuse.find`): alike because one took text from the other (asymmetric).

Grouping by a documents column (``by="city"``) compares cities: their documents' tokens pooled, and
the reused characters summed over the group's documents.

:func:`cluster` builds an average-linkage hierarchy (scipy) on ``1 - similarity`` and returns it as
two tables (the dendrogram's merges and each document's leaf order and flat cluster);
:func:`nearest_neighbours` gives each document's most similar others, ties marked.

Examples
--------
>>> import pandas as pd
>>> from policylab import compare
>>> tokens = pd.DataFrame({"doc_id": list("aabbcc"), "position": [0, 1] * 3,
...                        "token": ["算力", "数据", "算力", "数据", "人才", "园区"]})
>>> sim = compare.similarity(tokens)
>>> sim.loc[sim["doc_a"] == "a", ["doc_b", "cosine"]].values.tolist()
[['b', 1.0], ['c', 0.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from policylab import schema
from policylab.matrix import document_term_matrix


def _reuse_chars(passages: pd.DataFrame | None) -> pd.DataFrame:
    """Characters of each document covered by passages shared with each other document."""
    cols = ["doc", "other", "covered"]
    if passages is None or len(passages) == 0:
        return pd.DataFrame(columns=cols)
    both = pd.concat([
        passages[["doc_a", "doc_b", "start_a", "end_a"]].set_axis(["doc", "other", "s", "e"], axis=1),
        passages[["doc_b", "doc_a", "start_b", "end_b"]].set_axis(["doc", "other", "s", "e"], axis=1),
    ], ignore_index=True).astype({"doc": str, "other": str, "s": int, "e": int})
    rows = []
    for (d, o), g in both.groupby(["doc", "other"], sort=True):
        total, end = 0, -1
        for s, e in sorted(zip(g["s"], g["e"])):
            if e > end:
                total += e - max(s, end)
                end = e
        rows.append((d, o, total))
    return pd.DataFrame(rows, columns=cols)


def similarity(
    tokens: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    passages: pd.DataFrame | None = None,
    *,
    by: str = "doc_id",
    min_df: int | float = 1,
    keep_single_chars: bool = False,
) -> pd.DataFrame:
    """Pairwise similarity of documents (or groups of them): TF-IDF cosine and share of reused text.

    Parameters
    ----------
    tokens : DataFrame
        A tokens table (``doc_id, position, token``), already filtered as the analysis wants
        (stopwords out, e.g. ``policylab.tokenize(documents)``'s default).
    documents : DataFrame, optional
        ``doc_id``, ``text`` (lengths for ``reuse_share``) and the ``by`` column when grouping.
    passages : DataFrame, optional
        :func:`policylab.reuse.find`'s table; without it ``reuse_share`` is null.
    by : str, default 'doc_id'
        ``doc_id``, or a documents column (``city``, ``province``...) to compare groups.
        Documents whose group is null are left out.
    min_df, keep_single_chars :
        Passed to :func:`policylab.matrix.document_term_matrix`.

    Returns
    -------
    DataFrame
        Schema ``document_similarity``; one row per ordered pair of units ``a != b``, sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> tokens = pd.DataFrame({"doc_id": ["a", "b"], "position": [0, 0], "token": ["算力", "算力"]})
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["x" * 100, "y" * 50]})
    >>> p = pd.DataFrame({"doc_a": ["a"], "doc_b": ["b"], "start_a": [0], "end_a": [25], "start_b": [0], "end_b": [25]})
    >>> similarity(tokens, docs, p)[["doc_a", "doc_b", "cosine", "reuse_share"]].values.tolist()
    [['a', 'b', 1.0, 0.25], ['b', 'a', 1.0, 0.5]]
    """
    if by != "doc_id":
        if documents is None or by not in documents.columns:
            raise ValueError(f"similarity(by={by!r}) needs a documents table with a {by!r} column")
        group = documents.set_index(documents["doc_id"].astype(str))[by]
        tokens = tokens.assign(**{by: tokens["doc_id"].astype(str).map(group)}).dropna(subset=[by])
    tokens = tokens[tokens["token"].notna()]
    if tokens.empty or tokens[by].nunique() < 2:
        return schema.empty("document_similarity")
    dtm = document_term_matrix(tokens, unit_cols=(by,), min_df=min_df, keep_single_chars=keep_single_chars,
                               weighting="tfidf")
    units = dtm.units[by].astype(str).tolist()
    cos = (dtm.matrix @ dtm.matrix.T).toarray()
    n = len(units)
    ia, ib = np.where(~np.eye(n, dtype=bool))
    out = pd.DataFrame({"doc_a": [units[i] for i in ia], "doc_b": [units[j] for j in ib],
                        "cosine": np.round(np.clip(cos[ia, ib], 0.0, 1.0), 6)})
    out["reuse_share"] = pd.NA
    if passages is not None and documents is not None:
        docs = documents.assign(doc_id=documents["doc_id"].astype(str))
        length = docs.set_index("doc_id")["text"].fillna("").str.len()
        cov = _reuse_chars(passages)
        if by != "doc_id":
            grp = docs.set_index("doc_id")[by].astype("string")
            cov = cov.assign(doc=cov["doc"].map(grp), other=cov["other"].map(grp)).dropna()
            cov = cov[cov["doc"] != cov["other"]].groupby(["doc", "other"], as_index=False)["covered"].sum()
            length = length.groupby(grp).sum()
        cov = cov.set_index(["doc", "other"])["covered"]
        key = pd.MultiIndex.from_arrays([out["doc_a"], out["doc_b"]])
        covered = pd.Series(cov.reindex(key).fillna(0).to_numpy(dtype=float))
        denom = out["doc_a"].map(length).astype(float).replace(0, np.nan)
        out["reuse_share"] = (covered / denom).round(6)
    out = schema.conform("document_similarity", out)
    return out.sort_values(["doc_a", "doc_b"], kind="stable").reset_index(drop=True)


def top_units(sim: pd.DataFrame, n: int = 30, measure: str = "reuse_share") -> pd.DataFrame:
    """The similarity table restricted to the ``n`` units with the largest total ``measure``.

    For charts of large corpora (a heat map of 1,000 documents is unreadable). Units with equal
    totals are taken in id order; with ``n`` or fewer units the table is returned whole.

    Examples
    --------
    >>> import pandas as pd
    >>> sim = pd.DataFrame({"doc_a": list("aabbcc"), "doc_b": list("bcacab"),
    ...                     "reuse_share": [0.5, 0.0, 0.2, 0.0, 0.0, 0.0]})
    >>> top_units(sim, n=2)[["doc_a", "doc_b"]].values.tolist()
    [['a', 'b'], ['b', 'a']]
    """
    units = sorted(set(sim["doc_a"]) | set(sim["doc_b"]))
    if len(units) <= n:
        return sim
    vals = sim[measure].astype(float).fillna(0.0)
    total = vals.groupby(sim["doc_a"]).sum().add(vals.groupby(sim["doc_b"]).sum(), fill_value=0.0)
    total = total.reindex(units, fill_value=0.0)
    keep = set(sorted(units, key=lambda u: (-total[u], u))[:n])
    return sim[sim["doc_a"].isin(keep) & sim["doc_b"].isin(keep)].reset_index(drop=True)


def _square(sim: pd.DataFrame, measure: str) -> tuple[list[str], np.ndarray]:
    """Unit ids and the symmetric similarity matrix (mean of both directions), diagonal 1."""
    units = sorted(set(sim["doc_a"]) | set(sim["doc_b"]))
    pos = {u: i for i, u in enumerate(units)}
    m = np.zeros((len(units), len(units)))
    vals = sim[measure].astype(float).fillna(0.0).to_numpy()
    m[sim["doc_a"].map(pos).to_numpy(), sim["doc_b"].map(pos).to_numpy()] = vals
    m = (m + m.T) / 2
    np.fill_diagonal(m, 1.0)
    return units, m


def cluster(sim: pd.DataFrame, measure: str = "cosine", *, method: str = "average",
            n_clusters: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hierarchical clustering of the units of a similarity table (distance = 1 - similarity).

    Parameters
    ----------
    sim : DataFrame
        :func:`similarity`'s table.
    measure : {'cosine', 'reuse_share'}
        The similarity clustered on (an asymmetric one is averaged over both directions).
    method : str, default 'average'
        scipy linkage method ('average', 'complete', 'single'; 'ward' assumes Euclidean data).
    n_clusters : int, default 2
        Flat clusters cut from the tree (at most the number of units).

    Returns
    -------
    (DataFrame, DataFrame)
        Schemas ``dendrogram`` (one row per merge) and ``clusters`` (one row per unit); empty
        with fewer than two units.

    Examples
    --------
    >>> import pandas as pd
    >>> sim = pd.DataFrame({"doc_a": list("aabbcc"), "doc_b": list("bcacab"),
    ...                     "cosine": [0.9, 0.1, 0.9, 0.2, 0.1, 0.2]})
    >>> tree, groups = cluster(sim)
    >>> tree[["left", "right", "distance", "size"]].values.tolist()
    [[0, 1, 0.1, 2], [2, 3, 0.85, 3]]
    >>> groups[["doc_id", "cluster"]].values.tolist()
    [['a', 1], ['b', 1], ['c', 2]]
    """
    from scipy.cluster.hierarchy import fcluster, leaves_list, linkage
    from scipy.spatial.distance import squareform

    if sim is None or len(sim) == 0:
        return schema.empty("dendrogram"), schema.empty("clusters")
    units, m = _square(sim, measure)
    d = np.clip(1.0 - m, 0.0, None)
    np.fill_diagonal(d, 0.0)
    z = linkage(squareform(d, checks=False), method=method)
    n = len(units)
    tree = pd.DataFrame({"node": np.arange(n, n + len(z)), "left": z[:, 0].astype(int), "right": z[:, 1].astype(int),
                         "distance": np.round(z[:, 2], 6), "size": z[:, 3].astype(int)})
    order = leaves_list(z)
    pos = np.empty(n, dtype=int)
    pos[order] = np.arange(n)
    flat = fcluster(z, t=max(1, min(n_clusters, n)), criterion="maxclust")
    groups = pd.DataFrame({"doc_id": units, "leaf": np.arange(n), "order": pos, "cluster": flat})
    return schema.conform("dendrogram", tree), schema.conform("clusters", groups)


def nearest_neighbours(sim: pd.DataFrame, k: int = 3, measure: str = "cosine") -> pd.DataFrame:
    """Each unit's ``k`` most similar others (more when tied at the k-th value), ties marked.

    Parameters
    ----------
    sim : DataFrame
        :func:`similarity`'s table.
    k : int, default 3
    measure : {'cosine', 'reuse_share'}

    Returns
    -------
    DataFrame
        Schema ``nearest_neighbours``, sorted by ``doc_id``, ``rank``, ``neighbour``.

    Examples
    --------
    >>> import pandas as pd
    >>> sim = pd.DataFrame({"doc_a": ["a", "a", "a"], "doc_b": ["b", "c", "d"], "cosine": [0.5, 0.5, 0.1]})
    >>> nearest_neighbours(sim, k=1)[["doc_id", "rank", "neighbour", "tied"]].values.tolist()
    [['a', 1, 'b', True], ['a', 1, 'c', True]]
    """
    if sim is None or len(sim) == 0:
        return schema.empty("nearest_neighbours")
    df = sim[["doc_a", "doc_b", measure]].rename(columns={"doc_a": "doc_id", "doc_b": "neighbour", measure: "value"})
    df = df.dropna(subset=["value"])
    df["value"] = df["value"].astype(float)
    df["rank"] = df.groupby("doc_id")["value"].rank(method="min", ascending=False).astype(int)
    df["tied"] = df.duplicated(["doc_id", "value"], keep=False)
    df = df[df["rank"] <= k]
    out = schema.conform("nearest_neighbours", df)
    return out.sort_values(["doc_id", "rank", "neighbour"], kind="stable").reset_index(drop=True)


def describe_neighbours(neighbours: pd.DataFrame, labels=None, measure: str = "cosine") -> list[str]:
    """One sentence per unit naming its most similar other, or saying the top is a tie.

    Examples
    --------
    >>> import pandas as pd
    >>> nn = pd.DataFrame({"doc_id": ["a", "a", "b"], "rank": [1, 1, 1], "neighbour": ["b", "c", "a"],
    ...                    "value": [0.5, 0.5, 0.5], "tied": [True, True, False]})
    >>> describe_neighbours(nn)
    ['a: b and c tie as the most similar (cosine 0.50).', 'b: most similar to a (cosine 0.50).']
    """
    if neighbours is None or len(neighbours) == 0:
        return ["Fewer than two documents: there is nothing to compare."]

    def name(x):
        v = labels.get(x) if labels is not None and hasattr(labels, "get") else None
        return str(v) if v is not None and not pd.isna(v) else str(x)

    out = []
    for doc, g in neighbours[neighbours["rank"] == 1].groupby("doc_id", sort=True):
        v = float(g["value"].iloc[0])
        if len(g) > 1:
            out.append(f"{name(doc)}: {' and '.join(name(x) for x in g['neighbour'])} tie as the most similar "
                       f"({measure} {v:.2f}).")
        else:
            out.append(f"{name(doc)}: most similar to {name(g['neighbour'].iloc[0])} ({measure} {v:.2f}).")
    return out
