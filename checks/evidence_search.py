"""Evidence search: ask the configured search connectors about one claim and turn what they find
into evidence documents (pages fetched and extracted, with their provenance) and earlier
fact-checks (Google Fact Check Tools reviews). Nothing is stored here: the search action
(``checks.actions.search``) stores the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checks.connectors import Connector, FoundDocument, configured_connectors, query_for_claim, with_text
from checks.errors import InputError, WorkbenchError
from checks.factchecks.library import parse_date
from checks.ingest import ArticleDraft, normalise_text
from checks.sources import registrable_domain

RESULTS_PER_CONNECTOR = 5
MIN_TEXT_CHARS = 40  # less text than this is a cookie wall or an empty page, not evidence


@dataclass
class SearchOutcome:
    """What one search found: evidence documents, earlier fact-checks, and one line per problem."""

    query: str
    documents: list[ArticleDraft] = field(default_factory=list)
    factchecks: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)


def _origin(found: FoundDocument) -> str:
    p = found.provenance
    return f"search: {p.connector}, query '{p.query}', {p.retrieved_at[:16]} UTC"


def _factcheck_row(found: FoundDocument) -> dict | None:
    review = found.review
    if review is None or not review.claim:
        return None
    return {
        "claim": review.claim,
        "verdict": review.rating or "unknown",
        "url": found.url,
        "published": parse_date(found.published),
        "publisher": review.publisher or review.publisher_site or registrable_domain(found.url),
        "collection": "fact check tools",
        "external_id": found.url,
        "title": found.title or None,
        "identity": f"{review.claim} {found.url}",
    }


def search(claim_text: str, query: str | None = None, connectors: list[Connector] | None = None) -> SearchOutcome:
    """Run every configured connector for a claim (``query`` defaults to its names, numbers and key
    terms); a connector or page that fails is reported, not raised."""
    chosen = configured_connectors() if connectors is None else connectors
    if not chosen:
        raise InputError("No search connector is configured (see 'Search connectors' in the README).")
    outcome = SearchOutcome((query or "").strip() or query_for_claim(claim_text))
    for connector in chosen:
        outcome.asked.append(connector.name)
        try:
            found = connector.search(outcome.query, RESULTS_PER_CONNECTOR)
        except WorkbenchError as error:
            outcome.problems.append(str(error))
            continue
        for item in found:
            row = _factcheck_row(item)
            if row is not None:
                outcome.factchecks.append(row)
                continue
            try:
                item = item if item.text else with_text(item)
            except WorkbenchError as error:
                outcome.problems.append(f"{connector.name}: {item.url}: {error}")
                continue
            text = normalise_text(item.text or "")
            if len(text) < MIN_TEXT_CHARS:
                outcome.problems.append(f"{connector.name}: {item.url}: too little text to use as evidence")
                continue
            outcome.documents.append(
                ArticleDraft(
                    title=item.title or item.url,
                    body=text,
                    published=parse_date(item.published),
                    url=item.url,
                    domain=item.domain or registrable_domain(item.url),
                    origin=_origin(item),
                )
            )
    return outcome
