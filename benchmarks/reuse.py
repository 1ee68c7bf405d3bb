"""Benchmark of ``reuse.find`` against ``policylab build`` on the generated corpora (issue 17).

For each corpus size: ``policylab build CORPUS --no-cache`` runs in a subprocess (its CPU seconds are
the child's), then ``reuse.find`` runs here on the documents that build wrote. Both are reported in
CPU seconds (the machine is shared; wall seconds are given beside them), with the cost of
``reuse.find`` per document.

    python -m benchmarks.reuse                    # 1 MB and 10 MB
    python -m benchmarks.reuse --sizes 1MB,10MB,100MB

Results: ``benchmarks/results/reuse.md`` and ``reuse.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SCRATCH = RESULTS / "corpora" / "_scratch"


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(mb: float, **find_options) -> dict:
    """Build the ``mb`` MB corpus in a subprocess, then time ``reuse.find`` on its documents."""
    from benchmarks.generate import generate
    from policylab import reuse
    from policylab.store import read_tables

    corpus = generate(int(mb * 1e6))
    out = SCRATCH / f"reuse_{mb:g}MB"
    c0, w0 = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "policylab", "build", str(corpus), "--out", str(out), "--no-cache", "-q"],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    build_cpu, build_wall = _children_cpu() - c0, time.perf_counter() - w0
    docs = read_tables(out)["documents"]
    load = os.getloadavg()[0]
    c0, w0 = time.process_time(), time.perf_counter()
    passages = reuse.find(docs, **find_options)
    find_cpu, find_wall = time.process_time() - c0, time.perf_counter() - w0
    pairs = reuse.reuse_pairs(passages, docs)
    n = len(docs)
    return {
        "corpus": f"{mb:g}MB", "documents": n, "mb_text": round(docs["text"].str.len().sum() / 1e6, 2),
        "build_cpu_s": round(build_cpu, 2), "build_wall_s": round(build_wall, 2),
        "find_cpu_s": round(find_cpu, 2), "find_wall_s": round(find_wall, 2),
        "find_over_build": round(find_cpu / build_cpu, 3),
        "find_ms_per_doc": round(1000 * find_cpu / max(1, n), 2),
        "passages": len(passages), "pairs": len(pairs),
        "find_ms_per_passage": round(1000 * find_cpu / max(1, len(passages)), 3),
        "passages_per_doc": round(len(passages) / max(1, n), 2),
        "options": find_options or "defaults", "load_avg": round(max(load, os.getloadavg()[0]), 2),
    }


def render(rows: list[dict]) -> str:
    head = ("| corpus | docs | build CPU s (wall) | reuse.find CPU s (wall) | find / build | find ms per doc "
            "| passages | pairs | passages per doc | find ms per passage | options | load |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    body = "".join(
        f"| {r['corpus']} | {r['documents']} | {r['build_cpu_s']} ({r['build_wall_s']}) | {r['find_cpu_s']} "
        f"({r['find_wall_s']}) | {r['find_over_build']} | {r['find_ms_per_doc']} | {r['passages']} | {r['pairs']} "
        f"| {r['passages_per_doc']} | {r['find_ms_per_passage']} | {r['options']} | {r['load_avg']} |\n" for r in rows)
    return head + body


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1MB,10MB", help="comma-separated corpus sizes in MB (default 1MB,10MB)")
    p.add_argument("--max-df", type=int, default=None, help="reuse.find max_df (default: the library's)")
    p.add_argument("--append", action="store_true", help="add the rows to the last run's instead of replacing them")
    a = p.parse_args(argv)
    opts = {} if a.max_df is None else {"max_df": a.max_df}
    rows = []
    if a.append and (RESULTS / "reuse.json").exists():
        rows = json.loads((RESULTS / "reuse.json").read_text(encoding="utf-8"))["rows"]
    rows += [measure(float(s.upper().removesuffix("MB")), **opts) for s in a.sizes.split(",")]
    RESULTS.mkdir(parents=True, exist_ok=True)
    info = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": platform.platform(),
            "cpus": os.cpu_count(), "python": platform.python_version(), "rows": rows}
    (RESULTS / "reuse.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md = f"# reuse.find vs policylab build\n\n- date: {info['date']}\n- machine: {info['machine']}, {info['cpus']} cores\n\n" + render(rows)
    (RESULTS / "reuse.md").write_text(md, encoding="utf-8")
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
