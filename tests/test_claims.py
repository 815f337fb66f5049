from checks.claims import extract_claims, is_boilerplate, score_sentence, split_sentences
from checks.ingest import parse_text


def test_sentences_survive_abbreviations_numbers_and_quotes():
    text = "Mr. Putin spoke to the U.S. envoy on 3.5 hours of talks. He said: “It escalates.” Then he left."
    assert [s.text for s in split_sentences(text)] == [
        "Mr. Putin spoke to the U.S. envoy on 3.5 hours of talks.",
        "He said: “It escalates.”",
        "Then he left.",
    ]
    sentences = split_sentences("He has ruled for 26 years. Mr Putin agreed.", offset=10)
    assert sentences[1].start == 10 + len("He has ruled for 26 years. ")


def test_boilerplate_lines():
    for line in [
        "READ MORE: WW3 fears rise",
        "Related: Belarus crisis",
        "Protesters in Minsk (Image: Getty)",
        "Sign up to our newsletter",
        "source: express.co.uk",
    ]:
        assert is_boilerplate(line), line
    assert not is_boilerplate("Readers said more than 30 people were detained.")


def test_scores_rank_factual_above_opinion_with_reasons():
    fact, fact_type, reasons = score_sentence("In total, 32 people were detained, the interior ministry said.")
    opinion, _, _ = score_sentence("I think this is terrible!")
    assert fact > 0.6 > opinion
    assert fact_type == "statistic"
    assert any("number" in r for r in reasons)
    assert score_sentence("“We will win,” Ms Tsikhanouskaya told reporters in Vilnius.")[1] == "quote"


def test_seed_article(seed_text):
    draft = parse_text(seed_text, origin="seed")
    assert draft.domain == "express.co.uk"
    claims = extract_claims(draft.body)
    texts = [c.text for c in claims]
    assert claims[0].is_headline and claims[0].text.startswith("Message to Putin!")
    assert not any("READ MORE" in t for t in texts)
    assert not any(t.startswith("source:") for t in texts)
    for number in ("42 centres", "32 people were detained", "26 years"):
        matching = [c for c in claims if number in c.text]
        assert len(matching) == 1, number
        assert matching[0].claim_type == "statistic" and matching[0].score > 0.6
    for claim in claims:  # offsets point at the claim in the stored body
        assert draft.body[claim.start : claim.end] == claim.text
