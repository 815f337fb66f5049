"""Earlier fact-checks, matching: rank the library for a claim and put each match in a tier.

A :class:`Matcher` ranks the library for a claim by a weighted sum of a dense cosine, a saturating
BM25 score and a rapidfuzz ratio (each 0–1, so the sum can carry tiers); the weights and thresholds
were chosen on the CLEF-2020 CheckThat! task 2 train+dev splits (``bench/claim_matching_clef2020.py``),
never on test. Matches come in two tiers, as newsrooms use them: "same claim" (strict threshold, a
claim of at least :data:`MIN_SAME_CLAIM_WORDS` words, a fact-check not older than ``max_age_years``)
and "related". Nothing is merged automatically: the reviewer reuses or dismisses a match (actions).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from rapidfuzz import fuzz

from checks.embedding import Encoder, cached_embeddings
from checks.errors import NotFoundError
from checks.factchecks.library import (
    FactCheck,
    clean_text,
    fuzzy_form,
    get_factcheck,
    load_factchecks,
    parse_date,
    word_count,
    years_between,
)
from checks.retrieval import BM25, top_k
from checks.signals import disagreements
from checks.store import Store
from checks.vocab import MatchDecision, MatchTier

MIN_SAME_CLAIM_WORDS = 6  # shorter claims ("Vaccines are safe.") match too much to be called the same claim
POOL_CACHE_SIZE = 512  # claim texts whose candidate pools a matcher remembers
SAME_CLAIM = MatchTier.SAME_CLAIM
RELATED = MatchTier.RELATED


@dataclass
class Match:
    """A fact-check ranked for a claim, with each component of its score and its tier."""

    factcheck: FactCheck
    dense: float
    lexical: float
    fuzzy: float
    combined: float
    tier: MatchTier
    reasons: list[str] = field(default_factory=list)  # why a strong match is only "related"
    rationale: str = ""  # for the workbench's own verdicts: the earlier rationale and evidence
    evidence: list[dict] = field(default_factory=list)
    decision: MatchDecision | None = None  # set once the reviewer reused or dismissed it for this claim


# ---------------------------------------------------------------------------------------- matching


@dataclass
class Candidates:
    """The pool of fact-checks worth scoring for one claim, with every raw component score."""

    rows: np.ndarray  # positions in Matcher.factchecks
    dense_claim: np.ndarray  # cosine to the fact-check's claim
    dense_title: np.ndarray  # cosine to its title (0 where there is none)
    has_title: np.ndarray
    bm25: np.ndarray
    token_set: np.ndarray  # rapidfuzz ratios / 100
    partial: np.ndarray


@dataclass(frozen=True)
class MatchParams:
    """How the component scores combine and where the tiers start.

    The defaults were chosen on the CLEF-2020 CheckThat! task 2 train+dev splits by
    ``bench/claim_matching_clef2020.py`` (ranking by MAP@5; "same claim" as the lowest threshold with
    top-1 precision >= 0.98 and <= 2% false "same claim" when the true fact-check is absent;
    "related" where 95% of true matches score).
    """

    title_weight: float = 0.3  # share of the dense score taken from the fact-check's title, where it has one
    lexical_half: float = 40.0  # BM25 score at which the lexical component reaches 0.5 (saturating: absolute, 0–1)
    dense_weight: float = 0.5
    lexical_weight: float = 0.25
    fuzzy_weight: float = 0.25
    fuzzy_scorer: str = "partial"  # "partial" (best-aligned substring: quotes) or "token_set" (word sets: reordering)
    same_claim_threshold: float = 0.575
    related_threshold: float = 0.35
    max_age_years: float = 5.0
    pool: int = 50  # candidates per ranker that get the fuzzy score and the combination

    def components(self, candidates: Candidates) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(dense, lexical, fuzzy) of each candidate, each on a 0–1 scale."""
        dense = np.where(
            candidates.has_title,
            (1 - self.title_weight) * candidates.dense_claim + self.title_weight * candidates.dense_title,
            candidates.dense_claim,
        )
        lexical = candidates.bm25 / (candidates.bm25 + self.lexical_half)
        fuzzy = candidates.partial if self.fuzzy_scorer == "partial" else candidates.token_set
        return dense, lexical, fuzzy

    def combine(self, candidates: Candidates) -> np.ndarray:
        dense, lexical, fuzzy = self.components(candidates)
        return self.dense_weight * dense + self.lexical_weight * lexical + self.fuzzy_weight * fuzzy


