import re
import time

from checks.claims import extract_claims, is_boilerplate, score_sentence, split_sentences
from checks.config import SHIPPED_DATA
from checks.ingest import parse_text

# (start, end) of every sentence, paragraph by paragraph, as the quadratic splitter this project
# shipped before the linear one produced them: the rewrite must not move a single boundary.
DEMO_SPLITS = [
    (0, 107), (109, 121), (123, 272), (274, 448), (450, 491), (493, 588), (589, 685), (687, 771), (773, 950),
    (952, 1047), (1049, 1177), (1179, 1316), (1318, 1397), (1399, 1497), (1499, 1647), (1649, 1800), (1802, 1910),
    (1912, 2019), (2021, 2180), (2182, 2271), (2273, 2433), (2435, 2509), (2511, 2578), (2580, 2600),
]
SEED_SPLITS = [
    (0, 17), (18, 85), (87, 207), (208, 327), (328, 470), (472, 624), (625, 645), (647, 801), (803, 898),
    (900, 1002), (1004, 1085), (1087, 1145), (1147, 1223), (1225, 1273), (1275, 1393), (1395, 1526), (1528, 1689),
    (1691, 1792), (1794, 1933), (1935, 2053), (2055, 2076),
]


def _paragraph_splits(text: str) -> list[tuple[int, int]]:
    found = []
    for paragraph in re.finditer(r"[^\n]+", text):
        sentences = split_sentences(paragraph.group(), offset=paragraph.start())
        assert all(text[s.start : s.end] == s.text for s in sentences)
        found += [(s.start, s.end) for s in sentences]
    return found


def test_sentences_survive_abbreviations_numbers_and_quotes():
    text = "Mr. Putin spoke to the U.S. envoy on 3.5 hours of talks. He said: “It escalates.” Then he left."
    assert [s.text for s in split_sentences(text)] == [
        "Mr. Putin spoke to the U.S. envoy on 3.5 hours of talks.",
        "He said: “It escalates.”",
        "Then he left.",
    ]
    sentences = split_sentences("He has ruled for 26 years. Mr Putin agreed.", offset=10)
    assert sentences[1].start == 10 + len("He has ruled for 26 years. ")


def test_linear_splitter_keeps_every_boundary_of_the_demo_and_seed_articles(seed_text):
    assert _paragraph_splits((SHIPPED_DATA / "demo" / "article.txt").read_text(encoding="utf-8")) == DEMO_SPLITS
    assert _paragraph_splits(seed_text) == SEED_SPLITS


def test_one_huge_paragraph_splits_in_linear_time():
    mix = (
        "Mr. Smith said 3.5 per cent of U.S. voters agreed on Jan. 4. “It is true,” he said! Really? "
        "The e.g. list... goes on. (See below.) 42 people were held. "
    )
    cases = {
        "x. " * 166_667: 1,  # no capital after the dots: one sentence (quadratic before: 29 s for 100k characters)
        (mix * (500_000 // len(mix) + 1))[:500_000]: None,
        "." * 500_000 + "x": 1,  # one run of end marks: no backtracking per dot
        "A." * 250_000 + " B": 1,  # one long initialism-like token
    }
    for text, expected in cases.items():
        started = time.perf_counter()
        sentences = split_sentences(text)
        assert time.perf_counter() - started < 3.0, text[:20]
        assert len(text) >= 500_000 and (expected is None or len(sentences) == expected)
        assert all(text[s.start : s.end] == s.text for s in sentences)
    realistic = split_sentences((mix * 10)[:-1])
    assert [s.text for s in realistic[:6]] == [
        "Mr. Smith said 3.5 per cent of U.S. voters agreed on Jan. 4.",
        "“It is true,” he said!",
        "Really?",
        "The e.g. list... goes on.",
        "(See below.)",
        "42 people were held.",
    ]
    assert len(realistic) == 60


def test_boilerplate_lines():
    for line in [
        "READ MORE: WW3 fears rise",
        "Related: Belarus crisis",
        "Protesters in Minsk (Image: Getty)",
        "Sign up to our newsletter",
        "source: express.co.uk",
        "Photo: Nurses outside the hospital",
        "(Reporting by Kim Roy; Editing by Lee Hart)",
        "Additional reporting by Kim Roy",
    ]:
        assert is_boilerplate(line), line
    assert not is_boilerplate("Readers said more than 30 people were detained.")
    assert not is_boilerplate("Reporting by the BBC found 30 people were detained.")


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
