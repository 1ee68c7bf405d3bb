"""load_corpus: the seeds give 4 documents and 1 duplicate; bad input never stops the build."""

from __future__ import annotations

import codecs
import hashlib

import pandas as pd
import pytest

from policylab import load_corpus, schema
from policylab.corpus import SourceError

from test_clean import BODY  # a crafted document nobody has scraped


def test_seeds_give_four_documents_and_one_duplicate(corpus):
    f = corpus.files.set_index("path")
    assert len(f) == 5
    assert f["status"].value_counts().to_dict() == {"document": 4, "duplicate": 1}
    dup = f.loc["000_386978f9a7633c20.txt"]
    assert dup["status"] == "duplicate"
    assert dup["duplicate_of"] == "001_4de147ab1a0c3745.txt"
    assert dup["doc_id"] == f.loc["001_4de147ab1a0c3745.txt", "doc_id"]
    assert dup["similarity"] >= 0.95
    assert "near-duplicate of 001_4de147ab1a0c3745.txt" in dup["reason"]
    assert set(corpus.documents["source_path"]) == {
        "001_4de147ab1a0c3745.txt", "002_4ff1a9d776ae5834.txt", "003_356282190eccce49.txt", "004_1b4b1833641e6e95.txt"
    }


def test_doc_ids_are_content_derived(corpus, seeds_dir):
    for _, row in corpus.documents.iterrows():
        raw = (seeds_dir / row["source_path"]).read_bytes()
        assert row["doc_id"] == "d" + hashlib.sha256(raw).hexdigest()[:12]
    assert corpus.documents["doc_id"].is_unique


def test_provenance_and_audit_columns(corpus):
    f = corpus.files
    assert (f["encoding"] == "utf-8").all() and (f["format"] == "text").all()
    assert f["bytes"].tolist() == [25514, 21708, 33131, 30446, 15169]
    d = corpus.documents.set_index("source_path")
    assert d.loc["001_4de147ab1a0c3745.txt", "script"] == "simplified"
    assert d.loc["001_4de147ab1a0c3745.txt", "n_duplicates"] == 1
    assert (d["n_traditional_left"] == 0).all()
    assert (d["n_chars"] == d["text"].str.len()).all()
    # the duplicate's page noise and page fields are audited too
    assert (corpus.removed["path"] == "000_386978f9a7633c20.txt").sum() >= 8
    pf = corpus.page_fields
    assert set(pf[pf["path"] == "000_386978f9a7633c20.txt"]["field"]) >= {"published", "level", "issuer"}


@pytest.mark.parametrize("table", ["files", "documents", "removed", "page_fields"])
def test_tables_match_their_schema(corpus, table):
    schema.validate(table, getattr(corpus, table))


def test_schema_is_documented_for_every_column():
    d = schema.describe()
    assert not d.empty and d["doc"].str.len().min() > 3
    for table in ["files", "documents", "removed", "page_fields"]:
        cols = schema.columns(table)
        assert len(cols) == len(set(cols))
        assert all(c == c.lower() and " " not in c for c in cols)


