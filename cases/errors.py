"""What services refuse with; the web views and the API map each to one answer."""

from __future__ import annotations


class CaseError(Exception):
    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotPermitted(CaseError):
    """The caller's side or role may not do this (HTTP 403)."""


class StateConflict(CaseError):
    """The case's state does not allow it, or a concurrent change won (HTTP 409)."""


class RuleBlocked(CaseError):
    """A rule or missing input stops it; the message names which (HTTP 400)."""


class BatchInvalid(Exception):
    """Some rows of a batch are wrong; nothing was stored."""

    def __init__(self, row_errors: dict[int, dict[str, list[str]]]) -> None:
        super().__init__("invalid rows: " + ", ".join(str(i) for i in sorted(row_errors)))
        self.row_errors = row_errors
