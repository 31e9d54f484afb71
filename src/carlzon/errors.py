"""The one exception hierarchy of carlzon.

Every error says what is wrong and how to fix it. The CLI prints
``str(error)`` on one line (a traceback only with ``--debug``).

    CarlzonError
    ├── JourneyError        a journey YAML is invalid or unknown
    ├── IngestError         an input file cannot be read at all
    │   └── MappingError    columns cannot be mapped to interaction fields
    ├── StoreError          the store cannot be opened, migrated or written
    │   └── StoreUnavailableError  the database server cannot be reached (for now)
    ├── DetectError         moment detection cannot run
    ├── ModelError          a trained model cannot be fitted, saved or loaded
    ├── AnalysisError       an analysis cannot be fitted
    │   ├── NotEnoughDataError
    │   └── NotFittedError  a result read before fit() (also an AttributeError)
    ├── SurveyError         a survey definition, answer, invitation or link is invalid
    ├── AuthError           a token is missing, unknown, or lacks the role
    ├── NotFoundError       a case, customer or other record does not exist
    ├── ClosedCaseError     a write to a closed recovery case (reopen it first)
    └── MissingExtraError   an optional extra (embed, spark, postgres) is missing

Example:
    >>> from carlzon.errors import JourneyError
    >>> str(JourneyError("unknown key 'nmae'", where="airline.yaml: stages[0]", fix="did you mean 'name'?"))
    "airline.yaml: stages[0]: unknown key 'nmae' (fix: did you mean 'name'?)"
"""

from __future__ import annotations

__all__ = [
    "AnalysisError",
    "AuthError",
    "CarlzonError",
    "ClosedCaseError",
    "DetectError",
    "IngestError",
    "JourneyError",
    "MappingError",
    "MissingExtraError",
    "ModelError",
    "NotEnoughDataError",
    "NotFittedError",
    "NotFoundError",
    "StoreError",
    "SurveyError",
    "StoreUnavailableError",
]


class CarlzonError(Exception):
    """Base class: a message, where it happened, and the fix."""

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.message = message
        self.where = where
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.fix:
            text += f" (fix: {self.fix})"
        return text


class JourneyError(CarlzonError):
    """A journey YAML is invalid, or a template name is unknown."""


class IngestError(CarlzonError):
    """An input file cannot be read at all (single bad rows are quarantined instead)."""


class MappingError(IngestError):
    """Columns cannot be mapped to interaction fields."""


class StoreError(CarlzonError):
    """The store cannot be opened, migrated or written."""


class StoreUnavailableError(StoreError):
    """The database server cannot be reached (stopped, restarting, network): worth trying again soon."""


class DetectError(CarlzonError):
    """Moment detection cannot run on this input."""


class ModelError(CarlzonError):
    """A trained text model cannot be fitted, saved or loaded."""


class AnalysisError(CarlzonError):
    """An analysis cannot be fitted on this data."""


class NotEnoughDataError(AnalysisError):
    """Too few rows to estimate what was asked."""


class NotFittedError(AnalysisError, AttributeError):
    """A result of an analysis was read before ``fit()``; an AttributeError too, so ``hasattr`` says False."""


class SurveyError(CarlzonError):
    """A survey definition, an answer, an invitation or a survey link is invalid (or already used: ``status`` 410)."""

    def __init__(self, message: str, *, status: int = 400, where: str | None = None, fix: str | None = None) -> None:
        self.status = status
        super().__init__(message, where=where, fix=fix)


class AuthError(CarlzonError):
    """A token is missing or unknown (401), or its role may not do this (403)."""

    def __init__(self, message: str, *, status: int = 401, where: str | None = None, fix: str | None = None) -> None:
        self.status = status
        super().__init__(message, where=where, fix=fix)


class NotFoundError(CarlzonError):
    """A case, customer or other record does not exist."""


class ClosedCaseError(CarlzonError):
    """A write (reply, note, step, assignment) to a closed recovery case: reopen it first (409)."""


class MissingExtraError(CarlzonError):
    """An optional extra is not installed; the message gives the pip command."""

    def __init__(self, extra: str, module: str) -> None:
        super().__init__(
            f"this needs the optional '{extra}' extra ({module} is not installed)",
            fix=f"pip install 'carlzon[{extra}]'",
        )
        self.extra = extra
