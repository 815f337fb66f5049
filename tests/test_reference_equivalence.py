"""Equivalence of the hand-written text and ranking primitives with reference libraries (test-only
dependencies in requirements-dev.txt): BM25 and the tokenizer against bm25s, the sentence splitter
against pysbd, Cohen's kappa against scikit-learn.

What the tests below establish:

* BM25 (``checks.retrieval.BM25``) scores are bm25s's ``method="lucene"`` scores times the constant
  (k1 + 1), for every document and query, when bm25s is fed our tokens: Lucene's idf
  log(1 + (N − df + 0.5)/(df + 0.5)) with the classic tf·(k1 + 1)/(tf + k1·(1 − b + b·dl/avgdl)), whose
  (k1 + 1) factor Lucene 8 (and bm25s) dropped because it never changes a ranking. Top-10 rankings
  are the same up to the order of tied scores. bm25s's ``robertson`` and ``atire`` use other idfs.
* The tokenizer differs from bm25s's default tokenizer (``\\b\\w\\w+\\b``, 33 English stopwords, no
  stemming) on purpose: it keeps decimals and thousands ("80.1", "6,700") and one-character tokens
  ("5"), drops about 100 stopwords (bm25s's 33 except "if"), and folds plurals ("protesters" →
  "protester"). Known limitation: its word pattern is ASCII-only, so "Łukashenka" becomes "ukashenka".
* The sentence splitter agrees with pysbd (English, clean=False) on every paragraph of the demo
  article (23 paragraphs), the 70 demo evidence passages, the seed article when present (17) and the
  30 news-style paragraphs below: 140 of 140 paragraphs, 281 sentences, so equality is asserted
  rather than a rate. The deliberate differences are listed in DELIBERATE_DIFFERENCES; one bug is
  recorded as a strict xfail.
* Cohen's kappa equals ``sklearn.metrics.cohen_kappa_score`` on random label pairs; where kappa is
  undefined the workbench returns None, scikit-learn nan (one label only) or raises (no pairs).
"""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path

import bm25s
import numpy as np
import pysbd
import pytest
from bm25s.stopwords import STOPWORDS_EN
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import cohen_kappa_score

from checks.claims import split_sentences
from checks.ingest import parse_text
from checks.retrieval import BM25, tokenize, top_k
from checks.review import cohens_kappa
from checks.vocab import Verdict
from tests.conftest import DATASETS

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
SCIFACT = DATASETS / "scifact"
# Enough SciFact abstracts and claims for varied document lengths and term statistics, small enough
# to index twice in about a second.
SCIFACT_DOCUMENTS = 1500
SCIFACT_QUERIES = 50
PARAMETERS = [(0.9, 0.4), (1.2, 0.75)]  # the workbench's default and the common Lucene/rank_bm25 one

DEMO_QUERIES = [
    "320 people were held on Friday",
    "Lukashenko got 87 per cent of the vote",
    "Plain-clothes officers from Russia's KGB dragged protesters away",
    "There were 42 hotspots of political activity",
    "He has been in power for 26 years, refuses to quit and denies fraud",
    "Putin said he had set up a police reserve to help Belarus",
    "The UK embassy in Minsk issued a statement",
    "Tobias Ellwood chairs the Commons defence committee",
    "protest protest protest in Minsk",  # a repeated query term counts each time in both
    "Bayern beat PSG in the Champions League final",
]


def demo_passages() -> list[str]:
    """The demo evidence as build_index feeds BM25: title, then passage text."""
    rows = [json.loads(line) for line in (DEMO / "evidence.jsonl").read_text(encoding="utf-8").splitlines()]
    return [f"{row['title']} {row['text']}" for row in rows]


def reference_index(texts: list[str], k1: float, b: float, method: str = "lucene") -> bm25s.BM25:
    index = bm25s.BM25(method=method, k1=k1, b=b)
    index.index([tokenize(text) for text in texts], show_progress=False)
    return index


def assert_same_scores_and_rankings(texts: list[str], queries: list[str], k1: float, b: float) -> None:
    ours = BM25(texts, k1=k1, b=b)
    reference = reference_index(texts, k1, b)
    query_tokens = [tokenize(query) for query in queries]
    reference_top, _ = reference.retrieve(query_tokens, k=10, show_progress=False, n_threads=1)
    for query, tokens, reference_rows in zip(queries, query_tokens, reference_top, strict=True):
        scores = ours.scores(query)
        np.testing.assert_allclose(scores, (k1 + 1) * reference.get_scores(tokens), rtol=1e-5, atol=1e-6)
        our_rows = top_k(scores, 10)
        assert scores[our_rows[0]] > 0, query
        # Same top 10 up to the order of ties: at every rank bm25s's document has our score there.
        np.testing.assert_allclose(scores[reference_rows], scores[our_rows], rtol=1e-6, err_msg=query)


