"""Search tools for LLM agents: a null search and a local BM25 index.

The Searcher of Agent4Debate (Zhang et al., arXiv 2408.04472, Sec. 3: "Searcher") turns a
debate task into queries and hands the results to the Analyzer; the paper used an online
search API. Offline, ``LocalBM25Search`` ranks a reader-supplied corpus by Okapi BM25
(Robertson & Zaragoza 2009):

    score(q, d) = Σ_{t ∈ q} IDF(t) · f(t, d)·(k1 + 1) / (f(t, d) + k1·(1 − b + b·|d|/avgdl)),
    IDF(t) = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5)),

and ``NullSearch`` returns nothing (the "w/o Searcher" ablation). Both expose
``search(query, top_k) -> list[SearchHit]``. An online API is not wrapped here: no key is
ever read by the library.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SearchHit", "NullSearch", "LocalBM25Search", "tokenize"]

_TOKEN = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """Lower-cased alphanumeric tokens (a deliberately simple analyzer)."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class SearchHit:
    """One result: the document's index, title, text and BM25 score."""

    doc_id: int
    title: str
    text: str
    score: float


class NullSearch:
    """A search tool that finds nothing (the 'w/o Searcher' ablation)."""

    name = "null"

    def search(self, query: str, top_k: int = 3) -> list[SearchHit]:
        return []


class LocalBM25Search:
    """Okapi BM25 over an in-memory corpus of (title, text) documents."""

    name = "bm25"

    def __init__(self, *, documents: Sequence[tuple[str, str]], k1: float = 1.5,
                 b: float = 0.75):
        if not documents:
            raise ValueError("documents must be a non-empty list of (title, text) pairs")
        if k1 < 0 or not 0 <= b <= 1:
            raise ValueError(f"need k1 >= 0 and 0 <= b <= 1, got k1={k1}, b={b}")
        self.documents = [(str(t), str(x)) for t, x in documents]
        self.k1, self.b = float(k1), float(b)
        self._tf = [Counter(tokenize(t + " " + x)) for t, x in self.documents]
        self._len = [sum(c.values()) for c in self._tf]
        self._avgdl = max(sum(self._len) / len(self._len), 1e-9)
        df = Counter(t for c in self._tf for t in c)
        n = len(self.documents)
        self._idf = {t: math.log(1.0 + (n - k + 0.5) / (k + 0.5)) for t, k in df.items()}

    def scores(self, query: str) -> list[float]:
        """BM25 score of every document for ``query``."""
        terms = tokenize(query)
        out = []
        for tf, dl in zip(self._tf, self._len):
            s = 0.0
            norm = self.k1 * (1.0 - self.b + self.b * dl / self._avgdl)
            for t in terms:
                f = tf.get(t, 0)
                if f:
                    s += self._idf[t] * f * (self.k1 + 1.0) / (f + norm)
            out.append(s)
        return out

    def search(self, query: str, top_k: int = 3) -> list[SearchHit]:
        """The ``top_k`` best-scoring documents with a positive score (ties by index)."""
        if top_k < 1:
            raise ValueError(f"top_k must be >= 1, got {top_k}")
        sc = self.scores(query)
        order = sorted(range(len(sc)), key=lambda i: (-sc[i], i))
        return [SearchHit(i, *self.documents[i], sc[i]) for i in order[:top_k] if sc[i] > 0]
