"""Who said it: quote spans in news text, the speaker of a quote or reported statement, and clause
split suggestions for compound claims.

Pure text functions without a model, used by :func:`checks.claims.extract_claims` on articles:

* :func:`quote_open_after` follows double quotation marks through a sentence, so the extractor can
  keep a quote that runs over several sentences (or, by the news convention of reopening the quote
  at each paragraph, several paragraphs) together as one claim;
* :func:`speaker_of` reads the usual attribution patterns: ``“…,” said X``, ``“…,” X said``,
  ``X said: “…”``, ``X tweeted: “…”``, ``X said (that) …``, ``…, X said.`` and ``according to X``;
* :func:`split_suggestions` offers the clauses of a compound claim (``;``, ``, and``, ``but``,
  ``while``, ``although``, a non-restrictive ``, who …,`` clause, ``and`` + a verb) as separate
  sentences, never cutting inside a quotation.
"""

from __future__ import annotations

import re
from bisect import bisect_left

OPENING = "“«"
CLOSING = "”»"
STRAIGHT = '"'
QUOTE_MARK = re.compile(r'[“«”»"]')

# Verbs that attribute a statement to someone.
SPEECH_VERBS = (
    r"said|says|say|told|tells|tweeted|tweets|wrote|writes|posted|added|adds|insisted|insists|claimed|claims|claim|"
    r"warned|warns|announced|announces|stated|states|denied|denies|deny|confirmed|confirms|admitted|admits|revealed|"
    r"reveals|reported|reports|argued|argues|explained|explains|condemned|condemns|accused|accuses|called|calls|"
    r"believe|believes|estimates|estimated"
)
# A short phrase without clause punctuation or quotation marks: the candidate speaker.
PHRASE = r"[^,.;:!?“”\"«»]{2,80}?"
AUXILIARY = r"(?:has\s+|have\s+|had\s+)?"
# “…,” said Dr Hannah Ellis, a consultant …  /  “…,” union secretary Jonas Ek told reporters …
AFTER_QUOTE_VERB_FIRST = re.compile(rf"[,!?.…][”\"»]\s+(?:{SPEECH_VERBS})\s+(?P<speaker>[^,.;:!?“”\"«»]{{2,80}})")
AFTER_QUOTE = re.compile(rf"[,!?.…][”\"»]\s+(?P<speaker>{PHRASE})\s+{AUXILIARY}(?:{SPEECH_VERBS})\b")
# Council leader Sandra Cole said: “…  /  Lind, who denies wrongdoing, said …  /  In a letter, Mr Grant said …
# The chief executive, Ruth Obi, said … (the name in apposition is the speaker)
LEADING = re.compile(
    rf"^(?:(?:But|And|However|Meanwhile|Yet)\s+|In [^,]{{1,60}},\s+)?(?P<speaker>{PHRASE})"
    rf"(?:,\s+(?:who|which|whose)\s[^,]{{1,80}},|,\s+(?P<name>[A-Z][^,.;:!?“”\"«»]{{1,60}}),)?\s+{AUXILIARY}(?:{SPEECH_VERBS})\b"
)
# …, the disaster agency said.  /  …, the team reported in the Journal of Hepatic Research.
TRAILING = re.compile(
    rf",\s+(?!(?:which|who|whose|that|and|but)\b)(?P<speaker>{PHRASE})\s+{AUXILIARY}(?:{SPEECH_VERBS})\b[^,;“”\"«»]{{0,60}}$"
)
ACCORDING_TO = re.compile(r"\baccording to (?P<speaker>[^,.;:!?“”\"«»]{2,80})", re.I)
MAX_SPEAKER_WORDS = 8
PRONOUNS = frozenset({"he", "she", "they", "we", "i", "it"})


def quote_open_after(text: str, is_open: bool = False) -> bool:
    """Whether a double quotation is still open after ``text``, given whether it was open before.

    Curly and angle quotes open and close explicitly; a straight ``"`` toggles. Single quotes are
    ignored: they are apostrophes or headline scare quotes far more often than speech.
    """
    for mark in QUOTE_MARK.findall(text):
        is_open = True if mark in OPENING else False if mark in CLOSING else not is_open
    return is_open


def _clean_speaker(phrase: str) -> str | None:
    speaker = phrase.strip().strip("'’-– ")
    words = speaker.split()
    if not words or len(words) > MAX_SPEAKER_WORDS or any(char.isdigit() for char in speaker):
        return None
    return speaker


def speaker_of(text: str) -> str | None:
    """Who the claim attributes its statement to, as written (``he``, ``the union``, ``Mr Grant``), or None."""
    text = text.strip()
    for pattern in (AFTER_QUOTE_VERB_FIRST, AFTER_QUOTE):
        for match in pattern.finditer(text):
            if speaker := _clean_speaker(match.group("speaker")):
                return speaker
    for pattern in (LEADING, TRAILING, ACCORDING_TO):
        match = pattern.search(text)
        if match and (speaker := _clean_speaker(match.groupdict().get("name") or match.group("speaker"))):
            return speaker
    return None


