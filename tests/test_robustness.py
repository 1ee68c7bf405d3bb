"""Robustness guarantees of the build (issue 9, points 3-5), each with a test that fails if it breaks.

* Determinism -- the tables are identical across two runs, across ``PYTHONHASHSEED`` values
  (subprocesses), between ``n_jobs=1`` and ``n_jobs=2`` (processes, on a corpus of 10 crafted
  files) and with and without a warm tokens cache.
* Safe caches -- a corrupt, truncated, wrongly shaped or older-version cache entry is detected and
  rebuilt, never trusted and never a crash (jieba's own prefix cache included); no pickle (nor
  joblib, dill, shelve, marshal, ``allow_pickle=True``) anywhere in the package.
* Atomic outputs -- a build killed while writing (SIGKILL in a subprocess) or failing half-way
  leaves the previous tables and manifest intact and consistent; two builds into one folder at
  once leave one whole build, never a mix.
* Limits -- ``max_bytes`` and ``max_line_chars`` give clear reasons; a 50 MB single-line file
  keeps peak memory bounded (rejected unread with the defaults).
* Bad input -- empty, whitespace-only, binary, undecodable, unsupported, a named pipe, a dangling
  link, a non-UTF-8 file name, an unreadable folder and an unreadable file each become a
  ``rejected`` row with a reason while the other files build; a SOURCE that does not exist exits
  with code 2 and a one-line message.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
if str(ROOT) not in sys.path:  # the fuzz package (input generators) lives beside tests/
    sys.path.insert(0, str(ROOT))

from fuzz.mutate import crafted_corpus  # noqa: E402
from policylab import cli  # noqa: E402
from policylab.corpus import load_corpus  # noqa: E402
from policylab.store import read_tables  # noqa: E402


def _env(**extra) -> dict:
    env = dict(os.environ)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _build_cmd(src, out, *args) -> list[str]:
    return [sys.executable, "-m", "policylab", "build", str(src), "--out", str(out), "-q", *map(str, args)]


def _assert_same_tables(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name].reset_index(drop=True), b[name].reset_index(drop=True), obj=name)


def _consistent(out: Path) -> dict:
    """The manifest of ``out`` after checking every table it lists is whole and matches it."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    tables = read_tables(out)
    for name, entry in manifest["tables"].items():
        data = (out / f"{name}.parquet").read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["parquet_sha256"], f"{name}.parquet is not the manifest's"
        assert len(tables[name]) == entry["rows"]
    return manifest


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and not p.name.startswith(".")}


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> Path:
    """10 files made from the seeds: enough for load_corpus(n_jobs=2) to use processes."""
    folder = tmp_path_factory.mktemp("crafted")
    crafted_corpus(folder, n=10, seed=0)
    return folder


@pytest.fixture(scope="module")
def crafted_corpus_built(crafted):
    return load_corpus(crafted, corrections=None)


# ---- determinism ----------------------------------------------------------------------------------

def test_same_tables_across_runs_and_between_serial_and_parallel(crafted, crafted_corpus_built, monkeypatch):
    import policylab.corpus as corpus_mod

    first = crafted_corpus_built
    assert len(first.files) >= 8 and (first.files["status"] == "document").sum() >= 5
    assert first.sections is not None and first.targets is not None, "stages not wired into load_corpus"
    again = load_corpus(crafted, corrections=None)
    _assert_same_tables(first.tables(), again.tables())

    pools = []
    real = corpus_mod.ProcessPoolExecutor

    def counting(*a, **k):
        pools.append(k.get("max_workers"))
        return real(*a, **k)

    monkeypatch.setattr(corpus_mod, "ProcessPoolExecutor", counting)
    parallel = load_corpus(crafted, corrections=None, n_jobs=2)
    assert pools == [2], "n_jobs=2 did not run the files in processes"
    _assert_same_tables(first.tables(), parallel.tables())


