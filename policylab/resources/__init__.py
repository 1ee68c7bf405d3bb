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


def read_gazetteer():
    """The gazetteer table (``gazetteer.csv``) as strings, empty cells as ``""``: the one reader
    that :func:`policylab.meta.gazetteer` and the citation links of :mod:`policylab.structure` use.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> g = read_gazetteer()
    >>> g.loc[g["name"] == "合肥市", "province"].tolist()
    ['安徽']
    """
    import pandas as pd  # heavy: loaded on first use, so importing policylab stays light

    return pd.read_csv(path("gazetteer.csv"), dtype=str, keep_default_na=False)
