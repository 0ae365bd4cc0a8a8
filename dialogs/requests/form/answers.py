"""Reading a Request Form card's submit, and finding the way through the sections.

Pure functions. Nothing a card sends is trusted: each section reads only its own fields and
turns each value into the type the form needs (or drops it); the answers are then checked by
the domain's rules for the section (:func:`communities.requests.form.section_problems`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cards.requests.inputs import NO_SECONDARY
from communities.requests.form import (
    NEED_AREAS,
    SEN_STATUSES,
    SPECIALISTS,
    SUPPORT_KINDS,
    YEAR_GROUPS,
    Section,
    fields_not_asked,
    request_type_of,
    sections_for,
)
from communities.requests.form_checks import first_incomplete, section_problems
from communities.requests.tables import RequestType, Urgency

REVIEW = "review"

_TYPES = frozenset(t.value for t in RequestType)
_URGENCIES = frozenset(u.value for u in Urgency)


@dataclass
class Answers:
    """A section's answers as the form stores them; ``None`` clears an answer that no longer applies."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def read_section(section: Section, submitted: Mapping[str, Any], details: Mapping[str, Any]) -> Answers:
    """The answers ``submitted`` gives for ``section``, checked against the draft's other answers."""
    values = _READERS[section.name](submitted, details)
    if section.name != "type":
        # Only the answers this type of request asks for (a forged card cannot add others).
        asked = set(section.fields_for(request_type_of(details)))
        values = {name: value for name, value in values.items() if name in asked}
    merged = {**details, **values}
    return Answers(values, section_problems(section, merged))


# ---- the way through ----------------------------------------------------------------------------


def first_step_to_answer(details: Mapping[str, Any]) -> str:
    """The first section with something missing, or ``review`` when everything is answered."""
    section = first_incomplete(details)
    return section.name if section else REVIEW


def next_step(current: str, details: Mapping[str, Any]) -> str:
    names = [s.name for s in sections_for(details)]
    if current not in names:
        return first_step_to_answer(details)
    index = names.index(current)
    return names[index + 1] if index + 1 < len(names) else REVIEW


def previous_step(current: str, details: Mapping[str, Any]) -> str | None:
    """The step before ``current``, or None at the first one."""
    names = [s.name for s in sections_for(details)]
    if current == REVIEW:
        return names[-1]
    if current not in names:
        return None
    index = names.index(current)
    return names[index - 1] if index > 0 else None


# ---- reading what a card sent -------------------------------------------------------------------


def _read_type(submitted: Mapping[str, Any], details: Mapping[str, Any]) -> dict[str, Any]:
    kind = _choice(submitted.get("request_type"), _TYPES)
    values: dict[str, Any] = {"request_type": kind}
    if kind is not None:
        # Data minimisation: no answer stays that this type of request does not ask for.
        values.update(dict.fromkeys(sorted(fields_not_asked(RequestType(kind)))))
    return values


def _read_pupil(submitted: Mapping[str, Any], details: Mapping[str, Any]) -> dict[str, Any]:
    secondary = submitted.get("secondary_need")
    values: dict[str, Any] = {
        "pupil_ref": _text(submitted.get("pupil_ref")),
        "year_group": _choice(submitted.get("year_group"), YEAR_GROUPS),
        "year_groups": _choices(submitted.get("year_groups"), dict.fromkeys(YEAR_GROUPS, "")),
        "pupil_count": _integer(submitted.get("pupil_count")),
        "sen_status": _choice(submitted.get("sen_status"), SEN_STATUSES),
        "primary_need": _choice(submitted.get("primary_need"), NEED_AREAS),
        "secondary_need": None if secondary in (None, "", NO_SECONDARY) else _choice(secondary, NEED_AREAS),
    }
    if secondary not in (None, "", NO_SECONDARY) and values["secondary_need"] is None:
        values["secondary_need"] = "invalid"  # reported by problems(), never saved
    return values


def _read_needs(submitted: Mapping[str, Any], details: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "needs_summary": _text(submitted.get("needs_summary")),
        "apdr_cycles": _integer(submitted.get("apdr_cycles")),
        "graduated_response": _text(submitted.get("graduated_response")),
        "what_worked": _text(submitted.get("what_worked")),
    }


def _read_support(submitted: Mapping[str, Any], details: Mapping[str, Any]) -> dict[str, Any]:
    support = _choices(submitted.get("support"), SUPPORT_KINDS)
    chosen = support or []
    specialists = _choices(submitted.get("specialists"), SPECIALISTS) if "specialist" in chosen else None
    return {
        "hoped_outcome": _text(submitted.get("hoped_outcome")),
        "support": support,
        "specialists": specialists,
        "specialist_other": (
            _text(submitted.get("specialist_other")) if specialists and "other" in specialists else None
        ),
        "funding_pounds": _integer(submitted.get("funding_pounds")) if "funding" in chosen else None,
        "support_other": _text(submitted.get("support_other")) if "other" in chosen else None,
    }


def _read_parents(submitted: Mapping[str, Any], details: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "parents_informed": _yes_no(submitted.get("parents_informed")),
        "parental_agreement": _yes_no(submitted.get("parental_agreement")),
    }


def _read_urgency(submitted: Mapping[str, Any], details: Mapping[str, Any]) -> dict[str, Any]:
    urgency = _choice(submitted.get("urgency"), _URGENCIES)
    reason = _text(submitted.get("urgency_reason")) if urgency == Urgency.URGENT.value else None
    # An unreadable urgency is kept as "invalid" so that problems() says so (never saved).
    return {"urgency": urgency or "invalid", "urgency_reason": reason}


_READERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]] = {
    "type": _read_type,
    "pupil": _read_pupil,
    "needs": _read_needs,
    "support": _read_support,
    "parents": _read_parents,
    "urgency": _read_urgency,
}


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _choice(value: Any, allowed: Any) -> str | None:
    return value if isinstance(value, str) and value in allowed else None


def _choices(value: Any, allowed: Mapping[str, str]) -> list[str] | None:
    """A multi-select: Teams sends ``"a,b"``; a list of strings is accepted too. Anything odd: None."""
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value]
    else:
        return None
    if not items or any(v not in allowed for v in items):
        return None
    return list(dict.fromkeys(items))


_POUNDS = re.compile(r"£?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?")


def _integer(value: Any) -> int | None:
    """A whole number from a number or a string ("12", "£1,500", "3.0"); anything else: None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e9 else None
    if isinstance(value, str):
        match = _POUNDS.fullmatch(value.strip())
        if match and len(match.group(1)) <= 12:
            return int(match.group(1).replace(",", ""))
    return None


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"yes": True, "true": True, "no": False, "false": False}.get(value.strip().lower())
    return None
