"""Scaled corpora for the benchmark, generated from the seed pages.

Each generated page takes one seed page as its *template*: the page chrome before and after the
body (spam, navigation, site fields, footers, forms, signature and date lines) is kept as the seed
has it, so the share of noise stays realistic, and the body's structure lines (headings, the notice
wrapper) stay in place. Every line of running prose in the body is replaced by a paragraph drawn
at random from the pool of all seeds' prose paragraphs, with its numbers (other than years)
redrawn, so documents differ and deduplication does not collapse them. A body is cut when its text
reaches the document's size (uniform between 0.6 and 1.4 times ``doc_kb``).

A small share of pages (``dup_share``, default 2 %) are near-duplicates of an earlier page (the
same body in another template's chrome), as a real scrape has: the benchmark checks that
deduplication finds them, and it exercises the confirmation step. Pages made from the Traditional
seed are converted to Traditional (OpenCC s2t), and ``gbk_share`` of the pages are written in
GB18030, so the encoding detector and the converter run at a realistic rate.

Corpora are written under ``benchmarks/results/corpora/<name>/`` (git-ignored), 1,000 pages per
folder, with ``<name>.json`` beside the folder describing them; an existing corpus with the same parameters is
reused.

Examples
--------
$ python -m benchmarks.generate --mb 10
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CORPORA = ROOT / "benchmarks" / "results" / "corpora"
GENERATOR_VERSION = 2

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d{2}$")


def _seed_material():
    """(templates, pool): each seed's raw lines with their role, and all seeds' prose paragraphs."""
    from policylab.clean import clean_page, detect_script, is_prose, normalise_line
    from policylab.ingest import list_files, read_page

    templates, pool = [], []
    for rel in list_files(SEEDS):
        page = read_page(SEEDS, rel)
        lines = page.text.replace("\r\n", "\n").split("\n")
        prose = [i for i, x in enumerate(lines) if is_prose(normalise_line(x))]
        if not prose:
            continue
        script = detect_script(page.text)
        templates.append({"name": rel, "lines": lines, "first": prose[0], "last": prose[-1],
                          "prose": set(prose), "script": script})
        if script == "simplified":  # the pool is Simplified; Traditional templates convert it
            pool += [x for x in clean_page(page.text).text.split("\n") if is_prose(x)]
    return templates, sorted(set(pool))


def _vary_numbers(par: str, rng: random.Random) -> str:
    def sub(m):
        s = m.group(0)
        if _YEAR.match(s) or "." in s:
            return s
        return str(rng.randint(10 ** (len(s) - 1) if len(s) > 1 else 1, 10 ** len(s) - 1))

    return _NUMBER.sub(sub, par)


def _body(template, pool, target_bytes, rng, s2t):
    """The template's body with every prose line replaced by a pool paragraph, cut at the size."""
    out, size = [], 0
    body = list(range(template["first"], template["last"] + 1))
    while size < target_bytes:
        for i in body:
            line = template["lines"][i]
            if i in template["prose"]:
                line = _vary_numbers(rng.choice(pool), rng)
                if s2t is not None:
                    line = s2t(line)
            out.append(line)
            size += len(line.encode("utf-8")) + 1
            if size >= target_bytes:
                break
    return out


def generate(n_bytes: int | None = None, name: str | None = None, *, n_docs: int | None = None, doc_kb: float = 10.0, dup_share: float = 0.02,
             gbk_share: float = 0.05, seed: int = 0, out_dir: Path = CORPORA, force: bool = False) -> Path:
    """Write a corpus of about ``n_bytes`` bytes, or of ``n_docs`` pages; returns its folder.

    A corpus already written with the same parameters is reused.
    """
    import opencc

    if (n_bytes is None) == (n_docs is None):
        raise ValueError("give n_bytes or n_docs")
    name = name or (f"{n_bytes / 1e6:g}MB" if n_bytes else f"{n_docs}docs")
    folder = Path(out_dir) / name
    params = {"generator": GENERATOR_VERSION, "n_bytes": n_bytes, "n_docs": n_docs, "doc_kb": doc_kb, "dup_share": dup_share,
              "gbk_share": gbk_share, "seed": seed}
    info_path = Path(out_dir) / f"{name}.json"  # beside the folder: inside it, it would be ingested
    if info_path.exists() and not force:
        info = json.loads(info_path.read_text(encoding="utf-8"))
        if info.get("params") == params:
            return folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)

    rng = random.Random(seed)
    templates, pool = _seed_material()
    s2t = opencc.OpenCC("s2t").convert
    total, n, n_dup, n_gbk, bodies = 0, 0, 0, 0, []
    while (total < n_bytes) if n_bytes else (n < n_docs):
        t = templates[n % len(templates)]
        target = rng.uniform(0.6, 1.4) * doc_kb * 1000
        if bodies and rng.random() < dup_share:
            body, n_dup = rng.choice(bodies), n_dup + 1  # the same document, another site's chrome
        else:
            body = _body(t, pool, target, rng, None)
            bodies.append(body)
            if len(bodies) > 200:
                bodies.pop(0)
        if t["script"] == "traditional":
            body = [s2t(x) for x in body]
        lines = t["lines"][: t["first"]] + body + t["lines"][t["last"] + 1 :]
        text = "\n".join(lines) + "\n"
        if rng.random() < gbk_share:
            data, n_gbk = text.encode("gb18030"), n_gbk + 1
        else:
            data = text.encode("utf-8")
        path = folder / f"{n // 1000:03d}" / f"{n:06d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        total += len(data)
        n += 1
    info = {"params": params, "files": n, "bytes": total, "near_duplicates_planted": n_dup, "gb18030_files": n_gbk,
            "pool_paragraphs": len(pool), "templates": [t["name"] for t in templates]}
    info_path.write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return folder


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mb", type=float, help="size of the corpus in MB of page bytes")
    p.add_argument("--docs", type=int, help="or: number of pages")
    p.add_argument("--doc-kb", type=float, default=10.0, help="mean document size in KB (default 10)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="regenerate even if the corpus exists")
    a = p.parse_args(argv)
    folder = generate(int(a.mb * 1e6) if a.mb else None, n_docs=a.docs, doc_kb=a.doc_kb, seed=a.seed, force=a.force)
    print((folder.parent / f"{folder.name}.json").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
