"""Document metadata (policylab.meta): the seed facts of seed-facts.md and crafted documents."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from policylab import schema
from policylab.meta import (
    apply_corrections,
    document_metadata,
    extract_metadata,
    fold,
    gazetteer,
    normalize_doc_number,
    parse_date,
    read_corrections,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def meta(corpus):
    return document_metadata(corpus.documents, corpus.page_fields, corpus.files)


@pytest.fixture(scope="module")
def by_seed(corpus, meta):
    """metadata rows keyed by seed prefix ('001' ...); the Nanjing duplicate 000 maps to 001's doc."""
    ids = {Path(p).name[:3]: d for p, d in zip(corpus.files["path"], corpus.files["doc_id"])}
    m = meta.set_index("doc_id")
    return {k: m.loc[v] for k, v in ids.items()}


def _d(s):
    return pd.Timestamp(s)


# ----------------------------------------------------------------------------- seeds


def test_schema_and_one_row_per_document(corpus, meta):
    schema.validate("document_metadata", meta)
    assert sorted(meta["doc_id"]) == sorted(corpus.documents["doc_id"])
    assert meta["doc_id"].is_unique


def test_duplicate_maps_to_canonical_record(corpus, by_seed):
    # 000 (Traditional) and 001 are one document: one record
    assert by_seed["000"].name == by_seed["001"].name
    assert len(corpus.documents) == 4


def test_titles(by_seed):
    assert by_seed["001"]["title"] == "南京国家人工智能创新应用先导区建设实施方案"
    assert by_seed["002"]["title"] == "合肥市人民政府关于加快推进新一代人工智能产业发展的实施意见"
    assert by_seed["003"]["title"] in {"成都建设国家新一代人工智能创新发展实验区实施方案",
                                       "成都建设国家新一代人工智能创新发展试验区实施方案"}
    assert by_seed["004"]["title"] == "沈阳市新一代人工智能发展规划三年行动计划(2018-2020年)"


def test_notice_titles(by_seed):
    assert by_seed["001"]["notice_title"] == "市政府关于印发南京国家人工智能创新应用先导区建设实施方案的通知"
    assert pd.isna(by_seed["002"]["notice_title"])  # Hefei's 实施意见 is not wrapped in a notice
    assert by_seed["003"]["notice_title"].startswith("关于印发《成都建设")
    assert by_seed["004"]["notice_title"] == (
        "沈阳市人民政府办公厅关于印发沈阳市新一代人工智能发展规划三年行动计划(2018-2020年)的通知")


def test_doc_types(by_seed):
    assert [by_seed[k]["doc_type"] for k in ("001", "002", "003", "004")] == [
        "实施方案", "实施意见", "实施方案", "行动计划"]


def test_places_from_gazetteer(by_seed):
    want = {"001": ("南京", "江苏"), "002": ("合肥", "安徽"), "003": ("成都", "四川"),
            "004": ("沈阳", "辽宁")}
    for k, (city, province) in want.items():
        r = by_seed[k]
        assert (r["city"], r["province"], r["level"]) == (city, province, "municipal"), k


def test_chengdu_place_comes_from_text_not_issuer(by_seed):
    # Chengdu names no issuer; its place is read from its 文号 prefix 成 (成发办)
    assert pd.isna(by_seed["003"]["issuer"])
    assert by_seed["003"]["place_source"] in {"doc_number", "title"}


def test_doc_numbers(by_seed):
    assert by_seed["001"]["doc_number"] == "宁政发〔2022〕133号"
    assert pd.isna(by_seed["002"]["doc_number"])  # the numbers in Hefei's preamble are citations
    assert by_seed["003"]["doc_number"] == "成发办〔2020〕97号"
    assert by_seed["004"]["doc_number"] == "沈政办发〔2018〕144号"


def test_issuers(by_seed):
    assert by_seed["001"]["issuer"] == "南京市人民政府"
    assert by_seed["001"]["issuer_source"] == "signature"
    assert by_seed["002"]["issuer"] == "合肥市人民政府"
    assert pd.isna(by_seed["003"]["issuer"])
    assert by_seed["004"]["issuer"] == "沈阳市人民政府办公厅"


def test_dates_signed(by_seed):
    assert by_seed["001"]["issued"] == _d("2022-12-12")
    assert pd.isna(by_seed["002"]["issued"])
    assert pd.isna(by_seed["003"]["issued"])
    assert by_seed["004"]["issued"] == _d("2018-12-06")


