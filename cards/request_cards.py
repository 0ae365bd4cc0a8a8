"""The Request Form as Adaptive Cards: one card per section, the review card and the confirmation.

Pure functions of plain data. The sections and the rules on their answers are the domain's
(:mod:`communities.requests.form`); every input's id is the name of the answer it gives in
``Request.details``; every Action.Submit carries
``{"form": "request", "section": ..., "request_id": ...}`` so the dialog can tell its own,
current card from an old or forged one. The cards are only ever sent in the requester's
personal chat: they may show pupil-level answers, a channel post never does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cards.elements import Card, Element, card, facts, heading, subheading, text
from communities.requests.form import (
    NEED_AREAS,
    SECTIONS,
    SEN_STATUSES,
    SPECIALISTS,
    SUPPORT_KINDS,
    YEAR_GROUPS,
    Section,
)
from communities.requests.tables import RequestType, Urgency

FORM = "request"


SCHOOL_HELP = "Choose the school this request is from. You can raise requests for each school you work for."
REVIEW_HELP = (
    "Check every answer. **Edit** changes one section and brings you back here; **Submit request** "
    "sends it to your community's chair. Nothing is sent until you submit."
)

YES_NO = {"yes": "Yes", "no": "No"}
AGREEMENT = {"yes": "Yes, they agree", "no": "Not yet"}
URGENCIES = {Urgency.STANDARD.value: "Standard (next meeting)", Urgency.URGENT.value: "Urgent"}
NO_SECONDARY = "none"


def form_data(section: str, request_id: int | None, **extra: Any) -> dict[str, Any]:
    """The data of a form card's Action.Submit (the client adds the inputs' values)."""
    data: dict[str, Any] = {"form": FORM, "section": section}
    if request_id is not None:
        data["request_id"] = request_id
    return {**data, **extra}


# ---- the cards --------------------------------------------------------------------------------


def school_card(schools: Sequence[tuple[int, str]]) -> Card:
    """Which school the request is from, for someone on the staff of several."""
    choices = {str(school_id): name for school_id, name in schools}
    return card(
        [
            heading("Raise a request"),
            text("You work for more than one school. Which school is this request from?"),
            _choice("school_id", "School", choices, None, expanded=True, required=True),
        ],
        [
            _submit("Continue", form_data("school", None)),
            *_commands("school", None, back=False),
        ],
    )


def draft_choice_card(ref: str, request_id: int, school: str) -> Card:
    """Someone asked for a new request while a draft of theirs is waiting."""
    return card(
        [
            heading("You have a draft request"),
            text(f"Request **{ref}** for {school} is still a draft. Continue it, or start a new one?"),
        ],
        [
            _submit(f"Continue {ref}", form_data("start", request_id, command="continue")),
            _submit("Start a new request", form_data("start", None, command="new")),
        ],
    )


def section_card(
    section: Section,
    *,
    ref: str,
    request_id: int,
    values: Mapping[str, Any],
    problems: Mapping[str, str] | None = None,
    warning: str | None = None,
) -> Card:
    """One step of the form, filled in with ``values``; ``problems`` and ``warning`` say what to fix."""
    kind = _request_type(values.get("request_type"))
    steps = [s for s in SECTIONS if s.applies_to(kind)] if kind else list(SECTIONS)
    number = steps.index(section) + 1 if section in steps else 1
    body: list[Element] = [
        heading(f"Request {ref}"),
        subheading(f"Step {number} of {len(steps)}: {section.title}"),
    ]
    if problems:
        body.append(_attention("Please check: " + " ".join(dict.fromkeys(problems.values()))))
    if warning:
        body.append(_warning(warning))
    body += _INPUTS[section.name](values, kind)
    data = form_data(section.name, request_id)
    actions = [_submit("Save my changes" if warning else "Save and continue", data)]
    if warning:
        actions.append(
            _submit("Keep it as written (it is not about a pupil)", {**data, "keep_wording": True})
        )
    actions += _commands(section.name, request_id, back=True)
    return card(body, actions)


def review_card(*, ref: str, request_id: int, school: str, status: str, details: Mapping[str, Any]) -> Card:
    """Everything entered, with an Edit action per section, and Submit."""
    kind = _request_type(details.get("request_type"))
    body: list[Element] = [
        heading(f"Check request {ref}"),
        facts([("School", school), ("Status", status)]),
    ]
    for section in SECTIONS:
        if not section.applies_to(kind):
            continue
        rows = display_rows(section, details)
        body.append(subheading(section.title))
        body.append(facts(rows) if rows else text("Not answered yet.", subtle=True))
        body.append(
            {
                "type": "ActionSet",
                "actions": [
                    _submit(
                        f"Edit: {section.title.lower()}",
                        form_data("review", request_id, command="edit", edit=section.name),
                        quiet=True,
                    )
                ],
            }
        )
    body.append(text("Nothing is sent to the community until you press **Submit request**.", subtle=True))
    return card(
        body,
        [
            _submit("Submit request", form_data("review", request_id, command="submit"), quiet=True),
            *_commands("review", request_id, back=True),
        ],
    )


def confirmation_card(
    *, ref: str, school: str, community: str, status: str, next_step: str, told: str
) -> Card:
    return card(
        [
            heading(f"Request {ref} submitted"),
            facts(
                [
                    ("Reference", ref),
                    ("School", school),
                    ("Community", community),
                    ("Status", status),
                    ("Next step", next_step),
                ]
            ),
            text(told),
            text("Use this reference when you talk about the request; never the pupil's name.", subtle=True),
        ]
    )


# ---- what each section shows ------------------------------------------------------------------


def display_rows(section: Section, details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The answered fields of a section as (label, value) pairs, as the review card shows them."""
    kind = _request_type(details.get("request_type"))
    return [(label, shown) for label, shown in _shown(section, details, kind) if shown]


