"""Report: execute the notebooks on a corpus and write HTML pages, figures, tables and a manifest.

``build_report(source, out)`` is what ``policylab report`` runs. It

1. builds the corpus once (:func:`policylab.load_corpus`) and writes its tables (Parquet and
   CSV, with the build manifest) into ``out/corpus/``;
2. executes every notebook of the project's ``notebooks/`` folder (``01_corpus.ipynb`` ...) in a
   fresh kernel with papermill, passing ``source`` (the corpus folder), ``tables`` (``out/corpus``)
   and ``out_dir`` as parameters (each notebook has a cell tagged ``parameters``);
3. writes one HTML page per notebook (nbconvert, images embedded), the executed notebooks,
   every figure the notebooks drew (``out/figures/<notebook>/<name>.png|svg|pdf``) and every
   table they showed (``out/tables/<notebook>/<name>.csv``), an ``index.html`` linking them all
   and ``manifest.json`` (versions, input and resource hashes, sha256 of every artefact).

A notebook cell that raises, or a figure with a glyph missing from its font, fails the run with
a :class:`ReportError` naming the notebook and the cell. The report is assembled in a hidden
folder inside ``out`` and moved into place only when every notebook has run, so a failed run
leaves the previous report as it was (plus ``<notebook>.failed.ipynb`` showing the error).

Inside a notebook, the helpers below save what a cell shows::

    from policylab import report
    report.start(out_dir, "02_keywords")      # out_dir None: show only, save nothing
    report.figure(fig, "top_terms")           # saves PNG/SVG/PDF, displays the PNG
    report.table(freq, "frequency").head(20)  # saves CSV, returns the DataFrame

Examples
--------
>>> from policylab.report import build_report
>>> build_report("seeds", "reports")          # doctest: +SKIP
PosixPath('reports')
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from policylab.store import sha256_file

NOTEBOOK_PATTERN = re.compile(r"^\d{2}_[A-Za-z0-9_]+\.ipynb$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_GLYPH = re.compile(r"missing from (current )?font|Glyph \d+ .*missing", re.IGNORECASE)

# where the helpers save: set by start() in the notebook's kernel
_STATE: dict = {"out_dir": None, "notebook": None}


class ReportError(RuntimeError):
    """A notebook could not be executed (a cell raised, timed out, or drew a missing glyph)."""


class MissingGlyphError(RuntimeError):
    """A figure uses characters its font cannot draw (they would show as empty boxes)."""


# ---------------------------------------------------------------------------------------------
# helpers used inside the notebooks


def start(out_dir: str | os.PathLike | None = None, notebook: str = "notebook") -> Path | None:
    """Set where :func:`figure` and :func:`table` save, and set up the CJK font.

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
    from policylab.plots import use_cjk_font

    if not _NAME.match(notebook):
        raise ValueError(f"notebook name {notebook!r}: use letters, digits, '_', '-' or '.'")
    use_cjk_font()
    with warnings.catch_warnings():
        # tqdm.auto warns (with a file path) when ipywidgets is missing; the library's bars are
        # off in notebooks anyway, so import it once quietly before a stage does
        warnings.simplefilter("ignore")
        import tqdm.auto  # noqa: F401
    _STATE["out_dir"] = None if out_dir is None else Path(out_dir).resolve()
    _STATE["notebook"] = notebook
    return _STATE["out_dir"]


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"artefact name {name!r}: use letters, digits, '_', '-' or '.' (it becomes a file name)")
    return name


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
        File stem (letters, digits, ``_ - .``), unique within the notebook.
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
    >>> report.figure(fig, "demo")      # doctest: +SKIP
    []
    """
    import io

    from policylab.plots import save_figure

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


def table(df: pd.DataFrame, name: str, *, index: bool = False) -> pd.DataFrame:
    """Save a DataFrame as ``<name>.csv`` (UTF-8) when an output folder is set; return it unchanged.

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
        from policylab.store import atomic_write

        atomic_write(folder / f"{name}.csv",
                     lambda tmp: df.to_csv(tmp, index=index, encoding="utf-8", lineterminator="\n"))
    return df


def findings(items) -> str:
    """Show findings as a Markdown bullet list (items are strings built from computed values).

    Returns the Markdown text, so a test or a paper can reuse it.

    Examples
    --------
    >>> from policylab import report
    >>> report.findings([f"{2 + 2} documents"])       # doctest: +SKIP
    """
    text = "\n".join(f"- {s}" for s in items)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display

        if get_ipython() is not None:
            display(Markdown("**Findings**\n\n" + text))
    except ImportError:
        pass
    return text