class Matcher:
    """Ranks a fixed set of fact-checks for a claim: dense cosine (claim and title), BM25 over claim
    and title, and a rapidfuzz ratio on the pooled candidates; see :class:`MatchParams`."""

    def __init__(
        self,
        factchecks: Sequence[FactCheck],
        store: Store,
        encoder: Encoder,
        params: MatchParams | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.factchecks = list(factchecks)
        self.encoder = encoder
        self.params = params or MatchParams()
        self.bm25 = BM25([clean_text(f"{f.claim} {f.title or ''}") for f in self.factchecks])
        self.claim_vectors = cached_embeddings(store, encoder, [f.claim for f in self.factchecks], progress)
        self.has_title = np.array([bool(f.title) for f in self.factchecks], dtype=bool)
        self.title_vectors = np.zeros_like(self.claim_vectors)
        if self.has_title.any():
            titled = [f.title or "" for f in self.factchecks if f.title]
            self.title_vectors[self.has_title] = cached_embeddings(store, encoder, titled)
        self.fuzzy_texts = [fuzzy_form(f.claim) for f in self.factchecks]
        self.positions = {f.id: row for row, f in enumerate(self.factchecks)}
        self._pools: dict[str, Candidates] = {}

    @classmethod
    def from_store(
        cls,
        store: Store,
        encoder: Encoder,
        params: MatchParams | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Matcher:
        """A matcher over the whole library, the workbench's own verdicts included."""
        return cls(load_factchecks(store), store, encoder, params, progress)

    def __len__(self) -> int:
        return len(self.factchecks)

    def encode(self, text: str) -> np.ndarray:
        return self.encoder.encode([clean_text(text)])[0]

    def dense_scores(self, vector: np.ndarray) -> np.ndarray:
        """Dense score of every fact-check for a query vector (claim and title mixed as in params)."""
        claim = self.claim_vectors @ vector
        weight = self.params.title_weight
        return np.where(self.has_title, (1 - weight) * claim + weight * (self.title_vectors @ vector), claim)

    def lexical_scores(self, text: str) -> np.ndarray:
        """BM25 score of every fact-check (claim + title) for a claim."""
        return self.bm25.scores(clean_text(text))

    def candidates(self, text: str, vector: np.ndarray | None = None) -> Candidates:
        """Pool the top fact-checks of each ranker and score them on every component.

        Pools are remembered per claim text: the library is fixed for a matcher's lifetime, so a
        rerun of the review screen (a verdict click) does not search the library again."""
        if vector is None and text in self._pools:
            return self._pools[text]
        pool = self._candidates(text, self.encode(text) if vector is None else vector)
        if vector is None:
            if len(self._pools) >= POOL_CACHE_SIZE:
                self._pools.pop(next(iter(self._pools)))
            self._pools[text] = pool
        return pool

    def _candidates(self, text: str, vector: np.ndarray) -> Candidates:
        dense_claim = self.claim_vectors @ vector
        dense_title = self.title_vectors @ vector
        bm25 = self.lexical_scores(text)
        pool = self.params.pool
        lexical_top = top_k(bm25, pool)
        rows = np.union1d(
            np.union1d(top_k(dense_claim, pool), top_k(np.where(self.has_title, dense_title, -1.0), pool)),
            lexical_top[bm25[lexical_top] > 0],
        ).astype(np.int64)
        query = fuzzy_form(clean_text(text))
        return Candidates(
            rows=rows,
            dense_claim=dense_claim[rows],
            dense_title=dense_title[rows],
            has_title=self.has_title[rows],
            bm25=bm25[rows],
            token_set=np.array([fuzz.token_set_ratio(query, self.fuzzy_texts[r]) for r in rows]) / 100.0,
            partial=np.array([fuzz.partial_ratio(query, self.fuzzy_texts[r]) for r in rows]) / 100.0,
        )

    def match(
        self,
        text: str,
        k: int = 5,
        as_of: date | None = None,
        exclude: Iterable[int] = (),
        min_score: float | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Match]:
        """The best k fact-checks for a claim scoring at least ``min_score`` (default: the related
        threshold), best first, each with its tier. ``as_of`` is the claim's date (None: no age rule,
        since an undated claim cannot be compared); ``exclude`` holds fact-check ids never to return."""
        if not self.factchecks:
            return []
        params = self.params
        pool = self.candidates(text, vector)
        dense, lexical, fuzzy = params.components(pool)
        combined = params.combine(pool)
        excluded = {self.positions[i] for i in exclude if i in self.positions}
        floor = params.related_threshold if min_score is None else min_score
        keep = np.array([r not in excluded for r in pool.rows.tolist()], dtype=bool) & (combined >= floor)
        # Ties (the same claim stored twice) keep library order: the earlier fact-check first.
        order = [i for i in np.lexsort((pool.rows, -combined)) if keep[i]][:k]
        words = word_count(text)
        matches = []
        for i in order:
            factcheck = self.factchecks[int(pool.rows[i])]
            reasons = []
            if combined[i] >= params.same_claim_threshold:
                if words < MIN_SAME_CLAIM_WORDS:
                    reasons.append(f"the claim has only {words} words")
                if as_of and factcheck.published and years_between(factcheck.published, as_of) > params.max_age_years:
                    reasons.append(f"fact-check from {factcheck.published[:10]}, older than {params.max_age_years:g} years")
                reasons += disagreements(text, factcheck.claim)
            same = combined[i] >= params.same_claim_threshold and not reasons
            matches.append(
                Match(
                    factcheck=factcheck,
                    dense=float(dense[i]),
                    lexical=float(lexical[i]),
                    fuzzy=float(fuzzy[i]),
                    combined=float(combined[i]),
                    tier=SAME_CLAIM if same else RELATED,
                    reasons=reasons,
                )
            )
        return matches


def matches_for_claim(store: Store, matcher: Matcher, claim_id: int, k: int = 5) -> list[Match]:
    """Earlier fact-checks for a stored claim, best first: never its own or a sibling claim's verdict, never a match the
    reviewer dismissed for it. Fact-check fields are read fresh (a verdict may have changed since the
    matcher was built); for the workbench's own verdicts the rationale and cited evidence come along."""
    claim = store.query_one(
        "SELECT c.text, a.published FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.id = ?", (claim_id,)
    )
    if claim is None:
        raise NotFoundError(f"Claim {claim_id} does not exist.")
    decisions = {
        r["factcheck_id"]: MatchDecision(r["decision"])
        for r in store.query("SELECT factcheck_id, decision FROM factcheck_decisions WHERE claim_id = ?", (claim_id,))
    }
    exclude = {f for f, d in decisions.items() if d == MatchDecision.DISMISSED}
    # Verdicts on the claim itself and on its sibling claims in the same article are not "earlier
    # fact-checks" of it: they are the same review.
    exclude |= {
        r["id"]
        for r in store.query(
            "SELECT f.id FROM factchecks f JOIN claims c ON c.id = f.claim_id"
            " WHERE c.article_id = (SELECT article_id FROM claims WHERE id = ?)",
            (claim_id,),
        )
    }
    published = parse_date(claim["published"])
    as_of = date.fromisoformat(published) if published else None
    results = []
    for match in matcher.match(claim["text"], k=k, as_of=as_of, exclude=exclude):
        try:
            match.factcheck = get_factcheck(store, match.factcheck.id)
        except NotFoundError:
            continue  # removed since the matcher was built
        if match.factcheck.claim_id is not None:
            verdict = store.query_one(
                "SELECT rationale, evidence_snapshot FROM verdicts WHERE claim_id = ?", (match.factcheck.claim_id,)
            )
            if verdict:
                match.rationale = verdict["rationale"]
                match.evidence = json.loads(verdict["evidence_snapshot"] or "[]")
        match.decision = decisions.get(match.factcheck.id)
        results.append(match)
    return results