def test_page_dates_are_kept_apart_from_issue_date(by_seed):
    # Nanjing's 发布时间 is on the duplicate 000's page only: the canonical record gets it
    assert by_seed["001"]["published"] == _d("2022-12-12")
    assert by_seed["002"]["published"] == _d("2020-04-22")
    assert by_seed["002"]["updated"] == _d("2022-04-22")
    assert pd.isna(by_seed["002"]["issued"])
    assert by_seed["003"]["published"] == _d("2020-11-17")
    assert pd.isna(by_seed["004"]["published"])


def test_published_reaches_canonical_from_duplicate(corpus, by_seed):
    pf = corpus.page_fields
    canonical = corpus.documents.loc[corpus.documents["doc_id"] == by_seed["001"].name, "source_path"]
    own = pf[(pf["path"] == canonical.iloc[0]) & (pf["field"] == "published")]
    assert own.empty  # 001's page gives no date ...
    assert by_seed["001"]["published"] == _d("2022-12-12")  # ... 000's does


def test_validity(by_seed):
    assert by_seed["003"]["effective_from"] == _d("2020-12-10")
    assert by_seed["003"]["effective_to"] == _d("2022-12-31")
    for k in ("001", "002", "004"):
        assert pd.isna(by_seed[k]["effective_from"]) and pd.isna(by_seed[k]["effective_to"]), k


def test_plan_periods(by_seed):
    assert (by_seed["004"]["plan_start"], by_seed["004"]["plan_end"]) == (2018, 2020)
    for k in ("001", "002", "003"):
        assert pd.isna(by_seed[k]["plan_start"]) and pd.isna(by_seed[k]["plan_end"]), k


def test_target_years(by_seed):
    assert by_seed["001"]["target_years"] == "2022,2023,2024,2025"  # 2025 overall + stage goals
    assert by_seed["002"]["target_years"] == "2020,2025,2030"
    assert by_seed["003"]["target_years"] == "2022"
    assert by_seed["004"]["target_years"] == "2020"


def test_year_rule(by_seed):
    got = {k: (by_seed[k]["year"], by_seed[k]["year_source"]) for k in ("001", "002", "003", "004")}
    assert got == {"001": (2022, "issued"), "002": (2020, "published"),
                   "003": (2020, "effective_from"), "004": (2018, "issued")}


def test_metadata_round_trips_through_parquet(meta, tmp_path):
    p = tmp_path / "meta.parquet"
    meta.to_parquet(p)
    back = pd.read_parquet(p)
    schema.validate("document_metadata", schema.conform("document_metadata", back))
    pd.testing.assert_frame_equal(schema.conform("document_metadata", back), meta)


# ----------------------------------------------------------------------------- crafted documents


def test_full_width_punctuation_throughout():
    text = ("关于印发某某市人工智能产业发展行动计划（２０２１－２０２３年）的通知\n"
            "合政〔２０２１〕１２号\n各县（市）、区人民政府：\n现将《某某市人工智能产业发展行动计划（２０２１－２０２３年）》印发给你们。\n"
            "合肥市人民政府\n２０２１年３月５日\n一、总体要求\n到２０２３年，产业规模超过１００亿元。")
    m = extract_metadata(text)
    assert m["doc_number"] == "合政〔2021〕12号"
    assert m["issuer"] == "合肥市人民政府"
    assert m["issued"] == _d("2021-03-05")
    assert (m["plan_start"], m["plan_end"]) == (2021, 2023)
    assert m["title"] == "某某市人工智能产业发展行动计划(2021-2023年)"
    assert m["target_years"] == "2023"
    assert (m["city"], m["province"]) == ("合肥", "安徽")


def test_title_split_over_two_lines():
    text = ("南京市人民政府关于印发南京市促进人工智能\n产业高质量发展若干措施的通知\n宁政发〔2023〕5号\n"
            "各区人民政府:\n现将《南京市促进人工智能产业高质量发展若干措施》印发给你们。\n"
            "南京市人民政府\n2023年1月9日\n南京市促进人工智能\n产业高质量发展若干措施\n一、支持创新")
    m = extract_metadata(text)
    assert m["notice_title"] == "南京市人民政府关于印发南京市促进人工智能产业高质量发展若干措施的通知"
    assert m["title"] == "南京市促进人工智能产业高质量发展若干措施"
    assert m["doc_type"] == "若干措施"