def doc_labels(documents: pd.DataFrame) -> pd.Series:
    """A short readable label per document for figures and tables: its city (else province, else
    source file name), with the doc_id's first digits added where two documents would share one.

    Returns a Series indexed by ``doc_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> from policylab.report import doc_labels
    >>> doc_labels(pd.DataFrame({"doc_id": ["d1a", "d2b", "d3c"], "city": ["南京", "合肥", "南京"],
    ...                          "source_path": ["a.txt", "b.txt", "c.txt"]})).tolist()
    ['南京 d1a', '合肥', '南京 d3c']
    """
    label = pd.Series(pd.NA, index=documents.index, dtype="string")
    for col in ("city", "province"):
        if col in documents.columns:
            label = label.fillna(documents[col].astype("string"))
    if "source_path" in documents.columns:
        label = label.fillna(documents["source_path"].astype("string").str.rsplit("/", n=1).str[-1])
    label = label.fillna(documents["doc_id"].astype("string"))
    shared = label.duplicated(keep=False)
    label = label.where(~shared, label + " " + documents["doc_id"].astype("string").str[:7])
    return pd.Series(label.values, index=documents["doc_id"].values, name="label", dtype="string")


def open_corpus(source: str | os.PathLike = "seeds", tables: str | os.PathLike | None = None):
    """The corpus of a notebook: the tables ``policylab build`` / ``report`` wrote, or a fresh build.

    Parameters
    ----------
    source : path
        Folder of raw pages (used when ``tables`` is None).
    tables : path, optional
        A folder written by :func:`policylab.store.write_tables` (with ``manifest.json``);
        reading it skips parsing and gives every notebook the very same tables.

    Returns
    -------
    policylab.corpus.Corpus

    Examples
    --------
    >>> from policylab.report import open_corpus
    >>> corpus = open_corpus("seeds")          # doctest: +SKIP
    """
    from policylab.corpus import Corpus, load_corpus

    if tables is None:
        return load_corpus(source)
    from policylab.store import read_tables

    t = read_tables(tables)
    fields = set(Corpus.__dataclass_fields__) - {"source", "options"}
    manifest = json.loads((Path(tables) / "manifest.json").read_text(encoding="utf-8"))
    return Corpus(source=str(source), options=manifest.get("options", {}),
                  **{k: v for k, v in t.items() if k in fields})


# ---------------------------------------------------------------------------------------------
# building the report


def notebooks_dir(override: str | os.PathLike | None = None) -> Path:
    """The folder holding the report's notebooks.

    ``override`` if given; else the ``notebooks/`` folder next to the installed package (a source
    checkout or an editable install); else ``./notebooks``.
    """
    if override is not None:
        p = Path(override)
        if not p.is_dir():
            raise ReportError(f"notebooks folder not found: {override}")
        return p
    here = Path(__file__).resolve().parent.parent / "notebooks"
    for p in (here, Path.cwd() / "notebooks"):
        if p.is_dir() and _list_notebooks(p):
            return p
    raise ReportError(
        "cannot find the notebooks: expected a notebooks/ folder next to the policylab package "
        f"({here}) or in the current folder; pass notebooks= to build_report"
    )


def _list_notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if NOTEBOOK_PATTERN.match(p.name))


def _resolve_notebooks(notebooks) -> list[Path]:
    if notebooks is None or isinstance(notebooks, (str, os.PathLike)) and Path(notebooks).is_dir():
        folder = notebooks_dir(notebooks)
        found = _list_notebooks(folder)
        if not found:
            raise ReportError(f"no numbered notebooks (01_name.ipynb) in {folder}")
        return found
    paths = [Path(notebooks)] if isinstance(notebooks, (str, os.PathLike)) else [Path(p) for p in notebooks]
    for p in paths:
        if not p.is_file():
            raise ReportError(f"notebook not found: {p}")
    return paths


@contextlib.contextmanager
def _environ(**values):
    """Set (value) or remove (None) environment variables for the kernels, restoring them after."""
    old = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _interpreter_kernel(folder: Path) -> str:
    """A JUPYTER_PATH entry whose 'python3' kernel runs this very interpreter.

    A kernelspec installed per user (``~/.local/share/jupyter``) would otherwise win over the
    virtual environment's own and could run another Python, without policylab.
    """
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.log_level=CRITICAL"],  # no transport or shutdown chatter on the terminal
        "display_name": "Python 3 (policylab)",
        "language": "python",
    }), encoding="utf-8")
    return str(folder)


