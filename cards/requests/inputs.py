"""The inputs of each section of the Request Form's cards, filled in with the answers so far.

Every input's id is the name of the answer it gives in ``Request.details``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cards.elements import Element, text
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
    YEAR_GROUPS,
    Section,
)
from communities.requests.tables import RequestType, Urgency

YES_NO = {"yes": "Yes", "no": "No"}
AGREEMENT = {"yes": "Yes, they agree", "no": "Not yet"}
URGENCIES = {Urgency.STANDARD.value: "Standard (next meeting)", Urgency.URGENT.value: "Urgent"}
NO_SECONDARY = "none"


def section_inputs(section: Section, values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    """The inputs of ``section``'s card, showing ``values``."""
    return _INPUTS[section.name](values, kind)


def _type_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    choices = {t.value: t.label for t in RequestType}
    return [choice("request_type", "What is the request for?", choices, values, expanded=True, required=True)]


def _pupil_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    group = kind is RequestType.GROUP_OF_PUPILS
    years = {y: year_label(y) for y in YEAR_GROUPS}
    inputs = [
        text(
            "Never write a pupil's name, date of birth or unique pupil number (UPN): use your school's "
            "own reference (the key stays in school).",
            subtle=True,
        ),
        _text_input(
            "pupil_ref",
            "Your school's reference for the group" if group else "Your school's pupil reference",
            values,
            placeholder="For example WM-2026-07",
            max_length=PUPIL_REF_MAX,
            required=True,
        ),
    ]
    if group:
        inputs += [
            _number(
                "pupil_count", "Number of pupils in the group", values, *PUPIL_COUNT_RANGE, required=True
            ),
            choice("year_groups", "Their year groups", years, values, multi=True, required=True),
        ]
    else:
        inputs += [
            choice("year_group", "Year group", years, values, required=True),
            choice(
                "sen_status", "Special educational needs (SEN) status", SEN_STATUSES, values, required=True
            ),
        ]
    return [
        *inputs,
        choice(
            "primary_need",
            "The main area of need they share" if group else "Primary area of need",
            NEED_AREAS,
            values,
            required=True,
        ),
        choice(
            "secondary_need",
            "Secondary area of need (optional)",
            {NO_SECONDARY: "None", **NEED_AREAS},
            {**values, "secondary_need": values.get("secondary_need") or NO_SECONDARY},
        ),
    ]


#: What "the needs in brief" is called, by who the request is about.
NEEDS_SUMMARY_LABELS = {
    RequestType.GROUP_OF_PUPILS: "The needs the group shares, in brief",
    RequestType.WHOLE_SCHOOL: "What your school needs, in brief",
    RequestType.COMMUNITY_WIDE: "What the community's schools need, in brief",
}


def _needs_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    inputs = [
        _text_input(
            "needs_summary",
            NEEDS_SUMMARY_LABELS.get(kind, "The needs in brief") if kind else "The needs in brief",
            values,
            multiline=True,
            required=True,
        )
    ]
    if kind is RequestType.ONE_PUPIL or kind is None:
        inputs.append(
            _number(
                "apdr_cycles",
                "Assess-plan-do-review cycles completed",
                values,
                *APDR_CYCLES_RANGE,
                required=True,
            )
        )
    return [
        *inputs,
        _text_input("graduated_response", "What has been tried", values, multiline=True, required=True),
        _text_input("what_worked", "What worked, and what did not", values, multiline=True, required=True),
    ]


def _support_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    return [
        _text_input("hoped_outcome", "The outcome you hope for", values, multiline=True, required=True),
        choice(
            "support", "Support asked for", SUPPORT_KINDS, values, expanded=True, multi=True, required=True
        ),
        choice(
            "specialists",
            "If specialist input: which?",
            SPECIALISTS,
            values,
            expanded=True,
            multi=True,
        ),
        _text_input("specialist_other", "If another specialist: who?", values, max_length=200),
        _number("funding_pounds", "If funding: the amount in pounds", values, *FUNDING_POUNDS_RANGE),
        _text_input("support_other", "If other support: what?", values, multiline=True),
    ]


def _parents_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    group = kind is RequestType.GROUP_OF_PUPILS
    return [
        choice(
            "parents_informed",
            "Have the parents or carers of every pupil in the group been told?"
            if group
            else "Have the parents or carers been told?",
            YES_NO,
            values,
            expanded=True,
            required=True,
        ),
        choice(
            "parental_agreement",
            "Do they all agree to the request being discussed by the community?"
            if group
            else "Do they agree to the request being discussed by the community?",
            AGREEMENT,
            values,
            expanded=True,
            required=True,
        ),
    ]


def _urgency_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    return [
        choice(
            "urgency",
            "How urgent is it?",
            URGENCIES,
            {**values, "urgency": values.get("urgency") or Urgency.STANDARD.value},
            expanded=True,
            required=True,
        ),
        _text_input("urgency_reason", "If urgent: why?", values, multiline=True),
    ]


_INPUTS = {
    "type": _type_inputs,
    "pupil": _pupil_inputs,
    "needs": _needs_inputs,
    "support": _support_inputs,
    "parents": _parents_inputs,
    "urgency": _urgency_inputs,
}


def _text_input(
    input_id: str,
    label: str,
    values: Mapping[str, Any],
    *,
    multiline: bool = False,
    placeholder: str | None = None,
    max_length: int = MAX_TEXT,
    required: bool = False,
) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "isMultiline": multiline,
        "maxLength": max_length,
        "value": as_text(values.get(input_id)),
    }
    if placeholder:
        element["placeholder"] = placeholder
    return _required(element, required, "Please fill this in.")


def _number(
    input_id: str, label: str, values: Mapping[str, Any], low: int, high: int, *, required: bool = False
) -> Element:
    element: Element = {"type": "Input.Number", "id": input_id, "label": label, "min": low, "max": high}
    value = values.get(input_id)
    if isinstance(value, int) and not isinstance(value, bool):
        element["value"] = value
    return _required(element, required, f"Give a number from {low} to {high}")


def choice(
    input_id: str,
    label: str,
    choices: Mapping[str, str],
    values: Mapping[str, Any] | None,
    *,
    expanded: bool = False,
    multi: bool = False,
    required: bool = False,
) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "expanded" if expanded else "compact",
        "isMultiSelect": multi,
        "choices": [{"title": title, "value": value} for value, title in choices.items()],
    }
    current = (values or {}).get(input_id)
    if isinstance(current, bool):
        element["value"] = "yes" if current else "no"
    elif isinstance(current, list):
        known = [str(v) for v in current if str(v) in choices]
        if known:
            element["value"] = ",".join(known)
    elif current is not None and str(current) in choices:
        element["value"] = str(current)
    if not multi and not expanded and "value" not in element:
        element["placeholder"] = "Choose"
    return _required(element, required, "Please choose an answer.")


def _required(element: Element, required: bool, message: str) -> Element:
    if required:
        element["isRequired"] = True
        element["errorMessage"] = message
    return element


def as_text(value: Any) -> str:
    if value is None or isinstance(value, bool | list | dict):
        return ""
    return str(value)


def year_label(value: Any) -> str:
    if value == "R":
        return "Reception"
    return f"Year {value}" if value in YEAR_GROUPS else ""
