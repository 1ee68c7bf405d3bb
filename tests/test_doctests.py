"""Docs as tests: the examples in every module of ``policylab`` run and are true.

Modules are discovered from the package folder, so a new module's examples are tested without
editing this file. Examples that need a network, a cluster or a long build say
``# doctest: +SKIP`` on the line.
"""

from __future__ import annotations

import doctest
import importlib
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "policylab"


def _module_names() -> list[str]:
    names = []
    for p in sorted(PACKAGE.rglob("*.py")):
        rel = p.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__main__":
            continue  # running it would run the command line
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def test_every_module_is_found():
    names = _module_names()
    assert {"policylab", "policylab.text", "policylab.frame", "policylab.meta", "policylab.plots.keywords"} <= set(names)


@pytest.mark.parametrize("name", _module_names())
def test_examples_run_and_are_true(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # examples read the bundled seeds/ by relative path
    monkeypatch.setenv("POLICYLAB_CACHE", os.environ.get("POLICYLAB_CACHE", str(ROOT / ".policylab_cache" / "tests")))
    module = importlib.import_module(name)
    try:
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    finally:
        # examples draw figures and leave them open; later tests in this process (some turn every
        # warning into an error) must not inherit them ("More than 20 figures have been opened")
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (see the output above)"
