"""Inputs for fuzzing the build: mutations of the seed pages, made from a seeded ``random.Random``.

Every input is a :class:`FuzzInput` (file name, bytes, the list of operations that made it), so a
crash can be saved and replayed byte for byte. The operations follow the kinds of damage scraped
pages really carry:

* text level -- line shuffles, noise lines (spam, navigation, buttons, phone numbers, links),
  random Unicode (any plane, controls, combining marks, bidi and zero-width characters), very
  long lines, empty and whitespace-only lines, odd line endings (CR, CRLF, U+2028/2029, NEL),
  numbering that skips or repeats, unbalanced brackets and quotes, mixed full- and half-width
  forms, converter artefacts (``發(fā)``), Traditional script, splices of two seeds, HTML
  wrappers (good and broken);
* byte level -- encoding swaps (UTF-8 with and without BOM, GB18030, GBK, Big5, UTF-16/32 with and
  without BOM, Latin-1 mojibake), byte flips, truncation (often inside a multi-byte character),
  NUL and binary chunks, empty and whitespace-only files;
* file level -- extensions (.txt, .html, .htm, upper case, unsupported, none) and file names
  (Chinese, spaces, bytes that are not UTF-8).

Examples
--------
>>> import random
>>> from fuzz.mutate import make_input
>>> x = make_input(random.Random(0), 0)
>>> isinstance(x.data, bytes) and x.name.startswith("f00000")
True
"""

from __future__ import annotations

import functools
import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

NOISE_LINES = (
    "点赞 收藏 转发", "首页 > 政策信息 > 正文", "电话咨询 在线咨询 产品定制", "010-68321050", "扫码添加项目申报顾问",
    "扫描二维码 关注我们", "本文链接:http://www.example.gov.cn/art/2020/1/1/art_1_1.html", "THE END", "温馨提示",
    "*姓名 *手机号 获取验证码 提交", "上一篇 下一篇 返回顶部", "发布时间:2021-03-04", "发文部门:某市人民政府",
    "来源: 某某网 | 作者: 佚名 | 浏览次数: 1234", "2020-11-17 2732", "图1 人工智能产业布局示意图", "专属客服号",
    "黑料社正能量网页入口|日韩欧美精品高清在线|午夜福利在线", "版权所有 © 2022 某市人民政府办公厅 ICP备12345678号",
    "【打印本页】【关闭窗口】", "分享到: 微信 微博 QQ空间", "索引号:11320100/2022-00123", "政策级别:市级",
)
OPENERS = "([{〔【《“‘(<「『"
CLOSERS = ")]}〕】》”’)>」』"
HEADING_NUMS = "一二三四五六七八九十"
EXTENSIONS = (".txt",) * 12 + (".html", ".htm", ".TXT", ".HTML", ".md", "", ".pdf", ".text", ".shtml")


@dataclass
class FuzzInput:
    """One generated input file."""

    name: str  # file name (may hold surrogate-escaped bytes that are not UTF-8)
    data: bytes
    ops: list[str] = field(default_factory=list)

    def write(self, folder: str | os.PathLike) -> Path:
        p = Path(folder, self.name)
        with open(p, "wb") as fh:
            fh.write(self.data)
        return p


