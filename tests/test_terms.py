"""Term discovery (issue 13): planted new terms are found and ranked above chance pairs."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from policylab import schema, segment
from policylab.cli import main
from policylab.terms import discover_terms, write_user_dict

# invented terms the dictionaries cannot know; jieba cuts each into 2-3 tokens
PLANTED = ["灵犀算网", "星火智训", "云雀语料港", "天枢智链", "模训补贴包", "具身灵巧模组"]
VERBS = ["加快", "推动", "支持", "鼓励", "建设", "培育", "完善", "提升", "布局", "探索"]
NOUNS = ["企业", "平台", "产业", "应用", "服务", "园区", "项目", "人才", "生态", "标准", "场景", "机构"]
KNOWN = ["智算中心", "大模型", "算力券", "具身智能"]
TEMPLATES = [
    "{v}{n}{T}{n2},{v2}{n}{n2}。",
    "围绕{T}{v}{n2}{n}。",
    "{v}{K}与{T}协同发展,{v2}{n}。",
    "依托{T},{v}{n}{n2}。",
    "{v}{n}{n2},{v2}{K}{n}。",
    "对{T}给予{n}{n2}。",
]


def crafted_corpus(n_docs: int = 40, random_state: int = 7, n_sentences: int = 12) -> list[str]:
    """Policy-like sentences: planted terms in varied contexts among random verb-noun pairs."""
    rng = random.Random(random_state)
    docs = []
    for _ in range(n_docs):
        sentences = []
        for _ in range(n_sentences):
            tpl = rng.choice(TEMPLATES)
            term = rng.choice(PLANTED) if rng.random() < 0.6 else rng.choice(NOUNS) + rng.choice(NOUNS)
            sentences.append(tpl.format(v=rng.choice(VERBS), v2=rng.choice(VERBS), n=rng.choice(NOUNS),
                                        n2=rng.choice(NOUNS), T=term, K=rng.choice(KNOWN)))
        docs.append("\n".join(sentences))
    return docs


@pytest.fixture(scope="module")
def docs():
    return crafted_corpus()


@pytest.fixture(scope="module")
def found(docs):
    return discover_terms(docs, cache=False)


def test_planted_terms_are_found_and_ranked_above_chance_pairs(found):
    schema.validate("term_candidates", found)
    assert set(PLANTED) <= set(found["term"])
    ranks = found.set_index("term")["rank"]
    worst_planted = max(ranks[t] for t in PLANTED)
    # every candidate made only of the template's verbs and nouns is a chance meeting
    filler = set(VERBS) | set(NOUNS)
    chance = found[found["parts"].map(lambda p: set(p.split()) <= filler)]
    assert len(chance) >= 10  # there are chance pairs frequent enough to compete
    assert worst_planted < chance["rank"].min()
    top = found.set_index("term").loc[PLANTED]
    assert (top["pmi"] > chance["pmi"].max()).all()
    assert (top[["left_entropy", "right_entropy"]].min(axis=1) > 1.0).all()
    # pieces of a longer planted term are not proposed on their own
    assert "云雀语料" not in set(found["term"]) and "灵巧模组" not in set(found["term"])
    assert found["rank"].tolist() == list(range(1, len(found) + 1))


def test_statistics_are_the_counts(docs, found):
    row = found.set_index("term").loc["灵犀算网"]
    assert row["frequency"] == sum(d.count("灵犀算网") for d in docs)
    assert row["doc_frequency"] == sum("灵犀算网" in d for d in docs)
    assert row["parts"] == "灵犀 算网" and row["n_parts"] == 2
    assert "灵犀算网" in row["example"]
    assert found["score"].is_monotonic_decreasing


def test_known_terms_are_left_out_unless_asked(docs):
    # a known term cut by the segmenter would show up; here 具身智能 is whole, so ask for known
    # candidates with a dictionary that holds a planted term
    import os
    import tempfile

    d = tempfile.mkdtemp()
    user = os.path.join(d, "user.txt")
    with open(user, "w", encoding="utf-8") as f:
        f.write("灵犀算网 n\n")
    with_user = discover_terms(docs, user_dicts=[user], cache=False)
    assert "灵犀算网" not in set(with_user["term"])  # now one token: no longer a candidate
    pieces = discover_terms(docs, cache=False, include_known=True, min_count=3)
    assert not pieces["known"].any() or set(pieces.loc[pieces["known"], "term"]) <= segment.domain_terms()


def test_inputs_tokens_table_and_token_lists(docs, found):
    df = pd.DataFrame({"doc_id": [f"x{i}" for i in range(len(docs))], "text": docs})
    toks = segment.tokenize(df, stopwords=False, punctuation=True, numbers="keep", cache=False)
    from_table = discover_terms(toks)
    pd.testing.assert_frame_equal(from_table, found)
    lists = [toks.loc[toks["doc_id"] == f"x{i}", "token"].tolist() for i in range(len(docs))]
    assert discover_terms(lists)["term"].tolist() == found["term"].tolist()
    # a tokens table with stopwords and punctuation dropped: runs break at the gaps, terms remain
    assert set(PLANTED) <= set(discover_terms(segment.tokenize(df, cache=False))["term"])
    assert discover_terms([], cache=False).empty
    with pytest.raises(ValueError):
        discover_terms(docs, max_n=1)
    with pytest.raises(ValueError, match="columns"):
        discover_terms(pd.DataFrame({"a": [1]}))


def test_review_round_trip_user_dictionary(tmp_path, docs, found):
    reviewed = found.head(8).assign(keep=["yes" if t in PLANTED else "" for t in found.head(8)["term"]])
    jieba_file = write_user_dict(reviewed, tmp_path / "user.txt")
    csv_file = write_user_dict(reviewed, tmp_path / "user.csv")
    assert set(segment.read_dictionary(jieba_file)["term"]) == set(PLANTED) & set(reviewed["term"])
    d = pd.read_csv(csv_file, dtype=str, keep_default_na=False)
    assert list(d.columns) == ["term", "pos", "freq", "source"] and (d["freq"] == "").all()
    # the terms now come out whole, and discovery no longer proposes them
    df = pd.DataFrame({"doc_id": ["a"], "text": ["依托灵犀算网和星火智训,建设云雀语料港。"]})
    toks = segment.tokenize(df, user_dicts=[jieba_file], cache=False)["token"].tolist()
    assert {"灵犀算网", "星火智训", "云雀语料港"} <= set(toks)
    again = discover_terms(docs, user_dicts=[csv_file], cache=False)
    assert not (set(again["term"]) & set(PLANTED) & set(reviewed["term"]))
    # the discovery CSV itself is a valid user dictionary (its counts set no jieba frequency)
    found.head(3).to_csv(tmp_path / "terms.csv", index=False)
    d2 = segment.read_dictionary(tmp_path / "terms.csv")
    assert d2["freq"].isna().all() and len(d2) == 3


def test_cli_terms(tmp_path, capsys):
    src = tmp_path / "pages"
    src.mkdir()
    for i, text in enumerate(crafted_corpus(12, random_state=3, n_sentences=30)):
        (src / f"p{i:02d}.txt").write_text(
            f"苏州市推进人工智能产业发展实施方案\n一、重点任务\n{text}\n二、保障措施\n"
            "加强组织领导,落实工作责任。(责任单位:市科技局)\n", encoding="utf-8")
    out = tmp_path / "terms.csv"
    assert main(["terms", str(src), "--out", str(out), "--dict-out", str(tmp_path / "u.txt"), "-q"]) == 0
    t = pd.read_csv(out)
    assert list(t.columns) == schema.columns("term_candidates")
    assert set(PLANTED) <= set(t["term"])
    assert "candidate terms" in capsys.readouterr().out
    assert main(["terms", str(tmp_path / "missing"), "--out", str(out), "-q"]) == 2
