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
    calls = {"n": 0}
    real = set.__and__

    class CountingSet(set):
        def __and__(self, other):
            calls["n"] += 1
            return real(self, other)

    monkeypatch.setattr(dedup, "shingles", lambda t, k=5: CountingSet(set(shingles(t, k))))
    d = find_duplicates(frame(docs))
    assert set(d["key"]) | set(d["canonical"]) == {"0.txt", "1.txt", "2.txt"}
    assert calls["n"] < 43 * 42 / 2 / 10  # far fewer than all 903 pairs
