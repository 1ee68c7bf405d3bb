"""Page: one file -> its clean policy text, or a rejection in words (read -> clean -> gate).

The per-file part of a build, run for every input file (in this process, in worker processes or
on a Dask cluster, see :mod:`policylab.distributed`):

1. **read** the file (:func:`policylab.ingest.read_page`: size and type checks, encoding, HTML);
2. **clean** the page (:func:`policylab.clean.clean_page`: noise lines, artefacts, Traditional);
3. **gate** it (:func:`policy_text_gate`): a page counts as a document only if enough Chinese text
   is left (``min_chars``, default 200 Han characters) and it shows at least :data:`MIN_CUES`
   distinct marks of an official policy text (``resources/policy_cues.txt``).

:func:`process_file` never raises: every failure becomes the ``reason`` of a ``rejected`` row.
Its result is a plain dict, so it travels between processes.

Examples
--------
>>> from policylab.page import process_file
>>> r = process_file("seeds", "001_4de147ab1a0c3745.txt")
>>> r["status"], r["encoding"], r["reason"]
('document', 'utf-8', None)
"""

from __future__ import annotations

from policylab.clean import CleanResult, clean_page
from policylab.ingest import DEFAULT_MAX_BYTES, DEFAULT_MAX_LINE_CHARS, IngestError, read_page
from policylab.text import count_han

__all__ = ["DEFAULT_MIN_CHARS", "MIN_CUES", "policy_text_gate", "process_file"]

DEFAULT_MIN_CHARS = 200  # Han characters a page must keep after cleaning to count as a document
MIN_CUES = 2  # distinct policy-text cues (resources/policy_cues.txt) a document must show


def policy_text_gate(cleaned: CleanResult, min_chars: int = DEFAULT_MIN_CHARS) -> str | None:
    """Why a cleaned page is no policy document, in words; None when it is one.

    Parameters
    ----------
    cleaned : CleanResult
        :func:`policylab.clean.clean_page` of the page.
    min_chars : int
        Han characters the page must keep after cleaning.

    Returns
    -------
    str or None

    Examples
    --------
    >>> from policylab.clean import clean_page
    >>> policy_text_gate(clean_page("首页 > 政策文件\\n登录 注册"))[:15]
    'no policy text:'
    """
    n_han = count_han(cleaned.text, stop_at=min_chars)  # the full count only matters below the bar
    if n_han < min_chars:
        return (
            f"no policy text: after removing page noise only {n_han} Chinese characters remain "
            f"(fewer than {min_chars}); the page holds navigation, forms or ads only"
        )
    if cleaned.n_cues < MIN_CUES:
        return (
            "not a policy document: the text shows none of the marks of an official policy text "
            "(文号, 通知/方案/意见/规划, 指导思想/重点任务/保障措施, 责任单位 ...)"
        )
    return None


def process_file(
    root: str,
    relpath: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    min_chars: int = DEFAULT_MIN_CHARS,
    max_line_chars: int = DEFAULT_MAX_LINE_CHARS,
) -> dict:
    """Read, clean and gate one file; never raises.

    Parameters
    ----------
    root : str
        The source folder (or single file).
    relpath : str
        The file, as :func:`policylab.ingest.list_files` gives it.
    max_bytes, min_chars, max_line_chars : int
        See :func:`policylab.load_corpus`.

    Returns
    -------
    dict
        ``path, sha256, bytes, encoding, format, status`` ('document' or 'rejected'), ``reason``,
        ``removed`` (line_no, text, reason) and ``page_fields`` (line_no, field, label, value);
        a document also has ``text, script, n_artefacts_repaired, n_traditional_left, noise``.

    Examples
    --------
    >>> r = process_file("seeds", "no_such_file.txt")
    >>> r["status"], r["reason"].startswith("cannot read file") or r["reason"].startswith("file not found")
    ('rejected', True)
    """
    res: dict = {"path": relpath, "sha256": None, "bytes": None, "encoding": None, "format": None,
                 "status": "rejected", "reason": None, "removed": [], "page_fields": []}
    try:
        page = read_page(root, relpath, max_bytes=max_bytes, max_line_chars=max_line_chars)
    except IngestError as e:
        res.update(reason=str(e), sha256=e.sha256, bytes=e.n_bytes)
        return res
    except Exception as e:  # an unforeseen failure stays one file's problem, said in words
        res["reason"] = f"cannot read file: {type(e).__name__}: {e}"
        return res
    res.update(sha256=page.sha256, bytes=page.n_bytes, encoding=page.encoding, format=page.format)
    try:
        cr = clean_page(page.text, page.meta_fields, cue_limit=MIN_CUES)  # all the gate asks
    except Exception as e:
        res["reason"] = f"cleaning failed: {type(e).__name__}: {e}"
        return res
    res["removed"] = [(r.line_no, r.text, r.reason) for r in cr.removed]
    res["page_fields"] = [(p.line_no, p.field, p.label, p.value) for p in cr.page_fields]
    reason = policy_text_gate(cr, min_chars)
    if reason is not None:
        res["reason"] = reason
        return res
    res.update(
        status="document",
        text=cr.text,
        script=cr.script,
        n_artefacts_repaired=cr.n_artefacts_repaired,
        n_traditional_left=cr.n_traditional_left,
        noise=len(cr.removed) + cr.n_artefacts_repaired,
    )
    return res