def test_same_outputs_under_different_hash_seeds(crafted, tmp_path):
    procs = {
        seed: subprocess.Popen(_build_cmd(crafted, tmp_path / f"out{seed}"), cwd=tmp_path, env=_env(PYTHONHASHSEED=seed),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for seed in ("0", "4242")
    }
    for seed, p in procs.items():
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()[-2000:]
    a, b = _snapshot(tmp_path / "out0"), _snapshot(tmp_path / "out4242")
    assert set(a) >= {"manifest.json", "files.parquet", "documents.parquet", "sections.parquet", "targets.parquet"}
    assert a == b  # byte-identical Parquet files and manifests (no time stamps, no hash order)


def test_same_tokens_with_and_without_a_warm_cache(crafted_corpus_built, tmp_path):
    from policylab.segment import tokenize

    docs = crafted_corpus_built.documents
    secs = crafted_corpus_built.sections
    fresh = tokenize(docs, cache=False, n_jobs=1)
    cold = tokenize(docs, cache=tmp_path, n_jobs=1)
    warm = tokenize(docs, cache=tmp_path, n_jobs=1)
    assert cold.attrs["segmented"] == len(docs) and warm.attrs["segmented"] == 0
    assert warm.attrs["cache_hits"] == len(docs)
    pd.testing.assert_frame_equal(fresh, cold)
    pd.testing.assert_frame_equal(fresh, warm)
    s_fresh = tokenize(secs, unit_col="section_id", cache=False, n_jobs=1)
    tokenize(secs, unit_col="section_id", cache=tmp_path, n_jobs=1)
    pd.testing.assert_frame_equal(s_fresh, tokenize(secs, unit_col="section_id", cache=tmp_path, n_jobs=1))


# ---- safe caches ----------------------------------------------------------------------------------

def _entries(cache: Path) -> list[Path]:
    """The token-stream files (``cache.StreamStore``: one Arrow file per segmented chunk)."""
    return sorted((cache / "tokens").rglob("*.arrow"))


def _rewrite(path: Path, table) -> None:
    import pyarrow as pa

    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table)


def test_corrupt_truncated_and_misshapen_cache_entries_are_rebuilt(crafted_corpus_built, tmp_path):
    import pyarrow as pa

    from policylab.segment import tokenize

    docs = crafted_corpus_built.documents
    for i in range(len(docs)):  # one stream file per text, so each can be damaged its own way
        tokenize(docs.iloc[[i]], cache=tmp_path, n_jobs=1)
    fresh = tokenize(docs, cache=tmp_path, n_jobs=1)
    assert fresh.attrs["segmented"] == 0
    pd.testing.assert_frame_equal(fresh, tokenize(docs, cache=False, n_jobs=1))
    entries = _entries(tmp_path)
    assert len(entries) == len(docs)
    lists = pa.large_list(pa.large_string())

    def respell(t):  # well-formed, but the tokens do not spell the text
        return t.set_column(1, "tokens", pa.array([["错误"] * 3] * t.num_rows, type=lists))

    def bad_tags(t):  # tags that do not match the tokens
        return t.append_column("pos", pa.array([["n"]] * t.num_rows, type=lists))

    def not_strings(t):  # an older or foreign layout: tokens are not lists of strings
        return t.set_column(1, "tokens", pa.array([[1, 2, 3]] * t.num_rows, type=pa.large_list(pa.int64())))

    damage = [
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),   # truncated
        lambda p: p.write_bytes(b"\x00\xff garbage \x80" + p.read_bytes()[5:]),  # corrupt bytes
        lambda p: p.write_bytes(b""),                                         # empty
        lambda p: _rewrite(p, pa.ipc.open_file(str(p)).read_all().select(["key"])),  # no tokens
        lambda p: _rewrite(p, not_strings(pa.ipc.open_file(str(p)).read_all())),
        lambda p: _rewrite(p, respell(pa.ipc.open_file(str(p)).read_all())),
        lambda p: _rewrite(p, bad_tags(pa.ipc.open_file(str(p)).read_all())),
    ]
    for i, p in enumerate(entries):
        damage[i % len(damage)](p)
    # the whole-table entry is a layer above the per-text entries: damage it too, so the per-text
    # layer has to show its worth
    for p in (tmp_path / "tokens_tables").rglob("*.parquet"):
        p.write_bytes(b"PAR1 not parquet")
    again = tokenize(docs, cache=tmp_path, n_jobs=1)
    pd.testing.assert_frame_equal(fresh, again)
    assert again.attrs["cache_corrupt"] == len(docs) and again.attrs["segmented"] == len(docs)
    # rebuilt: every text is in a whole stream file again (the unreadable files were deleted)
    keys = [k for p in _entries(tmp_path) for k in pa.ipc.open_file(str(p)).read_all().column("key").to_pylist()]
    assert len(set(keys)) == len(docs)
    third = tokenize(docs, cache=tmp_path, n_jobs=1)
    assert third.attrs["cache_hits"] == len(docs)
    pd.testing.assert_frame_equal(fresh, third)


