"""Ingest: turn pasted text, files (txt, md, html, json, jsonl, csv) or a URL into article drafts.

Owns decoding (encodings, binary and size checks), metadata detection (headline, byline, date,
canonical URL, source domain) and the parsing of batch formats. It never writes to the store;
:mod:`checks.articles` does that.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import urllib.request
from dataclasses import dataclass
from pathlib import PurePath

from checks.errors import InputError
from checks.sources import registrable_domain

MAX_ARTICLE_CHARS = 500_000  # ~100 printed pages; longer input is almost always a wrong file
MAX_FILE_BYTES = 50 * 1024 * 1024  # a batch file (csv/jsonl) may hold many articles

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ""}
HTML_SUFFIXES = {".html", ".htm"}
BATCH_SUFFIXES = {".json", ".jsonl", ".csv"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | BATCH_SUFFIXES

SOURCE_LINE = re.compile(r"^\s*(?:source|via|originally published (?:at|by|on))\s*[:\-–]\s*(\S.*?)\s*$", re.I)
BYLINE_LINE = re.compile(r"^\s*(?i:by|written by|words by)\s+([A-Z][\w.'\- ]{1,80}?)\s*(?:[,|–-].*)?$")
DATE_LINE = re.compile(
    r"^\s*(?:published|updated|posted)?\s*:?\s*"
    r"(\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Z][a-z]+\s+\d{4}|[A-Z][a-z]+\s+\d{1,2},\s+\d{4})"
    r"(?:[ ,T]+\d{1,2}[:.]\d{2}.*)?\s*$",
    re.I,
)
URL_LINE = re.compile(r"^\s*(?:url|link|canonical)\s*:\s*(https?://\S+)\s*$", re.I)


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
        text = data.decode("utf-16")
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
    """NFC, Unix newlines, no trailing spaces; offsets of claims refer to this form."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
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
    headline = title or re.sub(r"^#+\s*", "", lines[0])[:300]
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
            domain = registrable_domain(match.group(1)) or domain
            break
    if domain is None and url:
        domain = registrable_domain(url)
    return ArticleDraft(title=headline, body=body, byline=byline, published=published, url=url, domain=domain, origin=origin)


def parse_html(html: str, origin: str = "html", url: str | None = None) -> ArticleDraft:
    """Extract the main text and metadata of a web page with trafilatura (offline)."""
    import trafilatura

    extracted = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
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


def _record_to_draft(record: dict, origin: str) -> ArticleDraft:
    lowered = {str(k).strip().lower(): v for k, v in record.items() if k is not None}
    text = next((str(lowered[k]) for k in ("text", "body", "content", "article") if lowered.get(k)), "")
    if not text.strip():
        raise IngestError(f"{origin}: no text/body/content field.")
    title = str(lowered.get("title") or lowered.get("headline") or "").strip() or None
    url = str(lowered.get("url") or lowered.get("link") or "").strip() or None
    body = f"{title}\n\n{text}" if title and not text.lstrip().startswith(title) else text
    draft = parse_text(body, origin=origin, url=url, title=title)
    draft.byline = str(lowered.get("byline") or lowered.get("author") or "").strip() or draft.byline
    draft.published = str(lowered.get("date") or lowered.get("published") or "").strip() or draft.published
    if lowered.get("domain") or lowered.get("source"):
        draft.domain = registrable_domain(str(lowered.get("domain") or lowered.get("source"))) or draft.domain
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
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as error:
            raise IngestError(f"{name}: not a readable CSV file ({error}).") from error
        if not rows:
            raise IngestError(f"{name}: the CSV has a header but no rows.")
        return parse_records(rows, name)
    if suffix == ".jsonl":
        records, problems = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as error:
                problems.append(f"{name} line {number}: not valid JSON ({error.msg}).")
        result = parse_records(records, name)
        return BatchResult(result.drafts, problems + result.problems)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise IngestError(f"{name}: not valid JSON ({error.msg} at line {error.lineno}).") from error
    return parse_records(payload if isinstance(payload, list) else [payload], name)


def fetch_url(url: str, timeout: float = 10.0) -> ArticleDraft:
    """Download a page and extract its article; network failures become :class:`IngestError`."""
    if not re.match(r"^https?://", url, re.I):
        raise IngestError(f"'{url}' is not an http(s) URL.")
    request = urllib.request.Request(url, headers={"User-Agent": "factcheck-workbench/0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_FILE_BYTES + 1)
            charset = response.headers.get_content_charset() or "utf-8"
    except OSError as error:
        raise IngestError(f"Could not fetch {url}: {error}.") from error
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(f"{url} is larger than {MAX_FILE_BYTES / 1e6:.0f} MB.")
    try:
        html = data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        html = decode_bytes(data, url)
    return parse_html(html, origin=url, url=url)
