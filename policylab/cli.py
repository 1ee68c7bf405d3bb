"""Command line: ``policylab build`` (corpus tables) and ``policylab report`` (notebooks -> report).

Examples
--------
$ policylab build seeds/ --out data/processed --csv
$ policylab report seeds/ --out reports/ --tables csv,tex,md
$ policylab --version
$ policylab terms seeds/ --out terms.csv --dict-out user_dict.txt
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from policylab import __version__
from policylab.corpus import SourceError, load_corpus
from policylab.runner import ReportError, build_report
from policylab.store import build_manifest, write_tables
from policylab.terms import discover_terms, write_user_dict

EXIT_USAGE = 2


def _build(args) -> int:
    try:
        corpus = load_corpus(
            args.source,
            max_bytes=args.max_bytes,
            max_line_chars=args.max_line_chars,
            n_jobs=args.jobs,
            progress=not args.quiet,
            engine=args.engine,
            scheduler=args.scheduler,
            cache=not args.no_cache,
            reference=args.reference,
            reference_level=args.reference_level,
        )
    except SourceError as e:
        print(f"policylab: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    tables = corpus.tables()
    try:
        write_tables(tables, args.out, csv=args.csv, manifest=build_manifest(corpus), copies=corpus.table_files)
    except OSError as e:  # disk full, read-only folder ...: the previous tables are left intact
        print(f"policylab: error: cannot write tables to {args.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(corpus.summary())
    print(f"tables written to {args.out}/: " + ", ".join(f"{k} ({len(v)})" for k, v in tables.items()))
    return 0


def _usable_out(out: str) -> str | None:
    """Why ``out`` cannot be the report folder (one line), or None when it can."""
    p = Path(out)
    if p.exists() and not p.is_dir():
        return f"--out {out} is a file, not a folder"
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"cannot create the output folder {out}: {e.strerror or e}"
    if not os.access(p, os.W_OK | os.X_OK):
        return f"cannot write to the output folder {out}: permission denied"
    return None


def _report(args) -> int:
    problem = _usable_out(args.out)
    if problem:
        print(f"policylab: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        out = build_report(args.source, args.out, progress=not args.quiet, timeout=args.timeout,
                           unit=args.unit, table_formats=args.tables)
    except SourceError as e:
        print(f"policylab: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except ReportError as e:  # a notebook failed: the message names it and its cell
        print(f"policylab: report failed: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # the output folder became unwritable (disk full, permissions) mid-run
        print(f"policylab: error: cannot write the report to {args.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"report written to {out}/ (open {Path(out) / 'index.html'})")
    return 0


# ---- policylab terms (issue 13): candidate terms for review -----------------------------------


def _terms(args) -> int:
    try:
        corpus = load_corpus(args.source, progress=not args.quiet)
    except SourceError as e:
        print(f"policylab: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    table = discover_terms(corpus.documents, max_n=args.max_n, min_count=args.min_count,
                           min_docs=args.min_docs, user_dicts=args.user_dict, top=args.top)
    out = Path(args.out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False, encoding="utf-8")
        if args.dict_out:
            write_user_dict(table, args.dict_out, source="term discovery (policylab terms), not yet reviewed")
    except OSError as e:
        print(f"policylab: error: cannot write {out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"{len(table)} candidate terms from {len(corpus.documents)} documents written to {out}"
          + (f" (user dictionary: {args.dict_out})" if args.dict_out else ""))
    print("review them, delete the rows that are not terms, and pass the file back with "
          "tokenize(user_dicts=[...]) or $POLICYLAB_USER_DICTS")
    return 0


def _add_terms_parser(sub) -> None:
    t = sub.add_parser("terms", help="propose multi-token terms the dictionary lacks (a table to review)")
    t.add_argument("source", nargs="?", default="seeds", help="folder of pages (default: seeds/)")
    t.add_argument("--out", default="terms.csv", help="output CSV (default: terms.csv)")
    t.add_argument("--dict-out", default=None, help="also write the candidates as a user dictionary "
                   "(jieba format, or domain_dict CSV format if the name ends in .csv)")
    t.add_argument("--top", type=int, default=500, help="keep the best N candidates (default 500)")
    t.add_argument("--min-count", type=int, default=5, help="fewest occurrences (default 5)")
    t.add_argument("--min-docs", type=int, default=2, help="fewest documents (default 2)")
    t.add_argument("--max-n", type=int, default=4, help="longest candidate in tokens (default 4)")
    t.add_argument("--user-dict", action="append", default=[], help="a user dictionary in use (repeatable)")
    t.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    t.set_defaults(func=_terms)


def _table_formats(value: str) -> tuple[str, ...]:
    fmts = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    bad = [f for f in fmts if f not in ("csv", "tex", "md")]
    if bad or not fmts:
        raise argparse.ArgumentTypeError(f"unknown table format(s) {', '.join(bad) or value!r}: choose from csv, tex, md")
    return fmts


def parser() -> argparse.ArgumentParser:
    """The ``policylab`` command line: subcommands ``build`` and ``report``, and ``--version``.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = parser().parse_args(["report", "seeds", "--tables", "csv,md", "--unit", "province"])
    >>> args.tables, args.unit
    (('csv', 'md'), 'province')
    """

    p = argparse.ArgumentParser(prog="policylab", description="Tidy tables and analyses of Chinese policy texts.")
    p.add_argument("--version", action="version", version=f"policylab {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="parse a folder of pages into tables (Parquet + manifest.json)")
    b.add_argument("source", nargs="?", default="seeds", help="folder of .txt/.html pages (default: seeds/)")
    b.add_argument("--out", default="data/processed", help="output folder (default: data/processed/)")
    b.add_argument("--csv", action="store_true", help="also write every table as CSV")
    b.add_argument("--max-bytes", type=int, default=20_000_000, help="reject files larger than this (default 20 MB)")
    b.add_argument("--max-line-chars", type=int, default=200_000, help="reject pages with a longer line (default 200,000)")
    b.add_argument("--jobs", type=int, default=None,
                   help="processes for every per-page and per-document stage (default: all cores when the "
                        "corpus is big enough to gain, else 1)")
    b.add_argument("--reference", default=None,
                   help="a folder of reference documents (national/provincial plans): marked reference=True, "
                        "used in citation matching and reuse, left out of the corpus' own statistics")
    b.add_argument("--reference-level", default=None, choices=("national", "provincial", "municipal"),
                   help="level of reference documents whose metadata finds none")
    b.add_argument("--engine", choices=("local", "dask"), default="local", help="run per-file stages locally or on Dask")
    b.add_argument("--scheduler", default=None, help="Dask scheduler address (default: a local cluster)")
    b.add_argument("--no-cache", action="store_true", help="parse everything again (default: reuse a cached build of the same inputs)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=_build)

    r = sub.add_parser("report", help="build the corpus, run the notebooks, write an HTML report with figures and tables")
    r.add_argument("source", nargs="?", default="seeds", help="folder of pages (default: seeds/)")
    r.add_argument("--out", default="reports", help="output folder (default: reports/)")
    r.add_argument("--timeout", type=int, default=600, help="seconds a notebook may run (default 600)")
    r.add_argument("--unit", choices=("city", "province", "issuer", "level", "document"), default=None,
                   help="what documents are compared by (default: chosen from the corpus: city when it has two or more)")
    r.add_argument("--tables", type=_table_formats, default=("csv",),
                   help="formats of every table the notebooks show, comma-separated: csv,tex,md (default csv)")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=_report)
    _add_terms_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 done, 1 failed, 2 a usage error).

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int

    Examples
    --------
    >>> main(["report", "seeds", "--out", "README.md"])
    2
    """
    args = parser().parse_args(argv)
    return args.func(args)


def run(argv: list[str] | None = None) -> int:
    """The ``policylab`` command (and ``python -m policylab``): :func:`main`, then an exit without
    the interpreter's last garbage collections.

    The process ends when this returns, and every file it wrote is closed. With pandas loaded,
    CPython's teardown spends ~0.2 s collecting reference cycles among the modules' objects;
    freezing them first (``gc.freeze``) skips that, the way a forking server avoids the
    collector touching inherited objects. Only for a process about to exit: call :func:`main`
    from Python code. A reader that closes the pipe early (``policylab build | head``) ends the
    output quietly, with the command's work done.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code :func:`main` gives.
    """
    import gc

    try:
        code = main(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader of our output went away (``policylab build | head``): not an error of ours,
        # and no traceback; stdout points at /dev/null so the interpreter's last flush is quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    sys.stderr.flush()
    gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
