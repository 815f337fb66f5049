"""Ingest: turn pasted text, files (txt, md, html, json, jsonl, csv) or URLs into article drafts.

Owns decoding (encodings, binary and size checks), metadata detection (headline, byline, date,
canonical URL, source domain) and the parsing of batch formats, each bounded (size, JSON depth,
record count, page text) before the expensive step so hostile input gets a clear refusal. URLs are
downloaded by :mod:`checks.fetch`. It never writes to the store; :mod:`checks.articles` does that.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np

from checks.errors import InputError
from checks.fetch import HTML_TYPES, FetchError, FetchResult, default_policy, fetch, fetch_many
from checks.sources import registrable_domain

MAX_ARTICLE_CHARS = 500_000  # ~100 printed pages; longer input is almost always a wrong file
MAX_FILE_BYTES = 50 * 1024 * 1024  # a batch file (csv/jsonl) may hold many articles
MAX_PAGE_BYTES = 5_000_000  # a downloaded page; real article pages are well under 1 MB
MAX_BATCH_RECORDS = 50_000  # rows of one batch file; more than a 50 MB file of real articles holds
MAX_JSON_DEPTH = 32  # article records are flat; deeper nesting is junk (and deep enough crashes json)
MAX_JSON_VALUES = 2_000_000  # about 40 fields for each of MAX_BATCH_RECORDS records
# Text a page may show (scripts and styles aside) and still be extracted. Extraction time grows with
# it (about 0.7 s per million characters here) and the article is a part of it, so a page with more
# than twice the article limit is refused before extraction instead of after it.
MAX_PAGE_TEXT_CHARS = 2 * MAX_ARTICLE_CHARS

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ""}
HTML_SUFFIXES = {".html", ".htm"}
BATCH_SUFFIXES = {".json", ".jsonl", ".csv"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | BATCH_SUFFIXES

SOURCE_LINE = re.compile(r"^\s*(?:source|via|originally published (?:at|by|on))\s*[:\-–]\s*(\S.*)$", re.I)
BYLINE_LINE = re.compile(r"^\s*(?i:by|written by|words by)\s+([A-Z][\w.'\- ]{1,80}?)\s*(?:[,|–-].*)?$")
DATE_LINE = re.compile(
    r"^\s*(?:published|updated|posted)?\s*:?\s*"
    r"(\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Z][a-z]+\s+\d{4}|[A-Z][a-z]+\s+\d{1,2},\s+\d{4})"
    r"(?:[ ,T]+\d{1,2}[:.]\d{2}.*)?\s*$",
    re.I,
)
URL_LINE = re.compile(r"^\s*(?:url|link|canonical)\s*:\s*(https?://\S+)\s*$", re.I)
# A JSON string; one left open runs to the end of the text, so every '"' starts a match and the scan
# stays linear (a pattern that had to find the closing quote retries from every escaped quote).
JSON_STRING = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*(?:"|\\?\Z)')
NOT_BRACKET = re.compile(r"[^\[\]{}]+")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")  # never text; tab, line and page breaks are handled apart
# Never article text, and dropped by the extractor anyway: dropping them first makes the size check honest.
PAGE_JUNK = "//script[not(@type='application/ld+json')]|//style|//svg|//noscript"


class IngestError(InputError):
    """Input that cannot become an article; the message is meant for the user."""


@dataclass
class ArticleDraft:
    """A parsed article before it is stored: body keeps the text claims are offset into."""

    title: str
    body: str
    byline: str | None = None
    published: str | None = None
    url: str | None = None
    domain: str | None = None
    origin: str = "pasted"


def decode_bytes(data: bytes, name: str = "input") -> str:
    """Decode uploaded bytes to text, refusing empty and binary files with a clear message.

    Tries UTF-8 (with or without BOM), then UTF-16 when a BOM says so, then Windows-1252, the
    usual encoding of legacy newsroom exports (it maps almost every byte, so it goes last).
    """
    if not data or not data.strip():
        raise IngestError(f"{name} is empty: nothing to ingest.")
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(f"{name} is {len(data) / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB per file.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise IngestError(f"{name} starts like UTF-16 text but is not valid UTF-16 ({error.reason}).") from error
    elif b"\x00" in data[:8192]:
        raise IngestError(f"{name} looks like a binary file (it contains NUL bytes), not text.")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text[:20000] if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 20000):
        raise IngestError(f"{name} looks like a binary file (many control characters), not text.")
    return text


def normalise_text(text: str) -> str:
    """NFC, Unix newlines, no trailing spaces, no control characters; offsets of claims refer to this
    form. Lone surrogates (JSON can spell them) become U+FFFD, so the text can always be stored as UTF-8."""
    text = CONTROL_CHARS.sub("", LONE_SURROGATE.sub("\ufffd", text))
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n").replace("\f", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _check_size(text: str, name: str) -> None:
    if len(text) > MAX_ARTICLE_CHARS:
        raise IngestError(
            f"{name} has {len(text):,} characters; one article may have at most {MAX_ARTICLE_CHARS:,}. "
            "Split it, or import it as a batch (csv/jsonl) with one article per row."
        )


def parse_text(text: str, origin: str = "pasted", url: str | None = None, title: str | None = None) -> ArticleDraft:
    """Parse plain text or Markdown: first line is the headline; byline, date, URL and a trailing
    ``source:`` line are read as metadata when present (they stay in the body; claims skip them)."""
    body = normalise_text(text)
    if not body.strip():
        raise IngestError(f"{origin} has no text.")
    _check_size(body, origin)
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    headline = (title or re.sub(r"^#+\s*", "", lines[0]) or lines[0])[:300]  # a line of only "#" stays a headline
    byline = published = None
    domain = registrable_domain(url) if url else None
    for line in lines[1:6]:
        if byline is None and (match := BYLINE_LINE.match(line)):
            byline = match.group(1).strip()
        elif published is None and (match := DATE_LINE.match(line)):
            published = match.group(1)
        elif url is None and (match := URL_LINE.match(line)):
            url = match.group(1)
    for line in reversed(lines[-3:]):
        if match := SOURCE_LINE.match(line):
            domain = registrable_domain(match.group(1).strip()) or domain
            break
    if domain is None and url:
        domain = registrable_domain(url)
    return ArticleDraft(title=headline, body=body, byline=byline, published=published, url=url, domain=domain, origin=origin)


def parse_html(html: str, origin: str = "html", url: str | None = None) -> ArticleDraft:
    """Extract the main text and metadata of a web page with trafilatura (offline).

    The page is parsed once; scripts, styles and the like are dropped and the text left is measured
    before the slow extraction, which a page with far more text than an article can hold never
    reaches. Refusing beats truncating here: a cut article would silently lose claims.
    """
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        raise IngestError(f"{origin}: no article text could be extracted from this HTML.")
    for node in tree.xpath(PAGE_JUNK):
        node.drop_tree()
    words = tree.text_content().split()
    shown = sum(map(len, words)) + len(words)  # characters with every run of whitespace as one space
    if shown > MAX_PAGE_TEXT_CHARS:
        raise IngestError(
            f"{origin}: the page holds {shown:,} characters of text; one article may have at most "
            f"{MAX_ARTICLE_CHARS:,}, so it was not extracted."
        )
    extracted = trafilatura.bare_extraction(tree, url=url, with_metadata=True, include_comments=False)
    if extracted is None or not (extracted.text or "").strip():
        raise IngestError(f"{origin}: no article text could be extracted from this HTML.")
    page_url = extracted.url or url
    draft = parse_text(
        f"{extracted.title}\n\n{extracted.text}" if extracted.title else extracted.text,
        origin=origin,
        url=page_url,
    )
    draft.byline = extracted.author or draft.byline
    draft.published = extracted.date or draft.published
    draft.domain = registrable_domain(page_url or extracted.sitename or "") or draft.domain
    return draft


def _field(record: dict, *names: str) -> str | None:
    """The first of ``names`` holding a non-empty string or integer (a year), stripped; lists,
    objects, floats (NaN) and booleans are not text, so they do not count."""
    for name in names:
        value = record.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def _record_to_draft(record: dict, origin: str) -> ArticleDraft:
    lowered = {str(k).strip().lower(): v for k, v in record.items() if k is not None}
    text = _field(lowered, "text", "body", "content", "article")
    if text is None:
        raise IngestError(f"{origin}: no text/body/content field.")
    title = _field(lowered, "title", "headline")
    url = _field(lowered, "url", "link")
    body = f"{title}\n\n{text}" if title and not text.startswith(title) else text
    draft = parse_text(body, origin=origin, url=url, title=title)
    draft.byline = _field(lowered, "byline", "author") or draft.byline
    draft.published = _field(lowered, "date", "published") or draft.published
    if source := _field(lowered, "domain", "source"):
        draft.domain = registrable_domain(source) or draft.domain
    return draft


@dataclass
class BatchResult:
    """Drafts that parsed, and a user-readable line for every record that did not."""

    drafts: list[ArticleDraft]
    problems: list[str]


def parse_records(records: list[dict], origin: str) -> BatchResult:
    drafts, problems = [], []
    for number, record in enumerate(records, start=1):
        try:
            if not isinstance(record, dict):
                raise IngestError(f"{origin} record {number}: expected an object, got {type(record).__name__}.")
            drafts.append(_record_to_draft(record, f"{origin} record {number}"))
        except IngestError as error:
            problems.append(str(error))
    return BatchResult(drafts, problems)


def _json_depth(skeleton: str) -> int:
    """How deeply arrays and objects nest in JSON text whose strings were removed."""
    brackets = NOT_BRACKET.sub("", skeleton).encode("ascii")
    steps = np.frombuffer(brackets, dtype=np.uint8)
    depth = deepest = 0
    for start in range(0, len(steps), 1 << 22):  # in slices, so a file of brackets stays small in memory
        chunk = steps[start : start + (1 << 22)]
        walk = np.cumsum(np.where((chunk == ord("[")) | (chunk == ord("{")), 1, -1), dtype=np.int64) + depth
        deepest, depth = max(deepest, int(walk.max())), int(walk[-1])
    return deepest


def load_json(text: str, where: str) -> object:
    """``json.loads`` after checking, without parsing, that the text neither nests deeper than
    :data:`MAX_JSON_DEPTH` (json recurses once per level and crashes on deep input) nor holds more
    than :data:`MAX_JSON_VALUES` values (millions of tiny values take seconds and gigabytes).
    Every failure is an :class:`IngestError`."""
    # Counting brackets and commas over the raw text over-counts (strings hold some): the usual file
    # is far below both limits and skips the exact check.
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH or text.count(",") > MAX_JSON_VALUES:
        skeleton = JSON_STRING.sub("", text)
        if skeleton.count(",") > MAX_JSON_VALUES:
            raise IngestError(f"{where}: more than {MAX_JSON_VALUES:,} JSON values; split it into smaller files.")
        if _json_depth(skeleton) > MAX_JSON_DEPTH:
            raise IngestError(f"{where}: JSON nested more than {MAX_JSON_DEPTH} levels deep.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise IngestError(f"{where}: not valid JSON ({error.msg} at line {error.lineno}).") from error
    except ValueError as error:  # the one other refusal: an integer longer than Python converts
        raise IngestError(f"{where}: not valid JSON (a number too long to read).") from error


def _check_count(count: int, name: str) -> None:
    if count > MAX_BATCH_RECORDS:
        raise IngestError(f"{name} has more than {MAX_BATCH_RECORDS:,} records; split it into smaller files.")


def parse_upload(name: str, data: bytes) -> BatchResult:
    """Parse one uploaded or local file by its extension; batch formats yield many drafts."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            f"{name}: unsupported file type '{suffix}'. Use one of: {', '.join(sorted(SUPPORTED_SUFFIXES - {''}))}."
        )
    text = decode_bytes(data, name)
    if suffix in HTML_SUFFIXES:
        return BatchResult([parse_html(text, origin=name)], [])
    if suffix in TEXT_SUFFIXES:
        return BatchResult([parse_text(text, origin=name)], [])
    if suffix == ".csv":
        rows = []
        try:
            for row in csv.DictReader(io.StringIO(text)):
                rows.append(row)
                _check_count(len(rows), name)
        except csv.Error as error:
            raise IngestError(f"{name}: not a readable CSV file ({error}).") from error
        if not rows:
            raise IngestError(f"{name}: the CSV has a header but no rows.")
        return parse_records(rows, name)
    if suffix == ".jsonl":
        # Records end at "\n" only: JSON strings may hold other line breaks (U+2028) that splitlines() cuts at.
        lines = [(number, line) for number, line in enumerate(text.split("\n"), start=1) if line.strip()]
        _check_count(len(lines), name)
        records, problems = [], []
        for number, line in lines:
            try:
                records.append(load_json(line, f"{name} line {number}"))
            except IngestError as error:
                problems.append(str(error))
        result = parse_records(records, name)
        return BatchResult(result.drafts, problems + result.problems)
    payload = load_json(text, name)
    records = payload if isinstance(payload, list) else [payload]
    _check_count(len(records), name)
    return parse_records(records, name)


