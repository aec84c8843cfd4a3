"""Replacing an attribute of moto's code under a fix's name, so that one fix can be undone alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_applied: dict[str, list[tuple[Any, str, Any]]] = {}


def patch(fix: str, owner: Any, attribute: str, replacement: Any) -> None:
    """Set owner.attribute to replacement, remembering what was there under the fix's name."""
    # A class's own __dict__ entry keeps staticmethods and descriptors as they were; a function's
    # __code__ is not in its __dict__.
    original = vars(owner)[attribute] if attribute in vars(owner) else getattr(owner, attribute)
    _applied.setdefault(fix, []).append((owner, attribute, original))
    setattr(owner, attribute, replacement)


def undo(fix: Callable[[], None]) -> None:
    """Put back what one fix replaced (tests use it to show the gap)."""
    for owner, attribute, original in reversed(_applied.pop(fix.__name__, [])):
        setattr(owner, attribute, original)


def applied() -> list[str]:
    return list(_applied)
