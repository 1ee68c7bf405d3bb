"""Figures: a CJK font set up once, and saving every figure as PNG, SVG and PDF.

The font is Noto Sans CJK SC, shipped inside the ``mplfonts`` pip package, so Chinese labels
render on a fresh machine with no system fonts. Chart functions live in submodules named for the
analysis they draw (``plots.keywords``, ``plots.topics``, ``plots.timeline``); each takes DataFrames
and returns a matplotlib Figure.

Examples
--------
>>> from policylab import plots
>>> plots.font_path().name
'NotoSansCJKsc-Regular.otf'
"""

from __future__ import annotations

import functools
from pathlib import Path

FONT_FILE = "NotoSansCJKsc-Regular.otf"
FORMATS = ("png", "svg", "pdf")


@functools.lru_cache(maxsize=1)
def font_path() -> Path:
    """Path of the packaged Noto Sans CJK SC font (also what wordcloud needs as ``font_path``)."""
    import importlib.util

    spec = importlib.util.find_spec("mplfonts")
    if spec is None or spec.origin is None:
        raise RuntimeError("the CJK font package 'mplfonts' is not installed: pip install mplfonts")
    p = Path(spec.origin).parent / "fonts" / FONT_FILE
    if not p.exists():
        raise RuntimeError(f"CJK font not found at {p}")
    return p


@functools.lru_cache(maxsize=1)
def use_cjk_font() -> str:
    """Register the CJK font with matplotlib once and make it the default; returns its family name.

    SVG draws text as paths (``svg.fonttype = 'path'``): the Chinese shows on a machine with no
    CJK font (a browser does not carry one), and matplotlib keeps each string in a comment
    beside its glyphs, so it stays searchable in the file. PDF embeds the font as TrueType/CFF
    subsets (``pdf.fonttype = 42``).

    Returns
    -------
    str
        The font family name matplotlib knows the font by.

    Examples
    --------
    >>> use_cjk_font()
    'Noto Sans CJK SC'
    >>> import matplotlib
    >>> matplotlib.rcParams["svg.fonttype"]
    'path'
    """
    import matplotlib
    from matplotlib import font_manager

    path = str(font_path())
    font_manager.fontManager.addfont(path)
    family = font_manager.FontProperties(fname=path).get_name()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "path"
    matplotlib.rcParams["pdf.fonttype"] = 42
    matplotlib.rcParams["savefig.dpi"] = 150
    matplotlib.rcParams["savefig.bbox"] = "tight"
    return family


def save_figure(fig, stem: str | Path, formats=FORMATS) -> list[Path]:
    """Save ``fig`` as ``stem.png``, ``stem.svg`` and ``stem.pdf``; returns the paths written.

    PDF and SVG get a fixed creation date so that the same figure gives the same bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    stem : str or pathlib.Path
        Path without suffix; folders are created.
    formats : tuple of str, default ('png', 'svg', 'pdf')

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``.

    Examples
    --------
    >>> import tempfile, matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> [p.suffix for p in save_figure(fig, Path(tempfile.mkdtemp()) / "demo")]
    ['.png', '.svg', '.pdf']
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    import gc
    import warnings

    for fmt in formats:
        p = stem.with_suffix(f".{fmt}")
        metadata = {"png": None, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[fmt]
        with warnings.catch_warnings():
            # matplotlib's PDF font embedding leaves the font file to the garbage collector; collect
            # it here, so its ResourceWarning does not surface later in unrelated code
            warnings.simplefilter("ignore", ResourceWarning)
            fig.savefig(p, format=fmt, metadata=metadata)
            if fmt == "pdf":
                gc.collect()
        out.append(p)
    return out
