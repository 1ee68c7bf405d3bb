"""Policy instruments: units of coding on the seeds, the cue file, the codebook's decision rules, the
coder against the hand-coded set, shares with bootstrap intervals, finding sentences, plots, and the
corpus shapes (one document, no sections, nothing at all) that must give empty results, not errors."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from policylab import agreement, instrument_shares, instruments, resources, schema
from policylab.corpus import load_corpus
from policylab.structure import find_responsibility_clauses

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
PAGES = ROOT / "tests" / "data" / "instruments_pages"
LABELLED = ROOT / "tests" / "data" / "instruments_labelled.csv"


@pytest.fixture(scope="module")
def seed_corpus():
    return load_corpus(SEEDS)


@pytest.fixture(scope="module")
def seed_units(seed_corpus):
    return instruments.units(seed_corpus)


@pytest.fixture(scope="module")
def seed_coded(seed_units):
    return instruments.code(seed_units)


# ----------------------------------------------------------------------------- units

def test_units_schema_and_ids(seed_units, seed_corpus):
    schema.validate("instrument_units", seed_units)
    assert seed_units["unit_id"].is_unique
    assert set(seed_units["doc_id"]) == set(seed_corpus.documents["doc_id"])
    # the citable position is the section path plus the sentence (and clause) number
    for r in seed_units.itertuples():
        assert r.clause_ref.startswith(r.section_id.replace(".", "-") + "-")
        assert r.unit_id == f"{r.doc_id}:{r.section_id}:{r.unit_id.rsplit(':', 1)[1]}"
    # every unit is a piece of its section's own text
    text = seed_corpus.sections.set_index(["doc_id", "section_id"])["text"]
    for r in seed_units.sample(40, random_state=0).itertuples():
        assert r.text.rstrip("。") in text[(r.doc_id, r.section_id)]
    assert seed_units["city"].notna().all() and seed_units["year"].notna().all()


def test_units_leave_out_headings_wrapper_purpose_and_responsibility(seed_units, seed_corpus):
    headings = set(seed_corpus.sections["heading"].dropna())
    for t in seed_units["text"]:
        assert not find_responsibility_clauses(t), t
        # a clause (责任单位:…) or a line 责任单位:…牵头; prose may name 责任部门 (明确工作责任部门)
        assert not re.search(r"(责任单位|责任部门|牵头单位)\s*[:：]|按责任分工负责", t), t
        assert t.rstrip("。") not in headings, t
        assert "印发给你们" not in t and not t.startswith("为贯彻")
        assert not re.match(r"^(指导思想|基本原则)", t)
    # the guiding-ideology and principle sections give no unit, whatever their level
    sec = seed_corpus.sections
    skipped = sec[sec["heading"].isin(["指导思想", "基本原则"])]
    assert len(skipped) >= 3
    for r in skipped.itertuples():
        own_and_children = seed_units[(seed_units["doc_id"] == r.doc_id)
                                      & seed_units["section_id"].str.match(re.escape(r.section_id) + r"(\.|$)")]
        assert own_and_children.empty
    # run-in bullet headings (——智能语音。…) are not units, the sentences after them are
    assert not seed_units["text"].isin(["智能语音。", "产业集聚效应初显。", "应用推广初具规模。"]).any()
    hefei = seed_units[seed_units["doc_id"] == seed_corpus.documents.set_index("city").loc["合肥", "doc_id"]]
    assert hefei["text"].str.startswith("发挥语音及语言信息处理国家工程实验室").any()


def test_units_split_at_semicolon_and_count_sentences():
    secs = pd.DataFrame({"doc_id": ["d"], "section_id": ["2.1"], "parent_id": ["2"], "level": [2],
                         "label": ["(一)"], "heading": ["任务"], "order": [1],
                         "text": ["——算力。建设城市智算中心；发放算力券,支持模型训练。开放公共数据集和语料库。\n责任单位:市数据局"]})
    u = instruments.units(secs)
    assert u["clause_ref"].tolist() == ["2-1-2.1", "2-1-2.2", "2-1-3"]
    assert u["text"].tolist() == ["建设城市智算中心", "发放算力券,支持模型训练。", "开放公共数据集和语料库。"]


def test_units_on_crafted_pages_drop_titles_signatures_and_validity_clauses():
    c = load_corpus(PAGES)
    u = instruments.units(c)
    assert len(u) == 70
    assert not u["text"].str.contains("人民政府办公|自印发之日起|近年来|制定本方案|提出以下").any()


@pytest.mark.parametrize("shape", ["none", "empty_df", "no_sections", "preamble_only_purpose"])
def test_units_of_empty_shapes_are_empty_tables(shape):
    docs = pd.DataFrame({"doc_id": ["d"], "city": ["南京"], "level": ["municipal"], "year": [2022]})
    if shape == "none":
        arg = None
    elif shape == "empty_df":
        arg = schema.empty("sections")
    elif shape == "no_sections":
        arg = SimpleNamespace(documents=docs, sections=schema.empty("sections"))  # a corpus' two tables
    else:
        arg = pd.DataFrame({"doc_id": ["d"], "section_id": ["0"], "parent_id": [None], "level": [0],
                            "label": [None], "heading": [None], "order": [0],
                            "text": ["为加快人工智能发展,制定本方案。"]})
    u = instruments.units(arg)
    assert len(u) == 0 and list(u.columns) == schema.columns("instrument_units")
    coded = instruments.code(u)
    assert len(coded) == 0 and {"primary", "secondary", "type", "evidence"} <= set(coded.columns)
    sh = instrument_shares.shares(coded)
    assert len(sh) == 0 and list(sh.columns) == schema.columns("instrument_shares")
    assert instrument_shares.share_findings(sh) == ["There are no coded measures, so there are no shares to report."]
    assert len(instrument_shares.compare_published(sh)) == 0
    assert len(instrument_shares.cross_tab(coded, "goal")) == 0
    assert agreement.agreement(coded, coded)["n_units"].tolist() == [0, 0]


def test_one_document_corpus(tmp_path):
    (tmp_path / "p.txt").write_bytes((SEEDS / "004_1b4b1833641e6e95.txt").read_bytes())
    c = load_corpus(tmp_path)
    coded = instruments.code(instruments.units(c))
    assert coded["doc_id"].nunique() == 1 and len(coded) > 20
    sh = instrument_shares.shares(coded, by="city")
    lines = instrument_shares.share_findings(sh)
    assert len(lines) == 1 and "one document: not a pattern across documents" in lines[0]


# ----------------------------------------------------------------------------- cue file and rules

def test_cue_file_is_complete_and_valid():
    cues = instruments.load_cues()
    assert list(cues.columns) == ["code", "cue", "weight", "kind", "rule", "source", "note"]
    assert set(cues["kind"]) <= {"word", "regex", "exclude", "section", "heading"}
    assert (cues["weight"] > 0).all() and cues["source"].str.len().gt(0).all()
    assert set(cues["code"]) == set(instruments.CODES)
    for r in cues[cues["kind"] != "word"].itertuples():
        re.compile(r.cue)
    # every instrument keeps the typical words the codebook lists for it
    book = cues[cues["source"] == "codebook typical words"]
    for code in [c for c in instruments.CODES if c != "N"]:
        assert (book["code"] == code).any(), code
    assert not cues.duplicated(["code", "cue", "kind", "rule"]).any()


@pytest.mark.parametrize("text, primary, rule", [
    # rule 1: money from the budget is S2 whatever it is called; lent or invested money is E2
    ("对租用智算中心算力的企业发放算力券,单个企业每年最高500万元。", "S2", "rule1"),
    ("对引进的顶尖人才团队,给予最高5000万元项目资助。", "S2", "rule1"),
    ("设立人工智能产业投资基金,引导社会资本投向初创企业。", "E2", "rule1"),
    ("对知识产权质押贷款给予贴息。", "E2", "rule1"),
    # rule 2: a target sentence is E1 even when it names infrastructure or talent ...
    ("到2025年,全市智能算力规模达到5000P,建成智算中心3个。", "E1", "rule2"),
    ("到2025年,引进培养人工智能高端人才1000名。", "E1", "rule2"),
    # ... a sentence that builds the thing is the thing's instrument
    ("推动5G和千兆光网协同建设,到2025年基站数量达到3万个。", "S4", "rule2"),
    ("统筹建设智算中心,到2025年,全省智能算力规模达到15000P。", "S4", "rule2"),
    # rule 3: scenarios and AI+ are D2, unless the sentence is about procurement
    ("发布人工智能应用场景清单,支持企业揭榜挂帅。", "D2", "rule3"),
    ("将人工智能创新产品纳入政府采购目录,推动示范应用。", "D1", "rule3"),
    # rule 4: platforms by what they serve
    ("建设人工智能公共服务平台,提供检验检测服务。", "S5", None),
    ("建设认知智能国家重点实验室和技术创新中心。", "S3", None),
    ("建设全市一体化算力调度平台。", "S4", None),
    # other instruments
    ("落实研发费用加计扣除和企业所得税优惠政策。", "E3", None),
    ("建立人工智能伦理审查和安全评估制度。", "E4", None),
    ("成立市人工智能发展领导小组,统筹协调全市工作。", "E5", None),
    ("通过政府购买服务方式委托专业机构提供咨询。", "D3", None),
    ("支持企业开拓海外市场,扩大智能产品出口。", "D4", None),
    ("实施人工智能人才培养计划,建设实训基地。", "S1", None),
])
def test_decision_rules(text, primary, rule):
    c = instruments.code(pd.DataFrame({"unit_id": ["u"], "text": [text]}))
    assert c["primary"][0] == primary, c["evidence"][0]
    assert c["type"][0] == instruments.type_of(primary)
    if rule:
        assert c["rule"][0] == rule, c["evidence"][0]
    assert c["evidence"][0].endswith(c["rule"][0])


def test_texts_that_are_no_measure_are_coded_n_and_left_out_of_shares():
    u = pd.DataFrame({"unit_id": list("abcd"), "doc_id": "d", "text": [
        "附件:重点任务分工表", "为加快人工智能产业发展,制定本方案。", "(责任单位:市发改委、市数据局)", "建设城市级智算中心,形成公共算力资源池。"]})
    c = instruments.code(u)
    assert c["primary"].tolist() == ["N", "N", "N", "S4"]
    assert c["type"].tolist()[:3] == ["none"] * 3 and set(c["rule"][:3]) == {"not_a_measure"}
    sh = instrument_shares.shares(c, n_boot=0)
    assert sh["n_units"].iloc[0] == 1


def test_rule5_first_named_wins_a_tie_and_the_other_is_secondary():
    p, s, r = instruments.apply_rules({"S1": 2.0, "S3": 2.0}, {"S1": 10, "S3": 2}, set())
    assert (p, s, r) == ("S3", ["S1"], "rule5")
    p, s, r = instruments.apply_rules({"S1": 2.0, "S3": 2.0}, {"S1": 1, "S3": 2}, set())
    assert (p, s, r) == ("S1", ["S3"], "rule5")


def test_secondary_codes_are_at_most_two_and_never_the_primary(seed_coded):
    assert seed_coded["secondary"].map(len).le(2).all()
    assert all(p not in s for p, s in zip(seed_coded["primary"], seed_coded["secondary"]))
    assert seed_coded["primary"].isin(instruments.CODES).all()


def test_heading_is_context_a_goal_heading_makes_a_target():
    u = pd.DataFrame({"unit_id": ["a", "b"], "heading": ["发展目标", "重点任务"],
                      "text": ["形成10个以上深度应用场景,建设20个以上应用示范项目。"] * 2})
    assert instruments.code(u)["primary"].tolist() == ["E1", "D2"]


def test_a_researcher_can_edit_the_cue_file(tmp_path):
    cues = instruments.load_cues()
    text = pd.DataFrame({"unit_id": ["u"], "text": ["推进元宇宙产业发展。"]})
    assert instruments.code(text)["rule"][0] == "fallback"
    own = pd.concat([cues, pd.DataFrame([{"code": "S3", "cue": "元宇宙", "weight": 2, "kind": "word", "rule": "",
                                          "source": "researcher", "note": ""}])])
    p = tmp_path / "my_cues.csv"
    own.to_csv(p, index=False)
    c = instruments.code(text, codebook=p)
    assert c["primary"][0] == "S3" and "元宇宙" in c["evidence"][0]


# ----------------------------------------------------------------------------- the labelled set

def test_labelled_set_is_large_coded_and_split_by_seed():
    lab = pd.read_csv(LABELLED, dtype=str)
    assert len(lab) >= 200
    assert lab["primary"].isin([c for c in instruments.CODES]).all()
    assert (lab["type"] == lab["primary"].map(instruments.type_of)).all()
    assert lab["unit_id"].is_unique and lab["text"].notna().all()
    # the held-out part is a seeded 30 % split, reproducible from the committed rule
    perm = np.random.default_rng(2026).permutation(len(lab))
    held = set(lab["unit_id"].iloc[perm[:round(0.3 * len(lab))]])
    assert set(lab.loc[lab["split"] == "heldout", "unit_id"]) == held
    # the package copy the notebook reads is the same file
    assert resources.path("instruments_labelled.csv").read_bytes() == LABELLED.read_bytes()
    # units from the seeds and from the crafted pages, and every unit is still a unit the code makes
    assert lab["source"].str.startswith("seeds/").sum() >= 100
    assert lab["source"].str.startswith("tests/data/instruments_pages/").sum() >= 50
    ids = set(instruments.units(load_corpus(SEEDS))["unit_id"]) | set(instruments.units(load_corpus(PAGES))["unit_id"])
    assert set(lab["unit_id"]) <= ids


def test_coder_meets_the_goal_on_the_held_out_part():
    audit = agreement.coding_audit()
    held = audit[(audit["split"] == "heldout")].set_index("level")
    assert held.loc["type", "n_units"] >= 60
    assert held.loc["type", "cohen_kappa"] >= 0.7  # the goal
    assert held.loc["instrument", "percent_agreement"] >= 0.6


# ----------------------------------------------------------------------------- shares

def test_shares_are_reproducible_and_consistent(seed_coded):
    coded = instrument_shares.add_period(seed_coded)
    a = instrument_shares.shares(coded, by="period", random_state=7)
    b = instrument_shares.shares(coded, by="period", random_state=7)
    pd.testing.assert_frame_equal(a, b)
    c = instrument_shares.shares(coded, by="period", random_state=8)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    schema.validate("instrument_shares", a)
    for _, g in a.groupby("group"):
        assert g["n"].sum() == g["n_units"].iloc[0]
        assert abs(g["share"].sum() - 1) < 1e-9
    assert (a["ci_low"] <= a["share"] + 1e-12).all() and (a["share"] <= a["ci_high"] + 1e-12).all()
    assert set(a["group"]) == {"2017–2019", "2020–2022"}
    # a group's interval does not depend on which other groups are there
    only = instrument_shares.shares(coded[coded["period"] == "2017–2019"], by="period", random_state=7)
    pd.testing.assert_frame_equal(only.reset_index(drop=True),
                                  a[a["group"] == "2017–2019"].reset_index(drop=True))


def test_shares_by_instrument_and_missing_group_values(seed_coded):
    coded = seed_coded.copy()
    coded.loc[coded.index[:5], "city"] = pd.NA
    sh = instrument_shares.shares(coded, by="city", level="instrument", n_boot=100)
    assert "(missing)" in set(sh["group"])
    assert set(sh["category"]) == {c for c in instruments.CODES if c != "N"}
    assert sh.groupby("group")["n"].sum().sum() == len(coded)


def test_bootstrap_interval_matches_a_unit_resampling_bootstrap():
    coded = pd.DataFrame({"primary": ["S1"] * 30 + ["E1"] * 50 + ["D2"] * 20, "doc_id": "d"})
    sh = instrument_shares.shares(coded, n_boot=4000, random_state=1).set_index("category")
    rng = np.random.default_rng(5)
    types = np.array(coded["primary"].map(instruments.type_of))
    boot = [np.mean(types[rng.integers(0, 100, 100)] == "environment") for _ in range(4000)]
    lo, hi = np.quantile(boot, [0.025, 0.975])
    assert abs(sh.loc["environment", "ci_low"] - lo) <= 0.021
    assert abs(sh.loc["environment", "ci_high"] - hi) <= 0.021


def test_cross_tab_needs_a_second_dimension(seed_coded):
    assert len(instrument_shares.cross_tab(seed_coded, "goal")) == 0  # not coded in this corpus
    coded = seed_coded.assign(part=seed_coded["section_id"].str.split(".").str[0])
    ct = instrument_shares.cross_tab(coded, "part")
    assert abs(ct.groupby("part")["share"].sum() - 1).max() < 1e-9
    assert ct["n"].sum() == len(coded)


def test_compare_published(seed_coded):
    cmp = instrument_shares.compare_published(instrument_shares.shares(seed_coded))
    schema.validate("instrument_comparison", cmp)
    assert cmp["type"].tolist() == ["supply", "environment", "demand"]
    assert cmp["published"].tolist() == [0.4586, 0.3345, 0.2069]
    for r in cmp.itertuples():
        assert r.published_in_interval == (r.ci_low <= r.published <= r.ci_high)
    lines = instrument_shares.comparison_findings(cmp)
    assert len(lines) == 3
    for line, r in zip(lines, cmp.itertuples()):
        assert ("in line with it" in line) == bool(r.published_in_interval)


# ----------------------------------------------------------------------------- findings

def _table(rows, n_docs=3):
    df = pd.DataFrame(rows, columns=["group", "category", "n", "n_units", "share", "ci_low", "ci_high"])
    return df.assign(n_docs=n_docs)


def test_findings_tie_is_not_the_largest():
    t = _table([("all", "supply", 40, 100, 0.4, 0.3, 0.5), ("all", "environment", 40, 100, 0.4, 0.3, 0.5),
                ("all", "demand", 20, 100, 0.2, 0.12, 0.28)])
    (line,) = instrument_shares.share_findings(t)
    assert "tied at 40 %" in line and "largest" not in line.replace("cannot be called the largest", "")


def test_findings_overlap_is_not_the_largest_but_a_clear_lead_is():
    t = _table([("all", "supply", 45, 100, 0.45, 0.35, 0.55), ("all", "environment", 38, 100, 0.38, 0.29, 0.48),
                ("all", "demand", 17, 100, 0.17, 0.1, 0.25)])
    (line,) = instrument_shares.share_findings(t)
    assert "cannot be called the largest" in line and "is the largest" not in line
    t = _table([("all", "supply", 70, 100, 0.7, 0.61, 0.79), ("all", "environment", 20, 100, 0.2, 0.13, 0.28),
                ("all", "demand", 10, 100, 0.1, 0.05, 0.16)])
    (line,) = instrument_shares.share_findings(t)
    assert "supply (供给型) is the largest at 70 %" in line and "fragile" not in line


def test_findings_small_n_single_group_and_missing_values():
    t = _table([("(missing)", "supply", 5, 10, 0.5, 0.2, 0.8), ("(missing)", "environment", 3, 10, 0.3, 0.0, 0.6),
                ("(missing)", "demand", 2, 10, 0.2, 0.0, 0.5)], n_docs=1)
    (line,) = instrument_shares.share_findings(t)
    assert line.startswith("Documents without a value for this grouping (e.g. undated):")
    assert "fewer than 30: a fragile figure" in line and "one document" in line
    no_ci = _table([("all", "supply", 5, 10, 0.5, np.nan, np.nan), ("all", "demand", 5, 10, 0.5, np.nan, np.nan),
                    ("all", "environment", 0, 10, 0.0, np.nan, np.nan)])
    assert "tied" in instrument_shares.share_findings(no_ci)[0]


# ----------------------------------------------------------------------------- plots

def test_plots_draw_and_cope_with_nothing(seed_coded):
    from policylab.plots import instruments as P

    sh = instrument_shares.shares(seed_coded, by="city", n_boot=50)
    fig = P.plot_shares(sh)
    assert len(fig.axes[0].patches) == 3 * 4  # three types × four cities
    fig = P.plot_alluvial(seed_coded)
    assert "n=%d" % len(seed_coded) in fig.axes[0].get_title()
    fig = P.plot_heatmap(instrument_shares.shares(seed_coded, by="city", level="instrument", n_boot=0))
    assert len(fig.axes[0].get_yticklabels()) == 4
    fig = P.plot_comparison(instrument_shares.compare_published(instrument_shares.shares(seed_coded, n_boot=50)))
    assert len(fig.axes[0].patches) == 3
    empty = instruments.code(instruments.units(None))
    for f in (P.plot_shares(instrument_shares.shares(empty)), P.plot_alluvial(empty),
              P.plot_heatmap(instrument_shares.shares(empty)), P.plot_comparison(instrument_shares.compare_published(
                  instrument_shares.shares(empty)))):
        assert "nothing to code" in f.axes[0].texts[0].get_text()
    import matplotlib.pyplot as plt

    plt.close("all")
