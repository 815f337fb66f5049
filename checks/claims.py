"""Claims: split an article into sentences, drop boilerplate, score check-worthiness with reasons.

The score is a logistic combination of readable features (a number, a named entity, an
attribution, a comparison, ...) so every score comes with the reasons that produced it. A trained
file ``data/checkworthiness_weights.json`` (written by ``bench/train_checkworthiness.py``, with its
provenance) replaces the hand-set defaults below and may add a small learned lexicon: per-word and
per-bigram weights whose summed contribution is shown to reviewers as one reason naming the words
that drove it. Without the file the hand-set weights are used and there is no lexical part.

The file may also ship an embedding part: 384 weights over the normalised all-MiniLM-L6-v2 sentence
vector, fitted on top of the features + lexicon. It is added only when an encoder is passed
(:func:`score_sentences`, :func:`extract_claims`) and is shown as one signed reason ("resembles
check-worthy claims in the training data (semantic)"); :func:`score_sentence` needs no model and
scores with the readable features and lexicon alone. A ``context`` weight, when shipped non-zero,
lets :func:`extract_claims` add a share of the neighbouring sentences' logits (articles are sequences).

The weights were learned on debate transcripts, which have no headline, standfirst or quotes. On
articles :func:`extract_claims` adds a news layer (``news_rules``, on by default): the headline and
the standfirst weigh more; a hedged attribution ("believed to be", "reportedly", "according to") or
sensational wording around a factual assertion raises the score instead of lowering it; a quotation
that runs over several sentences stays one claim with its speaker (:mod:`checks.attribution`); a
context fragment ("Tensions are rising.") joins the sentence before it in its paragraph or is marked
low; compound claims carry clause split suggestions. Each adjustment is one visible reason.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

from checks.attribution import (
    OPENING,
    STRAIGHT,
    is_pronoun,
    names_someone,
    quote_open_after,
    speaker_of,
    split_suggestions,
)
from checks.config import SHIPPED_DATA
from checks.ingest import BYLINE_LINE, DATE_LINE, SOURCE_LINE, URL_LINE

WEIGHTS_FILE = SHIPPED_DATA / "checkworthiness_weights.json"

# Lines that are site furniture, never claims: cross-promotion, share prompts, captions, wire credits, footers.
BOILERPLATE = re.compile(
    r"^\s*(?:(?:read more|related|more on this|see also|watch|listen|sign up|subscribe|follow us|share this|"
    r"click here|advertisement|sponsored|click to|most read|trending|don'?t miss|join us|"
    r"copyright|all rights reserved|getty images|\(?image|this article (?:was|is) (?:originally )?published|"
    r"\((?:additional )?(?:reporting|writing|editing) by|additional reporting by)\b|"
    r"©|(?:image|photo|picture|pic|credit|caption)s?\s*:).*$",
    re.I,
)
CAPTION_TAIL = re.compile(r"\((?:image|photo|picture|pic|credit)s?\s*:[^)]*\)\s*$", re.I)

ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sen",
    "rep",
    "gov",
    "gen",
    "col",
    "lt",
    "sgt",
    "capt",
    "st",
    "jr",
    "sr",
    "no",
    "vs",
    "etc",
    "inc",
    "ltd",
    "co",
    "corp",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "approx",
    "est",
    "fig",
    "u.s",
    "u.k",
    "e.g",
    "i.e",
    "a.m",
    "p.m",
    "rev",
    "mt",
}
OPEN_QUOTES = "\"“‘'«"
CLOSE_QUOTES = "\"”’'»"
# A sentence ends at . ! ? (or …) plus any closing quotes/brackets, before whitespace. Possessive
# quantifiers and the look-behind (never start inside a run of end marks) keep the scan linear:
# a long run of dots is tried once, not once per dot with backtracking.
SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++[\"”’'»)\]]*+(?=\s)")
# The whitespace after a sentence end and the first character of what follows (absent at the end).
NEXT_START = re.compile(r"\s*(\S?)")
ABBREVIATION_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")
INITIALISM = re.compile(r"(?:[a-z]\.)+[a-z]")

NUMBER_WORDS = (
    r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half|double|triple)"
)
FEATURE_PATTERNS: dict[str, re.Pattern] = {
    "number": re.compile(rf"\d|\b{NUMBER_WORDS}\b|%|\bper ?cent\b", re.I),
    "attribution": re.compile(
        r"\b(?:said|says|say|told|tweeted|stated|announced|claimed|claims|reported|confirmed|denied|denies|"
        r"according to|condemned|warned|insisted|admitted|revealed|wrote|added|declared)\b",
        re.I,
    ),
    "quote": re.compile(r"[“\"][^”\"]{12,}"),
    "comparison": re.compile(
        r"\b(?:more|less|fewer|greater|higher|lower|larger|smaller|most|least|biggest|largest|highest|lowest|"
        r"record|worst|best|first|only|than|compared|double|half|majority|minority)\b",
        re.I,
    ),
    "causal": re.compile(
        r"\b(?:because|due to|caused?|causing|led to|leads to|result(?:ed)? in|as a result|therefore|thanks to|"
        r"blamed?|responsible for|with the help of)\b",
        re.I,
    ),
    "prediction": re.compile(
        r"\b(?:will|won't|going to|expected to|forecast|predict\w*|plans? to|intends? to)\b", re.I
    ),
    "event": re.compile(
        r"\b(?:detained|arrested|killed|died|injured|held|recorded|elected|voted|won|lost|launched|signed|"
        r"passed|banned|jailed|sentenced|fired|resigned|rigged|attacked|deployed|formed|imposed|recognis\w+|"
        r"recogniz\w+|accepted|accept|sanction\w*|increased|decreased|rose|fell)\b",
        re.I,
    ),
    "hedge": re.compile(
        r"\b(?:may|might|could|possibly|perhaps|reportedly|allegedly|believed to|appears? to|seems?|rumou?red|"
        r"some say|it is thought)\b",
        re.I,
    ),
    "opinion": re.compile(
        r"\b(?:i think|i believe|i feel|in my view|should|must|ought|incredible|amazing|terrible|shocking|"
        r"disgraceful|brilliant|awful|outrageous|wonderful|horrific|we need)\b|!",
        re.I,
    ),
}
ENTITY = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:[A-Z][a-z]+|[A-Z]{2,})(?:\s+(?:of\s+)?[A-Z][a-z]+)*")
STOP_CAPITALS = {"I", "The", "A", "An", "It", "He", "She", "They", "We", "This", "That", "In", "On", "But", "And"}

# Logistic weights per feature (hand-set defaults; bench/train_checkworthiness.py can replace them
# with weights fitted on public check-worthiness data, shipped in WEIGHTS_FILE with provenance).
DEFAULT_WEIGHTS: dict[str, float] = {
    "bias": -1.6,
    "number": 1.6,
    "entity": 0.8,
    "attribution": 0.6,
    "quote": 0.2,
    "comparison": 0.5,
    "causal": 0.6,
    "prediction": 0.3,
    "event": 0.9,
    "hedge": -0.6,
    "opinion": -0.9,
    "question": -1.5,
    "short": -1.5,
    "first_person": -0.5,
}
REASON_TEXT = {
    "number": "contains a number or statistic",
    "entity": "names a person, place or organisation",
    "attribution": "attributes a statement (said, according to …)",
    "quote": "quotes someone",
    "comparison": "makes a comparison or superlative",
    "causal": "makes a causal claim",
    "prediction": "makes a prediction",
    "event": "reports a concrete event or action",
    "hedge": "hedged (may, reportedly, believed to …)",
    "opinion": "opinion or emotive wording",
    "question": "is a question",
    "short": "too short to check",
    "first_person": "first-person statement",
}
CLAIM_TYPES = ("statistic", "quote", "attribution", "causal", "prediction", "event", "other")


@dataclass
class Sentence:
    text: str
    start: int
    end: int


@dataclass
class ScoredClaim:
    """One candidate claim with its offsets in the article body and its explained score."""

    text: str
    start: int
    end: int
    score: float
    claim_type: str
    reasons: list[str] = field(default_factory=list)
    is_headline: bool = False
    speaker: str | None = None  # who the claim attributes its statement to, as the article names them
    split_suggestions: list[str] = field(default_factory=list)  # clauses of a compound claim; not applied


def _is_abbreviation(text: str, dot_index: int) -> bool:
    """True when the '.' at dot_index ends an abbreviation or an initial, not a sentence.

    The token is the run of ASCII letters and dots just before the dot, found by walking back from
    it: the run holds no whitespace, so runs of different sentence ends never overlap and the walks
    cost O(n) in total over a paragraph.
    """
    first = dot_index
    while first > 0 and text[first - 1] in ABBREVIATION_CHARS:
        first -= 1
    if first == dot_index:
        return False
    token = text[first:dot_index].lower()
    return token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()) or bool(INITIALISM.fullmatch(token))


def _sentence(text: str, start: int, end: int, offset: int) -> Sentence | None:
    """The stripped text[start:end] with absolute offsets, or None when it is only whitespace."""
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return None
    lead = len(piece) - len(piece.lstrip())
    return Sentence(stripped, offset + start + lead, offset + start + lead + len(stripped))


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Split one paragraph into sentences with absolute offsets, in O(n) time for n characters.

    Splits after . ! ? (with trailing quotes) when the next word starts a sentence, and not after
    abbreviations (``Mr.``, ``U.S.``), initials or decimal numbers. Every step looks only at the
    characters around one sentence end (never copies or rescans the rest of the paragraph), so one
    huge paragraph costs time proportional to its length.
    """
    sentences: list[Sentence] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        end = match.end()
        following = NEXT_START.match(text, end).group(1)
        if not following:
            break  # only whitespace after this end: the rest is the last sentence
        if match.group() == "." and _is_abbreviation(text, match.start()):
            continue
        # Next sentence must start like one: capital, digit, or an opening quote/bracket.
        if not (following.isupper() or following.isdigit() or following in OPEN_QUOTES + "(["):
            continue
        if sentence := _sentence(text, start, end, offset):
            sentences.append(sentence)
        start = end
    if sentence := _sentence(text, start, len(text), offset):
        sentences.append(sentence)
    return sentences


