"""Runner: execute the report's notebooks on a corpus and write HTML pages, figures, tables and a manifest.

``build_report(source, out)`` is what ``policylab report`` runs. It

1. builds the corpus once (:func:`policylab.load_corpus`) and writes its tables (Parquet and
   CSV, with the build manifest) into ``out/corpus/``;
2. executes every numbered notebook of the project's ``notebooks/`` folder (``01_corpus.ipynb``,
   ``02_keywords.ipynb`` ... whatever ``NN_name.ipynb`` files are there) in a fresh kernel with
   papermill, passing ``source`` (the corpus folder's name), ``tables`` (``corpus``), ``out_dir``
   and ``unit`` (the comparison unit) as parameters (each notebook has a cell tagged ``parameters``);
3. writes one HTML page per notebook (nbconvert, images embedded, no script or font from the
   network), the executed notebooks, every figure the notebooks drew
   (``out/figures/<notebook>/<name>.png|svg|pdf``) and every table they showed
   (``out/tables/<notebook>/<name>.csv``, plus ``.tex`` / ``.md`` with ``table_formats``), a data
   dictionary page generated from :mod:`policylab.schema`, ``CITATION.cff``, an ``index.html``
   linking them all and ``manifest.json`` (versions, input and resource hashes, sha256 of every
   artefact).

No absolute path of the machine is written into the report: the notebooks get relative
parameters, and papermill's record of its input and output paths is relativised.

A notebook cell that raises, or a figure with a glyph missing from its font, fails the run with
a :class:`ReportError` naming the notebook and the cell. The report is assembled in a hidden
folder inside ``out`` and moved into place only when every notebook has run, so a failed run
leaves the previous report as it was (plus ``<notebook>.failed.ipynb`` showing the error).

Length: about 750 lines, of which some 260 are docstrings and examples and some 410 code. It holds
two jobs: executing the report's notebooks (:func:`notebooks_dir`, :func:`execute_notebook`,
:func:`offline` and their helpers, about 180 lines) and writing the site around them
(:func:`cjk_font_css`, :func:`with_cjk_font`, the index page, :func:`display_source`,
:func:`scrub_paths`, :func:`data_dictionary_html`, :func:`citation_file`, about 250 lines);
:func:`build_report` joins the two. A later change should move the page-writing helpers to a module
of their own (e.g. ``policylab.site``, just before ``runner`` in the layer order).

Examples
--------
>>> from policylab.runner import build_report
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

from policylab import schema
from policylab.plots import font_path
from policylab.cache import cache_root
from policylab.corpus import load_corpus
from policylab.report import TABLE_FORMATS, TABLE_FORMATS_ENV, _is_glyph_warning
from policylab.store import (build_lock, build_manifest, dist_version, resource_hashes, sha256_file, versions,
                             write_tables)

NOTEBOOK_PATTERN = re.compile(r"^\d{2}_[A-Za-z0-9_]+\.ipynb$")
CITATION = "CITATION.cff"


class ReportError(RuntimeError):
    """A notebook could not be executed (a cell raised, timed out, or drew a missing glyph)."""




def notebooks_dir(override: str | os.PathLike | None = None) -> Path:
    """The folder holding the report's notebooks.

    ``override`` if given; else the ``notebooks/`` folder next to the installed package (a source
    checkout or an editable install); else ``./notebooks``.

    Parameters
    ----------
    override : path, optional
        A folder to use instead (``ReportError`` if it does not exist).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> notebooks_dir().name
    'notebooks'
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


