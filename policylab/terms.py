"""Term discovery: multi-token terms the dictionary lacks, for a researcher to review.

Policy vocabulary moves fast (new subsidy forms such as 算力券 and 训力券, new industries, new
人工智能+ compounds every year) and jieba cuts a term it does not know into its parts. This
module counts every run of 2 to ``max_n`` adjacent word tokens and reports, for each candidate:

* ``frequency`` and ``doc_frequency`` -- how often and in how many documents;
* ``pmi`` -- cohesion: the pointwise mutual information of its parts, taken at the weakest split
  (``min over k of log2(p(w) / (p(w[:k]) p(w[k:])))``; probabilities per token position), so a
  term is cohesive only if no cut of it is a chance meeting;
* ``left_entropy`` / ``right_entropy`` -- branching entropy (bits) of the tokens just before and
  after it; a real term stands in many contexts, a fragment of a longer phrase always sees the
  same neighbour. A document or unit edge counts as a neighbour of its own each time;
* ``score = pmi * min(left_entropy, right_entropy)``, the ranking (highest first);
* ``in_longer`` -- the share of its occurrences inside its most frequent longer candidate;
  candidates that are mostly a piece of a longer one are dropped (``max_in_longer``).

A token that is punctuation, a number or a general stopword is never part of a candidate (it
still counts as a neighbour). Terms already in the dictionaries in use are left out.

The table is for review. Either delete the rows that are not terms and give the CSV back as
it is -- ``tokenize(user_dicts=["terms.csv"])`` reads its ``term`` column (the counts are in
``frequency``, never in a jieba ``freq`` column, so they set no frequency) -- or add a ``keep``
column, mark the terms, and write a user dictionary with :func:`write_user_dict` (jieba's
format or the ``domain_dict.csv`` format, ready to be added to the reviewed dictionary).

Examples
--------
>>> docs = ["建设灵犀算网平台,推动灵犀算网发展。", "依托灵犀算网开展服务。", "灵犀算网支撑模型训练。"]
>>> t = discover_terms(docs, min_count=3, min_docs=2, cache=False)
>>> t[["term", "parts", "frequency", "doc_frequency"]].head(1).to_dict("records")
[{'term': '灵犀算网', 'parts': '灵犀 算网', 'frequency': 4, 'doc_frequency': 3}]
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from policylab import schema, segment

__all__ = ["discover_terms", "write_user_dict"]


def _as_tokens(data, text_col: str, doc_col: str, user_dicts, cache) -> tuple[pd.DataFrame, list[str]]:
    """A full token stream (``seq, position, token``) from texts, token lists or a tokens table."""
    if isinstance(data, pd.DataFrame):
        if "token" in data.columns and "position" in data.columns:
            unit = [c for c in data.columns if c not in (doc_col, "position", "token", "pos")]
            keys = [doc_col] + unit[:1]
            seq = data[keys].astype(str).agg("\x1f".join, axis=1) if unit else data[doc_col].astype(str)
            out = pd.DataFrame({"seq": seq.to_numpy(), "doc": data[doc_col].astype(str).to_numpy(),
                                "position": data["position"].astype("int64").to_numpy(),
                                "token": data["token"].astype(str).to_numpy()})
            return out, sorted(set(out["doc"]))
        if text_col not in data.columns or doc_col not in data.columns:
            raise ValueError(f"discover_terms: a DataFrame needs '{doc_col}' and '{text_col}' columns "
                             f"(texts) or 'position' and 'token' (a tokens table); has {list(data.columns)}")
        docs = data[[doc_col, text_col]].rename(columns={doc_col: "doc_id", text_col: "text"})
    else:
        items = list(data)
        if items and not isinstance(items[0], str):  # token lists
            rows = [(f"d{i}", p, str(t)) for i, toks in enumerate(items) for p, t in enumerate(toks)]
            out = pd.DataFrame(rows, columns=["doc", "position", "token"])
            out.insert(0, "seq", out["doc"])
            return out, [f"d{i}" for i in range(len(items))]
        docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(items))], "text": items})
    docs = docs.assign(doc_id=docs["doc_id"].astype(str))
    toks = segment.tokenize(docs, stopwords=False, punctuation=True, numbers="keep",
                            user_dicts=user_dicts, cache=cache, progress=False)
    out = pd.DataFrame({"seq": toks["doc_id"].astype(str).to_numpy(), "doc": toks["doc_id"].astype(str).to_numpy(),
                        "position": toks["position"].astype("int64").to_numpy(),
                        "token": toks["token"].astype(str).to_numpy()})
    return out, list(docs["doc_id"])


def _entropy(keys: pd.DataFrame, cols: list[str], neighbour: np.ndarray) -> pd.Series:
    g = keys.assign(_nb=neighbour).groupby(cols + ["_nb"], sort=False).size()
    counts = g.to_numpy(dtype=float)
    idx = g.index.droplevel("_nb")
    tot = pd.Series(counts, index=idx).groupby(level=list(range(len(cols)))).transform("sum").to_numpy()
    p = counts / tot
    return pd.Series(-p * np.log2(p), index=idx).groupby(level=list(range(len(cols)))).sum()


def discover_terms(
    data,
    *,
    text_col: str = "text",
    doc_col: str = "doc_id",
    max_n: int = 4,
    min_count: int = 5,
    min_docs: int = 2,
    max_in_longer: float = 0.9,
    include_known: bool = False,
    user_dicts: Sequence[str | os.PathLike] = (),
    stopwords: Iterable[str] | None = None,
    top: int | None = None,
    cache: bool | str | os.PathLike = True,
) -> pd.DataFrame:
    """Candidate terms: runs of adjacent tokens that behave like one word, with their statistics.

    Parameters
    ----------
    data : DataFrame, sequence of str, or sequence of token lists
        Documents (a DataFrame with ``doc_col`` and ``text_col``, e.g. ``corpus.documents``, or a
        list of texts), which are segmented with every token kept; or a tokens table from
        ``tokenize`` (``doc_id, [unit], position, token``; tokens it dropped break runs); or
        token lists, one per document.
    text_col, doc_col : str
        Column names for a DataFrame of texts.
    max_n : int, default 4
        Longest candidate, in tokens (at least 2).
    min_count : int, default 5
        Fewest occurrences a candidate needs.
    min_docs : int, default 2
        Fewest documents it must occur in (one city's pet phrase is not yet vocabulary).
    max_in_longer : float, default 0.9
        Drop a candidate when at least this share of its occurrences lie inside one longer
        candidate (灵犀 算 of 灵犀 算 网); 1.0 keeps all but exact pieces, above 1 keeps all.
    include_known : bool, default False
        Keep candidates already in the domain or user dictionaries (column ``known``).
    user_dicts : sequence of paths
        User dictionaries, for segmentation and for what counts as known.
    stopwords : iterable of str, optional
        Tokens that may not be part of a candidate; default: the general stopword list.
    top : int, optional
        Keep only the ``top`` best-ranked candidates.
    cache : bool or path
        Segmentation cache, as for ``tokenize``.

    Returns
    -------
    pandas.DataFrame
        Schema ``term_candidates``: ``term, parts, n_parts, frequency, doc_frequency, pmi,
        left_entropy, right_entropy, score, in_longer, known, rank, example``; one row per
        candidate, ranked by ``score`` (then frequency, then term).

    Examples
    --------
    >>> docs = ["发放训力新券支持企业。", "申领训力新券的企业。", "训力新券按季度发放。", "用好训力新券。"]
    >>> t = discover_terms(docs, min_count=3, cache=False)
    >>> t[["term", "frequency", "doc_frequency", "known"]].head(1).to_dict("records")
    [{'term': '训力新券', 'frequency': 4, 'doc_frequency': 4, 'known': False}]
    >>> bool(t.loc[0, "pmi"] > 0)
    True
    """
    if max_n < 2:
        raise ValueError(f"max_n must be at least 2, got {max_n}")
    stream, _docs = _as_tokens(data, text_col, doc_col, user_dicts, cache)
    stop = segment.load_stopwords() if stopwords is None else frozenset(stopwords)
    known_terms = segment.domain_terms(user_dicts)
    if stream.empty:
        return schema.empty("term_candidates")
    stream = stream.sort_values(["seq", "position"], kind="stable").reset_index(drop=True)
    codes, vocab = pd.factorize(stream["token"])
    vocab = np.asarray(vocab, dtype=object)
    n = len(codes)
    seq = pd.factorize(stream["seq"])[0]
    doc = pd.factorize(stream["doc"])[0]
    pos = stream["position"].to_numpy()
    is_word = np.array([not (segment.is_punctuation(w) or segment.is_number(w) or w in stop) for w in vocab])
    valid = is_word[codes]
    # next[i]: token i+1 directly follows token i in the same run of the text
    follows = np.zeros(n, dtype=bool)
    follows[:-1] = (seq[1:] == seq[:-1]) & (pos[1:] == pos[:-1] + 1)
    unique_edge = -(np.arange(n, dtype=np.int64) + 1)  # an edge is a neighbour of its own each time
    left_nb = np.where(np.r_[False, follows[:-1]], np.r_[-1, codes[:-1]], unique_edge)

    def ngram_starts(k: int) -> np.ndarray:
        # tokens i..i+k-1 are all words and each follows the one before
        ok = valid.copy()
        for j in range(1, k):
            link = np.zeros(n, dtype=bool)
            link[: n - j] = follows[j - 1: n - 1] & valid[j:]
            ok &= link
        return np.flatnonzero(ok)

    def keys(starts: np.ndarray, k: int) -> pd.DataFrame:
        return pd.DataFrame({f"t{j}": codes[starts + j] for j in range(k)})

    counts: dict[int, pd.Series] = {}
    frames = {}
    for k in range(1, max_n + 1):
        s = ngram_starts(k)
        kk = keys(s, k)
        frames[k] = (s, kk)
        cols = list(kk.columns)
        counts[k] = kk.groupby(cols, sort=False).size() if len(kk) else pd.Series(dtype="int64")
    total = float(len(frames[1][0])) or 1.0

    rows = []
    for k in range(2, max_n + 1):
        s, kk = frames[k]
        if not len(s):
            continue
        cols = list(kk.columns)
        c = counts[k]
        c = c[c >= min_count]
        if c.empty:
            continue
        cand_mask = pd.MultiIndex.from_frame(kk).isin(c.index)
        s_c, kk_c = s[cand_mask], kk[cand_mask].reset_index(drop=True)
        dfreq = kk_c.assign(_d=doc[s_c]).groupby(cols, sort=False)["_d"].nunique()
        c = c[dfreq.reindex(c.index).to_numpy() >= min_docs]
        if c.empty:
            continue
        keep = pd.MultiIndex.from_frame(kk_c).isin(c.index)
        s_c, kk_c = s_c[keep], kk_c[keep].reset_index(drop=True)
        end = s_c + k - 1
        right_nb = np.where(follows[end], codes[np.minimum(end + 1, n - 1)], unique_edge[end])
        h_left = _entropy(kk_c, cols, left_nb[s_c])
        h_right = _entropy(kk_c, cols, right_nb)
        first = kk_c.assign(_s=s_c).groupby(cols, sort=False)["_s"].min()
        idx = c.index
        arr = np.array(idx.tolist(), dtype=np.int64).reshape(len(idx), k)
        pmi = np.full(len(idx), np.inf)
        for split in range(1, k):
            a = arr[:, :split]
            b = arr[:, split:]
            fa = counts[split].reindex(pd.MultiIndex.from_arrays(a.T) if split > 1 else a[:, 0]).to_numpy(float)
            fb = counts[k - split].reindex(pd.MultiIndex.from_arrays(b.T) if k - split > 1 else b[:, 0]).to_numpy(float)
            pmi = np.minimum(pmi, np.log2(c.to_numpy(float) * total / (fa * fb)))
        for r, key in enumerate(idx):
            parts = [vocab[x] for x in arr[r]]
            i0 = int(first.loc[key])
            lo, hi = max(0, i0 - 4), min(n, i0 + k + 4)
            ctx = [vocab[codes[x]] for x in range(lo, hi) if seq[x] == seq[i0]]
            rows.append({
                "term": "".join(parts), "parts": " ".join(parts), "n_parts": k, "_key": tuple(arr[r]),
                "frequency": int(c.iloc[r]), "doc_frequency": int(dfreq.loc[key]),
                "pmi": float(pmi[r]), "left_entropy": float(h_left.loc[key]),
                "right_entropy": float(h_right.loc[key]),
                "example": "".join(ctx),
            })
    if not rows:
        return schema.empty("term_candidates")
    out = pd.DataFrame(rows)
    # share of a candidate's occurrences inside its most frequent one-token-longer candidate
    freq_of = dict(zip(out["_key"], out["frequency"]))
    longest = {}
    for key, f in freq_of.items():
        for sub in (key[:-1], key[1:]):
            if len(sub) >= 2 and sub in freq_of:
                longest[sub] = max(longest.get(sub, 0), f)
    out["in_longer"] = [longest.get(key, 0) / f for key, f in zip(out["_key"], out["frequency"])]
    out["known"] = out["term"].isin(known_terms)
    out = out[out["in_longer"] < max_in_longer]
    if not include_known:
        out = out[~out["known"]]
    out["score"] = out["pmi"] * np.minimum(out["left_entropy"], out["right_entropy"])
    out = out.sort_values(["score", "frequency", "term"], ascending=[False, False, True], kind="stable")
    out = out.drop(columns="_key").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    if top is not None:
        out = out.head(top)
    return schema.conform("term_candidates", out)


_YES = {"1", "y", "yes", "true", "x", "keep", "是", "保留"}


def write_user_dict(candidates: pd.DataFrame, path: str | os.PathLike, *, format: str | None = None,
                    pos: str = "n", source: str = "term discovery (policylab terms)") -> Path:
    """Write reviewed candidates as a user dictionary for ``tokenize(user_dicts=[...])``.

    Parameters
    ----------
    candidates : pandas.DataFrame
        Rows with a ``term`` column (e.g. :func:`discover_terms` output after review). If it has
        a ``keep`` column, only rows marked yes (``1``, ``y``, ``yes``, ``true``, ``x``, ``是``)
        are written.
    path : path
        Output file.
    format : {'jieba', 'csv'}, optional
        ``'jieba'``: one ``term pos`` per line (no frequency: policylab then gives the term a
        frequency high enough to stay whole without demoting anything). ``'csv'``: the
        ``domain_dict.csv`` columns ``term,pos,freq,source``. Default: by the file suffix
        (``.csv`` -> csv, else jieba).
    pos : str, default 'n'
        Part-of-speech tag written for every term.
    source : str
        The ``source`` cell of the CSV format.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from policylab.segment import read_dictionary
    >>> rev = pd.DataFrame({"term": ["训力新券", "推动发展"], "keep": ["yes", ""]})
    >>> d = tempfile.mkdtemp()
    >>> p = write_user_dict(rev, os.path.join(d, "user.txt"))
    >>> p.read_text(encoding="utf-8")
    '训力新券 n\\n'
    >>> read_dictionary(write_user_dict(rev, os.path.join(d, "user.csv")))["term"].tolist()
    ['训力新券']
    """
    if "term" not in candidates.columns:
        raise ValueError("write_user_dict: candidates need a 'term' column")
    rows = candidates
    if "keep" in rows.columns:
        mark = rows["keep"].map(lambda v: str(v).strip().lower() in _YES if not pd.isna(v) else False)
        rows = rows[mark.astype(bool)]
    terms = [str(t).strip() for t in rows["term"] if str(t).strip()]
    terms = list(dict.fromkeys(terms))  # once each, in table order
    path = Path(path)
    fmt = format or ("csv" if path.suffix.lower() == ".csv" else "jieba")
    if fmt not in ("jieba", "csv"):
        raise ValueError(f"format must be 'jieba' or 'csv', got {fmt!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "jieba":
        bad = [t for t in terms if any(ch.isspace() for ch in t)]
        if bad:
            raise ValueError(f"jieba's format cannot hold terms with spaces: {bad}")
        path.write_text("".join(f"{t} {pos}\n" for t in terms), encoding="utf-8")
    else:
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["term", "pos", "freq", "source"])
            for t in terms:
                w.writerow([t, pos, "", source])
    return path
