"""Deduplicate: near-duplicates found without an all-pairs step, canonical copy chosen by rule."""

from __future__ import annotations

import pandas as pd

from policylab.dedup import find_duplicates, shingles

TEXT = (
    "为加快推进人工智能产业高质量发展,打造全国人工智能创新高地,结合我市实际,制定本行动计划。"
    "到2026年,全市人工智能核心产业营业收入突破3000亿元,培育大模型企业50家以上,建成智算中心3个。"
    "强化算力支撑,推动数据要素流通,深化场景开放,完善人才政策,加大财政资金支持力度。"
) * 4
OTHER = (
    "为深入实施创新驱动发展战略,加快建设现代化产业体系,推动制造业数字化转型,制定本实施意见。"
    "到2025年,规模以上工业企业数字化改造全覆盖,培育工业互联网平台20个,打造智能工厂100家。"
) * 4


def frame(rows):
    return pd.DataFrame(rows, columns=["key", "text", "script", "noise"])


def test_copies_with_boilerplate_and_small_edits_are_grouped():
    edited = TEXT.replace("3000亿元", "3500亿元").replace("50家", "60家")
    df = frame([
        ("a.txt", TEXT, "simplified", 0),
        ("b.txt", "首页 政策文件\n" + TEXT + "\n版权所有", "simplified", 3),
        ("c.txt", edited, "simplified", 0),
        ("d.txt", OTHER, "simplified", 0),
    ])
    d = find_duplicates(df)
    assert set(d["key"]) == {"b.txt", "c.txt"}
    assert set(d["canonical"]) == {"a.txt"}
    assert (d["similarity"] > 0.7).all()


def test_canonical_prefers_simplified_then_cleaner_then_longer():
    df = frame([("t.txt", TEXT, "traditional", 0), ("s.txt", TEXT, "simplified", 9)])
    assert find_duplicates(df).to_dict("records")[0]["canonical"] == "s.txt"
    df = frame([("noisy.txt", TEXT, "simplified", 9), ("clean.txt", TEXT, "simplified", 0)])
    assert find_duplicates(df)["canonical"].tolist() == ["clean.txt"]
    df = frame([("short.txt", TEXT[:-40], "simplified", 0), ("long.txt", TEXT, "simplified", 0)])
    assert find_duplicates(df)["canonical"].tolist() == ["long.txt"]


def test_different_documents_are_not_duplicates():
    assert find_duplicates(frame([("a", TEXT, "simplified", 0), ("b", OTHER, "simplified", 0)])).empty
    assert find_duplicates(frame([("a", TEXT, "simplified", 0)])).empty


def test_shingles_ignore_punctuation_and_spaces():
    assert shingles("人工 智能,产业。") == shingles("人工智能产业")


def test_no_all_pairs_step(monkeypatch):
    """Only pairs that MinHash LSH proposes are compared exactly: count the exact comparisons."""
    import policylab.dedup as dedup

    docs = [(f"{i}.txt", OTHER.replace("20个", f"{i}个") + f"第{i}号文件" * (i % 3), "simplified", 0) for i in range(3)]
    docs += [(f"u{i}.txt", "".join(chr(0x4E00 + (i * 977 + j * 31) % 20000) for j in range(300)), "simplified", 0)
             for i in range(40)]
    checked, exact = [], []
    real_pairs, real_exact = dedup._candidate_pairs, dedup.shingle_array

    def counting_pairs(*a):
        checked.extend(real_pairs(*a))
        return checked

    monkeypatch.setattr(dedup, "_candidate_pairs", counting_pairs)
    monkeypatch.setattr(dedup, "shingle_array", lambda t, k=5: exact.append(t) or real_exact(t, k))
    d = find_duplicates(frame(docs))
    assert set(d["key"]) | set(d["canonical"]) == {"0.txt", "1.txt", "2.txt"}
    assert 3 <= len(checked) < 43 * 42 / 2 / 10  # the three copies' pairs, far fewer than all 903
    assert 3 <= len(exact) <= 3 + 2  # exact shingles only for the copies (and any pair near a threshold)