def is_boilerplate(line: str) -> bool:
    """Cross-promotion, share prompts, captions, bylines, dates and source/footer lines."""
    stripped = line.strip()
    return bool(
        BOILERPLATE.match(stripped)
        or CAPTION_TAIL.search(stripped)
        or SOURCE_LINE.match(stripped)
        or BYLINE_LINE.match(stripped)
        or DATE_LINE.match(stripped)
        or URL_LINE.match(stripped)
    )


def _read_weights_file(path: Path) -> dict:
    """The shipped JSON, or {} when absent or unreadable (the app must start without it)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    """Feature weights (and the ``lexical`` scale) from the trained file, else the hand-set defaults."""
    data = _read_weights_file(path)
    if "weights" in data:
        return {**DEFAULT_WEIGHTS, **{name: float(value) for name, value in data["weights"].items()}}
    return dict(DEFAULT_WEIGHTS)


def _load_lexicon(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    """Learned word/bigram weights from the trained file; empty when not shipped."""
    return {term: float(value) for term, value in _read_weights_file(path).get("lexicon", {}).items()}


def _load_embedding(path: Path = WEIGHTS_FILE) -> dict:
    """The learned embedding part: 384 weights over the model's normalised sentence vector and a bias; none when not shipped."""
    part = _read_weights_file(path).get("embedding") or {}
    vector = [float(value) for value in part.get("weights", [])]
    return {"model": part.get("model"), "bias": float(part.get("bias", 0.0)), "weights": vector, "vector": np.array(vector)}


