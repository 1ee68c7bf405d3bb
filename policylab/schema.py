"""The schema of every table policylab produces, in one place.

Each table is a list of :class:`Column` (name, pandas dtype, meaning). ``validate`` checks a
DataFrame against its schema and is what the tests (and the build) call, so this file is the
single documentation of the tables a user gets.

Dtypes are pandas' nullable extension types (``string``, ``Int64``, ``boolean``) so that a field
the text does not give is ``<NA>``, never ``""`` or ``0``. Dates are ``datetime64[ns]`` (``NaT``
when absent) -- except where noted.

Length: about 560 lines, of which some 460 are the table declarations themselves -- 354 columns of
45 tables, each with its dtype and its meaning -- and only some 40 the functions that read them. The
declarations are the documentation of every table a user gets, which is this module's one job, so
they stay in one place.

Examples
--------
>>> from policylab.schema import SCHEMAS, columns
>>> columns("files")[:3]
['path', 'sha256', 'bytes']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    doc: str


C = Column

SCHEMAS: dict[str, list[Column]] = {
    # ---- corpus foundation (ingest / clean / dedup) ---------------------------------
    "files": [
        C("path", "string", "path of the input file relative to the source folder, '/'-separated"),
        C("sha256", "string", "sha256 of the file's bytes (null if the file could not be read)"),
        C("bytes", "Int64", "size of the file in bytes"),
        C("encoding", "string", "detected text encoding (e.g. utf-8, utf-8-sig, gb18030, big5, utf-16)"),
        C("format", "string", "'text' or 'html'"),
        C("status", "string", "'document' (canonical), 'duplicate' (of another file) or 'rejected'"),
        C("reason", "string", "why the file was rejected, or how it duplicates its canonical copy"),
        C("doc_id", "string", "id of the document the file became (its canonical document for duplicates)"),
        C("duplicate_of", "string", "for duplicates: path of the canonical file"),
        C("similarity", "Float64", "for duplicates: estimated Jaccard similarity to the canonical text"),
    ],
    "documents": [
        C("doc_id", "string", "stable id: 'd' + first 12 hex digits of sha256 of the source file bytes"),
        # ---- report (issue 12): policylab.labels.document_labels
        C("label", "string", "readable unique name 'place · year · short title' (labels.document_labels); "
                             "disambiguated by doc_id digits; null until the labels are applied"),
        C("source_path", "string", "path (relative to the source folder) of the canonical file"),
        C("script", "string", "script of the source: 'simplified' or 'traditional'"),
        C("n_chars", "Int64", "characters in the clean text"),
        C("n_traditional_left", "Int64", "characters still Traditional after conversion (audit; 0 is good)"),
        C("n_artefacts_repaired", "Int64", "converter artefacts (pinyin in parentheses) removed"),
        C("n_duplicates", "Int64", "number of other files recorded as duplicates of this document"),
        C("text", "string", "clean text, Simplified, one paragraph per line"),
    ],
    "removed": [
        C("path", "string", "input file the line came from"),
        C("line_no", "Int64", "1-based line number in the decoded input"),
        C("text", "string", "the removed line as it stood"),
        C("reason", "string", "kind of noise (e.g. 'spam', 'navigation', 'share_buttons', 'page_field', ...)"),
    ],
    "page_fields": [
        C("path", "string", "input file the field came from"),
        C("line_no", "Int64", "1-based line number in the decoded input"),
        C("field", "string", "normalised field name (e.g. 'published', 'issuer', 'level', 'source')"),
        C("label", "string", "the label as printed on the page, Simplified (e.g. 发布时间)"),
        C("value", "string", "the value as printed, Simplified"),
    ],
    # ---- metadata and structure (meta.py, structure.py, issue 3) -----------------------
    # document_metadata: the columns meta.document_metadata() returns; corpus.py merges them
    # into `documents` on doc_id. Rules in policylab/meta.py's module docstring.
    "document_metadata": [
        C("doc_id", "string", "document"),
        C("title", "string", "the plan's own title (joined when broken over lines)"),
        C("notice_title", "string", "the 关于印发…的通知 wrapper, when present"),
        C("doc_number", "string", "文号, normalised to the 〔2022〕 form (e.g. 宁政发〔2022〕133号)"),
        C("issuer", "string", "发文机关 as written; joint issuers joined with '、'"),
        C("issuer_source", "string", "'signature' (signature block), 'title' (organ opening the title) or 'page'"),
        C("doc_type", "string", "genre named by the title's last words (实施方案, 实施意见, 行动计划, ...)"),
        C("city", "string", "prefecture-level city (short name, e.g. 南京); null for provincial/national"),
        C("province", "string", "province-level division (short name, e.g. 江苏)"),
        C("level", "string", "'municipal', 'provincial', 'national' (or 'county' from a page field)"),
        C("place_source", "string", "what resolved the place: 'issuer', 'title', 'doc_number' or 'page'"),
        C("issued", "datetime64[ns]", "成文日期: the date of the signature block"),
        C("published", "datetime64[ns]", "a publication date the page gives (发布时间), never the issue date"),
        C("updated", "datetime64[ns]", "an update date the page gives (更新于)"),
        C("effective_from", "datetime64[ns]", "start of validity (自…施行/实施)"),
        C("effective_to", "datetime64[ns]", "end of validity (有效期至…)"),
        C("plan_start", "Int64", "first year of a period in the title ((2018-2020年))"),
        C("plan_end", "Int64", "last year of a period in the title"),
        C("target_years", "string", "sorted horizon years (到20XX年, stage goals), comma-separated: '2020,2025'"),
        C("year", "Int64", "year for timelines: issued, else effective_from, else published, else plan_start"),
        C("year_source", "string", "field that gave `year` ('issued', ..., or 'correction')"),
    ],
    "metadata_corrections": [
        C("doc_key", "string", "key as written in data/corrections.csv (doc_id or source file name)"),
        C("doc_id", "string", "document the key resolved to (null if unknown)"),
        C("field", "string", "metadata field corrected"),
        C("old_value", "string", "value before the correction (as text; null if it was null)"),
        C("new_value", "string", "value from the corrections file (null = set to null)"),
        C("source", "string", "where the researcher found the value"),
        C("note", "string", "researcher's note"),
        C("status", "string", "'applied', 'unknown_document', 'unknown_field' or 'bad_value'"),
    ],
    "sections": [
        C("doc_id", "string", "document"),
        C("section_id", "string", "path from the document's own numbering ('3', '3.2', '3.2.7'); '0' = preamble; a repeated number gets a suffix ('3.2~2')"),
        C("parent_id", "string", "section_id of the enclosing heading (null at top level and for '0')"),
        C("level", "Int64", "0 preamble, 1 一、, 2 (一), 3 1. / 1、, 4 (1)"),
        C("label", "string", "the numbering as a label: '一', '(一)', '1', '(1)' (null for '0')"),
        C("heading", "string", "heading line or run-in heading (指导思想 of '(一)指导思想。…'); null if none"),
        C("text", "string", "the section's own body: paragraphs under the heading up to the next heading (children excluded), one per line; —— bullets stay here"),
        C("order", "Int64", "0-based position in the document"),
    ],
    "agencies": [
        C("doc_id", "string", "document"),
        C("section_id", "string", "section whose text holds the responsibility clause"),
        C("clause", "Int64", "0-based number of the responsibility clause within the document"),
        C("agency", "string", "agency as written (e.g. 市工信局, 有关区(市)县)"),
        C("role", "string", "'lead' (marked 牵头 / 牵头单位) or 'responsible'"),
    ],
    "citations": [
        C("doc_id", "string", "citing document"),
        C("section_id", "string", "section where the citation stands"),
        C("cited_title", "string", "title in 《…》 (null when only a number is cited)"),
        C("cited_doc_number", "string", "文号 of the cited document, normalised (null if not given)"),
    ],
    # ---- policy instruments (instruments.py, agreement.py, issue 16) ------------------------
    "instrument_units": [
        C("unit_id", "string", "'doc_id:section_id:sentence' (or ':sentence.clause' for a ；clause); unique"),
        C("doc_id", "string", "document"),
        C("section_id", "string", "section (see 'sections') whose own text holds the unit"),
        C("clause_ref", "string", "citable position in the section tree: section path with dashes + sentence ('3-2-1', '3-2-1.2' for the 2nd ；clause)"),
        C("sentence", "Int64", "1-based sentence within the section's text"),
        C("clause", "Int64", "1-based ；clause within the sentence"),
        C("level", "Int64", "level of the section (0 preamble, 1 一、, 2 (一), 3 1., 4 (1))"),
        C("heading", "string", "heading of the section (context only; headings are never units)"),
        C("text", "string", "the measure, responsibility clauses and leading —— removed"),
        C("city", "string", "city of the document (null if unknown)"),
        C("level_of_government", "string", "policy level of the document (documents.level)"),
        C("year", "Int64", "year of the document (documents.year)"),
    ],
    "instrument_codes": [
        C("unit_id", "string", "unit (see 'instrument_units'); all unit columns are kept"),
        C("primary", "string", "instrument code S1-S5, E1-E5, D1-D4 (N = not a measure)"),
        C("secondary", "object", "list of up to two further codes (empty list if none)"),
        C("type", "string", "'supply', 'environment', 'demand' ('none' for N)"),
        C("evidence", "string", "cue words per code and the decision rule that fired, e.g. 'S2:补贴,专项资金; rule1'"),
        C("rule", "string", "decision rule that set the primary code ('rule1'..'rule5', 'score', 'fallback' or 'not_a_measure')"),
    ],
    "instrument_shares": [
        C("group", "string", "value of the grouping column(s) joined by ' / ' ('all' without grouping)"),
        C("category", "string", "type or instrument code"),
        C("n", "Int64", "units of this category in the group"),
        C("n_units", "Int64", "units in the group"),
        C("share", "float64", "n / n_units"),
        C("ci_low", "float64", "lower bound of the bootstrap interval over units (percentile)"),
        C("ci_high", "float64", "upper bound of the bootstrap interval over units"),
        C("n_docs", "Int64", "documents the group's units come from"),
    ],
    "instrument_comparison": [
        C("type", "string", "supply, environment or demand"),
        C("share", "float64", "share in this corpus"),
        C("ci_low", "float64", "bootstrap lower bound"),
        C("ci_high", "float64", "bootstrap upper bound"),
        C("published", "float64", "published share (provincial and city AI policies: 45.86 / 33.45 / 20.69 %)"),
        C("difference", "float64", "share - published"),
        C("published_in_interval", "boolean", "whether the published share lies inside the interval"),
    ],
    "agreement": [
        C("level", "string", "'instrument' or 'type'"),
        C("n_units", "Int64", "units both coders coded"),
        C("percent_agreement", "float64", "share of units with the same code"),
        C("cohen_kappa", "float64", "Cohen's kappa (null when undefined: one category only)"),
        C("krippendorff_alpha", "float64", "Krippendorff's alpha, nominal (null when undefined)"),
    ],
    "disagreement": [
        C("code", "string", "instrument code"),
        C("n_either", "Int64", "units where either coder used the code"),
        C("n_both", "Int64", "units where both did"),
        C("n_disagree", "Int64", "n_either - n_both"),
        C("disagreement", "float64", "n_disagree / n_either (1 - positive specific agreement's Jaccard form)"),
        C("confused_with", "string", "the other coder's most frequent code when they disagree"),
    ],
    # ---- segmentation and keywords (segment.py, keywords.py, issue 8) -------------------
    "tokens": [
        C("doc_id", "string", "document (tokenize(df, unit_col=X) inserts column X after doc_id)"),
        C("position", "Int64", "0-based position in the unit's full token stream; dropped tokens (stopwords, numbers, punctuation) leave gaps so distances stay true"),
        C("token", "string", "the token (jieba + domain dictionary), NFKC-normalised"),
        C("pos", "string", "jieba.posseg tag (n, v, nz, ...) when tokenize(pos=True), else null"),
    ],
    "section_tokens": [
        C("doc_id", "string", "document"),
        C("section_id", "string", "section (see 'sections'); tokenize(sections, unit_col='section_id')"),
        C("position", "Int64", "0-based position in the section's full token stream (gaps where tokens were dropped)"),
        C("token", "string", "the token"),
        C("pos", "string", "jieba.posseg tag when tokenize(pos=True), else null"),
    ],
    "keyword_frequency": [
        C("token", "string", "the token (the `by` grouping columns, if any, come first)"),
        C("n", "Int64", "occurrences in the group"),
        C("n_tokens", "Int64", "tokens in the group (after the caller's filtering)"),
        C("per_10k", "Float64", "occurrences per 10,000 tokens of the group"),
        C("n_units", "Int64", "documents/units of the group containing the token"),
        C("rank", "Int64", "1 = most frequent in the group (ties broken by token)"),
    ],
    "keyword_tfidf": [
        C("token", "string", "the token (the `by` columns identifying the unit come first)"),
        C("n", "Int64", "occurrences of the token in the unit"),
        C("tfidf", "Float64", "scikit-learn TF-IDF weight (smooth idf, rows L2-normalised)"),
        C("rank", "Int64", "1 = highest weight within the unit (ties broken by token)"),
    ],
    "keyness": [
        C("token", "string", "the token"),
        C("n_target", "Int64", "occurrences in the target group (a)"),
        C("n_reference", "Int64", "occurrences in the reference group (b)"),
        C("expected_target", "Float64", "expected a under independence: (a+b)*(a+c)/N"),
        C("expected_reference", "Float64", "expected b under independence: (a+b)*(b+d)/N"),
        C("per_10k_target", "Float64", "a per 10,000 target tokens"),
        C("per_10k_reference", "Float64", "b per 10,000 reference tokens"),
        C("g2", "Float64", "log-likelihood G2 of the 2x2 table (4 cells), signed: negative when the token is relatively more frequent in the reference"),
        C("p_g2", "Float64", "p-value of |G2| on chi-squared with 1 df"),
        C("chi2", "Float64", "Pearson chi2 of the 2x2 table (no continuity correction unless asked), signed like g2"),
        C("p_chi2", "Float64", "p-value of chi2 with 1 df"),
        C("log_ratio", "Float64", "effect size: log2 of the ratio of relative frequencies (0.5 added to zero counts)"),
        C("rank", "Int64", "1 = most key for the target (by signed g2, ties by token)"),
    ],
    "kwic": [
        C("doc_id", "string", "document"),
        C("unit", "string", "unit id within the document (e.g. section_id) as text; null when units are documents"),
        C("position", "Int64", "position of the keyword's first token"),
        C("left", "string", "context before the keyword (tokens joined without spaces)"),
        C("keyword", "string", "the matched token(s)"),
        C("right", "string", "context after the keyword"),
    ],
    "cooccurrence": [
        C("token_a", "string", "first token (token_a < token_b in code-point order)"),
        C("token_b", "string", "second token"),
        C("n", "Int64", "co-occurrences: pairs within the window, or units holding both (window=None)"),
        C("n_a", "Int64", "occurrences of token_a (window) or units holding it (unit mode)"),
        C("n_b", "Int64", "occurrences of token_b (window) or units holding it (unit mode)"),
        C("pmi", "Float64", "pointwise mutual information log2(p(a,b) / (p(a) p(b)))"),
        C("npmi", "Float64", "PMI normalised to [-1, 1] by -log2 p(a,b)"),
    ],
    "keyword_nodes": [
        C("token", "string", "node (a token)"),
        C("frequency", "Int64", "occurrences of the token"),
        C("degree", "Int64", "number of neighbours in the network"),
        C("weighted_degree", "Float64", "sum of edge weights (co-occurrence counts)"),
        C("degree_centrality", "Float64", "networkx degree centrality"),
        C("betweenness", "Float64", "networkx betweenness centrality (unweighted, normalised)"),
    ],
    # ---- term discovery (terms.py, issue 13) -------------------------------------------
    "term_candidates": [
        C("term", "string", "the candidate, its tokens joined without spaces"),
        C("parts", "string", "the tokens it is made of, space-separated (as the segmenter cut them)"),
        C("n_parts", "Int64", "number of tokens (2..max_n)"),
        C("frequency", "Int64", "occurrences in the corpus"),
        C("doc_frequency", "Int64", "documents it occurs in"),
        C("pmi", "Float64", "cohesion: PMI of its parts at the weakest split, log2 (higher = more word-like)"),
        C("left_entropy", "Float64", "branching entropy (bits) of the tokens just before it; an edge is a neighbour of its own"),
        C("right_entropy", "Float64", "branching entropy (bits) of the tokens just after it"),
        C("score", "Float64", "pmi * min(left_entropy, right_entropy); the ranking"),
        C("in_longer", "Float64", "share of its occurrences inside its most frequent one-token-longer candidate"),
        C("known", "boolean", "already a term of the domain or user dictionaries"),
        C("rank", "Int64", "1 = best candidate (score, then frequency, then term)"),
        C("example", "string", "the first occurrence with up to four tokens either side"),
    ],
    # ---- topic models (topics.py, issue 4) ---------------------------------------------
    "topic_terms": [
        C("topic", "Int64", "topic number, 1..K in order of decreasing overall prevalence"),
        C("term", "string", "a vocabulary term (a token)"),
        C("weight", "Float64", "the topic's weight on the term, normalised to sum to 1 over terms"),
        C("rank", "Int64", "1 = heaviest term of the topic (ties broken by term)"),
    ],
    "unit_topics": [
        C("doc_id", "string", "document of the unit"),
        C("section_id", "string", "unit within the document: the section_id (or the model's second "
                                  "unit column, e.g. a paragraph id); null when units are whole documents"),
        C("topic", "Int64", "topic number (1..K)"),
        C("weight", "Float64", "share of the unit on the topic; sums to 1 over topics within a unit"),
    ],
    "topic_labels": [
        C("topic", "Int64", "topic number (1..K)"),
        C("top_terms", "string", "the topic's top terms, heaviest first, space-separated"),
        C("label", "string", "a human label read off the topic (from a labels CSV); null if none given"),
    ],
    "topic_coherence": [
        C("topic", "Int64", "topic number (1..K)"),
        C("npmi", "Float64", "mean NPMI of the top-term pairs, unit co-occurrence; in [-1, 1], higher is better"),
        C("umass", "Float64", "mean UMass log((D(w_m,w_l)+1)/D(w_l)) over top-term pairs; usually < 0, higher is better"),
    ],
    "model_selection": [
        C("method", "string", "'nmf' or 'lda'"),
        C("k", "Int64", "number of topics"),
        C("seed", "Int64", "random_state of the fit"),
        C("npmi", "Float64", "NPMI coherence, mean over topics (top n_top terms)"),
        C("umass", "Float64", "UMass coherence, mean over topics (top n_top terms)"),
        C("diversity", "Float64", "share of unique terms among all topics' top n_top terms"),
        C("stability", "Float64", "mean Hungarian-matched cosine similarity to the other seeds' models "
                                  "(same method and k); 1.0 = identical topics; null with one seed"),
        C("perplexity", "Float64", "LDA: in-sample perplexity (lower is better); null for NMF"),
        C("reconstruction_error", "Float64", "NMF: Frobenius norm of X - WH; null for LDA"),
    ],
    "prevalence": [
        C("by", "string", "grouping: 'doc_id', 'city', 'year' or another documents column"),
        C("group", "string", "the group's value (a doc_id, a city, a year as text)"),
        C("topic", "Int64", "topic number (1..K)"),
        C("share", "Float64", "mean share of the topic over the group's units"),
        C("ci_low", "Float64", "lower bound of the bootstrap percentile interval (units resampled)"),
        C("ci_high", "Float64", "upper bound of the bootstrap percentile interval"),
        C("n_units", "Int64", "units (sections) in the group"),
    ],
    "top_units": [
        C("topic", "Int64", "topic number (1..K)"),
        C("rank", "Int64", "1 = the unit with the highest share of the topic"),
        C("doc_id", "string", "document of the unit"),
        C("section_id", "string", "section (unit) id"),
        C("weight", "Float64", "the unit's share of the topic"),
        C("city", "string", "city of the document (null if not known)"),
        C("heading", "string", "heading of the section (null for a preamble or unknown)"),
        C("text", "string", "the section's own text"),
    ],
    # ---- targets and timeline (targets.py, timeline.py, issue 5) -----------------------
    "targets": [
        C("doc_id", "string", "document of the quantity"),
        C("section_id", "string", "section the quantity stands in (structure's section_id)"),
        C("target_year", "Int64", "horizon year the sentence stands under (到2025年 / stage goal 2023年,), "
                                  "inherited within the section and from parent sections; null if none"),
        C("year_source", "string", "where target_year comes from: 'horizon' (a horizon before the quantity in "
                                   "its section), 'parent_section' (inherited from an enclosing section), "
                                   "'plan_period' (no horizon: the end of the plan's period, targets only); "
                                   "null when there is no year"),
        C("indicator", "string", "what is measured, e.g. 人工智能核心产业规模 (null if the text names nothing)"),
        C("value", "Float64", "the number as printed (low end of a range); Chinese numerals converted"),
        C("value_high", "Float64", "high end of a range such as 1—2个; null otherwise"),
        C("unit", "string", "unit as printed: 亿元, 万元, 家, 个, 项, 人, %, ...; null for a bare '10000+'"),
        C("comparator", "string", "超过, 突破, 达到, 以上, 左右, 不少于, 力争, 最高, '+', ...; null if none"),
        C("value_std", "Float64", "value in a standard unit: money in yuan, counts as numbers, % as percent; "
                                  "null for foreign currency"),
        C("kind", "string", "'target' (a commitment) or 'support' (subsidy, cap, funding ratio)"),
        C("indicator_family", "string", "industry_scale, enterprises, scenarios_projects, "
                                        "platforms_infrastructure, talent, patents_standards or other "
                                        "(resources/indicator_families.csv)"),
        C("sentence", "string", "the sentence the quantity stands in"),
    ],
    "document_timeline": [
        C("doc_id", "string", "document"),
        C("city", "string", "city of the document (null if not known)"),
        C("title", "string", "title of the document (null if not known)"),
        C("event", "string", "'issued', 'published', 'in_force', 'plan_period' or 'target'"),
        C("start", "datetime64[ns]", "start of the event (a year alone reads as 1 January)"),
        C("end", "datetime64[ns]", "end of the event (a year alone reads as 31 December); = start for points"),
        C("year", "Int64", "calendar year of start"),
    ],
    "term_prevalence": [
        C("year", "Int64", "year of the documents (null when not grouped by year)"),
        C("city", "string", "city of the documents (null when not grouped by city)"),
        C("term", "string", "the term counted"),
        C("count", "Int64", "occurrences of the term (as one token or as consecutive tokens)"),
        C("n_tokens", "Int64", "tokens in the group"),
        C("per_10k", "Float64", "occurrences per 10,000 tokens"),
        C("n_docs", "Int64", "documents in the group"),
    ],
    "first_mentions": [
        C("city", "string", "group (city) the first mention is looked for in; null when not grouped"),
        C("term", "string", "the term"),
        C("first_year", "Int64", "earliest year of a document mentioning the term; null if never"),
        C("first_doc_id", "string", "that document (the first by doc_id when several share the year)"),
        C("n_docs", "Int64", "documents of the group mentioning the term"),
    ],
    "topic_trends": [
        C("year", "Int64", "year of the documents"),
        C("city", "string", "city (null when not grouped by city)"),
        C("topic", "Int64", "topic number (1..K)"),
        C("weight", "Float64", "mean topic weight over the year's documents (each document the mean of its units)"),
        C("n_docs", "Int64", "documents in the year"),
    ],
    "target_comparison": [
        C("city", "string", "city of the document (null if not known)"),
        C("doc_id", "string", "document"),
        C("title", "string", "title of the document (null if not known)"),
        C("target_year", "Int64", "horizon year"),
        C("indicator", "string", "what is measured"),
        C("indicator_family", "string", "family of the indicator"),
        C("comparator", "string", "comparator as printed"),
        C("value", "Float64", "value as printed (low end of a range)"),
        C("value_high", "Float64", "high end of a range"),
        C("unit", "string", "unit as printed"),
        C("value_std", "Float64", "value in a standard unit (money in yuan)"),
    ],
}


# The corpus' documents table carries the metadata columns of the meta stage (``document_metadata``)
# between its audit columns and the clean text, so one table answers "which document, what does it
# say, when and where".
DOCUMENT_BASE = [c.name for c in SCHEMAS["documents"]]
SCHEMAS["documents"] = (
    [c for c in SCHEMAS["documents"] if c.name != "text"]
    + [c for c in SCHEMAS.get("document_metadata", []) if c.name != "doc_id"]
    + [c for c in SCHEMAS["documents"] if c.name == "text"]
)

# ---- text reuse, citations as links, comparison of documents (reuse.py, compare.py, issue 17) ----
# `reference` marks documents added from a second folder (reuse.with_reference /
# `policylab build SOURCE --reference REF`); it stands just before `text`.
SCHEMAS["documents"].insert(
    len(SCHEMAS["documents"]) - 1,
    C("reference", "boolean", "True for a document of the reference folder (national/provincial texts added "
                              "for reuse and citation matching), False for the corpus' own; null when built "
                              "without a reference folder"),
)
_DIRECTION = [
    C("directed", "boolean", "True when the dates order the pair: doc_a is then the earlier document"),
    C("direction_basis", "string", "what decided the order: 'issued' (both 成文 dates), 'year' (the year rule's "
                                   "years differ); undirected: 'same_issued', 'same_year', 'no_date'"),
    C("year_a", "Int64", "year of doc_a by the year rule (documents.year)"),
    C("year_b", "Int64", "year of doc_b by the year rule"),
    C("level_a", "string", "level of doc_a (national, provincial, municipal, county)"),
    C("level_b", "string", "level of doc_b"),
    C("from_higher_level", "boolean", "True when doc_a's level is above doc_b's (national > provincial > "
                                      "municipal > county): the later document takes a higher level's text (for "
                                      "undirected pairs the higher-level document is doc_a); null if a level is unknown"),
]
SCHEMAS.update({
    "reuse": [
        C("doc_a", "string", "source document: the earlier one when `directed`, else the higher level's (else the smaller doc_id)"),
        C("doc_b", "string", "the other document (the later one, which takes the passage, when `directed`)"),
        C("start_a", "Int64", "offset of the passage in doc_a's clean `text` (0-based)"),
        C("end_a", "Int64", "end offset in doc_a's text (exclusive)"),
        C("start_b", "Int64", "offset of the passage in doc_b's text"),
        C("end_b", "Int64", "end offset in doc_b's text (exclusive)"),
        C("chars", "Int64", "characters the two spans share in the alignment (letters, digits, Han; punctuation not counted; "
                            "boilerplate inside the passage included, though find's min_chars counts only the rest)"),
        C("similarity", "Float64", "2 * chars / (len_a + len_b) over the two spans' characters; 1.0 = exact copy"),
        C("text_a", "string", "the passage as doc_a has it"),
        C("text_b", "string", "the passage as doc_b has it"),
        *_DIRECTION,
    ],
    "reuse_pairs": [
        C("doc_a", "string", "source document (see reuse.doc_a)"),
        C("doc_b", "string", "the other document"),
        C("n_passages", "Int64", "passages the two documents share"),
        C("chars", "Int64", "characters shared, summed over the passages"),
        C("chars_a", "Int64", "characters of doc_a's text covered by the passages (overlaps counted once)"),
        C("chars_b", "Int64", "characters of doc_b's text covered by the passages"),
        C("share_a", "Float64", "chars_a / length of doc_a's text"),
        C("share_b", "Float64", "chars_b / length of doc_b's text: the share of the later document taken from doc_a"),
        *_DIRECTION,
    ],
    "citation_links": [
        C("doc_id", "string", "citing document"),
        C("section_id", "string", "section where the citation stands"),
        C("cited_title", "string", "title in 《…》 (null when only a number is cited)"),
        C("cited_doc_number", "string", "文号 of the cited document, normalised (null if not given)"),
        C("cited_doc_id", "string", "the corpus document cited (null: the corpus does not hold it)"),
        C("match", "string", "'doc_number' or 'title': what matched; null when nothing did"),
        C("cited_level", "string", "level of the cited document from its 文号's issuing code or its title's issuer "
                                   "(national, provincial, municipal); null if neither tells"),
    ],
    "missing_citations": [
        C("cited_doc_number", "string", "文号 of a cited document the corpus does not hold (null if cited by title only)"),
        C("cited_title", "string", "its title as cited"),
        C("cited_level", "string", "its level (see citation_links.cited_level)"),
        C("n_citing", "Int64", "documents citing it"),
        C("citing", "string", "their doc_ids, comma-separated, sorted"),
    ],
    "document_similarity": [
        C("doc_a", "string", "a document (or group, e.g. a city, when compared by group)"),
        C("doc_b", "string", "another one (every ordered pair a != b)"),
        C("cosine", "Float64", "cosine similarity of the two TF-IDF vectors (content tokens)"),
        C("reuse_share", "Float64", "share of doc_a's text found in passages shared with doc_b (0 when none)"),
    ],
    "nearest_neighbours": [
        C("doc_id", "string", "a document (or group)"),
        C("rank", "Int64", "1 = most similar; tied values share the rank"),
        C("neighbour", "string", "the neighbour"),
        C("value", "Float64", "its similarity (the measure asked for)"),
        C("tied", "boolean", "True when another neighbour of doc_id has the same value"),
    ],
    "dendrogram": [
        C("node", "Int64", "id of the merged cluster: n_leaves + step (scipy linkage numbering)"),
        C("left", "Int64", "first child (a leaf index < n_leaves, or an earlier node)"),
        C("right", "Int64", "second child"),
        C("distance", "Float64", "1 - similarity at which the two merge (average linkage by default)"),
        C("size", "Int64", "documents under the node"),
    ],
    "clusters": [
        C("doc_id", "string", "a document (or group)"),
        C("leaf", "Int64", "its leaf index in the dendrogram (row order of the similarity matrix)"),
        C("order", "Int64", "position in the dendrogram's left-to-right leaf order"),
        C("cluster", "Int64", "flat cluster at the cut (1..k)"),
    ],
})

# ---- the build links its citations (structure.link_citations, issue 17 wiring) ----------------
# `citations` of a build carries the link columns of `citation_links` (the same columns, in order).
SCHEMAS["citations"].extend(
    [c for c in SCHEMAS["citation_links"] if c.name not in {x.name for x in SCHEMAS["citations"]}]
)


def columns(table: str) -> list[str]:
    """Column names of ``table`` in schema order."""
    return [c.name for c in SCHEMAS[table]]


def empty(table: str) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of ``table``."""
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in SCHEMAS[table]})


