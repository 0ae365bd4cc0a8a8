"""The Request Form's rules on its answers: what a complete, acceptable answer is, per section.

:func:`problems` runs again on submit, so a forged or stale card cannot submit an incomplete or
invalid request. Each answer has one check, given the other answers and the request's type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from communities.identifying_text import find_identifying_text
from communities.requests.form import (
    APDR_CYCLES_RANGE,
    FUNDING_POUNDS_RANGE,
    MAX_TEXT,
    NEED_AREAS,
    PUPIL_COUNT_RANGE,
    PUPIL_REF_MAX,
    SEN_STATUSES,
    SPECIALISTS,
    SUPPORT_KINDS,
    TYPE,
    YEAR_GROUPS,
    Section,
    request_type_of,
    sections_for,
)
from communities.requests.tables import RequestType, Urgency


def first_incomplete(details: Mapping[str, Any]) -> Section | None:
    """The first section with something missing or wrong, or None when the request is complete."""
    return next((s for s in sections_for(details) if section_problems(s, details)), None)


def problems(details: Mapping[str, Any]) -> dict[str, str]:
    """Every missing or invalid answer, by field, in words for the person. Empty means complete."""
    if request_type_of(details) is None:
        return {"request_type": "Choose what the request is for."}
    found: dict[str, str] = {}
    for section in sections_for(details):
        found.update(section_problems(section, details))
    return found


def section_problems(section: Section, details: Mapping[str, Any]) -> dict[str, str]:
    """What is missing or wrong in one section of ``details`` (empty: the section is complete)."""
    kind = request_type_of(details)
    if section is not TYPE and (kind is None or not section.applies_to(kind)):
        return {}
    found: dict[str, str] = {}
    for name in section.fields_for(kind):
        problem = _CHECKS[name](details, kind)
        if problem:
            found[name] = problem
    return found


# ---- the checks of each answer, given the others ---------------------------------------------------

_Check = Callable[[Mapping[str, Any], RequestType | None], str | None]


def _request_type(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    return None if kind else "Choose what the request is for."


def _pupil_ref(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    ref = d.get("pupil_ref")
    if not isinstance(ref, str) or not 1 <= len(ref.strip()) <= PUPIL_REF_MAX:
        whose = "reference for the group" if kind is RequestType.GROUP_OF_PUPILS else "pupil reference"
        return f"Give your school's own {whose} (up to {PUPIL_REF_MAX} characters, never a name)."
    # A reference must not itself identify a child (a name, a UPN, a date of birth).
    if find_identifying_text(ref) or find_identifying_text(ref.title()):
        return (
            "That reference looks like it could identify a pupil (a name, a date of birth or a unique "
            "pupil number). Use your school's own pseudonymous reference instead."
        )
    return None


def _year_group(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    return None if d.get("year_group") in YEAR_GROUPS else "Choose a year group: Reception, or 1 to 13."


def _year_groups(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    chosen = d.get("year_groups")
    if isinstance(chosen, list) and chosen and all(y in YEAR_GROUPS for y in chosen):
        return None
    return "Choose the year groups the pupils are in (Reception, or 1 to 13)."


def _sen_status(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    if d.get("sen_status") in SEN_STATUSES:
        return None
    return "Choose the special educational needs (SEN) status."


def _primary_need(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    return None if d.get("primary_need") in NEED_AREAS else "Choose the primary area of need."


def _secondary_need(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    second = d.get("secondary_need")
    if second is None or (second in NEED_AREAS and second != d.get("primary_need")):
        return None
    return "The secondary area of need must be another of the four areas, or none."


def _pupil_count(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    if _whole_number_in(d.get("pupil_count"), PUPIL_COUNT_RANGE):
        return None
    return f"Give the number of pupils in the group ({_range_text(PUPIL_COUNT_RANGE)})."


def _apdr_cycles(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    if _whole_number_in(d.get("apdr_cycles"), APDR_CYCLES_RANGE):
        return None
    return f"Say how many assess-plan-do-review cycles you have completed ({_range_text(APDR_CYCLES_RANGE)})."


def _support(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    support = d.get("support")
    if isinstance(support, list) and support and all(s in SUPPORT_KINDS for s in support):
        return None
    return "Choose at least one kind of support."


def _asked_for(d: Mapping[str, Any], kind_of_support: str) -> bool:
    support = d.get("support")
    return isinstance(support, list) and kind_of_support in support


def _specialists(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    if not _asked_for(d, "specialist"):
        return None
    chosen = d.get("specialists")
    if isinstance(chosen, list) and chosen and all(s in SPECIALISTS for s in chosen):
        return None
    return (
        "Say which specialist input: an educational psychologist (EP), speech and language therapy "
        "(SALT), occupational therapy (OT), the Specialist Teaching and Learning Service (STLS) or other."
    )


def _funding_pounds(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    if not _asked_for(d, "funding") or _whole_number_in(d.get("funding_pounds"), FUNDING_POUNDS_RANGE):
        return None
    return f"Give the funding asked for in whole pounds ({_range_text(FUNDING_POUNDS_RANGE)})."


def _parents_informed(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    informed = d.get("parents_informed")
    if informed not in (True, False):
        return "Say whether the parents or carers have been told."
    if informed is False and d.get("parental_agreement") is True:
        return "Parents or carers can only agree once they have been told."
    return None


def _parental_agreement(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    if d.get("parental_agreement") is True:
        return None
    return "Parents or carers must agree to the request being discussed before it is submitted."


def _urgency(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
    return None if d.get("urgency", Urgency.STANDARD.value) in set(Urgency) else "Choose standard or urgent."


def _text(name: str, label: str, *, only_if: Callable[[Mapping[str, Any]], bool] | None = None) -> _Check:
    """A free-text answer: required (where ``only_if`` holds) and no longer than the form allows."""

    def check(d: Mapping[str, Any], kind: RequestType | None) -> str | None:
        if only_if is not None and not only_if(d):
            return None
        value = d.get(name)
        if not isinstance(value, str) or not value.strip():
            return f"Write {label}."
        if len(value) > MAX_TEXT:
            return f"Keep {label} under {MAX_TEXT:,} characters."
        return None

    return check


def _other_specialist(d: Mapping[str, Any]) -> bool:
    chosen = d.get("specialists")
    return _asked_for(d, "specialist") and isinstance(chosen, list) and "other" in chosen


_CHECKS: dict[str, _Check] = {
    "request_type": _request_type,
    "pupil_ref": _pupil_ref,
    "year_group": _year_group,
    "year_groups": _year_groups,
    "sen_status": _sen_status,
    "primary_need": _primary_need,
    "secondary_need": _secondary_need,
    "pupil_count": _pupil_count,
    "needs_summary": _text("needs_summary", "the needs in brief"),
    "apdr_cycles": _apdr_cycles,
    "graduated_response": _text("graduated_response", "what has been tried so far"),
    "what_worked": _text("what_worked", "what worked and what did not"),
    "hoped_outcome": _text("hoped_outcome", "the outcome you hope for"),
    "support": _support,
    "specialists": _specialists,
    "specialist_other": _text("specialist_other", "which other specialist", only_if=_other_specialist),
    "funding_pounds": _funding_pounds,
    "support_other": _text(
        "support_other", "what other support you ask for", only_if=lambda d: _asked_for(d, "other")
    ),
    "parents_informed": _parents_informed,
    "parental_agreement": _parental_agreement,
    "urgency": _urgency,
    "urgency_reason": _text(
        "urgency_reason", "why it is urgent", only_if=lambda d: d.get("urgency") == Urgency.URGENT.value
    ),
}


def _whole_number_in(value: Any, allowed: tuple[int, int]) -> bool:
    low, high = allowed
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _range_text(allowed: tuple[int, int]) -> str:
    return f"{allowed[0]:,} to {allowed[1]:,}"
