"""policylab benchmark: build throughput per stage, memory, import time, cache, parallel speed-up.

One command::

    python -m benchmarks.run                      # 1 MB, 10 MB, 100 MB, 10,000 docs, topics
    python -m benchmarks.run --quick              # 1 MB only, small topic run (about a minute)
    python -m benchmarks.run --sizes 1MB,10MB --docs 10000

Corpora are generated from the seeds (see :mod:`benchmarks.generate`). Each corpus is measured in a
fresh subprocess (so peak memory is that corpus's own), stage by stage, by calling the stage
functions that ``load_corpus`` calls, with timers. Single-process stages are timed in CPU seconds
of the process (``time.process_time``) as well as wall seconds: CPU time is what a stage costs
and does not change when other jobs share the machine; parallel runs are judged on wall time, with
the load average recorded beside them. Results: ``benchmarks/results/latest.csv`` (one row per
corpus and measurement) and ``benchmarks/results/latest.md`` (tables and the issue-7 targets).
"""

from __future__ import annotations

import argparse
import compileall
import csv
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SCRATCH = RESULTS / "corpora" / "_scratch"  # fresh caches for cold runs (git-ignored with the corpora)

IDENTITY_MAX_CHARS = 5_000_000  # tokenize with engine="jieba" too (identity check) up to the 10 MB corpus
CSV_COLUMNS = ["corpus", "stage", "files", "documents", "mb", "wall_s", "cpu_s", "mb_per_s", "x_read",
               "x_jieba", "peak_rss_mb", "load_avg", "note"]


# =============================================================================================
# measurement helpers (run inside a worker subprocess)
# =============================================================================================
def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class Timer:
    """Wall and CPU seconds of a block; ``children=True`` adds reaped child processes' CPU."""

    def __init__(self, children: bool = False):
        self.children = children

    def _cpu(self):
        t = time.process_time()
        if self.children:
            r = resource.getrusage(resource.RUSAGE_CHILDREN)
            t += r.ru_utime + r.ru_stime
        return t

    def __enter__(self):
        self.load = os.getloadavg()[0]
        self.w0, self.c0 = time.perf_counter(), self._cpu()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.w0
        self.cpu = self._cpu() - self.c0
        self.load = max(self.load, os.getloadavg()[0])


def _record(rows, stage, t, note="", **extra):
    rows.append({"stage": stage, "wall_s": round(t.wall, 4), "cpu_s": round(t.cpu, 4),
                 "peak_rss_mb": round(_rss_mb(), 1), "load_avg": round(t.load, 2), "note": note, **extra})


def _wrap_timers(module, names, bucket, label=None):
    """Replace ``module.<name>`` by a wrapper adding its CPU/wall seconds to ``bucket[label or name]``."""
    for name in names:
        fn = getattr(module, name, None)
        if fn is None or getattr(fn, "_bench_wrapped", False):
            continue

        def wrapper(*a, _fn=fn, _name=label or name, **k):
            with Timer() as t:
                out = _fn(*a, **k)
            w, c = bucket.get(_name, (0.0, 0.0))
            bucket[_name] = (w + t.wall, c + t.cpu)
            return out

        wrapper._bench_wrapped = True
        setattr(module, name, wrapper)


def _document_stage_entry_points():
    """The functions of meta/structure/targets that ``corpus.py`` imports (its document stages)."""
    import re

    src = (ROOT / "policylab" / "corpus.py").read_text(encoding="utf-8")
    found = {}
    for mod, names in re.findall(r"from policylab\.(meta|structure|targets) import \(?([\w, \n]+)\)?", src):
        found.setdefault(mod, set()).update(n.strip() for n in names.replace("\n", " ").split(",") if n.strip())
    for mod, names in re.findall(r"\b(meta|structure|targets)\.(\w+)\(", src):
        found.setdefault(mod, set()).add(names)
    return found