def _shown(section: Section, details: Mapping[str, Any], kind: RequestType | None) -> list[tuple[str, str]]:
    d = details
    group = kind is RequestType.GROUP_OF_PUPILS
    match section.name:
        case "type":
            return [("Request for", kind.label if kind else "")]
        case "pupil":
            rows = [
                ("Group reference" if group else "Pupil reference", _str(d.get("pupil_ref"))),
                ("Year group", _year(d.get("year_group"))),
                ("SEN status", SEN_STATUSES.get(_str(d.get("sen_status")), "")),
                ("Primary need", NEED_AREAS.get(_str(d.get("primary_need")), "")),
                ("Secondary need", NEED_AREAS.get(_str(d.get("secondary_need")), "None")),
            ]
            if group:
                rows.append(("Number of pupils", _str(d.get("pupil_count"))))
            return rows
        case "needs":
            return [
                ("Needs in brief", _str(d.get("needs_summary"))),
                ("APDR cycles completed", _str(d.get("apdr_cycles"))),
                ("What was tried", _str(d.get("graduated_response"))),
                ("What worked", _str(d.get("what_worked"))),
            ]
        case "support":
            support = _list(d.get("support"))
            specialists = ", ".join(SPECIALISTS.get(s, s) for s in _list(d.get("specialists")))
            if d.get("specialist_other"):
                specialists += f" ({_str(d.get('specialist_other'))})"
            pounds = d.get("funding_pounds")
            return [
                ("Hoped outcome", _str(d.get("hoped_outcome"))),
                ("Support asked for", ", ".join(SUPPORT_KINDS.get(s, s) for s in support)),
                ("Specialist input", specialists if "specialist" in support else ""),
                ("Funding", f"£{pounds:,}" if isinstance(pounds, int) and "funding" in support else ""),
                ("Other support", _str(d.get("support_other")) if "other" in support else ""),
            ]
        case "parents":
            rows = [("Parents/carers informed", _yes_no(d.get("parents_informed")))]
            if kind is None or kind.about_pupils:
                agreed = d.get("parental_agreement")
                rows.append(("Agree to it being discussed", AGREEMENT["yes" if agreed else "no"]))
            return rows
        case "urgency":
            urgency = _str(d.get("urgency"))
            rows = [("Urgency", URGENCIES.get(urgency, ""))]
            if urgency == Urgency.URGENT.value:
                rows.append(("Why it is urgent", _str(d.get("urgency_reason"))))
            return rows
    return []


# ---- inputs per section -----------------------------------------------------------------------


def _type_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    choices = {t.value: t.label for t in RequestType}
    return [
        _choice("request_type", "What is the request for?", choices, values, expanded=True, required=True)
    ]


