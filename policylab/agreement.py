"""Agreement between two coders of policy instruments (human or machine): κ, α, percent, confusion.

Agreement is measured on the primary code, at instrument level (S1 … D4) and at type level
(supply / environment / demand), as the codebook asks.

- :func:`cohen_kappa` -- Cohen's κ = (p_o − p_e) / (1 − p_e), p_e from the two coders' own marginals.
- :func:`krippendorff_alpha` -- Krippendorff's α for nominal data, 1 − D_o / D_e from the
  coincidence matrix; any number of coders, missing values allowed (a unit coded by fewer than
  two coders is not pairable and is left out).
- :func:`percent_agreement`, :func:`confusion_matrix`.
- :func:`agreement` -- one row per level (schema ``agreement``); :func:`disagreement` -- which
  instruments the coders disagree on most (schema ``disagreement``); :func:`agreement_findings`.
- Manual coding: :func:`export_coding` writes units to CSV or XLSX for a human coder,
  :func:`import_coding` reads the sheet back (codes checked against the codebook).
- :func:`labelled_set` -- the hand-coded units that measure the coder; :func:`coding_audit` -- the
  coder's agreement with them on the development and the held-out part.

A statistic that is undefined (both coders used one and the same category: p_e = 1) is NaN, never
an exception; an empty input gives an empty table.

Length: about 530 lines, of which some 250 are docstrings and examples and some 240 code. It holds
two jobs: the agreement statistics (percent, κ, α, confusion, and the per-level tables and findings
built on them) and the manual-coding round trip (:func:`parse_codes`, :func:`export_coding`,
:func:`import_coding`, about 140 lines). A later change should move the round trip to a module of
its own (e.g. ``policylab.coding``, between ``instruments`` and ``agreement`` in the layer order);
:func:`labelled_set` and :func:`coding_audit` stay here, as they are measured with the statistics.

Examples
--------
>>> a = ["S1", "S1", "E1", "D2", "E1", "S3"]
>>> b = ["S1", "S3", "E1", "D2", "E5", "S3"]
>>> round(cohen_kappa(a, b), 4), round(percent_agreement(a, b), 4)
(0.5862, 0.6667)
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from policylab import resources, schema
from policylab.instruments import CODES, LABELLED_FILE, code, type_of


def _pairs(a, b) -> tuple[list, list]:
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"the two codings differ in length ({len(a)} and {len(b)})")
    keep = [(x, y) for x, y in zip(a, b) if _present(x) and _present(y)]
    return [x for x, _ in keep], [y for _, y in keep]


def _present(x) -> bool:
    if x is None:
        return False
    try:
        return not pd.isna(x) and str(x).strip() != ""
    except (TypeError, ValueError):
        return True


def percent_agreement(a, b) -> float:
    """Share of units both coders coded with the same code (NaN if no unit is coded by both).

    Examples
    --------
    >>> percent_agreement(["S1", "E1", None], ["S1", "E2", "E1"])
    0.5
    """
    a, b = _pairs(a, b)
    if not a:
        return float("nan")
    return float(np.mean([x == y for x, y in zip(a, b)]))


def cohen_kappa(a, b) -> float:
    """Cohen's κ of two codings of the same units (pairs with a missing code are left out).

    Returns NaN when κ is undefined (no pairs, or chance agreement p_e = 1).

    Examples
    --------
    A hand-computed case: 10 units, p_o = 0.7; coder A uses x 5, y 5 times, coder B x 6, y 4,
    so p_e = 0.5·0.6 + 0.5·0.4 = 0.5 and κ = (0.7 − 0.5) / 0.5 = 0.4.

    >>> a = list("xxxxxyyyyy")
    >>> b = list("xxxxyxyyyx")
    >>> round(cohen_kappa(a, b), 10)
    0.4
    >>> cohen_kappa(["S1", "S1"], ["S1", "S1"])
    nan
    """
    a, b = _pairs(a, b)
    n = len(a)
    if n == 0:
        return float("nan")
    cats = sorted(set(a) | set(b), key=str)
    po = sum(x == y for x, y in zip(a, b)) / n
    pe = sum((a.count(c) / n) * (b.count(c) / n) for c in cats)
    if math.isclose(pe, 1.0):
        return float("nan")
    return float((po - pe) / (1 - pe))


def krippendorff_alpha(*codings) -> float:
    """Krippendorff's α, nominal metric, for two or more codings of the same units.

    Parameters
    ----------
    *codings : sequences
        One sequence per coder, aligned by unit; None / NaN / '' is a missing value.

    Returns
    -------
    float
        α = 1 − D_o / D_e; NaN when fewer than two pairable values exist or D_e = 0.

    Examples
    --------
    Hand computation (two coders, 4 units, no missing values): values x,x | x,y | y,y | y,y give
    the coincidence matrix o_xx = 2, o_xy = o_yx = 1, o_yy = 4, n = 8, n_x = 3, n_y = 5;
    D_o = 2/8, D_e = 2·3·5 / (8·7) = 30/56, α = 1 − (2/8)/(30/56) = 1 − 14/30 = 0.5333.

    >>> round(krippendorff_alpha(["x", "x", "y", "y"], ["x", "y", "y", "y"]), 4)
    0.5333
    """
    if len(codings) < 2:
        raise ValueError("Krippendorff's alpha needs at least two codings")
    lengths = {len(list(c)) for c in codings}
    if len(lengths) != 1:
        raise ValueError(f"the codings differ in length: {sorted(lengths)}")
    cols = [list(c) for c in codings]
    n_units = lengths.pop()
    coincidence: dict = {}
    for i in range(n_units):
        values = [str(c[i]) for c in cols if _present(c[i])]
        m = len(values)
        if m < 2:
            continue
        for p in range(m):
            for q in range(m):
                if p != q:
                    key = (values[p], values[q])
                    coincidence[key] = coincidence.get(key, 0.0) + 1.0 / (m - 1)
    n = sum(coincidence.values())
    if n <= 1:
        return float("nan")
    totals: dict = {}
    for (c, _), v in coincidence.items():
        totals[c] = totals.get(c, 0.0) + v
    d_o = sum(v for (c, k), v in coincidence.items() if c != k) / n
    d_e = sum(totals[c] * totals[k] for c in totals for k in totals if c != k) / (n * (n - 1))
    if d_e == 0:
        return float("nan")
    return float(1 - d_o / d_e)


def confusion_matrix(a, b, labels=None, names=("coder_a", "coder_b")) -> pd.DataFrame:
    """Counts of coder A's code (rows) against coder B's code (columns), every label shown.

    Parameters
    ----------
    a, b : sequences
        Codes of the same units (pairs with a missing code are left out).
    labels : list, optional
        Row and column order (default: codebook order of the codes used, then any others sorted).
    names : tuple of str
        Names of the row and column axes.

    Returns
    -------
    DataFrame
        Integer counts; an empty input gives an empty frame.

    Examples
    --------
    >>> confusion_matrix(["S1", "E1", "E1"], ["S1", "E1", "S1"]).values.tolist()
    [[1, 0], [1, 1]]
    """
    a, b = _pairs(a, b)
    if labels is None:
        used = set(a) | set(b)
        order = [c for c in CODES if c in used] + [x for x in ("supply", "environment", "demand", "none") if x in used]
        labels = order + sorted(used - set(order), key=str)
    m = pd.DataFrame(0, index=pd.Index(labels, name=names[0]), columns=pd.Index(labels, name=names[1]))
    for x, y in zip(a, b):
        m.loc[x, y] += 1
    return m


def _aligned(coding_a, coding_b, column: str, on: str) -> pd.DataFrame:
    if isinstance(coding_a, pd.DataFrame) and isinstance(coding_b, pd.DataFrame):
        if len(coding_a) == 0 or len(coding_b) == 0:
            return pd.DataFrame({"a": pd.Series([], dtype="object"), "b": pd.Series([], dtype="object")})
        left = coding_a[[on, column]].drop_duplicates(on)
        right = coding_b[[on, column]].drop_duplicates(on)
        m = left.merge(right, on=on, how="inner", suffixes=("_a", "_b"))
        return pd.DataFrame({on: m[on], "a": m[f"{column}_a"].astype("object"),
                             "b": m[f"{column}_b"].astype("object")})
    a, b = list(coding_a), list(coding_b)
    return pd.DataFrame({"a": pd.Series(a, dtype="object"), "b": pd.Series(b, dtype="object")})


def _norm(code):
    return code.strip().upper() if isinstance(code, str) and code.strip() else None


def agreement(coding_a, coding_b, column: str = "primary", on: str = "unit_id") -> pd.DataFrame:
    """Agreement of two coders at instrument and type level (schema ``agreement``).

    Parameters
    ----------
    coding_a, coding_b : DataFrame or sequence
        Two codings: DataFrames joined on ``on`` (units only one coder coded are left out), or two
        aligned sequences of codes.
    column : str
        Column holding the instrument code (S1 … D4, N).
    on : str
        Unit key for DataFrames.

    Returns
    -------
    DataFrame
        Rows 'instrument' and 'type': ``level, n_units, percent_agreement, cohen_kappa,
        krippendorff_alpha``. No unit in common gives two rows with n_units 0 and NaN statistics.

    Examples
    --------
    >>> agreement(["S1", "S2", "E1", "D2"], ["S1", "S3", "E1", "D2"]).round(3).values.tolist()
    [['instrument', 4, 0.75, 0.692, 0.72], ['type', 4, 1.0, 1.0, 1.0]]
    """
    pair = _aligned(coding_a, coding_b, column, on)
    a = [_norm(x) for x in pair["a"]]
    b = [_norm(x) for x in pair["b"]]
    ta = [type_of(x) for x in a]
    tb = [type_of(x) for x in b]
    rows = []
    for level, x, y in (("instrument", a, b), ("type", ta, tb)):
        px, py = _pairs(x, y)
        rows.append({"level": level, "n_units": len(px), "percent_agreement": percent_agreement(x, y),
                     "cohen_kappa": cohen_kappa(x, y),
                     "krippendorff_alpha": krippendorff_alpha(x, y) if len(px) else float("nan")})
    return schema.conform("agreement", pd.DataFrame(rows, columns=schema.columns("agreement")))


def disagreement(coding_a, coding_b, column: str = "primary", on: str = "unit_id") -> pd.DataFrame:
    """Which instruments the two coders disagree on most (schema ``disagreement``).

    For each code: units where either coder used it, where both did, the share of the former on
    which they differ, and the code the other coder chose most often in those cases. Sorted by
    ``disagreement`` then ``n_disagree`` (descending), then code.

    Examples
    --------
    >>> d = disagreement(["S1", "S2", "S2", "E1"], ["S1", "S3", "S2", "E1"])
    >>> d[["code", "n_either", "n_disagree", "confused_with"]].values.tolist()[:2]
    [['S3', 1, 1, 'S2'], ['S2', 2, 1, 'S3']]
    """
    pair = _aligned(coding_a, coding_b, column, on)
    a, b = _pairs([_norm(x) for x in pair["a"]], [_norm(x) for x in pair["b"]])
    rows = []
    for code in [c for c in CODES if c in set(a) | set(b)]:
        either = [(x, y) for x, y in zip(a, b) if code in (x, y)]
        both = sum(x == y == code for x, y in either)
        others = [y if x == code else x for x, y in either if x != y]
        confused = pd.Series(others, dtype="object").value_counts(sort=True)
        confused = confused.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
        rows.append({"code": code, "n_either": len(either), "n_both": both, "n_disagree": len(either) - both,
                     "disagreement": (len(either) - both) / len(either),
                     "confused_with": confused.index[0] if len(confused) else None})
    df = pd.DataFrame(rows, columns=schema.columns("disagreement"))
    if len(df):
        df = df.sort_values(["disagreement", "n_disagree", "code"], ascending=[False, False, True], kind="stable")
    return schema.conform("disagreement", df).reset_index(drop=True)


def agreement_findings(table: pd.DataFrame, goal: float = 0.7, label: str = "the coder") -> list[str]:
    """Sentences on an :func:`agreement` table: κ at each level, against a goal, with a small-n caveat.

    Examples
    --------
    >>> t = agreement(["S1", "S2", "E1", "D2"], ["S1", "S3", "E1", "D2"])
    >>> print(agreement_findings(t)[0])
    Type level: Cohen's κ = 1.00, Krippendorff's α = 1.00, agreement 100 % on 4 units (goal κ ≥ 0.70: met); with fewer than 30 units the figure is fragile.
    """
    out = []
    if table is None or len(table) == 0 or int(table["n_units"].fillna(0).max()) == 0:
        return ["No unit was coded by both coders, so agreement cannot be measured."]
    for level in ("type", "instrument"):
        row = table[table["level"] == level]
        if not len(row):
            continue
        r = row.iloc[0]
        n = int(r["n_units"])
        k, al, p = r["cohen_kappa"], r["krippendorff_alpha"], r["percent_agreement"]
        kappa = "undefined (one category only)" if pd.isna(k) else f"{k:.2f}"
        alpha = "undefined" if pd.isna(al) else f"{al:.2f}"
        s = (f"{level.capitalize()} level: Cohen's κ = {kappa}, Krippendorff's α = {alpha}, "
             f"agreement {p * 100:.0f} % on {n} units")
        if level == "type" and not pd.isna(k):
            s += f" (goal κ ≥ {goal:.2f}: {'met' if k >= goal else 'not met'})"
        if n < 30:
            s += "; with fewer than 30 units the figure is fragile"
        out.append(s + ".")
    return out


# ----------------------------------------------------------------------------- manual coding in and out

SHEET_COLUMNS = ["unit_id", "doc_id", "clause_ref", "heading", "text", "primary", "secondary", "note"]
_CODE_TOKEN = re.compile(r"\b([SED][1-5]|N)\b", re.IGNORECASE)


def parse_codes(value) -> list[str]:
    """Codes written in a spreadsheet cell: 'S1;S3', 's1, s3', 'S1 S3', a list, or empty.

    Examples
    --------
    >>> parse_codes("s1, S3;"), parse_codes(None), parse_codes(["E2"])
    (['S1', 'S3'], [], ['E2'])
    """
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v).strip().upper() for v in value if _present(v)]
    if not _present(value):
        return []
    return [m.group(1).upper() for m in _CODE_TOKEN.finditer(str(value))]


def export_coding(units: pd.DataFrame, path, include_codes: bool = False) -> Path:
    """Write units to a CSV or XLSX sheet for manual coding (the format follows the suffix).

    Parameters
    ----------
    units : DataFrame
        :func:`policylab.instruments.units` (or coded units).
    path : str or Path
        ``.csv`` (UTF-8 with BOM, so Excel shows the Chinese) or ``.xlsx`` (with a ``codebook``
        sheet listing the codes and a drop-down list on the ``primary`` column).
    include_codes : bool
        Pre-fill ``primary``/``secondary`` with the units' codes (to review a coder's work);
        default blank, for an independent coder.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> u = pd.DataFrame({"unit_id": ["d:1:1"], "doc_id": ["d"], "text": ["设立人工智能专项资金。"]})
    >>> p = export_coding(u, pathlib.Path(tempfile.mkdtemp()) / "sheet.csv")
    >>> pd.read_csv(p, encoding="utf-8-sig").columns.tolist()
    ['unit_id', 'doc_id', 'clause_ref', 'heading', 'text', 'primary', 'secondary', 'note']
    """
    path = Path(path)
    sheet = pd.DataFrame({c: (units[c] if c in units else pd.Series([None] * len(units), index=units.index))
                          for c in SHEET_COLUMNS})
    if include_codes and "primary" in units:
        sheet["secondary"] = [";".join(parse_codes(v)) for v in units.get("secondary", [None] * len(units))]
    else:
        sheet["primary"] = None
        sheet["secondary"] = None
    sheet["note"] = units["note"] if "note" in units else None
    sheet = sheet.astype("object").where(sheet.notna(), None)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        sheet.to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        _write_xlsx(sheet, path)
    else:
        raise ValueError(f"export_coding writes .csv or .xlsx, not {path.suffix!r} ({path})")
    return path


def _write_xlsx(sheet: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "units"
    ws.append(SHEET_COLUMNS)
    for row in sheet.itertuples(index=False):
        ws.append([None if v is None else str(v) for v in row])
    dv = DataValidation(type="list", formula1='"' + ",".join(CODES) + '"', allow_blank=True)
    ws.add_data_validation(dv)
    col = chr(ord("A") + SHEET_COLUMNS.index("primary"))
    dv.add(f"{col}2:{col}{max(2, len(sheet) + 1)}")
    ws.column_dimensions[chr(ord("A") + SHEET_COLUMNS.index("text"))].width = 80
    cb = wb.create_sheet("codebook")
    cb.append(["code", "type", "instrument"])
    for c, (t, zh) in CODES.items():
        cb.append([c, t, zh])
    wb.save(path)


def import_coding(path, coder: str | None = None) -> pd.DataFrame:
    """Read a coding sheet back (CSV or XLSX written by :func:`export_coding`, edited by a coder).

    Parameters
    ----------
    path : str or Path
        The sheet; for XLSX the first sheet is read.
    coder : str, optional
        Name recorded in the ``coder`` column (default: the file's stem).

    Returns
    -------
    DataFrame
        ``unit_id, primary, secondary (list), type, coder, note``; a row left blank has a null
        ``primary`` (not coded). Codes are case-insensitive.

    Raises
    ------
    ValueError
        Naming the rows whose ``primary`` is not a code of the codebook, or a sheet without
        ``unit_id`` / ``primary`` columns.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "coder1.csv"
    >>> pd.DataFrame({"unit_id": ["a", "b"], "primary": ["s2", None], "secondary": ["S4", None]}).to_csv(p, index=False)
    >>> import_coding(p)[["unit_id", "primary", "type", "coder"]].values.tolist()
    [['a', 'S2', 'supply', 'coder1'], ['b', <NA>, <NA>, 'coder1']]
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=True)
    elif suffix in (".xlsx", ".xlsm"):
        df = pd.read_excel(path, dtype=str, sheet_name=0, engine="openpyxl")
    else:
        raise ValueError(f"import_coding reads .csv or .xlsx, not {path.suffix!r} ({path})")
    missing = [c for c in ("unit_id", "primary") if c not in df.columns]
    if missing:
        raise ValueError(f"{path.name}: the sheet has no column {', '.join(missing)}")
    primary = [p[0] if (p := parse_codes(v)) else None for v in df["primary"]]
    bad = [(uid, v) for uid, v, p in zip(df["unit_id"], df["primary"], primary) if _present(v) and p is None]
    bad += [(uid, v) for uid, v in zip(df["unit_id"], df["primary"])
            if _present(v) and len(parse_codes(v)) > 1]
    if bad:
        shown = "; ".join(f"{u}: {v!r}" for u, v in bad[:10])
        raise ValueError(f"{path.name}: primary must be one code of the codebook ({', '.join(CODES)}); "
                         f"{len(bad)} row(s) are not: {shown}")
    out = pd.DataFrame({
        "unit_id": df["unit_id"].astype("string"),
        "primary": pd.array(primary, dtype="string"),
        "secondary": pd.Series([parse_codes(v)[:2] for v in df.get("secondary", [None] * len(df))],
                               index=df.index, dtype="object"),
        "type": pd.array([type_of(p) for p in primary], dtype="string"),
        "coder": pd.array([coder or path.stem] * len(df), dtype="string"),
        "note": df["note"].astype("string") if "note" in df else pd.array([pd.NA] * len(df), dtype="string"),
    })
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------- the labelled set

