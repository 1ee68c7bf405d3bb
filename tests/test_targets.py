"""Quantitative targets: seed facts, a hand-labelled set of seed sentences, crafted sentences."""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from policylab import schema
from policylab.targets import extract_targets, find_horizons, indicator_family, targets_from_text

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "targets_labelled.csv"
HAVE_STRUCTURE = importlib.util.find_spec("policylab.structure") is not None

# ---- sections of the seeds -----------------------------------------------------------------------
# Until policylab/structure.py exists, a crude parser (numbering patterns, run-in headings) stands in.

_FOLD = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
_HEADINGS = [
    (1, re.compile(r"^([一二三四五六七八九十]+)、\s*(.*)$")),
    (2, re.compile(r"^\(([一二三四五六七八九十]+)\)\s*(.*)$")),
    (3, re.compile(r"^(\d{1,2})\.\s*(?!\d)(.*)$")),
    (4, re.compile(r"^\((\d{1,2})\)\s*(.*)$")),
]


def crude_sections(text: str, doc_id: str) -> pd.DataFrame:
    """One row per numbered heading, in the sections schema's main columns (a test stand-in)."""
    lines = [ln.strip() for ln in text.translate(_FOLD).splitlines() if ln.strip()]
    rows = [dict(doc_id=doc_id, section_id="0", parent_id=None, level=0, heading=None, text=[])]
    stack: dict[int, str] = {}
    for line in lines:
        for level, rx in _HEADINGS:
            m = rx.match(line)
            if not m:
                continue
            label, rest = m.groups()
            cut = rest.find("。")
            head, body = (rest[:cut], rest[cut + 1 :]) if 0 <= cut <= 30 else (rest, "")
            parent = next((stack[lv] for lv in range(level - 1, 0, -1) if lv in stack), None)
            sid = f"{parent}.{label}" if parent else label
            stack = {lv: s for lv, s in stack.items() if lv < level}
            stack[level] = sid
            rows.append(dict(doc_id=doc_id, section_id=sid, parent_id=parent, level=level, heading=head,
                             text=[body] if body else []))
            break
        else:
            rows[-1]["text"].append(line)
    for i, r in enumerate(rows):
        r["text"], r["order"] = "\n".join(r["text"]), i
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def seed_targets(request) -> dict[str, pd.DataFrame]:
    """targets per seed prefix ('001' ... '004')."""
    if HAVE_STRUCTURE:
        from policylab.structure import parse_sections

        corpus = request.getfixturevalue("corpus")
        targets = extract_targets(parse_sections(corpus.documents))
        prefix = {r.doc_id: Path(r.source_path).name[:3] for r in corpus.documents.itertuples()}
        return {prefix[d]: g.reset_index(drop=True) for d, g in targets.groupby("doc_id")}
    out = {}
    for p in sorted((ROOT / "seeds").glob("00[1-4]_*.txt")):
        out[p.name[:3]] = extract_targets(crude_sections(p.read_text("utf-8"), p.name[:3]))
    return out


# ---- the table -----------------------------------------------------------------------------------


def test_schema_and_order(seed_targets):
    for t in seed_targets.values():
        schema.validate("targets", t)
        assert set(t["kind"]) <= {"target", "support"}
        assert t["indicator_family"].isin(
            ["industry_scale", "enterprises", "scenarios_projects", "platforms_infrastructure", "talent",
             "patents_standards", "other"]).all()
    schema.validate("targets", targets_from_text("没有数字的句子。"))
    assert len(targets_from_text("没有数字的句子。")) == 0


def test_missing_columns_is_a_clear_error():
    with pytest.raises(ValueError, match="missing columns"):
        extract_targets(pd.DataFrame({"doc_id": ["d"], "text": ["x"]}))


# ---- every seed fact ---------------------------------------------------------------------------