WEIGHTS = _load_weights()
LEXICON = _load_lexicon()
EMBEDDING = _load_embedding()
SEMANTIC_REASON = {
    True: "+ resembles check-worthy claims in the training data (semantic)",
    False: "− resembles sentences not worth checking in the training data (semantic)",
}

# Words for the learned lexical part: lower-cased, curly apostrophes straightened, every number one token.
LEXICAL_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|[%$£€]")
LEXICAL_REASON_TERMS = 3  # words named in the lexical reason
LEXICAL_REASON_MIN = 0.15  # smaller net lexical contributions are not worth a reviewer's attention
# Function words count in the score but are not named in the reason: "'has', 'the'" explains nothing to a reviewer.
FUNCTION_WORDS = frozenset(
    "a about above after again against all am an and any are as at be because been before being below between both but by "
    "can could did do does doing don't down during each few for from further had has have having he he's her here hers him "
    "his how i i'm if in into is isn't it it's its just me more most my no nor not now of off on once only or other our ours "
    "out over own same she should so some such than that that's the their theirs them then there these they they're this "
    "those through to too under until up very was we we're were what when where which while who whom why will with would "
    "you you're your yours # n't 's".split()
)


def lexical_terms(sentence: str) -> list[str]:
    """Distinct unigrams and bigrams of a sentence, in order, as the learned lexicon keys them."""
    tokens = ["#" if token[0].isdigit() else token for token in LEXICAL_TOKEN.findall(sentence.lower().replace("’", "'"))]
    return list(dict.fromkeys(tokens + [f"{first} {second}" for first, second in pairwise(tokens)]))