def worker_stages(corpus_dir: str, segment: bool, out_json: str, references: bool = True) -> None:
    """Measure every stage on one corpus; write a JSON list of rows."""
    import importlib

    rows: list[dict] = []
    from policylab import corpus as corpus_mod
    from policylab.clean import _t2s, noise_rules
    from policylab.ingest import IngestError, list_files, read_page

    root = corpus_dir
    paths = list_files(root)
    # one-off costs (imports of datasketch, pandas extensions; regexes and resource files loaded on
    # first use) are paid once per process, not per MB: pay them here, on the seeds, untimed
    with Timer() as t:
        _t2s(), noise_rules()
        seeds = ROOT / "seeds"
        warm = corpus_mod._assemble(str(seeds), [corpus_mod.process_file(str(seeds), p) for p in list_files(seeds)])
        corpus_mod._run_document_stages(warm, None)
    _record(rows, "setup", t, note="one-off imports and loads (a seeds build), not in any stage below")

    # reference 1: raw read + decode
    with Timer() as t:
        n_bytes = 0
        for p in paths:
            data = Path(root, p).read_bytes()
            n_bytes += len(data)
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                data.decode("gb18030", errors="replace")
    _record(rows, "ref_read_decode", t)
    base = {"files": len(paths), "mb": n_bytes / 1e6}

    with Timer() as t:
        for p in paths:
            try:
                read_page(root, p)
            except IngestError:
                pass
    _record(rows, "ingest", t)
    ingest_t = t

    opts = {"max_bytes": 20_000_000, "min_chars": corpus_mod.DEFAULT_MIN_CHARS, "max_line_chars": 200_000}
    with Timer() as t:
        results = [corpus_mod.process_file(root, p, **opts) for p in paths]
    t.wall, t.cpu = max(0.0, t.wall - ingest_t.wall), max(0.0, t.cpu - ingest_t.cpu)
    _record(rows, "clean", t, note="process_file minus ingest")

    bucket: dict = {}
    _wrap_timers(corpus_mod, ["find_duplicates"], bucket)  # the name corpus.py calls
    with Timer() as t:
        corpus = corpus_mod._assemble(root, results)
    w, c = bucket.get("find_duplicates", (0.0, 0.0))
    d = Timer()
    d.wall, d.cpu, d.load = w, c, t.load
    n_dup = int((corpus.files["status"] == "duplicate").sum())
    _record(rows, "dedup", d, note=f"{n_dup} duplicates found")
    t.wall, t.cpu = t.wall - w, t.cpu - c
    _record(rows, "assemble", t, note="tables of files, documents, removed, page_fields")
    base["documents"] = len(corpus.documents)
    del results

    # document stages: as load_corpus runs them, each entry point timed
    labels = {"meta": "metadata", "structure": "structure", "targets": "targets"}
    bucket = {}
    for mod, names in _document_stage_entry_points().items():
        _wrap_timers(importlib.import_module(f"policylab.{mod}"), sorted(names), bucket, labels[mod])
    with Timer() as t:
        corpus_mod._run_document_stages(corpus, None)
    ran = bool(bucket)
    if not ran:  # the stages are not wired into load_corpus yet: call them directly
        from policylab import meta

        with Timer() as tm:
            meta.document_metadata(corpus.documents, corpus.page_fields, corpus.files)
        bucket["metadata"] = (tm.wall, tm.cpu)
        fn = _section_parser()
        if fn is not None:
            with Timer() as ts:
                corpus.sections = fn(corpus.documents)
            bucket["structure"] = (ts.wall, ts.cpu)
            from policylab.targets import extract_targets

            with Timer() as tt:
                extract_targets(corpus.sections)
            bucket["targets"] = (tt.wall, tt.cpu)
    for stage in ("metadata", "structure", "targets"):
        x = Timer()
        x.wall, x.cpu = bucket.get(stage, (None, None))
        x.load = t.load
        if x.wall is None:
            rows.append({"stage": stage, "note": "not available yet"})
        else:
            _record(rows, stage, x, note="as wired in load_corpus" if ran else "called directly")
    _record(rows, "build_peak", _done(Timer()), note="peak RSS after the build stages")

    if segment:
        _segmentation(rows, corpus, references)
    for r in rows:
        r.update({**base, **{k: v for k, v in r.items() if k in base}})
    Path(out_json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def _section_parser():
    """The section parser of policylab.structure, when that module exists."""
    import importlib

    try:
        structure = importlib.import_module("policylab.structure")
    except ImportError:
        return None
    return next((getattr(structure, n) for n in ("document_sections", "sections", "extract_sections",
                                                  "parse_sections", "build_sections") if hasattr(structure, n)), None)


def _done(t):
    t.__enter__()
    t.__exit__(None, None, None)
    return t


def _segmentation(rows, corpus, references: bool = True) -> None:
    import jieba
    import jieba_fast

    from policylab import segment

    docs = corpus.documents[["doc_id", "text"]].reset_index(drop=True)
    texts = docs["text"].tolist()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="cache-", dir=SCRATCH))

    # references: plain jieba.lcut / jieba_fast.lcut on the same clean texts, dictionary preloaded
    for mod in (jieba, jieba_fast):
        mod.dt.tmp_dir = str(scratch)  # keep jieba's own cache out of the system temp folder
        mod.setLogLevel(60)
        mod.initialize()
    if not references:  # --no-references: the end-to-end run times plain jieba on the same pages
        return _segmentation_rows(rows, docs, texts, scratch)
    with Timer() as t:
        ref = [jieba.lcut(x) for x in texts]
    _record(rows, "ref_jieba_lcut", t, note="plain jieba.lcut, one core")
    with Timer() as t:
        ref_fast = [jieba_fast.lcut(x) for x in texts]
    _record(rows, "ref_jieba_fast_lcut", t, note="plain jieba_fast.lcut, one core")
    same = sum(a == b for a, b in zip(ref, ref_fast))
    rows.append({"stage": "identity_lcut", "note": f"{same}/{len(texts)} documents give identical tokens "
                 "(jieba_fast.lcut vs jieba.lcut, no policylab dictionary)", "value": same == len(texts)})
    del ref, ref_fast

    _segmentation_rows(rows, docs, texts, scratch)


