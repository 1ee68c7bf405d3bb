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
_SAMPLE_BELOW = np.uint64(1 << 62)  # a sketch's sample: the hashes in the lowest quarter of the range
SAMPLE_Z = 8.0  # standard errors of margin before a pair is dropped on the samples
SAMPLE_MIN = 64  # a smaller sample never drops a pair: the full hashes decide
_STRIP = re.compile(r"[\W_]+", re.UNICODE)
_DIGEST = operator.methodcaller("digest")


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Character k-grams of the text with punctuation and white space removed."""
    s = _STRIP.sub("", text)
    if len(s) <= k:
        return {s} if s else set()
    return {s[i : i + k] for i in range(len(s) - k + 1)}


def shingle_array(text: str, k: int = SHINGLE) -> np.ndarray:
    """The :func:`shingles` of the text as a sorted array of their code points: the same set, exact,
    in a twentieth of the memory of a Python set of strings.

    Each shingle is ``k`` UTF-32 code units (a shorter text's one shingle is padded with U+0000,
    which :func:`shingles` never keeps), viewed as one ``k * 4``-byte item.

    Parameters
    ----------
    text : str
    k : int, default 5

    Returns
    -------
    numpy.ndarray
        Sorted, unique items of dtype ``V{4k}``.

    Examples
    --------
    >>> text = "人工智能产业,人工智能产业集群"
    >>> a = shingle_array(text)
    >>> len(a) == len(shingles(text)), sorted(x.tobytes().decode("utf-32-le") for x in a) == sorted(shingles(text))
    (True, True)
    """
    s = _STRIP.sub("", text)
    cp = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)
    if len(cp) <= k:
        cp = np.concatenate([cp, np.zeros(k - len(cp), dtype=np.uint32)]) if len(cp) else cp
        windows = cp.reshape(-1, k)
    else:
        windows = np.lib.stride_tricks.sliding_window_view(cp, k)
    return np.unique(np.ascontiguousarray(windows).view(f"V{4 * k}").ravel())


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
    # numpy's isalnum ufunc applies CPython's own Unicode test (a test compares it with str.isalnum);
    # the code points are read as one-character strings in place (no 65k Python strings: 25 ms)
    return np.strings.isalnum(np.arange(0x10000, dtype=np.uint32).view("<U1"))


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


def sketch(text: str) -> tuple[bytes, bytes] | None:
    """What :func:`find_duplicates` needs of a text besides the text: its signature and a sample.

    Computed where the text is (a worker process that has just cleaned the page), it lets the
    process that gathers the corpus band the documents and screen the candidate pairs without
    hashing every text again: the signature is 1 KB, the sample (the shingle hashes in the lowest
    quarter of the hash range: the same quarter for every text, so two texts' samples overlap
    as their shingle sets do) about a quarter of the 8 bytes per shingle that all the hashes take.

    Parameters
    ----------
    text : str
        A clean text.

    Returns
    -------
    tuple of bytes, or None
        ``(signature, sample)``: the MinHash signature (``NUM_PERM`` unsigned 64-bit values) and
        the sampled hashes (sorted unsigned 64-bit values); None for a text with no shingle.

    Examples
    --------
    >>> sig, sample = sketch("到2025年人工智能核心产业规模超过500亿元。" * 10)
    >>> len(sig), len(sample) % 8, sketch("。,"), sketch("到2025年 人工智能") == sketch("到2025年人工智能")
    (1024, 0, None, True)
    """
    h = shingle_hashes(text)
    if not len(h):
        return None
    return _signature(h).tobytes(), h[h < _SAMPLE_BELOW].tobytes()


def _candidate_pairs(sketches: list, lsh_threshold: float) -> list[tuple[int, int]]:
    """LSH: the pairs ``(i, j)``, ``i < j``, whose signatures agree on every row of some band.

    Sorted, so the pairs are checked in the same order whatever the input's history. Texts
    without a sketch (no shingle) are in no pair.
    """
    have = [i for i, sk in enumerate(sketches) if sk is not None]
    if len(have) < 2:
        return []
    sig = np.frombuffer(b"".join(sketches[i][0] for i in have), dtype=np.uint64).reshape(len(have), NUM_PERM)
    idx = np.asarray(have)
    bands, rows = lsh_bands(lsh_threshold)
    pairs: set[tuple[int, int]] = set()
    for b in range(bands):
        block = np.ascontiguousarray(sig[:, b * rows:(b + 1) * rows]).view(f"V{rows * 8}").ravel()
        order = np.argsort(block, kind="stable")
        same = block[order][1:] == block[order][:-1]
        if not same.any():
            continue
        # runs of equal band values: each run is a bucket of two or more documents
        starts = np.flatnonzero(np.concatenate([[True], ~same]))
        ends = np.append(starts[1:], len(order))
        for a, e in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
            members = sorted(idx[order[a:e]].tolist())
            pairs.update((x, y) for n, x in enumerate(members) for y in members[n + 1:])
    return sorted(pairs)


def _screened_on_samples(a: np.ndarray, b: np.ndarray, threshold: float, containment: float) -> bool:
    """True when two texts' samples show, beyond doubt, that neither threshold can be reached.

    Each shingle is in the sample with probability 1/4, independently of the texts, so the
    sampled overlap estimates the full one with a standard error of at most 0.5 / sqrt(n) (n the
    sampled union, or the shorter text's sample, for containment). A pair is dropped only when
    even ``SAMPLE_Z`` standard errors above the estimate lie below the screen: the chance that a
    pair at a threshold is dropped is below 1e-15 (and a pair with a small sample is never dropped).
    """
    inter = _n_common(a, b)
    union, shorter = len(a) + len(b) - inter, min(len(a), len(b))
    if shorter < SAMPLE_MIN:
        return False
    jac_hi = inter / union + SAMPLE_Z * 0.5 / union ** 0.5
    cont_hi = inter / shorter + SAMPLE_Z * 0.5 / shorter ** 0.5
    return jac_hi < threshold - SCREEN_MARGIN and cont_hi < containment - SCREEN_MARGIN


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


def _n_common(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sorted unique arrays share (a binary search of the shorter in the longer)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return 0
    at = np.searchsorted(b, a)
    at[at == len(b)] = 0
    return int(np.count_nonzero(b[at] == a))


def _overlap(a, b) -> tuple[float, float]:
    """(Jaccard, containment) of two shingle sets (Python sets, sorted unique hash arrays, or
    :func:`shingle_array` arrays)."""
    if isinstance(a, np.ndarray) and a.dtype.kind == "u":
        inter = _n_common(a, b)
    elif isinstance(a, np.ndarray):
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
        and optionally ``script`` ('simplified' preferred), ``noise`` (lines removed plus
        artefacts repaired; lower preferred) and ``sketch`` (:func:`sketch` of the text,
        computed beforehand: then texts are hashed here only for pairs the samples cannot rule out).
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
    # plain Python strings: an object column gives back the caller's own objects, an Arrow one new copies
    text_of = dict(zip(keys, docs[text].tolist()))
    # Three screens, cheapest first. (1) The pair's samples (a quarter of the shingle hashes; see
    # sketch) drop a pair only when it is far below both thresholds (_screened_on_samples).
    # (2) The full 64-bit shingle hashes (8 bytes a shingle) screen what is left. (3) A pair
    # whose screened similarity comes near a threshold is measured on the exact shingles
    # (shingle_array), so every verdict and every reported figure comes from the exact sets (a
    # 64-bit hash collision would have to happen dozens of times in one pair to change a verdict).
    if "sketch" in docs.columns:  # computed where the pages were cleaned
        sketches = dict(zip(keys, docs["sketch"].tolist()))
    else:
        sketches = {k: sketch(text_of[k]) for k in keys}

    # bounded: a document's full hashes and exact shingles are needed only for its few pairs
    # that the samples cannot rule out
    @functools.lru_cache(maxsize=512)
    def shingle_set(k):
        return shingle_array(text_of[k])

    @functools.lru_cache(maxsize=512)
    def hashes_of(k):
        return shingle_hashes(text_of[k])

    parent = {k: k for k in keys}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    pair_stats = {}
    for i, j in _candidate_pairs([sketches[k] for k in keys], lsh_threshold):
        k, other = keys[i], keys[j]
        if _screened_on_samples(np.frombuffer(sketches[k][1], dtype=np.uint64),
                                np.frombuffer(sketches[other][1], dtype=np.uint64), threshold, containment):
            continue
        jac, cont = _overlap(hashes_of(k), hashes_of(other))
        if jac < threshold - SCREEN_MARGIN and cont < containment - SCREEN_MARGIN:
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
