"""llm.tools: BM25 ranking on a hand-made corpus, the null search."""

import math

import pytest

from replib.llm.tools import LocalBM25Search, NullSearch, tokenize

DOCS = [("Trains", "Public transport such as trains and buses reduces traffic."),
        ("Buses", "Free buses increased ridership in some cities."),
        ("Cats", "Cats sleep for most of the day.")]


def test_bm25_ranks_matching_documents_and_matches_formula():
    s = LocalBM25Search(documents=DOCS)
    hits = s.search("free buses", top_k=3)
    assert [h.doc_id for h in hits] == [1, 0]  # the cat document has no query term
    # one-term closed form for document 2 ("cats" once, in a 3-document corpus)
    tf, dl = 2, len(tokenize(" ".join(DOCS[2])))  # "cats" appears in title and text
    avgdl = sum(len(tokenize(" ".join(d))) for d in DOCS) / 3
    idf = math.log(1 + (3 - 1 + 0.5) / (1 + 0.5))
    expect = idf * tf * 2.5 / (tf + 1.5 * (1 - 0.75 + 0.75 * dl / avgdl))
    assert s.scores("cats")[2] == pytest.approx(expect)


def test_null_search_and_bad_arguments():
    assert NullSearch().search("anything") == []
    with pytest.raises(ValueError, match="documents"):
        LocalBM25Search(documents=[])
    with pytest.raises(ValueError, match="top_k"):
        LocalBM25Search(documents=DOCS).search("x", top_k=0)