def test_entries_of_an_older_segmenter_version_are_never_read(crafted_corpus_built, tmp_path, monkeypatch):
    import pyarrow as pa

    from policylab import segment

    docs = crafted_corpus_built.documents.head(3)
    fresh = segment.tokenize(docs, cache=tmp_path, n_jobs=1)
    assert _entries(tmp_path)
    for p in _entries(tmp_path):  # poison the current entries with well-formed, wrong tokens
        t = pa.ipc.open_file(str(p)).read_all()
        _rewrite(p, t.set_column(1, "tokens", pa.array([["错误"] * 5] * t.num_rows, type=pa.large_list(pa.large_string()))))
    monkeypatch.setattr(segment, "SEGMENT_VERSION", segment.SEGMENT_VERSION + 1)
    newer = segment.tokenize(docs, cache=tmp_path, n_jobs=1)
    assert newer.attrs["cache_hits"] == 0 and newer.attrs["segmented"] == len(docs)
    pd.testing.assert_frame_equal(fresh, newer)


def test_a_corrupt_jieba_prefix_cache_is_rebuilt(tmp_path):
    from policylab.segment import tokenize

    docs = pd.DataFrame({"doc_id": ["d1"], "text": ["建立人工智能产业创新任务揭榜挂帅制度,建设智算中心。"]})
    want = tokenize(docs, cache=False, n_jobs=1, engine="jieba")["token"].tolist()
    code = textwrap.dedent(f"""
        import json, pandas as pd
        from policylab.segment import tokenize
        docs = pd.DataFrame({{"doc_id": ["d1"], "text": [{docs.text[0]!r}]}})
        print(json.dumps(tokenize(docs, cache={str(tmp_path)!r}, n_jobs=1, engine="jieba")["token"].tolist()))
    """)
    run = lambda: subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)  # noqa: E731
    first = run()
    assert first.returncode == 0, first.stderr[-2000:]
    prefix = sorted((tmp_path / "jieba").glob("*.cache"))
    assert prefix, "jieba's prefix cache is not inside the project cache"
    for i, p in enumerate(prefix):  # jieba writes it with marshal: garbage and truncated data
        p.write_bytes(b"\x00not marshal data\xff" * 3 if i % 2 == 0 else p.read_bytes()[:100])
    for p in _entries(tmp_path):  # force a real segmentation with the damaged dictionary cache
        p.unlink()
    second = run()
    assert second.returncode == 0, second.stderr[-2000:]
    assert json.loads(second.stdout.splitlines()[-1]) == want


FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "joblib", "dill", "cloudpickle", "shelve", "marshal"}
FORBIDDEN_CALLS = {"to_pickle", "read_pickle"}


