"""Fuzz the whole build: generated inputs -> ``policylab build`` -> every stage -> checks.

Run from the project root::

    python -m fuzz.run --n 10000 --seed 0            # the long run (minutes)
    python -m fuzz.run --n 200 --seed 1 --batch 100  # what tests/test_fuzz_short.py does

Inputs come from :mod:`fuzz.mutate` (input ``i`` of seed ``s`` is the same in every run, whatever
the batch size). Each batch of inputs is written to a temporary folder and built exactly as a user
builds it -- ``policylab build SRC --out OUT`` (in-process, through :func:`policylab.cli.main`) --
then the written tables are read back and the remaining stages run on them: any of metadata,
structure and targets that ``load_corpus`` does not run yet, and ``tokenize`` on documents and
sections (with a project-style cache). A batch fails when

* an exception escapes, the build returns a non-zero exit code, or a batch exceeds ``--timeout``;
* a file of the batch is missing from ``files``, listed twice, or has no valid status;
* the manifest does not match the tables written (sha256, row counts);
* a section id repeats within a document or names a parent that does not exist;
* a target's ``sentence`` does not occur in its document's text.

A failing batch is bisected down to the inputs that fail on their own (or, if none does, the
whole batch is kept), and each is saved under ``tests/fixtures/fuzz/`` as ``<id>.json`` (the
file names, operations and error) plus ``<id>-<k>.bin`` (the bytes), which
``tests/test_fuzz_short.py`` replays. Exit code 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python fuzz/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz.mutate import FuzzInput, make_inputs  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "fuzz"
STATUSES = {"document", "duplicate", "rejected"}


class BatchTimeout(Exception):
    pass


def listed_name(name: str) -> str:
    """The path ``files`` must show for a file name (bytes that are not UTF-8 as ``\\xNN``)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def complete_stages(tables: dict, cache_dir: str | None) -> dict:
    """Run every available stage that the build did not run, then ``tokenize``; returns the tables."""
    import importlib.util

    import pandas as pd

    docs = tables["documents"]
    have = lambda mod: importlib.util.find_spec(f"policylab.{mod}") is not None  # noqa: E731
    md = None
    if have("meta"):
        from policylab import meta

        md = meta.document_metadata(docs[["doc_id", "text"]], tables.get("page_fields"), tables.get("files"))
        tables.setdefault("document_metadata", md)
    if have("structure"):
        from policylab import structure

        if "sections" not in tables:
            tables["sections"] = structure.parse_sections(docs)
        if "agencies" not in tables:
            tables["agencies"] = structure.extract_agencies(tables["sections"])
        if "citations" not in tables:
            tables["citations"] = structure.extract_citations(docs, md, tables["sections"])
    if have("targets") and "targets" not in tables:
        from policylab import targets

        if "sections" in tables:
            tables["targets"] = targets.extract_targets(tables["sections"])
        else:  # no section tree yet: each document as one section
            secs = pd.DataFrame({"doc_id": docs["doc_id"], "section_id": "0", "text": docs["text"]})
            tables["targets"] = targets.extract_targets(secs)
    if have("segment"):
        from policylab.segment import tokenize

        cache = cache_dir if cache_dir else False
        tables["tokens"] = tokenize(docs, cache=cache, n_jobs=1, progress=False)
        if "sections" in tables and len(tables["sections"]):
            tables["section_tokens"] = tokenize(
                tables["sections"], unit_col="section_id", cache=cache, n_jobs=1, progress=False
            )
    return tables


def check_tables(tables: dict, names: list[str]) -> list[str]:
    """The invariants every build must keep; returns the violations (empty = fine)."""
    problems = []
    files = tables["files"]
    want = sorted(listed_name(n) for n in names)
    got = sorted(files["path"].astype(str))
    if got != want:
        missing = sorted(set(want) - set(got))[:5]
        extra = sorted(set(got) - set(want))[:5]
        problems.append(f"files table does not list every input exactly once: missing {missing}, extra {extra}, "
                        f"{len(got)} rows for {len(want)} inputs")
    bad = files[~files["status"].isin(list(STATUSES))]
    if len(bad):
        problems.append(f"invalid status: {bad[['path', 'status']].values.tolist()[:5]}")
    no_reason = files[(files["status"] != "document") & files["reason"].isna()]
    if len(no_reason):
        problems.append(f"rejected/duplicate without a reason: {no_reason['path'].tolist()[:5]}")
    docs = tables["documents"]
    n_doc = int((files["status"] == "document").sum())
    if len(docs) != n_doc or docs["doc_id"].duplicated().any():
        problems.append(f"documents ({len(docs)}) do not match files with status document ({n_doc})")
    secs = tables.get("sections")
    if secs is not None and len(secs):
        dup = secs[secs.duplicated(["doc_id", "section_id"], keep=False)]
        if len(dup):
            problems.append(f"section ids repeat: {dup[['doc_id', 'section_id']].values.tolist()[:5]}")
        ids = set(zip(secs["doc_id"], secs["section_id"]))
        orphans = [(d, s, p) for d, s, p in zip(secs["doc_id"], secs["section_id"], secs["parent_id"])
                   if isinstance(p, str) and (d, p) not in ids]
        if orphans:
            problems.append(f"parent_id names no section: {orphans[:5]}")
    tg = tables.get("targets")
    if tg is not None and len(tg):
        text_of = dict(zip(docs["doc_id"], docs["text"]))
        lost = [(d, s) for d, s in zip(tg["doc_id"], tg["sentence"]) if not isinstance(s, str) or s not in text_of.get(d, "")]
        if lost:
            problems.append(f"target sentence not in its document's text: {lost[:3]}")
    return problems


