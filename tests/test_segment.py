"""Segmentation: domain dictionary, golden terms, numbers rule, engines, cache, processes."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policylab import resources, schema
from policylab import segment
from policylab.segment import tokenize

# (domain term, a realistic sentence in which it must come out as ONE token); sentences are
# taken from the seed plans or written in their style
GOLDEN = [
    ("先导区", "加快南京国家人工智能创新应用先导区建设,促进人工智能深度赋能实体经济。"),
    ("试验区", "加快建设成都国家新一代人工智能创新发展试验区,结合成都实际,制定本实施方案。"),
    ("揭榜挂帅", "建立人工智能产业创新任务揭榜挂帅竞赛制度,完善人工智能创新产品应用推广体系。"),
    ("专精特新", "省级以上专精特新小巨人企业和单项冠军企业达到30家。"),
    ("小巨人", "省级以上专精特新小巨人企业和单项冠军企业达到30家。"),
    ("单项冠军", "省级以上专精特新小巨人企业和单项冠军企业达到30家。"),
    ("智算中心", "支持建设面向大模型训练的智算中心,为中小企业提供普惠算力服务。"),
    ("大模型", "支持龙头企业研发行业大模型和通用大模型,推动大模型在政务领域落地应用。"),
    ("行业大模型", "鼓励企业围绕制造、医疗等重点领域开发行业大模型。"),
    ("人工智能+", "深入实施“人工智能+”行动,推动人工智能与经济社会各领域深度融合。"),
    ("算力券", "面向中小企业发放算力券,降低企业使用智能算力的成本。"),
    ("城市大脑", "建设城市大脑,提升城市治理智能化水平。"),
    ("类脑智能", "开展类脑智能、量子智能计算等前沿基础理论研究。"),
    ("类脑计算", "支持高校开展类脑计算与脑机接口等基础研究。"),
    ("脑机接口", "支持高校开展类脑计算与脑机接口等基础研究。"),
    ("群体智能", "突破群体智能、跨媒体感知、混合增强智能等关键技术。"),
    ("跨媒体感知", "突破群体智能、跨媒体感知、混合增强智能等关键技术。"),
    ("混合增强智能", "突破群体智能、跨媒体感知、混合增强智能等关键技术。"),
    ("算力", "健全算力数据、开源开放、融合创新平台体系。"),
    ("一核一区多园", "构建“一核一区多园”全域联动发展空间格局。"),
    ("车路协同", "开展车路协同和自动驾驶道路测试,建设智能网联汽车测试示范区。"),
    ("自动驾驶", "开展车路协同和自动驾驶道路测试,建设智能网联汽车测试示范区。"),
    ("智能网联汽车", "开展车路协同和自动驾驶道路测试,建设智能网联汽车测试示范区。"),
    ("示范区", "开展车路协同和自动驾驶道路测试,建设智能网联汽车测试示范区。"),
    ("元宇宙", "前瞻布局元宇宙、数字孪生等未来产业。"),
    ("数字孪生", "前瞻布局元宇宙、数字孪生等未来产业。"),
    ("独角兽企业", "培育一批独角兽企业和瞪羚企业。"),
    ("瞪羚企业", "培育一批独角兽企业和瞪羚企业。"),
    ("新基建", "抢抓新基建机遇,加快5G基站和数据中心建设。"),
    ("数据中心", "抢抓新基建机遇,加快5G基站和数据中心建设。"),
    ("双城经济圈", "主动融入双城经济圈建设,深化川渝合作。"),
    ("长三角一体化", "落实长三角一体化战略部署,加强区域合作。"),
    ("产业链", "围绕产业链部署创新链,围绕创新链布局产业链。"),
    ("创新链", "围绕产业链部署创新链,围绕创新链布局产业链。"),
    ("链长制", "全面推行重点产业链链长制,由市领导担任链长。"),
    ("首台套", "对首台套重大技术装备给予保险补偿。"),
    ("应用场景", "每年发布人工智能应用场景清单,打造“3+4”应用场景。"),
    ("知识图谱", "研发知识图谱、自然语言处理等通用技术。"),
    ("自然语言处理", "研发知识图谱、自然语言处理等通用技术。"),
    ("计算机视觉", "在计算机视觉、智能语音等领域形成一批优势企业。"),
    ("智能语音", "在计算机视觉、智能语音等领域形成一批优势企业。"),
    ("深度学习", "加强深度学习、强化学习等基础算法研究。"),
    ("生成式人工智能", "规范生成式人工智能服务,促进其健康发展。"),
    ("具身智能", "布局具身智能、人形机器人等新赛道。"),
    ("人形机器人", "布局具身智能、人形机器人等新赛道。"),
    ("工业互联网", "推进工业互联网平台建设,实施企业上云行动。"),
    ("智能制造", "推动智能制造装备研发,建设一批智能工厂和数字化车间。"),
    ("智能工厂", "推动智能制造装备研发,建设一批智能工厂和数字化车间。"),
    ("数字化车间", "推动智能制造装备研发,建设一批智能工厂和数字化车间。"),
    ("智能化改造", "支持企业开展智能化改造,进一步降低生产成本。"),
    ("数字化转型", "推动中小企业数字化转型和智能化升级。"),
    ("智慧城市", "建设新型智慧城市,推进一网通办和一网统管。"),
    ("一网通办", "建设新型智慧城市,推进一网通办和一网统管。"),
    ("一网统管", "建设新型智慧城市,推进一网通办和一网统管。"),
    ("包容审慎", "探索包容审慎、先行先试、创新前沿的人工智能新政策体系。"),
    ("先行先试", "探索包容审慎、先行先试、创新前沿的人工智能新政策体系。"),
    ("产学研", "凝聚产学研合力形成引领性成果。"),
    ("新型研发机构", "支持高校院所与企业共建新型研发机构。"),
    ("众创空间", "支持建设人工智能领域孵化器和众创空间。"),
    ("孵化器", "支持建设人工智能领域孵化器和众创空间。"),
    ("引导基金", "发挥市级产业引导基金作用,吸引社会资本投资人工智能企业。"),
    ("高层次人才", "引进培养一批高层次人才和创新团队。"),
    ("领军人才", "引进培养一批高层次战略科学家和领军人才。"),
    ("战略科学家", "引进培养一批高层次战略科学家和领军人才。"),
    ("十四五", "“十四五”时期,我市人工智能产业规模持续扩大。"),
    ("智能传感器", "发展智能传感器、神经网络芯片等核心基础器件。"),
    ("神经网络芯片", "发展智能传感器、神经网络芯片等核心基础器件。"),
    ("隐私计算", "探索隐私计算、区块链等技术在数据流通中的应用。"),
    ("数据要素", "培育数据要素市场,推动公共数据开放共享。"),
    ("公共数据", "培育数据要素市场,推动公共数据开放共享。"),
    ("人机协同", "推动人机协同的混合增强智能理论研究。"),
    ("无人配送", "在园区开展无人配送、无人零售等新业态试点。"),
    ("智慧医疗", "发展智慧医疗、智慧教育、智慧养老等应用。"),
    ("智慧养老", "发展智慧医疗、智慧教育、智慧养老等应用。"),
    ("营商环境", "持续优化营商环境,落实一企一策服务机制。"),
    ("一企一策", "持续优化营商环境,落实一企一策服务机制。"),
    ("新质生产力", "以人工智能赋能新质生产力加快形成。"),
]


def test_golden_domain_terms_are_single_tokens():
    assert len({t for t, _ in GOLDEN}) >= 50
    terms = segment.domain_terms()
    assert all(t in terms for t, _ in GOLDEN)
    df = pd.DataFrame({"doc_id": [f"g{i:03d}" for i in range(len(GOLDEN))], "text": [s for _, s in GOLDEN]})
    toks = tokenize(df, cache=False, stopwords=False, punctuation=True, numbers="keep")
    by_doc = toks.groupby("doc_id")["token"].apply(list)
    failures = [(t, "/".join(by_doc[f"g{i:03d}"])) for i, (t, _) in enumerate(GOLDEN)
                if t not in by_doc[f"g{i:03d}"]]
    assert failures == []


def test_domain_dictionary_file_is_reviewed_data():
    with open(resources.path("domain_dict.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["term", "pos", "freq", "source"]
    terms = [r["term"] for r in rows]
    assert len(terms) >= 300 and len(set(terms)) == len(terms)
    assert all(r["source"].strip() and r["pos"].strip() for r in rows)
    for t in ["先导区", "试验区", "揭榜挂帅", "专精特新", "智算中心", "大模型", "人工智能+", "算力券", "城市大脑", "类脑智能"]:
        assert t in terms
    # no reviewed term is also a stopword (it would vanish from every count)
    stop = segment.load_stopwords(boilerplate=True)
    assert not (set(terms) & stop)


def test_dictionary_never_lowers_builtin_frequency():
    import jieba

    builtin = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        for line in f:
            word, freq, _ = line.split(" ", 2)
            builtin[word] = int(freq)
    for engine in ["jieba", "rjieba"]:
        seg = segment.get_segmenter(engine=engine)
        for term in ["产业链", "知识产权", "示范区", "操作系统"]:  # in jieba's own dictionary too
            assert seg.tk.FREQ[term] >= builtin[term] > 0
        assert "揭榜挂帅" not in builtin and seg.tk.FREQ["揭榜挂帅"] >= segment.MIN_TERM_FREQ


def test_jieba_prefix_cache_goes_to_project_cache():
    import tempfile

    from policylab import cache

    tk = segment.get_segmenter(engine="jieba").tk
    assert Path(tk.tmp_dir, tk.cache_file).is_file()
    assert Path(tk.tmp_dir).resolve() != Path(tempfile.gettempdir()).resolve()
    assert Path(tk.tmp_dir).name == "jieba" and Path(tk.tmp_dir).parent == cache.cache_root()


def test_jieba_fast_equals_jieba_on_seeds(corpus, seeds_dir):
    pytest.importorskip("jieba_fast", reason="jieba_fast is only installed on Linux")
    texts = list(corpus.documents["text"]) + [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    df = pd.DataFrame({"doc_id": [f"t{i}" for i in range(len(texts))], "text": texts})
    opts = dict(cache=False, stopwords=False, punctuation=True, numbers="keep", n_jobs=1)
    slow = tokenize(df, engine="jieba", **opts)
    fast = tokenize(df, engine="jieba_fast", **opts)
    assert len(slow) > 30000
    pd.testing.assert_frame_equal(slow, fast)
    assert fast.attrs["segmenter"].startswith("jieba_fast")


def test_tokens_table_schema_and_positions(corpus):
    toks = tokenize(corpus.documents)
    schema.validate("tokens", toks)
    assert toks["pos"].isna().all()
    assert set(toks["doc_id"]) == set(corpus.documents["doc_id"])
    # positions increase within a document and keep gaps where stopwords/punctuation were dropped
    for _, g in toks.groupby("doc_id"):
        p = g["position"].to_numpy()
        assert (p[1:] > p[:-1]).all()
    full = tokenize(corpus.documents, stopwords=False, punctuation=True, numbers="keep")
    assert len(full) > len(toks)
    # the full stream spells the text (minus whitespace), so nothing is lost
    for doc_id, text in zip(corpus.documents["doc_id"], corpus.documents["text"]):
        spelled = "".join(full.loc[full["doc_id"] == doc_id, "token"])
        assert spelled == "".join(text.split())
    merged = full.merge(toks, on=["doc_id", "position"], suffixes=("_full", ""))
    assert len(merged) == len(toks) and (merged["token"] == merged["token_full"]).all()


def test_numbers_rule_and_options():
    df = pd.DataFrame({"doc_id": ["d"], "text": ["到2025年,“十四五”期间培育二十家专精特新企业,增长15%。"]})
    dropped = tokenize(df, cache=False)["token"].tolist()
    assert "2025" not in dropped and "15%" not in dropped and "二十" not in dropped
    assert "十四五" in dropped  # a dictionary term is never treated as a number
    kept = tokenize(df, cache=False, numbers="keep")["token"].tolist()
    assert {"2025", "15%"} <= set(kept)
    assert "," in tokenize(df, cache=False, punctuation=True)["token"].tolist()
    assert "年" in dropped and "年" not in tokenize(df, cache=False, boilerplate=True)["token"].tolist()
    assert all(len(t) > 1 for t in tokenize(df, cache=False, keep_single_chars=False)["token"])
    with pytest.raises(ValueError, match="numbers"):
        tokenize(df, cache=False, numbers="mask")


def test_raw_full_width_text_segments_like_clean_text():
    raw = pd.DataFrame({"doc_id": ["d"], "text": ["到２０２５年，建成智算中心（一期）；推进“揭榜挂帅”！"]})
    clean = pd.DataFrame({"doc_id": ["d"], "text": ["到2025年,建成智算中心(一期);推进“揭榜挂帅”!"]})
    opts = dict(cache=False, stopwords=False, punctuation=True, numbers="keep")
    pd.testing.assert_frame_equal(tokenize(raw, **opts), tokenize(clean, **opts))


def test_user_dictionary_and_stopword_files(tmp_path, monkeypatch):
    text = pd.DataFrame({"doc_id": ["d"], "text": ["依托智链通平台推进产业协同。"]})
    assert "智链通" not in tokenize(text, cache=False)["token"].tolist()
    d = tmp_path / "my_terms.csv"
    d.write_text("term,pos,source\n智链通,nz,my project\n", encoding="utf-8")
    assert "智链通" in tokenize(text, cache=False, user_dicts=[d])["token"].tolist()
    j = tmp_path / "my_terms.txt"
    j.write_text("# jieba format\n智链通 nz\n", encoding="utf-8")
    assert "智链通" in tokenize(text, cache=False, user_dicts=[j])["token"].tolist()
    s = tmp_path / "my_stop.txt"
    s.write_text("# mine\n平台\n", encoding="utf-8")
    assert "平台" not in tokenize(text, cache=False, user_stopwords=[s])["token"].tolist()
    assert "平台" not in tokenize(text, cache=False, extra_stopwords=["平台"])["token"].tolist()
    monkeypatch.setenv(segment.ENV_USER_DICTS, str(d))
    monkeypatch.setenv(segment.ENV_USER_STOPWORDS, str(s))
    via_env = tokenize(text, cache=False)["token"].tolist()
    assert "智链通" in via_env and "平台" not in via_env


def test_units_and_pos():
    sections = pd.DataFrame({"doc_id": ["d", "d"], "section_id": ["0", "1"],
                             "text": ["建立揭榜挂帅制度。", "建设智算中心。"]})
    t = tokenize(sections, unit_col="section_id", cache=False, pos=True)
    schema.validate("section_tokens", t)
    assert t.groupby("section_id")["position"].min().tolist() == [0, 0]  # restarts per unit
    tags = dict(zip(t["token"], t["pos"]))
    assert tags["揭榜挂帅"] == "n" and tags["智算中心"] == "n"
    with pytest.raises(ValueError, match="unit_col"):
        tokenize(sections, cache=False)


def test_processes_give_the_same_table(corpus):
    a = tokenize(corpus.documents, cache=False, n_jobs=1)
    b = tokenize(corpus.documents, cache=False, n_jobs=2)
    pd.testing.assert_frame_equal(a, b)


def test_workers_started_before_the_parent_has_a_segmenter_cut_the_same(corpus, monkeypatch, tmp_path):
    """A fresh process (no segmenter yet) cutting with rjieba over two processes builds none itself:
    the workers build jieba-rs's dictionary while it reads the term frequencies, which the chunks
    carry to them -- user dictionary terms included. The table is the one process's."""
    pytest.importorskip("rjieba", reason="rjieba is an optional engine")
    user = tmp_path / "user.txt"
    user.write_text("智算底座 5 n\n数据要素市场 n\n", encoding="utf-8")
    docs = corpus.documents.assign(text=corpus.documents["text"] + "\n建设智算底座,培育数据要素市场。")
    for dicts in ((), (str(user),)):
        one = tokenize(docs, cache=False, n_jobs=1, user_dicts=dicts)
        monkeypatch.setattr(segment, "_SEGMENTERS", {})
        monkeypatch.setattr(segment, "_RJIEBA_TERMS", {})
        monkeypatch.setattr(segment, "PARALLEL_MIN_CHARS", 0)
        two = tokenize(docs, cache=False, n_jobs=2, user_dicts=dicts)
        assert segment._SEGMENTERS == {}  # built in the workers only
        assert two.attrs["segmenter"].startswith("rjieba")
        pd.testing.assert_frame_equal(one, two)
    assert {"智算底座", "数据要素市场"} <= set(two["token"])


