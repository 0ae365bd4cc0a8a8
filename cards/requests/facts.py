"""The Request Form's answers as (label, value) facts: for the review card and the request's detail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cards.requests.inputs import AGREEMENT, URGENCIES, as_text, year_label
from communities.requests.form import (
    NEED_AREAS,
    SEN_STATUSES,
    SPECIALISTS,
    SUPPORT_KINDS,
    Section,
    request_type_of,
)
from communities.requests.tables import RequestType, Urgency


def display_rows(section: Section, details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The answered fields of a section as (label, value) pairs, as the review card shows them."""
    kind = request_type_of(details)
    return [(label, shown) for label, shown in _shown(section, details, kind) if shown]


def _shown(section: Section, details: Mapping[str, Any], kind: RequestType | None) -> list[tuple[str, str]]:
    d = details
    group = kind is RequestType.GROUP_OF_PUPILS
    match section.name:
        case "type":
            return [("Request for", kind.label if kind else "")]
        case "pupil":
            return [
                ("Group reference" if group else "Pupil reference", as_text(d.get("pupil_ref"))),
                ("Pupils in the group", as_text(d.get("pupil_count")) if group else ""),
                # Requests made before groups gave several year groups have one: shown as given.
                ("Year groups", ", ".join(year_label(y) for y in _list(d.get("year_groups")))),
                ("Year group", year_label(d.get("year_group"))),
                (
                    "Special educational needs (SEN) status",
                    SEN_STATUSES.get(as_text(d.get("sen_status")), ""),
                ),
                ("Primary need", NEED_AREAS.get(as_text(d.get("primary_need")), "")),
                ("Secondary need", NEED_AREAS.get(as_text(d.get("secondary_need")), "None")),
            ]
        case "needs":
            return [
                ("Needs in brief", as_text(d.get("needs_summary"))),
                ("Assess-plan-do-review cycles completed", as_text(d.get("apdr_cycles"))),
                ("What has been tried", as_text(d.get("graduated_response"))),
                ("What worked", as_text(d.get("what_worked"))),
            ]
        case "support":
            support = _list(d.get("support"))
            specialists = ", ".join(SPECIALISTS.get(s, s) for s in _list(d.get("specialists")))
            if d.get("specialist_other"):
                specialists += f" ({as_text(d.get('specialist_other'))})"
            pounds = d.get("funding_pounds")
            return [
                ("Hoped outcome", as_text(d.get("hoped_outcome"))),
                ("Support asked for", ", ".join(SUPPORT_KINDS.get(s, s) for s in support)),
                ("Specialist input", specialists if "specialist" in support else ""),
                ("Funding", f"£{pounds:,}" if isinstance(pounds, int) and "funding" in support else ""),
                ("Other support", as_text(d.get("support_other")) if "other" in support else ""),
            ]
        case "parents":
            agreed = d.get("parental_agreement")
            return [
                ("Parents or carers told", _yes_no(d.get("parents_informed"))),
                ("Agree to it being discussed", AGREEMENT["yes" if agreed else "no"]),
            ]
        case "urgency":
            urgency = as_text(d.get("urgency"))
            rows = [("Urgency", URGENCIES.get(urgency, ""))]
            if urgency == Urgency.URGENT.value:
                rows.append(("Why it is urgent", as_text(d.get("urgency_reason"))))
            return rows
    return []


def _list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _yes_no(value: Any) -> str:
    return {True: "Yes", False: "No"}.get(value, "") if isinstance(value, bool) else ""