def lexical_contributions(sentence: str, lexicon: dict[str, float] | None = None) -> dict[str, float]:
    """Each known term's share of the lexical score: its weight over √(distinct terms), so long sentences don't win by length."""
    lexicon = LEXICON if lexicon is None else lexicon
    terms = lexical_terms(sentence)
    if not terms or not lexicon:
        return {}
    norm = math.sqrt(len(terms))
    return {term: lexicon[term] / norm for term in terms if term in lexicon}


def features(sentence: str) -> dict[str, bool]:
    """Readable binary features of one sentence; the inputs of the check-worthiness score."""
    found = {name: bool(pattern.search(sentence)) for name, pattern in FEATURE_PATTERNS.items()}
    entities = [m.group() for m in ENTITY.finditer(sentence) if m.group() not in STOP_CAPITALS]
    found["entity"] = bool(entities)
    found["question"] = sentence.rstrip("”\"’' )").endswith("?")
    found["short"] = len(re.findall(r"\w+", sentence)) < 6
    found["first_person"] = bool(re.match(r"^[“\"]?(?:I|We|My|Our)\b", sentence))
    return found


def classify(found: dict[str, bool]) -> str:
    """The claim type a reviewer would file this under, most specific first."""
    if found["quote"] and found["attribution"]:
        return "quote"
    if found["number"]:
        return "statistic"
    if found["causal"]:
        return "causal"
    if found["prediction"]:
        return "prediction"
    if found["attribution"]:
        return "attribution"
    if found["event"]:
        return "event"
    return "other"


def _lexical_reason(terms: dict[str, float], total: float) -> str:
    """One readable line for the learned lexical part, naming the words that pushed the score that way."""
    sign = 1.0 if total > 0 else -1.0
    pushing = [term for term, value in terms.items() if sign * value > 0 and not FUNCTION_WORDS.issuperset(term.split())]
    strongest = sorted(pushing, key=lambda term: -sign * terms[term])
    words = ", ".join(f"'{term.replace('#', 'N')}'" for term in strongest[:LEXICAL_REASON_TERMS])  # '# percent' → 'N percent'
    text = "+ wording typical of check-worthy claims" if total > 0 else "− wording typical of sentences not worth checking"
    return f"{text} (learned: {words})" if words else text


def _base_score(
    sentence: str, weights: dict[str, float], found: dict[str, bool] | None = None
) -> tuple[float, str, list[tuple[float, str]]]:
    """Logit of the readable features + learned lexicon, the claim type, and (contribution, reason) pairs.

    ``found`` is the sentence's :func:`features` when the caller already has them.
    """
    found = features(sentence) if found is None else found
    contributions = {name: weights.get(name, 0.0) for name, present in found.items() if present}
    reasons_by_value = [(value, ("+ " if value > 0 else "− ") + REASON_TEXT[name]) for name, value in contributions.items()]
    logit = weights["bias"] + sum(contributions.values())
    scale = weights.get("lexical", 0.0)
    if scale:
        terms = {term: scale * value for term, value in lexical_contributions(sentence).items()}
        lexical = sum(terms.values())
        logit += lexical
        if abs(lexical) >= LEXICAL_REASON_MIN:
            reasons_by_value.append((lexical, _lexical_reason(terms, lexical)))
    return logit, classify(found), reasons_by_value