def test_table_cache_written_while_segmenting_is_whole_or_absent(corpus, tmp_path, monkeypatch):
    """The whole-table entry is written batch by batch (cache.FrameWriter): a call that fails
    halfway leaves no entry and no partial file; a complete one reads back as the call's table,
    with every batch in it (section ids too)."""
    docs = corpus.documents
    monkeypatch.setattr(segment, "FILTER_TOKENS", 500)  # many batches, so many parts are written
    monkeypatch.setattr(segment, "TABLE_ROW_GROUP", 3000)  # and several row groups, each of many parts
    real, calls = segment.drop_mask, []

    def fail_late(*a, **k):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("interrupted")
        return real(*a, **k)

    with monkeypatch.context() as m:
        m.setattr(segment, "drop_mask", fail_late)
        with pytest.raises(RuntimeError, match="interrupted"):
            tokenize(docs, cache=tmp_path, n_jobs=1)
    assert len(calls) == 3  # it failed after writing two parts
    assert not [p for p in (tmp_path / "tokens_tables").rglob("*") if p.is_file()]  # no entry, no .tmp file
    first = tokenize(docs, cache=tmp_path, n_jobs=1)
    assert first.attrs["table_cache"] is False and first.attrs["segmented"] == 0  # streams were cached
    second = tokenize(docs, cache=tmp_path, n_jobs=1)
    assert second.attrs["table_cache"] is True
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(second, tokenize(docs, cache=False, n_jobs=1))
    # the parts make the file one write of the whole table makes, byte for byte
    (entry,) = [p for p in (tmp_path / "tokens_tables").rglob("*.parquet")]
    whole = first.copy()
    whole.attrs = {}
    whole.to_parquet(tmp_path / "whole.parquet", index=False, row_group_size=segment.TABLE_ROW_GROUP,
                     **segment.TABLE_PARQUET)
    assert len(whole) > 3 * segment.TABLE_ROW_GROUP
    assert entry.read_bytes() == (tmp_path / "whole.parquet").read_bytes()
    sections = corpus.sections[["doc_id", "section_id", "text"]]
    cold = tokenize(sections, unit_col="section_id", cache=tmp_path)
    warm = tokenize(sections, unit_col="section_id", cache=tmp_path)
    assert warm.attrs["table_cache"] is True
    pd.testing.assert_frame_equal(cold, warm)