@functools.lru_cache(maxsize=1)
def seed_texts() -> tuple[str, ...]:
    """The raw seed pages, decoded (they are UTF-8)."""
    return tuple(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


@functools.lru_cache(maxsize=1)
def seed_lines() -> tuple[str, ...]:
    """Every non-blank line of every seed, stripped (the pool real-line mixtures draw from)."""
    return tuple(x.strip() for t in seed_texts() for x in t.splitlines() if x.strip())


def random_unicode(rng: random.Random, n: int) -> str:
    """``n`` code points from every part of Unicode, weighted towards what pages hold."""
    out = []
    for _ in range(n):
        k = rng.random()
        if k < 0.35:
            cp = rng.randint(0x4E00, 0x9FFF)  # Han
        elif k < 0.45:
            cp = rng.randint(0x20, 0x7E)
        elif k < 0.52:
            cp = rng.choice([0x3000, 0x3001, 0x3002, 0x300A, 0x300B, 0x3014, 0x3015, 0x201C, 0x201D, 0x2014, 0xFF08,
                             0xFF09, 0xFF0C, 0xFF1A, 0xFF1B, 0x3010, 0x3011, 0xFE5D, 0xFE5E])
        elif k < 0.58:
            cp = rng.choice([0x0, 0x1, 0x7, 0x8, 0xB, 0xC, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x7F, 0x85, 0xA0, 0xAD,
                             0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202E, 0x2028, 0x2029, 0x2060,
                             0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF])
        elif k < 0.63:
            cp = rng.randint(0x0300, 0x036F)  # combining marks
        elif k < 0.68:
            cp = rng.randint(0xFF01, 0xFF5E)  # full-width ASCII forms
        elif k < 0.72:
            cp = rng.randint(0x20000, 0x2A6DF)  # Han extension B (astral)
        elif k < 0.75:
            cp = rng.randint(0x1F300, 0x1FAFF)  # emoji
        elif k < 0.78:
            cp = rng.randint(0xE000, 0xF8FF)  # private use
        else:
            cp = rng.randint(0x20, 0x10FFFF)
        if 0xD800 <= cp <= 0xDFFF:
            cp = 0xFFFD
        out.append(chr(cp))
    return "".join(out)


# ---- text-level operations ---------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return text.split("\n")


def op_shuffle_lines(rng, text):
    lines = _lines(text)
    if rng.random() < 0.5:
        rng.shuffle(lines)
    else:  # move one block elsewhere
        i, j = sorted(rng.sample(range(len(lines) + 1), 2)) if len(lines) > 1 else (0, 0)
        block, rest = lines[i:j], lines[:i] + lines[j:]
        k = rng.randint(0, len(rest))
        lines = rest[:k] + block + rest[k:]
    return "\n".join(lines)


def op_noise_lines(rng, text):
    lines = _lines(text)
    for _ in range(rng.randint(1, 12)):
        kind = rng.random()
        if kind < 0.6:
            noise = rng.choice(NOISE_LINES)
        elif kind < 0.8:
            noise = random_unicode(rng, rng.randint(1, 80))
        else:
            noise = rng.choice(seed_lines())
        lines.insert(rng.randint(0, len(lines)), noise)
    return "\n".join(lines)


def op_random_unicode(rng, text):
    for _ in range(rng.randint(1, 5)):
        i = rng.randint(0, len(text))
        j = min(len(text), i + rng.randint(0, 40))
        text = text[:i] + random_unicode(rng, rng.randint(1, 60)) + text[j:]
    return text


def op_long_line(rng, text):
    lines = _lines(text)
    k = rng.random()
    if k < 0.4:  # the whole page on one line
        sep = rng.choice(["", " ", "\u3000", "\t", "<br>"])
        return sep.join(lines)
    if k < 0.8:  # one line repeated into a very long one
        line = rng.choice(seed_lines())
        lines.insert(rng.randint(0, len(lines)), line * rng.randint(50, 3000))
        return "\n".join(lines)
    return text + "\n" + "字" * rng.randint(10_000, 250_000)  # sometimes over the line limit


def op_blank_lines(rng, text):
    lines = _lines(text)
    for _ in range(rng.randint(1, 30)):
        lines.insert(rng.randint(0, len(lines)), rng.choice(["", " ", "\u3000\u3000", "\t", " \t \u3000", "\u00a0"]))
    return "\n".join(lines)


def op_line_endings(rng, text):
    nl = rng.choice(["\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\n\n\n", "\r\r\n"])
    if rng.random() < 0.5:
        return text.replace("\n", nl)
    return "".join(ch if ch != "\n" or rng.random() < 0.7 else nl for ch in text)


_HEADING_RE = re.compile(r"(?m)^(\s*)(?:([一二三四五六七八九十]+)、|\(([一二三四五六七八九十]+)\)|(\d{1,2})[.、])")


def op_renumber(rng, text):
    """Numbering that skips, repeats, restarts, or changes style."""

    def sub(m):
        r = rng.random()
        pre = m.group(1)
        if m.group(2):
            n = rng.choice(HEADING_NUMS) if r < 0.5 else m.group(2)
            return pre + n + rng.choice(["、", "、", ",", ".", " "])
        if m.group(3):
            n = rng.choice(HEADING_NUMS)
            return pre + rng.choice(["(" + n + ")", "(" + n + ")", "(" + n, n + ")", "(" + n + ")"])
        n = str(rng.choice([1, 1, 2, 3, 5, 9, 10, 99, int(m.group(4))]))
        return pre + rng.choice([n + ".", n + ". ", n + "、", "(" + n + ")", n + ".", "(" + n + ")"])

    return _HEADING_RE.sub(sub, text)


def op_brackets(rng, text):
    chars = list(text)
    for _ in range(rng.randint(1, 20)):
        if not chars:
            break
        i = rng.randrange(len(chars))
        if chars[i] in OPENERS + CLOSERS and rng.random() < 0.7:
            del chars[i]
        else:
            chars.insert(i, rng.choice(OPENERS + CLOSERS + "\"'"))
    return "".join(chars)


def op_width(rng, text):
    """Fold some ASCII to full width and some full width to ASCII, at random."""
    p = rng.random()
    out = []
    for ch in text:
        o = ord(ch)
        if 0x21 <= o <= 0x7E and rng.random() < p:
            out.append(chr(o + 0xFEE0))
        elif 0xFF01 <= o <= 0xFF5E and rng.random() < p:
            out.append(chr(o - 0xFEE0))
        elif ch == " " and rng.random() < p:
            out.append("\u3000")
        else:
            out.append(ch)
    return "".join(out)


def op_artefacts(rng, text):
    readings = ["(fā)", "(yè)", "(chuàng)", "(qū)", "(de)", "(a)", "(zhōng)"]
    chars = list(text)
    for _ in range(rng.randint(1, 40)):
        i = rng.randrange(len(chars) + 1)
        chars.insert(i, rng.choice(readings))
    return "".join(chars)


def op_traditional(rng, text):
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def op_splice(rng, text):
    other = rng.choice(seed_texts())
    i = rng.randint(0, len(text))
    j = rng.randint(0, len(other))
    return text[:i] + other[j:] if rng.random() < 0.5 else other[:j] + text[i:]


def op_truncate_text(rng, text):
    return text[: rng.randint(0, len(text))]


def op_html(rng, text):
    lines = _lines(text)
    k = rng.random()
    body = "\n".join(rng.choice(["<p>{}</p>", "<div>{}</div>", "<li>{}", "{}<br>", "<td>{}</td>", "<span>{}</span>"])
                     .format(x.replace("&", "&amp;") if rng.random() < 0.8 else x) for x in lines)
    head = rng.choice([
        "", "<title>{}</title>".format(lines[0] if lines else ""),
        '<meta name="PubDate" content="2021-05-06"><meta name="ContentSource" content="某市人民政府">',
        "<script>var x = '<p>不是正文</p>';</script><style>p{color:red}</style>",
    ])
    if k < 0.6:
        return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    if k < 0.8:  # broken: unclosed, nested, comments, entities
        return f"<html><body><div><table><tr><td>{body}<!-- 注释 <p>隐藏</p>\n&nbsp;&#20154;&#x5de5;&bogus;<p><b>"
    return f"<html>{head}" + body[: rng.randint(0, len(body))]


TEXT_OPS = {
    "shuffle": op_shuffle_lines, "noise": op_noise_lines, "unicode": op_random_unicode, "long_line": op_long_line,
    "blank": op_blank_lines, "line_endings": op_line_endings, "renumber": op_renumber, "brackets": op_brackets,
    "width": op_width, "artefacts": op_artefacts, "traditional": op_traditional, "splice": op_splice,
    "truncate_text": op_truncate_text, "html": op_html,
}
TEXT_WEIGHTS = {
    "shuffle": 3, "noise": 6, "unicode": 5, "long_line": 2, "blank": 4, "line_endings": 3, "renumber": 5,
    "brackets": 5, "width": 5, "artefacts": 2, "traditional": 1, "splice": 3, "truncate_text": 3, "html": 4,
}

# ---- byte-level operations ---------------------------------------------------------------------

ENCODINGS = (
    ("utf-8", 10), ("utf-8-sig", 2), ("gb18030", 3), ("gbk", 2), ("big5", 1), ("utf-16", 1), ("utf-16-le", 1),
    ("utf-16-be", 1), ("utf-32", 1), ("mojibake", 1),
)


def encode(rng, text: str) -> tuple[bytes, str]:
    enc = rng.choices([e for e, _ in ENCODINGS], weights=[w for _, w in ENCODINGS])[0]
    if enc == "mojibake":  # UTF-8 bytes read as Latin-1 and saved again as UTF-8
        return text.encode("utf-8").decode("latin-1").encode("utf-8"), enc
    return text.encode(enc, errors=rng.choice(["replace", "ignore", "xmlcharrefreplace"])), enc


def op_byte_flips(rng, data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 50)):
        if not b:
            break
        i = rng.randrange(len(b))
        b[i] = b[i] ^ (1 << rng.randrange(8)) if rng.random() < 0.7 else rng.randrange(256)
    return bytes(b)