def _segmentation_rows(rows, docs, texts, scratch) -> None:
    from policylab import segment

    try:  # the engine itself, plain cut, no policylab dictionary (jieba-rs's own)
        import rjieba

        rj = rjieba.Jieba()
        with Timer() as t:
            for x in texts:
                rj.cut(x, True)
        _record(rows, "ref_rjieba_cut", t, note="plain rjieba.cut, one core (the segmenter's own time)")
    except ImportError:
        pass

    tiny = docs.head(1).assign(text="人工智能产业。")
    default = segment.resolve_engine("auto")
    for engine in sorted({default, "jieba"}):  # load each engine's dictionaries before timing
        segment.tokenize(tiny, engine=engine, cache=False, n_jobs=1)

    def run(stage, note, **kw):
        children = kw.get("n_jobs", 1) != 1
        with Timer(children=children) as t:
            out = segment.tokenize(docs, progress=False, **kw)
        _record(rows, stage, t, note=note)
        return out

    fast = run("segment_nocache_1p", f"tokenize, {default} (default engine), 1 process, cache off", n_jobs=1,
               cache=False)
    if sum(map(len, texts)) <= IDENTITY_MAX_CHARS:  # identity is proven on the seeds and up to 10 MB
        slow = run("segment_jieba_1p", "tokenize, engine=jieba (the reference), 1 process, cache off",
                   engine="jieba", n_jobs=1, cache=False)
        same = fast.equals(slow)
        rows.append({"stage": "identity_tokenize", "value": same, "note": f"tokenize {default} == jieba: {same} "
                     f"({len(fast):,} tokens)"})
        del slow
    cache_a = scratch / "a"
    run("segment_cold_1p", f"tokenize, {default}, 1 process, fresh cache (cold)", n_jobs=1, cache=cache_a)
    warm = run("segment_warm_1p", "tokenize, same cache (warm)", n_jobs=1, cache=cache_a)
    rows.append({"stage": "identity_warm", "value": warm.equals(fast), "note": "warm tokens == cold tokens"})
    del warm
    par = run("segment_cold_2p", f"tokenize, {default}, 2 processes, fresh cache (cold)", n_jobs=2,
              cache=scratch / "b")
    rows.append({"stage": "identity_2p", "value": par.equals(fast), "note": "2-process tokens == 1-process tokens"})
    par_nc = run("segment_nocache_2p", f"tokenize, {default}, 2 processes, cache off", n_jobs=2, cache=False)
    del par, par_nc, fast
    shutil.rmtree(scratch, ignore_errors=True)


