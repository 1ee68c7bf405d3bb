"""Ingest: files on disk -> decoded text with provenance (path, size, sha256, encoding).

Reads ``.txt`` pages and ``.html``/``.htm`` pages (reduced to text with the lexbor HTML parser,
block elements on lines of their own). The encoding is found in this order: a byte-order mark
(UTF-8, UTF-16, UTF-32); strict UTF-8; UTF-16 without a BOM (NUL-byte pattern); then
charset-normalizer restricted to the encodings Chinese pages use (GB18030 -- a superset of GBK
and GB2312 -- and Big5), so a GBK page is never taken for Big5 or Latin-1.

Every problem becomes an :class:`IngestError` whose message names the problem in plain words;
the corpus stage turns it into a ``rejected`` row of the ``files`` table.

Examples
--------
>>> from policylab.ingest import decode
>>> decode("人工智能".encode("gb18030"))
('人工智能', 'gb18030')
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from policylab.cache import sha256_bytes

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
DEFAULT_MAX_BYTES = 20_000_000
DEFAULT_MAX_LINE_CHARS = 200_000  # no paragraph of a policy text is this long; a longer line is a dump

# block-level HTML elements: each starts a new line of text
_BLOCK_TAGS = (
    "p,div,br,li,ul,ol,dd,dt,dl,h1,h2,h3,h4,h5,h6,tr,table,thead,tbody,section,article,"
    "header,footer,nav,aside,blockquote,pre,form,hr,td,th,title"
)
# <meta name=...> on government pages that carry the page's own metadata -> page field label
HTML_META_FIELDS = {
    "pubdate": "发布时间",
    "publishdate": "发布时间",
    "firstpublishedtime": "发布时间",
    "contentsource": "来源",
    "source": "来源",
}


class IngestError(Exception):
    """A file that cannot become text; the message says why, in words a researcher understands.

    ``sha256`` and ``n_bytes`` are filled in when the bytes could be read, so a rejected file keeps
    its provenance.
    """

    def __init__(self, message: str, sha256: str | None = None, n_bytes: int | None = None):
        super().__init__(message)
        self.sha256 = sha256
        self.n_bytes = n_bytes


@dataclass
class RawPage:
    """One input file, decoded."""

    path: str  # relative to the source folder, '/'-separated
    sha256: str
    n_bytes: int
    encoding: str
    format: str  # 'text' or 'html'
    text: str
    meta_fields: list[tuple[str, str]] = field(default_factory=list)  # (label, value) from <meta>


def list_files(source: str | os.PathLike) -> list[str]:
    r"""Every file under ``source``, recursively, as sorted '/'-separated relative paths.

    Sorting by path makes every later table independent of the file system's listing order. A
    folder that cannot be opened is listed (``name/``) so the build reports it; a file name whose
    bytes are not UTF-8 is escaped (``\\xNN``).

    Parameters
    ----------
    source : path
        A folder, or a single file (then its name is the one path).

    Returns
    -------
    list of str

    Examples
    --------
    >>> list_files("seeds")[:2]
    ['000_386978f9a7633c20.txt', '001_4de147ab1a0c3745.txt']
    """
    root = Path(source)
    if root.exists() and not root.is_dir():
        return [_escape_name(root.name)]
    out = []

    def unreadable(err: OSError) -> None:
        # a folder os.walk cannot open would vanish silently: list it, read_page rejects it
        rel = Path(err.filename).relative_to(root).as_posix() if err.filename else "."
        out.append(_escape_name(rel.rstrip("/") + "/"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        dirnames.sort()
        for name in filenames:
            rel = Path(dirpath, name).relative_to(root)
            out.append(_escape_name(rel.as_posix()))
    return sorted(out)


def _escape_name(rel: str) -> str:
    """A file name whose bytes are not UTF-8 (e.g. a GBK name) with those bytes as ``\\xNN``.

    Python decodes such names with lone surrogates, which no table (Parquet, CSV) can store.
    """
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def on_disk(root: Path, relpath: str) -> Path:
    """The file a relative path of :func:`list_files` names (undoing :func:`_escape_name`).

    Parameters
    ----------
    root : Path
        The source folder, or a single file.
    relpath : str
        A path as :func:`list_files` gives it.

    Returns
    -------
    Path

    Examples
    --------
    >>> on_disk(Path("seeds"), "001_4de147ab1a0c3745.txt").as_posix()
    'seeds/001_4de147ab1a0c3745.txt'
    """
    p = Path(root, relpath) if root.is_dir() else root
    if "\\x" in relpath and not os.path.lexists(p):
        raw = re.sub(r"\\x([89a-f][0-9a-f])", lambda m: chr(0xDC00 + int(m.group(1), 16)), relpath)
        p = Path(root, raw) if root.is_dir() else root
    return p


_on_disk = on_disk  # the old private name


# every byte but the control characters that are no text's (tab, newline, carriage return, form
# feed and escape are): deleting these from a sample leaves the ones counted
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 32 and b not in (9, 10, 12, 13, 27)))


def _looks_binary(data: bytes) -> bool:
    r"""Whether ``data`` holds a NUL or many control characters in its first 8 KiB (no text does).

    The controls are counted by one ``translate`` deleting every other byte, not a Python loop
    over the bytes (it ran on every page that is not UTF-8).

    Examples
    --------
    >>> _looks_binary("政策文件\n".encode("gb18030")), _looks_binary(b"PK\x03\x04\x00"), _looks_binary(b"\x01" * 9)
    (False, True, True)
    """
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    ctrl = len(sample.translate(None, _NOT_CONTROL))
    return ctrl > max(8, len(sample) // 50)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: the NUL high bytes of ASCII (newlines, digits) sit on one side only."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even_nul = data[0::2].count(0) / half
    odd_nul = data[1::2].count(0) / half
    for enc, nul_here, nul_there in (("utf-16-le", odd_nul, even_nul), ("utf-16-be", even_nul, odd_nul)):
        if nul_here < 0.02 or nul_there > 0.005:
            continue
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        # real text: Han, CJK punctuation, ASCII and full-width forms, nothing private or unassigned
        ok = sum(
            1
            for ch in text
            if ch.isascii() or "\u3000" <= ch <= "\u303f" or "\u3400" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"
            or "\u2000" <= ch <= "\u206f"
        )
        if ok >= 0.95 * len(text):
            return enc
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Decode page bytes: a byte-order mark, strict UTF-8, BOM-less UTF-16, then GB18030 or Big5.

    Parameters
    ----------
    data : bytes
        The file's bytes.

    Returns
    -------
    (str, str)
        The text and the encoding used.

    Raises
    ------
    IngestError
        When no encoding fits (binary data, a mix of encodings).

    Examples
    --------
    >>> decode("人工智能".encode("gb18030")), decode("人工智能".encode("utf-8"))
    (('人工智能', 'gb18030'), ('人工智能', 'utf-8'))
    """
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise IngestError(f"starts with a {enc} byte-order mark but is not valid {enc} ({e.reason})")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    enc16 = _utf16_without_bom(data)
    if enc16:
        return data.decode(enc16), enc16
    if _looks_binary(data):
        raise IngestError("binary file, not text (it holds NUL or control bytes)")

    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "big5"], threshold=0.5).best()
    if best is not None:
        enc = best.encoding.replace("_", "-")
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            pass
    raise IngestError("cannot decode: the bytes are not UTF-8, UTF-16, GB18030/GBK or Big5 text")


