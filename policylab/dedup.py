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
0   a         b    0.942857
"""

from __future__ import annotations

import hashlib
import operator
import re

import numpy as np
import pandas as pd

SHINGLE = 5
NUM_PERM = 128
SCREEN_MARGIN = 0.02  # pairs this close to a threshold on the digests are measured on exact sets
_STRIP = re.compile(r"[\W_]+", re.UNICODE)
_DIGEST = operator.methodcaller("digest")


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Character k-grams of the text with punctuation and white space removed."""
    s = _STRIP.sub("", text)
    if len(s) <= k:
        return {s} if s else set()
    return {s[i : i + k] for i in range(len(s) - k + 1)}


def _sha1_digests(items) -> np.ndarray:
    """SHA-1 digests of each string's UTF-8 bytes, as an ``(n, 20)`` uint8 array (no Python call per item)."""
    digests = b"".join(map(_DIGEST, map(hashlib.sha1, map(str.encode, items))))
    return np.frombuffer(digests, dtype=np.uint8).reshape(-1, 20)


def sha1_hash32_batch(items) -> list[int]:
    """datasketch's ``sha1_hash32`` of each string's UTF-8 bytes, in one pass.

    The first four bytes of each SHA-1 digest read as a little-endian unsigned integer, as
    ``datasketch.hashfunc.sha1_hash32`` gives, without a Python-level call per item.

    >>> from datasketch.hashfunc import sha1_hash32
    >>> sha1_hash32_batch(["人工智能", "产业"]) == [sha1_hash32("人工智能".encode()), sha1_hash32("产业".encode())]
    True
    """
    return _hash32(_sha1_digests(list(items)))


def _hash32(d: np.ndarray) -> list[int]:
    return np.ascontiguousarray(d[:, :4]).view("<u4").ravel().tolist()


def _hash64_set(d: np.ndarray) -> np.ndarray:
    """The shingles' 64-bit digests, sorted and unique: a compact stand-in for the shingle set."""
    return np.unique(np.ascontiguousarray(d[:, :8]).view("<u8").ravel())


def _overlap(a, b) -> tuple[float, float]:
    """(Jaccard, containment) of two shingle sets (Python sets or sorted unique hash arrays)."""
    if isinstance(a, np.ndarray):
        inter = int(np.intersect1d(a, b, assume_unique=True).size)
    else:
        inter = len(a & b)
    return inter / max(1, len(a) + len(b) - inter), inter / max(1, min(len(a), len(b)))


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
    text_of = dict(zip(keys, docs[text]))
    # Memory: a Python set of a page's 5-grams takes about 1 MB, so sets are not kept for every
    # document. Each document keeps its shingles' 64-bit digests instead (sorted, 8 bytes each),
    # which screen the candidate pairs; a pair whose screened similarity comes near a threshold
    # is measured again on the exact shingle sets, so every verdict and every reported figure
    # comes from the exact sets (a 64-bit digest collision would have to happen dozens of times
    # in one pair to change a verdict).
    exact: dict = {}
    digests: dict = {}

    def shingle_set(k):
        if k not in exact:
            exact[k] = shingles(text_of[k])
        return exact[k]

    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=NUM_PERM)
    sigs = {}
    perms = None
    for k in keys:
        sh = shingles(text_of[k])
        if not sh:
            continue
        # datasketch's sha1-based 32-bit hash with a fixed seed: the same text gives the same
        # signature on every machine and under every PYTHONHASHSEED. The hashes are computed in
        # one batch (sha1_hash32_batch) and handed over as integers, and the permutations of the
        # fixed seed are drawn once: both give the signature datasketch computes itself, faster
        if perms is None:
            m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)
            perms, scheme = m.permutations, m.scheme
        else:
            m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int, permutations=perms, scheme=scheme)
        d = _sha1_digests(list(sh))
        m.update_batch(_hash32(d))
        digests[k] = _hash64_set(d)
        sigs[k] = m
        lsh.insert(k, m)

    parent = {k: k for k in keys}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    pair_stats = {}
    screened: set = set()
    for k in keys:
        if k not in sigs:
            continue
        for other in lsh.query(sigs[k]):
            if other == k or (other, k) in pair_stats or (other, k) in screened:
                continue
            jac, cont = _overlap(digests[k], digests[other])
            if jac < threshold - SCREEN_MARGIN and cont < containment - SCREEN_MARGIN:
                screened.add((k, other))
                continue
            jac, cont = _overlap(shingle_set(k), shingle_set(other))
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
                jac, cont = _overlap(shingle_set(k), shingle_set(canon))
            rows.append((k, canon, round(jac, 6), round(cont, 6)))
    return pd.DataFrame(rows, columns=out_cols).sort_values("key", kind="stable").reset_index(drop=True)
