"""The columns that hold pupil-level detail (special category data about a child), in one place.

A member of staff's subject access export leaves these out unless the policy says otherwise (the
child is a different data subject); the data inventory (``docs/data-inventory.md``) names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Table name -> its pupil-level columns (free text and answers that may describe a child).
PUPIL_LEVEL: Mapping[str, frozenset[str]] = {
    "request": frozenset({"details", "return_note"}),
    "outcome": frozenset({"what_is_working", "ideas_and_offers", "rationale"}),
    "outcome_action": frozenset({"description"}),
    "outcome_review": frozenset({"note"}),
    "outcome_school_answer": frozenset({"note"}),
    "outcome_version": frozenset({"rationale", "replaced_because"}),
    "dispute": frozenset({"reasons"}),
    "dispute_event": frozenset({"reasons"}),
    "overspend_request": frozenset({"reason"}),
}

#: What stands where pupil detail was left out of an export.
WITHHELD = "pupil detail withheld: a different data subject"


def withheld(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` with its pupil-level values (those that hold anything) replaced by :data:`WITHHELD`."""
    hidden = PUPIL_LEVEL.get(table, frozenset())
    return {
        name: WITHHELD if name in hidden and value not in (None, "", {}, []) else value
        for name, value in row.items()
    }