def worker_memory(corpus_dir: str, out_json: str) -> None:
    """Peak memory of a real build (``load_corpus``), then of ``tokenize`` alone, each in its own process."""
    from policylab import load_corpus

    rows: list[dict] = []
    with Timer() as t:
        corpus = load_corpus(corpus_dir, n_jobs=1)
    _record(rows, "memory_build", t, note="peak RSS of load_corpus (all parsing stages), one process")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    docs_path = Path(tempfile.mkdtemp(prefix="mem-", dir=SCRATCH)) / "documents.parquet"
    corpus.documents[["doc_id", "text"]].to_parquet(docs_path)
    mb = sum(Path(corpus_dir, p).stat().st_size for p in corpus.files["path"]) / 1e6
    n_files, n_docs = len(corpus.files), len(corpus.documents)
    del corpus
    code = (
        "import json, resource, sys, time, pandas as pd; from policylab import segment; "
        "d = pd.read_parquet(sys.argv[1]); base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
        "t = time.process_time(); tok = segment.tokenize(d, n_jobs=1, cache=False); "
        "print(json.dumps([base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, time.process_time() - t, len(tok)]))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(docs_path)], capture_output=True, text=True, cwd=ROOT,
                         check=True)
    base, peak, cpu, n_tok = json.loads(out.stdout.strip().splitlines()[-1])
    rows.append({"stage": "memory_tokenize", "wall_s": None, "cpu_s": round(cpu, 2), "peak_rss_mb": round(peak, 1),
                 "note": f"peak RSS of tokenize(documents) alone, one process, cache off ({n_tok:,} tokens; "
                         f"{base:.0f} MB with the documents loaded)"})
    shutil.rmtree(docs_path.parent, ignore_errors=True)
    for r in rows:
        r.update({"files": n_files, "documents": n_docs, "mb": mb})
    Path(out_json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


# =============================================================================================
# end to end: a researcher's cold pipeline against the script most papers use (issue 15)
# =============================================================================================
# Each step is its own fresh Python process, timed on the wall clock from the parent, as a user
# would run it; each prints its own peak RSS (and its worker processes'). The reference is the
# plain script: read every page, decode it, jieba.lcut it, one process, no cleaning at all.
_E2E_REF = """
import json, os, resource, sys
import jieba
jieba.setLogLevel(60)
jieba.dt.tmp_dir = sys.argv[2]  # jieba's own prefix cache (kept between runs: the reference is warm)
n = 0
for dirpath, dirnames, filenames in os.walk(sys.argv[1]):
    dirnames.sort()
    for f in sorted(filenames):
        data = open(os.path.join(dirpath, f), "rb").read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        n += len(jieba.lcut(text))
r = resource.getrusage
print(json.dumps({"tokens": n, "peak_rss_mb": r(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
_E2E_ENGINE = """
import json, os, resource, sys, time
import rjieba
rj = rjieba.Jieba()
t = time.process_time()
n = 0
for dirpath, dirnames, filenames in os.walk(sys.argv[1]):
    for f in filenames:
        data = open(os.path.join(dirpath, f), "rb").read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        n += len(rj.cut(text, True))
print(json.dumps({"tokens": n, "cpu_s": time.process_time() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
# the ``policylab`` command itself (its console-script entry point, ``policylab.__main__:run``),
# as a user runs it
_E2E_BUILD = """
import json, resource, sys
from policylab.__main__ import run
code = run(["build", sys.argv[1], "--out", sys.argv[2], "-q"])
r = resource.getrusage
print(json.dumps({"exit": code, "peak_rss_mb": r(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "children_peak_rss_mb": r(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""
_E2E_TOKENIZE = """
import json, resource, sys
import pandas as pd
import policylab
docs = pd.read_parquet(sys.argv[1])
tokens = policylab.tokenize(docs, progress=False)
r = resource.getrusage
print(json.dumps({"tokens": len(tokens), "segmenter": tokens.attrs.get("segmenter"),
                  "peak_rss_mb": r(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "children_peak_rss_mb": r(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def _e2e_step(code: str, args: list[str], code_root: Path, cache: Path | None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    env.pop("POLICYLAB_CACHE", None)
    if cache is not None:
        env["POLICYLAB_CACHE"] = str(cache)
    load0 = os.getloadavg()[0]
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=code_root,
                         env=env)
    wall = time.perf_counter() - t0
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(f"end-to-end step failed:\n{out.stderr[-3000:]}")
    info = json.loads(out.stdout.strip().splitlines()[-1])
    info.update(wall_s=round(wall, 2), cpu_all_s=round((c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime), 2),
                load_avg=round(max(load0, os.getloadavg()[0]), 2))
    return info


def end_to_end(corpus_dir: str, code_root: Path, label: str) -> dict:
    """Cold ``policylab build`` + ``tokenize`` (default settings) against plain ``jieba.lcut``."""
    SCRATCH.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="e2e-", dir=SCRATCH))
    mb = sum(p.stat().st_size for p in Path(corpus_dir).rglob("*") if p.is_file()) / 1e6
    jieba_dir = SCRATCH / "jieba_ref"
    jieba_dir.mkdir(exist_ok=True)
    # policylab byte-compiled, as ``pip install`` leaves an installed package and as the reference's
    # jieba is (site-packages); an editable checkout on a machine with PYTHONDONTWRITEBYTECODE set
    # would otherwise compile every module from source in every step (~0.15 s a process)
    compileall.compile_dir(str(code_root / "policylab"), quiet=1)
    try:
        ref = _e2e_step(_E2E_REF, [corpus_dir, str(jieba_dir)], code_root, None)
        engine = _e2e_step(_E2E_ENGINE, [corpus_dir], code_root, None)
        build = _e2e_step(_E2E_BUILD, [corpus_dir, str(work / "out")], code_root, work / "cache")
        tok = _e2e_step(_E2E_TOKENIZE, [str(work / "out" / "documents.parquet")], code_root, work / "cache")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cores = len(os.sched_getaffinity(0))
    total = build["wall_s"] + tok["wall_s"]
    return {
        "label": label, "code": str(code_root), "corpus": Path(corpus_dir).name, "mb": round(mb, 1), "cores": cores,
        "ref_jieba_lcut": ref, "engine_rjieba_cut": engine, "build": build, "tokenize": tok,
        "pipeline_wall_s": round(total, 2), "ratio": round(ref["wall_s"] / total, 2),
        # the best a pipeline could do: the segmenter's own CPU time spread over every core
        "limit_ratio": round(ref["wall_s"] / (engine["cpu_s"] / cores), 2),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def write_end_to_end(runs: list[dict]) -> str:
    md = ["# End to end (issue 15): cold `policylab build` + `tokenize` against plain `jieba.lcut`", "",
          "Wall seconds, each step a fresh process with a fresh project cache, default settings "
          "(the build is the `policylab` command's entry point, `policylab.__main__:run`; policylab byte-compiled first, "
          "as an installed package is; the runs up to `issue15-final` compiled it from source in every step); "
          "`ratio` = plain single-process `jieba.lcut` over the raw pages / (build + tokenize); "
          "`limit` = the same reference / (rjieba's own CPU seconds on the raw pages / cores). "
          "`load` is the machine's 1-minute load average (2 cores; above 2 the steps did not have the cores).", "",
          "| run | corpus | MB | jieba.lcut s | build s | tokenize s | ratio | limit | build peak MB | "
          "tokenize peak MB | load | date |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        tk = r["tokenize"]
        md.append(f"| {r['label']} | {r['corpus']} | {r['mb']} | {r['ref_jieba_lcut']['wall_s']} | "
                  f"{r['build']['wall_s']} | {tk['wall_s']} | {r['ratio']}x | {r['limit_ratio']}x | "
                  f"{r['build']['peak_rss_mb']:.0f} | {max(tk['peak_rss_mb'], tk.get('children_peak_rss_mb', 0)):.0f} | "
                  f"{max(r[k]['load_avg'] for k in ('ref_jieba_lcut', 'build', 'tokenize'))} | {r['date']} |")
    md += ["", *end_to_end_medians(runs)]
    text = "\n".join(md) + "\n"
    (RESULTS / "end_to_end.md").write_text(text, encoding="utf-8")
    (RESULTS / "end_to_end.json").write_text(json.dumps(runs, ensure_ascii=False, indent=1), encoding="utf-8")
    return text


def end_to_end_medians(runs: list[dict], min_runs: int = 3) -> list[str]:
    """Markdown lines: medians of the runs that share a label stem (``session5-1`` ... ``-20``: ``session5``)
    and a corpus, for stems with at least ``min_runs`` runs.

    One run's ratio moves with the machine's speed from minute to minute (the reference and the
    pipeline are timed a minute apart), so a target is judged on the median of many runs and on
    how many of them reach it.

    Examples
    --------
    >>> def run(label, ref, build, tok):
    ...     return {"label": label, "corpus": "10MB", "ref_jieba_lcut": {"wall_s": ref},
    ...             "build": {"wall_s": build}, "tokenize": {"wall_s": tok},
    ...             "pipeline_wall_s": build + tok, "ratio": round(ref / (build + tok), 2)}
    >>> rows = [run("s-1", 28.0, 4.0, 3.0), run("s-2", 21.0, 4.0, 3.0), run("s-3", 26.0, 4.5, 3.0), run("x", 1, 1, 1)]
    >>> print(end_to_end_medians(rows)[-1])
    | s | 10MB | 3 | 26.0 | 4.0 | 3.0 | 7.0 | 3.47x (3.0-4.0x) | 1 of 3 |
    """
    import re
    import statistics

    groups: dict[tuple[str, str], list[dict]] = {}
    for r in runs:
        stem = re.sub(r"-\d+$", "", r["label"])
        if stem != r["label"]:
            groups.setdefault((stem, r["corpus"]), []).append(r)
    lines = ["## Medians of repeated runs", "",
             f"Runs named `<stem>-<n>` (`--repeat`), grouped by stem and corpus, {min_runs} or more runs; "
             "`>= 3.5x` counts the runs that reach the issue's target.", "",
             "| runs | corpus | n | jieba.lcut s | build s | tokenize s | pipeline s | ratio: median (range) | >= 3.5x |",
             "|---|---|---|---|---|---|---|---|---|"]
    for (stem, corpus), rs in groups.items():
        if len(rs) < min_runs:
            continue
        med = lambda xs: round(statistics.median(xs), 2)  # noqa: E731
        ratios = [r["ratio"] for r in rs]
        lines.append(f"| {stem} | {corpus} | {len(rs)} | {med([r['ref_jieba_lcut']['wall_s'] for r in rs])} | "
                     f"{med([r['build']['wall_s'] for r in rs])} | {med([r['tokenize']['wall_s'] for r in rs])} | "
                     f"{med([r['pipeline_wall_s'] for r in rs])} | {med(ratios)}x ({min(ratios)}-{max(ratios)}x) | "
                     f"{sum(x >= 3.5 for x in ratios)} of {len(rs)} |")
    return lines


def worker_topics(corpus_dir: str, n_units: int, out_json: str) -> None:
    """Topic-model fit time on ``n_units`` sections of a corpus."""
    import pandas as pd

    from policylab import load_corpus, segment
    from policylab.topics import TopicModel

    rows: list[dict] = []
    corpus = load_corpus(corpus_dir, n_jobs=2)
    sections = corpus.sections
    kind = "sections (policylab.structure)"
    if sections is None and _section_parser() is not None:
        sections = _section_parser()(corpus.documents)
    if sections is None:
        # no section parser yet: paragraphs stand in for sections (same order of size)
        kind = "paragraphs (no policylab.structure yet)"
        recs = [(d, str(i), line) for d, text in zip(corpus.documents["doc_id"], corpus.documents["text"])
                for i, line in enumerate(text.split("\n")) if len(line) >= 20]
        sections = pd.DataFrame(recs, columns=["doc_id", "section_id", "text"])
    sections = sections[sections["text"].fillna("").str.len() > 0].head(n_units)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    tokens = segment.tokenize(sections[["doc_id", "section_id", "text"]], unit_col="section_id", n_jobs=2,
                              cache=SCRATCH / "topics-cache")
    for method in ("nmf",):
        with Timer() as t:
            m = TopicModel(k=10, method=method, random_state=0).fit(tokens)
        _record(rows, f"topics_fit_{method}", t, note=f"k=10 on {len(sections):,} {kind}, "
                f"{len(tokens):,} tokens, {m.n_terms_ if hasattr(m, 'n_terms_') else ''}".rstrip(", "))
    for r in rows:
        r.update({"files": len(corpus.files), "documents": len(corpus.documents), "units": len(sections)})
    Path(out_json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


# =============================================================================================
# orchestration
# =============================================================================================
def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines()
                          if x.startswith("MemTotal")).split()[1])
        ram = f"{mem_kb / 1024 ** 2:.1f} GB"
    except (OSError, StopIteration):
        ram = "unknown"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    from policylab.store import versions

    v = versions()
    for extra in ("dask", "distributed"):
        try:
            from importlib.metadata import version

            v[extra] = version(extra)
        except Exception:
            v[extra] = None
    return {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpu": cpu, "cores": cores,
            "ram": ram, "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "versions": v}


def import_time(repeats: int = 7) -> dict:
    code = "import time; t = time.perf_counter(); import policylab; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
        times.append(float(out.stdout.strip()))
    mods = subprocess.run([sys.executable, "-c", "import sys, policylab; heavy = [m for m in ('pandas', 'numpy', "
                           "'jieba', 'sklearn', 'matplotlib', 'scipy', 'opencc', 'networkx', 'dask') if m in "
                           "sys.modules]; print(','.join(heavy))"],
                          capture_output=True, text=True, cwd=ROOT, check=True).stdout.strip()
    code2 = "import time; t = time.perf_counter(); from policylab import load_corpus; print(time.perf_counter() - t)"
    first_use = min(float(subprocess.run([sys.executable, "-c", code2], capture_output=True, text=True, cwd=ROOT,
                                         check=True).stdout.strip()) for _ in range(3))
    return {"best_s": min(times), "median_s": sorted(times)[len(times) // 2], "heavy_modules_loaded": mods,
            "load_corpus_import_s": first_use}


def _run_worker(args: list[str]) -> list[dict]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False, dir=RESULTS) as fh:
        out = fh.name
    try:
        cmd = [sys.executable, "-m", "benchmarks.run", *args, "--json", out]
        print("  $", " ".join(cmd[2:]), flush=True)
        r = subprocess.run(cmd, cwd=ROOT)
        if r.returncode != 0:
            raise RuntimeError(f"benchmark worker failed ({r.returncode}): {' '.join(args)}")
        return json.loads(Path(out).read_text(encoding="utf-8"))
    finally:
        Path(out).unlink(missing_ok=True)


def _finish_rows(name: str, rows: list[dict]) -> list[dict]:
    """Throughput and ratios to the references, per row of one corpus."""
    by = {r["stage"]: r for r in rows}
    read = by.get("ref_read_decode", {}).get("cpu_s")
    jieba = by.get("ref_jieba_lcut", {}).get("cpu_s")
    for r in rows:
        r["corpus"] = name
        cost = r.get("wall_s") if r["stage"].endswith("_2p") else r.get("cpu_s")
        if cost:
            r["mb_per_s"] = round(r["mb"] / cost, 3) if r.get("mb") else None
            r["x_read"] = round(cost / read, 2) if read else None
            r["x_jieba"] = round(cost / jieba, 4) if jieba else None
    return rows


BUILD_STAGES = ("ingest", "clean", "dedup", "assemble", "metadata", "structure", "targets")


def _is_build(stage: str) -> bool:
    return stage in BUILD_STAGES


def targets(results: dict, imp: dict) -> list[tuple[str, str, str, str]]:
    """(target, measured, verdict, corpus) for issue 7 point 2."""
    out = []

    def get(corpus, stage, key="cpu_s"):
        return next((r.get(key) for r in results.get(corpus, []) if r["stage"] == stage), None)

    sized = [c for c in results if c.endswith("MB")]
    main = max(sized, key=lambda c: float(c[:-2]), default=None)
    if main:
        j, s = get(main, "ref_jieba_lcut"), get(main, "segment_nocache_1p")
        jf = get(main, "ref_jieba_fast_lcut")
        if j and s:
            ratio = j / s
            out.append(("segmentation >= 2x plain jieba.lcut on one core (identical tokens)",
                        f"tokenize {ratio:.2f}x jieba.lcut (plain jieba_fast.lcut {j / jf:.2f}x)",
                        "met" if ratio >= 2 else "missed", main))
        w1, w2 = get(main, "segment_cold_1p", "wall_s"), get(main, "segment_cold_2p", "wall_s")
        n1, n2 = get(main, "segment_nocache_1p", "wall_s"), get(main, "segment_nocache_2p", "wall_s")
        if w1 and w2:
            load = max(get(main, s, "load_avg") or 0 for s in ("segment_cold_1p", "segment_cold_2p",
                                                              "segment_nocache_1p", "segment_nocache_2p"))
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
            busy = load > cores + 0.5  # other jobs held the cores: wall-clock speed-up is not measurable
            verdict = "met" if max(w1 / w2, n1 / n2) >= 1.7 else "missed"
            out.append(("2 processes >= 1.7x one process (wall)",
                        f"{w1 / w2:.2f}x cold with cache, {n1 / n2:.2f}x cache off (load average up to {load:.1f} "
                        f"on {cores} cores)",
                        f"not measurable: machine busy (measured: {verdict})" if busy else verdict, main))
        build = sum(r["cpu_s"] for r in results[main] if _is_build(r["stage"]) and r.get("cpu_s"))
        if s and build:
            names = "+".join(sorted({r["stage"] for r in results[main] if _is_build(r["stage"])}))
            out.append(("all other stages < 1/5 of segmentation",
                        f"{build:.1f} s vs {s:.1f} s = {build / s:.2f} of segmentation ({names})",
                        "met" if build < 0.2 * s else "missed", main))
        cold, warm = get(main, "segment_cold_1p"), get(main, "segment_warm_1p")
        if cold and warm:
            full = (build + warm) / (build + cold)
            out.append(("warm rebuild <= 5% of cold",
                        f"tokenize warm {warm:.2f} s / cold {cold:.2f} s = {warm / cold:.1%}; whole rebuild "
                        f"(build + tokenize) {full:.1%}",
                        "met" if warm / cold <= 0.05 else "missed", main))
    ids = [(c, r["value"]) for c in results for r in results[c] if r["stage"] == "identity_tokenize"]
    if ids:
        out.append(("default engine (rjieba) gives the tokens of jieba through tokenize",
                    ", ".join(f"{c}: {'identical' if v else 'DIFFERENT'}" for c, v in ids),
                    "met" if all(v for _, v in ids) else "missed", ""))
    out.append(("import policylab < 0.3 s", f"{imp['best_s']:.3f} s best of 7 (median {imp['median_s']:.3f} s); "
                f"loaded: {imp['heavy_modules_loaded'] or 'none'}; first use (`from policylab import load_corpus`, "
                f"which loads pandas): {imp.get('load_corpus_import_s', float('nan')):.2f} s",
                "met" if imp["best_s"] < 0.3 else "missed", ""))
    peaks = [(c, get(c, "memory_build", "peak_rss_mb") or get(c, "build_peak", "peak_rss_mb"),
              get(c, "memory_tokenize", "peak_rss_mb") or max((r.get("peak_rss_mb") or 0) for r in results[c]),
              next(r["mb"] for r in results[c] if r.get("mb"))) for c in sized]
    peaks = [(c, b, max(b, p), mb) for c, b, p, mb in peaks]
    if peaks:
        desc = "; ".join(f"{c}: build {b:.0f} MB, tokenize {p:.0f} MB" for c, b, p, _ in peaks)
        big = max(peaks, key=lambda x: x[3])
        verdict = "met" if big[3] >= 90 and big[2] < 2048 else ("missed" if big[2] >= 2048 else "not measured at 100 MB")
        out.append(("peak memory < 2 GB for 100 MB, linear", desc, verdict, big[0]))
    fit = next((r for r in results.get("topics", []) if r["stage"] == "topics_fit_nmf"), None)
    if fit:
        out.append(("topic-model fit time (no target)", f"NMF k=10: {fit['cpu_s']:.1f} s CPU, {fit['wall_s']:.1f} s "
                    f"wall; {fit['note']}", "measured", "topics"))
    dd = [(c, get(c, "dedup"), next((r.get("documents") for r in results[c] if r.get("documents")), 0))
          for c in results if get(c, "dedup")]
    if dd:
        desc = "; ".join(f"{c}: {t * 1000 / max(1, n):.1f} ms/doc ({n:,} docs)" for c, t, n in dd)
        out.append(("dedup has no all-pairs step (cost per document flat)", desc,
                    "met (MinHash LSH; see per-doc cost)", ""))
    return out


def write_results(info, imp, results, tgt) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = [r for c in results for r in results[c]]
    with open(RESULTS / "latest.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS + ["value", "units"], extrasaction="ignore")
        w.writeheader()
        w.writerow({"corpus": "-", "stage": "import_policylab", "wall_s": round(imp["best_s"], 4),
                    "note": f"best of 7; median {imp['median_s']:.4f}"})
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in CSV_COLUMNS + ["value", "units"]})
    v = info["versions"]
    libs = ", ".join(f"{k} {v[k]}" for k in ("policylab", "pandas", "numpy", "pyarrow", "jieba", "jieba-fast",
                                              "opencc", "datasketch", "scikit-learn", "dask") if v.get(k))
    md = [
        "# policylab benchmark: latest results",
        "",
        f"- date: {info['date']}",
        f"- machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}",
        f"- Python {info['python']}; {libs}",
        f"- command: `{info['command']}`",
        "",
        "## Targets (issue 7)",
        "",
        "| target | measured | verdict | corpus |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in tgt],
        "",
        "## Stages",
        "",
        "Throughput in MB of page bytes per second of CPU (wall for the `_2p` rows, which use two processes); "
        "`x read` = cost relative to reading and decoding the same files; `x jieba` = cost relative to plain "
        "`jieba.lcut` on the same documents' clean text. Peak RSS is the process's maximum so far.",
        "",
        "| corpus | stage | files | docs | MB | wall s | CPU s | MB/s | x read | x jieba | peak RSS MB | load | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.get("wall_s") is None:
            continue
        md.append("| " + " | ".join(str("" if r.get(k) is None else r.get(k)) for k in
                                     ("corpus", "stage", "files", "documents")) +
                  f" | {r.get('mb', 0):.1f} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | "
                  f"{'' if r.get('mb_per_s') is None else r['mb_per_s']} | {'' if r.get('x_read') is None else r['x_read']} | "
                  f"{'' if r.get('x_jieba') is None else r['x_jieba']} | {r.get('peak_rss_mb', '')} | "
                  f"{r.get('load_avg', '')} | {r.get('note', '')} |")
    checks = [r for r in rows if "value" in r]
    if checks:
        md += ["", "## Checks", "", *[f"- {r['corpus']}: {r['stage']}: {'ok' if r['value'] else 'FAILED'}: {r['note']}"
                                      for r in checks]]
    md += ["", f"`import policylab`: best {imp['best_s']:.3f} s, median {imp['median_s']:.3f} s "
           f"(modules loaded by it: {imp['heavy_modules_loaded'] or 'none'})", ""]
    (RESULTS / "latest.md").write_text("\n".join(md), encoding="utf-8")
    (RESULTS / "latest.json").write_text(json.dumps({"machine": info, "import": imp, "results": results,
                                                     "targets": tgt}, ensure_ascii=False, indent=1),
                                         encoding="utf-8")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="policylab benchmark (see benchmarks/README.md)")
    p.add_argument("--sizes", default="1MB,10MB,100MB", help="corpus sizes, comma-separated (default 1MB,10MB,100MB)")
    p.add_argument("--docs", type=int, default=10000, help="pages in the parse-only corpus (0: skip; default 10000)")
    p.add_argument("--topic-units", type=int, default=10000, help="sections for the topic-model fit (0: skip)")
    p.add_argument("--quick", action="store_true", help="1 MB, 1,000 docs, 2,000 topic units: a smoke run")
    p.add_argument("--no-seeds", action="store_true", help="skip the seeds (identity of tokens on the seeds)")
    p.add_argument("--no-memory", action="store_true", help="skip the separate peak-memory runs (build, tokenize)")
    p.add_argument("--no-references", action="store_true",
                   help="skip plain jieba.lcut / jieba_fast.lcut (the end-to-end run times jieba on the same pages)")
    p.add_argument("--report-only", action="store_true", help="re-render latest.md/.csv from latest.json")
    p.add_argument("--end-to-end", metavar="SIZES",
                   help="only the end-to-end comparison (issue 15) on these corpus sizes, e.g. 10MB,100MB")
    p.add_argument("--code", default=str(ROOT), help="checkout whose policylab the end-to-end run times (default: this one)")
    p.add_argument("--label", default="after", help="name of the end-to-end run in the table (e.g. before/after)")
    p.add_argument("--repeat", type=int, default=1,
                   help="end-to-end rounds per size (labels <label>-1 ... -N; the table adds their medians)")
    p.add_argument("--append", action="store_true",
                   help="add to the corpora of the last run (latest.json) instead of starting afresh")
    # worker modes (internal)
    p.add_argument("--worker", choices=("stages", "topics", "memory"), help=argparse.SUPPRESS)
    p.add_argument("--corpus", help=argparse.SUPPRESS)
    p.add_argument("--no-segment", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--units", type=int, help=argparse.SUPPRESS)
    p.add_argument("--json", help=argparse.SUPPRESS)
    a = p.parse_args(argv)

    if a.worker == "stages":
        worker_stages(a.corpus, not a.no_segment, a.json, not a.no_references)
        return 0
    if a.worker == "memory":
        worker_memory(a.corpus, a.json)
        return 0
    if a.worker == "topics":
        worker_topics(a.corpus, a.units, a.json)
        return 0

    if a.end_to_end:
        from benchmarks.generate import generate

        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / "end_to_end.json"
        runs = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        for size in [x.strip() for x in a.end_to_end.split(",") if x.strip()]:
            corpus = str(generate(int(float(size.upper().removesuffix("MB")) * 1e6)))
            labels = [a.label] if a.repeat <= 1 else [f"{a.label}-{i}" for i in range(1, a.repeat + 1)]
            for label in labels:
                print(f"end to end, {size}, {label} ({a.code}) ...", flush=True)
                run = end_to_end(corpus, Path(a.code).resolve(), label)
                runs = [r for r in runs if (r["label"], r["corpus"]) != (run["label"], run["corpus"])] + [run]
                text = write_end_to_end(runs)
            print(text, flush=True)
        return 0

    if a.report_only:
        last = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
        write_results(last["machine"], last["import"], last["results"], targets(last["results"], last["import"]))
        print((RESULTS / "latest.md").read_text(encoding="utf-8"))
        return 0

    from benchmarks.generate import generate

    if a.quick:
        a.sizes, a.docs, a.topic_units = "1MB", 1000, 2000
    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    RESULTS.mkdir(parents=True, exist_ok=True)
    info = machine()
    info["command"] = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram']}", flush=True)

    imp = import_time()
    print(f"import policylab: {imp['best_s']:.3f} s", flush=True)
    results: dict[str, list[dict]] = {}
    if a.append and (RESULTS / "latest.json").exists():
        last = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
        results.update(last["results"])
        info["command"] = last["machine"]["command"] + " && " + info["command"]
        info["date"] = last["machine"]["date"] + " to " + info["date"]
    t_all = time.perf_counter()
    corpora = [] if a.no_seeds else [("seeds", str(ROOT / "seeds"))]
    for s in sizes:
        mb = float(s.upper().removesuffix("MB"))
        print(f"generating {s} ...", flush=True)
        corpora.append((f"{mb:g}MB", str(generate(int(mb * 1e6)))))
    for name, path in corpora:
        print(f"measuring {name} ...", flush=True)
        results[name] = _finish_rows(name, _run_worker(["--worker", "stages", "--corpus", path]
                                                       + (["--no-references"] if a.no_references else [])))
        if name != "seeds" and not a.no_memory:
            results[name] += _finish_rows(name, _run_worker(["--worker", "memory", "--corpus", path]))
        write_results(info, imp, results, targets(results, imp))  # keep what is done if a later size fails
    if a.docs:
        print(f"generating {a.docs} docs ...", flush=True)
        path = str(generate(n_docs=a.docs))
        name = f"{a.docs}docs"
        print(f"measuring {name} (parse stages only) ...", flush=True)
        results[name] = _finish_rows(name, _run_worker(["--worker", "stages", "--corpus", path, "--no-segment"]))
        write_results(info, imp, results, targets(results, imp))
    if a.topic_units:
        src = next((f"{float(s.upper().removesuffix('MB')):g}MB" for s in sizes
                    if float(s.upper().removesuffix("MB")) >= 10), None)
        path = str(generate(int(float(src[:-2]) * 1e6))) if src else str(generate(int(10e6)))
        print(f"topic model on {a.topic_units} units ...", flush=True)
        results["topics"] = _finish_rows("topics", _run_worker(["--worker", "topics", "--corpus", path,
                                                                 "--units", str(a.topic_units)]))
    info["total_minutes"] = round((time.perf_counter() - t_all) / 60, 1)
    tgt = targets(results, imp)
    write_results(info, imp, results, tgt)
    print((RESULTS / "latest.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
