"""Search connectors: ask public services (Wikipedia, a SearXNG instance, Google Fact Check Tools,
GDELT DOC 2.0) for documents about a claim.

Owns the :class:`Connector` protocol, :class:`FoundDocument` with its provenance, one connector per
service that turns the service's JSON answer into found documents, the search query built from a
claim (:func:`query_for_claim`) and the translation of every failure into a one-line
:class:`ConnectorError` ("Wikipedia: rate limited, retry after 30 s"). Every request goes through
the safe fetcher :mod:`checks.fetch`. Nothing is stored here: callers decide what to import.
All connectors are off until configured (:func:`checks.config.load_connector_settings`).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote, urlencode, urljoin, urlsplit

from checks.attribution import SPEECH_VERBS
from checks.config import ConnectorSettings, load_connector_settings
from checks.errors import InputError, WorkbenchError
from checks.fetch import FetchError, default_policy, fetch
from checks.ingest import IngestError, fetch_url, load_json
from checks.retrieval import tokenize
from checks.signals import entities, numbers

# Text types too: GDELT answers a query it refuses with a sentence in plain text or HTML, not JSON.
API_TYPES = ("application/json", "text/plain", "text/html")
MAX_ANSWER_BYTES = 2_000_000  # a page of search results is a few kB; 2 MB is junk or an attack
TIMEOUT = 15.0  # seconds for one request to a service, redirects included
MAX_LIMIT = 20  # results per search; MediaWiki returns intro extracts for at most 20 pages at once
MAX_QUERY_TERMS = 10  # search engines rank long queries poorly; names and numbers go first
MAX_NOTE_CHARS = 160  # of a service's own error sentence quoted in a message
TAG = re.compile(r"<[^>]*>")
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
SPEECH_VERB = re.compile(SPEECH_VERBS, re.I)  # "said", "claimed": who speaks, not what the claim is about


class ConnectorError(WorkbenchError):
    """A search service gave no usable answer; ``str(error)`` names the service and why, in one line."""

    def __init__(self, connector: str, reason: str) -> None:
        super().__init__(f"{connector}: {reason}")
        self.connector = connector
        self.reason = reason


class RateLimited(ConnectorError):
    """The service asked us to slow down; ``retry_after`` is in seconds when it said how long."""

    def __init__(self, connector: str, retry_after: int | None) -> None:
        wait = f"retry after {retry_after} s" if retry_after is not None else "retry later"
        super().__init__(connector, f"rate limited, {wait}")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Provenance:
    """Where a found document came from: which connector, for which query, and when (UTC, ISO 8601)."""

    connector: str
    query: str
    retrieved_at: str


@dataclass(frozen=True)
class FactCheckReview:
    """A published fact-check of a claim, as Google Fact Check Tools lists it."""

    claim: str
    claimant: str | None
    claim_date: str | None
    publisher: str | None
    publisher_site: str | None
    rating: str | None  # the publisher's own words: "False", "Mostly true", "Misleading"
    language: str | None


@dataclass(frozen=True)
class FoundDocument:
    """One search result. ``text`` is empty for web results until :func:`with_text` fetches the page."""

    url: str
    title: str
    published: str | None  # ISO 8601; for Wikipedia the last edit, for GDELT when it was first seen
    text: str
    provenance: Provenance
    snippet: str = ""  # the service's short plain-text excerpt, to show before the page is fetched
    domain: str | None = None
    language: str | None = None
    review: FactCheckReview | None = None  # Fact Check Tools results only


@runtime_checkable
class Connector(Protocol):
    """A public search service the workbench can ask about a claim."""

    name: str

    @property
    def configured(self) -> bool: ...

    def search(self, query: str, limit: int = 10) -> list[FoundDocument]: ...


def query_for_claim(text: str, max_terms: int = MAX_QUERY_TERMS) -> str:
    """A search query for a claim: its names first, then its numbers, then its other key words
    (stopwords and speech verbs dropped), at most ``max_terms`` of them. "Police said they detained
    32 people in Minsk" gives ``Minsk 32 Police detained people``. The user may edit it before searching."""
    terms: list[str] = []
    seen: set[str] = set()

    def add(term: str) -> None:
        if term.lower() not in seen and len(terms) < max_terms:
            seen.add(term.lower())
            terms.append(term)

    name_words: set[str] = set()
    for name in sorted(entities(text), key=text.find):
        add(name)
        name_words.update(word.lower() for word in name.split())
    for mention in numbers(text):
        add(str(int(mention.value)) if mention.value.is_integer() else f"{mention.value:.15g}")
    for word in WORD.findall(text):
        # tokenize() is the corpus's own stopword filter; digits were taken whole by numbers() above.
        if any(c.isdigit() for c in word) or len(word) < 3 or word.lower() in name_words or SPEECH_VERB.fullmatch(word):
            continue
        if tokenize(word):
            add(word)
    return " ".join(terms)


