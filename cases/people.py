"""How staff are named: by their full name everywhere a clerk reads them, with the user name in the admin."""

from __future__ import annotations


def person_name(user: object) -> str:
    """The user's full name, or the user name when none is entered; "" for nobody."""
    if user is None:
        return ""
    full = (user.get_full_name() or "").strip()  # type: ignore[attr-defined]
    return full or user.get_username()  # type: ignore[attr-defined]


def person_label(user: object) -> str:
    """The full name with the user name beside it, for the admin, where accounts are managed by user name."""
    if user is None:
        return ""
    name, username = person_name(user), user.get_username()  # type: ignore[attr-defined]
    return username if name == username else f"{name} ({username})"
