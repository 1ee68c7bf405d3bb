"""Property-based tests (hypothesis) of every parsing stage on inputs nobody wrote by hand.

Inputs: random Unicode; mixtures of real lines from the seeds with noise lines; truncated files;
very long lines; empty and whitespace-only lines; numbering that skips or repeats; unbalanced
brackets and quotes; mixed full- and half-width forms; odd line endings and encodings.

Properties guarded:

* ingest -- ``decode`` and ``read_page`` either succeed or raise ``IngestError`` (a reason in
  words), never anything else; ``process_file`` never raises.
* corpus -- every input file ends in exactly one ``files`` row with a valid status (a reason for
  every rejection and duplicate); ``documents`` holds exactly the files with status document.
* clean -- nothing escapes; the clean text keeps its contract (one stripped, non-blank paragraph
  per line, no other line-break characters, no full-width ASCII forms); every ``removed`` row
  holds the raw line at its ``line_no`` as it stood; and the clean text never contains a line
  recorded as removed. How that is compared: ``removed.text`` is the *raw* line, while the clean
  text is normalised (NFC, full-width folded), artefact-repaired and converted to Simplified, so
  the test puts every raw line through those same per-line steps (the public functions of
  ``policylab.clean``) and then checks that (a) the clean text, newlines dropped, is exactly the
  concatenation of the converted lines that were neither blank nor removed -- nothing removed
  slipped back, nothing kept was lost, only joins of broken lines happened -- and (b) no clean
  line equals a removed line's converted form, unless the page also keeps an identical line
  elsewhere (a title the page prints twice).
* dedup -- any texts, any number: one row per duplicate, its canonical copy is not itself a
  duplicate; the result does not depend on the input order.
* meta -- ``extract_metadata`` never raises; dates are dates or null.
* structure -- section ids unique within a document, every ``parent_id`` exists (and has a lower
  level), ``order`` runs 0..n-1; agencies and citations never raise.
* targets -- each target's ``sentence`` occurs in its document's (clean) text.
* tokenize -- never fails; tokens are non-empty and hold no white space; positions increase.
"""

from __future__ import annotations

import importlib
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policylab import clean, ingest
from policylab.corpus import load_corpus, process_file

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_LINES = tuple(
    x.strip() for p in sorted(SEEDS.glob("*.txt")) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()
)
NOISE = (
    "点赞 收藏 转发", "首页 > 政策信息 > 正文", "010-68321050", "扫码添加项目申报顾问", "THE END", "专属客服号",
    "发布时间:2022-12-12", "發文部門:南京市人民政府", "2020-11-17 2732", "图1 人工智能产业布局示意图",
    "*姓名 *手机号 获取验证码", "本文链接:http://example.gov.cn/a.html", "【打印本页】【关闭窗口】", "",
    "   ", "\u3000\u3000", "\t",
)
BRACKETS = "()（）[]【】〔〕《》“”‘’\"'"
LINE_BREAKS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def stage(name: str):
    """The stage module ``policylab.<name>``; a clear failure (not a skip) if it is missing."""
    try:
        return importlib.import_module(f"policylab.{name}")
    except ModuleNotFoundError as e:  # pragma: no cover - only while a stage is unwritten
        pytest.fail(f"policylab.{name} is missing ({e}); its property tests cannot run", pytrace=False)


# ---- strategies -----------------------------------------------------------------------------------