def _cell_preview(source: str, n: int = 6) -> str:
    lines = source.strip().splitlines()
    more = "\n    ..." if len(lines) > n else ""
    return "\n".join("    " + ln for ln in lines[:n]) + more


def _check_outputs(nb, name: str) -> None:
    """Fail on an error output or a missing-glyph warning anywhere in an executed notebook."""
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise ReportError(f"notebook {name}: cell {i} raised {o.get('ename')}: {o.get('evalue')}\n"
                                  + _cell_preview(cell.source))
            texts = []
            if o.get("output_type") == "stream":
                texts.append(o.get("text", ""))
            for key in ("text/plain", "text/html"):
                if key in o.get("data", {}):
                    texts.append(str(o["data"][key]))
            for t in texts:
                if _is_glyph_warning(t):
                    raise ReportError(
                        f"notebook {name}: cell {i} drew characters missing from the font "
                        f"(Chinese would show as boxes):\n    {t.strip()[:300]}\n" + _cell_preview(cell.source)
                    )


def execute_notebook(path: Path, output: Path, parameters: dict, *, cwd: Path, timeout: int = 600,
                     kernel_name: str = "python3"):
    """Execute one notebook with papermill in a fresh kernel; return the executed notebook.

    ``timeout`` bounds the whole notebook (each cell gets what is left of it).

    Raises
    ------
    ReportError
        Naming the notebook and the failing cell.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    name = path.name
    t0 = time.monotonic()

    def remaining(cell) -> int:
        # nbclient reads 0 or less as "no timeout"; never hand it that
        return max(1, int(timeout - (time.monotonic() - t0)))

    try:
        nb = papermill.execute_notebook(
            str(path), str(output), parameters=parameters, kernel_name=kernel_name, language="python", cwd=str(cwd),
            progress_bar=False, log_output=False, execution_timeout=timeout, timeout_func=remaining,
        )
    except PapermillExecutionError as e:
        raise ReportError(
            f"notebook {name} failed in cell {e.cell_index} (execution count {e.exec_count}): "
            f"{e.ename}: {e.evalue}\n{_cell_preview(e.source)}"
        ) from None
    except Exception as e:  # timeout, dead kernel, unreadable notebook: still name the notebook
        raise ReportError(f"notebook {name} could not be executed: {type(e).__name__}: {e}") from None
    _check_outputs(nb, name)
    return nb


def _notebook_title(nb, fallback: str) -> tuple[str, str]:
    """(title, question) from the first Markdown cell: its first heading and first paragraph."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        title, para = fallback, ""
        blocks = [b.strip() for b in cell.source.split("\n\n") if b.strip()]
        for b in blocks:
            if b.startswith("#") and title == fallback:
                title = b.lstrip("#").strip().splitlines()[0]
            elif not para:
                para = re.sub(r"\*+|`", "", " ".join(b.splitlines()))
        return title, para
    return fallback, ""


def _html_page(nb, resources_name: str) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(embed_images=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": resources_name}})
    return with_cjk_font(body)


FONT_FAMILY = "policylab CJK"


def cjk_font_css(text: str) -> str:
    """CSS embedding the packaged CJK font, cut down to the characters of ``text``, as a data URI.

    Tables and prose in a page then show Chinese on a machine without Chinese fonts (a server,
    a container, CI) -- a ``file://`` page may not load a font file beside it, so it is inlined.
    Subsetting keeps it small (a few tens of kB for a notebook page).
    """
    import base64
    import io

    from fontTools import subset

    from policylab.plots import font_path

    chars = "".join(sorted({c for c in text if ord(c) > 0x2000}))
    if not chars:
        return ""
    opts = subset.Options()
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    opts.layout_features = []
    opts.desubroutinize = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        font = subset.load_font(str(font_path()), opts)
        subsetter = subset.Subsetter(opts)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        buf = io.BytesIO()
        subset.save_font(font, buf, opts)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    # the CJK face comes after the usual ones: Latin keeps its font, Chinese falls through to it
    return (
        f'@font-face{{font-family:"{FONT_FAMILY}";src:url(data:font/otf;base64,{data}) format("opentype");}}\n'
        f':root{{--jp-content-font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,"{FONT_FAMILY}",sans-serif;'
        f'--jp-ui-font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,"{FONT_FAMILY}",sans-serif;'
        f'--jp-code-font-family:Menlo,Consolas,"DejaVu Sans Mono",monospace,"{FONT_FAMILY}";}}\n'
        f'body,table,th,td{{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,"{FONT_FAMILY}",sans-serif}}\n'
        f'pre,code{{font-family:Menlo,Consolas,"DejaVu Sans Mono",monospace,"{FONT_FAMILY}"}}\n'
    )


# Chromium can keep the first shaping of a word made while the inlined font was still decoding
# (seen as boxes in the first table cell); one relayout once the fonts are ready redraws it
_RELAYOUT = (
    '<script>document.fonts&&document.fonts.ready.then(function(){var b=document.body;'
    'if(b){b.style.display="none";void b.offsetHeight;b.style.display="";}});</script>\n'
)


def with_cjk_font(page: str) -> str:
    """``page`` (an HTML document) with :func:`cjk_font_css` added at the end of its head."""
    css = cjk_font_css(page)
    if not css:
        return page
    style = f'<style id="policylab-cjk-font">\n{css}</style>\n' + _RELAYOUT
    i = page.rfind("</head>")
    return page[:i] + style + page[i:] if i >= 0 else style + page


_INDEX_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
 max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.5}