def test_workers_start_before_hashing_only_when_every_text_will_be_cut(corpus, tmp_path):
    """segment._early_pool: with no cache or an empty one every non-empty text is a miss, so the
    workers start at once; a cache holding entries decides first. The table is the same either
    way, and a call with nothing to cut leaves no worker behind."""
    import multiprocessing as mp

    from policylab import cache as _cache

    docs = corpus.documents
    text = pd.Series(list(docs["text"]) * 40)  # above PARALLEL_MIN_CHARS
    config = segment._make_config((), True, False, "auto", str(tmp_path))
    fp = segment._fingerprint(config)
    store, tables = _cache.StreamStore("tokens", tmp_path), _cache.Store("tokens_tables", tmp_path)
    for n_jobs, st, tb, started in ((2, store, tables, True), (2, None, None, True), (1, None, None, False)):
        pool = segment._early_pool(text, config, fp, n_jobs, st, tb)
        assert (pool is not None) == started
        if pool is not None:
            assert pool[2] == 2
            pool[0].shutdown()
    tables.put_json("an-entry", 1)  # not empty any more: the cache is read first
    assert segment._early_pool(text, config, fp, 2, store, tables) is None
    blank = pd.DataFrame({"doc_id": ["a", "b"], "text": [" " * 300_000, "\n" * 300_000]})
    assert tokenize(blank, cache=False, n_jobs=2).empty
    for child in mp.active_children():
        child.join(timeout=10)
    assert not mp.active_children()
    pd.testing.assert_frame_equal(tokenize(docs, cache=tmp_path / "fresh", n_jobs=2),
                                  tokenize(docs, cache=False, n_jobs=1))