def is_pronoun(speaker: str | None) -> bool:
    """True for a bare pronoun speaker (``he``, ``She``) that only the text before can name."""
    return speaker is not None and speaker.lower() in PRONOUNS


def names_someone(speaker: str | None) -> bool:
    """True when the speaker carries a name (``Lind``, ``union secretary Jonas Ek``), not just a role (``the union``)."""
    if not speaker or is_pronoun(speaker):
        return False
    words = speaker.split()
    return (len(words) == 1 and words[0][:1].isupper()) or any(word[:1].isupper() for word in words[1:])


# --------------------------------------------------------------------------------- split suggestions

CLAUSE_BREAK = re.compile(
    r"\s*;\s+|,\s+(?:and|but|while|whereas|although|though)\s+|\s+(?:but|while|whereas|although)\s+"
    r"|\s+and\s+(?=(?:has|have|had|is|are|was|were|will|would|denies|denied|says|said|claims|claimed|admits|admitted|"
    r"insists|insisted|refuses|refused)\b)"
)
RELATIVE = re.compile(r"^(?P<subject>[^,]{2,60}?),\s+(?:who|which)\s+(?P<clause>[^,]{4,160}),\s+(?P<rest>.+)$", re.S)
VERB_START = re.compile(
    rf"^(?:has|have|had|is|are|was|were|will|would|can|could|did|does|{SPEECH_VERBS}|refuses|refused|[a-z]+ed)\b"
)
SUBJECT = re.compile(
    r"^(?:In [^,]{1,60},\s+)?(?P<subject>[A-Z][^,;:“”\"«»]{0,60}?)"
    rf"\s+(?=(?:has|have|had|is|are|was|were|will|would|{SPEECH_VERBS}|[a-z]+ed)\b)"
)
MIN_CLAUSE_WORDS = 3
WORD = re.compile(r"\S+")
MAX_SUBJECT_WORDS = 6


def _subject(text: str) -> str | None:
    """The short noun phrase a sentence opens with (before its first verb), to complete verb-first clauses."""
    match = SUBJECT.match(text)
    if match and len(match.group("subject").split()) <= MAX_SUBJECT_WORDS:
        return match.group("subject")
    return None


def _clauses(text: str) -> list[str]:
    """``text`` cut at the clause breaks that lie outside quotations and leave clauses of useful length.

    One pass over the breaks, the quotation marks and the word starts (found once), so a long
    text costs O(n log n), never a rescan of the text per break.
    """
    marks = [(match.start(), match.group()) for match in QUOTE_MARK.finditer(text)]
    words = [match.start() for match in WORD.finditer(text)]
    pieces, start, is_open, seen = [], 0, False, 0
    for match in CLAUSE_BREAK.finditer(text):
        while seen < len(marks) and marks[seen][0] < match.start():
            is_open = quote_open_after(marks[seen][1], is_open)
            seen += 1
        head_words = bisect_left(words, match.start()) - bisect_left(words, start)
        tail_words = len(words) - bisect_left(words, match.end())
        if not is_open and head_words >= MIN_CLAUSE_WORDS and tail_words >= MIN_CLAUSE_WORDS:
            pieces.append(text[start : match.start()])
            start = match.end()
    return [*pieces, text[start:]]


def _as_sentence(clause: str) -> str:
    clause = clause.strip().rstrip(",;:.").strip()
    return clause[0].upper() + clause[1:] + "." if clause else ""


def split_suggestions(text: str) -> list[str]:
    """The clauses of a compound claim as stand-alone sentences; empty when the claim is one assertion.

    Suggestions only: the reviewer decides whether to split. A clause that starts with a verb gets the
    sentence's subject (``President X, who has ruled for 26 years, denies fraud`` → ``President X has
    ruled for 26 years.``, ``President X denies fraud.``).
    """
    text = " ".join(text.split())
    parts = [text]
    relative = RELATIVE.match(text)
    if relative and len(relative.group("subject").split()) <= MAX_SUBJECT_WORDS and relative.group("subject")[:1].isupper():
        subject = relative.group("subject")
        parts = [f"{subject} {relative.group('clause')}", f"{subject} {relative.group('rest')}"]
    suggestions = []
    for part in parts:
        subject = _subject(part)
        for position, clause in enumerate(_clauses(part)):
            clause = clause.strip()
            if position and subject and VERB_START.match(clause):
                clause = f"{subject} {clause}"
            suggestions.append(_as_sentence(clause))
    return suggestions if len(suggestions) > 1 else []
