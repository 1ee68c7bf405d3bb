"""Ingest: encodings, HTML, provenance, and bad input turned into clear rejection reasons."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from policylab.ingest import IngestError, decode, html_to_text, list_files, read_page

SIMPLIFIED = "南京市人民政府关于印发人工智能实施方案的通知。到2025年,全市人工智能核心产业收入超过500亿元。"
TRADITIONAL = "南京市人民政府關於印發人工智能實施方案的通知。到2025年,全市人工智能核心產業收入超過500億元。"


@pytest.mark.parametrize(
    "data, text, encoding",
    [
        (SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8"),
        (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8-sig"),
        (SIMPLIFIED.encode("gbk"), SIMPLIFIED, "gb18030"),
        (SIMPLIFIED.encode("gb18030"), SIMPLIFIED, "gb18030"),
        (TRADITIONAL.encode("big5"), TRADITIONAL, "big5"),
        (SIMPLIFIED.encode("utf-16"), SIMPLIFIED, "utf-16"),  # with BOM
        (SIMPLIFIED.encode("utf-16-le"), SIMPLIFIED, "utf-16-le"),  # without BOM
        (SIMPLIFIED.encode("utf-16-be"), SIMPLIFIED, "utf-16-be"),
    ],
)
def test_decode_detects_the_encodings_chinese_pages_use(data, text, encoding):
    got, enc = decode(data)
    assert got == text
    assert enc == encoding


def test_decode_longer_gbk_page_is_not_mistaken_for_big5(seeds_dir):
    text = (seeds_dir / "002_4ff1a9d776ae5834.txt").read_text(encoding="utf-8")
    got, enc = decode(text.encode("gbk", errors="ignore"))
    assert enc == "gb18030"
    assert got.startswith("合肥市人民政府关于加快推进新一代人工智能产业发展的实施意见")


def test_decode_rejects_binary_and_undecodable_bytes():
    with pytest.raises(IngestError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(IngestError, match="cannot decode"):
        decode(bytes([0xFF, 0xFE - 1, 0x81, 0x30, 0xC0, 0xFF, 0x80, 0xFF]) * 40)


def test_html_page_is_reduced_to_text_with_blocks_on_lines_and_meta_fields():
    html = """<!DOCTYPE html><html><head><title>关于印发实施方案的通知</title>
    <meta name="PubDate" content="2022-12-12"><script>var x = "脚本不是正文";</script>
    <style>.a{color:red}</style></head><body><div class="nav">首页 &gt; 政策文件</div>
    <p>各区人民政府:</p><p>现将<span>《实施方案》</span>印发给你们,请认真组织实施。</p>
    <table><tr><td>一、指导思想</td></tr></table></body></html>"""
    text, meta = html_to_text(html)
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    assert lines[0] == "关于印发实施方案的通知"
    assert "现将《实施方案》印发给你们,请认真组织实施。" in lines  # inline tags do not break the line
    assert "一、指导思想" in lines
    assert "脚本" not in text and "color" not in text
    assert meta == [("发布时间", "2022-12-12")]


def test_read_page_records_provenance(seeds_dir):
    page = read_page(seeds_dir, "001_4de147ab1a0c3745.txt")
    raw = (seeds_dir / "001_4de147ab1a0c3745.txt").read_bytes()
    assert page.sha256 == hashlib.sha256(raw).hexdigest()
    assert page.n_bytes == len(raw) == 21708
    assert page.encoding == "utf-8"
    assert page.format == "text"


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\r\n\t ", "only whitespace"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4, "binary"),
        ("scan.pdf", b"%PDF-1.7 ...", "unsupported file type .pdf"),
        ("README", b"hello", "unsupported file type (no extension)"),
    ],
)
def test_bad_files_raise_a_reason_a_person_understands(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(IngestError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        read_page(tmp_path, name)


def test_size_and_line_limits(tmp_path):
    (tmp_path / "big.txt").write_bytes(SIMPLIFIED.encode() * 1000)
    with pytest.raises(IngestError, match=r"file is 134.0 kB, over the 1.0 kB limit \(max_bytes\)") as e:
        read_page(tmp_path, "big.txt", max_bytes=1000)
    assert e.value.n_bytes > 1000
    (tmp_path / "long.txt").write_text("一行" * 5000, encoding="utf-8")
    with pytest.raises(IngestError, match=r"line 1 is 10,000 characters long.*max_line_chars"):
        read_page(tmp_path, "long.txt", max_line_chars=1000)


def test_line_limit_as_the_longest_line_decides(tmp_path):
    # the line lengths are measured only for a text longer than the limit: the page is rejected
    # exactly when its longest line is over the limit, and the error names the first such line
    from policylab.ingest import longest_line

    cases = {
        "at.txt": "一" * 100,  # a single line at the limit: kept
        "over.txt": "一" * 101,  # one character over: rejected
        "short_lines.txt": "\n".join(["一" * 60] * 5),  # longer than the limit, every line short: kept
        "later.txt": "\n".join(["一" * 10, "二" * 150, "三" * 150]),  # the second line is named
        "trailing.txt": "一" * 99 + "\n\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        line_no, longest = longest_line(text)
        if longest > 100:
            with pytest.raises(IngestError, match=rf"^line {line_no} is {longest:,} characters long"):
                read_page(tmp_path, name, max_line_chars=100)
        else:
            assert read_page(tmp_path, name, max_line_chars=100).text == text
    for limit in (1, 10, 59, 60, 61, 10**6):
        text = "\n".join(["一" * 60] * 5)
        (tmp_path / "t.txt").write_text(text, encoding="utf-8")
        try:
            read_page(tmp_path, "t.txt", max_line_chars=limit)
            rejected = False
        except IngestError:
            rejected = True
        assert rejected == (limit < 60)


def test_list_files_is_recursive_and_sorted(tmp_path):
    for rel in ["b/2.txt", "a.html", "b/1.txt", "c/d/e.htm"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    assert list_files(tmp_path) == ["a.html", "b/1.txt", "b/2.txt", "c/d/e.htm"]


# ---- minified pages (issue 13): the line limit applies to the text, not to the markup --------------

_MINIFIED_BODY = ("<p>关于印发某市人工智能行动方案的通知</p><p>到2026年,全市人工智能核心产业规模突破500亿元。</p>"
                  + "<style>" + ".m{margin:0}" * 3000 + "</style>"
                  + "<ul>" + "<li><a href='/x'>市科技局</a></li>" * 200 + "</ul>")


@pytest.mark.parametrize(
    "name, prolog",
    [
        ("page.html", "<!DOCTYPE html>"),
        # an XHTML page of an older CMS: XML prolog and a comment before the doctype; saved as .txt
        ("page.txt", '<?xml version="1.0" encoding="UTF-8"?><!-- 内容管理系统 --><!DOCTYPE html PUBLIC '
                     '"-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'),
    ],
)
def test_a_minified_page_is_read_once_its_markup_is_parsed(tmp_path, name, prolog):
    html = prolog + "<html><head><title>通知</title></head><body>" + _MINIFIED_BODY + "</body></html>"
    assert "\n" not in html and len(html) > 40_000
    (tmp_path / name).write_text(html, encoding="utf-8")
    page = read_page(tmp_path, name, max_line_chars=5000)
    assert page.format == "html"
    lines = page.text.splitlines()
    assert "到2026年,全市人工智能核心产业规模突破500亿元。" in lines and max(map(len, lines)) < 100
    assert "margin" not in page.text


def test_a_long_line_of_text_inside_html_is_still_rejected(tmp_path):
    (tmp_path / "dump.html").write_text("<html><body><p>" + "人工智能" * 3000 + "</p></body></html>",
                                        encoding="utf-8")
    with pytest.raises(IngestError, match=r"after reading the HTML, line \d+ is 12,000 characters long.*max_line_chars"):
        read_page(tmp_path, "dump.html", max_line_chars=5000)
    # markup that merely mentions <html> inside prose is no HTML page: a long line of it is a dump
    (tmp_path / "dump.txt").write_text("关于<html>" + "人工智能" * 3000, encoding="utf-8")
    with pytest.raises(IngestError, match=r"^line 1 is .*max_line_chars"):
        read_page(tmp_path, "dump.txt", max_line_chars=5000)


def test_looks_binary_counts_controls_as_the_byte_loop_did():
    """The control count by ``translate`` equals the per-byte count, on real files and crafted bytes."""
    import random

    from policylab.ingest import _looks_binary

    def plain(data: bytes) -> bool:
        sample = data[:8192]
        if b"\x00" in sample:
            return True
        ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
        return ctrl > max(8, len(sample) // 50)

    root = Path(__file__).resolve().parents[1]
    files = [p for d in ("seeds", "tests/fixtures/pages") for p in sorted((root / d).rglob("*")) if p.is_file()]
    samples = [p.read_bytes() for p in files]
    rng = random.Random(3)
    for n in (0, 1, 8, 9, 400, 450, 8192, 9000):
        for weight in (0.0, 0.01, 0.03, 0.2):
            samples.append(bytes(rng.randrange(1, 32) if rng.random() < weight else rng.randrange(32, 256)
                                 for _ in range(n)))
    samples += [bytes(range(1, 256)) * 40, b"\t\n\x0c\r\x1b" * 3000, b"\x01" * 8, b"\x01" * 9, b"a\x00"]
    assert any(plain(s) for s in samples) and not all(plain(s) for s in samples)
    for s in samples:
        assert _looks_binary(s) == plain(s)