def op_truncate_bytes(rng, data):
    return data[: rng.randint(0, len(data))]


def op_binary_chunk(rng, data):
    chunk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))
    if rng.random() < 0.3:
        chunk = b"\x00" * rng.randint(1, 20)
    i = rng.randint(0, len(data))
    return data[:i] + chunk + data[i:]


BYTE_OPS = {"byte_flips": op_byte_flips, "truncate_bytes": op_truncate_bytes, "binary": op_binary_chunk}


def _name(rng, idx: int, ext: str) -> str:
    k = rng.random()
    stem = f"f{idx:05d}"
    if k < 0.05:
        stem += "_政策文件"
    elif k < 0.07:
        stem += " copy (2)"
    elif k < 0.08:  # a GBK-encoded name, as a Chinese scraper on Windows may leave: not UTF-8
        stem += os.fsdecode("人工智能".encode("gbk"))
    return stem + ext


def make_input(rng: random.Random, idx: int) -> FuzzInput:
    """One input: a seed page (or a mixture of seed lines, or pure noise) after 1-4 operations."""
    ops: list[str] = []
    k = rng.random()
    if k < 0.02:
        return FuzzInput(_name(rng, idx, ".txt"), rng.choice([b"", b" \n\t\r\n", "\u3000\n".encode()]), ["empty"])
    if k < 0.03:
        data = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4000)))
        return FuzzInput(_name(rng, idx, rng.choice(EXTENSIONS)), data, ["random_bytes"])
    if k < 0.08:
        text, ops = random_unicode(rng, rng.randint(0, 3000)), ["random_page"]
    elif k < 0.25:  # real lines of the seeds mixed with noise lines
        pool = seed_lines()
        start = rng.randrange(len(pool))
        lines = list(pool[start : start + rng.randint(5, 150)])
        for _ in range(rng.randint(0, 20)):
            lines.insert(rng.randint(0, len(lines)), rng.choice(NOISE_LINES + (random_unicode(rng, 20),)))
        text, ops = "\n".join(lines), ["mixture"]
    else:
        text, ops = rng.choice(seed_texts()), ["seed"]
    names = list(TEXT_OPS)
    for name in rng.choices(names, weights=[TEXT_WEIGHTS[n] for n in names], k=rng.randint(1, 4)):
        text = TEXT_OPS[name](rng, text)
        ops.append(name)
    data, enc = encode(rng, text)
    ops.append(enc)
    if rng.random() < 0.3:
        name = rng.choice(list(BYTE_OPS))
        data = BYTE_OPS[name](rng, data)
        ops.append(name)
    ext = ".html" if "html" in ops and rng.random() < 0.6 else rng.choice(EXTENSIONS)
    return FuzzInput(_name(rng, idx, ext), data, ops)


