"""The short fuzz run (200 generated inputs through ``policylab build`` and every stage) and the
replay of every input a fuzz run ever saved under ``tests/fixtures/fuzz/``.

The long run is ``python -m fuzz.run --n 10000 --seed 0`` (see the README's development section).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the fuzz package lives beside tests/
    sys.path.insert(0, str(ROOT))

from fuzz import run as fuzz_run  # noqa: E402
from fuzz.mutate import FuzzInput, make_input  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "fuzz"


def test_short_fuzz_run_has_no_crash():
    # seed 1: a different stream from the long run's seed 0
    summary = fuzz_run.run(200, seed=1, batch=100, out=None, timeout=600, verbose=False)
    assert summary["inputs"] == 200
    assert summary["failures"] == 0, summary


def test_every_saved_fuzz_input_builds(tmp_path):
    fixtures = sorted(FIXTURES.glob("*.json"))
    failed = {}
    for fx in fixtures:
        problems = fuzz_run.build_batch(fuzz_run.load_fixture(fx), timeout=600)
        if problems:
            failed[fx.name] = problems
    assert not failed, failed
    # saving and replaying keep names (bytes that are not UTF-8 included) and bytes exactly
    x = make_input(random.Random(7), 7)
    odd = FuzzInput("f_" + os.fsdecode("政策".encode("gbk")) + ".txt", x.data, x.ops)
    saved = fuzz_run.save_fixture([x, odd], ["example"], tmp_path)
    back = fuzz_run.load_fixture(saved)
    assert [(b.name, b.data) for b in back] == [(x.name, x.data), (odd.name, odd.data)]


def test_a_failure_is_found_bisected_and_saved(tmp_path, monkeypatch):
    """The harness itself: a build that loses a file is reported, pinned to that input, and saved."""
    from policylab import corpus

    real = corpus.process_file

    def losing(root, relpath, *a, **k):
        r = real(root, relpath, *a, **k)
        if relpath.startswith("f00003"):
            raise RuntimeError("boom")
        return r

    monkeypatch.setattr(corpus, "process_file", losing)
    summary = fuzz_run.run(6, seed=0, batch=6, out=tmp_path, timeout=600, verbose=False)
    assert summary["failures"] == 1
    [saved] = summary["saved"]
    [x] = fuzz_run.load_fixture(Path(saved))
    assert x.name.startswith("f00003")


def test_listed_name_matches_ingest(tmp_path):
    from policylab.ingest import list_files

    names = ["good.txt", os.fsdecode("政策".encode("gbk") + b".txt")]
    for n in names:
        Path(tmp_path, n).write_bytes(b"x")
    assert list_files(tmp_path) == sorted(fuzz_run.listed_name(n) for n in names)