@pytest.mark.parametrize(("k1", "b"), PARAMETERS)
def test_bm25_equals_bm25s_lucene_on_the_demo_corpus(k1, b):
    assert_same_scores_and_rankings(demo_passages(), DEMO_QUERIES, k1, b)


@pytest.mark.parametrize(("k1", "b"), PARAMETERS)
def test_bm25_equals_bm25s_lucene_on_scifact(k1, b):
    corpus, queries = SCIFACT / "corpus.jsonl", SCIFACT / "queries_test.jsonl"
    if not (corpus.exists() and queries.exists()):
        pytest.skip("SciFact not present beside the project")
    with corpus.open(encoding="utf-8") as lines:
        texts = [f"{row['title']} {row['text']}" for row in map(json.loads, itertools.islice(lines, SCIFACT_DOCUMENTS))]
    with queries.open(encoding="utf-8") as lines:
        claims = [json.loads(line)["text"] for line in itertools.islice(lines, SCIFACT_QUERIES)]
    assert_same_scores_and_rankings(texts, claims, k1, b)


@pytest.mark.parametrize("method", ["lucene", "robertson", "atire"])
def test_only_the_lucene_variant_is_ours_up_to_a_constant(method):
    texts, k1, b = demo_passages(), 0.9, 0.4
    query = "How many protesters were detained in Minsk on Friday?"
    ours = BM25(texts, k1=k1, b=b).scores(query)
    theirs = reference_index(texts, k1, b, method).get_scores(tokenize(query))
    matched = theirs > 0
    assert np.array_equal(ours > 0, matched)
    ratio = ours[matched] / theirs[matched]
    assert np.allclose(ratio, k1 + 1, rtol=1e-5) == (method == "lucene"), (method, ratio.min(), ratio.max())


def reference_tokens(text: str) -> list[str]:
    return bm25s.tokenize(text, return_ids=False, show_progress=False)[0]


def test_tokenizer_and_bm25s_both_lowercase():
    assert tokenize("MINSK Minsk minsk") == reference_tokens("MINSK Minsk minsk") == ["minsk"] * 3


@pytest.mark.parametrize(
    ("text", "ours", "bm25s_default"),
    [
        # Decimals and thousands stay one token: "6,700" must not match a claim about "700".
        ("80.1 per cent", ["80.1", "per", "cent"], ["80", "per", "cent"]),
        ("6,700 detained", ["6,700", "detained"], ["700", "detained"]),
        ("1,000, 2,000 and 3.5%", ["1,000", "2,000", "3.5"], ["000", "000"]),
        ("detained 32. Police", ["detained", "32", "police"], ["detained", "32", "police"]),
        # One-character tokens count: a number is often the claim.
        ("5 people", ["5", "people"], ["people"]),
        # Plurals folded, except -ss, -us, -is endings.
        ("protesters' rallies", ["protester", "rally"], ["protesters", "rallies"]),
        ("Belarus crisis class", ["belarus", "crisis", "class"], ["belarus", "crisis", "class"]),
        # Possessive with a typographic apostrophe: both keep the word alone.
        ("Belarus’s leader", ["belarus", "leader"], ["belarus", "leader"]),
        # bm25s keeps words outside its 33 stopwords that ours drops.
        ("They were detained after midnight", ["detained", "midnight"], ["were", "detained", "after", "midnight"]),
    ],
)
def test_tokenizer_differs_from_bm25s_default_where_it_matters(text, ours, bm25s_default):
    assert tokenize(text) == ours
    assert reference_tokens(text) == bm25s_default


def test_stopwords_are_bm25s_english_ones_and_more():
    kept_by_us = [word for word in STOPWORDS_EN if tokenize(word)]
    assert kept_by_us == ["if"]
    assert tokenize("the and not of were has about") == []


@pytest.mark.xfail(strict=True, reason="known limitation: the word pattern is ASCII-only")
def test_tokenizer_keeps_non_ascii_words_whole():
    assert tokenize("Łukashenka café") == reference_tokens("Łukashenka café") == ["łukashenka", "café"]


SEGMENTER = pysbd.Segmenter(language="en", clean=False)