def test_no_title_line_only_a_document_number():
    m = extract_metadata("沈政发〔2019〕7号\n各区、县(市)人民政府:\n一、总体要求\n到2022年,…")
    assert m["doc_number"] == "沈政发〔2019〕7号"
    assert m["title"] is None and m["doc_type"] is None and m["issuer"] is None
    assert (m["city"], m["province"], m["place_source"]) == ("沈阳", "辽宁", "doc_number")


@pytest.mark.parametrize("title,period", [
    ("某市人工智能产业发展行动方案（2025～2026年）", (2025, 2026)),
    ("某市人工智能产业发展行动方案（2025—2026年）", (2025, 2026)),
    ("某市新一代人工智能发展规划2018—2020年", (2018, 2020)),
    ("某市人工智能产业发展行动方案(2018-2020年)", (2018, 2020)),
])
def test_period_in_title(title, period):
    m = extract_metadata(title + "\n一、总体要求")
    assert (m["plan_start"], m["plan_end"]) == period
    assert m["title"] == fold(title)  # full-width forms folded as in clean text: （～） -> (~)


def test_edition_label_is_not_a_period():
    m = extract_metadata("某市支持人工智能产业发展若干政策（2026年版）\n一、适用范围")
    assert m["plan_start"] is None and m["plan_end"] is None
    assert m["title"] == "某市支持人工智能产业发展若干政策(2026年版)"
    assert m["doc_type"] == "若干政策"


def test_joint_issuer_list():
    text = ("关于印发某某省人工智能产业发展实施方案的通知\n苏科发〔2022〕3号\n各设区市科技局:\n"
            "现将《某某省人工智能产业发展实施方案》印发给你们。\n"
            "江苏省科学技术厅 江苏省工业和信息化厅\n江苏省发展和改革委员会\n2022年6月1日\n一、目标")
    m = extract_metadata(text)
    assert m["issuer"] == "江苏省科学技术厅、江苏省工业和信息化厅、江苏省发展和改革委员会"
    assert m["issued"] == _d("2022-06-01")
    assert (m["city"], m["province"], m["level"]) == (None, "江苏", "provincial")


def test_signature_date_in_chinese_numerals():
    text = ("关于印发某市人工智能实施方案的通知\n宁政发〔2022〕133号\n各区人民政府:\n"
            "现将《某市人工智能实施方案》印发给你们。\n南京市人民政府\n二〇二二年十二月十二日\n一、指导思想")
    m = extract_metadata(text)
    assert m["issued"] == _d("2022-12-12")
    assert (m["year"], m["year_source"]) == (2022, "issued")


def test_signature_at_end_of_document():
    m = extract_metadata("某市人工智能实施意见\n一、目标\n到2025年,…\n某市人民政府办公室\n2021年7月1日")
    assert m["issued"] == _d("2021-07-01")
    assert m["issuer"] == "某市人民政府办公室"


@pytest.mark.parametrize("raw", ["宁政发[2022]133号", "宁政发(2022)133号", "宁政发〔2022〕133号",
                                 "宁政发【2022】133号", "宁政发（２０２２）１３３号", "宁政发〔2022〕 133 号"])
def test_doc_number_forms(raw):
    assert normalize_doc_number(raw) == "宁政发〔2022〕133号"


def test_ambiguous_prefix_is_not_guessed():
    # 宁 is the prefix of 南京, 西宁 and 宁夏: with no place named, the place stays null
    m = extract_metadata("宁政发〔2022〕1号\n各有关单位:\n一、总体要求")
    assert m["city"] is None and m["province"] is None and m["level"] is None
    # ... and resolves when the text names one of them
    m = extract_metadata("宁政发〔2022〕1号\n各有关单位:\n为加快南京人工智能发展,制定本方案。\n一、总体要求")
    assert (m["city"], m["province"]) == ("南京", "江苏")


def test_national_document():
    m = extract_metadata("国务院关于印发新一代人工智能发展规划的通知\n国发〔2017〕35号\n"
                         "各省、自治区、直辖市人民政府:\n现将《新一代人工智能发展规划》印发给你们。\n"
                         "国务院\n2017年7月8日\n一、战略态势")
    assert m["level"] == "national" and m["city"] is None and m["province"] is None
    assert m["title"] == "新一代人工智能发展规划"


def test_validity_clauses():
    m = extract_metadata("某市方案\n一、附则\n本方案自印发之日起施行,有效期3年。\n某市人民政府\n2021年1月1日")
    assert m["effective_from"] == _d("2021-01-01")
    assert m["effective_to"] == _d("2023-12-31")


