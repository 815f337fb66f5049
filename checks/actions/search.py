"""Search action: run the configured search connectors for a claim and store what they found, in
one transaction: web pages and articles as evidence documents (each with its connector, query and
time as origin), fact-check reviews in the earlier fact-checks library."""

from __future__ import annotations

from dataclasses import dataclass, field

from checks import evidence_search
from checks.actions.core import Actor, action, perform
from checks.actions.evidence import prepare_documents, store_documents
from checks.actions.library import insert_factcheck_rows
from checks.actions.review import claim_row
from checks.connectors import Connector
from checks.errors import NotFoundError
from checks.store import Store
from checks.vocab import AuditAction, Role


@dataclass(frozen=True)
class SearchStored:
    claim_id: int
    query: str
    asked: list[str]
    documents: int
    passages: int
    factchecks: int
    problems: list[str] = field(default_factory=list)
    audit_id: int | None = None

    @property
    def message(self) -> str:
        text = (
            f"Searched {', '.join(self.asked)} for '{self.query}': {self.documents} new documents ({self.passages} passages), "
            f"{self.factchecks} earlier fact-checks"
        )
        return text + (f"; {len(self.problems)} problems: " + "; ".join(self.problems[:3]) if self.problems else ".")


@action(AuditAction.SEARCH_EVIDENCE, Role.EDITOR, cli="search")
def search_for_evidence(
    store: Store, actor: Actor, claim_id: int, query: str | None = None, connectors: list[Connector] | None = None
) -> SearchStored:
    """Search the configured connectors for a claim and add what they find as evidence and earlier fact-checks."""
    claim = store.query_one("SELECT text FROM claims WHERE id = ?", (claim_id,))
    if claim is None:
        raise NotFoundError(f"Claim {claim_id} does not exist.")
    outcome = evidence_search.search(claim["text"], query, connectors)  # network first, outside the transaction
    prepared = prepare_documents(outcome.documents)
    with perform(store, actor, search_for_evidence) as (tx, done):
        claim_row(tx, claim_id)
        stored = store_documents(tx, prepared, None)
        added, _ = insert_factcheck_rows(tx, outcome.factchecks)
        tx.describe(
            "documents",
            None,
            None,
            {"query": outcome.query, "connectors": outcome.asked, "documents": stored.documents, "factchecks": added},
            [claim_id],
        )
    return SearchStored(
        claim_id, outcome.query, outcome.asked, stored.documents, stored.passages, added, outcome.problems, done.audit_id
    )