def _finish(logit: float, claim_type: str, reasons_by_value: list[tuple[float, str]]) -> tuple[float, str, list[str]]:
    reasons = [text for value, text in sorted(reasons_by_value, key=lambda item: -abs(item[0])) if abs(value) >= 0.05]
    return 1.0 / (1.0 + math.exp(-logit)), claim_type, reasons


def score_sentence(sentence: str, weights: dict[str, float] | None = None) -> tuple[float, str, list[str]]:
    """Check-worthiness in 0–1, the claim type and the reasons (strongest first), without the embedding part.

    ``weights`` defaults to the shipped (trained) weights; its ``lexical`` entry scales the learned
    lexicon, so passing :data:`DEFAULT_WEIGHTS` scores with the hand-set rules alone. Needs no model:
    :func:`score_sentences` adds the semantic part when an encoder is loaded.
    """
    return _finish(*_base_score(sentence, weights or WEIGHTS))


def _embedding_logits(sentences: list[str], encoder: object | None, weights: dict[str, float] | None) -> list[float] | None:
    """The embedding part's logits, or None when there is no encoder, no shipped part, custom weights or another model."""
    if encoder is None or weights is not None or not EMBEDDING["weights"] or not sentences:
        return None
    if getattr(encoder, "model_id", None) != EMBEDDING["model"]:
        return None  # the shipped weights belong to one model's vector space
    vectors = encoder.encode(sentences)
    return [float(value) + EMBEDDING["bias"] for value in vectors @ EMBEDDING["vector"]]


def _score_logits(
    sentences: list[str],
    encoder: object | None = None,
    weights: dict[str, float] | None = None,
    found: list[dict[str, bool]] | None = None,
) -> list[tuple[float, str, list[tuple[float, str]]]]:
    found = found or [None] * len(sentences)
    scored = [_base_score(sentence, weights or WEIGHTS, seen) for sentence, seen in zip(sentences, found, strict=True)]
    semantic = _embedding_logits(sentences, encoder, weights)
    if semantic is None:
        return scored
    out = []
    for (logit, claim_type, reasons_by_value), value in zip(scored, semantic, strict=True):
        if abs(value) >= LEXICAL_REASON_MIN:
            reasons_by_value = [*reasons_by_value, (value, SEMANTIC_REASON[value > 0])]
        out.append((logit + value, claim_type, reasons_by_value))
    return out


def score_sentences(
    sentences: list[str], encoder: object | None = None, weights: dict[str, float] | None = None
) -> list[tuple[float, str, list[str]]]:
    """:func:`score_sentence` for many sentences, plus the learned embedding part when ``encoder`` is given.

    ``encoder`` is a :class:`checks.embedding.Encoder` (anything with ``encode(texts)`` returning
    normalised vectors and the matching ``model_id``); the embedding part is one reason ("resembles
    check-worthy claims …") with its sign. Without an encoder the scores equal :func:`score_sentence`.
    """
    return [_finish(*item) for item in _score_logits(list(sentences), encoder, weights)]


def _smooth(logits: list[float], weight: float) -> list[float]:
    """Context: each logit plus ``weight`` × the mean logit of the neighbouring sentences (0 = off)."""
    if not weight or len(logits) < 2:
        return logits
    out = []
    for position, logit in enumerate(logits):
        near = logits[max(position - 1, 0) : position] + logits[position + 1 : position + 2]
        out.append(logit + weight * sum(near) / len(near))
    return out


# ------------------------------------------------------------------------------------- news layer