def test_silent_text_gives_nulls():
    m = extract_metadata("加快发展人工智能,推动产业升级。")
    assert all(v is None for v in m.values())
    assert document_metadata(pd.DataFrame({"doc_id": ["x"], "text": [""]})).drop(
        columns="doc_id").isna().all(axis=None)


def test_parse_date_forms():
    assert parse_date("二〇一八年十二月六日") == _d("2018-12-06")
    assert parse_date("2020-04-22") == _d("2020-04-22")
    assert parse_date("2022年12月12日") == _d("2022-12-12")
    assert parse_date("2022年13月40日") is None


# ----------------------------------------------------------------------------- gazetteer


def test_gazetteer_is_complete():
    g = gazetteer()
    assert (g["level"] == "province").sum() == 34
    assert (g["level"] == "prefecture").sum() >= 333
    assert g["name"].is_unique
    provinces = set(g.loc[g["level"] == "province", "short"])
    assert set(g.loc[g["level"] == "prefecture", "province"]) <= provinces
    idx = g.set_index("name")
    for name, p in [("南京市", "宁"), ("沈阳市", "沈"), ("成都市", "成"), ("合肥市", "合"),
                    ("江苏省", "苏"), ("北京市", "京"), ("安徽省", "皖"), ("四川省", "川"),
                    ("辽宁省", "辽")]:
        assert p in idx.at[name, "doc_prefixes"].split("|"), name
    assert idx.at["南京市", "province"] == "江苏"


# ----------------------------------------------------------------------------- corrections


def test_corrections_file_ships_valid_and_empty():
    c = read_corrections(ROOT / "data" / "corrections.csv")
    assert list(c.columns) == ["doc_key", "field", "value", "source", "note"]
    assert len(c) == 0


def test_apply_corrections(corpus, meta, by_seed):
    chengdu = by_seed["003"].name
    fixes = pd.DataFrame({
        "doc_key": ["003_356282190eccce49.txt", chengdu, "000_386978f9a7633c20.txt", "nope.txt",
                    chengdu],
        "field": ["issuer", "issued", "title", "issuer", "colour"],
        "value": ["成都市人民政府办公厅", "2020-11-10", "", "X", "red"],
        "source": ["site", "site", "test", "test", "test"],
        "note": ["", "", "", "", ""],
    })
    fixed, log = apply_corrections(meta, fixes, corpus.files)
    schema.validate("document_metadata", fixed)
    schema.validate("metadata_corrections", log)
    row = fixed.set_index("doc_id").loc[chengdu]
    assert row["issuer"] == "成都市人民政府办公厅"
    assert row["issued"] == _d("2020-11-10")
    assert (row["year"], row["year_source"]) == (2020, "issued")
    # a duplicate's file name reaches the canonical record; an empty value sets null
    assert pd.isna(fixed.set_index("doc_id").loc[by_seed["001"].name, "title"])
    assert log["status"].tolist() == ["applied", "applied", "applied", "unknown_document",
                                      "unknown_field"]
    assert pd.isna(log.loc[0, "old_value"]) and log.loc[0, "new_value"] == "成都市人民政府办公厅"
    # the input table is not modified
    assert pd.isna(meta.set_index("doc_id").loc[chengdu, "issuer"])


def test_bad_correction_value_is_logged_not_applied(meta, by_seed):
    fixes = pd.DataFrame({"doc_key": [by_seed["004"].name], "field": ["issued"],
                          "value": ["soon"], "source": ["x"], "note": [""]})
    fixed, log = apply_corrections(meta, fixes)
    assert log["status"].tolist() == ["bad_value"]
    assert fixed.set_index("doc_id").loc[by_seed["004"].name, "issued"] == _d("2018-12-06")


# ----------------------------------------------------------------------------- fast paths (issue 15)
def test_in_force_words_are_where_the_look_behind_pattern_finds_them(seeds_dir):
    import re

    from policylab.meta import _in_force_words

    plain = re.compile(r"(?<=[日\d])\s*(?:起\s*)?(?:开始)?(?:施行|实施|执行|生效)")
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(Path(seeds_dir).iterdir()) if p.is_file()]
    texts += ["自2020年12月10日起施行", "2020年1月1日 起 开始实施", "本办法自2021年3月1日起开始执行。", "起实施行",
              "3 施行", "日实施行", "实施", "1开始生效", "日 起起施行", "2020年1月1日\n起施行"]
    for t in texts:
        assert list(_in_force_words(t)) == [m.start() for m in plain.finditer(t)], t[:40]