def conform(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the schema's columns, in order, cast to the schema's dtypes.

    Missing columns are added as nulls; extra columns are an error (they would be undocumented).
    """
    extra = [c for c in df.columns if c not in columns(table)]
    if extra:
        raise ValueError(f"table {table!r} has columns not in its schema: {extra}")
    out = {}
    for name, dtype in _dtypes(tuple((c.name, c.dtype) for c in SCHEMAS[table])):
        if name in df.columns:
            col = df[name]
            # a column already of its dtype is taken as it is: casting it again changes nothing
            # and, called once per table part, costs more than the small parts themselves
            out[name] = col if col.dtype == dtype else col.astype(dtype)
        else:
            out[name] = pd.Series([pd.NA] * len(df), index=df.index, dtype=dtype)
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


# the plain lists some text columns were built from (:func:`from_columns` ``keep``), by the Arrow
# array that holds them (kept alive here, so its id names it): a later stage reading the same column
# of the same frame gets the list back instead of converting every string again
_KEPT_LISTS: dict[int, tuple] = {}
_KEPT_MAX = 16  # columns; the oldest go first
_READ_MAX_BYTES = 8 << 20  # a text column read (not built) is kept up to this much UTF-8 (~a batch's texts)


def column_list(df: pd.DataFrame, name: str) -> list:
    """``df[name].tolist()``: the very list the column was built from when :func:`from_columns`
    kept it and the frame still holds that column (a stage reading what the one before built).

    Any other Arrow-backed text column is converted once and kept the same way (up to
    :data:`_READ_MAX_BYTES` of text): the metadata, sections and citations stages each read the
    documents' texts from the same frame, and converting every string again cost each ~2 ms per
    100 documents.

    Parameters
    ----------
    df : DataFrame
    name : str
        A column of ``df``.

    Returns
    -------
    list
        Shared with other readers: read it, do not change it.

    Examples
    --------
    >>> t = from_columns("agencies", {"doc_id": ["d1", "d2"], "agency": ["市科技局", None]}, keep=("agency",))
    >>> column_list(t, "agency") == t["agency"].tolist() == ["市科技局", pd.NA]
    True
    """
    col = df[name]
    chunked = getattr(col.array, "_pa_array", None)
    kept = _KEPT_LISTS.get(id(chunked)) if chunked is not None else None
    if kept is not None and kept[0] is chunked:
        return kept[1]
    values = col.tolist()
    # an Arrow array never changes (pandas puts a new one in a column it writes to), so the list
    # stays the column's while the array is kept alive here; a big column is not kept (memory)
    if isinstance(col.dtype, pd.StringDtype) and isinstance(chunked, _pa_chunked()) and chunked.nbytes <= _READ_MAX_BYTES:
        _keep(chunked, values)
    return values


def _keep(chunked, values: list, folded: bool = False) -> None:
    """Keep ``values`` as the list of the Arrow array ``chunked`` (:func:`column_list`)."""
    while len(_KEPT_LISTS) >= _KEPT_MAX:
        _KEPT_LISTS.pop(next(iter(_KEPT_LISTS), None), None)  # the oldest first
    _KEPT_LISTS[id(chunked)] = (chunked, values, folded)


def column_is_folded(df: pd.DataFrame, name: str) -> bool:
    """Whether ``df[name]`` is a column :func:`from_columns` built and marked ``folded``, still
    held by the frame (its texts are folded: :func:`policylab.text.fold` leaves each as it is).
    False means "not known", never "not folded".

    Parameters
    ----------
    df : DataFrame
    name : str

    Returns
    -------
    bool

    Examples
    --------
    >>> t = from_columns("agencies", {"doc_id": ["d1"], "agency": ["市科技局"]}, keep=("agency",), folded=("agency",))
    >>> column_is_folded(t, "agency"), column_is_folded(t, "doc_id")
    (True, False)
    >>> t.loc[0, "agency"] = "（市科技局）"
    >>> column_is_folded(t, "agency")
    False
    """
    col = df[name] if name in df.columns else None
    if not isinstance(col, pd.Series):  # no such column, or several of the name
        return False
    chunked = getattr(col.array, "_pa_array", None)
    kept = _KEPT_LISTS.get(id(chunked)) if chunked is not None else None
    return kept is not None and kept[0] is chunked and kept[2]


@functools.lru_cache(maxsize=1)
def _pa_chunked():
    import pyarrow as pa  # lazy: pyarrow is heavy

    return pa.ChunkedArray


def from_columns(table: str, data: dict, fallback: bool = True, keep: tuple = (),
                 folded: tuple = ()) -> pd.DataFrame | None:
    """A table of the schema built straight from plain Python lists, one per column.

    The same frame as ``conform(table, pd.DataFrame(data))`` -- values, dtypes, index -- built
    without pandas' inference: a stage producing a few hundred rows per call spent more on
    building its frame (rows as dicts, type inference, casts) than on parsing. Each list is
    converted at once to the column's dtype when its values are of the plain kind the dtype holds
    (``str`` for ``string``, ``int`` for ``Int64``, ``float``/``int`` for ``Float64``, a naive
    ``pd.Timestamp`` for ``datetime64[ns]``; ``None`` for a null); any other value (``pd.NA``, a
    numpy scalar, ...) sends the whole table through :func:`conform` instead.

    Parameters
    ----------
    table : str
        The schema's name.
    data : dict of str to list
        Columns by name, all of one length; a column of the schema left out is all null.
    fallback : bool
        False: return None instead of going through :func:`conform` (the caller has its own way).
    keep : tuple of str
        Text columns whose lists :func:`column_list` gives back to later readers of the frame
        (with ``pd.NA`` for ``None``, as ``tolist`` gives it).
    folded : tuple of str
        Columns of ``keep`` whose every text is folded (:func:`policylab.text.fold` leaves it as it
        is), as the caller vouches: :func:`column_is_folded` tells later readers, who then need
        not fold them again.

    Returns
    -------
    DataFrame or None

    Examples
    --------
    >>> t = from_columns("agencies", {"doc_id": ["d1", "d1"], "section_id": ["1", None],
    ...                               "clause": [0, 1], "agency": ["市科技局", "市工信局"]})
    >>> t.dtypes.astype(str).tolist()
    ['string', 'string', 'Int64', 'string', 'string']
    >>> t.equals(conform("agencies", pd.DataFrame({"doc_id": ["d1", "d1"], "section_id": ["1", None],
    ...                                            "clause": [0, 1], "agency": ["市科技局", "市工信局"]})))
    True
    """
    names = columns(table)
    extra = [c for c in data if c not in names]
    if extra:
        raise ValueError(f"table {table!r} has columns not in its schema: {extra}")
    lengths = {len(v) for v in data.values()}
    if len(lengths) > 1:
        raise ValueError(f"table {table!r}: columns of different lengths {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    out = {}
    for name, dtype in _dtypes(tuple((c.name, c.dtype) for c in SCHEMAS[table])):
        values = data.get(name)
        arr = _plain_array([None] * n if values is None else values, dtype)
        if arr is None:  # a value of another kind: pandas' own inference and casts decide
            return conform(table, pd.DataFrame(data)) if fallback else None
        out[name] = arr
    frame = pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)
    for name in keep:
        chunked = getattr(frame[name].array, "_pa_array", None)
        values = data.get(name)
        if chunked is not None and values is not None and all(v is None or type(v) is str for v in values):
            _keep(chunked, [pd.NA if v is None else v for v in values], name in folded)
    return frame


def stable_order(doc_ids: list, orders: list | None = None):
    """The row order of a stable sort on ``doc_ids`` (then ``orders``): a table's doc_id column and
    an int column, as lists. True when the rows are in that order already; None unless the doc_ids
    are all ``str`` and the orders all ``int``: a null (pandas puts it last) or a value the table
    casts (an int doc_id sorts as text) leaves the sort to pandas.

    A stage builds its columns as lists and puts them in order with this before making a frame
    (:func:`from_columns`): pandas' ``sort_values`` would copy every column, texts included.

    Parameters
    ----------
    doc_ids : list
        The first key.
    orders : list, optional
        The second key.

    Returns
    -------
    True, list of int or None
        True (in order already), the row order, or None (leave it to pandas).

    Examples
    --------
    >>> stable_order(["d2", "d1", "d1"], [0, 1, 0]), stable_order(["d1", "d1"], [0, 1])
    ([2, 1, 0], True)
    >>> stable_order(["d2", "d1", "d2"])
    [1, 0, 2]
    >>> stable_order(["d1", None], [0, 0]) is None, stable_order([1, 2], [0, 0]) is None
    (True, True)
    """
    if any(type(v) is not str for v in doc_ids):
        return None
    if orders is None:
        rows = doc_ids
    elif any(type(v) is not int for v in orders):
        return None
    else:
        rows = list(zip(doc_ids, orders))
    if all(rows[i] <= rows[i + 1] for i in range(len(rows) - 1)):
        return True
    return sorted(range(len(rows)), key=rows.__getitem__)


_INT64_EXACT = 2**53  # conform casts an Int64 column holding nulls through float64: exact below this


def _plain_array(values: list, dtype):
    """``values`` as a pandas array of ``dtype`` if every value is of the plain kind (see
    :func:`from_columns`), else None."""
    import numpy as np
    import pyarrow as pa

    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and dtype.na_value is pd.NA:
        try:  # str and None only: Arrow refuses anything else (pd.NA, nan, numbers)
            arr = pa.array(values, type=pa.large_string(), from_pandas=False)
        except (pa.ArrowException, TypeError, ValueError, UnicodeError):
            return None
        out = pd.arrays.ArrowStringArray(arr)
        return out if out.dtype == dtype else None
    if isinstance(dtype, pd.Int64Dtype):
        nulls = False
        for v in values:
            if v is None:
                nulls = True
            elif type(v) is not int:
                return None
        if not nulls:  # ints only: numpy reads the list itself (the same values, the same
            # OverflowError past int64 as the element-wise read below)
            return pd.arrays.IntegerArray(np.array(values, dtype=np.int64), np.zeros(len(values), dtype=bool))
        if any(v is not None and abs(v) >= _INT64_EXACT for v in values):
            return None
        mask = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
        data = np.fromiter((0 if v is None else v for v in values), dtype=np.int64, count=len(values))
        return pd.arrays.IntegerArray(data, mask)
    if isinstance(dtype, pd.Float64Dtype):
        if any(v is not None and type(v) is not float and type(v) is not int for v in values):
            return None
        data = np.fromiter((np.nan if v is None else v for v in values), dtype=np.float64, count=len(values))
        return pd.arrays.FloatingArray(data, np.isnan(data))  # a NaN is a null, as conform casts it
    if isinstance(dtype, np.dtype) and dtype == np.dtype("datetime64[ns]"):
        ns = []
        for v in values:
            if v is None:
                ns.append(np.iinfo(np.int64).min)  # NaT
            elif type(v) is pd.Timestamp and v.tz is None:
                try:
                    ns.append(v.value)  # nanoseconds since the epoch, whatever the Timestamp's unit
                except OverflowError:  # out of the nanosecond range: conform decides
                    return None
            else:
                return None
        return np.array(ns, dtype=np.int64).view("datetime64[ns]")
    return None


@functools.lru_cache(maxsize=None)
def _dtypes(spec: tuple) -> list:
    """The schema's dtype names resolved to pandas dtypes once (each lookup parses the name)."""
    return [(name, pd.api.types.pandas_dtype(dtype)) for name, dtype in spec]


def validate(table: str, df: pd.DataFrame) -> None:
    """Raise ``ValueError`` unless ``df`` has exactly the columns and dtypes of ``table``."""
    want = [(c.name, c.dtype) for c in SCHEMAS[table]]
    got = [(name, str(dtype)) for name, dtype in df.dtypes.items()]
    if got != want:
        raise ValueError(f"table {table!r} does not match its schema:\n got  {got}\n want {want}")


def describe(table: str | None = None) -> pd.DataFrame:
    """The schemas as a DataFrame (``table, column, dtype, doc``), for notebooks and docs."""
    rows = [
        (name, c.name, c.dtype, c.doc)
        for name, cols in SCHEMAS.items()
        if table in (None, name)
        for c in cols
    ]
    return pd.DataFrame(rows, columns=["table", "column", "dtype", "doc"])
