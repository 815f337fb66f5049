"""Earlier fact-checks: the library (``library``) and matching new claims against it (``matching``).

Reuse and dismiss decisions are actions (``checks.actions.library``). The names most callers need
are available from this package directly.
"""

from checks.factchecks.library import (
    CLEF_COLLECTION,
    UNKNOWN_VERDICT,
    FactCheck,
    FactCheckError,
    LibraryImport,
    clean_text,
    get_factcheck,
    identity,
    library_key,
    library_size,
    load_factchecks,
    parse_claimreview,
    parse_date,
    parse_table,
    workbench_verdict,
)
from checks.factchecks.matching import (
    MIN_SAME_CLAIM_WORDS,
    RELATED,
    SAME_CLAIM,
    Candidates,
    Match,
    Matcher,
    MatchParams,
    matches_for_claim,
)
from checks.store import OWN_COLLECTION

__all__ = [
    "CLEF_COLLECTION",
    "MIN_SAME_CLAIM_WORDS",
    "OWN_COLLECTION",
    "RELATED",
    "SAME_CLAIM",
    "UNKNOWN_VERDICT",
    "Candidates",
    "FactCheck",
    "FactCheckError",
    "LibraryImport",
    "Match",
    "MatchParams",
    "Matcher",
    "clean_text",
    "get_factcheck",
    "identity",
    "library_key",
    "library_size",
    "load_factchecks",
    "matches_for_claim",
    "parse_claimreview",
    "parse_date",
    "parse_table",
    "workbench_verdict",
]