def _declared_parameters(path: Path) -> set[str]:
    """Names the notebook's cell tagged ``parameters`` assigns (none when it has no such cell)."""
    import ast

    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    names: set[str] = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            try:
                tree = ast.parse(source)
            except SyntaxError:  # not Python: let papermill say what it makes of it
                return set()
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                    node, ast.AnnAssign) else []
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def execute_notebook(path: Path, output: Path, parameters: dict, *, cwd: Path, timeout: int = 600,
                     kernel_name: str = "python3"):
    """Execute one notebook with papermill in a fresh kernel; return the executed notebook.

    ``timeout`` bounds the whole notebook (each cell gets what is left of it).

    Parameters
    ----------
    path : pathlib.Path
        The notebook (with a cell tagged ``parameters``).
    output : pathlib.Path
        Where the executed notebook is written.
    parameters : dict
        Injected after the parameters cell: those the notebook declares there (all of them when
        it declares none).
    cwd : pathlib.Path
        The kernel's working folder.
    timeout : int, default 600
        Seconds for the whole notebook.
    kernel_name : str, default 'python3'

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook.

    Examples
    --------
    >>> from pathlib import Path
    >>> nb = execute_notebook(Path("notebooks/01_corpus.ipynb"), Path("/tmp/01.ipynb"),
    ...                       {"source": "seeds"}, cwd=Path("."))      # doctest: +SKIP

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

    # a notebook gets the report's parameters it declares (05 and 06 compare no units): papermill
    # would otherwise inject the rest too and print "Passed unknown parameter" for each
    declared = _declared_parameters(path)
    if declared:
        parameters = {k: v for k, v in parameters.items() if k in declared}
    try:
        nb = papermill.execute_notebook(
            str(path), str(output), parameters=parameters, kernel_name=kernel_name, language="python", cwd=str(cwd),
            progress_bar=False, log_output=False, execution_timeout=timeout, timeout_func=remaining,
            config=_kernel_config(),
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


def _kernel_config():
    """Configuration of the kernels the report starts: their sockets encrypted where both sides can.

    ipykernel >= 7.3 warns on every start over TCP without CurveZMQ keys ("Kernel is running over
    TCP without encryption ...", six lines on a quiet ``policylab report``); jupyter_client >= 8.10
    provisions the keys when the kernelspec says the kernel supports them (``transport_encryption
    = "auto"``). Older versions have neither the warning nor the option: an empty configuration.
    """
    from jupyter_client.manager import KernelManager
    from traitlets.config import Config

    if "transport_encryption" not in KernelManager.class_trait_names():
        return Config()
    return Config({"KernelManager": {"transport_encryption": "auto"}})


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


_REMOTE_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>\s*', re.IGNORECASE)
_MATHJAX_CONFIG = re.compile(r'<script type="text/x-mathjax-config">.*?</script>\s*', re.DOTALL | re.IGNORECASE)


def offline(page: str) -> str:
    """``page`` without scripts loaded from the network (MathJax, require.js from a CDN).

    Report pages hold no equations or widgets, so nothing is lost, and a page opened without a
    network (or where a CDN is blocked) neither waits nor fails.

    Parameters
    ----------
    page : str
        An HTML document.

    Returns
    -------
    str

    Examples
    --------
    >>> offline('<head><script src="https://cdn.example/mathjax.js"></script><title>t</title></head>')
    '<head><title>t</title></head>'
    """
    return _MATHJAX_CONFIG.sub("", _REMOTE_SCRIPT.sub("", page))


def _html_page(nb, resources_name: str) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(embed_images=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": resources_name}})
    return with_cjk_font(offline(body))


FONT_FAMILY = "policylab CJK"


def cjk_font_css(text: str) -> str:
    """CSS embedding the packaged CJK font, cut down to the characters of ``text``, as a data URI.

    Tables and prose in a page then show Chinese on a machine without Chinese fonts (a server,
    a container, CI) -- a ``file://`` page may not load a font file beside it, so it is inlined.
    Subsetting keeps it small (a few tens of kB for a notebook page).

    Parameters
    ----------
    text : str
        The text the font must cover (only characters above U+2000 are kept).

    Returns
    -------
    str
        CSS (empty when ``text`` has no such character).

    Examples
    --------
    >>> css = cjk_font_css("人工智能")
    >>> css.startswith("@font-face") and "data:font/otf;base64," in css
    True
    >>> cjk_font_css("plain ASCII")
    ''
    """
    import base64
    import io

    from fontTools import subset


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
    """``page`` (an HTML document) with :func:`cjk_font_css` added at the end of its head.

    Parameters
    ----------
    page : str

    Returns
    -------
    str

    Examples
    --------
    >>> 'id="policylab-cjk-font"' in with_cjk_font("<html><head></head><body>南京</body></html>")
    True
    """
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


def _index_html(source: str, pages: list[dict], corpus_tables: list[str], summary: str, fmts=("csv",),
                citation: bool = False) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8"><title>policylab report</title>',
        f"<style>{_INDEX_CSS}</style></head><body>",
        "<h1>policylab report</h1>",
        f'<p class="meta">corpus: <code>{e(source)}</code> &middot; '
        '<a href="manifest.json">manifest.json</a> (versions, input hashes, artefact hashes) &middot; '
        '<a href="data_dictionary.html">data dictionary</a> (every table and column)'
        + (' &middot; <a href="CITATION.cff">CITATION.cff</a> (how to cite)' if citation else "") + "</p>",
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
                f'{e(t)} (' + " ".join(f'<a href="tables/{e(p["name"])}/{e(t)}.{f}">{f}</a>' for f in fmts) + ")"
                for t in p["tables"]
            ) + "</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


TOOLCHAIN = ("papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "ipython")


def _toolchain() -> dict:
    """Versions of the notebook toolchain (the library versions come from :func:`policylab.store.versions`)."""
    return {name: dist_version(name) for name in TOOLCHAIN}


def display_source(source: str | os.PathLike) -> str:
    """How the report names the corpus folder: relative to the current folder when inside it,
    else the folder's own name (an absolute path of the machine never goes into a report).

    Parameters
    ----------
    source : path

    Returns
    -------
    str

    Examples
    --------
    >>> display_source("seeds")
    'seeds'
    >>> display_source("/somewhere/else/pages")
    'pages'
    """
    p = Path(source).resolve()
    try:
        rel = p.relative_to(Path.cwd().resolve()).as_posix()
        return rel if rel != "." else p.name
    except ValueError:
        return p.name


def scrub_paths(text: str, replacements: dict[str, str]) -> str:
    """``text`` with each absolute path of ``replacements`` replaced (longest first), in plain and
    JSON-escaped spelling.

    Parameters
    ----------
    text : str
    replacements : dict
        Absolute path -> what to write instead.

    Returns
    -------
    str

    Examples
    --------
    >>> scrub_paths("read /home/me/proj/seeds/a.txt", {"/home/me/proj/seeds": "seeds"})
    'read seeds/a.txt'
    """
    for old in sorted(replacements, key=len, reverse=True):
        if not old or old == "/":
            continue
        new = replacements[old]
        text = text.replace(old, new)
        text = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
    return text


def data_dictionary_html() -> str:
    """An HTML page documenting every table and column, generated from :mod:`policylab.schema`.

    Returns
    -------
    str

    Examples
    --------
    >>> page = data_dictionary_html()
    >>> '<h2 id="documents">documents</h2>' in page and "doc_id" in page
    True
    """
    e = html.escape
    d = schema.describe()
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8"><title>policylab data dictionary</title>',
             f"<style>{_INDEX_CSS}</style></head><body>", "<h1>Data dictionary</h1>",
             "<p>Every table policylab writes, its columns, pandas dtypes and meaning (generated from "
             "<code>policylab/schema.py</code>). Nullable dtypes: a field the text does not give is empty, "
             "never guessed.</p>",
             "<p>" + " &middot; ".join(f'<a href="#{e(t)}">{e(t)}</a>' for t in d["table"].drop_duplicates()) + "</p>"]
    for t, rows in d.groupby("table", sort=False):
        parts.append(f'<h2 id="{e(t)}">{e(t)}</h2><table><tr><th>column</th><th>dtype</th><th>meaning</th></tr>')
        parts += [f"<tr><td><code>{e(r.column)}</code></td><td>{e(r.dtype)}</td><td>{e(r.doc)}</td></tr>"
                  for r in rows.itertuples()]
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def citation_file() -> Path | None:
    """The project's ``CITATION.cff`` (next to the package in a source checkout), or None.

    Returns
    -------
    pathlib.Path or None

    Examples
    --------
    >>> p = citation_file()
    >>> p is None or p.name == "CITATION.cff"
    True
    """
    p = Path(__file__).resolve().parent.parent / CITATION
    return p if p.is_file() else None


def build_report(
    source: str | os.PathLike = "seeds",
    out: str | os.PathLike = "reports",
    *,
    progress: bool = True,
    timeout: int = 600,
    notebooks: str | os.PathLike | list | None = None,
    kernel_name: str = "python3",
    unit: str | None = None,
    table_formats: str | tuple = ("csv",),
) -> Path:
    """Build the corpus, execute the notebooks and write the report into ``out``.

    Parameters
    ----------
    source : path
        Folder of raw pages (the corpus).
    out : path
        Output folder. Written: ``index.html``, ``<notebook>.html``, ``data_dictionary.html``,
        ``CITATION.cff``, ``notebooks/<notebook>.ipynb`` (executed), ``figures/<notebook>/*.png|svg|pdf``,
        ``tables/<notebook>/*.csv`` (and ``.tex``, ``.md``), ``corpus/`` (the corpus tables, Parquet +
        CSV) and ``manifest.json``. Other files in ``out`` are left alone.
    progress : bool
        Show progress bars (corpus build, notebooks) on stderr.
    timeout : int
        Seconds each notebook may run.
    notebooks : folder, path or list of paths, optional
        Which notebooks to run; default every ``NN_name.ipynb`` of the project's ``notebooks/`` folder.
    kernel_name : str
        Jupyter kernel; ``"python3"`` (default) is the interpreter running policylab.
    unit : {'city', 'province', 'issuer', 'level', 'document'} or None
        The comparison unit passed to every notebook (None: chosen from the corpus,
        :func:`policylab.labels.default_unit`).
    table_formats : str or tuple of str
        Formats of the tables: any of ``csv``, ``tex``, ``md`` (a comma-separated string or a tuple).

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
    >>> from policylab.runner import build_report
    >>> build_report("seeds", "reports", progress=False)     # doctest: +SKIP
    PosixPath('reports')
    """
    import nbformat
    from tqdm.auto import tqdm

    fmts = tuple(f.strip() for f in table_formats.split(",")) if isinstance(table_formats, str) else tuple(table_formats)
    bad = [f for f in fmts if f not in TABLE_FORMATS]
    if bad or not fmts:
        raise ValueError(f"table formats {bad or fmts}: choose from {', '.join(TABLE_FORMATS)}")
    nb_paths = _resolve_notebooks(notebooks)
    source_path = Path(source).resolve()
    source_name = display_source(source)
    out = Path(out)
    # SourceError propagates (the CLI reports it)
    corpus = load_corpus(source, progress=progress)
    out.mkdir(parents=True, exist_ok=True)
    try:
        with build_lock(out):
            build = Path(tempfile.mkdtemp(prefix=".report-", dir=out))
            try:
                _build(corpus, nb_paths, build, out, source_name, source_path, progress=progress, timeout=timeout,
                       kernel_name=kernel_name, unit=unit, fmts=fmts, nbformat=nbformat, tqdm=tqdm)
            finally:
                shutil.rmtree(build, ignore_errors=True)
    finally:
        with contextlib.suppress(OSError):  # the lock is only needed while a build runs
            (out / ".policylab.lock").unlink()
    return out


def _build(corpus, nb_paths, build: Path, out: Path, source_name: str, source_path: Path, *, progress, timeout,
           kernel_name, unit, fmts, nbformat, tqdm) -> None:
    # absolute paths of this machine -> what the report shows instead
    scrub = {str(build.resolve()): ".", str(build): ".", str(source_path): source_name,
             str(Path.cwd().resolve()): ".", str(Path.home()): "~"}
    tables = corpus.tables()
    corpus_manifest = json.loads(scrub_paths(json.dumps(build_manifest(corpus), ensure_ascii=False, default=str), scrub))
    write_tables(tables, build / "corpus", csv=True, manifest=corpus_manifest)
    with contextlib.suppress(OSError):  # write_tables' own lock: the report leaves none behind
        (build / "corpus" / ".policylab.lock").unlink()

    env = {
        "POLICYLAB_CACHE": str(cache_root()),  # the caller's project cache, not the build folder
        "MPLBACKEND": None,  # let the kernel use its inline backend
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        TABLE_FORMATS_ENV: ",".join(fmts),
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
            params = {"source": source_name, "tables": "corpus", "out_dir": ".", "unit": unit}
            t0 = time.monotonic()
            try:
                execute_notebook(path, executed, params, cwd=build, timeout=timeout, kernel_name=kernel_name)
            except ReportError:
                if executed.exists():  # keep the executed copy with its traceback for the user
                    (out / f"{name}.failed.ipynb").write_text(
                        scrub_paths(executed.read_text(encoding="utf-8"), scrub), encoding="utf-8")
                raise
            seconds = time.monotonic() - t0
            nb = nbformat.read(executed, as_version=4)
            pm = nb.metadata.get("papermill", {})
            for key in ("input_path", "output_path"):
                if key in pm:
                    pm[key] = path.name
            nb = nbformat.reads(scrub_paths(nbformat.writes(nb), scrub), as_version=4)
            nbformat.write(nb, executed)
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

    (build / "data_dictionary.html").write_text(with_cjk_font(data_dictionary_html()), encoding="utf-8")
    cff = citation_file()
    if cff is not None:
        shutil.copyfile(cff, build / CITATION)
    summary = scrub_paths(corpus.summary(), scrub)
    (build / "index.html").write_text(
        with_cjk_font(_index_html(source_name, pages, list(tables), summary, fmts, cff is not None)), encoding="utf-8")
    artefacts = []
    for p in sorted(build.rglob("*")):
        rel = p.relative_to(build)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            artefacts.append({"path": rel.as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)})
    manifest = {
        "policylab_report": 1,
        "source": source_name,
        "versions": {**versions(), **_toolchain()},
        "inputs": corpus_manifest["inputs"],
        "resources": resource_hashes(),
        "counts": corpus_manifest["counts"],
        "unit": unit,
        "table_formats": list(fmts),
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
