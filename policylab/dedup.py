"""Deduplicate: find near-duplicate clean texts and choose one canonical copy of each document.

Candidates come from MinHash LSH over character 5-gram shingles of the clean text with
punctuation and spaces removed, so the cost grows with the corpus, not with its square: no step
compares every pair. The hashing is vectorised (numpy): a document's shingles are hashed in one
pass over its code points (a polynomial rolling hash, then the splitmix64 finaliser), and its
MinHash signature is a one-permutation MinHash (the smallest hash in each of 128 equal hash ranges,
read off the sorted unique hashes), banded as datasketch bands 128 permutations (25 x 5 for the
default 0.5 threshold). Each candidate pair is then confirmed on its exact shingle sets:
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

import functools
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


_POLY = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the rolling hash
_EMPTY_BIN = np.iinfo(np.uint64).max


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads the rolling hash evenly over 64 bits (wrap-around is meant)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def shingle_hashes(text: str, k: int = SHINGLE) -> np.ndarray:
    """64-bit hashes of the text's :func:`shingles`, sorted and unique (one numpy pass, no Python set).

    Parameters
    ----------
    text : str
    k : int, default 5

    Returns
    -------
    numpy.ndarray of uint64
        One hash per distinct shingle (a collision of two shingles has odds of about 2**-64).

    Examples
    --------
    >>> len(shingle_hashes("人工智能产业,人工智能产业")) == len(shingles("人工智能产业,人工智能产业"))
    True
    >>> shingle_hashes("人工 智能,产业。").tolist() == shingle_hashes("人工智能产业").tolist()
    True
    """
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    cp = cp[_word_chars(cp)].astype(np.uint64)  # what _STRIP keeps, without a regex pass
    if not len(cp):
        return np.zeros(0, dtype=np.uint64)
    width = min(k, len(cp))  # a text shorter than k is one shingle, itself
    n = len(cp) - width + 1
    with np.errstate(over="ignore"):
        h = np.full(n, np.uint64(width))
        for j in range(width):
            h = h * _POLY + cp[j : j + n]
        h = np.sort(_mix64(h))
    return h[_run_starts(h)]


def _run_starts(a: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal values in ``a``."""
    mask = np.empty(len(a), dtype=bool)
    if len(a):
        mask[0] = True
        np.not_equal(a[1:], a[:-1], out=mask[1:])
    return mask


@functools.lru_cache(maxsize=1)
def _bmp_word_table() -> np.ndarray:
    """For each code point below 0x10000: is it a character ``_STRIP`` keeps (``str.isalnum``)?"""
    return np.fromiter((chr(i).isalnum() for i in range(0x10000)), dtype=bool, count=0x10000)


def _word_chars(cp: np.ndarray) -> np.ndarray:
    """Mask of the code points that are letters or digits: ``[\\W_]`` is exactly ``not isalnum()``."""
    table = _bmp_word_table()
    keep = table[np.minimum(cp, 0xFFFF)]
    astral = np.flatnonzero(cp > 0xFFFF)
    if len(astral):
        keep[astral] = [chr(c).isalnum() for c in cp[astral].tolist()]
    return keep


@functools.lru_cache(maxsize=None)
def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """Bands and rows per band for an LSH threshold: datasketch's choice (equal weight on false
    positives and false negatives, integrated over the Jaccard range).

    Parameters
    ----------
    threshold : float
        Jaccard similarity at which a pair should become a candidate.
    num_perm : int, default 128

    Returns
    -------
    tuple of int
        ``(bands, rows)``, ``bands * rows <= num_perm``.

    Examples
    --------
    >>> lsh_bands(0.5)
    (25, 5)
    """
    x_lo, x_hi = np.linspace(0.0, threshold, 401), np.linspace(threshold, 1.0, 401)
    pairs = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    b = np.array([p[0] for p in pairs], dtype=float)[:, None]
    r = np.array([p[1] for p in pairs], dtype=float)[:, None]
    fp = np.trapezoid(1 - (1 - x_lo ** r) ** b, x_lo, axis=1)
    fn = np.trapezoid((1 - x_hi ** r) ** b, x_hi, axis=1)
    return pairs[int(np.argmin(0.5 * fp + 0.5 * fn))]


def _signature(hashes: np.ndarray) -> np.ndarray:
    """One-permutation MinHash: the smallest hash in each of ``NUM_PERM`` equal ranges of 2**64.

    ``hashes`` are sorted, so each range's smallest is the first of its run; an empty range gets
    the largest value (two documents agreeing there only adds candidates, never a verdict).
    """
    sig = np.full(NUM_PERM, _EMPTY_BIN, dtype=np.uint64)
    bins = (hashes >> np.uint64(64 - 7)).astype(np.int64)  # 2**7 = NUM_PERM ranges
    first = _run_starts(bins)
    sig[bins[first]] = hashes[first]
    return sig


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

    Examples
    --------
    >>> import pandas as pd
    >>> plan = "到2025年人工智能核心产业规模超过500亿元,培育100家重点企业。" * 20
    >>> docs = pd.DataFrame({"key": ["a", "b"], "text": [plan, "首页 政策文件 " + plan]})
    >>> find_duplicates(docs)[["key", "canonical", "containment"]].values.tolist()
    [['a', 'b', 1.0]]
    """
    out_cols = ["key", "canonical", "similarity", "containment"]
    if len(docs) < 2:
        return pd.DataFrame(columns=out_cols)
    keys = docs[key].tolist()
    text_of = dict(zip(keys, docs[text]))
    # Memory: a Python set of a page's 5-grams takes about 1 MB, so sets are not kept for every
    # document. Each document keeps its shingles' 64-bit hashes instead (sorted, 8 bytes each),
    # which screen the candidate pairs; a pair whose screened similarity comes near a threshold
    # is measured again on the exact shingle sets, so every verdict and every reported figure
    # comes from the exact sets (a 64-bit hash collision would have to happen dozens of times
    # in one pair to change a verdict).
    exact: dict = {}
    hashes: dict = {}

    def shingle_set(k):
        if k not in exact:
            exact[k] = shingles(text_of[k])
        return exact[k]

    # LSH: documents whose signatures agree on all ``rows`` values of any band are candidates
    bands, rows = lsh_bands(lsh_threshold)
    buckets: list[dict] = [{} for _ in range(bands)]
    band_keys: dict = {}
    for k in keys:
        h = shingle_hashes(text_of[k])
        if not len(h):
            continue
        hashes[k] = h
        sig = _signature(h)
        band_keys[k] = [sig[i * rows:(i + 1) * rows].tobytes() for i in range(bands)]
        for i, bk in enumerate(band_keys[k]):
            buckets[i].setdefault(bk, []).append(k)

    parent = {k: k for k in keys}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    pair_stats = {}
    screened: set = set()
    for k in keys:
        if k not in band_keys:
            continue
        # candidates in a stable order: first-seen over the bands, as keys appear
        candidates = dict.fromkeys(o for i, bk in enumerate(band_keys[k]) for o in buckets[i][bk])
        for other in candidates:
            if other == k or (other, k) in pair_stats or (other, k) in screened:
                continue
            jac, cont = _overlap(hashes[k], hashes[other])
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
