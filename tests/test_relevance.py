import itertools
import json

import numpy as np
import pytest

from checks import actions, relevance
from checks.actions import Actor
from checks.errors import ConfigurationError
from checks.ingest import parse_text
from checks.vocab import RelevanceLabel


def uniform_idf(terms):
    return np.ones(len(terms))


def flat_scorer(claim, sentences):
    return np.full(len(sentences), 0.3)


def _candidate(text, dense, lexical=0.0, title="Wire"):
    return {"text": text, "title": title, "dense": dense, "lexical": lexical}


def test_shipped_calibration_loads_with_provenance():
    calibration = relevance.load_calibration()
    provenance = calibration.provenance
    for key in ("datasets", "split", "fitted_at", "command", "feature_definitions", "label"):
        assert provenance[key], key
    assert "train" in provenance["split"] and "bench/fit_relevance.py" in provenance["command"]
    assert len(calibration.coefficients) == len(calibration.features) > 0
    # every feature the model names is one the product computes
    screen = [_candidate("Police detained 32 people.", 0.5)]
    computed = relevance.screen_features("Police detained 32 people.", screen, uniform_idf, flat_scorer)
    assert set(calibration.features) <= set(computed[0])
    assert 0.0 < calibration.weak < calibration.strong < 1.0


def test_a_missing_or_broken_calibration_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="missing or unreadable"):
        relevance.read_calibration(tmp_path / "absent.json")
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"model": {"features": ["dense"]}}), encoding="utf-8")
    with pytest.raises(ConfigurationError):
        relevance.read_calibration(broken)


def test_probability_is_bounded_and_rises_with_the_dense_score():
    calibration = relevance.load_calibration()
    fixed = {name: 0.2 for name in calibration.features}
    probabilities = [calibration.probability({**fixed, "dense": dense}) for dense in np.linspace(-1.0, 1.0, 41)]
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert all(later > earlier for earlier, later in itertools.pairwise(probabilities))
    extremes = [calibration.probability({name: value for name in calibration.features}) for value in (-50.0, 50.0)]
    assert extremes[0] < 0.01 and extremes[1] > 0.99


def test_a_candidate_with_a_higher_dense_score_gets_a_higher_probability_on_the_same_screen():
    others = [_candidate(f"Unrelated passage number {i}.", 0.2) for i in range(9)]
    probabilities = []
    for dense in (0.2, 0.4, 0.6, 0.8):
        screen = [_candidate("Police detained 32 people in Minsk.", dense), *others]
        probabilities.append(relevance.assess("Police detained 32 people.", screen, uniform_idf, flat_scorer)[0].probability)
    assert probabilities == sorted(probabilities) and probabilities[-1] > probabilities[0] + 0.1


def test_term_coverage_counts_claim_terms_unknown_to_the_corpus():
    def idf(terms):  # "population" and "9.4" appear in no document: the highest weight
        return np.array([5.0 if t in ("population", "9.4") else 1.0 for t in terms])

    features = relevance.pair_features(
        "Belarus has a population of 9.4 million.", "Belarus held an election.", "Belarus vote", 0.5, 1.0, idf, flat_scorer
    )
    assert features["term_coverage"] == pytest.approx(1.0 / (1.0 + 5.0 + 5.0 + 1.0))  # belarus / all four terms
    assert features["best_sentence"] == pytest.approx(0.3)
    assert features["bm25_share"] == pytest.approx(1.0 / 12.0)


def test_labels_follow_the_thresholds_and_no_match_means_every_candidate_is_none():
    calibration = relevance.load_calibration()
    assert calibration.label(calibration.weak - 1e-6) is RelevanceLabel.NONE
    assert calibration.label(calibration.weak) is RelevanceLabel.WEAK
    assert calibration.label(calibration.strong) is RelevanceLabel.STRONG
    assert not relevance.has_match([RelevanceLabel.NONE] * 10)
    assert not relevance.has_match([])
    assert relevance.has_match([RelevanceLabel.NONE, RelevanceLabel.WEAK])
    assert relevance.has_match(["none", "strong"])  # labels read back from storage as plain strings


def _claims(workbench, draft):
    """(claim id, text) of every claim of an ingested article."""
    result = actions.ingest_article(workbench.store, Actor("Ann"), draft, encoder=workbench.encoder)
    return [
        (row["id"], row["text"])
        for row in workbench.store.query("SELECT id, text FROM claims WHERE article_id = ?", (result.article_id,))
    ]


def _claim_with(claims, fragment):
    return next(claim_id for claim_id, text in claims if fragment in text)


@pytest.mark.model
def test_claims_the_demo_corpus_cannot_answer_get_no_match_and_covered_ones_a_strong_candidate(workbench):
    unanswerable = [
        "Belarus has a population of about 9.4 million people.",
        "Manchester United signed a new striker for 80 million pounds.",
    ]
    claims = _claims(workbench, parse_text("\n\n".join(["Claims from elsewhere", *unanswerable])))
    for text in unanswerable:
        candidates = workbench.candidates(_claim_with(claims, text))
        assert len(candidates) == 10  # the screen still lists passages, but none is above "weak"
        assert not relevance.has_match(c.relevance_label for c in candidates), text
        assert max(c.relevance for c in candidates) < relevance.load_calibration().weak
    demo = _claims(workbench, workbench.demo_article())
    for fragment, evidence in (("Dominic Raab", "Raab"), ("hotspots", "42 hotspots")):
        covered = workbench.candidates(_claim_with(demo, fragment))
        assert covered[0].relevance_label is RelevanceLabel.STRONG and evidence in covered[0].text
        assert covered[0].relevance == max(c.relevance for c in covered)
        assert relevance.has_match(c.relevance_label for c in covered)


@pytest.mark.model
def test_seed_article_tells_covered_claims_from_unanswerable_ones(workbench, seed_text):
    claims = _claims(workbench, parse_text(seed_text))
    matched = {text: relevance.has_match(c.relevance_label for c in workbench.candidates(i)) for i, text in claims}
    assert not next(m for text, m in matched.items() if "The most active were held" in text)  # nothing in the demo corpus
    assert next(m for text, m in matched.items() if "political activity" in text)
    assert 0 < sum(not m for m in matched.values()) < len(matched)