SEED_FACTS = [  # seed, year, indicator (contained), value, unit, comparator, value_high
    ("001", 2025, "人工智能核心产业收入", 500, "亿元", "超过", None),
    ("001", 2025, "人工智能重点企业", 100, "家", None, None),
    ("001", 2025, "标杆型示范应用场景", 100, "个", None, None),
    ("001", 2025, "人工智能产业集群", 1, "个", None, 2),
    ("002", 2020, "人工智能核心产业规模", 100, "亿元", "超过", None),
    ("002", 2020, "带动产业规模", 700, "亿元", "达到", None),
    ("002", 2025, "人工智能核心产业规模", 300, "亿元", "超过", None),
    ("002", 2025, "深度应用场景", 60, "个", "以上", None),
    ("003", 2022, "人工智能核心产业规模", 500, "亿元", "突破", None),
    ("003", 2022, "关联产业规模", 5000, "亿元", "突破", None),
    ("003", 2022, "人工智能人才", 10000, None, "+", None),
    ("003", 2022, "核心发明专利授权数", 300, "项", "超过", None),
    ("004", 2020, "人工智能核心产业产值", 30, "亿元", "达到", None),
    ("004", 2020, "相关产业产值", 200, "亿元", "达到", None),
]


def _eq(a, b):
    if b is None:
        return pd.isna(a)
    return not pd.isna(a) and a == b


@pytest.mark.parametrize("seed,year,what,value,unit,comparator,high", SEED_FACTS)
def test_seed_fact_found(seed_targets, seed, year, what, value, unit, comparator, high):
    t = seed_targets[seed]
    hit = t[t["indicator"].fillna("").str.contains(what, regex=False) & (t["value"] == value)]
    assert len(hit) >= 1, t[["target_year", "indicator", "value", "unit"]].to_string()
    row = hit.iloc[0]
    assert row["target_year"] == year
    assert _eq(row["unit"], unit) and _eq(row["comparator"], comparator) and _eq(row["value_high"], high)
    assert row["kind"] == "target"


def test_seed_money_in_yuan(seed_targets):
    t = seed_targets["001"]
    row = t[t["indicator"] == "人工智能核心产业收入"].iloc[0]
    assert row["value_std"] == 500 * 1e8 and row["indicator_family"] == "industry_scale"


def test_chengdu_subsidies_are_support(seed_targets):
    t = seed_targets["003"]
    support = t[t["kind"] == "support"]
    got = sorted(zip(support["value"], support["unit"], support["comparator"].fillna("")))
    assert got == [(15.0, "%", ""), (200.0, "万元", "最高"), (200.0, "万元", "最高"), (1000.0, "万元", "最高")]
    assert support["value_std"].tolist() == [2e6, 1e7, 15.0, 2e6]  # the ratio stays in percent
    # no subsidy amount leaks into the targets
    targets = t[t["kind"] == "target"]
    assert not ((targets["unit"] == "万元") | (targets["unit"] == "%")).any()


def test_years_follow_the_section_tree(seed_targets):
    # Nanjing's tasks under 三、重点任务 stand under no horizon; its goals under (一)总体目标 are 2025
    t = seed_targets["001"]
    assert set(t["target_year"].dropna()) == {2025}
    # Chengdu's task-level numbers (三、重点任务) have no horizon: year stays null, never 2022 guessed
    c = seed_targets["003"]
    tasks = c[c["indicator"].fillna("").str.contains("工程师")]
    assert len(tasks) == 1 and pd.isna(tasks["target_year"].iloc[0])
    # Shenyang: the plan period (2018-2020年) is not a horizon for 5个左右 clusters under 二、重点任务
    s = seed_targets["004"]
    clusters = s[s["comparator"] == "左右"]
    assert len(clusters) == 1 and pd.isna(clusters["target_year"].iloc[0])
    assert set(s["target_year"].dropna()) == {2020}


# ---- the hand-labelled set ---------------------------------------------------------------------

KEY = ["value", "value_high", "unit", "comparator", "kind"]


def _key(row) -> tuple:
    def norm(v):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v == "":
            return None
        return float(v) if isinstance(v, (int, float)) else str(v)

    return tuple(norm(row[k]) for k in KEY)


@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    lab = pd.read_csv(LABELLED, dtype=str, keep_default_na=False)
    for c in ("value", "value_high"):
        lab[c] = pd.to_numeric(lab[c].replace("", None))
    return lab


def test_labelled_set_is_large_and_mixed(labelled):
    assert labelled["sentence_id"].nunique() >= 60
    per = labelled.groupby("sentence_id")["kind"].apply(lambda k: (k != "").any())
    assert per.sum() >= 30 and (~per).sum() >= 30  # targets and look-alikes both well represented
    seeds = ROOT / "seeds"
    texts = {p.name[:3]: p.read_text("utf-8").translate(_FOLD) for p in seeds.glob("00[1-4]_*.txt")}
    for s in labelled.drop_duplicates("sentence_id").itertuples():
        assert s.sentence in texts[s.seed], s.sentence_id  # every sentence is taken from its seed