def _streams(cache_dir):
    return sorted((cache_dir / "tokens").rglob("*.arrow"))


def _damage_tables(cache_dir):
    for p in (cache_dir / "tokens_tables").rglob("*.parquet"):
        p.write_bytes(p.read_bytes()[:100])


def test_second_run_hits_cache_and_corrupt_entry_is_rebuilt(corpus, tmp_path, monkeypatch):
    import pyarrow as pa

    docs = corpus.documents
    first = tokenize(docs, cache=tmp_path)
    assert first.attrs["cache_misses"] == first.attrs["segmented"] == len(docs)
    files = _streams(tmp_path)
    assert files  # one stream file per segmented chunk, every text in one of them
    assert sum(pa.ipc.open_file(str(f)).read_all().num_rows for f in files) == len(docs)

    def no_segmentation(self, text):
        raise AssertionError("segmented although cached")

    with monkeypatch.context() as m:
        m.setattr(segment.Segmenter, "segment", no_segmentation)
        second = tokenize(docs, cache=tmp_path)
    assert second.attrs["cache_hits"] == len(docs) and second.attrs["segmented"] == 0
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs["table_cache"] is True  # the whole table came back in one read

    # a well-formed but wrong stream (it does not spell its text) is detected and that text alone
    # is segmented again; a damaged whole-table entry is ignored
    table = pa.ipc.open_file(str(files[0])).read_all()
    toks = table.column("tokens").to_pylist()
    toks[0] = ["错误"] * 3
    bad = table.set_column(1, "tokens", pa.array(toks, type=pa.large_list(pa.large_string())))
    with pa.OSFile(str(files[0]), "wb") as sink, pa.ipc.new_file(sink, bad.schema) as w:
        w.write_table(bad)
    _damage_tables(tmp_path)
    third = tokenize(docs, cache=tmp_path)
    assert third.attrs["cache_corrupt"] == 1 and third.attrs["segmented"] == 1
    pd.testing.assert_frame_equal(first, third)
    # the rebuilt stream is in a newer file, read before the wrong one
    _damage_tables(tmp_path)
    fourth = tokenize(docs, cache=tmp_path)
    assert fourth.attrs["cache_corrupt"] == 0 and fourth.attrs["segmented"] == 0
    pd.testing.assert_frame_equal(first, fourth)
    # truncated or garbage files are counted, deleted, and their texts segmented again
    for i, f in enumerate(_streams(tmp_path)):
        f.write_bytes(f.read_bytes()[:200] if i % 2 == 0 else b"ARROW1\x00\x00 garbage")
    n_files = len(_streams(tmp_path))
    _damage_tables(tmp_path)
    fifth = tokenize(docs, cache=tmp_path)
    assert fifth.attrs["cache_corrupt"] == n_files and fifth.attrs["segmented"] == len(docs)
    pd.testing.assert_frame_equal(first, fifth)
    # options that only filter rows reuse the cached segmentation
    assert tokenize(docs, cache=tmp_path, boilerplate=True).attrs["segmented"] == 0