def test_no_pickle_anywhere_in_the_package():
    problems = []
    for py in sorted((ROOT / "policylab").rglob("*.py")):
        tree = ast.parse(py.read_text(encoding="utf-8"), filename=str(py))
        for node in ast.walk(tree):
            where = f"{py.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Import):
                problems += [f"{where} imports {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
                problems.append(f"{where} imports from {node.module}")
            elif isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name in FORBIDDEN_CALLS:
                    problems.append(f"{where} calls {name}")
                kw = {k.arg: k.value for k in node.keywords}
                if "allow_pickle" in kw and not (isinstance(kw["allow_pickle"], ast.Constant) and kw["allow_pickle"].value is False):
                    problems.append(f"{where} passes allow_pickle other than False")
                if name == "load" and isinstance(f, ast.Attribute) and getattr(f.value, "id", "") in {"np", "numpy"} \
                        and "allow_pickle" not in kw:
                    problems.append(f"{where} calls np.load without allow_pickle=False")
    assert not problems, "\n".join(problems)


# ---- atomic outputs ---------------------------------------------------------------------------------

KILL_AFTER_FIRST_TABLE = """
import os, signal, sys
from pathlib import Path
import policylab.store as store
out = Path(sys.argv[sys.argv.index("--out") + 1]).resolve()
real = store.sha256_file
calls = []
def hashed(path):  # called once per file staged in a folder, whether encoded or copied from the cache
    if Path(path).resolve().parent == out:
        calls.append(path)
        if len(calls) == 2:  # the first table is fully written: die mid-build, no clean-up
            os.kill(os.getpid(), signal.SIGKILL)
    return real(path)
store.sha256_file = hashed
from policylab.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_build_killed_while_writing_leaves_the_previous_tables(crafted, tmp_path):
    out = tmp_path / "out"
    assert cli.main(["build", str(SEEDS), "--out", str(out), "-q", "--csv"]) == 0
    before = _snapshot(out)
    before_manifest = _consistent(out)
    r = subprocess.run([sys.executable, "-c", KILL_AFTER_FIRST_TABLE, *_build_cmd(crafted, out, "--csv")[3:]],
                       capture_output=True, timeout=300)
    assert r.returncode == -signal.SIGKILL, r.stderr.decode()[-2000:]
    assert _snapshot(out) == before, "a killed build changed the visible tables or manifest"
    assert _consistent(out) == before_manifest
    # the next build sweeps the killed build's temporary files and writes a whole new set
    assert cli.main(["build", str(crafted), "--out", str(out), "-q"]) == 0
    assert not list(out.glob(".*.tmp"))
    assert len(_consistent(out)["inputs"]) == 10


def test_a_build_failing_while_writing_leaves_the_previous_tables(tmp_path, capsys, disk_full_after):
    out = tmp_path / "out"
    assert cli.main(["build", str(SEEDS), "--out", str(out), "-q"]) == 0
    before = _snapshot(out)
    calls = disk_full_after(3)
    # the CLI says what went wrong in one line and exits 1; no traceback
    assert cli.main(["build", str(SEEDS / "001_4de147ab1a0c3745.txt"), "--out", str(out), "-q", "--no-cache"]) == 1
    # (the tables are encoded in threads: the writes already under way when one fails finish)
    assert "cannot write tables" in capsys.readouterr().err and len(calls) >= 3
    assert _snapshot(out) == before
    assert not list(out.glob(".*.tmp")), "temporary files left behind"
    _consistent(out)


SLOW_WRITER = """
import sys, time
import policylab.store as store
real = store._to_parquet
def writer(df, path):
    time.sleep(0.3)  # slow disks: make the two builds' writes overlap
    real(df, path)
store._to_parquet = writer
from policylab.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_two_builds_into_one_folder_at_once(crafted, tmp_path):
    out = tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, "-c", SLOW_WRITER, *_build_cmd(src, out)[3:]],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for src in (SEEDS, crafted)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()[-2000:]
    manifest = _consistent(out)
    files = read_tables(out)["files"]
    # one whole build: its files table, documents and manifest agree with each other
    assert sorted(manifest["inputs"]) == sorted(files["path"])
    assert sorted(files["path"]) in (sorted(p.name for p in SEEDS.iterdir()), sorted(p.name for p in crafted.iterdir()))
    docs = read_tables(out)["documents"]
    assert set(docs["doc_id"]) == set(files.loc[files["status"] == "document", "doc_id"])


# ---- limits ---------------------------------------------------------------------------------------

def test_max_bytes_and_max_line_chars_give_clear_reasons(tmp_path):
    seed = (SEEDS / "001_4de147ab1a0c3745.txt").read_bytes()
    (tmp_path / "ok.txt").write_bytes(seed)
    (tmp_path / "big.txt").write_bytes(seed * 60)  # 1.3 MB
    (tmp_path / "longline.txt").write_bytes(seed.rstrip() + ("\n" + "人工智能" * 2000).encode())  # 8,000 characters
    c = load_corpus(tmp_path, corrections=None, max_bytes=1_000_000, max_line_chars=5000)
    why = dict(zip(c.files["path"], c.files["reason"]))
    st = dict(zip(c.files["path"], c.files["status"]))
    assert st["ok.txt"] == "document"
    assert st["big.txt"] == "rejected"
    assert "file is 1.3 MB, over the 1.0 MB limit (max_bytes)" in why["big.txt"]
    n_lines = seed.rstrip().decode().count("\n") + 2
    assert st["longline.txt"] == "rejected"
    assert f"line {n_lines} is 8,000 characters long, over the 5,000 limit (max_line_chars)" in why["longline.txt"]
    # the same limits from the command line
    out = tmp_path.parent / (tmp_path.name + "-out")
    assert cli.main(["build", str(tmp_path), "--out", str(out), "-q", "--max-bytes", "1000000",
                     "--max-line-chars", "5000"]) == 0
    f = read_tables(out)["files"]
    assert f.set_index("path").loc[["big.txt", "longline.txt"], "status"].tolist() == ["rejected", "rejected"]


