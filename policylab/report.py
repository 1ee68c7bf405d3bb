"""What a report notebook calls: open the corpus, save and show figures, tables and findings.

A notebook of the report (``notebooks/NN_name.ipynb``) is thin: it calls the library and shows what
comes back. This module is the few calls every notebook shares::

    from policylab import report
    report.start(out_dir, "02_keywords")          # out_dir None: show only, save nothing
    corpus = report.open_corpus(source, tables)   # documents get `label` and `group` columns
    report.figure(fig, "keyness_成都")             # saves PNG/SVG/PDF, displays the PNG
    report.table(freq, "frequency").head(20)      # saves CSV (and .tex/.md if asked), returns it
    report.findings(sentences)                    # a bullet list of finding sentences
    report.note("No targets to show.")            # one line where there is nothing to show

Executing the notebooks and writing the HTML pages is :mod:`policylab.runner` (``policylab
report``), which sets ``out_dir`` and the table formats.

Examples
--------
>>> from policylab import report
>>> report.start(None, "01_corpus") is None
True
"""

from __future__ import annotations

import io
import json
import os
import re
import warnings
from pathlib import Path

import pandas as pd

from policylab import labels as _labels
from policylab.plots import save_figure, use_cjk_font
from policylab.corpus import Corpus, load_corpus
from policylab.store import atomic_write, read_tables

# letters (any script: a figure may be named keyness_成都), digits, '_', '-', '.'
_NAME = re.compile(r"^[^\W_][\w.\-]*$")
_GLYPH = re.compile(r"missing from (current )?font|Glyph \d+ .*missing", re.IGNORECASE)
TABLE_FORMATS = ("csv", "tex", "md")
TABLE_FORMATS_ENV = "POLICYLAB_TABLE_FORMATS"

# where the helpers save: set by start() in the notebook's kernel
_STATE: dict = {"out_dir": None, "notebook": None}


class MissingGlyphError(RuntimeError):
    """A figure uses characters its font cannot draw (they would show as empty boxes)."""


def start(out_dir: str | os.PathLike | None = None, notebook: str = "notebook") -> Path | None:
    """Set where :func:`figure` and :func:`table` save, set up the CJK font, show dates as dates.

    Parameters
    ----------
    out_dir : path or None
        The report's output folder (the ``out_dir`` parameter of a notebook). ``None`` shows
        figures and tables without saving them (interactive use).
    notebook : str
        The notebook's name; artefacts go to ``out_dir/figures/<notebook>/`` and
        ``out_dir/tables/<notebook>/``.

    Returns
    -------
    pathlib.Path or None
        The resolved output folder.

    Examples
    --------
    >>> from policylab import report
    >>> report.start(None, "01_corpus") is None
    True
    """
    if not _NAME.match(notebook):
        raise ValueError(f"notebook name {notebook!r}: use letters, digits, '_', '-' or '.'")
    use_cjk_font()
    with warnings.catch_warnings():
        # tqdm.auto warns (with a file path) when ipywidgets is missing; the library's bars are
        # off in notebooks anyway, so import it once quietly before a stage does
        warnings.simplefilter("ignore")
        import tqdm.auto  # noqa: F401
    _show_dates_as_dates()
    _STATE["out_dir"] = None if out_dir is None else Path(out_dir).resolve()
    _STATE["notebook"] = notebook
    return _STATE["out_dir"]


def dates_as_dates(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every datetime column whose values are all midnight shown as plain dates.

    Parameters
    ----------
    df : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        A copy; such columns hold ``datetime.date`` (or None), others are unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"issued": pd.to_datetime(["2020-04-22", None])})
    >>> dates_as_dates(d)["issued"].tolist()
    [datetime.date(2020, 4, 22), None]
    """
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            v = s.dropna()
            if (v == v.dt.normalize()).all():
                out[c] = pd.Series([None if pd.isna(x) else x.date() for x in s], index=s.index, dtype=object)
    return out


def _show_dates_as_dates() -> None:
    """Make Jupyter show DataFrames with :func:`dates_as_dates` (the data itself is unchanged)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is None:
        return
    fmt = ip.display_formatter.formatters
    fmt["text/html"].for_type(pd.DataFrame, lambda df: dates_as_dates(df)._repr_html_())
    fmt["text/plain"].for_type(pd.DataFrame, lambda df, p, cycle: p.text(repr(dates_as_dates(df))))


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"artefact name {name!r}: use letters, digits, '_', '-' or '.' (it becomes a file name)")
    return name