def test_cache_root_from_env(monkeypatch, tmp_path):
    from policylab import cache

    monkeypatch.setenv("POLICYLAB_CACHE", str(tmp_path / "c"))
    assert cache.cache_root() == (tmp_path / "c").resolve()
    monkeypatch.delenv("POLICYLAB_CACHE")
    monkeypatch.chdir(tmp_path)
    assert cache.cache_root() == (tmp_path / ".policylab_cache").resolve()


# ---- engines: rjieba is the default only because its tokens are jieba's -------------------------
CRAFTED = Path(__file__).parent / "fixtures" / "pages"


def _seed_and_crafted_texts(corpus, seeds_dir):
    pages = sorted(p for p in CRAFTED.iterdir() if p.is_file())
    raw = [p.read_text(encoding="utf-8", errors="replace") for p in [*sorted(seeds_dir.glob("*.txt")), *pages]]
    texts = list(corpus.documents["text"]) + list(corpus.sections["text"]) + raw
    return pd.DataFrame({"doc_id": [f"t{i:04d}" for i in range(len(texts))], "text": texts})


def test_rjieba_equals_jieba_on_seeds_and_crafted_pages(corpus, seeds_dir):
    pytest.importorskip("rjieba", reason="rjieba is an optional engine")
    df = _seed_and_crafted_texts(corpus, seeds_dir)
    opts = dict(cache=False, stopwords=False, punctuation=True, numbers="keep", n_jobs=1)
    ref = tokenize(df, engine="jieba", **opts)
    fast = tokenize(df, engine="rjieba", **opts)
    assert len(ref) > 50000 and ref.attrs["segmenter"].startswith("jieba ")
    pd.testing.assert_frame_equal(ref, fast)
    assert fast.attrs["segmenter"].startswith("rjieba")
    # the default engine is rjieba when it is installed, and the options still filter the same rows
    default = tokenize(df, cache=False, n_jobs=1)
    assert default.attrs["segmenter"].startswith("rjieba")
    pd.testing.assert_frame_equal(default, tokenize(df, cache=False, n_jobs=1, engine="jieba"))


