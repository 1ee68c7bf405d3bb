"""Timeline functions on small crafted tables, and the timeline charts with Chinese labels."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from policylab import schema
from policylab.timeline import (
    compare_targets,
    document_timeline,
    document_years,
    first_mentions,
    term_counts,
    term_prevalence,
    topic_prevalence_over_time,
)


@pytest.fixture
def documents() -> pd.DataFrame:
    # columns as the metadata stage gives them; some missing, some null, years outside 2018-2025
    return pd.DataFrame({
        "doc_id": ["d1", "d2", "d3", "d4"],
        "city": ["沈阳", "成都", "合肥", pd.NA],
        "title": ["沈阳市新一代人工智能发展规划三年行动计划(2018-2020年)", "成都建设国家新一代人工智能创新发展试验区实施方案",
                  "合肥市人民政府关于加快推进新一代人工智能产业发展的实施意见", "某市人工智能规划"],
        "issued": [pd.Timestamp("2018-12-06"), pd.NaT, pd.NaT, pd.NaT],
        "published": [pd.NaT, pd.Timestamp("2020-11-17"), pd.Timestamp("2020-04-22"), pd.NaT],
        "effective_from": [pd.NaT, pd.Timestamp("2020-12-10"), pd.NaT, pd.NaT],
        "effective_to": [pd.NaT, pd.Timestamp("2022-12-31"), pd.NaT, pd.NaT],
        "plan_start": pd.array([2018, pd.NA, pd.NA, 2031], dtype="Int64"),
        "plan_end": pd.array([2020, pd.NA, pd.NA, 2035], dtype="Int64"),
        "target_years": ["2020", "2022", "2020,2025,2030", None],
    })


def test_document_years_falls_back_in_order(documents):
    y = document_years(documents)
    assert y["year"].tolist() == [2018, 2020, 2020, 2031]
    assert document_years(documents.assign(year=[2017, None, None, None]))["year"].tolist() == [2017, 2020, 2020, 2031]


def test_document_timeline(documents):
    t = document_timeline(documents)
    schema.validate("document_timeline", t)
    d1 = t[t["doc_id"] == "d1"]
    assert d1["event"].tolist() == ["issued", "plan_period", "target"]
    plan = d1[d1["event"] == "plan_period"].iloc[0]
    assert (plan["start"], plan["end"]) == (pd.Timestamp("2018-01-01"), pd.Timestamp("2020-12-31"))
    d2 = t[t["doc_id"] == "d2"].set_index("event")
    assert d2.loc["in_force", "start"] == pd.Timestamp("2020-12-10")
    assert d2.loc["in_force", "end"] == pd.Timestamp("2022-12-31")
    assert sorted(t.loc[(t["doc_id"] == "d3") & (t["event"] == "target"), "year"]) == [2020, 2025, 2030]
    # nothing assumes 2018-2025: a 2031-2035 plan is on the axis
    assert t.loc[t["doc_id"] == "d4", "year"].tolist() == [2031]
    assert pd.isna(t.loc[t["doc_id"] == "d4", "city"]).all()


def test_document_timeline_minimal_columns_and_targets_table():
    docs = pd.DataFrame({"doc_id": ["a", "b"]})
    assert len(document_timeline(docs)) == 0
    schema.validate("document_timeline", document_timeline(docs))
    targets = pd.DataFrame({"doc_id": ["a", "a", "b"], "target_year": pd.array([2025, pd.NA, 2027], dtype="Int64")})
    t = document_timeline(docs, targets=targets)
    assert t["year"].tolist() == [2025, 2027] and set(t["event"]) == {"target"}


@pytest.fixture
def tokens() -> pd.DataFrame:
    rows = []
    spec = {"d1": ["智能", "制造", "数据", "5G", "机器人", "数据"],
            "d2": ["算力", "数据", "大", "模型"],
            "d3": ["大模型", "算力", "算力", "数据", "智能制造"]}
    for d, toks in spec.items():
        for i, tok in enumerate(toks):
            rows.append({"doc_id": d, "section_id": "1", "position": i, "token": tok})
    return pd.DataFrame(rows)


def test_term_counts_join_consecutive_tokens(tokens):
    c = term_counts(tokens, ["大模型", "智能制造", "数据"]).set_index(["doc_id", "term"])["count"]
    assert c[("d2", "大模型")] == 1 and c[("d3", "大模型")] == 1  # 大+模型 and 大模型
    assert c[("d1", "智能制造")] == 1 and c[("d3", "智能制造")] == 1
    assert c[("d1", "数据")] == 2 and c[("d1", "大模型")] == 0
    # tokens of different units never join
    split = tokens.assign(section_id=["1"] * 6 + ["1", "1", "1", "2"] + ["1"] * 5)
    assert term_counts(split, ["大模型"]).set_index(["doc_id", "term"])["count"][("d2", "大模型")] == 0


def test_term_prevalence_by_year_and_city(tokens):
    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "year": [2019, 2023, 2023], "city": ["沈阳", "成都", "成都"]})
    p = term_prevalence(tokens, ["算力", "5G"], by=("year",), documents=docs)
    schema.validate("term_prevalence", p)
    assert p[["year", "term", "count", "n_tokens"]].values.tolist() == [
        [2019, "算力", 0, 6], [2019, "5G", 1, 6], [2023, "算力", 3, 9], [2023, "5G", 0, 9]]
    assert p.loc[(p["year"] == 2023) & (p["term"] == "算力"), "per_10k"].iloc[0] == pytest.approx(3 / 9 * 1e4)
    assert p["city"].isna().all()
    # year and city carried by the tokens themselves
    merged = tokens.merge(docs, on="doc_id")
    pc = term_prevalence(merged, ["算力"], by=("year", "city"))
    assert pc[["year", "city", "count", "n_docs"]].values.tolist() == [[2019, "沈阳", 0, 1], [2023, "成都", 3, 2]]
    with pytest.raises(ValueError, match="cannot group by 'city'"):
        term_prevalence(tokens, ["算力"], by=("city",))
    with pytest.raises(ValueError, match="by must name"):
        term_prevalence(merged, ["算力"], by=("issuer",))


def test_first_mentions(tokens):
    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "year": [2019, 2023, 2021], "city": ["沈阳", "成都", "成都"]})
    f = first_mentions(tokens, ["算力", "数据", "5G"], documents=docs)
    schema.validate("first_mentions", f)
    got = {(r.city, r.term): (r.first_year, r.first_doc_id, r.n_docs) for r in f.itertuples()}
    assert got[("成都", "算力")] == (2021, "d3", 2)
    assert got[("沈阳", "数据")] == (2019, "d1", 1)
    assert pd.isna(got[("成都", "5G")][0]) and got[("成都", "5G")][2] == 0
    overall = first_mentions(tokens, ["数据"], by=None, documents=docs)
    assert overall["first_year"].tolist() == [2019] and overall["n_docs"].tolist() == [3]


def test_topic_prevalence_over_time():
    ut = pd.DataFrame({
        "doc_id": ["a", "a", "a", "a", "b", "b", "c", "c"],
        "section_id": ["1", "1", "2", "2", "1", "1", "1", "1"],
        "topic": [1, 2, 1, 2, 1, 2, 1, 2],
        "weight": [1.0, 0.0, 0.5, 0.5, 0.2, 0.8, 0.9, 0.1],
    })
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "published": ["2019-05-01", "2019-07-01", None],
                         "city": ["南京", "合肥", "成都"]})
    tr = topic_prevalence_over_time(ut, docs)
    schema.validate("topic_trends", tr)
    # doc a: topic 1 mean 0.75; doc b: 0.2 -> year 2019 mean 0.475; doc c has no year and is left out
    assert tr[["year", "topic", "n_docs"]].values.tolist() == [[2019, 1, 2], [2019, 2, 2]]
    assert tr["weight"].tolist() == pytest.approx([0.475, 0.525])
    by_city = topic_prevalence_over_time(ut, docs, by=("year", "city"))
    assert by_city[["city", "topic", "n_docs"]].values.tolist() == [["南京", 1, 1], ["南京", 2, 1], ["合肥", 1, 1], ["合肥", 2, 1]]


def test_compare_targets(documents):
    targets = pd.DataFrame({
        "doc_id": ["d1", "d2", "d3", "d3", "d3", "d2"],
        "target_year": pd.array([2020, 2022, 2020, 2025, pd.NA, 2022], dtype="Int64"),
        "indicator": ["人工智能核心产业产值", "人工智能核心产业规模", "人工智能核心产业规模", "人工智能核心产业规模",
                      "人工智能核心产业规模", "补助"],
        "value": [30.0, 500.0, 100.0, 300.0, 50.0, 200.0],
        "value_high": [None] * 6, "unit": ["亿元"] * 5 + ["万元"],
        "comparator": ["达到", "突破", "超过", "超过", None, "最高"],
        "value_std": [3e9, 5e10, 1e10, 3e10, 5e9, 2e6],
        "kind": ["target"] * 5 + ["support"],
        "indicator_family": ["industry_scale"] * 5 + ["other"],
    })
    c = compare_targets(targets, documents, indicator_family="industry_scale", unit="亿元",
                        indicator_contains="核心产业")
    schema.validate("target_comparison", c)
    assert c[["city", "target_year", "value"]].values.tolist() == [
        ["合肥", 2020, 100.0], ["合肥", 2025, 300.0], ["成都", 2022, 500.0], ["沈阳", 2020, 30.0]]
    assert len(compare_targets(targets, documents, kind="support")) == 1
    assert len(compare_targets(targets, documents, dated_only=False, unit="亿元")) == 5


# ---- charts -----------------------------------------------------------------------------------


def _render(fig, tmp_path, stem, formats=("png", "svg")) -> str:
    """Save with every warning an error (a missing glyph fails); return the SVG.

    PDF (font embedding, ~5 s a figure) is checked once, on the timeline chart.
    """
    from policylab.plots import save_figure

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = save_figure(fig, tmp_path / stem, formats=formats)
    import matplotlib.pyplot as plt

    plt.close(fig)
    assert all(p.stat().st_size > 0 for p in paths)
    return (tmp_path / f"{stem}.svg").read_text("utf-8")


def _draw(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


def test_timeline_chart(documents, tmp_path):
    from policylab.plots.timeline import plot_document_timeline

    fig = _draw(plot_document_timeline, document_timeline(documents))
    svg = _render(fig, tmp_path, "timeline", formats=("png", "svg", "pdf"))
    for text in ("政策文件时间轴", "沈阳", "成都", "规划期", "有效期", "目标年", "(城市不详)"):
        assert text in svg, text


def test_term_trends_chart(tokens, tmp_path):
    from policylab.plots.timeline import plot_term_trends

    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "year": [2019, 2023, 2024], "city": ["沈阳", "成都", "成都"]})
    p = term_prevalence(tokens, ["算力", "大模型", "数据"], by=("year", "city"), documents=docs)
    svg = _render(_draw(plot_term_trends, p), tmp_path, "terms")
    for text in ("词语使用趋势", "每万词出现次数", "大模型", "算力", "成都", "沈阳"):
        assert text in svg, text


def test_topic_trends_chart(tmp_path):
    from policylab.plots.timeline import plot_topic_trends

    tr = pd.DataFrame({"year": [2018, 2018, 2023, 2023], "topic": [1, 2, 1, 2], "weight": [0.7, 0.3, 0.4, 0.6]})
    labels = pd.DataFrame({"topic": [1, 2], "top_terms": ["机器人 制造 智能", "算力 数据 模型"], "label": [None, "算力基础设施"]})
    svg = _render(_draw(plot_topic_trends, tr, labels), tmp_path, "topics")
    for text in ("主题随时间的变化", "平均主题权重", "机器人", "算力基础设施"):
        assert text in svg, text


def test_targets_compared_chart(tmp_path):
    from policylab.plots.timeline import plot_targets_compared

    comp = pd.DataFrame({"city": ["合肥", "合肥", "成都", "南京"], "target_year": [2020, 2025, 2022, 2025],
                         "value": [100.0, 300.0, 500.0, 1.0], "value_high": [None, None, None, 2.0],
                         "unit": ["亿元"] * 4, "comparator": ["超过", "超过", "突破", None]})
    svg = _render(_draw(plot_targets_compared, comp, title="人工智能核心产业规模"), tmp_path, "targets")
    for text in ("人工智能核心产业规模", "目标值(亿元)", "合肥", "成都", "突破500"):
        assert text in svg, text
    with pytest.raises(ValueError, match="several units"):
        plot_targets_compared(comp.assign(unit=["亿元", "家", "亿元", "亿元"]))