def file_name(*parts) -> str:
    """An artefact name made of parts (``'keyness', '成都'`` -> ``'keyness_成都'``), safe as a file name.

    Parameters
    ----------
    *parts : str or int
        Pieces of the name; characters other than letters, digits, ``-`` and ``.`` become ``_``.

    Returns
    -------
    str

    Examples
    --------
    >>> file_name("keyness", "成都")
    'keyness_成都'
    >>> file_name("keyness", "南京 · 2022 · 方案/草案")
    'keyness_南京_2022_方案_草案'
    """
    text = "_".join(str(p) for p in parts)
    text = re.sub(r"[^\w.\-]+", "_", text).strip("_.")
    return re.sub(r"_+", "_", text) or "figure"


def _artefact_dir(kind: str) -> Path | None:
    if _STATE["out_dir"] is None:
        return None
    return _STATE["out_dir"] / kind / (_STATE["notebook"] or "notebook")


def _is_glyph_warning(message: str) -> bool:
    return bool(_GLYPH.search(message))


def figure(fig, name: str, *, close: bool = True, width: int | None = None) -> list[Path]:
    """Save a figure as PNG, SVG and PDF (when an output folder is set) and display it.

    The figure is rendered with warnings recorded: a glyph missing from the font (Chinese text
    that would show as boxes) raises :class:`MissingGlyphError` naming the figure, so an
    executed notebook cannot hide it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str
        File stem, named for what the figure shows (``keyness_成都``; see :func:`file_name`),
        unique within the notebook.
    close : bool, default True
        Close the figure after showing it (so Jupyter does not draw it a second time).
    width : int, optional
        Display width in pixels.

    Returns
    -------
    list of pathlib.Path
        Files written (empty when no output folder is set).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from policylab import report
    >>> _ = report.start(None, "demo")
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("人工智能")
    >>> report.figure(fig, "demo")
    []
    """
    _check_name(name)
    folder = _artefact_dir("figures")
    written: list[Path] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if folder is not None:
            written = save_figure(fig, folder / name)
            png = written[0].read_bytes()
        else:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", metadata=None)
            png = buf.getvalue()
    glyphs = sorted({str(w.message) for w in caught if _is_glyph_warning(str(w.message))})
    for w in caught:  # keep every other warning visible (a font file left to the GC is not news)
        if not _is_glyph_warning(str(w.message)) and not issubclass(w.category, ResourceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    if glyphs:
        raise MissingGlyphError(
            f"figure {name!r}: characters missing from the font (call policylab.plots.use_cjk_font() "
            f"before drawing, and do not set another font): " + "; ".join(glyphs[:5])
        )
    _display_png(png, width)
    return written


def _display_png(png: bytes, width: int | None) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:  # plain Python: nothing to display on
        return
    if get_ipython() is None:
        return
    display(Image(data=png, format="png", width=width))


def table_formats() -> tuple[str, ...]:
    """The formats :func:`table` writes: ``$POLICYLAB_TABLE_FORMATS`` (``csv,tex,md``), default CSV.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> import os
    >>> os.environ.pop("POLICYLAB_TABLE_FORMATS", None) and None
    >>> table_formats()
    ('csv',)
    """
    raw = os.environ.get(TABLE_FORMATS_ENV, "csv")
    fmts = tuple(dict.fromkeys(f.strip().lower() for f in raw.split(",") if f.strip()))
    bad = [f for f in fmts if f not in TABLE_FORMATS]
    if bad:
        raise ValueError(f"table formats {bad}: choose from {', '.join(TABLE_FORMATS)}")
    return fmts or ("csv",)


def to_latex(df: pd.DataFrame, *, index: bool = False) -> str:
    """A table as a LaTeX ``tabular`` (booktabs rules; text escaped; dates as dates).

    Parameters
    ----------
    df : pandas.DataFrame
    index : bool, default False

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> print(to_latex(pd.DataFrame({"city": ["南京"], "share": [0.5]})))
    \\begin{tabular}{lr}
    \\toprule
    city & share \\\\
    \\midrule
    南京 & 0.5 \\\\
    \\bottomrule
    \\end{tabular}
    <BLANKLINE>
    """
    d = dates_as_dates(df)
    return d.to_latex(index=index, escape=True, na_rep="", float_format=lambda x: f"{x:g}")


def to_markdown(df: pd.DataFrame, *, index: bool = False) -> str:
    """A table as a GitHub Markdown pipe table (dates as dates, nulls empty, ``|`` escaped).

    Parameters
    ----------
    df : pandas.DataFrame
    index : bool, default False

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> print(to_markdown(pd.DataFrame({"city": ["南京", None], "n": [3, 4]})))
    | city | n |
    | --- | --- |
    | 南京 | 3 |
    |  | 4 |
    """
    d = dates_as_dates(df.reset_index() if index else df)

    def cell(v) -> str:
        if v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)):
            return ""
        s = f"{v:g}" if isinstance(v, float) else str(v)
        return s.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in d.columns) + " |", "| " + " | ".join("---" for _ in d.columns) + " |"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in d.itertuples(index=False)]
    return "\n".join(lines)