def with_text(document: FoundDocument, timeout: float = 10.0) -> FoundDocument:
    """The document with its page's article text, fetched and extracted when the service gave none.
    A page that cannot be fetched raises :class:`checks.ingest.IngestError` naming the URL and why."""
    if document.text:
        return document
    draft = fetch_url(document.url, timeout=timeout)
    return replace(
        document, text=draft.body, title=document.title or draft.title, published=document.published or draft.published
    )


def retry_seconds(header: str | None) -> int | None:
    """Seconds to wait from a Retry-After header (a number of seconds or an HTTP date), None if absent or unreadable."""
    value = (header or "").strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, math.ceil((when - datetime.now(UTC)).total_seconds()))


def configured_connectors(settings: ConnectorSettings | None = None) -> list[Connector]:
    """The connectors the settings switch on (none by default)."""
    settings = settings or load_connector_settings()
    every = [
        WikipediaConnector(settings),
        SearxngConnector(settings),
        FactCheckToolsConnector(settings),
        GdeltConnector(settings),
    ]
    return [connector for connector in every if connector.configured]


# --- helpers shared by the connectors -------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _check(query: str, limit: int) -> tuple[str, int]:
    query = " ".join(query.split())
    if not query:
        raise InputError("The search query is empty.")
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"Ask for 1 to {MAX_LIMIT} search results, not {limit}.")
    return query, limit


def _plain(value: Any) -> str:
    """A service's HTML snippet as one line of plain text (tags dropped, entities decoded)."""
    return " ".join(html.unescape(TAG.sub("", value)).split()) if isinstance(value, str) else ""


def _str(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _web_url(value: Any) -> str | None:
    url = _str(value)
    return url if url and urlsplit(url).scheme.lower() in ("http", "https") else None


def _iso(value: Any) -> str | None:
    """A service's date in ISO 8601 (UTC with ``Z`` when the service gave a zone), None when unreadable."""
    text = _str(value)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)  # GDELT's seendate
        except ValueError:
            return None
    if moment.tzinfo is None:
        return moment.isoformat(timespec="seconds")
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _get_json(service: str, base: str, params: dict[str, str], refusals: dict[int, str] | None = None) -> dict:
    """GET ``base`` with ``params`` through the safe fetcher and return the JSON object it answers.
    Messages never quote the request URL: it may hold an API key."""
    url = base + ("&" if urlsplit(base).query else "?") + urlencode(params)
    try:
        page = fetch(url, API_TYPES, default_policy(max_bytes=MAX_ANSWER_BYTES, total_timeout=TIMEOUT))
    except FetchError as error:
        if error.status == 429 or (error.status == 503 and error.retry_after):
            raise RateLimited(service, retry_seconds(error.retry_after)) from error
        if error.status is not None and refusals and error.status in refusals:
            raise ConnectorError(service, refusals[error.status]) from error
        raise ConnectorError(service, error.reason) from error
    if page.content_type != "application/json":
        note = _plain(page.text)[:MAX_NOTE_CHARS]
        raise ConnectorError(service, f"the service answered {page.content_type}, not JSON" + (f" ({note})" if note else ""))
    try:
        answer = load_json(page.text, service)
    except IngestError as error:
        raise ConnectorError(service, "the answer is not valid JSON") from error
    if not isinstance(answer, dict):
        raise ConnectorError(service, "the answer is not a JSON object")
    return answer


# --- the connectors -------------------------------------------------------------------------------