# Logit adjustments of the news layer, chosen on the development half of the news set (articles
# 01–12 of bench/data/news_checkworthiness/, ``python bench/news_checkworthiness.py --dev``: best
# dev MAP among the grid points that put the seed article's headline and hedged first sentence in
# the top third); the other half is the test. See bench/news_checkworthiness.md.
NEWS_WEIGHTS: dict[str, float] = {
    "headline": 3.0,
    "standfirst": 2.0,
    "hedged_attribution": 3.0,  # replaces the learned "hedge" penalty
    "sensational": 0.0,  # replaces the learned "opinion" penalty: the dev half showed no gain from more
    "fragment": -1.0,
}
NEWS_REASON = {
    "headline": "headline",
    "standfirst": "standfirst: the article's summary line",
    "hedged_attribution": "hedged attribution of a factual claim",
    "sensational": "sensational wording around a factual claim",
    "fragment": "context fragment: not checkable on its own",
}
# Attributions that pass a claim on without vouching for it: where news puts its unverified facts.
HEDGED_ATTRIBUTION = re.compile(
    r"\b(?:believed to|thought to|said to be|reported to be|reportedly|allegedly|alleged to|according to|"
    r"sources? (?:say|says|said|close to|familiar)|it is understood|is understood to|understood to be|"
    r"appears? to show|appeared to show|claimed without evidence|claims? that|claimed that|claims? (?:he|she|they|it)\b|"
    r"(?:some|many) \w+ (?:say|claim|believe|suggest)|critics (?:say|claim)|(?<!\bI )(?<!\bwe )(?:believes?|suspects?) )",
    re.I,
)
# Tabloid register: emotive adjectives, loaded nouns and verbs, shouted words, exclamations (not the
# modal "should" or "I think" of the opinion feature: advice and first-person views are not sensational).
SENSATIONAL = re.compile(
    r"(?i:\b(?:incredible|amazing|terrible|shocking|disgrace\w*|brilliant|awful|outrage\w*|wonderful|horrific|fury|"
    r"furious|shame|shameful|greedy|thugs?|astonishing|staggering|miracle|slams?|blasts?|chaos|horror|heavies|brawl|"
    r"wild|sensational|bombshell|smash\w*|devastat\w*)\b)|\b[A-Z]{3,}(?:[ '’][A-Z]{2,})+\b|!"
)
# Event verbs frequent in news that the debate-trained feature list lacks; with a name or a number
# they mark a sentence as asserting something that happened.
NEWS_EVENT = re.compile(
    r"\b(?:arrest\w*|detain\w*|drag\w*|haul\w*|beat(?:en)?|fought|fight\w*|struck|strikes?|clos(?:e|ed|es|ing)|cuts?|"
    r"scrapp\w*|dropped|award\w*|approv\w*|quit|quits|charged|convicted|admitted|laid off|flooded|failed|"
    r"collapsed|offered|paid|spent|spending|donated|expel\w*|filmed|seen)\b",
    re.I,
)
MAX_QUOTE_SENTENCES = 4  # a longer quotation stays one claim per sentence (each with the speaker)
FRAGMENT_MAX_WORDS = 7


@dataclass
class _Segment:
    """Consecutive sentences of the body that become one claim."""

    sentences: list[Sentence]
    paragraph: int
    quote: int | None = None  # index of the long quotation this sentence belongs to (speaker shared)
    fragment: bool = False

    @property
    def start(self) -> int:
        return self.sentences[0].start

    @property
    def end(self) -> int:
        return self.sentences[-1].end


def _word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _article_parts(body: str) -> tuple[Sentence | None, list[list[Sentence]]]:
    """The headline (the first line, whole) and the sentences of every later line that is not boilerplate."""
    headline: Sentence | None = None
    paragraphs: list[list[Sentence]] = []
    for line_match in re.finditer(r"[^\n]+", body):
        line = line_match.group()
        if not line.strip():
            continue
        if headline is None:
            text = line.strip().lstrip("#").strip()
            start = line_match.start() + line.index(text)
            headline = Sentence(text, start, start + len(text))
        elif not is_boilerplate(line):
            paragraphs.append(split_sentences(line, offset=line_match.start()))
    return headline, paragraphs