# News-style paragraphs written for this test: abbreviations, initials, decimals, money, times,
# quotes, questions, brackets, ellipses.
NEWS_PARAGRAPHS = [
    "The interior ministry said 32 people were detained on Friday. Rights groups put the figure far higher. "
    "Neither number could be independently verified.",
    "Mr. Smith met Dr. Jones in Washington on Tuesday. They discussed sanctions for two hours.",
    "The U.S. embassy issued a statement urging restraint. Sanctions were imposed by the U.S. Treasury on Friday. "
    "Minsk condemned them.",
    "Officials in the U.K. said the talks would resume. No date was given.",
    "Turnout was 84.2 per cent, the commission said. Observers disputed the figure, citing 1,310 complaints.",
    "Prices rose by 3.5% in March. Analysts had expected 2.9%. The central bank meets on Thursday.",
    "“We will not leave,” one protester said. “This is our city.”",
    "She asked: “Why were they arrested?” Nobody answered. The officers drove away.",
    "He shouted “Go home!” and the crowd cheered. Police moved in soon after.",
    "The rally began at 10 a.m. and ended at 4 p.m. on Sunday. About 100,000 people took part.",
    "Gen. Ivanov resigned on Jan. 12. His deputy took over. A spokesman for No. 10 said talks continue.",
    "St. Petersburg saw smaller protests. Moscow was calm. Protests continued on Aug. 16 in Minsk.",
    "The company, Acme Inc., denied the report. Its shares fell 4% in early trading.",
    "Ms. Tsikhanouskaya spoke from Vilnius. She called for new elections and the release of prisoners.",
    "The figure was 1,000 on Monday. By Wednesday it was 6,700. 14 were later released.",
    "J. K. Rowling tweeted her support. Thousands shared the post. The book is by J. Smith.",
    "Was the vote rigged? The opposition says it was. The commission says it was not!",
    "Incredible! The crowd simply refused to move. Really?! Yes.",
    "The report (published on Monday) cited 12 witnesses. Two later withdrew. (This was not explained.) The inquiry continues.",
    "The minister said the matter was closed... Reporters kept asking. I don't know... maybe tomorrow, he said.",
    "Items such as flags, banners, etc. were confiscated. Several people were fined, e.g. for carrying flags.",
    "The vote is scheduled for Nov. 3. Polls open at 7 a.m. and close at 8 p.m. local time.",
    "Prof. Ellis, who teaches at Oxford, disagreed. He called the claim baseless.",
    "Sen. Warren and Rep. Ocasio-Cortez signed the letter. The White House did not respond.",
    "The results, announced at 11.30pm, gave him 80.1%. The opposition rejected them. The deal was worth $2.5bn.",
    "According to the BBC, 3,000 were held. The ministry gave no figure. The U.N. Security Council met on Friday.",
    "“It is a disgrace,” said Sir Keir. “The government must act.” She said: 'We will win.' Others agreed.",
    "Lt. Col. Petrov denied the allegation. He said the soldiers acted lawfully. He cited Fig. 3 of the report.",
    "Sales fell 12 per cent (from 4.1m to 3.6m). Profits held steady. Version 2.0 launched in May.",
    "The E.U. imposed sanctions on 40 officials. Belarus responded with counter-measures. It happened in the U.S.A. "
    "Nobody noticed.",
]

# (paragraph, our sentences, pysbd's sentences). After a known abbreviation (U.S., Inc., etc., a.m.,
# Aug.) we never split: we cannot tell "in the U.S. The president" from "the U.S. Treasury", and a
# claim left whole is still reviewable while one cut in two is not; pysbd guesses and sometimes cuts
# ("9 a.m. Moscow time"). We split only before an upper-case letter, digit, quote or bracket (a
# lower-case word after a dot is far more often an unknown abbreviation than "iPhone"). We treat "…"
# like "...", pysbd splits after "..." but not after "…".
DELIBERATE_DIFFERENCES = [
    (
        "The president lives in the U.S. The prime minister lives in the U.K.",
        ["The president lives in the U.S. The prime minister lives in the U.K."],
        ["The president lives in the U.S.", "The prime minister lives in the U.K."],
    ),
    (
        "He joined Acme Inc. Chief executive Jane Doe welcomed him.",
        ["He joined Acme Inc. Chief executive Jane Doe welcomed him."],
        ["He joined Acme Inc.", "Chief executive Jane Doe welcomed him."],
    ),
    (
        "They brought flags, banners etc. Then the police came.",
        ["They brought flags, banners etc. Then the police came."],
        ["They brought flags, banners etc.", "Then the police came."],
    ),
    (
        "The talks began at 9 a.m. Moscow time. They ended late.",
        ["The talks began at 9 a.m. Moscow time.", "They ended late."],
        ["The talks began at 9 a.m.", "Moscow time.", "They ended late."],
    ),
    (
        "The vote took place on 9 Aug. Protests began that night.",
        ["The vote took place on 9 Aug. Protests began that night."],
        ["The vote took place on 9 Aug.", "Protests began that night."],
    ),
    (
        "He bought an iPhone. iPhones are popular.",
        ["He bought an iPhone. iPhones are popular."],
        ["He bought an iPhone.", "iPhones are popular."],
    ),
    (
        "The ministry said so… Nobody believed it.",
        ["The ministry said so…", "Nobody believed it."],
        ["The ministry said so… Nobody believed it."],
    ),
]