def test_crossing_starts_keep_every_start_that_edits(corpus, seeds_dir):
    """segment._crossing_starts drops only starts where compounds.edits re-cuts nothing: the edits
    with the screened starts equal the edits with every start, text by text (seeds, sections,
    crafted pages, and crafted runs where a term crosses one, two or three tokens)."""
    import pyarrow as pa

    from policylab import compounds

    seg = segment.get_segmenter()
    lex = segment.for_segmenter(seg)
    crafted = ["发展人工智能终端产业", "建设人工智能计算中心和数据要素市场", "人工 智能", "人工智", "人工智能",
               "推进智能网联汽车与车路协同", "打造人工智能产业集群,建设新一代人工智能开放创新平台"]
    texts = list(_seed_and_crafted_texts(corpus, seeds_dir)["text"].fillna("")) + crafted
    n_edits = n_dropped = 0
    for text in texts:
        toks = seg.segment(text, repair=False)[0]
        every = compounds._starts(toks, lex)
        kept = segment._crossing_starts(pa.array(toks, type=pa.large_string()), np.array([len(toks)]),
                                        np.array(every, dtype=np.int64), lex).tolist()
        assert set(kept) <= set(every)
        found = compounds.edits(toks, lex, kept)
        assert found == compounds.edits(toks, lex, every), text[:40]
        n_edits += len(found)
        n_dropped += len(every) - len(kept)
    assert n_edits > 10 and n_dropped > 100  # both kinds of start occur in these texts
    # crafted token runs and lexicons: a term one character longer than its head, a term of the
    # lexicon's greatest length, a term across three tokens, and the end of the text
    small = compounds.Lexicon(["人工智能", "智能终端", "算力券", "数据要素市场"])
    for toks in (["人工", "智能终端"], ["算力", "券商"], ["数据", "要素", "市场"], ["数据", "要素"],
                 ["人工", "智慧"], ["发展", "人工", "智能终端", "算力", "券商"]):
        every = compounds._starts(toks, small)
        kept = segment._crossing_starts(pa.array(toks, type=pa.large_string()), np.array([len(toks)]),
                                        np.array(every, dtype=np.int64), small).tolist()
        assert compounds.edits(toks, small, kept) == compounds.edits(toks, small, every), toks
    assert compounds.edits(["算力", "券商"], small, [0]) == [(0, 2, ["算力券", "商"], [0, 1])]


def test_rjieba_non_han_runs_are_cut_as_jieba_cuts_them():
    pytest.importorskip("rjieba", reason="rjieba is an optional engine")
    text = "2020-04-22发布,推进5G-V2X车路协同(2018-2020年),详见www.0798ci.com/a_1.html。"
    df = pd.DataFrame({"doc_id": ["d"], "text": [text]})
    opts = dict(cache=False, stopwords=False, punctuation=True, numbers="keep")
    ref = tokenize(df, engine="jieba", **opts)["token"].tolist()
    assert ref[:5] == ["2020", "-", "04", "-", "22"] and "5G" in ref and "V2X" in ref
    assert tokenize(df, engine="rjieba", **opts)["token"].tolist() == ref
    # a whole run is rjieba's own answer: without the re-split the engines would differ
    seg = segment.get_segmenter(engine="rjieba")
    assert "2020-04-22" in seg.rj.cut("2020-04-22", True)


def test_rjieba_gets_jieba_computed_dictionary_frequencies(tmp_path):
    """A user dictionary never lowers a built-in word in either engine, and both cut alike."""
    pytest.importorskip("rjieba", reason="rjieba is an optional engine")
    d = tmp_path / "mine.csv"
    # 产业 is in jieba's dictionary (computed freq keeps it); 智能终端 gets a computed freq;
    # 人工智能终端 an explicit one; 链长 is forbidden as one token (freq 0)
    d.write_text("term,pos,freq\n产业,n,\n智能终端,n,\n人工智能终端,nz,50000\n链长,n,0\n", encoding="utf-8")
    seg_j = segment.get_segmenter([d], engine="jieba")
    seg_r = segment.get_segmenter([d], engine="rjieba")
    assert seg_r.tk.FREQ["产业"] == seg_j.tk.FREQ["产业"] >= segment.get_segmenter(engine="jieba").tk.FREQ["产业"]
    assert [t for t, *_ in seg_r.added[-4:]] == ["产业", "智能终端", "人工智能终端", "链长"]
    assert seg_r.added == seg_j.added and "链长" not in seg_r.vocabulary and "产业" in seg_r.vocabulary
    text = "发展人工智能终端产业,建设智能终端,推行链长制,落实链长责任。"
    df = pd.DataFrame({"doc_id": ["d"], "text": [text]})
    opts = dict(cache=False, stopwords=False, punctuation=True, user_dicts=[d])
    a = tokenize(df, engine="jieba", **opts)
    b = tokenize(df, engine="rjieba", **opts)
    pd.testing.assert_frame_equal(a, b)
    assert "人工智能终端" in a["token"].tolist() and "链长" not in a["token"].tolist()


