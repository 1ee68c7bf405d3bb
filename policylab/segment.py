"""Chinese word segmentation: text rows -> a long tokens table (``tokenize``).

Engines. jieba 0.42.1 is the reference implementation. The default engine is ``rjieba`` (the
Python binding of jieba-rs, about six times faster) when it is importable: policylab splits each
line into blocks with jieba's own regexes, hands each block to rjieba, and re-splits the one kind
of token where jieba-rs and jieba differ -- a run without Han characters that is not a dictionary
word (``2020-04-22``, ``5G-V2X``, ``www.0798ci.com``), which jieba's HMM step cuts with its
``[a-zA-Z0-9]+(?:\\.\\d+)?%?`` rule and jieba-rs leaves whole. With that, rjieba's tokens are
identical to jieba's on the seeds, the crafted pages and the benchmark corpora (the tests compare
them). ``jieba_fast`` (a C port) and ``jieba`` remain selectable; ``pos=True`` or ``hmm=False`` use
them (rjieba's tagger and its no-HMM cut are not checked against jieba's). One segmenter per
dictionary set is built per process (before worker processes are forked), with

* the engine's built-in dictionary: jieba-rs's holds the same lines as jieba 0.42.1's
  ``dict.txt`` (checked on rjieba 0.2.2 / jieba-rs 0.11.0; jieba's file lists ``B超`` twice, so
  its total is 3 higher). For jieba and jieba_fast, a ``Tokenizer`` whose prefix-dictionary
  cache is written inside the project cache (``<cache root>/jieba/``), never to the shared file
  jieba puts in the system temp folder; the rjieba engine builds no jieba tokenizer at all;
* the packaged domain dictionary ``resources/domain_dict.csv`` (reviewed AI-policy terms, each with
  its source), then any user dictionaries, in order.

Dictionary frequencies. In jieba 0.42.1 a frequency given in a user dictionary *replaces* the
built-in one, so a careless value can demote a common word. A term whose ``freq`` cell is empty
gets ``max(built-in frequency, jieba's suggest_freq(term), MIN_TERM_FREQ)``: never lower than
jieba already had, high enough that the whole term beats any split of it. A researcher may
still set an explicit ``freq`` (0 forbids the term as one token). For the rjieba engine the
frequencies are computed by :func:`term_frequencies` -- jieba's own arithmetic on jieba's
``dict.txt``, without building jieba's tokenizer (1.3 s and ~100 MB saved per process) -- and
tests check they equal what jieba's tokenizer computes, so both engines see the same
dictionary. The dictionary holds
*lexicalised* terms (先导区, 揭榜挂帅, 专精特新, 城市大脑); compositional phrases such as
人工智能产业 or 新一代人工智能 are left to split so that the head term (人工智能) is counted
the same way in every document.

What a token stream is. Text is NFKC-normalised (full-width forms -> half-width, so raw pages and
clean text segment alike) and cut line by line (a token never spans a paragraph). Whitespace is
not a token. Every other token -- punctuation, numbers, stopwords -- gets a ``position`` (0-based
within its unit) and is cached; the options of :func:`tokenize` then *drop rows* without
renumbering, so positions keep the true distance between the tokens that remain (KWIC and
co-occurrence windows rely on it) and changing a stopword option never re-segments.

Numbers rule. A token is a number when it is made only of ASCII digits with ``. , % + - ~ / :``
(2025, 3.5, 15%, 2018-2020) or only of Chinese numeral characters (二十, 一, 两, 万, 亿).
``numbers="drop"`` (default) removes them -- quantities are the business of ``policylab.targets``
and would otherwise top every keyword list -- unless the token is a dictionary term (十四五).
``numbers="keep"`` keeps them as tokens.

Adding your own files. ``user_dicts=`` takes jieba-format files (``word [freq] [tag]``) or CSV
files with a header containing ``term`` (and optionally ``pos``, ``freq``); ``user_stopwords=``
takes text files with one word per line (``#`` starts a comment). The environment variables
``POLICYLAB_USER_DICTS`` and ``POLICYLAB_USER_STOPWORDS`` (paths separated by ``os.pathsep``) add
files for every call, e.g. from a project's ``.env``.

Length: about 1700 lines, of which some 600 are docstrings and examples and some 900 code. One job
holds most of it: segmenting text into the tokens table -- engine choice, the :class:`Segmenter`
with its domain lexicon and compound repairs (per text and, for rjieba, in Arrow over a chunk:
:meth:`Segmenter.segment_many`), the parallel run over chunks, and :func:`tokenize` (about 300
lines). Three parts are separate jobs: jieba's dictionary arithmetic without its tokenizer
(:func:`term_frequencies` and ``_JiebaFrequencies``, about 250 lines, a candidate for a module of
its own), the word-list readers (:func:`read_dictionary`,
:func:`read_wordlist`, :func:`load_stopwords` and kin, about 90 lines) and the token filters
(:func:`is_number`, :func:`is_punctuation`, :func:`token_filter`, :func:`drop_mask`, about 90
lines), which :mod:`policylab.tokens` and :mod:`policylab.terms` use too. A later change should move
both to a module below this one (e.g. ``policylab.wordlists``, between ``compounds`` and ``segment``
in the layer order).

Examples
--------
>>> import pandas as pd
>>> from policylab.segment import tokenize
>>> docs = pd.DataFrame({"doc_id": ["d1"], "text": ["建立人工智能产业创新任务揭榜挂帅制度,建设智算中心。"]})
>>> tokenize(docs, cache=False)["token"].tolist()
['建立', '人工智能', '产业', '创新', '任务', '揭榜挂帅', '制度', '建设', '智算中心']
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from policylab import cache as _cache
from policylab import compounds, schema
from policylab import resources
from policylab.store import dist_version

# bump when a change here alters the cached token streams (normalisation, line handling, ...)
SEGMENT_VERSION = 2  # 2: known compounds re-cut leftmost-longest (compounds.repair)
ENGINES = ("rjieba", "jieba_fast", "jieba")
DOMAIN_DICT = "domain_dict.csv"
STOPWORDS_GENERAL = "stopwords_zh.txt"
STOPWORDS_POLICY = "stopwords_policy.txt"
ENV_USER_DICTS = "POLICYLAB_USER_DICTS"
ENV_USER_STOPWORDS = "POLICYLAB_USER_STOPWORDS"
MIN_TERM_FREQ = 100
# below this many characters to segment, processes cost more than they save
PARALLEL_MIN_CHARS = 400_000
PROGRESS_MIN_CHARS = 1_000_000
# texts are segmented in chunks of about this many characters: only one chunk's tokens are ever
# Python strings; the rest of the stream is held in Arrow arrays
CHUNK_CHARS = 1_000_000
TABLE_ROW_GROUP = 1 << 18
# the whole-table cache entry is read back whole, never filtered by row group: column statistics
# (min/max of every string page) and compression cost half its encoding time and save it nothing
# (dictionary-encoded tokens shrink by <10% under snappy)
TABLE_PARQUET = {"write_statistics": False, "compression": "none"}
# tokens filtered at a time as the chunks come in: the last batch is what is left to filter once
# the workers are done, so it is kept small
FILTER_TOKENS = 1 << 17
# jieba's Han range for a block, and the rule its HMM step cuts a non-Han run with
_HAN_CHAR_RE = re.compile("[\u4E00-\u9FD5]")
_HMM_SKIP_RE = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
# characters jieba-rs treats otherwise than jieba's block regexes: Han beyond U+4E00-U+9FD5 (its
# range is wider) and U+001C-U+001F (white space to Python, not to Rust)
_RJIEBA_SLOW_RE = re.compile("[\x1c-\x1f\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# jieba 0.42.1's block regexes (``jieba.re_han_default``, ``re_skip_default``) and its ``re_eng``,
# copied so that the rjieba path never imports jieba (its import loads the HMM tables, ~0.25 s);
# a test checks they are jieba's
_RE_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_RE_SKIP = re.compile("(\r\n|\\s)", re.U)
_RE_ENG = re.compile("[a-zA-Z0-9]", re.U)

_NUMERIC_RE = re.compile(
    r"^(?:[0-9.,%+\-~/:]*[0-9][0-9.,%+\-~/:]*"
    r"|[零〇一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟]+)$"
)

_LAST_STATS: dict = {}


# ---------------------------------------------------------------------------------------------
# dictionaries and stopwords (data files)


def _env_paths(var: str) -> list[str]:
    return [p for p in os.environ.get(var, "").split(os.pathsep) if p.strip()]


def read_dictionary(path: str | os.PathLike) -> pd.DataFrame:
    """Read a dictionary file into ``term, pos, freq`` (nullable).

    A ``.csv`` file needs a header with ``term`` (``pos``/``tag`` and ``freq`` optional, other
    columns such as ``source`` are ignored); any other file is jieba's format, one
    ``word [freq] [tag]`` per line (``#`` comments allowed).

    Examples
    --------
    >>> from policylab import resources
    >>> d = read_dictionary(resources.path("domain_dict.csv"))
    >>> "揭榜挂帅" in set(d["term"])
    True
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    rows = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if "term" not in (reader.fieldnames or []):
            raise ValueError(f"dictionary {path}: a CSV dictionary needs a 'term' column")
        for r in reader:
            term = (r.get("term") or "").strip()
            if not term or term.startswith("#"):
                continue
            pos = (r.get("pos") or r.get("tag") or "").strip() or None
            freq = (r.get("freq") or "").strip()
            rows.append((term, pos, int(freq) if freq else None))
    else:
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            term, freq, pos = parts[0], None, None
            for extra in parts[1:3]:
                if extra.isdigit() and freq is None:
                    freq = int(extra)
                else:
                    pos = extra
            rows.append((term, pos, freq))
    return pd.DataFrame(rows, columns=["term", "pos", "freq"]).astype(
        {"term": "string", "pos": "string", "freq": "Int64"}
    )


def read_wordlist(path: str | os.PathLike) -> list[str]:
    """Words of a one-word-per-line file (UTF-8; ``#`` comments and blank lines skipped)."""
    words = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        w = line.strip()
        if w and not w.startswith("#"):
            words.append(unicodedata.normalize("NFKC", w))
    return words


def stopword_files(stopwords: bool = True, boilerplate: bool = False,
                   user_stopwords: Sequence[str | os.PathLike] = ()) -> list[Path]:
    """The stopword files a call uses, in order (packaged lists, arguments, then the env var)."""
    files = []
    if stopwords:
        files.append(resources.path(STOPWORDS_GENERAL))
    if boilerplate:
        files.append(resources.path(STOPWORDS_POLICY))
    files += [Path(p) for p in [*user_stopwords, *_env_paths(ENV_USER_STOPWORDS)]]
    return files


def load_stopwords(stopwords: bool = True, boilerplate: bool = False,
                   user_stopwords: Sequence[str | os.PathLike] = (),
                   extra_stopwords: Iterable[str] = ()) -> frozenset[str]:
    """The stopword set: general list, optional policy boilerplate, user files and extra words.

    Examples
    --------
    >>> sw = load_stopwords(boilerplate=True)
    >>> "的" in sw, "加快" in sw, "人工智能" in sw
    (True, True, False)
    """
    words = set(unicodedata.normalize("NFKC", w) for w in extra_stopwords)
    for f in stopword_files(stopwords, boilerplate, user_stopwords):
        words.update(read_wordlist(f))
    return frozenset(words)


def dictionary_files(user_dicts: Sequence[str | os.PathLike] = ()) -> list[Path]:
    """Dictionary files a call uses: the domain dictionary, then ``user_dicts``, then the env var."""
    return [resources.path(DOMAIN_DICT)] + [Path(p).resolve() for p in [*user_dicts, *_env_paths(ENV_USER_DICTS)]]


def domain_terms(user_dicts: Sequence[str | os.PathLike] = ()) -> frozenset[str]:
    """All terms of the dictionaries in use (exempt from the numbers rule)."""
    terms = set()
    for f in dictionary_files(user_dicts):
        terms.update(unicodedata.normalize("NFKC", t) for t in read_dictionary(f)["term"])
    return frozenset(terms)


# ---------------------------------------------------------------------------------------------
# the segmenter


@dataclass(frozen=True)
class _Config:
    engine: str  # 'jieba_fast' or 'jieba'
    dict_files: tuple[str, ...]
    hmm: bool
    pos: bool
    jieba_dir: str  # where jieba's prefix-dictionary cache goes


def _rjieba_module():
    """rjieba's extension module (its ``Jieba`` class).

    The ``rjieba`` package's ``__init__`` builds a default ``Jieba`` -- jieba-rs's whole
    dictionary, ~0.2 CPU s and ~25 MB -- that policylab never uses (it builds its own, with the
    domain dictionary). So, unless the package is imported already, its extension module is
    loaded alone (and registered as ``rjieba.rjieba``, so a later ``import rjieba`` reuses it);
    any surprise in the package's layout falls back to the plain import.
    """
    import sys

    mod = sys.modules.get("rjieba.rjieba") or sys.modules.get("rjieba")
    if mod is not None:
        return mod
    try:
        import importlib.machinery
        import importlib.util

        spec = importlib.util.find_spec("rjieba")
        folder = Path(next(iter(spec.submodule_search_locations)))
        ext = next(p for p in sorted(folder.iterdir()) if p.name.startswith("rjieba.")
                   and any(p.name.endswith(sfx) for sfx in importlib.machinery.EXTENSION_SUFFIXES))
        loader = importlib.machinery.ExtensionFileLoader("rjieba.rjieba", str(ext))
        mod = importlib.util.module_from_spec(importlib.util.spec_from_file_location("rjieba.rjieba", str(ext), loader=loader))
        loader.exec_module(mod)
        sys.modules["rjieba.rjieba"] = mod
        mod.Jieba  # noqa: B018 - the class must be there
        return mod
    except Exception:  # not installed (the import below says so), or another layout of the package
        import rjieba

        return rjieba


def _engine_module(engine: str):
    if engine == "rjieba":
        mod = _rjieba_module()
    elif engine == "jieba_fast":
        import jieba_fast as mod
    elif engine == "jieba":
        import jieba as mod
    else:
        raise ValueError(f"engine must be 'auto', 'rjieba', 'jieba_fast' or 'jieba', got {engine!r}")
    logging.getLogger(mod.__name__).setLevel(logging.WARNING)
    return mod


def resolve_engine(engine: str = "auto", hmm: bool = True, pos: bool = False) -> str:
    """The engine a call uses.

    Parameters
    ----------
    engine : {'auto', 'rjieba', 'jieba_fast', 'jieba'}
        'auto': rjieba when importable (plain cut with HMM), else jieba_fast (with HMM: its
        no-HMM path differs from jieba's), else jieba.
    hmm, pos : bool
        The options of the call; rjieba serves only the plain cut with HMM.

    Returns
    -------
    str
        One of :data:`ENGINES`.

    Examples
    --------
    >>> resolve_engine("jieba")
    'jieba'
    >>> resolve_engine("auto", hmm=False)
    'jieba'
    """
    if engine != "auto":
        _engine_module(engine)
        if engine == "rjieba" and (pos or not hmm):
            raise ValueError("engine='rjieba' serves the plain cut with HMM only; "
                             "use engine='jieba' (or 'auto') with pos=True or hmm=False")
        return engine
    candidates = (["rjieba"] if hmm and not pos else []) + (["jieba_fast"] if hmm else [])
    for name in candidates:
        try:
            _engine_module(name)
            return name
        except ImportError:
            pass
    return "jieba"


@functools.lru_cache(maxsize=None)
def engine_version(engine: str) -> str:
    found = dist_version(engine)
    if found is None:  # pragma: no cover - installed without metadata
        return getattr(_engine_module(engine), "__version__", "unknown")
    return found


def _add_term(tk, term: str, freq: int | None, pos: str | None) -> int:
    if freq is None:
        # never below the built-in frequency (a user freq REPLACES it in jieba 0.42.1), and high
        # enough that the whole term beats any split of it
        freq = max(tk.FREQ.get(term, 0) or 0, tk.suggest_freq(term, False), MIN_TERM_FREQ)
    tk.add_word(term, freq, pos)
    return freq


def _load_dictionary(tk, path) -> list[tuple[str, int, str | None]]:
    """Add a dictionary file's terms to ``tk``; the ``(term, freq, pos)`` actually added, in order."""
    d = read_dictionary(path)
    added = []
    for term, pos, freq in zip(d["term"], d["pos"], d["freq"]):
        term, pos = unicodedata.normalize("NFKC", term), None if pd.isna(pos) else str(pos)
        added.append((term, _add_term(tk, term, None if pd.isna(freq) else int(freq), pos), pos))
    return added


def _jieba_dict_file() -> Path:
    """jieba's built-in dictionary (``dict.txt``), found without importing jieba."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the rjieba engine needs jieba installed (its dict.txt gives the frequencies)")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


def _read_jieba_dict(path: Path) -> tuple[list[str], list[str], int]:
    """Words, frequencies (as text) and total of a jieba dictionary file, as jieba 0.42.1 reads it.

    ``total`` is the sum over every line (a word listed twice counts twice, as in jieba's
    ``gen_pfdict``); for a repeated word the last line's frequency wins (zip into a dict).
    """
    text = path.read_text(encoding="utf-8")
    parts = text.split()
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if len(parts) == 3 * n_lines:  # every line is ``word freq tag``: one split, no per-line loop
        words, freqs = parts[0::3], parts[1::3]
    else:  # jieba's own per-line reading (``word freq`` lines, a missing tag)
        words, freqs = [], []
        for line in text.splitlines():
            line = line.strip()
            if line:
                w, f = line.split(" ")[:2]
                words.append(w)
                freqs.append(f)
    return words, freqs, sum(map(int, freqs))


def _jieba_dict_arrow(path: Path):
    """``(words, freqs, total)`` of jieba's ``dict.txt`` as Arrow arrays, parsed in C (~0.04 s, where
    splitting and ``int()`` in Python take ~0.25 s); None when a line is not ``word freq tag``
    with single spaces (then :func:`_read_jieba_dict` reads it as jieba does)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pv

    try:
        table = pv.read_csv(
            path,
            read_options=pv.ReadOptions(column_names=["word", "freq", "tag"], use_threads=False),
            parse_options=pv.ParseOptions(delimiter=" ", quote_char=False, escape_char=False,
                                          ignore_empty_lines=True),
            convert_options=pv.ConvertOptions(column_types={"word": pa.string(), "freq": pa.int64(),
                                                            "tag": pa.string()},
                                              strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    words, freqs = table["word"].combine_chunks(), table["freq"].combine_chunks()
    if words.null_count or freqs.null_count or pc.any(pc.equal(pc.utf8_length(words), 0)).as_py():
        return None
    return words, freqs, int(pc.sum(freqs).as_py() or 0)


class _JiebaFrequencies:
    """jieba 0.42.1's ``FREQ``/``total`` and its ``suggest_freq``/``add_word``, for the words that matter.

    Adding dictionary terms only ever looks up substrings of the terms (jieba's ``get_DAG`` and
    the pieces its no-HMM cut gives), so only those are read from jieba's ``dict.txt``: its
    frequency when it is a word, and whether it is the proper prefix of a word (jieba's prefix
    dictionary holds such a string with frequency 0, which ``suggest_freq`` multiplies by). The
    result is jieba's own arithmetic on jieba's own numbers, without building its prefix
    dictionary (``Tokenizer.initialize``: ~1.3 s and ~100 MB). A test compares the frequencies
    with jieba's tokenizer for the domain dictionary and for user dictionaries.
    """

    def __init__(self, terms: Iterable[str], dict_file: Path | None = None):
        import bisect

        subs = {t[i:j] for t in terms for i in range(len(t)) for j in range(i + 1, len(t) + 1)}
        path = dict_file or _jieba_dict_file()
        parsed = _jieba_dict_arrow(path)
        if parsed is not None:
            import pyarrow as pa
            import pyarrow.compute as pc

            words, freqs, self.total = parsed
            hit = pc.is_in(words, value_set=pa.array(list(subs), type=pa.string()))
            # in file order, so the last line of a repeated word wins, as in jieba
            self.freq = dict(zip(words.filter(hit).to_pylist(), freqs.filter(hit).to_pylist()))
            # only a word opening with a term's character can have a substring of a term as its
            # prefix: those few are made Python strings for the search below, not all 350k
            firsts = pa.array(sorted({p[0] for p in subs if p not in self.freq}), type=pa.string())
            words = words.filter(pc.is_in(pc.utf8_slice_codeunits(words, 0, 1), value_set=firsts)).to_pylist()
        else:
            words, freqs, self.total = _read_jieba_dict(path)
            self.freq = {w: int(f) for w, f in zip(words, freqs) if w in subs}
        ordered = sorted(words)
        self.prefixes = set()  # substrings that begin a longer word without being one
        for p in subs:
            if p in self.freq:
                continue
            k = bisect.bisect_right(ordered, p)
            if k < len(ordered) and ordered[k].startswith(p):
                self.prefixes.add(p)

    def get(self, word: str, default=None):
        """jieba's ``FREQ.get(word, default)``: 0 for a mere prefix."""
        if word in self.freq:
            return self.freq[word]
        return 0 if word in self.prefixes else default

    def _cut_dag_no_hmm(self, sentence: str):
        # jieba's get_DAG + calc + __cut_DAG_NO_HMM; every fragment is a substring of a term, so
        # ``self.freq``/``self.prefixes`` answer what ``frag in FREQ`` and ``FREQ[frag]`` would
        from math import log

        n = len(sentence)
        dag = {}
        for k in range(n):
            found = []
            i = k
            frag = sentence[k]
            while i < n and (frag in self.freq or frag in self.prefixes):
                if self.freq.get(frag):
                    found.append(i)
                i += 1
                frag = sentence[k:i + 1]
            dag[k] = found or [k]
        route = {n: (0, 0)}
        logtotal = log(self.total)
        for idx in range(n - 1, -1, -1):
            route[idx] = max((log(self.freq.get(sentence[idx:x + 1]) or 1) - logtotal + route[x + 1][0], x)
                             for x in dag[idx])
        x, buf = 0, ""
        while x < n:
            y = route[x][1] + 1
            word = sentence[x:y]
            if _RE_ENG.match(word) and len(word) == 1:
                buf += word
            else:
                if buf:
                    yield buf
                    buf = ""
                yield word
            x = y
        if buf:
            yield buf

    def cut_no_hmm(self, sentence: str):
        """jieba's ``Tokenizer.cut(sentence, HMM=False)``."""
        for blk in _RE_HAN.split(sentence):
            if not blk:
                continue
            if _RE_HAN.match(blk):
                yield from self._cut_dag_no_hmm(blk)
            else:
                for x in _RE_SKIP.split(blk):
                    if _RE_SKIP.match(x):
                        yield x
                    else:
                        yield from x

    def suggest_freq(self, word: str, tune: bool = False) -> int:
        """jieba's ``suggest_freq(word, tune=False)``."""
        ftotal = float(self.total)
        freq = 1
        for seg in self.cut_no_hmm(word):
            freq *= self.get(seg, 1) / ftotal
        return max(int(freq * self.total) + 1, self.get(word, 1))

    def add_word(self, word: str, freq: int, tag=None) -> None:
        """jieba's ``add_word`` (the frequency given): the word, the total, the word's prefixes."""
        self.freq[word] = freq
        self.total += freq
        self.prefixes.update(word[:k] for k in range(1, len(word)))

    @property
    def FREQ(self):  # noqa: N802 - the name _add_term reads on a jieba Tokenizer
        return self


def term_frequencies(dict_files: Sequence[str | os.PathLike]) -> list[tuple[str, int, str | None]]:
    """The ``(term, freq, pos)`` each dictionary file adds, in order, as jieba 0.42.1 computes them.

    A term without a ``freq`` gets ``max(built-in frequency, jieba's suggest_freq(term),
    MIN_TERM_FREQ)`` on jieba's built-in dictionary plus the terms added before it (see the module
    docstring); the rjieba engine is given exactly these. Computed from jieba's ``dict.txt``
    without building jieba's tokenizer.

    Parameters
    ----------
    dict_files : sequence of paths
        Dictionary files (the domain dictionary first, as :func:`dictionary_files` lists them).

    Returns
    -------
    list of (str, int, str or None)

    Examples
    --------
    >>> added = dict((t, f) for t, f, _ in term_frequencies(dictionary_files()))
    >>> added["揭榜挂帅"] >= MIN_TERM_FREQ
    True
    """
    shipped = _shipped_frequencies(tuple(str(f) for f in dict_files))
    if shipped is not None:
        return list(shipped)
    return _compute_term_frequencies(dict_files)


def _compute_term_frequencies(dict_files: Sequence[str | os.PathLike]) -> list[tuple[str, int, str | None]]:
    tables = [read_dictionary(f) for f in dict_files]
    rows = [(unicodedata.normalize("NFKC", term), None if pd.isna(pos) else str(pos),
             None if pd.isna(freq) else int(freq))
            for d in tables for term, pos, freq in zip(d["term"], d["pos"], d["freq"])]
    model = _JiebaFrequencies({t for t, _, _ in rows})
    return [(term, _add_term(model, term, freq, pos), pos) for term, pos, freq in rows]


# :func:`term_frequencies` of the domain dictionary alone, written by
# :func:`write_domain_frequencies` (a test fails when it is out of date): reading jieba's dict.txt
# for them costs ~0.2 s, at the start of every cold ``tokenize`` with the rjieba engine
DOMAIN_FREQUENCIES = "domain_dict_frequencies.csv"


@functools.lru_cache(maxsize=1)
def _jieba_dict_sha256() -> str:
    return _cache.sha256_files([_jieba_dict_file()])


def _frequencies_header(domain_file: Path) -> str:
    return (f"# generated by policylab.segment.write_domain_frequencies: do not edit; "
            f"domain_dict_sha256={_cache.sha256_files([domain_file])} "
            f"jieba_dict_sha256={_jieba_dict_sha256()} min_term_freq={MIN_TERM_FREQ}")


@functools.lru_cache(maxsize=8)
def _shipped_frequencies(dict_files: tuple[str, ...]) -> tuple | None:
    """The shipped :data:`DOMAIN_FREQUENCIES`, when ``dict_files`` is the domain dictionary alone and
    the file was made from this very dictionary, jieba's ``dict.txt`` and :data:`MIN_TERM_FREQ`
    (the first line records their sha256); else None, and the frequencies are computed."""
    if len(dict_files) != 1:
        return None
    try:
        shipped = resources.path(DOMAIN_FREQUENCIES)
        with open(shipped, encoding="utf-8") as f:
            header = f.readline().rstrip("\n")
            if header != _frequencies_header(Path(dict_files[0])):
                return None
            table = pd.read_csv(f, dtype={"term": str, "freq": "int64", "pos": str}, keep_default_na=False)
    except (OSError, ImportError, ValueError):
        return None
    return tuple((t, int(n), p or None) for t, n, p in zip(table["term"], table["freq"], table["pos"]))


def write_domain_frequencies(path: str | os.PathLike | None = None) -> Path:
    """Write :data:`DOMAIN_FREQUENCIES`: :func:`term_frequencies` of the domain dictionary, computed.

    Run it after editing ``domain_dict.csv`` (or upgrading jieba): until then the frequencies are
    computed at every cold start, and ``tests/test_segment.py`` says the file is out of date.

    Parameters
    ----------
    path : path, optional
        Where to write (default: the package's resource file).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> out = write_domain_frequencies(Path(tempfile.mkdtemp()) / "f.csv")
    >>> out.read_text(encoding="utf-8").splitlines()[1]
    'term,freq,pos'
    """
    domain = resources.path(DOMAIN_DICT)
    rows = _compute_term_frequencies([domain])
    out = Path(path) if path is not None else resources.ROOT / DOMAIN_FREQUENCIES
    table = pd.DataFrame(rows, columns=["term", "freq", "pos"])
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(_frequencies_header(domain) + "\n")
        table.to_csv(f, index=False, lineterminator="\n")
    _shipped_frequencies.cache_clear()
    return out


class _RjiebaWords:
    """The words of an rjieba segmenter's dictionary: jieba-rs's built-in one (the same lines as
    jieba 0.42.1's ``dict.txt``) plus the added terms.

    ``word in words`` is jieba's ``FREQ.get(word) > 0``, answered by rjieba's ``has_word`` and
    the added terms' frequencies (a term added with frequency 0 is no word). ``words[word]`` /
    ``words.get(word)`` give the frequency itself; for a built-in word that reads jieba's
    ``dict.txt`` once (only audits ask for it).
    """

    def __init__(self, rj, added):
        self._has_word = rj.has_word
        self.added = {t: f for t, f, _ in added}

    def __contains__(self, word) -> bool:
        f = self.added.get(word)
        if f is not None:
            return f > 0
        return isinstance(word, str) and bool(word) and self._has_word(word)

    def get(self, word, default=None):
        if word in self.added:
            return self.added[word]
        return _builtin_freq().get(word, default)

    def __getitem__(self, word):
        f = self.get(word)
        if f is None:
            raise KeyError(word)
        return f


@functools.lru_cache(maxsize=1)
def _builtin_freq() -> dict:
    words, freqs, _ = _read_jieba_dict(_jieba_dict_file())
    return {w: int(f) for w, f in zip(words, freqs)}


@dataclass
class _RjiebaDictionary:
    """What a jieba ``Tokenizer`` offered the code around an rjieba segmenter: ``FREQ`` (the words,
    see :class:`_RjiebaWords`) and ``policylab_added``."""

    FREQ: _RjiebaWords  # noqa: N815
    policylab_added: list


_BASE_TOKENIZERS: dict = {}


def _base_tokenizer(engine: str, domain_file: str, jieba_dir: str):
    """jieba's dictionary plus the domain dictionary, loaded once per process.

    The tokenizer carries ``policylab_added``: the ``(term, freq, pos)`` given to it, in order, so
    another engine can be handed exactly the same dictionary.
    """
    # keyed by the cache folder too: a tokenizer made for another project cache must not point there
    key = (engine, _cache.sha256_files([domain_file]), jieba_dir)
    tk = _BASE_TOKENIZERS.get(key)
    if tk is None:
        mod = _engine_module(engine)
        tk = mod.Tokenizer()
        os.makedirs(jieba_dir, exist_ok=True)
        tk.tmp_dir = jieba_dir
        tk.cache_file = f"{engine}-{engine_version(engine)}.prefix.cache"
        tk.initialize()
        tk.policylab_added = _load_dictionary(tk, domain_file)
        _BASE_TOKENIZERS[key] = tk
    return tk


def _clone_tokenizer(engine: str, base):
    tk = _engine_module(engine).Tokenizer()
    tk.FREQ = dict(base.FREQ)
    tk.total = base.total
    tk.user_word_tag_tab = dict(base.user_word_tag_tab)
    tk.tmp_dir, tk.cache_file = base.tmp_dir, base.cache_file
    tk.initialized = True
    tk.policylab_added = list(base.policylab_added)
    return tk


_RJIEBA_TERMS: dict = {}


def _rjieba_terms(dict_files: tuple[str, ...]) -> list[tuple[str, int, str | None]]:
    """:func:`term_frequencies` of ``dict_files``, once per process and set of file contents."""
    key = _cache.sha256_files(dict_files)
    if key not in _RJIEBA_TERMS:
        _RJIEBA_TERMS[key] = term_frequencies(dict_files)
    return _RJIEBA_TERMS[key]


# an ``rjieba.Jieba`` built ahead by a worker process (:func:`_build_spare_engine`), for its
# first :func:`_rjieba_for`; empty in a process that did not build one
_SPARE_ENGINES: list = []


def _build_spare_engine() -> None:
    """Pool initializer: build jieba-rs's built-in dictionary (~0.15 s) in the worker, at once.

    :func:`_run_segmentation` starts the workers before the parent has read the term
    frequencies, so the two loads overlap instead of running one after the other.
    """
    _SPARE_ENGINES.append(_engine_module("rjieba").Jieba())


def _rjieba_for(added) -> object:
    """An ``rjieba.Jieba`` with jieba-rs's built-in dictionary plus ``added`` (term, freq, pos).

    The frequencies are jieba's (:func:`term_frequencies`); rjieba gets the same values in the
    same order as jieba's tokenizer would.
    """
    rj = _SPARE_ENGINES.pop() if _SPARE_ENGINES else _engine_module("rjieba").Jieba()
    for term, freq, pos in added:
        rj.add_word(term, int(freq), pos)
    return rj


class Segmenter:
    """One jieba ``Tokenizer`` with the dictionaries loaded; cuts text into tokens (and POS tags).

    Built once per process and dictionary set (see :func:`get_segmenter`), before worker
    processes are forked, so children inherit the loaded dictionary.
    """

    def __init__(self, config: _Config):
        self.config = config
        self.rj = None
        self.postk = None
        # jieba 0.42.1's block regexes, for every engine: jieba_fast 0.53 splits blocks with an
        # older regex (no '-'); the same regexes keep the engines' output identical
        self._re_han = _RE_HAN
        self._re_skip = _RE_SKIP
        if config.engine == "rjieba":
            # no jieba tokenizer: the frequencies come from jieba's dict.txt (term_frequencies),
            # and the word checks from rjieba's own dictionary, which holds the same lines
            added = _rjieba_terms(config.dict_files)
            self.rj = _rjieba_for(added)
            self.tk = _RjiebaDictionary(_RjiebaWords(self.rj, added), list(added))
            self._cut_block = self._cut_block_rjieba
            return
        domain, *user = config.dict_files
        base = _base_tokenizer(config.engine, domain, config.jieba_dir)
        if user:  # a copy of the loaded base, so the domain dictionary is not re-read
            tk = _clone_tokenizer(config.engine, base)
            for f in user:
                tk.policylab_added += _load_dictionary(tk, f)
        else:
            tk = base
        self.tk = tk
        self._cut_block = tk._Tokenizer__cut_DAG if config.hmm else tk._Tokenizer__cut_DAG_NO_HMM
        if config.pos:
            import jieba.posseg

            self.postk = jieba.posseg.POSTokenizer(tk)

    @property
    def added(self) -> list[tuple[str, int, str | None]]:
        """The ``(term, freq, pos)`` this segmenter's dictionaries added, in order."""
        return self.tk.policylab_added

    @property
    def vocabulary(self):
        """The dictionary's words (``word in vocabulary``: jieba's ``FREQ.get(word) > 0``)."""
        return self.tk.FREQ

    def _cut_text_rjieba(self, text: str) -> list[str]:
        """A whole text in one rjieba call, where that gives what the line-and-block path gives.

        jieba-rs splits blocks as jieba does, at white space, with the same characters inside a
        block, except that its Han range is wider and its white space lacks U+001C-U+001F: texts
        with such characters take the line-and-block path (``_RJIEBA_SLOW_RE``). Blocks never span
        white space, so one call over the text equals one call per block of every line.
        """
        words = self.tk.FREQ
        out: list[str] = []
        for w in self.rj.cut(text, True):
            if w.isascii() and not w.isalnum():  # white space, punctuation, or a non-Han run
                if w.isspace():
                    continue
                if len(w) > 1 and w not in words:  # see _cut_block_rjieba
                    out.extend(x for x in _HMM_SKIP_RE.split(w) if x)
                    continue
            elif not w.strip():
                continue
            out.append(w)
        return out

    def _cut_block_rjieba(self, blk: str):
        words = self.tk.FREQ
        for w in self.rj.cut(blk, True):
            # jieba's HMM step cuts a run without Han characters that is not a dictionary word by
            # its [a-zA-Z0-9]+(.digits)?%? rule (2020-04-22 -> 2020 / - / 04 / - / 22); jieba-rs
            # leaves the run whole. Re-split it the way jieba does.
            if len(w) > 1 and w not in words and not _HAN_CHAR_RE.search(w):
                yield from (x for x in _HMM_SKIP_RE.split(w) if x)
            else:
                yield w

    def _cut_line(self, line: str):
        for blk in self._re_han.split(line):
            if not blk:
                continue
            if self._re_han.match(blk):
                yield from self._cut_block(blk)
            else:
                for x in self._re_skip.split(blk):
                    if self._re_skip.match(x):
                        yield x
                    else:
                        yield from x

    def segment_many(self, texts: Sequence[str]):
        """:meth:`segment` of many texts, in Arrow: ``(lengths, tokens, tags)``.

        The tokens of text ``i`` are ``tokens[sum(lengths[:i]):][:lengths[i]]``; ``tags`` is None
        unless POS tags are configured. The same tokens as :meth:`segment` (tests compare them);
        with the rjieba engine, the work around the engine's own cut is done once per *distinct*
        token and in Arrow, not once per token in Python (:meth:`_segment_many_rjieba`).

        Examples
        --------
        >>> lengths, tokens, _ = get_segmenter().segment_many(["建设人工智能计算中心", "", "算力券"])
        >>> lengths.tolist(), tokens.to_pylist()
        ([3, 0, 1], ['建设', '人工智能', '计算中心', '算力券'])
        """
        import pyarrow as pa

        if self.rj is not None:
            return self._segment_many_rjieba(texts)
        lengths, flat = [], []
        flat_tags: list[str] | None = [] if self.postk is not None else None
        for text in texts:
            toks, tags = self.segment(text)
            lengths.append(len(toks))
            flat.extend(toks)
            if flat_tags is not None:
                flat_tags.extend(tags)
        return (np.asarray(lengths, dtype=np.int64), pa.array(flat, type=pa.large_string()),
                None if flat_tags is None else pa.array(flat_tags, type=pa.large_string()))

    def _pieces(self, w: str) -> list[str]:
        """What :meth:`_cut_text_rjieba` makes of one token of rjieba's cut."""
        if w.isascii() and not w.isalnum():  # white space, punctuation, or a non-Han run
            if w.isspace():
                return []
            if len(w) > 1 and w not in self.tk.FREQ:  # see _cut_block_rjieba
                return [x for x in _HMM_SKIP_RE.split(w) if x]
        elif not w.strip():
            return []
        return [w]

    def _segment_many_rjieba(self, texts: Sequence[str]):
        """The rjieba engine's :meth:`segment_many`.

        1. Each text is cut in one rjieba call (texts with characters jieba-rs reads otherwise take
           :meth:`segment`'s line path), all tokens go into one Arrow array.
        2. The rule of :meth:`_cut_text_rjieba` (drop white space, re-split a non-Han run that is no
           word) is applied to each distinct token once; a gather index builds the result.
        3. The compound repair (:meth:`post_pass`): the places where a crossing term may start are
           found in Arrow (a token that begins a term, grown by the next token's first character,
           still begins or is a term: ``compounds._starts``'s test, vectorised); only the tokens
           just after them are read as Python strings, for :func:`policylab.compounds.edits`, and
           the edits are spliced in.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        n = len(texts)
        norm = [unicodedata.normalize("NFKC", t) for t in texts]
        slow = {i for i, t in enumerate(norm) if _RJIEBA_SLOW_RE.search(t)}
        raw_len = np.zeros(n, dtype=np.int64)
        flat: list[str] = []
        cut = self.rj.cut
        for i, t in enumerate(norm):
            if i not in slow:
                toks = cut(t, True)
                raw_len[i] = len(toks)
                flat += toks
        del norm
        raw = pa.array(flat, type=pa.large_string())
        del flat
        # step 2: per distinct token, its pieces ([] for white space); then a gather index
        enc = pc.dictionary_encode(raw)
        distinct = enc.dictionary.to_pylist()
        pieces = [self._pieces(w) for w in distinct]
        counts = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        piece_values = [x for p in pieces for x in p]
        first_piece = np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else counts
        idx = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        del enc, raw
        c = counts[idx]
        gather = np.repeat(first_piece[idx], c)
        if len(gather) and (counts > 1).any():  # a split token: its pieces in order
            gather += np.arange(len(gather)) - np.repeat(np.cumsum(c) - c, c)
        tokens = pa.array(piece_values, type=pa.large_string()).take(pa.array(gather))
        cum = np.concatenate([[0], np.cumsum(c)])
        ends_raw = np.cumsum(raw_len)
        lengths = cum[ends_raw] - cum[ends_raw - raw_len]
        del idx, c, cum
        # step 3: the compound repair (its per-token tests asked once per distinct piece)
        tokens, lengths = self._repair_many(tokens, lengths, codes=gather, values=piece_values)
        del gather
        if slow:  # splice in the texts cut line by line
            ends = np.cumsum(lengths)
            parts = []
            for i in range(n):
                if i in slow:
                    toks = self.segment(texts[i])[0]
                    lengths[i] = len(toks)
                    parts.append(pa.array(toks, type=pa.large_string()))
                elif lengths[i]:
                    parts.append(tokens.slice(int(ends[i] - lengths[i]), int(lengths[i])))
            tokens = pa.concat_arrays(parts) if parts else pa.array([], type=pa.large_string())
        return lengths, tokens, None

    def _repair_many(self, tokens, lengths, codes, values):
        """:meth:`post_pass` over many texts' tokens back to back (Arrow); (tokens, lengths).

        ``tokens[i] == values[codes[i]]`` (the distinct pieces of :meth:`_segment_many_rjieba`), so
        the first two tests of a start -- does the token begin a term; does it, grown by the next
        token's first character, still -- are asked once per distinct token or pair of (token,
        character), not once per token.
        """
        import pyarrow as pa

        lex = for_segmenter(self)
        if len(tokens) < 2 or not lex.prefixes:
            return tokens, lengths
        ends = np.cumsum(lengths)
        begins = np.fromiter((v in lex.prefixes for v in values), dtype=bool, count=len(values))
        is_prefix = begins[codes]
        is_prefix[ends[lengths > 0] - 1] = False  # a text's last token starts nothing
        cand = np.flatnonzero(is_prefix)
        if not len(cand):
            return tokens, lengths
        # (token, next token's first character) as one integer: each distinct pair asked once
        first_char = np.fromiter((ord(v[0]) for v in values), dtype=np.int64, count=len(values))
        pair = codes[cand].astype(np.int64) * 0x110000 + first_char[codes[cand + 1]]
        uniq, inverse = np.unique(pair, return_inverse=True)
        grows = np.fromiter((values[u // 0x110000] + chr(u % 0x110000) in lex._grows for u in uniq.tolist()),
                            dtype=bool, count=len(uniq))
        starts = cand[grows[inverse.ravel()]]
        starts = _crossing_starts(tokens, ends, starts, lex)
        if not len(starts):
            return tokens, lengths
        # the tokens a re-cut can read: a window of max_len + 2 after each start (a term runs over
        # at most max_len tokens), read from Arrow in one call, keyed by their index in ``tokens``
        text_of = np.searchsorted(ends, starts, side="right")
        window = starts[:, None] + np.arange(lex.max_len + 2)
        marked = np.zeros(len(tokens), dtype=bool)
        marked[window[window < ends[text_of][:, None]]] = True
        window = np.flatnonzero(marked)
        del marked
        near = dict(zip(window.tolist(), tokens.take(pa.array(window)).to_pylist()))
        extra: list[str] = []
        pieces = []  # index arrays into tokens (kept runs) and extra (+ len(tokens))
        prev = 0
        n_tok = len(tokens)
        lengths = lengths.copy()
        bounds = np.flatnonzero(np.diff(text_of)) + 1
        for group in np.split(np.arange(len(starts)), bounds):
            t = int(text_of[group[0]])
            end = int(ends[t])
            try:
                found = compounds.edits(near, lex, starts[group].tolist(), n=end)
            except KeyError:  # a chain of re-cuts ran past the window: read the whole text
                a = end - int(lengths[t])
                near.update(zip(range(a, end), tokens.slice(a, end - a).to_pylist()))
                found = compounds.edits(near, lex, starts[group].tolist(), n=end)
            for first, stop, new, _ in found:
                pieces.append(np.arange(prev, first))
                pieces.append(np.arange(n_tok + len(extra), n_tok + len(extra) + len(new)))
                extra.extend(new)
                prev = stop
                lengths[t] += len(new) - (stop - first)
        if not extra:
            return tokens, lengths
        pieces.append(np.arange(prev, n_tok))
        both = pa.concat_arrays([tokens, pa.array(extra, type=pa.large_string())])
        return both.take(pa.array(np.concatenate(pieces))), lengths

    def segment(self, text: str, repair: bool = True) -> tuple[list[str], list[str] | None]:
        """Tokens (and POS tags if configured) of ``text``: NFKC, line by line, no whitespace tokens.

        ``repair=False`` skips :meth:`post_pass` (the engine's own cut, for audits of the repair).
        """
        text = unicodedata.normalize("NFKC", text)
        if self.rj is not None and not _RJIEBA_SLOW_RE.search(text):
            toks = self._cut_text_rjieba(text)
            return (self.post_pass(toks) if repair else toks), None
        tokens: list[str] = []
        tags: list[str] | None = [] if self.postk is not None else None
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            if self.postk is not None:
                for pair in self.postk.cut(line, HMM=self.config.hmm):
                    if pair.word.strip():
                        tokens.append(pair.word)
                        tags.append(pair.flag)
            else:
                tokens.extend(w for w in self._cut_line(line) if w.strip())
        if not repair:
            return tokens, tags
        if tags is None:
            return self.post_pass(tokens), None
        return compounds.repair_tagged(tokens, tags, for_segmenter(self))

    def post_pass(self, tokens: list[str]) -> list[str]:
        """The one pass over a whole document's tokens (plain cut, every engine): known compounds.

        A reviewed domain term that the segmenter cut apart is re-cut leftmost-longest
        (:func:`policylab.compounds.repair`, with this segmenter's dictionaries and vocabulary:
        :func:`for_segmenter`), so 人工 / 智能终端 becomes 人工智能 / 终端. It sees one document's
        full token list (whitespace already dropped), before the cache entry is written, in the
        main process and in the worker processes alike.

        Parameters
        ----------
        tokens : list of str
            One document's tokens, in order.

        Returns
        -------
        list of str
            The document's tokens after the pass (they spell the same characters).

        Examples
        --------
        >>> get_segmenter().post_pass(["人工", "智能终端"])
        ['人工智能', '终端']
        """
        return compounds.repair(tokens, for_segmenter(self))


@functools.lru_cache(maxsize=8)
def _domain_lexicon(files: tuple[str, ...], stamps: tuple) -> compounds.Lexicon:
    terms, pos = set(), {}
    for f in files:
        d = read_dictionary(f)
        for t, p, fq in zip(d["term"], d["pos"], d["freq"]):
            if not pd.isna(fq) and int(fq) == 0:
                continue  # freq 0 takes a word out of the dictionary (jieba's rule): never formed
            t = unicodedata.normalize("NFKC", str(t))
            terms.add(t)
            if not pd.isna(p):  # None, NaN or pd.NA: a line without a tag (jieba format allows it)
                pos.setdefault(t, str(p))
    return compounds.Lexicon(terms, pos)


def domain_lexicon(user_dicts: Sequence[str | os.PathLike] = ()) -> compounds.Lexicon:
    """The :class:`policylab.compounds.Lexicon` of the dictionaries a :func:`policylab.segment.tokenize` call uses.

    Memoised per set of files (and their modification times), so every document of a build
    shares one.

    Parameters
    ----------
    user_dicts : sequence of paths
        User dictionaries, as for ``tokenize`` (``$POLICYLAB_USER_DICTS`` is added too).

    Returns
    -------
    policylab.compounds.Lexicon

    Examples
    --------
    >>> lex = domain_lexicon()
    >>> "智能终端" in lex and "人工智能" in lex
    True
    """
    files = tuple(str(p) for p in dictionary_files(user_dicts))
    stamps = tuple(os.stat(f).st_mtime_ns for f in files)
    return _domain_lexicon(files, stamps)


def for_segmenter(segmenter) -> compounds.Lexicon:
    """The :class:`policylab.compounds.Lexicon` for a :class:`policylab.segment.Segmenter`: its dictionary files'
    terms, and its jieba word frequencies as the vocabulary (so a cut must leave a word).

    Built once per segmenter and kept on it (attribute ``compounds_lexicon``); this is what the
    segmenter's token hook should call, once per process, before documents are cut.

    Parameters
    ----------
    segmenter : policylab.segment.Segmenter

    Returns
    -------
    policylab.compounds.Lexicon

    Examples
    --------
    >>> seg = get_segmenter()
    >>> lex = for_segmenter(seg)
    >>> lex(seg.segment("建设人工智能计算中心")[0])
    ['建设', '人工智能', '计算中心']
    >>> lex(["数字", "人机协同"])  # 数字人 would leave 机协同, no word
    ['数字', '人机协同']
    """
    lex = getattr(segmenter, "compounds_lexicon", None)
    if lex is None:
        base = _domain_lexicon(tuple(segmenter.config.dict_files),
                               tuple(os.stat(f).st_mtime_ns for f in segmenter.config.dict_files))
        lex = compounds.Lexicon(base.terms, base.pos, vocabulary=segmenter.tk.FREQ)
        try:
            segmenter.compounds_lexicon = lex
        except AttributeError:  # pragma: no cover - a segmenter with __slots__
            pass
    return lex



def _lexicon_terms(lex: compounds.Lexicon):
    """A lexicon's terms as an Arrow array (made once per lexicon), for :func:`_crossing_starts`."""
    terms = getattr(lex, "_policylab_terms", None)
    if terms is None:
        import pyarrow as pa

        terms = lex._policylab_terms = pa.array(sorted(lex.terms), type=pa.large_string())
    return terms


def _crossing_starts(tokens, ends, starts: np.ndarray, lex: compounds.Lexicon) -> np.ndarray:
    """The ``starts`` (indices into ``tokens``) where a term does run on from the token: a term is a
    prefix, longer than the token, of the characters from the token to the end of its text.

    That is what a re-cut at a start needs first (:func:`policylab.compounds.edits` finds its
    terms among exactly these prefixes, and a start where it finds none edits nothing and moves
    nothing on), so dropping the other starts gives the same edits: at 10 MB about four in five
    starts go, tested in Arrow instead of one by one in Python. ``ends``: each text's end in
    ``tokens`` (cumulative lengths).

    Examples
    --------
    >>> import pyarrow as pa
    >>> lex = compounds.Lexicon(["人工智能", "智能终端"])
    >>> toks = pa.array(["人工", "智能终端", "人工", "智慧"], type=pa.large_string())
    >>> _crossing_starts(toks, np.array([4]), np.array([0, 2]), lex).tolist()
    [0]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(starts) or lex.max_len < 2:
        return starts[:0]
    empty = pa.scalar("", type=pa.large_string())
    end_of = ends[np.searchsorted(ends, starts, side="right")]
    run = tokens.take(pa.array(starts))
    head_len = pc.utf8_length(run).to_numpy(zero_copy_only=False)
    # the text from each start on, max_len characters of it (every token holds one or more)
    for k in range(1, lex.max_len):
        at = starts + k
        inside = at < end_of
        if not inside.any():
            break
        nxt = pc.if_else(pa.array(inside), tokens.take(pa.array(np.where(inside, at, 0))), empty)
        run = pc.binary_join_element_wise(run, nxt, empty)
    terms = _lexicon_terms(lex)
    keep = np.zeros(len(starts), dtype=bool)
    for n in range(2, lex.max_len + 1):
        keep |= (n > head_len) & pc.is_in(pc.utf8_slice_codeunits(run, 0, n),
                                          value_set=terms).to_numpy(zero_copy_only=False)
    return starts[keep]


_SEGMENTERS: dict[str, Segmenter] = {}


def _fingerprint(config: _Config) -> str:
    return _cache.make_key(
        "segmenter", SEGMENT_VERSION, config.engine, engine_version(config.engine),
        _cache.sha256_files(config.dict_files), config.hmm, config.pos,
    )


def get_segmenter(user_dicts: Sequence[str | os.PathLike] = (), *, hmm: bool = True, pos: bool = False,
                  engine: str = "auto", cache_dir: str | os.PathLike | None = None) -> Segmenter:
    """The (process-wide, memoised) :class:`Segmenter` for a dictionary set and options."""
    config = _make_config(user_dicts, hmm, pos, engine, cache_dir)
    return _segmenter_for(config, _fingerprint(config))


def _make_config(user_dicts, hmm, pos, engine, cache_dir) -> _Config:
    files = tuple(str(p) for p in dictionary_files(user_dicts))
    for f in files:
        if not Path(f).is_file():
            raise FileNotFoundError(f"dictionary file not found: {f}")
    jieba_dir = str(_cache.cache_root(cache_dir) / "jieba")
    return _Config(resolve_engine(engine, hmm, pos), files, bool(hmm), bool(pos), jieba_dir)


def _segmenter_for(config: _Config, fingerprint: str) -> Segmenter:
    key = (fingerprint, config.jieba_dir)  # one per project cache: its prefix cache lives there
    seg = _SEGMENTERS.get(key)
    if seg is None:
        seg = _SEGMENTERS[key] = Segmenter(config)
    return seg


def _segment_chunk(config: _Config, fingerprint: str, texts: list[str], keys: list[str] | None = None,
                   cache_dir: str | os.PathLike | None = None, added: list | None = None):
    """Segment a chunk of texts (in a worker, the segmenter is inherited when forked).

    The chunk's streams are written to the token cache as one file (when ``keys`` are given) and
    come back in Arrow: ``(lengths, tokens, tags)``, so only this chunk's tokens are ever Python
    strings. ``added`` (rjieba engine): the terms' frequencies the parent read, for a worker
    started before the parent had a segmenter to hand down.
    """
    if added is not None:
        _RJIEBA_TERMS.setdefault(_cache.sha256_files(config.dict_files), added)
    seg = _segmenter_for(config, fingerprint)
    lengths, tokens, tags = seg.segment_many(texts)
    if keys is not None:
        _cache.StreamStore("tokens", cache_dir).put(keys, lengths, tokens, tags)
    return lengths, tokens, tags


def _spells(tokens, text: str) -> bool:
    """A cached stream must spell its text: every non-space character of the NFKC text, in order.

    Catches an entry that is well-formed but altered (or written for another text), at the cost of
    one join per document -- far below the cost of segmenting it again. (``str.split()`` splits at
    exactly the characters ``str.isspace`` calls white space, the ones the segmenter drops.)
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array([0, len(tokens)], type=pa.int64()), tokens),
                            pa.scalar("", type=pa.large_string()))
    return joined[0].as_py() == "".join(unicodedata.normalize("NFKC", text).split())