def check_manifest(out: Path) -> list[str]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    problems = []
    for name, entry in manifest["tables"].items():
        data = (out / f"{name}.parquet").read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["parquet_sha256"]:
            problems.append(f"{name}.parquet does not match the manifest")
    return problems


def build_batch(inputs: list[FuzzInput], jobs: int = 1, cache_dir: str | None = None, timeout: int = 0) -> list[str]:
    """Build one batch through ``policylab build``; returns the problems found (empty = passed)."""
    from policylab import cli
    from policylab.store import read_tables

    def alarm(signum, frame):
        raise BatchTimeout(f"batch took longer than {timeout} s")

    with tempfile.TemporaryDirectory(prefix="policylab-fuzz-") as tmp:
        src, out = Path(tmp, "src"), Path(tmp, "out")
        src.mkdir()
        for x in inputs:
            x.write(src)
        old = signal.signal(signal.SIGALRM, alarm) if timeout else None
        if timeout:
            signal.alarm(timeout)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                rc = cli.main(["build", str(src), "--out", str(out), "-q", "--jobs", str(jobs)])
            if rc != 0:
                return [f"policylab build exited with {rc}"]
            tables = read_tables(out)
            problems = check_manifest(out)
            tables = complete_stages(tables, cache_dir)
            problems += check_tables(tables, [x.name for x in inputs])
        except BaseException as e:  # noqa: BLE001 -- everything escaping the build is the finding
            if isinstance(e, KeyboardInterrupt):
                raise
            tb = traceback.format_exc(limit=-6)
            return [f"exception escaped: {type(e).__name__}: {e}\n{tb}"]
        finally:
            if timeout:
                signal.alarm(0)
                signal.signal(signal.SIGALRM, old)
    return problems


def save_fixture(inputs: list[FuzzInput], problems: list[str], folder: Path = FIXTURES) -> Path:
    """Save failing inputs as a replayable fixture (``<id>.json`` + ``<id>-<k>.bin``)."""
    folder.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    for x in inputs:
        h.update(x.name.encode("utf-8", "surrogateescape") + b"\0" + x.data)
    fid = h.hexdigest()[:12]
    files = []
    for k, x in enumerate(inputs):
        (folder / f"{fid}-{k}.bin").write_bytes(x.data)
        files.append({"name": listed_name(x.name), "bin": f"{fid}-{k}.bin", "ops": x.ops})
    meta = {"files": files, "problems": [p[:2000] for p in problems]}
    (folder / f"{fid}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return folder / f"{fid}.json"


def load_fixture(path: Path) -> list[FuzzInput]:
    """The inputs of a saved fixture (names restored to their original bytes)."""
    import re

    meta = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for f in meta["files"]:
        name = re.sub(r"\\x([89a-f][0-9a-f])", lambda m: chr(0xDC00 + int(m.group(1), 16)), f["name"])
        out.append(FuzzInput(name, (path.parent / f["bin"]).read_bytes(), f.get("ops", [])))
    return out


def bisect(inputs: list[FuzzInput], jobs: int, cache_dir: str | None, timeout: int) -> list[tuple[list[FuzzInput], list[str]]]:
    """The inputs that fail on their own, each with its problems; the whole batch if none does."""
    found = []
    for x in inputs:
        problems = build_batch([x], 1, cache_dir, timeout)
        if problems:
            found.append(([x], problems))
    return found


def run(n: int, seed: int = 0, batch: int = 100, jobs: int = 1, out: Path | None = FIXTURES, timeout: int = 600,
        start: int = 0, verbose: bool = True) -> dict:
    """Fuzz ``n`` inputs; returns a summary dict (``inputs, batches, failures, seconds, saved``)."""
    t0 = time.time()
    failures, saved, done, batches = 0, [], 0, 0
    with tempfile.TemporaryDirectory(prefix="policylab-fuzz-cache-") as cache_dir:
        for b0 in range(start, start + n, batch):
            inputs = make_inputs(min(batch, start + n - b0), seed, b0)
            problems = build_batch(inputs, jobs, cache_dir, timeout)
            batches += 1
            done += len(inputs)
            if problems:
                culprits = bisect(inputs, jobs, cache_dir, timeout) or [(inputs, problems)]
                for xs, probs in culprits:
                    failures += 1
                    if verbose:
                        print(f"FAIL inputs {[x.name for x in xs]} ops {[x.ops for x in xs]}:\n  " + "\n  ".join(probs),
                              file=sys.stderr)
                    if out is not None:
                        saved.append(str(save_fixture(xs, probs, out)))
            if verbose:
                print(f"[fuzz] {done}/{n} inputs, {failures} failures, {time.time() - t0:.0f} s", file=sys.stderr)
    return {"inputs": done, "seed": seed, "batches": batches, "failures": failures,
            "seconds": round(time.time() - t0, 1), "saved": saved}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m fuzz.run", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000, help="number of inputs (default 10000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the input stream (default 0)")
    p.add_argument("--start", type=int, default=0, help="index of the first input (resume a run)")
    p.add_argument("--batch", type=int, default=100, help="inputs per build (default 100)")
    p.add_argument("--jobs", type=int, default=1, help="processes per build (policylab build --jobs)")
    p.add_argument("--timeout", type=int, default=600, help="seconds a batch may take (default 600)")
    p.add_argument("--out", default=str(FIXTURES), help="folder for failing inputs (default tests/fixtures/fuzz)")
    p.add_argument("--no-save", action="store_true", help="do not save failing inputs")
    args = p.parse_args(argv)
    summary = run(args.n, args.seed, args.batch, args.jobs, None if args.no_save else Path(args.out), args.timeout,
                  args.start)
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
