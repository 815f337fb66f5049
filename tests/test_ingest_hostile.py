"""Hostile input for the ingest parsers: every file is either parsed correctly or refused with an
:class:`IngestError` (one line, for the user), never another exception, and never slowly."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.errors import InputError, WorkbenchError
from checks.ingest import (
    MAX_ARTICLE_CHARS,
    MAX_BATCH_RECORDS,
    MAX_JSON_DEPTH,
    SUPPORTED_SUFFIXES,
    IngestError,
    parse_text,
    parse_upload,
)

STORY = "Police detained 32 people in Minsk on Sunday, the interior ministry said."


def _page(body: str, head: str = "") -> str:
    return f"<html><head><title>Minsk</title>{head}</head><body><article><h1>Minsk</h1>{body}</article></body></html>"


# name, bytes, and what must happen: "refused" (with this text in the message) or "parsed" (a check)
CORPUS = [
    ("deep-arrays.json", ("[" * 1000 + "]" * 1000).encode(), "nested more than"),
    ("deep-objects.json", ('{"a":' * 1000 + "1" + "}" * 1000).encode(), "nested more than"),
    ("never-closed.json", ("[" * 200_000).encode(), "nested more than"),
    ("deep-line.jsonl", (json.dumps({"text": STORY}) + "\n" + "[" * 5000).encode(), lambda r: len(r.drafts) == 1),
    ("open-string.json", ("[" + "[]," * 20 + '"' + '\\"' * 500_000).encode(), "Unterminated string"),  # quadratic to scan naively
    ("many-values.json", ("[" + "0," * 2_100_000 + "0]").encode(), "more than 2,000,000 JSON values"),
    ("long-number.json", ("9" * 5000).encode(), "a number too long to read"),
    ("nan.json", b'{"text": NaN}', lambda r: r.problems == ["nan.json record 1: no text/body/content field."]),
    ("surrogate.json", json.dumps({"text": STORY + " \ud800"}).encode(),
     lambda r: r.drafts[0].body.endswith("\ufffd")),
    ("not-text.json", json.dumps({"text": {"nested": [STORY]}}).encode(), lambda r: "no text" in r.problems[0]),
    ("scalars.json", b'[null, 1, "x", [1], true]', lambda r: len(r.problems) == 5 and not r.drafts),
    ("line-separator.jsonl", json.dumps({"text": STORY + "\u2028More."}, ensure_ascii=False).encode(),
     lambda r: len(r.drafts) == 1),
    ("too-many-rows.jsonl", (json.dumps({"text": STORY}) + "\n").encode() * (MAX_BATCH_RECORDS + 1), "split it"),
    ("too-many-rows.csv", b"text\n" + b"x\n" * (MAX_BATCH_RECORDS + 1), "split it"),
    ("huge-field.csv", b'text\n"' + b"x" * 200_000 + b'"\n', "not a readable CSV"),
    ("late-nul.csv", b"text\n" + b"x\n" * 5000 + b"a\x00b\n", lambda r: r.drafts[-1].body == "ab"),
    ("open-quote.csv", b'text,title\n"' + STORY.encode() + b"\n", lambda r: len(r.drafts) == 1),
    ("header-only.csv", b"text,title\n", "no rows"),
    ("odd-utf16.txt", b"\xff\xfeA", "not valid UTF-16"),
    ("binary.html", bytes(range(256)) * 64, "binary"),
    ("empty.html", b"<html></html>", "no article text"),
    ("xml-declaration.html", b'<?xml version="1.0" encoding="utf-8"?>' + _page(f"<p>{STORY}</p>").encode(),
     lambda r: STORY in r.drafts[0].body),
    # the HTML parser stops nesting at 256 levels: what lies deeper is lost, the page still parses
    ("deep-divs.html", _page("<div>" * 100_000 + f"<p>{STORY}</p>" + "</div>" * 100_000).encode(),
     lambda r: r.drafts[0].title == "Minsk"),
    ("script-heavy.html", _page(f"<p>{STORY}</p>", "<script>var x='" + "a" * 4_000_000 + "';</script>").encode(),
     lambda r: r.drafts[0].body.endswith(STORY)),
    ("wall-of-text.html", _page(f"<p>{'Minsk was calm. ' * 80_000}</p>").encode(), "characters of text"),
    ("spaced-source.txt", ("Headline\n\nsource: a" + " " * 200_000 + "b").encode(), lambda r: r.drafts[0].title == "Headline"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "expect"), CORPUS, ids=[case[0] for case in CORPUS])
def test_hostile_corpus_is_parsed_or_refused_clearly(name, data, expect):
    started = time.monotonic()
    if callable(expect):
        assert expect(parse_upload(name, data))
    else:
        with pytest.raises(IngestError, match=expect) as refusal:
            parse_upload(name, data)
        assert "\n" not in str(refusal.value)
    assert time.monotonic() - started < 5  # before: 7-16 s for a wall of text, forever for a spaced source line


def test_ingest_errors_belong_to_the_error_family():
    assert issubclass(IngestError, InputError) and issubclass(IngestError, WorkbenchError)
    assert MAX_JSON_DEPTH < 100  # far below the recursion limit json would crash at


def test_a_page_just_within_the_text_limit_is_still_extracted():
    draft = parse_upload("long.html", _page(f"<p>{'Minsk was calm. ' * (MAX_ARTICLE_CHARS // 20)}</p>").encode()).drafts[0]
    assert len(draft.body) > MAX_ARTICLE_CHARS // 2


def _outcome(name: str, data: bytes) -> None:
    """Parse, and let only IngestError escape: any other exception fails the calling test."""
    try:
        result = parse_upload(name, data)
    except IngestError as error:
        assert str(error) and "\n" not in str(error)
        return
    for draft in result.drafts:
        assert draft.body.strip() and draft.title
        draft.body.encode("utf-8")  # storable: no lone surrogates left


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["text", "title", "url", "date"]), inner, max_size=4),
    max_leaves=20,
)
MARKUP_PIECES = [*"<>/=\"' &;#[]{}()!*_`$:\\\n\tpdivahref", "Minsk ", "32 ", "<p>", "</p>", "<script>", "<!--", "source: "]
MARKUP = st.lists(st.sampled_from(MARKUP_PIECES), max_size=120).map("".join)
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.sampled_from(sorted(SUPPORTED_SUFFIXES)), st.binary(max_size=400))
def test_random_bytes_never_crash_the_parsers(suffix, data):
    _outcome(f"upload{suffix}", data)


@FAST
@given(st.lists(JSON_VALUES, max_size=5), st.booleans())
def test_random_json_records_never_crash_the_parsers(records, as_lines):
    if as_lines:
        _outcome("batch.jsonl", "\n".join(json.dumps(r) for r in records).encode())
    else:
        _outcome("batch.json", json.dumps(records).encode())


@FAST
@given(MARKUP, st.sampled_from([".html", ".md", ".csv", ".txt"]))
def test_random_markup_never_crashes_the_parsers(text, suffix):
    _outcome(f"page{suffix}", text.encode())


@FAST
@given(st.text(max_size=500))
def test_any_pasted_text_parses_or_is_refused(text):
    try:
        draft = parse_text(text)
    except IngestError:
        return
    assert draft.body and draft.title