def test_labelled_precision_recall(labelled):
    tp = fp = fn = 0
    misses = []
    for sid, g in labelled.groupby("sentence_id", sort=True):
        expected = [_key(r) for _, r in g.iterrows() if r["kind"]]
        got = [_key(r) for _, r in targets_from_text(g["sentence"].iloc[0]).iterrows()]
        remaining = list(expected)
        for k in got:
            if k in remaining:
                remaining.remove(k)
                tp += 1
            else:
                fp += 1
                misses.append(("FP", sid, k))
        fn += len(remaining)
        misses += [("FN", sid, k) for k in remaining]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"labelled set: tp={tp} fp={fp} fn={fn} precision={precision:.3f} recall={recall:.3f}")
    assert precision >= 0.95, misses
    assert recall >= 0.90, misses


def test_labelled_indicators_and_years(labelled, seed_targets):
    """The indicator names the labelled thing; the year (read in document context) is right."""
    rows = labelled[labelled["kind"] != ""]
    ok_ind = ok_year = 0
    for r in rows.itertuples():
        t = seed_targets[r.seed]
        core = r.sentence.rstrip("。;")
        cand = t[t["sentence"].str.contains(core, regex=False) & (t["value"] == r.value)
                 & (t["unit"].fillna("") == r.unit)]
        assert len(cand) >= 1, (r.sentence_id, r.value, r.unit)
        ok_ind += cand["indicator"].fillna("").str.contains(r.indicator, regex=False).any()
        want = int(r.target_year) if r.target_year else None
        ok_year += any(_eq(y, want) for y in cand["target_year"])
    assert ok_ind / len(rows) >= 0.95
    assert ok_year == len(rows)


# ---- crafted sentences -------------------------------------------------------------------------


def one(text: str) -> dict:
    t = targets_from_text(text)
    assert len(t) == 1, t.to_string()
    return t.iloc[0].to_dict()


def test_ranges():
    r = one("到2025年,培育3-5家人工智能领军企业。")
    assert (r["value"], r["value_high"], r["unit"], r["target_year"]) == (3, 5, "家", 2025)
    r = one("争创1—2个国家级创新平台。")
    assert (r["value"], r["value_high"], r["unit"]) == (1, 2, "个")
    r = one("建设三至五个开源社区。")
    assert (r["value"], r["value_high"]) == (3, 5)


def test_chinese_numerals():
    r = one("到2030年,引进一百名高端人才。")
    assert (r["value"], r["unit"], r["value_std"], r["target_year"]) == (100, "名", 100, 2030)
    assert one("建成十个智能工厂。")["value"] == 10
    r = one("带动就业两千人以上。")
    assert (r["value"], r["unit"], r["comparator"]) == (2000, "人", "以上")
    r = one("培育人工智能人才1.5万人。")
    assert (r["value"], r["unit"], r["value_std"]) == (1.5, "万人", 15000)


def test_plus_and_percent():
    r = one("培养“10000+”人工智能人才。")
    assert (r["value"], r["comparator"], r["value_std"]) == (10000, "+", 10000) and pd.isna(r["unit"])
    assert r["indicator"] == "人工智能人才" and r["indicator_family"] == "talent"
    r = one("2024年底前,规模以上工业企业数字化研发设计工具普及率达到85%。")
    assert (r["value"], r["unit"], r["comparator"], r["target_year"]) == (85, "%", "达到", 2024)
    assert r["indicator"] == "规模以上工业企业数字化研发设计工具普及率"
    assert len(targets_from_text("打造“3+4”应用场景。")) == 0


def test_inherited_years_within_a_section():
    t = targets_from_text(
        "到2022年,产业加快发展。\n——核心产业规模超过200亿元。\n2024年,建设10个平台。\n——形成20个场景。"
    )
    assert t["target_year"].tolist() == [2022, 2024, 2024]