def html_to_text(html: str) -> tuple[str, list[tuple[str, str]]]:
    """Reduce an HTML page to text, one block element per line; also return its <meta> fields.

    Scripts, styles and templates are dropped; ``<title>`` is kept as the first line because many
    pages print the document's title only there.

    Parameters
    ----------
    html : str
        The decoded page.

    Returns
    -------
    (str, list of (str, str))
        The text, and ``(label, value)`` of the page's metadata <meta> tags (发布时间, 来源).

    Examples
    --------
    >>> text, fields = html_to_text('<html><head><title>通知</title><meta name="PubDate" content="2020-04-22">'
    ...                             '</head><body><p>第一段</p><div>第二段<script>x=1</script></div></body></html>')
    >>> text.split(), fields
    (['通知', '第一段', '第二段'], [('发布时间', '2020-04-22')])
    """
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    meta = []
    for node in tree.css("meta"):
        name = (node.attributes.get("name") or "").strip().lower()
        content = (node.attributes.get("content") or "").strip()
        if name in HTML_META_FIELDS and content:
            meta.append((HTML_META_FIELDS[name], content))
    tree.strip_tags(["script", "style", "noscript", "template", "svg", "iframe"])
    for node in tree.css(_BLOCK_TAGS):
        node.insert_before("\n")
        node.insert_after("\n")
    title = tree.css_first("title")
    title_text = title.text(deep=True).strip() if title is not None else ""
    body = tree.body
    text = body.text(deep=True, separator="") if body is not None else tree.text(separator="\n")
    if title_text:
        text = title_text + "\n" + text
    return text, meta