def _n_workers(n_jobs: int | None, n_chars: int, n_texts: int) -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    if n_jobs is None:
        n = cpus if n_chars >= PARALLEL_MIN_CHARS else 1
    elif n_jobs < 0:
        n = max(1, cpus + 1 + n_jobs)
    else:
        n = max(1, n_jobs)
    return max(1, min(n, n_texts))


def _chunk_bounds(sizes: Sequence[int], workers: int) -> list[int]:
    """Contiguous chunks of at most about ``CHUNK_CHARS`` characters; over processes, largest first.

    One process: chunks of ``CHUNK_CHARS``. Over ``workers`` processes each chunk takes
    ``1 / (2 workers)`` of the characters left (at least ``1 / (16 workers)`` of all, or
    ``CHUNK_CHARS / 8``), so the processes run out of work together and the last chunk, which this
    process still has to filter after every worker is done, is small.

    Examples
    --------
    >>> _chunk_bounds([100] * 40, 1)
    [0, 40]
    >>> _chunk_bounds([100] * 40, 2)
    [0, 10, 18, 24, 28, 31, 34, 36, 38, 40]
    """
    n = len(sizes)
    total = int(np.sum(sizes)) if n else 0
    if n <= 1 or total <= 0:
        return [0, n]
    cum = np.cumsum(sizes)
    if workers <= 1:
        n_chunks = min(n, -(-total // CHUNK_CHARS))
        if n_chunks <= 1:
            return [0, n]
        cuts = np.searchsorted(cum, np.linspace(0, cum[-1], n_chunks + 1)[1:-1], side="right")
        return [0, *sorted(set(int(c) for c in cuts) - {0, n}), n]
    floor = max(1, min(CHUNK_CHARS // 8, total // (16 * workers)))
    bounds, done = [0], 0
    while bounds[-1] < n:
        want = min(CHUNK_CHARS, max(floor, -(-(total - done) // (2 * workers))))
        # the first text that ends at or past done + want closes the chunk (at least one text)
        end = max(bounds[-1] + 1, min(n, int(np.searchsorted(cum, done + want, side="left")) + 1))
        bounds.append(end)
        done = int(cum[end - 1])
    return bounds


class _NoBar:
    """What :func:`_run_segmentation` needs of a tqdm bar, when none is shown."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _start_pool(seg_config, fingerprint, workers: int):
    """Start the worker processes of a segmentation: ``(executor, early, workers)``.

    A process that has no segmenter yet, cutting with rjieba over forked workers, does not build
    one (``early``): each worker builds jieba-rs's dictionary (the initializer) at once, while this
    process goes on (hashing the texts, reading the terms' frequencies, which the chunks then
    carry). Otherwise the segmenter is built here once, before forking, and the workers inherit it.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    early = (ctx is not None and seg_config.engine == "rjieba"
             and (fingerprint, seg_config.jieba_dir) not in _SEGMENTERS)
    if not early:
        _segmenter_for(seg_config, fingerprint)  # load the dictionaries once, before forking
    ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                             initializer=_build_spare_engine if early else None)
    if early:
        ex.submit(int)  # starts every worker (a forking pool starts them all at once)
    return ex, early, workers


def _early_pool(text: pd.Series, seg_config, fingerprint, n_jobs, store, tables):
    """Workers for a :func:`tokenize` call started before its texts are hashed, when it is certain
    that they will cut: no cache (``store`` None), or a cache whose stream and table stores hold
    no entry at all (every non-empty text is then a miss). Otherwise None (the cache decides).

    ``n_jobs`` is read against every character of the column (white-space-only texts included,
    which are not cut): it sizes the pool only; the tokens never depend on it.
    """
    if store is not None and not (store.is_empty() and tables.is_empty()):
        return None
    import pyarrow as pa

    arrow = getattr(text.array, "_pa_array", None)
    if arrow is not None and (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)):
        import pyarrow.compute as pc

        n_chars = int(pc.sum(pc.utf8_length(arrow)).as_py() or 0)
    else:
        n_chars = sum(len(t) for t in text if isinstance(t, str))
    workers = _n_workers(n_jobs, n_chars, max(1, len(text)))
    if workers <= 1:
        return None
    return _start_pool(seg_config, fingerprint, workers)


def _run_segmentation(seg_config, fingerprint, texts, keys, cache_dir, workers, hide_progress, pool=None):
    """Segment ``texts`` chunk by chunk, in processes when ``workers > 1``.

    ``texts`` is a list of strings or a :class:`_TodoTexts` (strings made per chunk). Yields
    ``(first, lengths, tokens, tags)`` per chunk, in order (``first`` = index of the chunk's first
    text); the output does not depend on ``workers``. With processes, a few chunks per worker are
    in flight at a time (each submitted when an earlier one is taken), so the texts of the others
    are not yet Python strings and their results are not yet held. ``pool``: workers already
    started by :func:`_start_pool` (then ``workers`` is theirs); this generator shuts them down.
    """
    from collections import deque

    if hide_progress:  # no bar: importing tqdm.auto alone costs ~0.1 s
        bar = _NoBar()
    else:
        from tqdm.auto import tqdm

        bar = None
    try:
        if isinstance(texts, list):
            sizes, get = [len(t) for t in texts], (lambda a, b: texts[a:b])
        else:
            sizes, get = texts.sizes, texts.get
        bounds = _chunk_bounds(sizes, workers)
        spans = list(zip(bounds[:-1], bounds[1:]))
        if bar is None:
            bar = tqdm(total=len(sizes), desc="segmenting", unit="text")
        if workers <= 1 and pool is None:
            _segmenter_for(seg_config, fingerprint)
            for a, b in spans:
                yield (a, *_segment_chunk(seg_config, fingerprint, get(a, b),
                                          None if keys is None else keys[a:b], cache_dir))
                bar.update(b - a)
            return
        ex, early, _ = pool if pool is not None else _start_pool(seg_config, fingerprint, workers)
        pool = None  # owned by the ``with`` below from here on
        with ex:
            added = _rjieba_terms(seg_config.dict_files) if early else None
            waiting = iter(spans)
            flight: deque = deque()

            def submit():
                span = next(waiting, None)
                if span is not None:
                    a, b = span
                    flight.append((a, b, ex.submit(_segment_chunk, seg_config, fingerprint, get(a, b),
                                                   None if keys is None else keys[a:b], cache_dir, added)))

            for _ in range(2 * workers):
                submit()
            while flight:
                a, b, fut = flight.popleft()
                result = fut.result()
                del fut  # a consumed chunk is not kept alive by its future
                submit()
                yield (a, *result)
                del result
                bar.update(b - a)
    finally:
        if pool is not None:  # never reached the ``with``
            pool[0].shutdown(wait=False, cancel_futures=True)
        if bar is not None:
            bar.close()


# ---------------------------------------------------------------------------------------------
# the public entry point


def is_number(token: str) -> bool:
    """True for number tokens under the numbers rule (2025, 3.5, 15%, 二十, 亿 ...).

    Examples
    --------
    >>> [is_number(t) for t in ["2025", "15%", "二十", "5G", "第一", "十四五"]]
    [True, True, True, False, False, True]
    """
    return bool(_NUMERIC_RE.match(token))


def is_punctuation(token: str) -> bool:
    """True when the token has no letter and no digit (、 。 “ ( - + ...)."""
    return not any(unicodedata.category(ch)[0] in "LN" for ch in token)


def token_filter(*, stopwords: Iterable[str] = (), numbers: str = "drop", punctuation: bool = False,
                 single_chars: bool = True, terms: Iterable[str] = ()):
    """The rule deciding which tokens a filter drops, as a predicate ``word -> bool`` (True = drop).

    One rule for :func:`tokenize`'s options and for :func:`policylab.tokens.remove`.

    Parameters
    ----------
    stopwords : iterable of str
        Words dropped outright (see :func:`load_stopwords`).
    numbers : {'drop', 'keep'}
        'drop' drops number tokens (:func:`is_number`) unless they are in ``terms``.
    punctuation : bool
        Keep punctuation tokens (:func:`is_punctuation`) when True.
    single_chars : bool
        Keep one-character tokens when True.
    terms : iterable of str
        Dictionary terms, never treated as numbers (十四五).

    Returns
    -------
    callable
        ``drop(word) -> bool``.

    Examples
    --------
    >>> drop = token_filter(stopwords={"的"}, terms={"十四五"})
    >>> [w for w in ["的", "2025", "十四五", "。", "算力"] if not drop(w)]
    ['十四五', '算力']
    """
    if numbers not in ("drop", "keep"):
        raise ValueError(f"numbers must be 'drop' or 'keep', got {numbers!r}")
    stop, terms = frozenset(stopwords), frozenset(terms)

    def drop(w: str) -> bool:
        return ((not punctuation and is_punctuation(w))
                or (numbers == "drop" and w not in terms and is_number(w))
                or (not single_chars and len(w) == 1)
                or w in stop)

    return drop


def drop_mask(tokens, drop, memo: dict | None = None) -> np.ndarray:
    """Where ``drop(token)`` holds, as a boolean array; the rule runs once per distinct token.

    Parameters
    ----------
    tokens : pyarrow array or pandas Series of str
        The token column.
    drop : callable
        ``word -> bool`` (e.g. :func:`token_filter`).
    memo : dict, optional
        Verdicts already known (filled in place), for calls over successive chunks.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> import pandas as pd
    >>> drop_mask(pd.Series(["的", "算力", "的"]), token_filter(stopwords={"的"})).tolist()
    [True, False, True]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(tokens, pd.Series):
        tokens = pa.array(tokens.astype("string"))
    if isinstance(tokens, pa.ChunkedArray):
        tokens = tokens.combine_chunks()
    if len(tokens) == 0:
        return np.zeros(0, dtype=bool)
    memo = {} if memo is None else memo
    enc = pc.dictionary_encode(tokens)
    verdict = np.fromiter((memo[w] if w in memo else memo.setdefault(w, bool(drop(w)))
                           for w in enc.dictionary.to_pylist()), dtype=bool, count=len(enc.dictionary))
    return verdict[enc.indices.to_numpy(zero_copy_only=False)]


class _Texts:
    """A text column read a slice at a time: ``texts[i]`` and ``texts.slice(a, b)`` give Python strings
    (a missing value is ""), made from an Arrow-backed column only when asked for; an object
    column's own strings are handed out as they are."""

    def __init__(self, column: pd.Series):
        import pyarrow as pa

        arr = getattr(column.array, "_pa_array", None)
        self.arrow = None
        self.values = None
        if isinstance(arr, (pa.Array, pa.ChunkedArray)) and (pa.types.is_string(arr.type)
                                                            or pa.types.is_large_string(arr.type)):
            self.arrow = arr  # a chunked array stays chunked: combining would copy the column
        else:
            self.values = column.to_numpy(dtype=object, na_value=None)

    def __len__(self) -> int:
        return len(self.arrow) if self.arrow is not None else len(self.values)

    @staticmethod
    def _str(t) -> str:
        return "" if t is None or (not isinstance(t, str) and pd.isna(t)) else str(t)

    def slice(self, a: int, b: int) -> list[str]:
        if self.arrow is not None:
            return ["" if t is None else t for t in self.arrow.slice(a, b - a).to_pylist()]
        return [self._str(t) for t in self.values[a:b]]

    def take(self, rows: Sequence[int]) -> list[str]:
        if self.arrow is not None:
            import pyarrow as pa

            return ["" if t is None else t for t in self.arrow.take(pa.array(rows, type=pa.int64())).to_pylist()]
        return [self._str(self.values[i]) for i in rows]

    def __getitem__(self, i: int) -> str:
        return self.take([i])[0] if self.arrow is not None else self._str(self.values[i])


class _TodoTexts:
    """The texts to segment (rows ``todo`` of ``texts``), for :func:`_run_segmentation`: their sizes,
    and the strings of a range of them, made when that chunk is handed to a worker."""

    def __init__(self, texts: _Texts, todo: list[int], sizes: np.ndarray):
        self.texts, self.todo, self.sizes = texts, todo, sizes[todo]

    def __len__(self) -> int:
        return len(self.todo)

    def get(self, a: int, b: int) -> list[str]:
        return self.texts.take(self.todo[a:b])


def _null_strings(n: int, block: int = 1 << 20) -> list:
    """``n`` null strings as Arrow chunks that all share one block's buffers: a column of nulls
    costs one block (8 MB of zero offsets), not 8 bytes a row."""
    import pyarrow as pa

    if n <= 0:
        return [pa.nulls(0, type=pa.large_string())]
    one = pa.nulls(min(n, block), type=pa.large_string())
    parts = [one] * (n // len(one))
    if n % len(one):
        parts.append(one.slice(0, n % len(one)))
    return parts


def _arrow_strings(values) -> object:
    """A pandas column as one pyarrow ``large_string`` array (no per-value Python copy for strings)."""
    import pyarrow as pa

    arr = pa.array(pd.Series(values).astype("string"))
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def tokenize(
    df: pd.DataFrame,
    text_col: str = "text",
    unit_col: str | None = None,
    *,
    doc_col: str = "doc_id",
    stopwords: bool = True,
    boilerplate: bool = False,
    user_stopwords: Sequence[str | os.PathLike] = (),
    extra_stopwords: Iterable[str] = (),
    user_dicts: Sequence[str | os.PathLike] = (),
    keep_single_chars: bool = True,
    numbers: str = "drop",
    punctuation: bool = False,
    pos: bool = False,
    hmm: bool = True,
    engine: str = "auto",
    n_jobs: int | None = None,
    cache: bool | str | os.PathLike = True,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Segment each row's text into a long tokens table (one row per token).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per unit: ``documents`` (unit = document) or ``sections`` (pass
        ``unit_col="section_id"``), or any table with ``doc_col`` and ``text_col``.
    text_col : str, default 'text'
    unit_col : str, optional
        Column identifying a unit within a document (e.g. ``section_id``); copied to the output.
        ``(doc_col, unit_col)`` must be unique.
    doc_col : str, default 'doc_id'
    stopwords : bool, default True
        Drop the general stopwords (``resources/stopwords_zh.txt``).
    boilerplate : bool, default False
        Also drop policy boilerplate (``resources/stopwords_policy.txt``: 加快, 推进, 我市 ...).
    user_stopwords : sequence of paths
        Your own stopword files (one word per line), added to the above; also
        ``$POLICYLAB_USER_STOPWORDS``.
    extra_stopwords : iterable of str
        Extra stopwords given inline.
    user_dicts : sequence of paths
        Your own dictionaries (jieba format or CSV with ``term[,pos][,freq]``), loaded after the
        domain dictionary; also ``$POLICYLAB_USER_DICTS``. They change segmentation, so they are
        part of the cache key.
    keep_single_chars : bool, default True
        Keep one-character tokens (云, 链, 车 ...). Most one-character function words are
        stopwords anyway.
    numbers : {'drop', 'keep'}, default 'drop'
        See the numbers rule in the module docstring; dictionary terms (十四五) are never dropped.
    punctuation : bool, default False
        Keep punctuation tokens (useful for readable KWIC context).
    pos : bool, default False
        Fill the ``pos`` column with jieba.posseg tags (ICTCLAS set; domain terms carry the
        dictionary's tag). POS tagging uses jieba's POS cutter, whose tokens can differ slightly
        from the plain cut, and is several times slower.
    hmm : bool, default True
        jieba's HMM for words not in any dictionary.
    engine : {'auto', 'rjieba', 'jieba_fast', 'jieba'}
        'auto' uses rjieba when importable (identical tokens, about six times faster than jieba;
        see the module docstring), else jieba_fast; with ``pos=True`` or ``hmm=False``,
        jieba_fast or jieba. jieba is the reference.
    n_jobs : int, optional
        Processes for segmentation: None = all cores when there are more than
        ``PARALLEL_MIN_CHARS`` characters to segment, else 1; -1 = all cores. Work is split
        by unit (document), never inside one; the dictionaries are loaded before the processes
        are forked, and the table is the same whatever the number of processes.
    cache : bool or path, default True
        Use the project cache (``$POLICYLAB_CACHE`` or ``./.policylab_cache``; a path overrides).
        Entries are keyed by the text's sha256, the dictionary files' sha256, the jieba engine
        and version, and the options that change segmentation (hmm, pos).
    progress : bool, optional
        Show a tqdm bar; None = only when more than ``PROGRESS_MIN_CHARS`` characters are to be
        segmented.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, [unit_col], position, token, pos`` (schema ``tokens``, or ``section_tokens``
        with ``unit_col='section_id'``); ``pos`` is null unless ``pos=True``. Rows follow the
        input rows, then position. ``df.attrs`` records ``cache_hits``, ``cache_misses``,
        ``segmented`` (texts cut in this call), ``segmenter``, ``dictionary_sha256`` and
        ``stopwords_sha256``.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["d1"], "text": ["到2025年,培育100家专精特新企业。"]})
    >>> t = tokenize(docs, cache=False)
    >>> t[["position", "token"]].values.tolist()
    [[0, '到'], [2, '年'], [4, '培育'], [6, '家'], [7, '专精特新'], [8, '企业']]
    >>> tokenize(docs, cache=False, numbers="keep", boilerplate=True)["token"].tolist()
    ['2025', '100', '专精特新', '企业']
    """
    if numbers not in ("drop", "keep"):
        raise ValueError(f"numbers must be 'drop' or 'keep', got {numbers!r}")
    need = [doc_col, text_col] + ([unit_col] if unit_col else [])
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"tokenize: input lacks column(s) {missing}; has {list(df.columns)}")
    ids = [doc_col] + ([unit_col] if unit_col else [])
    dup = df.duplicated(ids, keep=False)
    if dup.any():
        raise ValueError(f"tokenize: {int(dup.sum())} rows share the same {ids}; "
                         f"pass unit_col= to tokenize several units per document")

    import pyarrow as pa

    cache_dir = None if isinstance(cache, bool) else cache
    config = _make_config(user_dicts, hmm, pos, engine, cache_dir)
    fingerprint = _fingerprint(config)
    store = _cache.StreamStore("tokens", cache_dir) if cache is not False else None
    tables = _cache.Store("tokens_tables", cache_dir) if store is not None else None
    # with no cache, or a cache holding no entry at all, every non-empty text will be cut: the
    # worker processes are started now and load the engine while this process hashes the texts
    pool = _early_pool(df[text_col], config, fingerprint, n_jobs, store, tables)
    try:

        # the texts are read a slice at a time (``_Texts``): an Arrow-backed column is never turned into
        # Python strings all at once (at 100 MB of documents that is 80 MB held through the call)
        texts = _Texts(df[text_col])
        n_texts_all = len(texts)
        keys: list = [None] * n_texts_all
        sizes = np.zeros(n_texts_all, dtype=np.int64)
        nonempty = np.zeros(n_texts_all, dtype=bool)
        for a in range(0, n_texts_all, 512):
            for i, t in enumerate(texts.slice(a, min(a + 512, n_texts_all)), start=a):
                if t.strip():
                    nonempty[i], sizes[i] = True, len(t)
                    if store is not None:
                        keys[i] = _cache.make_key("tokens", fingerprint, _cache.sha256_text(t))
        if store is not None:
            # the whole table, for the same texts, ids and options, is one Parquet file: a warm call
            # reads it and segments nothing (the per-text streams below rebuild it when it is missing)
            table_key = _cache.make_key(
                "tokens_table", keys, df[doc_col].astype(str).tolist(),
                df[unit_col].astype(str).tolist() if unit_col else None, unit_col, doc_col,
                stopwords, boilerplate, _cache.sha256_files(stopword_files(stopwords, boilerplate, user_stopwords)),
                sorted(map(str, extra_stopwords)), keep_single_chars, numbers, punctuation, pos,
            )
            want_cols = ["doc_id"] + ([unit_col] if unit_col else []) + ["position", "token", "pos"]
            hit = tables.get_frame(table_key, check=lambda f: list(f.columns) == want_cols)
            if hit is not None:
                n_texts = sum(1 for k in keys if k is not None)
                stats = {
                    "cache_hits": n_texts, "cache_misses": 0, "cache_corrupt": tables.corrupt, "segmented": 0,
                    "segmenter": f"{config.engine} {engine_version(config.engine)}",
                    "dictionary_sha256": _cache.sha256_files(config.dict_files),
                    "stopwords_sha256": _cache.sha256_files(stopword_files(stopwords, boilerplate, user_stopwords)),
                    "cache_dir": str(store.dir), "table_cache": True,
                }
                hit.attrs.update(stats)
                _LAST_STATS.clear()
                _LAST_STATS.update(stats)
                return hit

        # ---- step 1: the full token stream of every text, from the cache or segmented, held in Arrow
        empty = pa.array([], type=pa.large_string())
        streams: list = [None] * n_texts_all  # per text: (tokens, tags or None), Arrow arrays
        todo = np.flatnonzero(nonempty).tolist()
        for i in np.flatnonzero(~nonempty).tolist():
            streams[i] = (empty, empty if pos else None)
        if store is not None and todo:
            found = store.get([keys[i] for i in todo],
                              check=lambda j, toks, tags: ((tags is not None) == bool(pos)
                                                           and _spells(toks, texts[todo[j]])))
            for i, hit in zip(todo, found):
                if hit is not None:
                    streams[i] = (hit[0], hit[1] if pos else None)
            todo = [i for i, hit in zip(todo, found) if hit is None]

        n_chars = int(sizes[todo].sum()) if todo else 0
        chunks = iter(())
        if todo:
            workers = _n_workers(n_jobs, n_chars, len(todo)) if pool is None else pool[2]
            show = (n_chars >= PROGRESS_MIN_CHARS) if progress is None else bool(progress)
            chunks = _run_segmentation(config, fingerprint, _TodoTexts(texts, todo, sizes),
                                       None if store is None else [keys[i] for i in todo],
                                       cache_dir, workers, not show, pool=pool)

        def stream(i):
            """Text i's stream, taking segmented chunks as they come (in order), so only the chunks in
            flight are held unfiltered."""
            while streams[i] is None:
                first, lengths, toks, tags = next(chunks)
                offsets = np.concatenate([[0], np.cumsum(lengths)])
                for j in range(len(lengths)):
                    a, n = int(offsets[j]), int(lengths[j])
                    streams[todo[first + j]] = (toks.slice(a, n), tags.slice(a, n) if tags is not None else None)
            out, streams[i] = streams[i], None
            return out

        # ---- step 2: drop rows by the options (positions are kept), a batch of texts at a time
        drop = token_filter(stopwords=load_stopwords(stopwords, boilerplate, user_stopwords, extra_stopwords),
                            numbers=numbers, punctuation=punctuation, single_chars=keep_single_chars,
                            terms=domain_terms(user_dicts))
        memo: dict = {}
        ids = _arrow_strings(df[doc_col])
        units = _arrow_strings(df[unit_col]) if unit_col == "section_id" else None
        rows, kept = [], {"doc_id": [], "unit": [], "token": [], "pos": []}
        n_kept = [0]
        # the position column is written in place, batch by batch, into one array sized for the worst
        # case (a token per character): pages never written are never resident, and there is no
        # list of parts to join at the end (at 100 MB of documents that join held ~50 MB more)
        position_buf = [np.empty(int(sizes.sum()) + 1, dtype=np.int64)]
        batch: list[int] = []
        batch_toks: list = []
        batch_tags: list = []

        def column(parts):  # chunked: the batches are not copied into one array again
            return pd.arrays.ArrowStringArray(pa.chunked_array(parts, type=pa.large_string()))

        def table(doc_ids, unit_values, position, token, tags):
            """The tokens table (no unit column when ``unit_values`` is None), its columns not copied."""
            cols = {"doc_id": doc_ids}
            if unit_values is not None:
                cols[unit_col] = unit_values
            cols.update(position=pd.arrays.IntegerArray(position, np.zeros(len(position), dtype=bool)),
                        token=token, pos=tags)
            return pd.DataFrame(cols, copy=False)

        # the table cache is written batch by batch while the workers cut the next chunks, not all at
        # the end (when nothing else is left to do); it is renamed into place only once complete
        sink = None
        if store is not None:
            no_units = column([]) if units is not None else pd.array(df[unit_col].to_numpy()[:0],
                                                                     dtype=df[unit_col].dtype) if unit_col else None
            sink = tables.frame_writer(table_key, table(column([]), no_units, np.zeros(0, dtype=np.int64),
                                                        column([]), column([])),
                                       row_group_size=TABLE_ROW_GROUP, **TABLE_PARQUET)

        def flush():
            lengths = np.fromiter((len(t) for t in batch_toks), dtype=np.int64, count=len(batch_toks))
            toks = pa.concat_arrays(batch_toks)
            row = np.repeat(np.asarray(batch, dtype=np.int64), lengths)
            position = np.arange(len(toks), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            keep = np.flatnonzero(~drop_mask(toks, drop, memo))
            if unit_col and units is None:  # only a unit column of another type needs the row numbers
                rows.append(row[keep])
            at, need = n_kept[0], n_kept[0] + len(keep)
            if need > len(position_buf[0]):  # NFKC can make more characters than the text had
                grown = np.empty(max(need, 2 * len(position_buf[0])), dtype=np.int64)
                grown[:at] = position_buf[0][:at]
                position_buf[0] = grown
            position_buf[0][at:need] = position[keep]
            n_kept[0] = need
            take = pa.array(row[keep])
            kept["token"].append(toks.take(keep))
            kept["doc_id"].append(ids.take(take))
            if units is not None:
                kept["unit"].append(units.take(take))
            if pos:
                kept["pos"].append(pa.concat_arrays(batch_tags).take(keep))
            if sink is not None:
                unit_values = None
                if unit_col:
                    unit_values = (column(kept["unit"][-1:]) if units is not None
                                   else pd.array(df[unit_col].to_numpy()[row[keep]], dtype=df[unit_col].dtype))
                sink.write(table(column(kept["doc_id"][-1:]), unit_values, position[keep], column(kept["token"][-1:]),
                                 column(kept["pos"][-1:] if pos else [pa.nulls(len(keep), type=pa.large_string())])))
            del row, position
            batch.clear(), batch_toks.clear(), batch_tags.clear()

        try:
            n_batch = 0
            for i in range(n_texts_all):
                toks, tags = stream(i)
                if not len(toks):
                    continue
                batch.append(i)
                batch_toks.append(toks)
                batch_tags.append(tags)
                n_batch += len(toks)
                if n_batch >= FILTER_TOKENS:
                    flush()
                    n_batch = 0
            if batch:
                flush()
            for _ in chunks:  # nothing is left; this closes the process pool and the progress bar
                pass
            position = position_buf.pop()[:n_kept[0]]
            # built with the schema's dtypes and not copied (pandas copies the columns of a dict unless
            # told not to; ``schema.conform`` would copy them again): at 100 MB of documents each copy of
            # the position column is 0.1 GB. Arrow all the way: no per-token Python object.
            out = table(column(kept["doc_id"]), None, position, column(kept["token"]),
                        column(kept["pos"]) if pos else column(_null_strings(n_kept[0])))
            schema.validate("tokens", out)
            if unit_col:
                if units is not None:
                    unit_values = column(kept["unit"])
                else:
                    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
                    unit_values = pd.array(df[unit_col].to_numpy()[row], dtype=df[unit_col].dtype)
                out.insert(1, unit_col, unit_values)
        except BaseException:
            if sink is not None:
                sink.abort()
            raise

        stats = {
            "cache_hits": store.hits if store else 0,
            "cache_misses": store.misses if store else len(todo),
            "cache_corrupt": store.corrupt if store else 0,
            "segmented": len(todo),
            "segmenter": f"{config.engine} {engine_version(config.engine)}",
            "dictionary_sha256": _cache.sha256_files(config.dict_files),
            "stopwords_sha256": _cache.sha256_files(stopword_files(stopwords, boilerplate, user_stopwords)),
            "cache_dir": str(store.dir) if store else None,
        }
        stats["table_cache"] = False
        if sink is not None:
            sink.commit()
        out.attrs.update(stats)
        _LAST_STATS.clear()
        _LAST_STATS.update(stats)
        return out
    finally:
        if pool is not None:  # shut down already, unless the call failed or had nothing to cut
            pool[0].shutdown(wait=False, cancel_futures=True)


def last_stats() -> dict:
    """Statistics of the most recent :func:`tokenize` call in this process (cache hits, ...)."""
    return dict(_LAST_STATS)