# ---- vectorised hashing: same decisions as exact all-pairs comparison ----------------------------
def _exact_groups(df, threshold=0.7, containment=0.9):
    """Duplicate groups by brute force: every pair, exact shingle sets (the definition)."""
    sets = {k: shingles(t) for k, t in zip(df["key"], df["text"])}
    keys = list(sets)
    parent = {k: k for k in keys}

    def find(k):
        while parent[k] != k:
            k = parent[k]
        return k

    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            inter = len(sets[a] & sets[b])
            jac = inter / max(1, len(sets[a] | sets[b]))
            cont = inter / max(1, min(len(sets[a]), len(sets[b])))
            if jac >= threshold or cont >= containment:
                parent[find(a)] = find(b)
    groups = {}
    for k in keys:
        groups.setdefault(find(k), set()).add(k)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def test_decisions_equal_exact_all_pairs_on_seed_variants(corpus, seeds_dir):
    """Seed documents, raw seed pages and crafted pages, plus planted copies of the kinds a scrape has."""
    from pathlib import Path

    texts = {f"doc_{d}": t for d, t in zip(corpus.documents["doc_id"], corpus.documents["text"])}
    texts.update({f"raw_{p.name}": p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))})
    pages = Path(__file__).parent / "fixtures" / "pages"
    texts.update({f"page_{p.name}": p.read_text(encoding="utf-8", errors="replace") for p in sorted(pages.iterdir()) if p.is_file()})
    for k, t in list(texts.items())[:4]:
        lines = t.split("\n")
        texts[f"{k}_chrome"] = "首页 > 政策文件\n" + t + "\n扫一扫在手机打开当前页\n版权所有"
        texts[f"{k}_cut"] = "\n".join(lines[: int(len(lines) * 0.85)])  # the end cut off: containment
        texts[f"{k}_edited"] = t.replace("人工智能", "智能").replace("2025", "2026")
        texts[f"{k}_other_end"] = "\n".join(lines[: int(len(lines) * 0.8)] + list(texts.values())[4][:1500].split("\n"))
        texts[f"{k}_other_half"] = "\n".join(lines[: len(lines) // 3] + list(texts.values())[5].split("\n"))
    df = frame([(k, t, "simplified", 0) for k, t in texts.items()])
    got = find_duplicates(df)
    groups = {}
    for k, c in zip(got["key"], got["canonical"]):
        groups.setdefault(c, {c}).add(k)
    assert sorted(sorted(g) for g in groups.values()) == _exact_groups(df)
    assert len(got) >= 8


def test_shingle_hashes_match_exact_sets(corpus):
    from policylab.dedup import _overlap, shingle_hashes

    texts = list(corpus.documents["text"])
    for t in texts + ["", "。", "abc", "人工智能", "a_b c", "𠀀𠀁中文字符𝐀x"]:
        assert len(shingle_hashes(t)) == len(shingles(t))
    for a in texts:
        for b in texts:
            ja, ca = _overlap(shingle_hashes(a), shingle_hashes(b))
            je, ce = _overlap(shingles(a), shingles(b))
            assert (ja, ca) == (je, ce)


def _variants(corpus, seeds_dir):
    """Seed documents, raw pages and crafted pages with planted copies (as the test above)."""
    from pathlib import Path

    texts = {f"doc_{d}": t for d, t in zip(corpus.documents["doc_id"], corpus.documents["text"])}
    texts.update({f"raw_{p.name}": p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))})
    pages = Path(__file__).parent / "fixtures" / "pages"
    texts.update({f"page_{p.name}": p.read_text(encoding="utf-8", errors="replace") for p in sorted(pages.iterdir()) if p.is_file()})
    for k, t in list(texts.items())[:4]:
        texts[f"{k}_chrome"] = "首页 > 政策文件\n" + t + "\n版权所有"
        texts[f"{k}_cut"] = t[: int(len(t) * 0.85)]
        texts[f"{k}_edited"] = t.replace("人工智能", "智能").replace("2025", "2026")
    return frame([(k, t, "simplified", 0) for k, t in texts.items()])


def test_sketches_made_elsewhere_give_the_same_verdicts(corpus, seeds_dir):
    """Sketches computed where pages are cleaned (the build's workers) change no verdict or figure."""
    from policylab.dedup import sketch

    df = _variants(corpus, seeds_dir)
    plain = find_duplicates(df)
    with_sketch = find_duplicates(df.assign(sketch=[sketch(t) for t in df["text"]]))
    pd.testing.assert_frame_equal(plain, with_sketch)
    assert len(plain) >= 8


def test_sample_screen_drops_only_pairs_far_below_the_thresholds(corpus):
    """The screen on a quarter of the hashes never drops a pair at a threshold, and does drop
    pairs of different documents (else it would screen nothing)."""
    import numpy as np

    from policylab.dedup import _overlap, _screened_on_samples, shingle_hashes, sketch

    def sample(t):
        return np.frombuffer(sketch(t)[1], dtype=np.uint64)

    texts = list(corpus.documents["text"])
    dropped = 0
    for a in texts:
        for b in texts:
            if a is b:
                continue
            jac, cont = _overlap(shingle_hashes(a), shingle_hashes(b))
            dropped += _screened_on_samples(sample(a), sample(b), 0.7, 0.9)
            assert jac < 0.5 and cont < 0.7  # different documents: far below
        # near the thresholds: a shortened copy (containment 1.0), an edited copy
        for near in (a[: len(a) // 2], a.replace("人工智能", "智能").replace("发展", "推进")):
            jac, cont = _overlap(shingle_hashes(a), shingle_hashes(near))
            assert jac >= 0.6 or cont >= 0.85
            assert not _screened_on_samples(sample(a), sample(near), 0.7, 0.9)
    assert dropped == len(texts) * (len(texts) - 1)


def test_shingle_array_is_the_exact_shingle_set(corpus):
    from policylab.dedup import _overlap, shingle_array

    texts = list(corpus.documents["text"])
    for t in texts + ["", "。", "abc", "人工智能", "a_b c", "𠀀𠀁中文字符𝐀x", "人工智能产业"]:
        got = {x.tobytes().decode("utf-32-le").rstrip("\x00") for x in shingle_array(t)}
        assert got == shingles(t) and len(shingle_array(t)) == len(shingles(t))
    for a in texts:
        for b in texts + ["人工智能", ""]:
            assert _overlap(shingle_array(a), shingle_array(b)) == _overlap(shingles(a), shingles(b))


def test_word_character_table_is_str_isalnum():
    """The vectorised table of characters the shingles keep is Python's own ``str.isalnum``."""
    import numpy as np

    from policylab.dedup import _bmp_word_table

    expected = np.fromiter((chr(i).isalnum() for i in range(0x10000)), dtype=bool, count=0x10000)
    assert np.array_equal(_bmp_word_table(), expected)
