"""The corpus-shape matrix: the analysis the report's pages run finishes on every shape of corpus, and
says in one line when there is nothing to show.

Shapes (crafted pages under tests/fixtures/shapes/, one seed page, and benchmarks/generate):
one document; one city with several documents, two in the same year; no city (provincial plans);
no dates; no targets; no numbered sections; every page rejected; 1,000 documents.

Library-level tests run here for every shape; the full report (notebooks in kernels) runs on three
small shapes at the end (slow).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from policylab import findings, keywords, labels, load_corpus, timeline, topics

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "tests" / "fixtures" / "shapes"
CRAFTED = ["one_city", "no_city", "no_dates", "no_targets", "no_sections", "all_rejected"]


@pytest.fixture(scope="module")
def shape_dirs(tmp_path_factory) -> dict[str, Path]:
    dirs = {name: SHAPES / name for name in CRAFTED}
    one = tmp_path_factory.mktemp("one_doc")
    shutil.copy(ROOT / "seeds" / "003_356282190eccce49.txt", one)
    dirs["one_doc"] = one
    return dirs


@pytest.fixture(scope="module")
def corpora(shape_dirs):
    return {name: load_corpus(d, progress=False) for name, d in shape_dirs.items()}


def _analyse(corpus) -> dict:
    """What the pages compute, through the same library calls, on one corpus."""
    docs = labels.with_labels(corpus.documents)
    out = {"docs": docs, "unit": labels.default_unit(corpus.documents)}
    out["corpus"] = findings.corpus_findings(corpus)
    out["period"] = findings.period_findings(docs) if len(docs) else []
    if len(docs):
        tokens = topics.section_tokens(corpus.sections, docs)
        excluded = keywords.excluded_terms(tokens, docs, corpus.agencies)
        content = tokens[~tokens["token"].isin(set(excluded["term"]))]
        out["key"] = keywords.distinctive(content, "group", documents=docs[["doc_id", "group"]])
        out["distinctive"] = findings.distinctive_findings(out["key"])
        n_units = tokens[["doc_id", "section_id"]].drop_duplicates().shape[0]
        out["ks"] = topics.k_candidates(n_units)
        comparison = timeline.compare_targets(corpus.targets, docs.assign(city=docs["group"]))
        out["targets"] = findings.target_findings(comparison.assign(group=comparison["city"]))
        out["timeline"] = timeline.document_timeline(docs, corpus.targets)
    return out


@pytest.mark.parametrize("shape", ["one_doc", *CRAFTED])
def test_every_shape_gets_unique_labels_and_no_pooled_missing_group(corpora, shape):
    docs = labels.with_labels(corpora[shape].documents)
    assert docs["label"].is_unique and docs["label"].notna().all()
    assert docs["group"].notna().all()  # a document without a city is its own group, never <NA>
    assert labels.document_labels(docs.iloc[::-1]).tolist() == docs["label"].iloc[::-1].tolist()  # stable


def test_one_document(corpora):
    a = _analyse(corpora["one_doc"])
    assert a["unit"] == "document" and len(a["docs"]) == 1
    assert a["key"].empty and a["distinctive"] == ["No distinctive words to show: there are fewer than two groups to compare."]
    assert "not trends" in a["period"][1]
    assert a["ks"]  # one plan's sections still support a small topic model


def test_one_city_several_documents_same_year(corpora):
    a = _analyse(corpora["one_city"])
    docs = a["docs"]
    assert len(docs) == 3 and docs["city"].nunique() == 1
    assert a["unit"] == "document"  # one city: documents are compared with each other
    assert docs["label"].str.startswith("南京 · 2023").sum() == 2
    assert a["period"][0].startswith("The 3 documents are dated 2023–2024 (2023: 2, 2024: 1")
    assert len(a["key"]) and a["key"]["group"].nunique() == 3


def test_no_city_compares_provinces(corpora):
    a = _analyse(corpora["no_city"])
    docs = a["docs"]
    assert docs["city"].isna().all() and a["unit"] == "province"
    assert sorted(docs["group"]) == ["四川", "江苏", "浙江"]
    # different years: the 核心产业规模 targets are listed as not compared, never ranked
    assert not any("highest in" in s for s in a["targets"])


def test_no_dates(corpora):
    a = _analyse(corpora["no_dates"])
    assert a["docs"]["year"].isna().all()
    assert a["period"] == ["No dated documents to show: none of the 2 documents has a year."]
    assert a["timeline"].empty or a["timeline"]["start"].isna().all()


def test_no_targets(corpora):
    a = _analyse(corpora["no_targets"])
    assert a["targets"] == ["No quantitative targets to compare to show: no document sets a dated target."]


def test_no_numbered_sections(corpora):
    c = corpora["no_sections"]
    assert (c.sections["level"] == 0).all()
    a = _analyse(c)
    assert any("no document has numbered headings" in s for s in a["corpus"])
    assert a["ks"] == ()  # one section: no topic model, and the page says so


def test_every_page_rejected(corpora):
    c = corpora["all_rejected"]
    assert c.documents.empty and (c.files["status"] == "rejected").all()
    a = _analyse(c)
    assert a["corpus"][0].startswith("2 files were read: 0 became documents") and "no policy text: 2" in a["corpus"][0]
    assert a["corpus"][1].startswith("No documents to analyse: every page was rejected")
    assert findings.rejection_summary(c.files)["files"].tolist() == [2]


@pytest.mark.slow
def test_a_thousand_documents(tmp_path):
    from benchmarks.generate import generate

    folder = generate(name="shape_1000", n_docs=1000, doc_kb=2.0, out_dir=tmp_path)
    c = load_corpus(folder, progress=False, n_jobs=2)
    assert len(c.documents) >= 800 and len(c.files) == 1000
    docs = labels.with_labels(c.documents)
    assert docs["label"].is_unique and docs["group"].notna().all()
    assert labels.default_unit(c.documents) == "city"
    trend = findings.period_findings(docs)
    assert len(trend) == 2
    n_units = c.sections[["doc_id", "section_id"]].drop_duplicates().shape[0]
    assert max(topics.k_candidates(n_units)) <= 30
    comparison = timeline.compare_targets(c.targets, docs.assign(city=docs["group"]))
    out = findings.target_findings(comparison.assign(group=comparison["city"]))
    assert out and all(isinstance(s, str) for s in out)


# ---- the full report on three shapes -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["all_rejected", "one_city", "no_city"])
def test_full_report_finishes_on_the_shape(shape_dirs, tmp_path, shape):
    import nbformat

    from policylab import cli

    out = tmp_path / "report"
    assert cli.main(["report", str(shape_dirs[shape]), "--out", str(out), "-q"]) == 0
    assert (out / "index.html").is_file() and not list(out.rglob(".policylab.lock"))
    for nb_path in sorted((out / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        text = "\n".join(o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code"
                         for o in c.outputs if "text/markdown" in o.get("data", {}))
        assert "**Findings**" in text, nb_path.name
        if shape == "all_rejected" and nb_path.stem in ("02_keywords", "03_topics", "04_timeline"):
            assert "No documents to show: every page was rejected" in "\n".join(
                o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs), nb_path.name
    if shape == "all_rejected":
        page = (out / "01_corpus.html").read_text(encoding="utf-8")
        assert "No documents to analyse: every page was rejected" in page and "no policy text" in page