def test_inherited_years_down_the_tree():
    secs = pd.DataFrame({
        "doc_id": ["d"] * 4, "section_id": ["1", "1.1", "1.1.1", "2"],
        "parent_id": [None, "1", "1.1", None], "heading": ["发展目标", "总体目标", "产业规模", "重点任务"],
        "text": ["", "到2027年,全面建成先导区。", "核心产业规模突破1000亿元。", "建设20个示范项目。"],
        "order": [0, 1, 2, 3],
    })
    t = extract_targets(secs)
    got = dict(zip(t["section_id"], t["target_year"]))
    assert got["1.1.1"] == 2027 and pd.isna(got["2"])  # sibling branch does not inherit


def test_edition_and_plan_period_are_not_horizons():
    t = targets_from_text("根据《人工智能产业指导目录(2026年版)》,培育50家重点企业。")
    assert len(t) == 1 and pd.isna(t["target_year"].iloc[0])
    t = targets_from_text("人工智能三年行动计划(2024-2026年):建设10个平台。")
    assert len(t) == 1 and pd.isna(t["target_year"].iloc[0])
    t = targets_from_text("本方案自2023年1月1日起施行,有效期至2025年12月31日。培育10家企业。")
    assert pd.isna(t["target_year"].iloc[0])
    assert find_horizons("到“十四五”末,建成5个平台。") == [(0, 2025)]


def test_look_alikes_are_not_targets():
    for s in [
        "成发办〔2020〕97号",
        "2020年12月10日",
        "第一方阵",
        "深入贯彻党的十九大精神和“十四五”规划",
        "加快5G和4G/5G网络建设",
        "一、总体要求",
        "1.打造产业集聚发展高地",
        "引进一批领军人才",
        "围绕电力、石化等6大行业",
        "“五个高地”建设成效凸显",
        "实施三大工程",
        "在“芯”“网”“软”三个领域突破",
        "进入全国前10名",
        "请在3个月内完成",
        "打通“最后一公里”",
        "重点培育规模超10亿元的企业",
    ]:
        assert len(targets_from_text(s)) == 0, s


def test_support_and_comparators():
    r = one("对新认定的国家级平台给予最高500万元奖励。")
    assert (r["kind"], r["comparator"], r["value_std"]) == ("support", "最高", 5e6)
    r = one("按照项目投资额的20%给予补贴。")
    assert (r["kind"], r["unit"], r["value"]) == ("support", "%", 20)
    r = one("到2025年,力争核心产业规模不少于800亿元。")
    assert (r["comparator"], r["indicator"], r["kind"]) == ("不少于", "核心产业规模", "target")
    r = one("到2025年,力争建成5个算力中心。")
    assert r["comparator"] == "力争"
    assert one("培育100余家企业。")["comparator"] == "余"
    r = one("引进5000万美元外资项目。")
    assert r["unit"] == "万美元" and pd.isna(r["value_std"])  # no exchange rate guessed


def test_full_width_input():
    r = one("到２０２５年，核心产业规模超过５００亿元；")
    assert (r["target_year"], r["value"], r["unit"]) == (2025, 500, "亿元")


def test_indicator_family_mapping():
    assert indicator_family("核心发明专利授权数") == "patents_standards"
    assert indicator_family("规模超10亿元的领军企业") == "enterprises"
    assert indicator_family("公共服务平台") == "platforms_infrastructure"
    assert indicator_family("企业人工智能工程师") == "talent"
    assert indicator_family("可供全国复制推广的经验") == "other"


# ---- issue 13: target forms of 2023-2025 plans -----------------------------------------------------

def test_floor_and_stretch_goal_are_two_rows_of_one_indicator():
    t = targets_from_text("到2026年,带动相关产业规模达6000亿元以上、力争1.2万亿元。")
    assert t[["indicator", "value", "unit", "comparator"]].values.tolist() == [
        ["带动相关产业规模", 6000, "亿元", "以上"], ["带动相关产业规模", 12000, "亿元", "力争"]]
    assert t["value_std"].tolist() == [6e11, 1.2e12]
    # a second value after a different measure is not given the first one's indicator
    t = targets_from_text("到2026年,产业规模达6000亿元、企业100家。")
    assert t["indicator"].tolist() == ["产业规模", "企业"]


