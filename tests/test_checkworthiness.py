"""Check-worthiness scorer: the shipped weights, score range and order, readable reasons, claim types."""

from __future__ import annotations

import json
import math

import numpy as np

from checks import claims
from checks.claims import (
    DEFAULT_WEIGHTS,
    EMBEDDING,
    REASON_TEXT,
    WEIGHTS_FILE,
    classify,
    extract_claims,
    features,
    lexical_terms,
    score_sentence,
    score_sentences,
)

FACT = "Unemployment fell to 4.1 percent last year, the lowest rate since 2000, according to the Labor Department."


def test_shipped_weights_load_with_provenance():
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert WEIGHTS_FILE.stat().st_size < 400_000
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


def test_quotes_and_predictions_never_count_against_a_claim():
    assert claims.WEIGHTS["quote"] >= 0 and claims.WEIGHTS["prediction"] >= 0  # sign-constrained in training
    hyperparameters = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))["provenance"]["hyperparameters"]
    assert {"quote", "prediction"} <= set(hyperparameters["nonnegative"])


class FakeEncoder:
    """Returns a fixed unit vector for every sentence, along (or against) the shipped embedding weights."""

    model_id = "all-MiniLM-L6-v2:384"

    def __init__(self, sign: float) -> None:
        vector = EMBEDDING["vector"] / np.linalg.norm(EMBEDDING["vector"])
        self.vector = (sign * vector).astype(np.float32)

    def encode(self, texts):
        return np.tile(self.vector, (len(texts), 1))


def test_shipped_embedding_part_is_384_finite_weights():
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))["embedding"]
    assert data["model"] == "all-MiniLM-L6-v2:384" and len(data["weights"]) == 384
    assert all(math.isfinite(v) for v in data["weights"]) and math.isfinite(data["bias"])


def test_embedding_part_needs_an_encoder_and_shows_as_one_signed_reason():
    sentences = [FACT, "I think this is terrible!"]
    assert score_sentences(sentences) == [score_sentence(s) for s in sentences]  # no encoder: features + lexicon only
    up = score_sentences(sentences, FakeEncoder(1.0))
    down = score_sentences(sentences, FakeEncoder(-1.0))
    for plain, high, low in zip(score_sentences(sentences), up, down, strict=True):
        assert low[0] < plain[0] < high[0] and high[1] == plain[1]
        assert sum("(semantic)" in r for r in high[2]) == 1 and any(r.startswith("+ resembles") for r in high[2])
        assert any(r.startswith("− resembles") for r in low[2])
    other = FakeEncoder(1.0)
    other.model_id = "another-model:384"  # weights belong to one vector space: another model adds nothing
    assert score_sentences(sentences, other) == score_sentences(sentences)
    rules = [score_sentence(s, DEFAULT_WEIGHTS) for s in sentences]
    assert score_sentences(sentences, FakeEncoder(1.0), DEFAULT_WEIGHTS) == rules  # custom weights: no embedding part


def test_extract_claims_with_encoder_keeps_sentences_and_offsets():
    body = "Minsk protests grow\n\nIn total, 32 people were detained, the interior ministry said. I think this is terrible!"
    plain, semantic = extract_claims(body), extract_claims(body, FakeEncoder(1.0))
    assert [c.text for c in plain] == [c.text for c in semantic] and semantic[0].is_headline
    assert all(s.score > p.score for p, s in zip(plain, semantic, strict=True))
    assert any("(semantic)" in r for r in semantic[1].reasons) and semantic[0].reasons[0] == "+ headline"


def test_news_set_labels_match_the_articles_and_every_claim_maps_to_them():
    from bench.news_checkworthiness import DEV_ARTICLES, article_metrics, claim_labels, load_articles

    articles = load_articles()
    assert len(articles) >= 20 and len(articles) > DEV_ARTICLES
    assert all(label in (0, 1, 2) for a in articles for _, _, label in a.units)
    for article in articles:
        for news_rules in (False, True):  # both extractors' claims overlap labelled sentences only
            claims = extract_claims(article.body, news_rules=news_rules)
            labels, _ = claim_labels(article, claims)
            assert len(labels) == len(claims)
    # A claim that merges labelled sentences takes their highest label; a perfect ranking scores 1.
    article = next(a for a in articles if a.name.startswith("01_"))
    claims = extract_claims(article.body)
    labels, missed = claim_labels(article, claims)
    merged = next(i for i, c in enumerate(claims) if "Three nurses" in c.text)
    assert "She treated injured protesters" in claims[merged].text and labels[merged] == 2 and missed == 0
    assert article_metrics(article, claims, [float(label) for label in labels])["MAP"] == 1.0
    reversed_ranking = article_metrics(article, claims, [-float(label) for label in labels])
    assert reversed_ranking["MAP"] < 0.8 and reversed_ranking["P@3"] == 0.0