h1{margin-bottom:.2em} h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
.q{color:#444} .meta{color:#666;font-size:.9em} pre{white-space:pre-wrap}
.figs{display:flex;flex-wrap:wrap;gap:12px} .fig{width:330px;border:1px solid #ddd;padding:6px;font-size:.85em}
.fig img{width:100%;height:auto;display:block;margin-bottom:4px}
table{border-collapse:collapse;font-size:.9em} td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}
"""


def _index_html(source: str, pages: list[dict], corpus_tables: list[str], summary: str) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8"><title>policylab report</title>',
        f"<style>{_INDEX_CSS}</style></head><body>",
        "<h1>policylab report</h1>",
        f'<p class="meta">corpus: <code>{e(source)}</code> &middot; '
        '<a href="manifest.json">manifest.json</a> (versions, input hashes, artefact hashes)</p>',
        f"<pre>{e(summary)}</pre>",
        "<h2>Corpus tables</h2><p>" + " &middot; ".join(
            f'<a href="corpus/{e(t)}.csv">{e(t)}.csv</a>' for t in corpus_tables
        ) + ' &middot; <a href="corpus/manifest.json">build manifest</a></p>',
    ]
    for p in pages:
        parts.append(f'<h2><a href="{e(p["html"])}">{e(p["title"])}</a></h2>')
        if p["question"]:
            parts.append(f'<p class="q">{e(p["question"])}</p>')
        parts.append(
            f'<p class="meta"><a href="{e(p["html"])}">page</a> &middot; '
            f'<a href="{e(p["ipynb"])}">executed notebook</a> &middot; {len(p["figures"])} figures, '
            f'{len(p["tables"])} tables</p>'
        )
        if p["figures"]:
            parts.append('<div class="figs">')
            for stem in p["figures"]:
                base = f'figures/{p["name"]}/{stem}'
                parts.append(
                    f'<div class="fig"><a href="{e(base)}.png"><img src="{e(base)}.png" alt="{e(stem)}"></a>'
                    f'{e(stem)}: <a href="{e(base)}.png">PNG</a> <a href="{e(base)}.svg">SVG</a> '
                    f'<a href="{e(base)}.pdf">PDF</a></div>'
                )
            parts.append("</div>")
        if p["tables"]:
            parts.append("<p>tables: " + " &middot; ".join(
                f'<a href="tables/{e(p["name"])}/{e(t)}.csv">{e(t)}.csv</a>' for t in p["tables"]
            ) + "</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _versions() -> dict:
    from importlib import metadata

    from policylab.store import versions

    out = versions()
    for name in ("papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "ipython"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def build_report(
    source: str | os.PathLike = "seeds",
    out: str | os.PathLike = "reports",
    *,
    progress: bool = True,
    timeout: int = 600,
    notebooks: str | os.PathLike | list | None = None,
    kernel_name: str = "python3",
) -> Path:
    """Build the corpus, execute the notebooks and write the report into ``out``.

    Parameters
    ----------
    source : path
        Folder of raw pages (the corpus).
    out : path
        Output folder. Written: ``index.html``, ``<notebook>.html``, ``notebooks/<notebook>.ipynb``
        (executed), ``figures/<notebook>/*.png|svg|pdf``, ``tables/<notebook>/*.csv``,
        ``corpus/`` (the corpus tables, Parquet + CSV) and ``manifest.json``. Other files in
        ``out`` are left alone.
    progress : bool
        Show progress bars (corpus build, notebooks) on stderr.
    timeout : int
        Seconds each notebook may run.
    notebooks : folder, path or list of paths, optional
        Which notebooks to run; default the project's ``notebooks/`` folder (``NN_name.ipynb``).
    kernel_name : str
        Jupyter kernel; ``"python3"`` (default) is the interpreter running policylab.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    policylab.corpus.SourceError
        The source folder does not exist or holds no files.
    ReportError
        A notebook failed (the message names it and the cell).

    Examples
    --------
    >>> from policylab.report import build_report
    >>> build_report("seeds", "reports", progress=False)     # doctest: +SKIP
    PosixPath('reports')
    """
    import nbformat
    from tqdm.auto import tqdm

    from policylab.cache import cache_root
    from policylab.corpus import load_corpus
    from policylab.store import build_lock, build_manifest, resource_hashes, write_tables

    nb_paths = _resolve_notebooks(notebooks)
    source_path = Path(source).resolve()
    out = Path(out)
    # SourceError propagates (the CLI reports it)
    corpus = load_corpus(source, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    with build_lock(out):
        build = Path(tempfile.mkdtemp(prefix=".report-", dir=out))
        try:
            tables = corpus.tables()
            corpus_manifest = build_manifest(corpus)
            write_tables(tables, build / "corpus", csv=True, manifest=corpus_manifest)

            env = {
                "POLICYLAB_CACHE": str(cache_root()),  # the caller's project cache, not the build folder
                "MPLBACKEND": None,  # let the kernel use its inline backend
                "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            }
            if kernel_name == "python3":
                env["JUPYTER_PATH"] = os.pathsep.join(
                    filter(None, [_interpreter_kernel(build / ".kernel"), os.environ.get("JUPYTER_PATH")])
                )
            pages = []
            bar = tqdm(nb_paths, desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
            with _environ(**env):
                for path in bar:
                    name = path.stem
                    bar.set_postfix_str(name)
                    executed = build / "notebooks" / path.name
                    executed.parent.mkdir(parents=True, exist_ok=True)
                    params = {"source": str(source_path), "tables": "corpus", "out_dir": "."}
                    t0 = time.monotonic()
                    try:
                        nb = execute_notebook(path, executed, params, cwd=build, timeout=timeout,
                                              kernel_name=kernel_name)
                    except ReportError:
                        if executed.exists():  # keep the executed copy with its traceback for the user
                            shutil.copyfile(executed, out / f"{name}.failed.ipynb")
                        raise
                    seconds = time.monotonic() - t0
                    nb = nbformat.read(executed, as_version=4)
                    title, question = _notebook_title(nb, name)
                    (build / f"{name}.html").write_text(_html_page(nb, name), encoding="utf-8")
                    figs = sorted({p.stem for p in (build / "figures" / name).glob("*.png")}) \
                        if (build / "figures" / name).is_dir() else []
                    tabs = sorted(p.stem for p in (build / "tables" / name).glob("*.csv")) \
                        if (build / "tables" / name).is_dir() else []
                    pages.append({"name": name, "title": title, "question": question, "html": f"{name}.html",
                                  "ipynb": f"notebooks/{path.name}", "figures": figs, "tables": tabs,
                                  "notebook_sha256": sha256_file(path), "seconds": round(seconds, 1)})
            bar.close()

            (build / "index.html").write_text(
                with_cjk_font(_index_html(str(source), pages, list(tables), corpus.summary())), encoding="utf-8")
            artefacts = []
            for p in sorted(build.rglob("*")):
                rel = p.relative_to(build)
                if p.is_file() and not any(part.startswith(".") for part in rel.parts):
                    artefacts.append({"path": rel.as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)})
            manifest = {
                "policylab_report": 1,
                "source": str(source),
                "versions": _versions(),
                "inputs": corpus_manifest["inputs"],
                "resources": resource_hashes(),
                "counts": corpus_manifest["counts"],
                "notebooks": [{k: p[k] for k in ("name", "title", "html", "ipynb", "notebook_sha256",
                                                  "figures", "tables", "seconds")} for p in pages],
                "artefacts": artefacts,
            }
            (build / "manifest.json").write_text(
                json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n",
                encoding="utf-8")

            # move into place: each item the report owns replaces its previous version
            for item in sorted(build.iterdir()):
                if item.name.startswith("."):
                    continue
                dest = out / item.name
                if dest.is_dir() and not dest.is_symlink():
                    shutil.rmtree(dest)
                elif dest.exists():
                    dest.unlink()
                os.replace(item, dest)
            for p in nb_paths:
                with contextlib.suppress(FileNotFoundError):
                    (out / f"{p.stem}.failed.ipynb").unlink()
        finally:
            shutil.rmtree(build, ignore_errors=True)
    return out
