"""policylab: tidy DataFrames and reproducible analyses of Chinese government policy texts.

Import is light: the pipeline stages (and pandas, jieba, scikit-learn behind them) load on first use.

Examples
--------
>>> import policylab
>>> corpus = policylab.load_corpus("seeds")          # doctest: +SKIP
>>> tokens = policylab.tokenize(corpus.documents)   # doctest: +SKIP
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it; resolved lazily by __getattr__ (PEP 562)
_LAZY = {
    "load_corpus": "policylab.corpus",
    "Corpus": "policylab.corpus",
    "tokenize": "policylab.segment",
}
_SUBMODULES = {
    "ingest", "clean", "dedup", "meta", "structure", "targets", "corpus", "segment",
    "keywords", "topics", "timeline", "plots", "report", "cli", "schema", "resources",
    "matrix", "cache", "store", "distributed", "text", "frame", "page", "corrections", "tokens",
    "reuse", "compare",  # issue 17: text reuse, citations as links, comparison of documents
    "labels", "findings", "runner",  # report helpers (issue 12)
}
_SUBMODULES |= {"instruments", "agreement", "instrument_shares"}  # policy instruments (issue 16)

# issue 13: vocabulary tools
_SUBMODULES |= {"compounds", "terms"}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"policylab.{name}")
    raise AttributeError(f"module 'policylab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