def test_rjieba_dictionary_frequencies_are_jiebas_without_its_tokenizer(tmp_path):
    """The rjieba engine never builds jieba's tokenizer: the frequencies it is given, computed from
    jieba's dict.txt, are exactly those jieba's own tokenizer computes, term by term, in order."""
    pytest.importorskip("rjieba", reason="rjieba is an optional engine")
    import jieba

    assert segment._RE_HAN.pattern == jieba.re_han_default.pattern
    assert segment._RE_SKIP.pattern == jieba.re_skip_default.pattern
    assert segment._RE_ENG.pattern == jieba.re_eng.pattern
    # the packaged domain dictionary
    ref = segment.get_segmenter(engine="jieba").added
    assert len(ref) > 500 and segment.term_frequencies(segment.dictionary_files()) == ref  # the shipped file
    assert segment._compute_term_frequencies(segment.dictionary_files()) == ref
    # dict.txt read in C (pyarrow.csv) or, for a file that is not ``word freq tag``, line by line
    with pytest.MonkeyPatch.context() as m:
        m.setattr(segment, "_jieba_dict_arrow", lambda path: None)
        assert segment._compute_term_frequencies(segment.dictionary_files()) == ref
    # a user dictionary with the awkward cases: re-added built-in and domain words (with and without
    # a freq), ASCII runs (jieba's no-HMM cut joins letters and digits), symbols outside jieba's
    # block characters, a term forbidden (0) then re-added, characters that only begin words
    d = tmp_path / "awkward.txt"
    d.write_text("\n".join([
        "产业", "人工智能 5", "智能终端", "AI芯片 nz", "5G+工业互联网", "C++编程", "数字·经济", "量子计算机",
        "链长 0", "链长制", "链长", "丨丨", "Ｗｅｂ３", "大模型 12 n", "模型券 nz", "a1b2c3", "的的确确",
    ]) + "\n", encoding="utf-8")
    seg_j = segment.get_segmenter([d], engine="jieba")
    computed = segment.term_frequencies(segment.dictionary_files([d]))
    assert computed == seg_j.added
    assert [t for t, *_ in computed[-3:]] == ["模型券", "a1b2c3", "的的确确"]
    seg_r = segment.get_segmenter([d], engine="rjieba")
    assert seg_r.added == seg_j.added
    # the word checks agree with jieba's FREQ, for built-in words, added terms, prefixes, non-words
    for w in ["产业", "链长", "链长制", "人工", "人工智", "AI芯片", "AT&T", "c++", "2020", "x", "丨丨", ""]:
        assert (w in seg_r.vocabulary) == ((seg_j.tk.FREQ.get(w) or 0) > 0), w


def test_shipped_domain_frequencies_are_current_and_only_used_for_their_dictionary(tmp_path):
    """resources/domain_dict_frequencies.csv is term_frequencies of the shipped domain dictionary
    (after editing domain_dict.csv, run ``segment.write_domain_frequencies()``). It is read only for
    the very dictionary and jieba dict.txt its first line names: a dictionary with one term
    changed, or user dictionaries after it, get frequencies computed afresh."""
    domain = segment.dictionary_files()[0]
    shipped = segment._shipped_frequencies((str(domain),))
    assert shipped is not None, "domain_dict_frequencies.csv is out of date: run segment.write_domain_frequencies()"
    assert list(shipped) == segment._compute_term_frequencies([domain])
    # the file, rewritten, is the same bytes (stable order and format)
    again = segment.write_domain_frequencies(tmp_path / "f.csv")
    assert again.read_bytes() == segment.resources.path(segment.DOMAIN_FREQUENCIES).read_bytes()
    # an edited copy of the dictionary: not the shipped numbers
    edited = tmp_path / "domain_dict.csv"
    text = domain.read_text(encoding="utf-8")
    edited.write_text(text + "具身智能机器人,nz,,test\n" if text.endswith("\n") else text + "\n具身智能机器人,nz,,test\n",
                      encoding="utf-8")
    assert segment._shipped_frequencies((str(edited),)) is None
    freqs = segment.term_frequencies([edited])
    assert freqs[:-1] == list(shipped) and freqs[-1][0] == "具身智能机器人"
    assert segment._shipped_frequencies((str(domain), str(edited))) is None  # a user dictionary after it


def test_user_dictionary_with_some_lines_tagged_and_some_not(tmp_path):
    """A jieba-format user dictionary where only some lines carry a POS tag (the format allows
    it): the missing tags are pd.NA in the table, and tokenize must take the terms, with either
    engine, not fail on them."""
    d = tmp_path / "mixed.txt"
    d.write_text("智算底座\n数据要素市场 nz\n模型券 5\n", encoding="utf-8")
    table = segment.read_dictionary(d)
    assert table["pos"].isna().tolist() == [True, False, True]
    docs = pd.DataFrame({"doc_id": ["d"], "text": ["建设智算底座,培育数据要素市场,发放模型券。"]})
    lex = segment.domain_lexicon([d])
    assert {"智算底座", "数据要素市场"} <= set(lex.terms) and lex.pos.get("数据要素市场") == "nz"
    for engine in ("rjieba", "jieba"):
        toks = tokenize(docs, user_dicts=[d], cache=False, engine=engine)["token"].tolist()
        assert {"智算底座", "数据要素市场", "模型券"} <= set(toks), (engine, toks)


