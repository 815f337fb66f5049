"""Vocabularies: every fixed set of words the workbench stores or shows, as string enums.

The database keeps the same strings (``StrEnum`` members compare and serialise as their values), so
stored rows, exports and the CLI read the same words the code names.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    VERIFIED = "verified"
    DISPUTED = "disputed"
    UNSUPPORTED = "unsupported"


class ReviewState(StrEnum):
    """Where a claim stands in review; computed from its verdict and marks by ``review_state``."""

    TO_DO = "to do"
    IN_REVIEW = "in review"
    DONE = "done"


class Mark(StrEnum):
    """What a reviewer says about one candidate passage for one claim."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    NOT_RELEVANT = "not relevant"


class RelevanceLabel(StrEnum):
    """How well a candidate passage addresses a claim, from its calibrated probability (checks/relevance.py)."""

    STRONG = "strong"
    WEAK = "weak"
    NONE = "none"


class ClaimType(StrEnum):
    STATISTIC = "statistic"
    QUOTE = "quote"
    ATTRIBUTION = "attribution"
    CAUSAL = "causal"
    PREDICTION = "prediction"
    EVENT = "event"
    OTHER = "other"


class Role(StrEnum):
    """Who may do what; each role includes the rights of the ones before it."""

    REVIEWER = "reviewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class MatchDecision(StrEnum):
    """A reviewer's decision on an earlier fact-check offered for a claim."""

    REUSED = "reused"
    DISMISSED = "dismissed"


class BlindOutcome(StrEnum):
    """What a blind double-review verdict led to."""

    WAITING = "waiting"
    AGREED = "agreed"
    DISAGREEMENT = "disagreement"


class MatchTier(StrEnum):
    """How close an earlier fact-check is to a claim: only "same claim" offers reuse of its verdict."""

    SAME_CLAIM = "same claim"
    RELATED = "related"


class AuditAction(StrEnum):
    """Every kind of audited change; the audit log's ``action`` column holds these values."""

    INGEST_ARTICLE = "ingest article"
    EDIT_CLAIM = "edit claim"
    DROP_CLAIM = "drop claim"
    RESTORE_CLAIM = "restore claim"
    ADD_CLAIM = "add claim"
    SPLIT_CLAIM = "split claim"
    MERGE_CLAIMS = "merge claims"
    GROUP_CLAIMS = "group claims"
    IMPORT_EVIDENCE = "import evidence"
    SEARCH_EVIDENCE = "search for evidence"
    DELETE_DOCUMENT = "delete document"
    REMOVE_DEMO_DATA = "remove demo data"
    SET_VERDICT = "set verdict"
    CLEAR_VERDICT = "clear verdict"
    BULK_VERDICT = "bulk verdict"
    BLIND_VERDICT = "blind verdict"
    AGREED_DOUBLE_REVIEW = "agreed double review"
    ADJUDICATE = "adjudicate"
    VERDICT_FROM_SAME_CLAIM = "verdict from same claim"
    MARK_PASSAGE = "mark passage"
    SET_STATUS = "set status"
    UNDO = "undo"
    ASSIGN = "assign"
    IMPORT_VERDICT = "import verdict"
    IMPORT_VERDICTS = "import verdicts"
    IMPORT_FACTCHECKS = "import fact-checks"
    REUSE_FACTCHECK = "reuse earlier fact-check"
    DISMISS_FACTCHECK = "dismiss fact-check match"
    IMPORT_RATINGS = "import ratings"
    OVERRIDE_RATING = "override rating"
    ADD_ACCOUNT = "add account"
    CHANGE_ACCOUNT = "change account"
    SET_PASSWORD = "set password"
    SIGN_IN = "sign in"
    SIGN_IN_REFUSED = "sign-in refused"