def make_inputs(n: int, seed: int = 0, start: int = 0) -> list[FuzzInput]:
    """Inputs ``start .. start+n-1`` of the stream seeded by ``seed`` (each from its own generator,
    so input i is the same whatever the batch size)."""
    return [make_input(random.Random(f"{seed}:{i}"), i) for i in range(start, start + n)]


def crafted_corpus(folder: str | os.PathLike, n: int = 10, seed: int = 0) -> list[Path]:
    """A corpus of ``n`` documents made from the seeds (renumbered, noisier, re-encoded copies and
    splices of two seeds) -- enough files for ``load_corpus(n_jobs=2)`` to use processes."""
    rng = random.Random(seed)
    out = [Path(folder, p.name) for p in sorted(SEEDS.glob("*.txt"))]
    for p in out:
        p.write_bytes((SEEDS / p.name).read_bytes())
    texts = seed_texts()
    i = 0
    while len(out) < n:
        text = texts[i % len(texts)]
        for op in (op_noise_lines, op_renumber, op_width, op_splice)[: 1 + i % 4]:
            text = op(rng, text)
        enc = ("utf-8", "gb18030", "utf-16", "utf-8-sig")[i % 4]
        p = Path(folder, f"crafted_{i:03d}.txt")
        p.write_bytes(text.encode(enc, errors="replace"))
        out.append(p)
        i += 1
    return out
