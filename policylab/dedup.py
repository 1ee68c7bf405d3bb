"""Deduplicate: find near-duplicate clean texts and choose one canonical copy of each document.

Candidates come from MinHash LSH (datasketch) over character 5-gram shingles of the clean text
with punctuation and spaces removed, so the cost grows with the corpus, not with its square: no
step compares every pair. Each candidate pair is then confirmed on its exact shingle sets:
Jaccard similarity >= ``threshold``, or containment >= ``containment`` (the shorter text lies
almost wholly inside the longer one: the same document with more boilerplate or an extra notice).

Groups are the connected components of confirmed pairs. The canonical copy of a group is the
Simplified one first, then the one whose page needed least cleaning (fewer converter artefacts
and removed lines), then the longest text, then the first path -- so the choice is stable.

Examples
--------
>>> import pandas as pd
>>> from policylab.dedup import find_duplicates
>>> base = "到2025年人工智能核心产业规模超过500亿元,培育100家重点企业。" * 20
>>> docs = pd.DataFrame({"key": ["a", "b", "c"], "text": [base, base + "附件", "完全不同的一段文字。" * 30],
...                      "script": ["traditional", "simplified", "simplified"], "noise": [5, 0, 0]})
>>> find_duplicates(docs)[["key", "canonical", "similarity"]]
  key canonical  similarity
0   a         b    0.990...
"""

from __future__ import annotations

import re

import pandas as pd

SHINGLE = 5
NUM_PERM = 128
_STRIP = re.compile(r"[\W_]+", re.UNICODE)


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Character k-grams of the text with punctuation and white space removed."""
    s = _STRIP.sub("", text)
    if len(s) <= k:
        return {s} if s else set()
    return {s[i : i + k] for i in range(len(s) - k + 1)}


def find_duplicates(
    docs: pd.DataFrame,
    *,
    key: str = "key",
    text: str = "text",
    threshold: float = 0.7,
    containment: float = 0.9,
    lsh_threshold: float = 0.5,
) -> pd.DataFrame:
    """Near-duplicate groups among ``docs``.

    Parameters
    ----------
    docs : DataFrame
        One row per candidate document, with columns ``key`` (unique id), ``text`` (clean text),
        and optionally ``script`` ('simplified' preferred) and ``noise`` (lines removed plus
        artefacts repaired; lower preferred).
    threshold, containment : float
        A pair is a duplicate when its shingle Jaccard similarity reaches ``threshold`` or the
        shorter text's shingles lie in the longer one's at ``containment`` or more.
    lsh_threshold : float
        Jaccard level at which MinHash LSH proposes a pair for the exact check.

    Returns
    -------
    DataFrame
        One row per duplicate (not per canonical copy): ``key, canonical, similarity, containment``,
        sorted by key.
    """
    from datasketch import MinHash, MinHashLSH

    out_cols = ["key", "canonical", "similarity", "containment"]
    if len(docs) < 2:
        return pd.DataFrame(columns=out_cols)
    keys = docs[key].tolist()
    sets = {k: shingles(t) for k, t in zip(keys, docs[text])}
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=NUM_PERM)
    sigs = {}
    for k in keys:
        if not sets[k]:
            continue
        # datasketch hashes with sha1 and a fixed seed: the same text gives the same signature on
        # every machine and under every PYTHONHASHSEED
        m = MinHash(num_perm=NUM_PERM, seed=1)
        m.update_batch([x.encode("utf-8") for x in sorted(sets[k])])
        sigs[k] = m
        lsh.insert(k, m)

    parent = {k: k for k in keys}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    pair_stats = {}
    for k in keys:
        if k not in sigs:
            continue
        for other in lsh.query(sigs[k]):
            if other == k or (other, k) in pair_stats:
                continue
            a, b = sets[k], sets[other]
            inter = len(a & b)
            jac = inter / len(a | b)
            cont = inter / min(len(a), len(b))
            pair_stats[(k, other)] = (jac, cont)
            if jac >= threshold or cont >= containment:
                parent[find(k)] = find(other)

    groups: dict[str, list[str]] = {}
    for k in keys:
        groups.setdefault(find(k), []).append(k)

    info = docs.set_index(key)
    rows = []
    for members in groups.values():
        if len(members) < 2:
            continue

        def rank(k):
            r = info.loc[k]
            script_rank = 0 if r.get("script", "simplified") == "simplified" else 1
            return (script_rank, int(r.get("noise", 0)), -len(r[text]), str(k))

        canon = min(members, key=rank)
        for k in members:
            if k == canon:
                continue
            jac, cont = pair_stats.get((k, canon)) or pair_stats.get((canon, k)) or (None, None)
            if jac is None:  # linked through a third copy: measure directly
                a, b = sets[k], sets[canon]
                inter = len(a & b)
                jac, cont = inter / max(1, len(a | b)), inter / max(1, min(len(a), len(b)))
            rows.append((k, canon, round(jac, 6), round(cont, 6)))
    return pd.DataFrame(rows, columns=out_cols).sort_values("key", kind="stable").reset_index(drop=True)
