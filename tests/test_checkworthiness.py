"""Check-worthiness scorer: the shipped weights, score range and order, readable reasons, claim types."""

from __future__ import annotations

import json
import math

from checks import claims
from checks.claims import DEFAULT_WEIGHTS, REASON_TEXT, WEIGHTS_FILE, classify, features, lexical_terms, score_sentence

FACT = "Unemployment fell to 4.1 percent last year, the lowest rate since 2000, according to the Labor Department."


def test_shipped_weights_load_with_provenance():
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert WEIGHTS_FILE.stat().st_size < 300_000
    assert set(REASON_TEXT) <= set(data["weights"]) and "bias" in data["weights"]
    assert all(isinstance(v, float) and math.isfinite(v) for v in data["lexicon"].values())
    provenance = data["provenance"]
    assert provenance["command"].startswith("python bench/train_checkworthiness.py")
    assert {"hyperparameters", "trained", "datasets"} <= set(provenance)
    assert all(d["sentences"] > 1000 and "upstream" in d for d in provenance["datasets"])
    assert claims.WEIGHTS["bias"] == data["weights"]["bias"] and claims.LEXICON  # the app uses the shipped file


def test_missing_weights_file_falls_back_to_defaults(tmp_path):
    assert claims._load_weights(tmp_path / "absent.json") == DEFAULT_WEIGHTS
    assert claims._load_lexicon(tmp_path / "absent.json") == {}


def test_scores_are_probabilities_and_facts_outrank_opinions_and_questions():
    sentences = [FACT, "I think this is terrible!", "What do you think?", "Thank you.", "", "Well."]
    scores = [score_sentence(s)[0] for s in sentences]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > 0.6 and all(scores[0] > s for s in scores[1:])
    rules_only = [score_sentence(s, DEFAULT_WEIGHTS)[0] for s in sentences]
    assert rules_only[0] > max(rules_only[1:])


def test_reasons_are_readable_and_name_learned_words():
    _, _, reasons = score_sentence(FACT)
    assert reasons and all(isinstance(r, str) and r[:2] in ("+ ", "− ") and len(r) > 10 for r in reasons)
    assert any("number" in r for r in reasons)
    lexical = [r for r in reasons if "learned:" in r]
    assert len(lexical) <= 1
    for reason in lexical:
        assert "'" in reason and "#" not in reason  # names real words, numbers shown as N
    _, _, rule_reasons = score_sentence(FACT, DEFAULT_WEIGHTS)
    assert not any("learned" in r for r in rule_reasons)  # the hand-set rules have no lexical part


def test_claim_types():
    examples = {
        "In total, 32 people were detained, the interior ministry said.": "statistic",
        "“We will win,” Ms Tsikhanouskaya told reporters in Vilnius.": "quote",
        "The minister said the border would stay closed.": "attribution",
        "Prices rose because the central bank cut interest rates.": "causal",
        "The government is expected to announce new sanctions.": "prediction",
        "Police arrested the opposition leader in Minsk.": "event",
        "What a lovely morning it is.": "other",
    }
    for sentence, expected in examples.items():
        assert classify(features(sentence)) == expected, sentence
        assert score_sentence(sentence)[1] == expected, sentence


def test_lexical_terms_are_lowercase_unigrams_and_bigrams_with_numbers_folded():
    assert lexical_terms("It’s 42 Percent.") == ["it's", "#", "percent", "it's #", "# percent"]
    assert lexical_terms("") == []