def _widths(line: str, flips: list[bool]) -> str:
    """Swap some characters between half- and full-width forms."""
    out = []
    for ch, f in zip(line, flips * (len(line) // max(1, len(flips)) + 1)):
        o = ord(ch)
        if f and 0x21 <= o <= 0x7E:
            out.append(chr(o + 0xFEE0))
        elif f and 0xFF01 <= o <= 0xFF5E:
            out.append(chr(o - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


@st.composite
def noisy_line(draw):
    kind = draw(st.integers(0, 9))
    if kind <= 3:
        line = draw(st.sampled_from(SEED_LINES))
    elif kind == 4:
        line = draw(st.sampled_from(NOISE))
    elif kind == 5:  # numbering that skips, repeats or changes style
        n = draw(st.sampled_from(["一", "二", "三", "十", "一", "0", "1", "1", "3", "99"]))
        fmt = draw(st.sampled_from(["{}、", "({})", "（{}）", "{}.", "{}. ", "{}．", "({}", "{})", "{}、{}、"]))
        line = fmt.format(n, n) + draw(st.sampled_from(SEED_LINES))[:40]
    elif kind == 6:
        line = draw(st.text(min_size=0, max_size=60))
    elif kind == 7:  # unbalanced brackets and quotes
        base = draw(st.sampled_from(SEED_LINES))
        pos = draw(st.integers(0, len(base)))
        line = base[:pos] + draw(st.text(alphabet=BRACKETS, min_size=1, max_size=4)) + base[pos:]
    elif kind == 8:
        line = _widths(draw(st.sampled_from(SEED_LINES)), draw(st.lists(st.booleans(), min_size=1, max_size=7)))
    else:  # a long line
        line = draw(st.sampled_from(SEED_LINES)) * draw(st.integers(5, 60))
    return line


@st.composite
def page_text(draw):
    """A page: a run of real seed lines mixed with noise lines, or random Unicode, maybe truncated."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.text(max_size=400))
    start = draw(st.integers(0, len(SEED_LINES) - 1))
    lines = list(SEED_LINES[start : start + draw(st.integers(0, 60))])
    for _ in range(draw(st.integers(0, 12))):
        lines.insert(draw(st.integers(0, len(lines))), draw(noisy_line()))
    if draw(st.booleans()):
        lines = draw(st.permutations(lines))
    breaks = draw(st.lists(st.sampled_from(LINE_BREAKS), min_size=1, max_size=3))
    text = "".join(line + breaks[i % len(breaks)] for i, line in enumerate(lines))
    if draw(st.integers(0, 3)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return text


ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le", "utf-32"]


@st.composite
def page_file(draw):
    """(file name, bytes): an encoded page, perhaps truncated or with flipped bytes, or random bytes."""
    ext = draw(st.sampled_from([".txt", ".txt", ".txt", ".html", ".htm", ".md", ""]))
    if draw(st.integers(0, 5)) == 0:
        return ext, draw(st.binary(max_size=300))
    text = draw(page_text())
    if ext in (".html", ".htm") and draw(st.booleans()):
        text = "<html><body>" + "".join(f"<p>{x}</p>" for x in text.split("\n")) + draw(st.sampled_from(["</body></html>", "<div><b>", ""]))
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    k = draw(st.integers(0, 4))
    if k == 0:  # truncated, often inside a multi-byte character
        data = data[: draw(st.integers(0, len(data)))]
    elif k == 1 and data:
        b = bytearray(data)
        for i in draw(st.lists(st.integers(0, len(b) - 1), max_size=8)):
            b[i] ^= 0x80
        data = bytes(b)
    return ext, data


# ---- ingest ---------------------------------------------------------------------------------------

@FAST
@given(data=st.binary(max_size=600))
def test_decode_gives_text_or_a_reason(data):
    try:
        text, enc = ingest.decode(data)
    except ingest.IngestError as e:
        assert str(e)
    else:
        assert isinstance(text, str) and enc
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)  # no lone surrogates reach a table


@SLOW
@given(files=st.lists(page_file(), min_size=1, max_size=6))
def test_every_file_ends_in_exactly_one_status(files):
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for i, (ext, data) in enumerate(files):
            names.append(f"p{i:02d}{ext}")
            Path(tmp, names[-1]).write_bytes(data)
        for name in names:  # the per-file stage never raises
            r = process_file(tmp, name)
            assert r["status"] in {"document", "rejected"} and (r["status"] == "document" or r["reason"])
        corpus = load_corpus(tmp, corrections=None)
    f = corpus.files
    assert sorted(f["path"]) == sorted(names)
    assert set(f["status"]) <= {"document", "duplicate", "rejected"}
    assert f.loc[f["status"] != "document", "reason"].notna().all()
    assert sorted(corpus.documents["doc_id"]) == sorted(f.loc[f["status"] == "document", "doc_id"])
    dup = f[f["status"] == "duplicate"]
    assert set(dup["duplicate_of"]) <= set(f.loc[f["status"] == "document", "path"])


# ---- clean ----------------------------------------------------------------------------------------

def converted_lines(raw: str) -> tuple[list[str], list[str]]:
    """(raw lines, lines after clean's per-line steps 1-3: normalise, repair artefacts, Simplified).

    Uses the same line split and public functions as :func:`policylab.clean.clean_page`, so the
    line numbers of ``removed`` index both lists.
    """
    r = clean.split_lines(raw) if hasattr(clean, "split_lines") else (
        raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").split("\n"))
    joined, _ = clean.repair_artefacts("\n".join(clean.normalise_line(x) for x in r))
    if clean.detect_script(joined) == "traditional":
        joined = clean.to_simplified(joined)
    return r, joined.split("\n")


def check_clean(raw: str):
    res = clean.clean_page(raw)
    text = res.text
    lines = text.split("\n") if text else []
    # the clean-text contract
    assert all(x and x == x.strip() for x in lines)
    assert text.splitlines() == lines, "a clean line holds a character other tools read as a line break"
    assert not any(0xFF01 <= ord(c) <= 0xFF5E or c == "\u3000" for c in text)
    raw_lines, conv = converted_lines(raw)
    assert len(raw_lines) == len(conv)
    # the audit: removed rows name real lines, once each, with the raw text as it stood
    nos = [r.line_no for r in res.removed]
    assert len(nos) == len(set(nos))
    for r in res.removed:
        assert 1 <= r.line_no <= len(raw_lines) and r.reason
        assert r.text == raw_lines[r.line_no - 1].strip()
    # (a) text = kept converted lines, joined; nothing removed comes back, nothing kept is lost
    removed_nos = set(nos)
    kept = [x for i, x in enumerate(conv, 1) if x and i not in removed_nos]
    assert text.replace("\n", "") == "".join(kept)
    # (b) no clean line is a removed line, unless the page keeps the same line elsewhere too
    kept_set = set(kept)
    clean_set = set(lines)
    for r in res.removed:
        form = conv[r.line_no - 1]
        assert form not in clean_set or form in kept_set, f"removed line back in the text: {form!r}"
    return res


@FAST
@given(raw=page_text())
def test_clean_never_keeps_a_removed_line(raw):
    check_clean(raw)


@FAST
@given(raw=st.text(max_size=300))
def test_clean_random_unicode(raw):
    check_clean(raw)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 4), breaks=st.sampled_from(LINE_BREAKS))
def test_clean_whole_seed_pages_with_other_line_breaks(seed, breaks):
    raw = sorted(SEEDS.glob("*.txt"))[seed].read_text(encoding="utf-8").replace("\n", breaks)
    res = check_clean(raw)
    assert len(res.text) > 1000  # a real page keeps its body whatever its line breaks


# ---- dedup ----------------------------------------------------------------------------------------

@SLOW
@given(texts=st.lists(st.one_of(page_text(), st.sampled_from(SEED_LINES)), min_size=0, max_size=6),
       order=st.randoms(use_true_random=False))
def test_dedup_is_consistent_and_order_free(texts, order):
    from policylab.dedup import find_duplicates

    docs = pd.DataFrame({"key": [f"k{i}" for i in range(len(texts))], "text": texts,
                         "script": "simplified", "noise": 0})
    out = find_duplicates(docs)
    assert out["key"].is_unique
    assert not set(out["canonical"]) & set(out["key"])
    assert set(out["key"]) | set(out["canonical"]) <= set(docs["key"])
    shuffled = docs.sample(frac=1.0, random_state=order.randint(0, 2**31))
    again = find_duplicates(shuffled).sort_values("key").reset_index(drop=True)
    pd.testing.assert_frame_equal(out.reset_index(drop=True), again, check_dtype=False)


# ---- meta, structure, targets, tokenize -------------------------------------------------------------

def _docs(texts: list[str]) -> pd.DataFrame:
    """documents-like rows of clean texts (what the later stages receive from load_corpus)."""
    out = [clean.clean_page(t).text for t in texts]
    return pd.DataFrame({"doc_id": [f"d{i:02d}" for i in range(len(out))], "text": out})


@FAST
@given(raw=page_text())
def test_metadata_never_fails(raw):
    meta = stage("meta")
    for text in (raw, clean.clean_page(raw).text):  # users call it on raw text too
        m = meta.extract_metadata(text)
        assert isinstance(m, dict)
        for k in ("issued", "published", "effective_from", "effective_to"):
            assert m.get(k) is None or isinstance(m[k], pd.Timestamp), (k, m.get(k))


def check_sections(secs: pd.DataFrame) -> None:
    dup = secs[secs.duplicated(["doc_id", "section_id"], keep=False)]
    assert dup.empty, f"section ids repeat: {dup[['doc_id', 'section_id', 'level', 'label']].values.tolist()}"
    level = dict(zip(zip(secs["doc_id"], secs["section_id"]), secs["level"]))
    for d, s, p, lv in zip(secs["doc_id"], secs["section_id"], secs["parent_id"], secs["level"]):
        if pd.notna(p):
            assert (d, p) in level, f"{d} section {s}: parent {p} does not exist"
            assert level[(d, p)] < lv
    for _, g in secs.groupby("doc_id"):
        assert sorted(g["order"]) == list(range(len(g)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(page_text(), min_size=1, max_size=3))
# a preamble (section '0') and a heading numbered 0 (0、 / 0.) must not share an id
@example(texts=["为加快人工智能产业发展,结合我市实际,制定本方案。\n0、总体要求\n到2025年,产业规模超过500亿元。"])
def test_sections_tree_is_well_formed(texts):
    structure = stage("structure")
    for docs in (_docs(texts), pd.DataFrame({"doc_id": [f"r{i}" for i in range(len(texts))], "text": texts})):
        secs = structure.parse_sections(docs)
        check_sections(secs)
        structure.extract_agencies(secs)
        structure.extract_citations(docs, None, secs)


@FAST
@given(texts=st.lists(page_text(), min_size=1, max_size=3))
def test_target_sentences_occur_in_their_document(texts):
    structure, targets = stage("structure"), stage("targets")
    docs = _docs(texts)
    tg = targets.extract_targets(structure.parse_sections(docs))
    text_of = dict(zip(docs["doc_id"], docs["text"]))
    for d, s in zip(tg["doc_id"], tg["sentence"]):
        assert isinstance(s, str) and s and s in text_of[d], (d, s)


@settings(max_examples=15, deadline=None)
@given(texts=st.lists(st.one_of(page_text(), st.text(max_size=200)), min_size=1, max_size=4))
def test_tokenize_never_fails(texts):
    segment = stage("segment")
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    with tempfile.TemporaryDirectory() as tmp:
        cold = segment.tokenize(docs, cache=tmp, n_jobs=1, numbers="keep", punctuation=True, stopwords=False)
        warm = segment.tokenize(docs, cache=tmp, n_jobs=1, numbers="keep", punctuation=True, stopwords=False)
    pd.testing.assert_frame_equal(cold, warm)
    assert all(t and not any(c.isspace() for c in t) for t in cold["token"].tolist())
    for _, g in cold.groupby("doc_id"):
        assert g["position"].is_monotonic_increasing and g["position"].is_unique
    # every non-space character of the (NFKC) text is in some token, in order
    for d, t in zip(docs["doc_id"], texts):
        got = "".join(cold.loc[cold["doc_id"] == d, "token"])
        want = "".join(c for c in unicodedata.normalize("NFKC", t) if not c.isspace())
        assert got == want