@pytest.fixture(scope="module")
def huge_line(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("huge")
    line = "人工智能产业发展,"  # 25 bytes
    with open(folder / "huge.txt", "w", encoding="utf-8") as fh:
        fh.write(line * (50_000_000 // 25 + 1))  # 50 MB, one line, no newline at all
    (folder / "ok.txt").write_bytes((SEEDS / "002_4ff1a9d776ae5834.txt").read_bytes())
    return folder


MEASURE = """
import json, resource, subprocess, sys
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": r.returncode, "stdout": r.stdout, "stderr": r.stderr[-3000:],
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


@pytest.mark.parametrize("max_bytes", [None, 100_000_000])
def test_memory_stays_bounded_on_a_50_mb_single_line_file(huge_line, tmp_path, max_bytes):
    assert (huge_line / "huge.txt").stat().st_size >= 50_000_000
    args = _build_cmd(huge_line, tmp_path / "out") + (["--max-bytes", str(max_bytes)] if max_bytes else [])
    # measured in a wrapper process, so RUSAGE_CHILDREN holds this build alone
    r = subprocess.run([sys.executable, "-c", MEASURE, *args], capture_output=True, text=True, timeout=300)
    res = json.loads(r.stdout)
    assert res["rc"] == 0, res["stderr"]
    files = read_tables(tmp_path / "out")["files"].set_index("path")
    assert files.loc["ok.txt", "status"] == "document"
    assert files.loc["huge.txt", "status"] == "rejected"
    reason = files.loc["huge.txt", "reason"]
    if max_bytes is None:  # default limit: rejected on its size, without reading it
        assert "max_bytes" in reason and "MB" in reason
        assert pd.isna(files.loc["huge.txt", "sha256"])  # never read, so never hashed
    else:  # read (50 MB) but rejected on its line length before any cleaning
        assert "max_line_chars" in reason and "line 1 is" in reason
    assert res["peak_mb"] < 400, f"peak RSS {res['peak_mb']:.0f} MB"


# ---- bad input ------------------------------------------------------------------------------------

def test_bad_files_are_rejected_with_reasons_and_the_rest_builds(tmp_path, monkeypatch):
    import pathlib

    src = tmp_path / "src"
    (src / "locked").mkdir(parents=True)
    good = (SEEDS / "004_1b4b1833641e6e95.txt").read_bytes()
    (src / "good.txt").write_bytes(good)
    (src / "empty.txt").write_bytes(b"")
    (src / "blank.txt").write_bytes(b" \n\t\r\n\xe3\x80\x80\n")
    (src / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (src / "undecodable.txt").write_bytes(b"\x80\xff" * 300)
    (src / "image.png").write_bytes(b"\x89PNG\r\n")
    (src / "locked" / "inside.txt").write_bytes(good)
    (src / "secret.txt").write_bytes(good)
    os.symlink(src / "gone.txt", src / "dangling.txt")
    os.mkfifo(src / "pipe.txt")  # reading it would block the build forever
    gbk_name = os.fsdecode("政策文件".encode("gbk") + b".txt")  # a GBK name: not UTF-8
    (src / gbk_name).write_bytes((SEEDS / "003_356282190eccce49.txt").read_bytes())

    # Tests run as root, for whom chmod 000 blocks nothing; so the operating system's refusal is
    # simulated where policylab meets it: listing the folder and reading the file.
    locked, secret = str(src / "locked"), src / "secret.txt"
    real_scandir, real_read = os.scandir, pathlib.Path.read_bytes

    def scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    def read_bytes(self):
        if self == secret:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    c = load_corpus(src, corrections=None)  # before the fix, this blocked forever on pipe.txt
    f = c.files.set_index("path")
    why = f["reason"].to_dict()
    assert f.loc["good.txt", "status"] == "document"
    # its name is listed with the bytes that are not UTF-8 as \\xNN (the UTF-8-valid pair c4 bc reads as ļ)
    shown = "政策文件".encode("gbk").decode("utf-8", "backslashreplace") + ".txt"
    assert shown.startswith("\\xd5\\xfe\\xb2\\xdf")
    assert f.loc[shown, "status"] == "document"
    expected = {
        "empty.txt": "empty file",
        "blank.txt": "only whitespace",
        "binary.txt": "binary",
        "undecodable.txt": "cannot decode",
        "image.png": "unsupported file type .png",
        "locked/": "cannot read folder: Permission denied",
        "secret.txt": "cannot read file: Permission denied",
        "dangling.txt": "cannot read file",
        "pipe.txt": "not a regular file",
    }
    for path, words in expected.items():
        assert f.loc[path, "status"] == "rejected", path
        assert words in why[path], (path, why[path])
    assert len(f) == len(expected) + 2  # every file (and the unreadable folder) has its row


def test_missing_source_exits_2_with_one_line(tmp_path):
    for src in (tmp_path / "no-such-folder", tmp_path / "empty-folder"):
        if src.name == "empty-folder":
            src.mkdir()
        r = subprocess.run(_build_cmd(src, tmp_path / "out"), capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("policylab: error: ") and str(src) in lines[0], r.stderr
        assert not (tmp_path / "out" / "manifest.json").exists()
