"""Curated knowledge as data files (noise patterns, gazetteer, dictionaries, stopwords, ...).

Use :func:`path` to locate a file; :func:`policylab.store.resource_hashes` records which version
of every file a result used (the one hashing helper is :mod:`policylab.cache`).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """Absolute path of the resource file ``name`` (e.g. ``"noise_patterns.csv"``).

    Parameters
    ----------
    name : str

    Returns
    -------
    Path

    Raises
    ------
    FileNotFoundError
        When the package ships no such file.

    Examples
    --------
    >>> path("gazetteer.csv").name
    'gazetteer.csv'
    """
    p = ROOT / name
    if not p.exists():
        raise FileNotFoundError(f"policylab resource not found: {name}")
    return p
