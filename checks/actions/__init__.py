"""The action layer: the only code that changes what people decide or add.

Every action validates its input, checks the actor's role, runs in one transaction, appends one
typed audit event (:class:`checks.vocab.AuditAction`) and returns a typed result with a
``message``. The app's callbacks and the command line are thin calls into these functions; the
registry (:data:`REGISTRY`) names each action's role and command-line twin.
"""

from checks.actions.claims import (
    ArticleSaved,
    ClaimChanged,
    add_claim,
    drop_claim,
    edit_claim,
    ingest_article,
    merge_claims,
    restore_claim,
    split_claim,
)
from checks.actions.core import REGISTRY, ActionSpec, Actor, authorize
from checks.actions.evidence import (
    add_articles_to_corpus,
    import_evidence,
    import_evidence_file,
    import_evidence_paths,
    seed_demo_data,
)
from checks.actions.library import Decided, dismiss_factcheck, import_factchecks, reuse_factcheck
from checks.actions.ratings import import_lin2023, import_unreliable_list, load_shipped_ratings, override_rating
from checks.actions.review import (
    UNDOABLE,
    Assigned,
    BlindSaved,
    BulkSaved,
    Cleared,
    Copied,
    Marked,
    Undone,
    VerdictSaved,
    adjudicate,
    apply_to_appearances,
    assign,
    bulk_verdict,
    clear_verdict,
    mark_passage,
    set_verdict,
    submit_blind,
    undo,
)
from checks.actions.verdict_import import import_verdicts

__all__ = [
    "REGISTRY",
    "UNDOABLE",
    "ActionSpec",
    "Actor",
    "ArticleSaved",
    "Assigned",
    "BlindSaved",
    "BulkSaved",
    "ClaimChanged",
    "Cleared",
    "Copied",
    "Decided",
    "Marked",
    "Undone",
    "VerdictSaved",
    "add_articles_to_corpus",
    "add_claim",
    "adjudicate",
    "apply_to_appearances",
    "assign",
    "authorize",
    "bulk_verdict",
    "clear_verdict",
    "dismiss_factcheck",
    "drop_claim",
    "edit_claim",
    "import_evidence",
    "import_evidence_file",
    "import_evidence_paths",
    "import_factchecks",
    "import_lin2023",
    "import_unreliable_list",
    "import_verdicts",
    "ingest_article",
    "load_shipped_ratings",
    "mark_passage",
    "merge_claims",
    "override_rating",
    "restore_claim",
    "reuse_factcheck",
    "seed_demo_data",
    "set_verdict",
    "split_claim",
    "submit_blind",
    "undo",
]
