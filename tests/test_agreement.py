"""Agreement between coders: κ and α against hand-computed examples and independent implementations
(scikit-learn's cohen_kappa_score, the krippendorff package), the confusion matrix, which instruments
disagree most, and the round trip export → edit in a spreadsheet → import → agreement."""

from __future__ import annotations

import math
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from policylab import agreement, instruments, schema
from policylab.corpus import load_corpus

ROOT = Path(__file__).resolve().parents[1]
CODES = [c for c in instruments.CODES if c != "N"]


def _random_codings(seed: int, n: int = 120, p_same: float = 0.6):
    rng = np.random.default_rng(seed)
    a = rng.choice(CODES, size=n)
    b = np.where(rng.random(n) < p_same, a, rng.choice(CODES, size=n))
    return list(a), list(b)


def test_hand_computed_kappa_and_alpha():
    # 10 units, 2 categories. Agreement on 7: p_o = 0.7. A uses x 5 times, B 6 times:
    # p_e = 0.5*0.6 + 0.5*0.4 = 0.5, so kappa = (0.7 - 0.5) / 0.5 = 0.4.
    a = list("xxxxxyyyyy")
    b = list("xxxxyxyyyx")
    assert agreement.percent_agreement(a, b) == pytest.approx(0.7)
    assert agreement.cohen_kappa(a, b) == pytest.approx(0.4)
    # alpha: pairable values n = 20; n_x = 11, n_y = 9; disagreeing pairs 3, counted both ways: o_xy = o_yx = 3.
    # D_o = 6/20; D_e = 2*11*9 / (20*19) = 198/380; alpha = 1 - (6/20)/(198/380) = 1 - 114/198
    assert agreement.krippendorff_alpha(a, b) == pytest.approx(1 - 114 / 198)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_kappa_matches_scikit_learn(seed):
    a, b = _random_codings(seed)
    assert agreement.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_alpha_matches_the_krippendorff_package(seed):
    a, b = _random_codings(seed)
    index = {c: i for i, c in enumerate(CODES)}
    data = np.array([[index[x] for x in a], [index[x] for x in b]], dtype=float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert agreement.krippendorff_alpha(a, b) == pytest.approx(expected, abs=1e-12)


def test_alpha_with_missing_values_and_three_coders():
    rng = np.random.default_rng(9)
    coders = []
    for _ in range(3):
        c = list(rng.choice(["S1", "E1", "D2", "S4"], size=60))
        coders.append(c)
    coders[1] = [x if rng.random() < 0.8 else None for x in coders[0]]
    coders[2][:10] = [None] * 10
    index = {"S1": 0, "E1": 1, "D2": 2, "S4": 3}
    data = np.array([[np.nan if x is None else index[x] for x in c] for c in coders], dtype=float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert agreement.krippendorff_alpha(*coders) == pytest.approx(expected, abs=1e-12)


def test_undefined_and_degenerate_cases_are_nan_not_errors():
    assert math.isnan(agreement.cohen_kappa(["S1"] * 5, ["S1"] * 5))
    assert math.isnan(agreement.krippendorff_alpha(["S1"] * 5, ["S1"] * 5))
    assert math.isnan(agreement.cohen_kappa([], []))
    assert math.isnan(agreement.percent_agreement([None], ["S1"]))
    with pytest.raises(ValueError, match="differ in length"):
        agreement.cohen_kappa(["S1"], ["S1", "S2"])
    # perfect agreement on two categories
    assert agreement.cohen_kappa(["S1", "E1"], ["S1", "E1"]) == 1.0


def test_agreement_table_levels_and_dataframe_join():
    a = pd.DataFrame({"unit_id": ["u1", "u2", "u3", "u4", "u5"], "primary": ["S1", "S2", "E1", "D2", "E5"]})
    b = pd.DataFrame({"unit_id": ["u5", "u4", "u3", "u2", "u9"], "primary": ["e5", "D1", "E1", "S3", "S1"]})
    t = agreement.agreement(a, b)
    schema.validate("agreement", t)
    inst, typ = t.set_index("level").loc["instrument"], t.set_index("level").loc["type"]
    assert inst["n_units"] == 4  # u2..u5 in common; codes are case-insensitive
    assert inst["percent_agreement"] == pytest.approx(0.5)
    assert typ["percent_agreement"] == pytest.approx(1.0)
    x, y = ["S2", "E1", "D2", "E5"], ["S3", "E1", "D1", "E5"]
    assert inst["cohen_kappa"] == pytest.approx(cohen_kappa_score(x, y))


def test_confusion_matrix_and_disagreement():
    a = ["S1", "S1", "S2", "S2", "S2", "E1", "D2", "D2"]
    b = ["S1", "S3", "S2", "S4", "S4", "E1", "D2", "D1"]
    m = agreement.confusion_matrix(a, b)
    assert m.values.sum() == 8 and np.trace(m.values) == 4
    assert list(m.index) == ["S1", "S2", "S3", "S4", "E1", "D1", "D2"]
    assert m.loc["S2", "S4"] == 2
    d = agreement.disagreement(a, b)
    schema.validate("disagreement", d)
    row = d.set_index("code").loc["S2"]
    assert (row["n_either"], row["n_both"], row["confused_with"]) == (3, 1, "S4")
    assert d["disagreement"].is_monotonic_decreasing
    assert d.iloc[0]["disagreement"] == 1.0


def test_findings_on_agreement():
    t = agreement.agreement(*_random_codings(1, n=200, p_same=0.9))
    lines = agreement.agreement_findings(t)
    assert lines[0].startswith("Type level") and "goal κ ≥ 0.70: met" in lines[0]
    assert "fragile" not in lines[0]
    assert agreement.agreement_findings(agreement.agreement([], [])) == [
        "No unit was coded by both coders, so agreement cannot be measured."]
    assert "undefined" in agreement.agreement_findings(agreement.agreement(["S1"] * 3, ["S1"] * 3))[1]


# ----------------------------------------------------------------------------- round trip

@pytest.fixture(scope="module")
def seed_coded():
    return instruments.code(instruments.units(load_corpus(ROOT / "seeds")))


def test_round_trip_xlsx_edit_in_a_spreadsheet(tmp_path, seed_coded):
    from openpyxl import load_workbook

    path = agreement.export_coding(seed_coded, tmp_path / "coder_b.xlsx")
    wb = load_workbook(path)
    ws = wb["units"]
    header = [c.value for c in ws[1]]
    assert header == agreement.SHEET_COLUMNS and "codebook" in wb.sheetnames
    assert ws.cell(row=2, column=header.index("primary") + 1).value is None  # blank for a blind coder
    # a second coder agrees with the machine except on every 10th unit, where she writes E5 (or S1)
    machine = dict(zip(seed_coded["unit_id"], seed_coded["primary"]))
    changed = 0
    for i, row in enumerate(ws.iter_rows(min_row=2), start=0):
        uid = row[header.index("unit_id")].value
        code = machine[uid]
        if i % 10 == 0:
            code = "S1" if code == "E5" else "E5"
            changed += 1
        row[header.index("primary")].value = code.lower() if i % 7 == 0 else code
        row[header.index("secondary")].value = "S3; s4" if i == 1 else None
    wb.save(path)
    back = agreement.import_coding(path, coder="B")
    assert len(back) == len(seed_coded) and set(back["coder"]) == {"B"}
    assert back.loc[1, "secondary"] == ["S3", "S4"]
    t = agreement.agreement(seed_coded, back).set_index("level")
    assert t.loc["instrument", "n_units"] == len(seed_coded)
    assert t.loc["instrument", "percent_agreement"] == pytest.approx(1 - changed / len(seed_coded))
    assert t.loc["instrument", "cohen_kappa"] == pytest.approx(
        cohen_kappa_score(seed_coded["primary"], back["primary"].str.upper()))
    d = agreement.disagreement(seed_coded, back)
    assert set(d.loc[d["n_disagree"] > 0, "code"]) <= set(seed_coded["primary"]) | {"E5", "S1"}


def test_round_trip_csv_with_pandas_and_blank_rows(tmp_path, seed_coded):
    path = agreement.export_coding(seed_coded, tmp_path / "coder_c.csv", include_codes=True)
    sheet = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert sheet["primary"].tolist() == seed_coded["primary"].tolist()
    assert "人工智能" in "".join(sheet["text"])
    sheet.loc[:9, "primary"] = None  # ten units not coded yet
    sheet.to_csv(path, index=False, encoding="utf-8-sig")
    back = agreement.import_coding(path)
    assert back["primary"].isna().sum() == 10 and set(back["coder"]) == {"coder_c"}
    t = agreement.agreement(seed_coded, back).set_index("level")
    assert t.loc["instrument", "n_units"] == len(seed_coded) - 10
    assert t.loc["instrument", "percent_agreement"] == 1.0


def test_import_rejects_codes_not_in_the_codebook(tmp_path):
    p = tmp_path / "bad.csv"
    pd.DataFrame({"unit_id": ["a", "b", "c"], "primary": ["S1", "supply", "S1 E2"]}).to_csv(p, index=False)
    with pytest.raises(ValueError, match=r"bad.csv: primary must be one code.*b: 'supply'.*c: 'S1 E2'"):
        agreement.import_coding(p)
    p2 = tmp_path / "nocol.csv"
    pd.DataFrame({"id": ["a"]}).to_csv(p2, index=False)
    with pytest.raises(ValueError, match="no column unit_id, primary"):
        agreement.import_coding(p2)
    with pytest.raises(ValueError, match="writes .csv or .xlsx"):
        agreement.export_coding(pd.DataFrame({"unit_id": ["a"]}), tmp_path / "x.json")


def test_coding_audit_gives_both_parts():
    audit = agreement.coding_audit()
    assert audit["split"].tolist() == ["dev", "dev", "heldout", "heldout", "all", "all"]
    n = audit.set_index(["split", "level"])["n_units"]
    assert n[("dev", "type")] + n[("heldout", "type")] == n[("all", "type")] >= 200
    empty = agreement.coding_audit(agreement.labelled_set().iloc[:0])
    assert len(empty) == 0
