"""The workbench facade the app and the CLI share: one store, one lazily loaded model, one
evidence index kept in memory while the corpus is unchanged.

It wires the one-way flow article → claims → candidates → verdicts → export; each step's logic
lives in its own module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from checks import articles, corpus, factchecks, relevance, retrieval, signals, sources
from checks.config import DEMO_ARTICLE, DEMO_EVIDENCE, SHIPPED_RATINGS, SHIPPED_UNRELIABLE, Settings, load_settings
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

    def seed_demo_data(self, progress: Progress | None = None) -> bool:
        """On an empty database, load the shipped ratings and demo evidence corpus. True if seeded."""
        sources.load_shipped_ratings(self.store, SHIPPED_RATINGS, SHIPPED_UNRELIABLE)
        if corpus.corpus_size(self.store)[0] or not DEMO_EVIDENCE.exists():
            return False
        corpus.import_file(self.store, DEMO_EVIDENCE.name, DEMO_EVIDENCE.read_bytes(), reviewer="shipped data")
        return True

    @staticmethod
    def demo_article() -> ArticleDraft:
        """The shipped demo article, parsed like any pasted text."""
        return parse_text(DEMO_ARTICLE.read_text(encoding="utf-8"), origin="demo article")

    def ingest(self, draft: ArticleDraft, reviewer: str = "import") -> articles.SaveResult:
        """Store an article with its claims and group claims that were already seen elsewhere."""
        result = articles.save_article(self.store, draft, reviewer, encoder=self.encoder)
        if result.created:
            articles.group_near_duplicates(self.store, self.encoder, result.article_id)
        return result

    def index(self, progress: Progress | None = None) -> retrieval.EvidenceIndex:
        """The evidence index for the current corpus, rebuilt only when passages changed."""
        key = retrieval.corpus_key(self.store, self.encoder.model_id)
        if self._index is None or self._index.key != key:
            self._index = retrieval.build_index(self.store, self.encoder, self.settings.index_dir, progress)
        return self._index

    def rank(self, claim_ids: list[int], progress: Progress | None = None) -> int:
        """Make sure these claims have a stored candidate list for the current corpus."""
        return retrieval.rank_claims(self.store, self.encoder, self.index(), claim_ids, CANDIDATES_PER_CLAIM, progress)

    def factcheck_matcher(self, progress: Progress | None = None) -> factchecks.Matcher:
        """The matcher over earlier fact-checks (imported ones and our own verdicts), rebuilt only
        when the library changed."""
        factchecks.sync_own_verdicts(self.store)
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
        ratings = sources.lookup_many(self.store, {r["domain"] for r in rows if r["domain"]})
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
                rating=ratings.get(r["domain"]) or sources.SourceRating(domain=r["domain"]),
                signals=s,
                relevance=j.probability,
                relevance_label=j.label,
            )
            for r, s, j in zip(rows, found, judged, strict=True)
        ]
