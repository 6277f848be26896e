"""The server's domain errors. They know nothing of HTTP; ``sync.server.app`` maps each class to
a status code in one table (``ERROR_STATUS``), and every error answers with :class:`ErrorBody`.

A caller may rely on: ``str(error)`` being a sentence a person can act on, and ``errors``
listing each field problem (with the record's index in its batch, when there is one).
Other modules raise these (or subclasses) instead of building HTTP responses themselves.
:class:`FormError` is the staff forms' error, raised by form readers and by storage rules alike;
the page that sent the form shows it translated.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from sync.protocol import FieldError

__all__ = [
    "BadRequest",
    "Conflict",
    "DomainError",
    "ErrorBody",
    "ErrorItem",
    "Forbidden",
    "FormError",
    "InvalidInput",
    "NotFound",
    "PayloadTooLarge",
    "Unauthorized",
    "Unavailable",
]


class DomainError(Exception):
    """Base class: a message for people and optional field errors."""

    def __init__(self, message: str, errors: Sequence[FieldError] = ()):
        super().__init__(message)
        self.message = message
        self.errors = list(errors)

    def body(self) -> dict:
        return {"error": self.message, "errors": [e.as_dict() for e in self.errors]}


class BadRequest(DomainError):
    """The request could not be read at all (e.g. the body is not JSON)."""


class Unauthorized(DomainError):
    """No valid kiosk signature (or staff session): unknown, disabled, bad, or stale."""


class Forbidden(DomainError):
    """Authenticated, but not allowed to do this."""


class NotFound(DomainError):
    """The thing asked for does not exist."""


class Conflict(DomainError):
    """The request contradicts what is stored (e.g. a batch id reused for other content)."""


class PayloadTooLarge(DomainError):
    """Over the size limits of a batch (bytes or records)."""


class InvalidInput(DomainError):
    """Readable but breaks the schema or a rule; ``errors`` names record and field."""


class Unavailable(DomainError):
    """The database does not answer (down, unreachable, or refusing connections)."""


class ErrorItem(BaseModel):
    field: str
    problem: str
    record: int | None = Field(default=None, description="Index of the record in the batch.")


class ErrorBody(BaseModel):
    """Every 4xx answer of the kiosk API."""

    error: str = Field(description="What went wrong, in a sentence.")
    errors: list[ErrorItem] = Field(default_factory=list)


class FormError(ValueError):
    """A staff form field (or a value a staff form sent) was wrong; ``message`` is a gettext id, ``variables`` fill it in."""

    def __init__(self, message: str, **variables: object):
        super().__init__(message % variables if variables else message)
        self.message = message
        self.variables = variables
