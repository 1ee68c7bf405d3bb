"""Keyword charts: drawn with Chinese labels, no missing glyphs, Chinese text in SVG and PDF."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from policylab import keywords as kw
from policylab import plots
from policylab.plots import keywords as kp
from policylab.segment import tokenize

CITY = {"001": "南京", "002": "合肥", "003": "成都", "004": "沈阳"}


@pytest.fixture(scope="module")
def data(corpus):
    d = corpus.documents
    meta = pd.DataFrame({"doc_id": d["doc_id"], "city": [CITY[p.rsplit("/", 1)[-1][:3]] for p in d["source_path"]]})
    tokens = tokenize(d, boilerplate=True)
    freq = kw.frequency(tokens, by="city", meta=meta)
    key = kw.keyness(tokens, target="南京", by="city", meta=meta)
    g, nodes = kw.keyword_network(kw.cooccurrence(tokens, window=5, min_count=3), max_edges=60)
    return freq, key, g, nodes


def _draw(make):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" becomes a failure
        return make()


def _save_and_check(fig, stem, must_have):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = plots.save_figure(fig, stem)
    plt.close(fig)
    png, svg, pdf = paths
    assert png.stat().st_size > 1000
    text = svg.read_text(encoding="utf-8")
    for s in must_have:
        assert s in text, f"{s!r} not in {svg.name}"
    assert b"NotoSansCJK" in pdf.read_bytes()  # the CJK font is embedded in the PDF


def test_top_keywords_small_multiples(data, tmp_path):
    freq = data[0]
    fig = _draw(lambda: kp.top_keywords(freq, by="city", n=8, value="per_10k"))
    assert len([a for a in fig.axes if a.get_visible()]) == 4
    _save_and_check(fig, tmp_path / "top", ["南京", "沈阳", "人工智能", "每万词频次"])


def test_keyness_chart(data, tmp_path):
    key = data[1]
    fig = _draw(lambda: kp.keyness_chart(key, n=10, target_label="南京", reference_label="其他城市"))
    _save_and_check(fig, tmp_path / "keyness", ["先导区", "其他城市", "关键性"])


def test_wordclouds_per_city_no_repeated_words(data, tmp_path):
    freq = data[0]
    fig = _draw(lambda: kp.wordclouds(freq, by="city", n=60))
    drawn = [a for a in fig.axes if a.get_visible()]
    assert len(drawn) == 4
    for ax in drawn:
        assert len(ax.words_) == len(set(ax.words_)) > 10
    assert "人工智能" in drawn[0].words_
    _save_and_check(fig, tmp_path / "clouds", ["合肥", "成都"])


def test_cooccurrence_network(data, tmp_path):
    g, nodes = data[2], data[3]
    fig = _draw(lambda: kp.cooccurrence_network(g, nodes, title="关键词共现网络"))
    _save_and_check(fig, tmp_path / "network", ["人工智能", "关键词共现网络"])
