"""cache.StreamStore: many texts' token streams per Arrow file, keyed by content, safe to damage."""

from __future__ import annotations

import os

import pyarrow as pa
import pytest

from policylab import cache


def _arr(words):
    return pa.array(words, type=pa.large_string())


def test_streams_round_trip_with_tags_duplicates_and_empty_texts(tmp_path):
    s = cache.StreamStore("tokens", tmp_path)
    s.put(["a", "b", "c"], [2, 0, 1], _arr(["人工智能", "产业", "算力"]), _arr(["n", "n", "n"]))
    got = s.get(["c", "a", "x", "a", "b"])
    assert got[2] is None
    assert got[0][0].to_pylist() == ["算力"] and got[0][1].to_pylist() == ["n"]
    assert got[1][0].to_pylist() == got[3][0].to_pylist() == ["人工智能", "产业"]  # one key, two texts
    assert got[4][0].to_pylist() == [] and got[4][1].to_pylist() == []
    assert s.stats() == {"hits": 4, "misses": 1, "corrupt": 0, "writes": 1}
    with pytest.raises(ValueError, match="keys"):
        s.put(["a"], [1, 1], _arr(["x", "y"]))


def test_newest_entry_wins_and_a_failing_one_falls_back(tmp_path):
    s = cache.StreamStore("tokens", tmp_path)
    s.put(["k"], [1], _arr(["旧"]))
    old = s.files()[0]
    s.put(["k", "j"], [1, 1], _arr(["新", "j"]))
    new = [p for p in s.files() if p != old][0]
    os.utime(old, ns=(1, 1))  # make the order certain whatever the clock's resolution
    assert s.files()[0] == new
    assert s.get(["k"])[0][0].to_pylist() == ["新"]
    # the newest entry fails the check: counted once, the older one is used
    fresh = cache.StreamStore("tokens", tmp_path)
    hit = fresh.get(["k"], check=lambda i, toks, tags: toks.to_pylist() != ["新"])
    assert hit[0][0].to_pylist() == ["旧"] and fresh.stats()["corrupt"] == 1
    # every entry fails: a miss
    assert fresh.get(["k"], check=lambda i, toks, tags: False) == [None]


def test_unreadable_and_foreign_files_are_dropped(tmp_path):
    s = cache.StreamStore("tokens", tmp_path)
    s.put(["a"], [1], _arr(["云"]))
    s.put(["b"], [1], _arr(["链"]))
    files = s.files()
    files[0].write_bytes(files[0].read_bytes()[:50])  # truncated
    foreign = pa.table({"key": pa.array(["c"]), "tokens": pa.array([[1, 2]])})
    with pa.OSFile(str(files[1]), "wb") as sink, pa.ipc.new_file(sink, foreign.schema) as w:
        w.write_table(foreign)
    fresh = cache.StreamStore("tokens", tmp_path)
    assert fresh.get(["a", "b", "c"]) == [None, None, None]
    assert fresh.stats()["corrupt"] == 2 and fresh.files() == []  # deleted, to be rebuilt
    assert fresh.clear() == 0
