"""The workbench facade the app and the CLI share: one store, one lazily loaded model, one
evidence index kept in memory while the corpus is unchanged.

It wires the one-way flow article → claims → candidates → verdicts → export; each step's logic
lives in its own module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from checks import actions, articles, factchecks, relevance, retrieval, signals, sources
from checks.config import DEMO_ARTICLE, Settings, load_settings
from checks.embedding import Encoder, cached_embeddings
from checks.ingest import ArticleDraft, parse_text
from checks.store import Store
from checks.vocab import RelevanceLabel

Progress = Callable[[int, int], None]
CANDIDATES_PER_CLAIM = 10


@dataclass
class Candidate:
    """A ranked passage as the review screen shows it."""

    rank: int
    passage_id: int
    text: str
    title: str | None
    url: str | None
    domain: str | None
    published: str | None
    dense: float
    lexical: float
    fused: float
    rating: sources.SourceRating
    signals: signals.CandidateSignals
    relevance: float  # calibrated probability that the passage addresses the claim (checks/relevance.py)
    relevance_label: RelevanceLabel
    document_id: int = 0
    demo: bool = False  # from the shipped demo corpus, not a real source


class Workbench:
    """State shared by one app process or one CLI run."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self.store = Store(self.settings.db_path)
        self._encoder: Encoder | None = None
        self._index: retrieval.EvidenceIndex | None = None
        self._matcher: factchecks.Matcher | None = None
        self._matcher_key: str | None = None

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = Encoder(self.settings.model)
        return self._encoder

    def seed_demo_data(self) -> bool:
        """Load the shipped ratings (fresh database or newer shipped version) and, on a fresh
        database, the demo evidence corpus. True if the corpus was seeded."""
        return actions.seed_demo_data(self.store)

    @staticmethod
    def demo_article() -> ArticleDraft:
        """The shipped demo article, parsed like any pasted text."""
        return parse_text(DEMO_ARTICLE.read_text(encoding="utf-8"), origin="demo article")

    def index(self, progress: Progress | None = None) -> retrieval.EvidenceIndex:
        """The evidence index for the current corpus, rebuilt only when passages changed."""
        key = retrieval.corpus_key(self.store, self.encoder.model_id)
        if self._index is None or self._index.key != key:
            self._index = retrieval.build_index(self.store, self.encoder, self.settings.index_dir, progress, self._index)
        return self._index

    def rank(self, claim_ids: list[int], progress: Progress | None = None) -> int:
        """Make sure these claims have a stored candidate list for the current corpus."""
        return retrieval.rank_claims(self.store, self.encoder, self.index(), claim_ids, CANDIDATES_PER_CLAIM, progress)

    def factcheck_matcher(self, progress: Progress | None = None) -> factchecks.Matcher:
        """The matcher over earlier fact-checks (imported ones and our own verdicts, which the store
        mirrors into the library as they change), rebuilt only when the library changed."""
        key = factchecks.library_key(self.store)
        if self._matcher is None or self._matcher_key != key:
            self._matcher = factchecks.Matcher.from_store(self.store, self.encoder, progress=progress)
            self._matcher_key = key
        return self._matcher

    def earlier_factchecks(self, claim_id: int, k: int = 5) -> list[factchecks.Match]:
        """Earlier fact-checks matching a claim, "same claim" tier first."""
        return factchecks.matches_for_claim(self.store, self.factcheck_matcher(), claim_id, k)

    def _sentence_scorer(self, claim: str, sentences: list[str]) -> np.ndarray:
        vectors = cached_embeddings(self.store, self.encoder, [claim, *sentences])
        return vectors[1:] @ vectors[0]

    def candidates(self, claim_id: int) -> list[Candidate]:
        """Ranked candidates of one claim with ratings and signals (ranks it first if needed)."""
        claim = articles.get_claim(self.store, claim_id)
        if claim is None:
            return []
        self.rank([claim_id])
        article = articles.get_article(self.store, claim["article_id"])
        rows = retrieval.stored_candidates(self.store, claim_id)
        targets = [sources.rating_target(r["url"], r["domain"]) for r in rows]
        ratings = sources.lookup_many(self.store, {t for t in targets if t})
        found = signals.candidate_signals(claim["text"], article["domain"], rows, self._sentence_scorer)
        judged = relevance.assess(claim["text"], rows, self.index().bm25.idf, self._sentence_scorer)
        return [
            Candidate(
                rank=r["rank"],
                passage_id=r["passage_id"],
                text=r["text"],
                title=r["title"],
                url=r["url"],
                domain=r["domain"],
                published=r["published"],
                dense=r["dense"],
                lexical=r["lexical"],
                fused=r["fused"],
                rating=ratings[t] if t else sources.SourceRating(domain=None),
                signals=s,
                relevance=j.probability,
                relevance_label=j.label,
                document_id=r["document_id"],
                demo=bool(r["is_demo"]),
            )
            for r, s, t, j in zip(rows, found, targets, judged, strict=True)
        ]
