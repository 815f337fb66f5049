"""Signals beside each candidate passage: shared numbers and names, numeric mismatches, the
best-matching sentence, syndicated near-copies and self-citation.

These are hints for the reviewer, computed on the few candidates shown, never a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, utils

from checks.claims import ENTITY, STOP_CAPITALS, split_sentences
from checks.retrieval import tokenize

NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*%|\s*per ?cent)?(?:\s+([A-Za-z]+))?")
# Two passages this similar (token-set ratio, 0–100) are treated as one syndicated text.
NEAR_COPY_RATIO = 90.0


@dataclass
class NumberMention:
    value: float
    unit: str  # the word after the number ("people", "years", "%"), folded like BM25 terms


def numbers(text: str) -> list[NumberMention]:
    """Numbers with the word that follows them, e.g. ``32 people`` → (32.0, "people")."""
    found = []
    for match in NUMBER.finditer(text):
        value = float(match.group(1).replace(",", ""))
        if 1900 <= value <= 2100 and not match.group(2):
            unit = "year-date"  # a calendar year, compared only with other years
        elif match.group(2):
            unit = "%"
        else:
            folded = tokenize(match.group(3) or "")
            unit = folded[0] if folded else ""
        found.append(NumberMention(value, unit))
    return found


def entities(text: str) -> set[str]:
    return {m.group() for m in ENTITY.finditer(text) if m.group() not in STOP_CAPITALS}


@dataclass
class CandidateSignals:
    shared_numbers: list[str] = field(default_factory=list)
    mismatched_numbers: list[str] = field(default_factory=list)  # "claim 32 people vs passage 700 people"
    shared_entities: list[str] = field(default_factory=list)
    best_sentence: tuple[int, int] | None = None  # offsets inside the passage text
    near_copy_of: int | None = None  # passage id of the higher-ranked copy
    self_citation: bool = False


def is_near_copy(first: str, second: str) -> bool:
    """Same text up to small edits (syndicated wire copy): token-set similarity on normalised text,
    with comparable lengths so a short sentence is not a "copy" of every passage containing it."""
    shorter, longer = sorted((len(first), len(second)))
    if shorter < 0.6 * longer:
        return False
    return fuzz.token_set_ratio(first, second, processor=utils.default_process) >= NEAR_COPY_RATIO


def compare_numbers(claim: str, passage: str) -> tuple[list[str], list[str]]:
    """Numbers both mention, and numbers with the same unit but a different value."""
    claim_numbers, passage_numbers = numbers(claim), numbers(passage)
    shared, mismatched = [], []
    for mention in claim_numbers:
        same_unit = [p for p in passage_numbers if p.unit and p.unit == mention.unit]
        label = f"{mention.value:g} {mention.unit}".strip()
        if any(p.value == mention.value for p in passage_numbers):
            shared.append(label)
        elif same_unit:
            mismatched.append(f"claim {label} vs passage " + ", ".join(f"{p.value:g} {p.unit}" for p in same_unit))
    return shared, mismatched


SentenceScorer = Callable[[str, list[str]], np.ndarray]


def best_sentence(claim: str, passage: str, scorer: SentenceScorer | None = None) -> tuple[int, int] | None:
    """Offsets of the passage sentence closest to the claim: by the scorer (embedding
    similarity in the app) when given, else by shared words."""
    sentences = split_sentences(passage)
    if not sentences:
        return None
    if scorer is not None:
        best = int(np.argmax(scorer(claim, [s.text for s in sentences])))
    else:
        claim_terms = set(tokenize(claim))
        best = max(range(len(sentences)), key=lambda i: len(claim_terms & set(tokenize(sentences[i].text))))
    return sentences[best].start, sentences[best].end


def candidate_signals(
    claim: str, article_domain: str | None, candidates: list[dict], scorer: SentenceScorer | None = None
) -> list[CandidateSignals]:
    """Signals for a ranked candidate list (dicts with passage_id, text, domain), in order."""
    claim_entities = entities(claim)
    results = []
    for index, candidate in enumerate(candidates):
        shared, mismatched = compare_numbers(claim, candidate["text"])
        near_copy_of = next(
            (earlier["passage_id"] for earlier in candidates[:index] if is_near_copy(earlier["text"], candidate["text"])),
            None,
        )
        results.append(
            CandidateSignals(
                shared_numbers=shared,
                mismatched_numbers=mismatched,
                shared_entities=sorted(claim_entities & entities(candidate["text"])),
                best_sentence=best_sentence(claim, candidate["text"], scorer),
                near_copy_of=near_copy_of,
                self_citation=bool(article_domain) and candidate.get("domain") == article_domain,
            )
        )
    return results


def disagreements(claim: str, other: str) -> list[str]:
    """Why two wordings cannot be the same claim even when they read alike: their numbers differ
    (both give numbers, and not the same ones: "32 detained" is not "320 held"), or each names
    someone or something the other never mentions. Empty when nothing disagrees."""
    reasons = []
    claim_values = {n.value for n in numbers(claim)}
    other_values = {n.value for n in numbers(other)}
    if claim_values and other_values and claim_values != other_values:
        listed = [", ".join(f"{v:g}" for v in sorted(values)) for values in (claim_values, other_values)]
        reasons.append(f"numbers differ: {listed[0]} vs {listed[1]}")
    claim_words, other_words = set(tokenize(claim)), set(tokenize(other))

    def unmatched(names: set[str], words: set[str]) -> list[str]:
        # A name counts when it has a content word ("ON THE" in a shouted headline has none).
        return sorted(name for name in names if (terms := set(tokenize(name))) and not terms & words)

    only_claim, only_other = unmatched(entities(claim), other_words), unmatched(entities(other), claim_words)
    if only_claim and only_other:
        reasons.append(f"names differ: {', '.join(only_claim)} vs {', '.join(only_other)}")
    return reasons