def _quotations(paragraphs: list[list[Sentence]]) -> list[list[tuple[int, Sentence]]]:
    """(paragraph, sentence) pairs in reading order, grouped so that a quotation running over several
    sentences is one group. By news convention a quotation continues into the next paragraph when
    that paragraph reopens it; otherwise an unclosed quotation ends with its paragraph."""
    groups: list[list[tuple[int, Sentence]]] = []
    is_open = False
    for index, sentences in enumerate(paragraphs):
        continuing = is_open and sentences[0].text[:1] in OPENING + STRAIGHT
        is_open = continuing
        for position, sentence in enumerate(sentences):
            if is_open:
                groups[-1].append((index, sentence))
            else:
                groups.append([(index, sentence)])
            # the reopening mark of a continued quotation does not toggle a straight quote shut
            is_open = quote_open_after(sentence.text[1:] if continuing and position == 0 else sentence.text, is_open)
    return groups


def _is_fragment(text: str) -> bool:
    """A short sentence with no name, number or quotation: it only makes sense with its context."""
    if len(text) > 20 * FRAGMENT_MAX_WORDS or _word_count(text) > FRAGMENT_MAX_WORDS:
        return False
    found = features(text)
    return not (found["number"] or found["entity"] or found["quote"] or found["question"]) and not any(
        char in text for char in OPENING + STRAIGHT
    )


def _segments(paragraphs: list[list[Sentence]]) -> list[_Segment]:
    """The claims of the body: quotations kept whole, context fragments joined to the sentence before them."""
    segments: list[_Segment] = []
    for number, group in enumerate(_quotations(paragraphs)):
        if len(group) <= MAX_QUOTE_SENTENCES:
            segments.append(_Segment([sentence for _, sentence in group], group[0][0]))
        else:
            segments += [_Segment([sentence], paragraph, quote=number) for paragraph, sentence in group]
    merged: list[_Segment] = []
    for segment in segments:
        if len(segment.sentences) == 1 and segment.quote is None and _is_fragment(segment.sentences[0].text):
            if merged and merged[-1].paragraph == segment.paragraph:
                merged[-1].sentences += segment.sentences
                continue
            segment.fragment = True
        merged.append(segment)
    return [s for s in merged if len(s.sentences) > 1 or _word_count(s.sentences[0].text) >= 3]


def _news_adjust(
    found: dict[str, bool],
    factual: bool,
    role: str | None,
    fragment: bool,
    weights: Mapping[str, float],
    reasons_by_value: list[tuple[float, str]],
) -> tuple[float, list[tuple[float, str]]]:
    """The news layer's change to one claim's logit, and its reasons with the debate reasons it replaces removed.

    ``role`` is "headline", "standfirst" or None. A hedge or emotive word costs a debate sentence
    (the learned ``hedge`` and ``opinion`` weights); in news, around a name, a number or an event,
    it marks the claim to check first: the penalty is dropped and the news weight added, shown as
    one reason worth the net change.
    """
    changes = [(role, weights[role])] if role and not found["question"] else []
    replaced = []
    for rule, applies, debate_feature in (
        ("hedged_attribution", factual and found["hedged_attribution"], "hedge"),
        ("sensational", factual and found["sensational"], "opinion"),
    ):
        if applies:
            penalty = WEIGHTS.get(debate_feature, 0.0) if found[debate_feature] else 0.0
            changes.append((rule, weights[rule] - penalty))
            if penalty:
                replaced.append(("+ " if penalty > 0 else "− ") + REASON_TEXT[debate_feature])
    if fragment:
        changes.append(("fragment", weights["fragment"]))
    kept = [(value, reason) for value, reason in reasons_by_value if reason not in replaced]
    added = [(value, ("+ " if value > 0 else "− ") + NEWS_REASON[name]) for name, value in changes if name != "headline"]
    return sum(value for _, value in changes), kept + added