class WikipediaConnector:
    """Wikipedia through the MediaWiki Action API: ``list=search`` for the pages, then
    ``prop=extracts`` (TextExtracts, plain-text intros) and ``prop=info`` (page URLs) for them."""

    name = "Wikipedia"

    def __init__(self, settings: ConnectorSettings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return self.settings.wikipedia

    def _query(self, params: dict[str, str]) -> dict:
        answer = _get_json(
            self.name, self.settings.wikipedia_url, {"action": "query", **params, "format": "json", "formatversion": "2"}
        )
        if isinstance(problem := answer.get("error"), dict):
            code, info = _str(problem.get("code")) or "error", _str(problem.get("info")) or ""
            if code in ("ratelimited", "maxlag"):
                raise RateLimited(self.name, None)
            raise ConnectorError(self.name, f"the API refused the request ({code}: {info[:MAX_NOTE_CHARS]})")
        return answer

    def search(self, query: str, limit: int = 10) -> list[FoundDocument]:
        query, limit = _check(query, limit)
        found = self._query(
            {"list": "search", "srsearch": query, "srlimit": str(limit), "srnamespace": "0", "srprop": "snippet|timestamp"}
        )
        retrieved = _now()
        hits = [hit for hit in _dicts(_dict(found.get("query")).get("search")) if _str(hit.get("title"))]
        if not hits:
            return []
        titles = [hit["title"].strip() for hit in hits]
        # exintro and explaintext are flags: MediaWiki treats any value as true, so they are only ever sent set.
        details = self._query(
            {
                "prop": "extracts|info",
                "titles": "|".join(titles),
                "exintro": "1",
                "explaintext": "1",
                "exlimit": str(len(titles)),
                "inprop": "url",
            }
        )
        pages = {
            page["title"]: page for page in _dicts(_dict(details.get("query")).get("pages")) if isinstance(page.get("title"), str)
        }
        provenance = Provenance(self.name, query, retrieved)
        documents = []
        for hit, title in zip(hits, titles, strict=True):
            page = pages.get(title, {})
            url = _web_url(page.get("fullurl")) or urljoin(self.settings.wikipedia_url, "/wiki/" + quote(title.replace(" ", "_")))
            documents.append(
                FoundDocument(
                    url=url,
                    title=title,
                    published=_iso(hit.get("timestamp")),
                    text=_str(page.get("extract")) or "",
                    provenance=provenance,
                    snippet=_plain(hit.get("snippet")),
                    domain=urlsplit(url).hostname,
                    language=self.settings.wikipedia_lang,
                )
            )
        return documents


class SearxngConnector:
    """A SearXNG metasearch instance's search API with ``format=json``; results carry a snippet,
    and their pages are fetched by :func:`with_text`."""

    name = "SearXNG"

    def __init__(self, settings: ConnectorSettings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.searxng_url)

    def search(self, query: str, limit: int = 10) -> list[FoundDocument]:
        query, limit = _check(query, limit)
        answer = _get_json(
            self.name,
            (self.settings.searxng_url or "").rstrip("/") + "/search",
            {"q": query, "format": "json", "pageno": "1"},
            # SearXNG answers 403 when its settings.yml does not list json under search: formats:.
            refusals={403: "the instance does not offer JSON results (add json to search: formats: in its settings.yml)"},
        )
        provenance = Provenance(self.name, query, _now())
        documents = []
        for result in _dicts(answer.get("results")):
            if (url := _web_url(result.get("url"))) is None:
                continue
            documents.append(
                FoundDocument(
                    url=url,
                    title=_str(result.get("title")) or url,
                    published=_iso(result.get("publishedDate")),
                    text="",
                    provenance=provenance,
                    snippet=_plain(result.get("content")),
                    domain=urlsplit(url).hostname,
                )
            )
            if len(documents) == limit:  # the API has no page size: it answers a page of ~20
                break
        return documents


class FactCheckToolsConnector:
    """Google Fact Check Tools API ``claims:search`` (v1alpha1): published fact-checks of similar
    claims, one document per review, with the publisher's rating."""

    name = "Fact Check Tools"

    def __init__(self, settings: ConnectorSettings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.factcheck_api_key)

    def search(self, query: str, limit: int = 10) -> list[FoundDocument]:
        query, limit = _check(query, limit)
        answer = _get_json(
            self.name,
            self.settings.factcheck_url,
            {"query": query, "pageSize": str(limit), "key": self.settings.factcheck_api_key or ""},
            refusals={
                400: "the request was refused (HTTP 400); check WORKBENCH_FACTCHECK_API_KEY",
                403: "the API key was refused (HTTP 403); check WORKBENCH_FACTCHECK_API_KEY",
            },
        )
        provenance = Provenance(self.name, query, _now())
        documents = []
        for claim in _dicts(answer.get("claims")):
            for review in _dicts(claim.get("claimReview")):
                if (url := _web_url(review.get("url"))) is None:
                    continue
                publisher = _dict(review.get("publisher"))
                details = FactCheckReview(
                    claim=_str(claim.get("text")) or "",
                    claimant=_str(claim.get("claimant")),
                    claim_date=_iso(claim.get("claimDate")),
                    publisher=_str(publisher.get("name")),
                    publisher_site=_str(publisher.get("site")),
                    rating=_str(review.get("textualRating")),
                    language=_str(review.get("languageCode")),
                )
                summary = " — ".join(part for part in (details.claim, details.rating and f"rated {details.rating}") if part)
                documents.append(
                    FoundDocument(
                        url=url,
                        title=_str(review.get("title")) or details.claim or url,
                        published=_iso(review.get("reviewDate")),
                        text="",
                        provenance=provenance,
                        snippet=summary,
                        domain=urlsplit(url).hostname,
                        language=details.language,
                        review=details,
                    )
                )
        return documents[:limit]


class GdeltConnector:
    """GDELT DOC 2.0 API in article-list mode (``mode=artlist&format=json``): recent news articles
    worldwide, without text; their pages are fetched by :func:`with_text`."""

    name = "GDELT"

    def __init__(self, settings: ConnectorSettings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return self.settings.gdelt

    def search(self, query: str, limit: int = 10) -> list[FoundDocument]:
        query, limit = _check(query, limit)
        answer = _get_json(
            self.name,
            self.settings.gdelt_url,
            {"query": query, "mode": "artlist", "format": "json", "maxrecords": str(limit), "sort": "hybridrel"},
        )
        provenance = Provenance(self.name, query, _now())
        documents = []
        for article in _dicts(answer.get("articles")):  # no match: GDELT answers {} without "articles"
            if (url := _web_url(article.get("url"))) is None:
                continue
            documents.append(
                FoundDocument(
                    url=url,
                    title=_str(article.get("title")) or url,
                    published=_iso(article.get("seendate")),
                    text="",
                    provenance=provenance,
                    domain=_str(article.get("domain")) or urlsplit(url).hostname,
                    language=_str(article.get("language")),
                )
            )
        return documents[:limit]
