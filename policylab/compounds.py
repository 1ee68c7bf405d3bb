"""Known compounds kept whole: re-cut a token run so no domain term is split across tokens.

jieba picks the most probable path through its word graph, and a reviewed domain term with a
high frequency can pull the characters of a *preceding* term into itself: 人工智能终端 comes out
as 人工 / 智能终端 because 智能终端 is a dictionary word, and 人工 then ranks as a key term. The
rule here is the reading a researcher gives the phrase: **leftmost-longest**. At every token start,
the longest known term that begins there and runs past the token's end is cut out whole; the
characters after it start a new token, where the rule applies again:

* 人工 / 智能终端 / 产业      -> 人工智能 / 终端 / 产业
* 人工 / 智能计算中心         -> 人工智能 / 计算中心
* 人工智能 / 终端 (already right) is left alone: no known term starts at 人工智能 and runs past it.

A cut must leave words. When the lexicon knows the segmenter's general vocabulary (jieba's word
frequencies, see :func:`policylab.segment.for_segmenter`), a crossing term is taken only if the piece it leaves of
the last token it enters is itself a word of two or more characters (or a known term, or the
start of another crossing term); otherwise the next shorter crossing term is tried, and failing all, the tokens stay as
they were. So 数字 / 人机协同 never becomes 数字人 / 机协同 (机协同 is no word), while
人工 / 智能终端 becomes 人工智能 / 终端 (终端 is one).

Guarantees. The output spells exactly the input (``"".join(out) == "".join(tokens)``); a term
never joins across a token holding punctuation or whitespace (、 , 。 “ ( ...); a known term only
starts where a token starts, so a word jieba cut correctly is never entered from its middle.

Speed. The lexicon precomputes, once, the set of terms and the set of their proper prefixes. A
token is looked at further only when it is a proper prefix of some term and, grown by the next
token's first character, still a prefix or a term (two set lookups); the tokens between such
places are copied as slices. On the seeds that is about 2 microseconds a token, some 6-7 % of
jieba_fast's own time.

Which terms are "known". The domain dictionary (``resources/domain_dict.csv``) and the user
dictionaries, as :func:`policylab.segment.domain_terms` reads them (NFKC), plus nothing else:
jieba's general dictionary has too many short, ambiguous entries to be applied greedily.

Examples
--------
>>> lex = Lexicon(["人工智能", "智能终端", "智能计算中心"])
>>> repair(["人工", "智能终端", "产业"], lex)
['人工智能', '终端', '产业']
>>> repair(["建设", "人工", "智能计算中心", "。"], lex)
['建设', '人工智能', '计算中心', '。']
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections.abc import Mapping
from itertools import compress
from typing import Iterable, Sequence

__all__ = ["Lexicon", "edits", "repair", "repair_tagged", "whole_rate"]

# The lexicon of a segmenter's dictionaries is built in :mod:`policylab.segment`
# (``segment.domain_lexicon``, ``segment.for_segmenter``), which applies :func:`repair` to every
# document it cuts; this module only knows token lists and terms, so it sits below ``segment``.


def _is_barrier_char(ch: str) -> bool:
    # punctuation (P*), separators/whitespace (Z*) and control characters (Cc) end a run;
    # symbols such as '+' (Sm) do not: 人工智能+ and AI+ are terms
    return ch.isspace() or unicodedata.category(ch)[0] in "PZ" or unicodedata.category(ch) == "Cc"


class Lexicon:
    """Known terms prepared for :func:`repair` (built once, reused for every document).

    Parameters
    ----------
    terms : iterable of str
        The known terms (NFKC-normalised here). Terms holding punctuation or whitespace are kept
        for membership but never formed across tokens.
    pos : dict, optional
        term -> part-of-speech tag, used by :func:`repair_tagged` for a re-cut term.
    vocabulary : mapping or container, optional
        The segmenter's general words (a ``{word: frequency}`` mapping such as jieba's
        ``Tokenizer.FREQ``, where 0 marks a mere prefix, or any set). With it, a cut must leave
        a word (see the module docstring); without it, leftmost-longest applies unchecked.

    Attributes
    ----------
    terms : frozenset of str
    prefixes : frozenset of str
        Every proper, non-empty prefix of a term (a token not in this set cannot start a
        crossing term).
    max_len : int
        Length of the longest term.

    Examples
    --------
    >>> lex = Lexicon(["人工智能", "智能终端"])
    >>> "人工" in lex.prefixes, "终端" in lex.prefixes, lex.max_len
    (True, False, 4)
    >>> lex(["人工", "智能终端"])
    ['人工智能', '终端']
    """

    def __init__(self, terms: Iterable[str], pos: dict | None = None, vocabulary=None):
        norm = {unicodedata.normalize("NFKC", str(t)).strip() for t in terms}
        self.terms = frozenset(t for t in norm if t)
        formable = [t for t in self.terms if len(t) > 1 and not any(_is_barrier_char(c) for c in t)]
        self.prefixes = frozenset(t[:k] for t in formable for k in range(1, len(t)))
        # what a token may grow into by one more character: the pre-scan's test
        self._grows = self.prefixes | frozenset(formable)
        self.max_len = max((len(t) for t in self.terms), default=0)
        self.pos = {unicodedata.normalize("NFKC", k): v for k, v in (pos or {}).items()}
        self.vocabulary = vocabulary

    def is_word(self, piece: str) -> bool:
        """True when ``piece`` may stand as a token: a term, or a vocabulary word of 2+ characters.

        Without a vocabulary every piece may stand.
        """
        if piece in self.terms or self.vocabulary is None:
            return True
        if len(piece) < 2:  # a lone character left over is a fragment (大数据产业 / 生态 / 圈)
            return False
        if isinstance(self.vocabulary, Mapping):
            return (self.vocabulary.get(piece) or 0) > 0
        return piece in self.vocabulary

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, term: str) -> bool:
        return term in self.terms

    def __call__(self, tokens: Sequence[str]) -> list[str]:
        return repair(tokens, self)

    def __repr__(self) -> str:
        return f"Lexicon({len(self.terms)} terms, max_len={self.max_len})"


def _as_lexicon(lexicon) -> Lexicon:
    return lexicon if isinstance(lexicon, Lexicon) else Lexicon(lexicon)


@functools.lru_cache(maxsize=1 << 16)
def _has_barrier(token: str) -> bool:
    # memoised: the same few thousand tokens are asked about again and again
    return any(_is_barrier_char(c) for c in token)


def _crossings(tokens: Sequence[str], i: int, head: str, lex: Lexicon, n: int | None = None) -> list[tuple[str, int, int]]:
    """Terms that start with ``head`` (the current token) and run into later tokens, shortest first.

    Each is ``(term, j, k)``: the term ends ``k`` characters into ``tokens[j]``.
    """
    found = []
    acc = head
    j = i + 1
    n = len(tokens) if n is None else n
    while j < n and len(acc) < lex.max_len:
        nxt = tokens[j]
        if _has_barrier(nxt):
            break
        for k in range(1, len(nxt) + 1):
            cand = acc + nxt[:k]
            if cand in lex.terms:
                found.append((cand, j, k))
            if cand not in lex.prefixes:
                return found
        acc += nxt
        j += 1
    return found


def _leaves_a_word(tokens: Sequence[str], j: int, k: int, lex: Lexicon, n: int | None = None) -> bool:
    rest = tokens[j][k:]
    if not rest or lex.vocabulary is None or lex.is_word(rest):
        return True
    # the piece may itself open the next known term (人工 / 智能终端产 / ... is not a case jieba
    # makes, but the rule stays total)
    return rest in lex.prefixes and bool(_crossings(tokens, j, rest, lex, n))


def _starts(tokens: Sequence[str], lex: Lexicon) -> list[int]:
    """Indices ``j`` where a crossing term may start: ``tokens[j]`` is a proper prefix of a term and,
    grown by the next token's first character, still a prefix or a term.

    The first test runs over every token at C speed (``map`` of the set's ``__contains__``, then
    ``compress``); only the tokens that pass it (about a quarter) are grown in Python. Where this
    list is empty, :func:`repair` gives the tokens back unchanged.
    """
    if len(tokens) < 2:
        return []
    grows = lex._grows
    return [j for j in compress(range(len(tokens) - 1), map(lex.prefixes.__contains__, tokens))
            if tokens[j] + tokens[j + 1][:1] in grows]


def edits(tokens: Sequence[str], lexicon, starts: Sequence[int] | None = None,
          n: int | None = None) -> list[tuple[int, int, list[str], list[int]]]:
    """The re-cuts :func:`repair` makes, as edits: ``tokens[first:stop]`` becomes ``new``.

    Only indexing (and ``len``, unless ``n`` is given) is used on ``tokens``, so it may be a partial
    mapping: the segmenter passes a dict of the few tokens around each place where a crossing
    term may start, read from an Arrow array, keyed by their index in the whole array.

    Parameters
    ----------
    tokens : sequence of str
    lexicon : Lexicon or iterable of str
    starts : sequence of int, optional
        Where a crossing term may start (what :func:`_starts` finds, ascending); computed when
        not given. A caller that finds them otherwise must find exactly these.
    n : int, optional
        Where the tokens end (``len(tokens)`` by default): no term is formed across it.

    Returns
    -------
    list of (int, int, list of str, list of int)
        ``(first, stop, new, src)`` in order, non-overlapping; ``src`` gives, for each new token,
        the index of the input token it starts in.

    Examples
    --------
    >>> lex = Lexicon(["人工智能", "智能终端"])
    >>> edits(["发展", "人工", "智能终端", "产业"], lex)
    [(1, 3, ['人工智能', '终端'], [1, 2])]
    >>> edits(["人工智能", "终端"], lex)
    []
    """
    lex = _as_lexicon(lexicon)
    prefixes, grows = lex.prefixes, lex._grows
    n = len(tokens) if n is None else n
    found = []
    i = 0
    for j in (_starts(tokens, lex) if starts is None else starts):
        if j < i:  # inside the span the previous re-cut consumed
            continue
        first, i, head = j, j, tokens[j]
        new: list[str] = []
        src: list[int] = []
        while True:  # head begins in token i: the whole token, or what a cut left of it
            hit = None
            if (i + 1 < n and head in prefixes and head + tokens[i + 1][:1] in grows
                    and not _has_barrier(head)):
                hit = next((c for c in reversed(_crossings(tokens, i, head, lex, n))
                            if _leaves_a_word(tokens, c[1], c[2], lex, n)), None)
            if hit is None:
                new.append(head)
                src.append(i)
                i += 1
                break
            term, j, k = hit
            new.append(term)
            src.append(i)
            i, head = j, tokens[j][k:]
            if not head:  # the term ended exactly at a token end
                i += 1
                break
        if i != first + 1 or len(new) != 1:  # a term was cut out: the tokens changed
            found.append((first, i, new, src))
    return found


def _repair_spans(tokens: Sequence[str], lex: Lexicon, with_src: bool = True) -> tuple[list[str], list[int] | None]:
    """Re-cut tokens leftmost-longest: (new tokens, index of the input token each starts in).

    The tokens between two re-cuts (:func:`edits`) are copied as slices; ``with_src=False`` skips
    the index list (:func:`repair` does not need it).
    """
    out: list[str] = []
    src: list[int] = []
    prev = 0
    for first, stop, new, new_src in edits(tokens, lex):
        out.extend(tokens[prev:first])
        out.extend(new)
        if with_src:
            src.extend(range(prev, first))
            src.extend(new_src)
        prev = stop
    out.extend(tokens[prev:])
    if with_src:
        src.extend(range(prev, len(tokens)))
    return out, (src if with_src else None)


def repair(tokens: Sequence[str], lexicon) -> list[str]:
    """Re-cut ``tokens`` so that known compounds are not split (leftmost-longest).

    Parameters
    ----------
    tokens : sequence of str
        One line's (or any run's) tokens, in order, as the segmenter gave them.
    lexicon : Lexicon or iterable of str
        The known terms; pass a :class:`Lexicon` (built once) when repairing many runs.

    Returns
    -------
    list of str
        The tokens, re-cut: same characters in the same order; a token starting with the
        beginning of a longer known term that runs into the next tokens becomes that term, and
        the rest of the last token it entered becomes a token of its own.

    Examples
    --------
    >>> lex = Lexicon(["人工智能", "智能终端", "智能芯片", "数据标注"])
    >>> repair(["人工", "智能芯片", "和", "人工", "智能终端"], lex)
    ['人工智能', '芯片', '和', '人工智能', '终端']
    >>> repair(["数据", "标注", "、", "人工", "、", "智能芯片"], lex)  # never across 、
    ['数据标注', '、', '人工', '、', '智能芯片']
    >>> repair(["人工智能", "终端"], lex)
    ['人工智能', '终端']
    """
    lex = _as_lexicon(lexicon)
    return _repair_spans(tokens, lex, with_src=False)[0]


def repair_tagged(tokens: Sequence[str], tags: Sequence[str], lexicon) -> tuple[list[str], list[str]]:
    """:func:`repair` for a tagged stream: a re-cut term takes its dictionary tag.

    Parameters
    ----------
    tokens : sequence of str
    tags : sequence of str
        One tag per token (jieba.posseg flags).
    lexicon : Lexicon or iterable of str

    Returns
    -------
    (list of str, list of str)
        The re-cut tokens and their tags: a known term gets its tag from the lexicon (else the
        tag of the token it starts in); a leftover piece keeps the tag of the token it came from.

    Examples
    --------
    >>> lex = Lexicon(["人工智能", "智能终端"], pos={"人工智能": "n"})
    >>> repair_tagged(["人工", "智能终端", "产业"], ["n", "n", "n"], lex)
    (['人工智能', '终端', '产业'], ['n', 'n', 'n'])
    """
    if len(tokens) != len(tags):
        raise ValueError(f"repair_tagged: {len(tokens)} tokens but {len(tags)} tags")
    lex = _as_lexicon(lexicon)
    out_t, src = _repair_spans(tokens, lex)
    out_p = [lex.pos.get(t, tags[i]) if t != tokens[i] else tags[i] for t, i in zip(out_t, src)]
    return out_t, out_p


def whole_rate(texts: Iterable[str], terms: Iterable[str], cut, vocabulary=None) -> dict:
    """Share of a text's known-term occurrences that come out of ``cut`` as one token.

    A measure for segmentation audits. Occurrences are read leftmost-longest (the rule of
    :func:`repair`): scanning the text, the longest term starting at a position is one
    occurrence, and the scan goes on after it. An occurrence is whole when ``cut(text)`` has a
    token spanning exactly its characters.

    Parameters
    ----------
    texts : iterable of str
    terms : iterable of str
        The terms to audit.
    cut : callable
        str -> list of tokens whose concatenation spells the text without whitespace.
    vocabulary : mapping or container, optional
        General words (as for :class:`Lexicon`). With it, a term's characters that a word
        straddles are no occurrence when the term's remainder is a word too: in 壮大模型 the
        reading 壮大 / 模型 is right, so 大模型 there is not counted.

    Returns
    -------
    dict
        ``occurrences``, ``whole`` and ``rate`` (whole / occurrences; None when there are none).

    Examples
    --------
    >>> lex = Lexicon(["人工智能", "智能终端"])
    >>> whole_rate(["人工智能终端"], lex.terms, lambda s: ["人工", "智能终端"])
    {'occurrences': 1, 'whole': 0, 'rate': 0.0}
    >>> whole_rate(["人工智能终端"], lex.terms, lambda s: lex(["人工", "智能终端"]))["rate"]
    1.0
    >>> whole_rate(["壮大模型"], ["大模型"], lambda s: ["壮大", "模型"], vocabulary={"壮大", "模型"})
    {'occurrences': 0, 'whole': 0, 'rate': None}
    """
    terms = frozenset(unicodedata.normalize("NFKC", t) for t in terms)
    max_len = max((len(t) for t in terms), default=0)
    vocab = None if vocabulary is None else Lexicon((), vocabulary=vocabulary)
    occ = whole = 0
    for text in texts:
        text = "".join(unicodedata.normalize("NFKC", text).split())
        spans, pos = set(), 0
        for tk in cut(text):
            spans.add((pos, pos + len(tk)))
            pos += len(tk)
        i, n = 0, len(text)
        while i < n:
            hit = next((k for k in range(min(max_len, n - i), 0, -1) if text[i:i + k] in terms), 0)
            if hit and vocab is not None and _straddled(text, i, hit, vocab):
                hit = 0
            if hit:
                occ += 1
                whole += (i, i + hit) in spans
                i += hit
            else:
                i += 1
    return {"occurrences": occ, "whole": whole, "rate": (whole / occ) if occ else None}


def _straddled(text: str, i: int, length: int, vocab: Lexicon) -> bool:
    """True when a word of 2+ characters ends inside ``text[i:i+length]``, starting before ``i``,
    and the term's remainder after it is a word too (壮大 / 模型 around 大模型)."""
    for m in range(1, length):
        rest = text[i + m:i + length]
        if not vocab.is_word(rest):
            continue
        for j in range(max(0, i - 3), i):
            if vocab.is_word(text[j:i + m]):
                return True
    return False