def _news_claims(body: str, encoder: object | None, weights: Mapping[str, float]) -> list[ScoredClaim]:
    headline, paragraphs = _article_parts(body)
    segments = _segments(paragraphs)
    units: list[tuple[Sentence, str | None, bool]] = []  # the claim's span, its role, fragment flag
    if headline is not None:
        units.append((headline, "headline", False))
    for position, segment in enumerate(segments):
        text = body[segment.start : segment.end]
        standfirst = position == 0 and segment.paragraph == 0 and text[:1] not in OPENING + STRAIGHT
        units.append((Sentence(text, segment.start, segment.end), "standfirst" if standfirst else None, segment.fragment))
    found = [features(span.text) for span, _, _ in units]
    scored = _score_logits([span.text for span, _, _ in units], encoder, found=found)
    adjusted = []
    for (span, role, fragment), seen, (logit, claim_type, reasons_by_value) in zip(units, found, scored, strict=True):
        factual = seen["entity"] or seen["number"] or seen["event"] or bool(NEWS_EVENT.search(span.text))
        hedged, sensational = bool(HEDGED_ATTRIBUTION.search(span.text)), bool(SENSATIONAL.search(span.text))
        news = {**seen, "hedged_attribution": hedged, "sensational": sensational}
        delta, reasons_by_value = _news_adjust(news, factual, role, fragment, weights, reasons_by_value)
        adjusted.append((logit + delta, claim_type, reasons_by_value))
    logits = _smooth([logit for logit, _, _ in adjusted], WEIGHTS.get("context", 0.0))
    # A long quotation split into sentences shares the speaker found anywhere in it.
    quote_spans: dict[int, tuple[int, int]] = {}
    for segment in segments:
        if segment.quote is not None:
            first = quote_spans.get(segment.quote, (segment.start, segment.end))[0]
            quote_spans[segment.quote] = (first, segment.end)
    quote_speakers = {quote: speaker_of(body[start:end]) for quote, (start, end) in quote_spans.items()}
    quotes = [None] * (headline is not None) + [segment.quote for segment in segments]
    claims, named = [], None
    rows = zip(units, found, adjusted, logits, quotes, strict=True)
    for (span, role, _), seen, (_, claim_type, reasons_by_value), logit, quote in rows:
        speaker = quote_speakers[quote] if quote is not None else speaker_of(span.text)
        if is_pronoun(speaker) and named:
            speaker = named  # "he told the court": the last speaker the article named
        elif names_someone(speaker):
            named = speaker
        score, claim_type, reasons = _finish(logit, claim_type, reasons_by_value)
        weighted_headline = role == "headline" and not seen["question"]
        claims.append(
            ScoredClaim(
                span.text,
                span.start,
                span.end,
                score,
                claim_type,
                ["+ " + NEWS_REASON["headline"], *reasons] if weighted_headline else reasons,
                is_headline=role == "headline",
                speaker=speaker,
                split_suggestions=split_suggestions(span.text),
            )
        )
    return claims


def _sentence_claims(body: str, encoder: object | None) -> list[ScoredClaim]:
    """Every sentence scored as the debate-trained scorer sees it, with no news layer."""
    headline, paragraphs = _article_parts(body)
    spans = [headline] if headline is not None else []
    spans += [sentence for sentences in paragraphs for sentence in sentences if _word_count(sentence.text) >= 3]
    scored = _score_logits([span.text for span in spans], encoder)
    logits = _smooth([logit for logit, _, _ in scored], WEIGHTS.get("context", 0.0))
    claims = []
    for position, (span, (_, claim_type, reasons_by_value), logit) in enumerate(zip(spans, scored, logits, strict=True)):
        is_headline = position == 0 and headline is not None
        score, claim_type, reasons = _finish(logit, claim_type, reasons_by_value)
        reasons = ["+ headline", *reasons] if is_headline else reasons
        claims.append(ScoredClaim(span.text, span.start, span.end, score, claim_type, reasons, is_headline))
    return claims


def extract_claims(
    body: str, encoder: object | None = None, news_rules: bool | Mapping[str, float] = True
) -> list[ScoredClaim]:
    """All check-worthy-candidate claims of an article in reading order, headline first.

    Every sentence that is not boilerplate ends up in a claim with a score; the UI sorts or filters
    by score, so nothing is silently dropped. With an ``encoder`` the scores include the learned
    embedding part (see :func:`score_sentences`). ``news_rules`` applies the news layer (see the
    module docstring) with :data:`NEWS_WEIGHTS`, or with the weights given as a mapping; ``False``
    scores every sentence as the debate-trained scorer alone does (no speakers, no split suggestions).
    """
    if news_rules is False:
        return _sentence_claims(body, encoder)
    weights = NEWS_WEIGHTS if news_rules is True else {**NEWS_WEIGHTS, **news_rules}
    return _news_claims(body, encoder, weights)