def labelled_set(split: str | None = None, path=None) -> pd.DataFrame:
    """The hand-coded units that measure the coder (``resources/instruments_labelled.csv``).

    Parameters
    ----------
    split : {'dev', 'heldout'}, optional
        One part only; the held-out part (a seeded 30 %) was never looked at while the cues were
        set.
    path : str or Path, optional
        Another labelled file in the same format.

    Returns
    -------
    DataFrame
        ``unit_id, doc_id, source, clause_ref, heading, text, primary, secondary (list), type,
        split, coder``.

    Examples
    --------
    >>> lab = labelled_set()
    >>> len(lab) >= 200, sorted(lab["split"].unique())
    (True, ['dev', 'heldout'])
    """
    p = resources.path(LABELLED_FILE) if path is None else Path(path)
    df = pd.read_csv(p, dtype=str, keep_default_na=True)
    df["secondary"] = pd.Series([parse_codes(v) for v in df["secondary"]], index=df.index, dtype="object")
    if split is not None:
        df = df[df["split"] == split]
    return df.reset_index(drop=True)


def coding_audit(labelled: pd.DataFrame | None = None, codebook=None) -> pd.DataFrame:
    """Agreement of the coder (:func:`policylab.instruments.code`) with the hand-coded set, per split.

    Parameters
    ----------
    labelled : DataFrame, optional
        Hand-coded units with ``unit_id, text, primary`` (and ``heading``, ``split``); default
        :func:`labelled_set`.
    codebook : path, optional
        Cue file to audit (default the packaged one).

    Returns
    -------
    DataFrame
        ``split, level, n_units, percent_agreement, cohen_kappa, krippendorff_alpha`` for each split
        ('dev', 'heldout', 'all'); at instrument level percent agreement is the coder's accuracy.

    Examples
    --------
    >>> a = coding_audit()
    >>> a[a["level"] == "type"]["split"].tolist()
    ['dev', 'heldout', 'all']
    """
    lab = labelled_set() if labelled is None else labelled
    if len(lab) == 0:
        return pd.DataFrame(columns=["split"] + schema.columns("agreement"))
    machine = code(lab.drop(columns=[c for c in ("primary", "secondary", "type") if c in lab]), codebook)
    parts = []
    splits = list(dict.fromkeys(lab["split"])) if "split" in lab else []
    for name in [s for s in ("dev", "heldout") if s in splits] + ["all"]:
        sel = lab if name == "all" else lab[lab["split"] == name]
        m = machine[machine["unit_id"].isin(sel["unit_id"])]
        parts.append(agreement(sel, m).assign(split=name))
    out = pd.concat(parts, ignore_index=True)
    return out[["split"] + schema.columns("agreement")]