def test_rjieba_only_for_the_plain_cut_with_hmm():
    pytest.importorskip("rjieba", reason="rjieba is an optional engine")
    assert segment.resolve_engine("auto") == "rjieba"
    assert segment.resolve_engine("auto", pos=True) != "rjieba"
    assert segment.resolve_engine("auto", hmm=False) == "jieba"
    with pytest.raises(ValueError, match="rjieba"):
        segment.resolve_engine("rjieba", hmm=False)


def test_chunked_and_parallel_streams_are_identical(corpus, seeds_dir, monkeypatch, tmp_path):
    """Chunks of a few hundred characters, 1 or 2 processes, cache cold or warm: the same table."""
    df = _seed_and_crafted_texts(corpus, seeds_dir)
    one = tokenize(df, cache=False, n_jobs=1)
    monkeypatch.setattr(segment, "CHUNK_CHARS", 500)
    assert len(segment._chunk_bounds([len(t) for t in df["text"].fillna("")], 1)) > 10
    pd.testing.assert_frame_equal(one, tokenize(df, cache=False, n_jobs=1))
    two = tokenize(df, cache=tmp_path, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)
    warm = tokenize(df, cache=tmp_path, n_jobs=2, boilerplate=True)  # cached streams, new filter
    assert warm.attrs["segmented"] == 0
    pd.testing.assert_frame_equal(warm, tokenize(df, cache=False, n_jobs=1, boilerplate=True))
    # the worker processes wrote the streams: one file per chunk, every text in one
    import pyarrow as pa

    keys = [k for f in _streams(tmp_path) for k in pa.ipc.open_file(str(f)).read_all().column("key").to_pylist()]
    assert len(keys) == len({t for t in df["text"].fillna("") if t.strip()}) and len(_streams(tmp_path)) > 10


def test_post_pass_sees_each_document_once(monkeypatch):
    """The compound-repair hook gets a document's whole token list and its result is the stream
    (the per-text path, :meth:`Segmenter.segment`, which every engine but rjieba's batch uses)."""
    seen = []

    def mark(self, toks):
        seen.append(list(toks))
        return [t if t != "智算中心" else "智算/中心" for t in toks]

    monkeypatch.setattr(segment.Segmenter, "post_pass", mark)
    df = pd.DataFrame({"doc_id": ["a", "b"], "text": ["建设智算中心。\n发展大模型。", "培育算力券市场。"]})
    out = tokenize(df, cache=False, stopwords=False, n_jobs=1, engine="jieba")
    assert len(seen) == 2 and seen[0][:2] == ["建设", "智算中心"] and "大模型" in seen[0]
    assert "智算/中心" in out["token"].tolist()


def test_segment_many_equals_segment_text_by_text(corpus, seeds_dir):
    """The rjieba batch path (distinct tokens, Arrow, repairs spliced in) gives, text by text, the
    tokens of :meth:`Segmenter.segment` (cut, white space dropped, non-Han runs re-split, compound
    repair): on the seeds, sections, crafted pages and texts made to hit every branch."""
    pytest.importorskip("rjieba", reason="rjieba is an optional engine")
    import numpy as np

    df = _seed_and_crafted_texts(corpus, seeds_dir)
    texts = list(df["text"].fillna("")) + [
        "", " \n\u3000 ", "人工", "人工智能终端", "人工 智能终端", "建设人工智能计算中心,人工智能终端产业。",
        "发展\x1c人工智能\x1d产业", "㐀人工智能鿖鿿产业", "5G-V2X 2020-04-22\tAT&T C++ c# 3.5% a.b.c x_y",
        "数字人机协同", "人工\n智能终端", "www.0798ci.com/a_1.html 人工智能+行动",
    ]
    seg = segment.get_segmenter(engine="rjieba")
    lengths, tokens, tags = seg.segment_many(texts)
    assert tags is None and len(lengths) == len(texts)
    flat = tokens.to_pylist()
    at = np.concatenate([[0], np.cumsum(lengths)])
    got = [flat[at[i]:at[i + 1]] for i in range(len(texts))]
    want = [seg.segment(t)[0] for t in texts]
    assert got == want
    raw = [seg.segment(t, repair=False)[0] for t in texts]
    assert sum(a != b for a, b in zip(raw, want)) > 20  # the repair did change texts: the test can fail


def test_rjieba_whole_text_path_and_line_path_agree_with_jieba():
    """Texts with characters jieba-rs reads otherwise (wider Han range, U+001C-U+001F) take the
    line-and-block path; every other text is cut in one call: both give jieba's tokens."""
    pytest.importorskip("rjieba", reason="rjieba is an optional engine")
    texts = ["发展\x1c人工智能\x1d产业", "㐀人工智能鿖鿿产业", "𠀀人工智能终端", "建设\u2028智算中心\u2029推进\x85算力\v\f券",
             "5G-V2X 2020-04-22\tAT&T C++ c# 3.5% a.b.c x_y", "\u3000人工智能\u3000产业", "\r\n揭榜挂帅\r\n\r\n"]
    df = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    opts = dict(cache=False, stopwords=False, punctuation=True, numbers="keep", n_jobs=1)
    pd.testing.assert_frame_equal(tokenize(df, engine="jieba", **opts), tokenize(df, engine="rjieba", **opts))
    assert [bool(segment._RJIEBA_SLOW_RE.search(t)) for t in texts] == [True, True, True, False, False, False, False]