def _page_to_draft(page: FetchResult) -> ArticleDraft:
    try:
        html = page.data.decode(page.charset or "utf-8")
    except (LookupError, UnicodeDecodeError):
        html = decode_bytes(page.data, page.url)
    return parse_html(html, origin=page.url, url=page.final_url)


def fetch_url(url: str, timeout: float = 10.0) -> ArticleDraft:
    """Download a page with the safe fetcher (at most ``timeout`` seconds in all) and extract its
    article; every refusal and failure is an :class:`IngestError` naming the URL and why."""
    policy = default_policy(
        max_bytes=MAX_PAGE_BYTES, total_timeout=timeout, connect_timeout=min(5.0, timeout), read_timeout=timeout
    )
    try:
        page = fetch(url, HTML_TYPES, policy)
    except FetchError as error:
        raise IngestError(str(error)) from error
    return _page_to_draft(page)


def fetch_urls(urls: Iterable[str], progress: Callable[[int, int], None] | None = None) -> BatchResult:
    """Download several pages in parallel and extract each article; one problem line per URL that
    was skipped or failed. ``progress(done, total)`` counts downloads."""
    outcomes = fetch_many(urls, HTML_TYPES, default_policy(max_bytes=MAX_PAGE_BYTES), progress=progress)
    drafts, problems = [], []
    for outcome in outcomes:
        if outcome.result is None:
            problems.append(f"{outcome.url}: {outcome.state}, {outcome.reason}.")
            continue
        try:
            drafts.append(_page_to_draft(outcome.result))
        except IngestError as error:
            problems.append(str(error))
    return BatchResult(drafts, problems)
