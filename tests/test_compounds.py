"""compounds.repair: a dictionary word never cuts a longer known word apart (issue 13, segmentation).

End to end: segment.Segmenter's output, then compounds.repair (until the segmenter calls it itself).
"""

from __future__ import annotations

import difflib

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylab import resources, segment
from policylab.compounds import Lexicon, repair, repair_tagged, whole_rate
from policylab.segment import domain_lexicon, for_segmenter

# the words a heading or a noun phrase commonly ends with in the plans (issue 13's list plus 平台)
HEADS = ["产业", "终端", "芯片", "应用", "中心", "平台", ""]
# what commonly stands before a term: other dictionary terms, 人工智能, verbs, nothing
LEFTS = ["", "人工智能", "大数据", "数据", "智能", "新一代", "推进", "大模型", "数字"]


@pytest.fixture(scope="module")
def seg():
    return segment.get_segmenter()


@pytest.fixture(scope="module")
def lex(seg):
    return for_segmenter(seg)


@pytest.fixture(scope="module")
def terms():
    return list(segment.read_dictionary(resources.path("domain_dict.csv"))["term"])


def cut(seg, lex, text):
    return repair(seg.segment(text, repair=False)[0], lex)


@pytest.mark.parametrize("text, want", [
    ("人工智能终端产业", ["人工智能", "终端", "产业"]),
    ("发展人工智能芯片", ["发展", "人工智能", "芯片"]),
    ("建设人工智能计算中心", ["建设", "人工智能", "计算中心"]),
    ("人工智能传感器", ["人工智能", "传感器"]),
    ("人工智能算力", ["人工智能", "算力"]),
])
def test_the_issue_cases_keep_the_leftmost_term_whole(seg, lex, text, want):
    raw = seg.segment(text, repair=False)[0]  # the engine's own cut: the bug
    assert raw[0] == "人工" or raw[:2] == ["发展", "人工"] or raw[:2] == ["建设", "人工"]
    assert seg.segment(text)[0] == want  # the segmenter's post-pass repairs it
    assert cut(seg, lex, text) == want


def test_every_dictionary_term_survives_in_compound_contexts(seg, lex, terms):
    """Every term between other dictionary terms / common left words and common heads: it comes
    out whole (or inside a longer known term). Contexts where a known word crosses the term's
    left edge are ambiguous (大数据 + 智能终端 reads as 大数据智能 + 终端 too): there, either the
    term or that crossing word must be whole, never neither."""
    clean = ambiguous = 0
    failures, before = [], 0
    for i, t in enumerate(terms):
        lefts = LEFTS + [terms[i - 1]]
        rights = HEADS + [terms[(i + 1) % len(terms)]]
        seen = 0
        for left in lefts:
            for right in rights:
                text = left + t + right
                b = len(left)
                crossing = [text[a:e] for a in range(b) for e in range(b + 1, b + len(t))
                            if text[a:e] in lex.terms or (e - a > 1 and lex.vocabulary.get(text[a:e], 0) > 0)]
                raw = seg.segment(text, repair=False)[0]
                out = repair(raw, lex)
                assert "".join(out) == "".join(raw) == text
                whole = any(t in x and (x == t or x in lex) for x in out)
                if crossing:
                    ambiguous += 1
                    if not whole and not any(c in out for c in crossing):
                        failures.append((text, "/".join(out)))
                    continue
                clean += 1
                seen += 1
                before += not any(t in x and (x == t or x in lex) for x in raw)
                if not whole:
                    failures.append((text, "/".join(out)))
        assert seen > 0, f"no unambiguous context for {t}"
    assert failures == []
    assert clean > 40 * len(terms) and ambiguous < clean / 5
    assert before > 0  # the segmenter alone does split some: the test can fail


def test_output_spells_the_input_and_never_joins_across_punctuation(seg, lex):
    toks = ["数据", "标注", "、", "人工", "、", "智能芯片", " ", "人工", "“", "智能终端", "”"]
    small = Lexicon(["数据标注", "人工智能", "智能芯片", "智能终端"])
    assert repair(toks, small) == toks[:0] + ["数据标注"] + toks[2:]
    assert repair([], small) == []
    # a symbol is not punctuation: 数据要素× and 人工智能+ are formed
    assert cut(seg, lex, "实施数据要素×行动") == ["实施", "数据要素×", "行动"]
    assert "人工智能+" in cut(seg, lex, "深入实施“人工智能+”行动")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["人工", "智能", "终端", "智能终端", "人工智能", "、", "数据", "标注",
                                 "中心", "计算中心", "大", "数据中心", "。", "智能计算中心", "+", "A", "I"]),
                max_size=12))