def write_bad_inputs(root, seeds_dir):
    """A folder holding one file of every kind of input a scraper leaves behind."""
    import opencc

    s2t = opencc.OpenCC("s2t").convert
    seed = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.iterdir())}
    (root / "sub").mkdir()
    files = {
        "gbk.txt": seed["002"].encode("gbk", errors="ignore"),
        "sub/big5.txt": s2t(seed["004"]).encode("big5", errors="ignore"),
        "sub/big5_copy_of_gbk.txt": s2t(seed["002"]).encode("big5", errors="ignore"),
        "bom.txt": codecs.BOM_UTF8 + "\n".join(BODY).encode("utf-8"),
        "utf16.txt": seed["003"].encode("utf-16"),
        "page.html": ("<html><head><title>政策文件</title></head><body><div>当前位置：首页 > 政策</div>"
                      + "".join(f"<p>{x}</p>" for x in seed["001"].splitlines()) + "</body></html>").encode("utf-8"),
        "empty.txt": b"",
        "binary.txt": b"\x00\x01\x02PK\x03\x04" + bytes(range(256)) * 8,
        "nav_only.html": "<html><body><div>首页 | 政务公开 | 互动交流</div><div>当前位置：首页 > 政策文件</div><p>【打印】【关闭】</p></body></html>".encode(),
        "novel.txt": ("他走进房间,看见窗外的雨下得很大,心里想着远方的朋友,不知道他们过得怎么样,明天是否还会再见。" * 10).encode(),
        "huge.txt": seed["002"].encode() * 10,
        "undecodable.txt": bytes([0xFF, 0x80, 0xFE, 0x81]) * 200,
        "scan.pdf": b"%PDF-1.7\n",
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    return files


def test_bad_input_is_rejected_with_reasons_and_never_stops_the_build(tmp_path, seeds_dir):
    files = write_bad_inputs(tmp_path, seeds_dir)
    c = load_corpus(tmp_path, max_bytes=100_000)
    f = c.files.set_index("path")
    assert sorted(f.index) == sorted(files)
    reasons = f["reason"].fillna("")
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"]
    assert "no policy text" in reasons["nav_only.html"]
    assert "not a policy document" in reasons["novel.txt"]
    assert "limit (max_bytes)" in reasons["huge.txt"]
    assert "cannot decode" in reasons["undecodable.txt"]
    assert "unsupported file type .pdf" in reasons["scan.pdf"]
    rejected = {"empty.txt", "binary.txt", "nav_only.html", "novel.txt", "huge.txt", "undecodable.txt", "scan.pdf"}
    assert set(f.index[f["status"] == "rejected"]) == rejected
    # the readable pages all build, in their encodings
    assert f.loc["gbk.txt", "encoding"] == "gb18030"
    assert f.loc["sub/big5.txt", "encoding"] == "big5"
    assert f.loc["bom.txt", "encoding"] == "utf-8-sig"
    assert f.loc["utf16.txt", "encoding"] == "utf-16"
    assert f.loc["page.html", "format"] == "html"
    assert (f["status"] == "document").sum() == 5
    # the same document in Big5 Traditional is a duplicate of its GBK Simplified copy
    assert f.loc["sub/big5_copy_of_gbk.txt", "status"] == "duplicate"
    assert f.loc["sub/big5_copy_of_gbk.txt", "duplicate_of"] == "gbk.txt"
    docs = c.documents.set_index("source_path")
    assert docs.loc["sub/big5.txt", "script"] == "traditional" and docs.loc["sub/big5.txt", "n_traditional_left"] == 0
    assert docs.loc["sub/big5.txt", "text"].startswith("《沈阳市人民政府办公厅关于印发沈阳市新一代人工智能发展规划")
    assert docs.loc["page.html", "text"].startswith("市政府关于印发南京国家人工智能创新应用先导区建设实施方案的通知")
    assert (c.files["sha256"].notna() | c.files["path"].isin(["huge.txt", "scan.pdf"])).all()
    for table in ["files", "documents", "removed", "page_fields"]:
        schema.validate(table, getattr(c, table))


def test_source_errors(tmp_path):
    with pytest.raises(SourceError, match="source not found"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(SourceError, match="holds no files"):
        load_corpus(tmp_path)


def test_a_single_file_can_be_loaded(seeds_dir):
    c = load_corpus(seeds_dir / "004_1b4b1833641e6e95.txt")
    assert c.files["status"].tolist() == ["document"]


def _spy(monkeypatch, module, name: str) -> list[dict]:
    """Wrap ``module.name`` for the test: returns the list of its calls' keyword arguments."""
    calls: list[dict] = []
    real = getattr(module, name)

    def wrapper(*a, **k):
        calls.append(k)
        return real(*a, **k)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_cached_build_is_identical_and_keyed_by_content(tmp_path, seeds_dir, monkeypatch):
    import shutil

    import pandas as pd

    import policylab.corpus as corpus_mod

    src = tmp_path / "pages"
    shutil.copytree(seeds_dir, src)
    cache = tmp_path / "cache"
    cold = load_corpus(src, cache=cache)
    calls = _spy(monkeypatch, corpus_mod, "_map_files")
    warm = load_corpus(src, cache=cache)
    assert len(calls) == 0  # nothing parsed: the tables came from the cache
    for name, df in cold.tables().items():
        pd.testing.assert_frame_equal(df, warm.tables()[name])
    # a changed page is a new key: parsed again, and its change shows
    p = src / "004_1b4b1833641e6e95.txt"
    p.write_text(p.read_text(encoding="utf-8").replace("沈政办发〔2018〕144号", "沈政办发〔2018〕145号"), encoding="utf-8")
    changed = load_corpus(src, cache=cache)
    assert len(calls) == 1
    assert "沈政办发〔2018〕145号" in set(changed.documents["doc_number"].dropna())
    # a damaged cache entry is rebuilt, never trusted
    for f in cache.rglob("documents.parquet"):
        f.write_bytes(b"PAR1 damaged")
    again = load_corpus(src, cache=cache)
    assert len(calls) == 2
    pd.testing.assert_frame_equal(again.documents, changed.documents)


def test_first_build_in_an_empty_cache_keys_the_bytes_its_workers_read(tmp_path, seeds_dir, monkeypatch):
    """With no build cached yet, the key is made after parsing from the workers' sha256 of each
    page (files they did not read -- another extension, over max_bytes -- are keyed as before):
    it is the key hashing every file first gives, so the next build of the folder hits it."""
    import shutil

    import pandas as pd

    import policylab.corpus as corpus_mod
    from policylab.cache import sha256_bytes

    src = tmp_path / "pages"
    shutil.copytree(seeds_dir, src)
    (src / "notes.pdf").write_bytes(b"%PDF-1.4 not a page")
    (src / "empty.txt").write_bytes(b"")
    (src / "big.txt").write_text("人工智能发展规划" * 3000, encoding="utf-8")
    cache = tmp_path / "cache"
    opts = {"max_bytes": 40_000, "max_line_chars": corpus_mod.DEFAULT_MAX_LINE_CHARS,
            "min_chars": corpus_mod.DEFAULT_MIN_CHARS}
    root, paths = corpus_mod._source_files(src)
    upfront = corpus_mod._cache_dir(root, paths, opts, None, cache)
    keyed = _spy(monkeypatch, corpus_mod, "_cache_dir")
    cold = load_corpus(src, cache=cache, corrections=None, max_bytes=40_000, n_jobs=2)
    (known,) = [k.get("known") for k in keyed]  # one key, made after parsing, from the workers' hashes
    assert set(known) == set(paths) - {"notes.pdf"} and known["big.txt"][1] is None
    assert known["empty.txt"] == (0, sha256_bytes(b""))
    assert sorted(p.parent for p in cache.rglob("manifest.json")) == [upfront]
    assert set(cold.files["status"]) == {"document", "duplicate", "rejected"}
    parsed = _spy(monkeypatch, corpus_mod, "_map_files")
    warm = load_corpus(src, cache=cache, corrections=None, max_bytes=40_000, n_jobs=2)
    assert not parsed and [k.get("known") for k in keyed[1:]] == [None]  # keyed up front, and a hit
    for name, df in cold.tables().items():
        pd.testing.assert_frame_equal(df, warm.tables()[name])
    assert not corpus_mod._no_cached_build(cache) and corpus_mod._no_cached_build(tmp_path / "other")


def test_government_page_with_an_info_table_and_a_site_title(tmp_path):
    """A page layout the seeds do not have: the site's <title> carries the notice title plus the
    site's name, and the info table prints each label and its value in cells of their own."""
    import shutil
    from pathlib import Path

    shutil.copy(Path(__file__).parent / "fixtures" / "pages" / "gov_info_table.html", tmp_path / "page.html")
    c = load_corpus(tmp_path)
    doc = c.documents.iloc[0]
    lines = doc["text"].split("\n")
    assert lines[0] == "北京市人民政府关于印发《北京市促进通用人工智能创新发展的若干措施》的通知"
    assert not any("首都之窗" in x or "门户网站" in x or "索引号" in x or "打印" in x for x in lines)
    fields = dict(zip(c.page_fields["label"], c.page_fields["value"]))
    assert fields["索引号"] == "000014348/2023-00110" and fields["成文日期"] == "2023年05月23日"
    assert fields["发文机构"] == "北京市人民政府" and fields["发文字号"] == "京政发〔2023〕14号"
    assert doc["doc_number"] == "京政发〔2023〕14号" and doc["issuer"] == "北京市人民政府"
    assert str(doc["issued"].date()) == "2023-05-23" and str(doc["published"].date()) == "2023-05-30"
    assert (doc["city"], doc["doc_type"]) == ("北京", "若干措施")
    t = c.targets.set_index("indicator")
    assert t.loc["智能算力规模", "target_year"] == 2025 and t.loc["智能算力规模", "value"] == 10000
    assert t.loc["补贴", "kind"] == "support"


def test_provincial_page_with_full_width_text_and_related_articles(tmp_path):
    """Another unseen layout: a provincial 指导意见 in full-width punctuation, a one-line site header,
    a signature dated in Chinese numerals, an unlabelled (X牵头,Y配合) clause, and a list of related
    articles (titles that look like documents) after the text."""
    import shutil
    from pathlib import Path

    shutil.copy(Path(__file__).parent / "fixtures" / "pages" / "provincial_fullwidth.txt", tmp_path / "page.txt")
    c = load_corpus(tmp_path)
    doc = c.documents.iloc[0]
    lines = doc["text"].split("\n")
    assert lines[0] == "浙江省人民政府办公厅关于加快人工智能产业发展的指导意见"
    assert lines[-1].startswith("抄送:") and "二〇二四年一月十日" in lines
    assert not any(x in doc["text"] for x in ("相关文章", "数字化转型的实施意见", "浏览量", "字体", "ICP"))
    assert (doc["level"], doc["province"]) == ("provincial", "浙江") and doc["city"] is pd.NA
    assert doc["doc_number"] == "浙政办发〔2024〕3号" and str(doc["issued"].date()) == "2024-01-10"
    assert str(doc["published"].date()) == "2024-01-15" and doc["target_years"] == "2025,2027"
    roles = set(zip(c.agencies["agency"], c.agencies["role"]))
    assert {("省科技厅", "lead"), ("省经信厅", "responsible"), ("省财政厅", "responsible")} <= roles
    assert ("各市、县〔市、区〕政府", "responsible") in roles
    t = c.targets.set_index("indicator")
    assert t.loc["人工智能核心产业营业收入", "value_std"] == 10000 * 1e8 and t.loc["奖励", "kind"] == "support"


def test_pdf_copy_wrapped_at_a_fixed_width(tmp_path):
    """A PDF-to-text copy with every line cut at about 25 characters, even before a comma."""
    import shutil
    from pathlib import Path

    shutil.copy(Path(__file__).parent / "fixtures" / "pages" / "pdf_wrapped.txt", tmp_path / "page.txt")
    c = load_corpus(tmp_path, min_chars=100)
    assert c.removed.empty  # nothing on this page is noise
    doc = c.documents.iloc[0]
    lines = doc["text"].split("\n")
    assert lines[0] == "深圳市加快推动人工智能高质量发展高水平应用行动方案(2023—2024年)"
    assert lines[-1] == "建立市人工智能产业发展工作专班,统筹推进各项任务落实。"
    assert "建设城市级智能算力平台,打造“鹏城云脑”升级版。(责任单位:市发展改革委、市工业和信息化局)" in lines[5]
    assert (doc["city"], doc["plan_start"], doc["plan_end"]) == ("深圳", 2023, 2024)
    assert set(c.agencies["agency"]) == {"市发展改革委", "市工业和信息化局", "市科技创新委"}


# ---- reference documents (issue 17 wiring): load_corpus(SOURCE, reference=REF) ----------------

NATIONAL_PLAN = """国务院关于印发新一代人工智能发展规划的通知
国发〔2017〕35号
各省、自治区、直辖市人民政府,国务院各部委、各直属机构:
现将《新一代人工智能发展规划》印发给你们,请认真贯彻执行。
国务院
2017年7月8日
新一代人工智能发展规划
人工智能的迅速发展将深刻改变人类社会生活、改变世界。为抢抓人工智能发展的重大战略机遇,构筑我国人工智能发展的先发优势,加快建设创新型国家和世界科技强国,按照党中央、国务院部署要求,制定本规划。
一、战略态势
人工智能发展进入新阶段。经过六十多年的演进,特别是在移动互联网、大数据、超级计算、传感网、脑科学等新理论新技术以及经济社会发展强烈需求的共同驱动下,人工智能加速发展。
二、总体要求
(一)指导思想。全面贯彻党的十九大精神,坚持创新驱动发展,以加快人工智能与经济、社会、国防深度融合为主线,以提升新一代人工智能科技创新能力为主攻方向。
(二)战略目标。到2020年人工智能总体技术和应用与世界先进水平同步,人工智能核心产业规模超过1500亿元,带动相关产业规模超过1万亿元。
"""


def test_reference_folder_is_marked_linked_and_left_out_of_local_statistics(tmp_path):
    from policylab.corpus import local_documents

    ref = tmp_path / "reference"
    ref.mkdir()
    (ref / "national_plan.txt").write_text(NATIONAL_PLAN, encoding="utf-8")
    c = load_corpus("seeds", reference=ref, reference_level="national", corrections=None)
    docs = c.documents
    national = docs[docs["reference"].fillna(False).astype(bool)]
    assert len(national) == 1
    n = national.iloc[0]
    assert (n["doc_number"], n["level"], n["source_path"]) == ("国发〔2017〕35号", "national",
                                                               "reference/national_plan.txt")
    # the seed that cites 国发〔2017〕35号 is linked to it, by its number
    cites = c.citations[c.citations["cited_doc_number"] == "国发〔2017〕35号"]
    assert len(cites) >= 1
    assert set(cites["cited_doc_id"]) == {n["doc_id"]} and set(cites["match"]) == {"doc_number"}
    assert set(cites["cited_level"]) == {"national"}
    # the city statistics count the corpus' own documents only, unless asked
    local = local_documents(docs)
    assert n["doc_id"] not in set(local["doc_id"]) and len(local) == 4
    assert sorted(local["city"]) == ["南京", "合肥", "成都", "沈阳"]
    assert len(local_documents(docs, include_reference=True)) == 5
    assert set(docs.loc[~docs["reference"].astype(bool), "reference"]) == {False}


def test_citations_of_a_build_carry_link_columns():
    c = load_corpus("seeds", corrections=None)
    assert list(c.citations.columns) == schema.columns("citations")
    assert {"cited_doc_id", "match", "cited_level"} <= set(c.citations.columns)
    # without a reference folder, the seeds cite no document of their own corpus by 文号
    assert c.citations.loc[c.citations["cited_doc_number"] == "国发〔2017〕35号", "cited_doc_id"].isna().all()


# ---- all cores (issue 15): the pool gives the one-process tables, byte for byte ----------------

def _parquet(df):
    import io

    buf = io.BytesIO()
    df.to_parquet(buf, index=False, engine="pyarrow")
    return buf.getvalue()


def test_pooled_build_is_byte_identical_to_one_process():
    src = "tests/data/golden/generated_pages"  # 40 pages generated from the seeds (2 planted duplicates)
    one = load_corpus(src, n_jobs=1, corrections=None).tables()
    two = load_corpus(src, n_jobs=2, corrections=None).tables()
    assert list(one) == list(two)
    for name in one:
        assert _parquet(one[name]) == _parquet(two[name]), name
    assert len(one["documents"]) > 30 and len(one["sections"]) > 100 and len(one["targets"]) > 30


def test_default_jobs_all_cores_only_for_a_corpus_big_enough(monkeypatch):
    from pathlib import Path

    from policylab import corpus as corpus_mod

    root = Path("tests/data/golden/generated_pages")
    paths = corpus_mod.list_files(root)
    assert corpus_mod._jobs_for(3, root, paths) == 3  # asked for: taken as it is
    assert corpus_mod._jobs_for(None, root, paths) == 1  # 40 small pages: one process
    monkeypatch.setattr(corpus_mod, "MIN_PARALLEL_BYTES", 10_000)
    monkeypatch.setattr(corpus_mod.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert corpus_mod._jobs_for(None, root, paths) == 2
    assert corpus_mod._jobs_for(None, root, paths[:5]) == 1  # too few files to share out


def test_stages_run_with_the_pages_equal_the_stages_run_on_the_whole_corpus(monkeypatch):
    """The workers run metadata, structure and targets page by page, before dedup and corrections;
    the parent redoes a document with duplicates (their pages' fields count) or a correction.
    The tables equal the ones computed from the whole corpus after dedup and corrections."""
    from policylab import corpus as corpus_mod

    real = corpus_mod._map_files

    def pages_only(*a, **k):  # the Dask engine's path: no stage tables come with the pages
        results, _ = real(*a, **k)
        return results, None

    corrections = pd.DataFrame({  # a corrected title, 文号 and plan end feed citations and targets
        "doc_key": ["004_1b4b1833641e6e95.txt"] * 3, "field": ["title", "doc_number", "plan_end"],
        "value": ["沈阳市新一代人工智能发展规划", "沈政发〔2018〕1号", "2030"],
        "source": ["test"] * 3, "note": [""] * 3})
    for src, corrections in (("seeds", corrections), ("tests/data/golden/generated_pages", None)):
        with_pages = load_corpus(src, n_jobs=1, corrections=corrections).tables()
        monkeypatch.setattr(corpus_mod, "_map_files", pages_only)
        whole = load_corpus(src, n_jobs=1, corrections=corrections).tables()
        monkeypatch.setattr(corpus_mod, "_map_files", real)
        for name in whole:
            assert _parquet(with_pages[name]) == _parquet(whole[name]), (src, name)
        files = with_pages["files"]
        dup_paths = set(files.loc[files["status"] == "duplicate", "path"])
        assert dup_paths & set(with_pages["page_fields"]["path"])  # a canonical document was redone
        if corrections is not None:  # and a corrected one
            assert (with_pages["metadata_corrections"]["status"] == "applied").sum() == 3
            assert 2030 in set(with_pages["targets"]["target_year"].dropna())


def test_an_identical_copy_in_another_task_gives_its_rows_once(tmp_path, seeds_dir):
    """Two byte-identical pages share a doc_id; in two worker tasks both compute its rows."""
    import shutil

    src = tmp_path / "pages"
    shutil.copytree(seeds_dir, src)
    shutil.copy(src / "004_1b4b1833641e6e95.txt", src / "zz_copy_of_004.txt")
    one = load_corpus(src, n_jobs=1, corrections=None).tables()
    two = load_corpus(src, n_jobs=2, corrections=None).tables()  # one page per task
    for name in one:
        assert _parquet(one[name]) == _parquet(two[name]), name
    files = one["files"].set_index("path")
    assert files.loc["zz_copy_of_004.txt", "status"] == "duplicate"
    doc = files.loc["zz_copy_of_004.txt", "doc_id"]
    sections = one["sections"]
    assert not sections[sections["doc_id"] == doc].duplicated(["doc_id", "section_id"]).any()


def test_a_duplicates_page_field_that_changes_metadata_reaches_the_structure_rows(tmp_path):
    """The canonical page gives no 文号; its noisier duplicate's page field does. The 文号 then is
    the document's own number, which its own text cites: not a citation. The worker saw only the
    canonical page, so its citation rows are computed again."""
    body = [line for line in BODY if not line.startswith("杭政办函")]
    body.insert(-1, "本计划依据杭政办函〔2024〕12号文件精神制定,请各单位抓好落实。")
    src = tmp_path / "pages"
    src.mkdir()
    (src / "a_canonical.txt").write_text("\n".join(body), encoding="utf-8")
    (src / "b_copy.txt").write_text("\n".join(["网站首页", "文号：杭政办函〔2024〕12号", "【打印】 【关闭窗口】", *body]),
                                    encoding="utf-8")
    got = load_corpus(src, n_jobs=1, corrections=None)
    assert got.files.set_index("path").loc["b_copy.txt", "status"] == "duplicate"
    assert got.documents["doc_number"].tolist() == ["杭政办函〔2024〕12号"]
    cited = got.citations["cited_doc_number"].dropna().tolist()
    assert "杭政办函〔2024〕12号" not in cited
    alone = load_corpus(src / "a_canonical.txt", n_jobs=1, corrections=None)  # without the copy's field
    assert alone.documents["doc_number"].isna().all()
    assert len(alone.citations) == len(got.citations) + 1


def test_changed_rows_compares_whole_rows_with_missing_values_equal():
    """corpus._changed_rows: the documents whose metadata row differs between the workers' table
    and the one recomputed with a duplicate's page fields (missing equals missing, row order
    does not matter)."""
    from policylab.corpus import _changed_rows

    a = pd.DataFrame({"doc_id": pd.array(["b", "a", "c"], dtype="string"),
                      "title": pd.array(["x", None, "z"], dtype="string"),
                      "published": pd.to_datetime(["2020-01-01", None, "2021-01-01"]),
                      "year": pd.array([2020, None, 2021], dtype="Int64")})
    assert _changed_rows(a, a.iloc[::-1].copy()) == set()
    b = a.copy()
    b.loc[1, "published"] = pd.Timestamp("2022-03-04")  # a date where there was none
    b.loc[2, "year"] = 2022
    assert _changed_rows(a, b) == {"a", "c"}
    assert _changed_rows(a, a[a["doc_id"] != "c"]) == {"a", "b", "c"}  # not the same documents


def test_build_cache_written_while_assembling_is_whole_or_absent(tmp_path, seeds_dir, monkeypatch, disk_full_after):
    """The build cache is encoded table by table as each becomes final (store.TableWriter), in
    threads, while the build goes on. A write that fails leaves a warning, the build's tables
    untouched, and no cache entry or temporary file; the next build writes it whole, and the
    cached files are the bytes of the tables written afresh."""
    import shutil

    import policylab.store as store

    src = tmp_path / "pages"
    shutil.copytree(seeds_dir, src)
    cache = tmp_path / "cache"
    fresh = load_corpus(src, cache=False)
    calls = disk_full_after(4)
    with pytest.warns(UserWarning, match="could not write the build cache"):
        failed = load_corpus(src, cache=cache)
    monkeypatch.undo()  # the disk has room again
    assert len(calls) >= 4
    for name, df in fresh.tables().items():
        pd.testing.assert_frame_equal(df, failed.tables()[name])
    assert not list(cache.rglob("manifest.json")) and not list(cache.rglob("*.tmp"))
    assert failed.table_files == {}
    built = load_corpus(src, cache=cache)
    (entry,) = [p.parent for p in cache.rglob("manifest.json")]
    assert sorted(p.stem for p in entry.glob("*.parquet")) == sorted(built.tables())
    out = tmp_path / "out"
    store.write_tables(fresh.tables(), out)
    for p in sorted(out.glob("*.parquet")):
        assert (entry / p.name).read_bytes() == p.read_bytes(), p.name
    assert set(built.table_files) == set(built.tables())