# the opening of an HTML document: maybe an XML prolog, comments and a doctype before <html>
_HTML_OPENING = re.compile(
    r"\s*(?:<\?xml[^>]{0,200}\?>\s*)?(?:<!--.{0,500}?-->\s*)*(?:<!doctype\s+html|<html[\s>])",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_html(text: str) -> bool:
    """Whether a page opens as an HTML document, whatever its file name says.

    An XML prolog (``<?xml …?>``, XHTML pages of older content systems) and comments may stand
    before the doctype or ``<html>``.

    Parameters
    ----------
    text : str
        The decoded page.

    Returns
    -------
    bool

    Examples
    --------
    >>> looks_like_html('<?xml version="1.0"?><!-- CMS --><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">')
    True
    >>> looks_like_html("<html lang='zh'>"), looks_like_html("关于印发<html>的通知")
    (True, False)
    """
    return _HTML_OPENING.match(text, 0, 2000) is not None


def _size(n: int) -> str:
    """A byte count for people: '1.3 MB', '12.0 kB', '900 bytes'."""
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1e3:.1f} kB" if n >= 1e3 else f"{n} bytes"


def longest_line(text: str) -> tuple[int, int]:
    r"""``(line_no, length)`` of the longest line, found without splitting the text (no copies).

    Parameters
    ----------
    text : str

    Returns
    -------
    (int, int)
        The 1-based number of the longest line and its length.

    Examples
    --------
    >>> longest_line("ab\nabcd\nabc")
    (2, 4)
    """
    best, best_no, no, pos = 0, 1, 1, 0
    while True:
        nxt = text.find("\n", pos)
        end = len(text) if nxt < 0 else nxt
        if end - pos > best:
            best, best_no = end - pos, no
        if nxt < 0:
            return best_no, best
        pos, no = nxt + 1, no + 1


def read_page(
    root: str | os.PathLike,
    relpath: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS,
) -> RawPage:
    """Read and decode one file; raises :class:`IngestError` with a reason for anything unusable.

    Parameters
    ----------
    root : path
        The source folder (or the single file).
    relpath : str
        The file, as :func:`list_files` gives it.
    max_bytes : int
        Larger files are rejected unread.
    max_line_chars : int
        A page with a longer line of text is rejected (a data dump, not a document); for an HTML
        page the limit applies to the text read from the markup, not to the markup.

    Returns
    -------
    RawPage
        ``path, sha256, n_bytes, encoding, format`` ('text' or 'html'), ``text`` and ``meta_fields``.

    Raises
    ------
    IngestError
        For a folder, an unsupported type, an empty, binary, oversized or undecodable file.

    Examples
    --------
    >>> page = read_page("seeds", "001_4de147ab1a0c3745.txt")
    >>> page.encoding, page.format, len(page.sha256)
    ('utf-8', 'text', 64)
    """
    p = on_disk(Path(root), relpath)
    if relpath.endswith("/") or p.is_dir():
        try:
            with os.scandir(p):
                pass
        except OSError as e:
            raise IngestError(f"cannot read folder: {e.strerror or e}; the files in it were not read")
        raise IngestError("a folder, not a file")
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kind = suffix or "(no extension)"
        raise IngestError(f"unsupported file type {kind}: policylab reads .txt and .html/.htm pages")
    try:
        st = p.stat()
    except OSError as e:
        raise IngestError(f"cannot read file: {e.strerror or e}")
    if not stat.S_ISREG(st.st_mode):
        # reading a named pipe or a device would block the build or never end
        raise IngestError("not a regular file (a named pipe, socket or device)")
    size = st.st_size
    if size > max_bytes:
        raise IngestError(
            f"file is {_size(size)}, over the {_size(max_bytes)} limit (max_bytes)",
            None,
            size,
        )
    try:
        data = p.read_bytes()
    except OSError as e:
        raise IngestError(f"cannot read file: {e.strerror or e}")
    digest = sha256_bytes(data)
    if not data.strip():
        raise IngestError("empty file" if not data else "file holds only whitespace", digest, len(data))
    try:
        text, encoding = decode(data)
    except IngestError as e:
        raise IngestError(str(e), digest, len(data)) from None
    if not text.strip():  # Unicode white space (U+3000, NBSP ...) that bytes.strip() does not know
        raise IngestError("file holds only whitespace", digest, len(data))
    fmt, meta = "text", []
    if suffix in HTML_SUFFIXES or looks_like_html(text):
        # the line limit is for the text a reader sees: a page saved minified (all markup on one
        # line) holds short paragraphs once its tags are read
        fmt = "html"
        text, meta = html_to_text(text)
    # no line is longer than the text: only a text over the limit has its lines measured (a
    # Python loop over every line of every page cost ~20 ms per 10 MB)
    line_no, longest = longest_line(text) if len(text) > max_line_chars else (0, 0)
    if longest > max_line_chars:
        where = "after reading the HTML, " if fmt == "html" else ""
        raise IngestError(
            f"{where}line {line_no} is {longest:,} characters long, over the {max_line_chars:,} limit "
            "(max_line_chars): not a page of prose",
            digest,
            len(data),
        )
    return RawPage(relpath, digest, len(data), encoding, fmt, text, meta)
