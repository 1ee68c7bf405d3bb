"""Curated knowledge as data files (noise patterns, gazetteer, dictionaries, stopwords, ...).

Use :func:`path` to locate a file and :func:`sha256` to record which version a result used.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """Absolute path of the resource file ``name`` (e.g. ``"noise_patterns.csv"``)."""
    p = ROOT / name
    if not p.exists():
        raise FileNotFoundError(f"policylab resource not found: {name}")
    return p


def sha256(name: str) -> str:
    """sha256 of a resource file's bytes, to record beside outputs."""
    return hashlib.sha256(path(name).read_bytes()).hexdigest()