def test_compute_capacity_and_device_counts():
    t = targets_from_text("到2027年,全市智能算力规模达到25EFLOPS,终端产品年出货量达到2亿台,"
                          "智算中心算力达到5000PFLOPS,新增8000P算力,手机出货量3000万部。")
    got = t[["indicator", "value", "unit", "value_std"]].values.tolist()
    assert got == [["智能算力规模", 25, "EFLOPS", 25000], ["终端产品年出货量", 2, "亿台", 2e8],
                   ["智算中心算力", 5000, "PFLOPS", 5000], ["算力", 8000, "P", 8000],
                   ["手机出货量", 3000, "万部", 3e7]]
    assert (t["target_year"] == 2027).all() and (t["year_source"] == "horizon").all()


def test_a_target_without_a_year_in_a_dated_plan_takes_the_plans_end():
    secs = pd.DataFrame({"doc_id": ["p", "p", "p", "q"], "section_id": ["1", "2", "2.1", "1"],
                         "parent_id": [None, None, "2", None],
                         "heading": ["发展目标", "重点任务", "建设算力", "发展目标"],
                         "text": ["核心产业规模突破800亿元,培育企业120家。", "到2026年,建成平台5个。",
                                  "智能算力规模达到25EFLOPS;对企业给予最高200万元补助。", "核心产业规模突破800亿元,每年新增企业10家。"],
                         "order": [0, 1, 2, 0]})
    docs = pd.DataFrame({"doc_id": ["p", "q"], "plan_end": pd.array([2027, None], dtype="Int64")})
    t = extract_targets(secs, docs)
    rows = t[["doc_id", "section_id", "kind", "target_year", "year_source"]].astype(object).where(t.notna(), None)
    assert rows.values.tolist() == [
        ["p", "1", "target", 2027, "plan_period"], ["p", "1", "target", 2027, "plan_period"],
        ["p", "2", "target", 2026, "horizon"],
        ["p", "2.1", "target", 2026, "parent_section"],
        ["p", "2.1", "support", 2026, "parent_section"],
        ["q", "1", "target", None, None],  # no period, no horizon: no year, never guessed
        ["q", "1", "target", None, None],
    ]
    # a yearly quantity (每年…) in a dated plan has no end year either
    t = extract_targets(secs.assign(text=secs["text"].str.replace("培育企业120家", "每年培育企业120家")), docs)
    yearly = t[t["value"] == 120]
    assert len(yearly) == 1 and yearly["target_year"].isna().all()
    # a subsidy is no target: it takes no plan year
    t = extract_targets(secs.assign(text=secs["text"].str.replace("核心产业规模突破800亿元,", "对企业给予最高200万元补助,")), docs)
    assert t.loc[(t["kind"] == "support") & (t["doc_id"] == "p"), "year_source"].isna().tolist() == [True, False]
    # without the documents table nothing is taken from the plan
    assert extract_targets(secs)["year_source"].isna().sum() == 4


# ----------------------------------------------------------------------------- fast paths (issue 15)
def _texts(corpus_docs) -> list[str]:
    from policylab.text import fold

    return [fold(t) for t in corpus_docs] + ["到2025年,规模超过1,200.5亿元;培育三千家企业", "第3个、5G、1—2个", "一二三",
                                              "2018-2020年", "十五个百分点以上", "１２个"]


def test_quantity_pattern_opening_with_a_class_matches_as_the_alternation(corpus):
    from policylab.targets import _AR, _CN, _lexicon

    fast = _lexicon().qty_re
    head = fast.pattern[: fast.pattern.index("(?:\\s*(?P<dash>")]
    plain = re.compile(fast.pattern.replace(head, f"(?P<num>(?:{_AR}|{_CN}))", 1))
    for t in _texts(corpus.documents["text"]):
        for pos in range(0, len(t), 7):  # searches from many positions, as _candidates makes them
            a, b = fast.search(t, pos), plain.search(t, pos)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), t[pos:pos + 30]


def test_sentence_at_is_the_sentence_pattern_match_holding_the_offset(corpus):
    from policylab.targets import _SENTENCE_RE, _sentence_at

    def plain(text, pos):
        for m in _SENTENCE_RE.finditer(text):
            if m.start() <= pos < max(m.end(), m.start() + 1):
                return m.group(0).strip()
        return text.strip()

    for t in _texts(corpus.documents["text"])[:3] + ["a。b\n\nc;", "。", "abc", "\n"]:
        for pos in range(len(t) + 1):
            assert _sentence_at(t, pos) == plain(t, pos), (t[:20], pos)