def table(df: pd.DataFrame, name: str, *, index: bool = False) -> pd.DataFrame:
    """Save a DataFrame (CSV, and LaTeX / Markdown when asked) when an output folder is set; return it.

    The formats are :func:`table_formats` (``policylab report --tables csv,tex,md``).

    Parameters
    ----------
    df : pandas.DataFrame
    name : str
        File stem (see :func:`file_name`).
    index : bool, default False
        Write the index too.

    Returns
    -------
    pandas.DataFrame
        ``df`` unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> from policylab import report
    >>> _ = report.start(None, "demo")
    >>> report.table(pd.DataFrame({"city": ["南京"]}), "cities")
      city
    0   南京
    """
    _check_name(name)
    folder = _artefact_dir("tables")
    if folder is not None:
        for fmt in table_formats():
            if fmt == "csv":
                atomic_write(folder / f"{name}.csv",
                             lambda tmp: df.to_csv(tmp, index=index, encoding="utf-8", lineterminator="\n"))
            else:
                text = to_latex(df, index=index) if fmt == "tex" else to_markdown(df, index=index) + "\n"
                atomic_write(folder / f"{name}.{fmt}", lambda tmp, t=text: Path(tmp).write_text(t, encoding="utf-8"))
    return df


def _markdown(text: str) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        return
    if get_ipython() is not None:
        display(Markdown(text))


def findings(items) -> str:
    """Show finding sentences as a Markdown bullet list; return the Markdown text.

    The sentences come from :mod:`policylab.findings` (tested functions), so a test or a paper
    can reuse them.

    Parameters
    ----------
    items : iterable of str

    Returns
    -------
    str

    Examples
    --------
    >>> from policylab import report
    >>> report.findings(["4 documents were read.", "No targets to show."])
    '- 4 documents were read.\\n- No targets to show.'
    """
    text = "\n".join(f"- {s}" for s in items)
    _markdown("**Findings**\n\n" + text)
    return text


def note(text: str) -> None:
    """Show one line where a chart or table has nothing to show (see :func:`policylab.findings.nothing`).

    Parameters
    ----------
    text : str

    Returns
    -------
    None
        Nothing, so that a cell ending in ``x if ... else report.note(...)`` shows no echo.

    Examples
    --------
    >>> note("No quantitative targets to show.") is None
    True
    """
    _markdown(f"*{text}*")


def doc_labels(documents: pd.DataFrame) -> pd.Series:
    """Each document's label (:func:`policylab.labels.document_labels`), indexed by ``doc_id``.

    Parameters
    ----------
    documents : pandas.DataFrame

    Returns
    -------
    pandas.Series

    Examples
    --------
    >>> import pandas as pd
    >>> doc_labels(pd.DataFrame({"doc_id": ["d1"], "city": ["南京"], "year": [2022]})).to_dict()
    {'d1': '南京 · 2022 · d1'}
    """
    lab = documents["label"] if "label" in documents.columns and documents["label"].notna().all() \
        else _labels.document_labels(documents)
    return pd.Series(lab.to_numpy(), index=documents["doc_id"].to_numpy(), name="label", dtype="string")


def open_corpus(source: str | os.PathLike = "seeds", tables: str | os.PathLike | None = None,
                unit: str | None = None):
    """The corpus of a notebook, with document labels and comparison groups applied.

    Parameters
    ----------
    source : path
        Folder of raw pages (used when ``tables`` is None).
    tables : path, optional
        A folder written by :func:`policylab.store.write_tables` (with ``manifest.json``);
        reading it skips parsing and gives every notebook the very same tables.
    unit : {'city', 'province', 'issuer', 'level', 'document'} or None
        The comparison unit (None: :func:`policylab.labels.default_unit`).

    Returns
    -------
    policylab.corpus.Corpus
        ``documents`` has a ``label`` (:func:`policylab.labels.document_labels`) and a ``group``
        column (:func:`policylab.labels.comparison_units`); ``corpus.unit`` is the unit used.

    Examples
    --------
    >>> from policylab.report import open_corpus
    >>> corpus = open_corpus("seeds")                 # doctest: +SKIP
    >>> corpus.unit, corpus.documents["group"].tolist()   # doctest: +SKIP
    ('city', ['南京', '沈阳', '成都', '合肥'])
    """
    if tables is None:
        corpus = load_corpus(source, progress=False)
    else:
        t = read_tables(tables)
        fields = set(Corpus.__dataclass_fields__) - {"source", "options"}
        manifest = json.loads((Path(tables) / "manifest.json").read_text(encoding="utf-8"))
        corpus = Corpus(source=str(source), options=manifest.get("options", {}),
                        **{k: v for k, v in t.items() if k in fields})
    chosen = _labels.default_unit(corpus.documents) if unit in (None, "auto") else unit
    corpus.documents = _labels.with_labels(corpus.documents, chosen)
    corpus.unit = chosen
    return corpus