def ours(paragraph: str) -> list[str]:
    return [sentence.text for sentence in split_sentences(paragraph)]


def pysbd_sentences(paragraph: str) -> list[str]:
    # clean=False keeps the text as written; pysbd leaves the trailing space on each sentence.
    return [sentence.strip() for sentence in SEGMENTER.segment(paragraph) if sentence.strip()]


def disagreements(paragraphs: list[str]) -> list[tuple[list[str], list[str]]]:
    return [(ours(p), pysbd_sentences(p)) for p in paragraphs if ours(p) != pysbd_sentences(p)]


def article_paragraphs(text: str) -> list[str]:
    return [line for line in parse_text(text).body.splitlines() if line.strip()]


def test_sentence_splitter_agrees_with_pysbd_on_the_demo_data():
    article = article_paragraphs((DEMO / "article.txt").read_text(encoding="utf-8"))
    evidence = [json.loads(line)["text"] for line in (DEMO / "evidence.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (len(article), len(evidence)) == (23, 70)
    assert sum(len(ours(p)) for p in article + evidence) > 150  # multi-sentence text, not one-liners
    assert disagreements(article + evidence) == []


def test_sentence_splitter_agrees_with_pysbd_on_news_paragraphs():
    assert sum(len(ours(p)) for p in NEWS_PARAGRAPHS) > 2 * len(NEWS_PARAGRAPHS)
    assert disagreements(NEWS_PARAGRAPHS) == []


def test_sentence_splitter_agrees_with_pysbd_on_the_seed_article(seed_text):
    paragraphs = article_paragraphs(seed_text)
    assert len(paragraphs) == 17
    assert disagreements(paragraphs) == []


@pytest.mark.parametrize(("paragraph", "expected_ours", "expected_pysbd"), DELIBERATE_DIFFERENCES)
def test_sentence_splitter_deliberate_differences_from_pysbd(paragraph, expected_ours, expected_pysbd):
    assert ours(paragraph) == expected_ours
    assert pysbd_sentences(paragraph) == expected_pysbd


@pytest.mark.xfail(strict=True, reason="bug: a one-letter unit after a number ('£1.2m.') is taken for an initial")
def test_sentence_splitter_splits_after_an_amount_with_a_unit():
    paragraph = "The fund was worth £1.2m. Its manager resigned."
    assert ours(paragraph) == pysbd_sentences(paragraph) == ["The fund was worth £1.2m.", "Its manager resigned."]


VERDICTS = [verdict.value for verdict in Verdict]


@pytest.mark.parametrize("seed", range(20))
def test_cohens_kappa_equals_scikit_learn_on_random_pairs(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(2, 80))
    labels = VERDICTS[: int(rng.integers(2, 4))]
    skew = rng.dirichlet(np.ones(len(labels)))  # uneven label use, as real reviewers have
    first = rng.choice(labels, size=size, p=skew)
    # The second reviewer agrees with probability p, else picks at random: kappa from near 0 to 1.
    agree = rng.random(size) < rng.random()
    second = np.where(agree, first, rng.choice(labels, size=size))
    assert len(set(first) | set(second)) > 1  # kappa is defined: these seeds never draw one label only
    pairs = list(zip(first.tolist(), second.tolist(), strict=True))
    assert cohens_kappa(pairs) == pytest.approx(cohen_kappa_score(first, second), abs=1e-12)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("verified", "verified"), ("disputed", "disputed"), ("verified", "verified")], 1.0),  # perfect agreement
        ([("verified", "disputed"), ("disputed", "verified")], -1.0),  # perfect disagreement
        ([("verified", "disputed")] * 4, 0.0),  # each reviewer uses one (different) label
        ([("verified", "verified"), ("verified", "disputed"), ("verified", "verified")], 0.0),  # one reviewer constant
    ],
)
def test_cohens_kappa_degenerate_cases_equal_scikit_learn(pairs, expected):
    first, second = zip(*pairs, strict=True)
    assert cohens_kappa(pairs) == pytest.approx(expected)
    assert cohen_kappa_score(first, second) == pytest.approx(expected)


def test_cohens_kappa_undefined_cases():
    """Where kappa is 0/0 the workbench says None; scikit-learn returns nan (one label) or raises."""
    pairs = [("verified", "verified")] * 5
    assert cohens_kappa(pairs) is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert np.isnan(cohen_kappa_score(*zip(*pairs, strict=True)))
    assert any(issubclass(w.category, UndefinedMetricWarning) for w in caught)
    assert cohens_kappa([]) is None
    with pytest.raises(ValueError, match="empty"):
        cohen_kappa_score([], [])
