"""The workbench's one error family: every refusal a user can cause is a :class:`WorkbenchError`.

Each subclass says what kind of problem it is, so the CLI and the UI can report any of them the same
way: one line, no traceback. Library code raises these for user mistakes; anything else that escapes
is a bug.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of every user-facing error; ``str(error)`` is the one line shown to the user."""


class InputError(WorkbenchError, ValueError):
    """The input is malformed, empty, too large or breaks a rule (e.g. a disputed verdict with no rationale)."""


class NotFoundError(WorkbenchError, LookupError):
    """The thing named (claim, article, passage, fact-check, file) does not exist."""


class ConflictError(WorkbenchError):
    """Someone else changed the record since it was loaded; nothing was written."""


class PermissionDenied(WorkbenchError, PermissionError):
    """The acting user's role does not allow this action."""


class ConfigurationError(WorkbenchError):
    """A setting or installed resource (model, database URL) is missing or unusable."""