def _pupil_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    group = kind is RequestType.GROUP_OF_PUPILS
    inputs = [
        text(
            "Never write a pupil's name, date of birth or UPN: use your school's own reference "
            "(the key stays in school).",
            subtle=True,
        ),
        _text_input(
            "pupil_ref",
            "Your school's reference for the group" if group else "Your school's pupil reference",
            values,
            placeholder="For example WM-2026-07",
            max_length=30,
            required=True,
        ),
        _choice(
            "year_group",
            "Year group (most of the group)" if group else "Year group",
            {y: _year(y) for y in YEAR_GROUPS},
            values,
            required=True,
        ),
        _choice("sen_status", "SEN status", SEN_STATUSES, values, required=True),
        _choice("primary_need", "Primary area of need", NEED_AREAS, values, required=True),
        _choice(
            "secondary_need",
            "Secondary area of need (optional)",
            {NO_SECONDARY: "None", **NEED_AREAS},
            {**values, "secondary_need": values.get("secondary_need") or NO_SECONDARY},
        ),
    ]
    if group:
        inputs.append(_number("pupil_count", "Number of pupils in the group", values, 2, 500, required=True))
    return inputs


def _needs_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    return [
        _text_input("needs_summary", "The needs in brief", values, multiline=True, required=True),
        _number("apdr_cycles", "Assess-plan-do-review cycles completed", values, 0, 20, required=True),
        _text_input("graduated_response", "What was tried", values, multiline=True, required=True),
        _text_input("what_worked", "What worked, and what did not", values, multiline=True, required=True),
    ]


def _support_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    return [
        _text_input("hoped_outcome", "The outcome you hope for", values, multiline=True, required=True),
        _choice(
            "support", "Support asked for", SUPPORT_KINDS, values, expanded=True, multi=True, required=True
        ),
        _choice(
            "specialists",
            "If specialist input: which?",
            SPECIALISTS,
            values,
            expanded=True,
            multi=True,
        ),
        _text_input("specialist_other", "If another specialist: who?", values, max_length=200),
        _number("funding_pounds", "If funding: the amount in pounds", values, 1, 1_000_000),
        _text_input("support_other", "If other support: what?", values, multiline=True),
    ]


def _parents_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    inputs = [
        _choice(
            "parents_informed",
            "Have the parents/carers been informed?",
            YES_NO,
            values,
            expanded=True,
            required=True,
        )
    ]
    if kind is None or kind.about_pupils:
        inputs.append(
            _choice(
                "parental_agreement",
                "Do they agree to the request being discussed by the community?",
                AGREEMENT,
                values,
                expanded=True,
                required=True,
            )
        )
    return inputs


def _urgency_inputs(values: Mapping[str, Any], kind: RequestType | None) -> list[Element]:
    return [
        _choice(
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


# ---- elements ---------------------------------------------------------------------------------


def _submit(title: str, data: Mapping[str, Any], *, quiet: bool = False) -> Element:
    """An Action.Submit; ``quiet`` ones send no inputs (and so skip the card's own validation)."""
    action: Element = {"type": "Action.Submit", "title": title, "data": dict(data)}
    if quiet:
        action["associatedInputs"] = "none"
    return action


def _commands(section: str, request_id: int | None, *, back: bool) -> list[Element]:
    names = (["back"] if back else []) + ["help", "cancel"]
    titles = {"back": "Back", "help": "Help", "cancel": "Cancel (keep the draft)" if request_id else "Cancel"}
    return [_submit(titles[n], form_data(section, request_id, command=n), quiet=True) for n in names]


def _attention(message: str) -> Element:
    return {**text(message), "color": "Attention", "weight": "Bolder"}


def _warning(message: str) -> Element:
    return {**text(message), "color": "Warning", "weight": "Bolder"}


def _text_input(
    input_id: str,
    label: str,
    values: Mapping[str, Any],
    *,
    multiline: bool = False,
    placeholder: str | None = None,
    max_length: int = 2000,
    required: bool = False,
) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "isMultiline": multiline,
        "maxLength": max_length,
        "value": _str(values.get(input_id)),
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


def _choice(
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


def _request_type(value: Any) -> RequestType | None:
    return RequestType(value) if value in {t.value for t in RequestType} else None


def _str(value: Any) -> str:
    if value is None or isinstance(value, bool | list | dict):
        return ""
    return str(value)


def _list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _year(value: Any) -> str:
    if value == "R":
        return "Reception"
    return f"Year {value}" if value in YEAR_GROUPS else ""


def _yes_no(value: Any) -> str:
    return {True: "Yes", False: "No"}.get(value, "") if isinstance(value, bool) else ""