def test_repair_is_a_recut_on_any_stream(toks):
    small = Lexicon(["人工智能", "智能终端", "数据标注", "大数据", "智能计算中心", "AI", "人工智能+"])
    out = repair(toks, small)
    assert "".join(out) == "".join(toks)
    assert all(out)
    # punctuation tokens stay tokens of their own
    assert [t for t in out if t in ("、", "。")] == [t for t in toks if t in ("、", "。")]
    # a token that changed is a known term or the rest of a token cut by one
    assert repair(out, small) == out  # idempotent


def test_leftmost_longest_without_a_vocabulary_and_a_cut_that_leaves_no_word():
    pure = Lexicon(["数字人", "人机协同", "大数据", "数据中心"])
    assert repair(["数字", "人机协同"], pure) == ["数字人", "机协同"]
    assert repair(["大", "数据中心"], pure) == ["大数据", "中心"]
    vocab = {"数字": 5, "人机协同": 5, "中心": 9, "机协同": 0}
    checked = Lexicon(pure.terms, vocabulary=vocab)
    assert repair(["数字", "人机协同"], checked) == ["数字", "人机协同"]  # 机协同 is no word
    assert repair(["大", "数据中心"], checked) == ["大数据", "中心"]
    # a lone character left over is a fragment: the tokens stay
    assert repair(["产业", "生态圈"], Lexicon(["产业生态"], vocabulary={"圈": 3})) == ["产业", "生态圈"]


def test_repair_tagged_and_lexicon_helpers():
    lex = Lexicon(["人工智能", "智能终端"], pos={"人工智能": "n"})
    assert repair_tagged(["人工", "智能终端", "产业"], ["a", "nz", "n"], lex) == (
        ["人工智能", "终端", "产业"], ["n", "nz", "n"])
    with pytest.raises(ValueError):
        repair_tagged(["人工"], [], lex)
    d = domain_lexicon()
    assert d is domain_lexicon() and "具身智能" in d and d.max_len >= 8


def test_repair_on_the_seed_corpus_only_makes_known_terms(corpus, seg, lex):
    changed = []
    for text in corpus.documents["text"]:
        for line in text.splitlines():
            raw = seg.segment(line, repair=False)[0]
            out = repair(raw, lex)
            assert "".join(out) == "".join(raw)
            if out != raw:
                sm = difflib.SequenceMatcher(a=raw, b=out, autojunk=False)
                changed += [t for op, _, _, j1, j2 in sm.get_opcodes() if op != "equal" for t in out[j1:j2]]
    assert "人工智能" in changed
    # every new token is a dictionary term or a word of jieba's vocabulary (no fragments)
    assert all(t in lex.terms or lex.vocabulary.get(t, 0) > 0 for t in changed)
    # and 人工 stops being a token of its own in the seeds
    stream = [t for x in corpus.documents["text"] for line in x.splitlines() for t in cut(seg, lex, line)]
    assert "人工" not in stream


def test_whole_rate_measures_the_fix(seg, lex):
    texts = ["推进人工智能芯片和人工智能终端产业发展,建设人工智能计算中心。"]
    before = whole_rate(texts, ["人工智能"], lambda s: seg.segment(s, repair=False)[0])
    after = whole_rate(texts, ["人工智能"], lambda s: cut(seg, lex, s))
    assert before["occurrences"] == after["occurrences"] == 3
    assert before["rate"] < 1 and after["rate"] == 1.0


def test_new_vocabulary_segments_whole(seg, lex):
    """Each 2023-2025 term of the dictionary comes out as one token in a sentence."""
    d = pd.read_csv(resources.path("domain_dict.csv"), dtype=str)
    new = d[d["source"].str.contains("202[345]", regex=True)]["term"].tolist()
    assert len(new) >= 40
    bad = [(t, cut(seg, lex, f"加快推进{t}发展。")) for t in new if t not in cut(seg, lex, f"加快推进{t}发展。")]
    assert bad == []
