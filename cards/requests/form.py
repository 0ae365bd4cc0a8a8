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
from cards.requests.facts import display_rows
from cards.requests.inputs import choice, section_inputs
from communities.requests.form import (
    SECTIONS,
    Section,
    request_type_of,
)

FORM = "request"


SCHOOL_HELP = "Choose the school this request is from. You can raise requests for each school you work for."
REVIEW_HELP = (
    "Check every answer. **Edit** changes one section and brings you back here; **Submit request** "
    "sends it to your community's chair. Nothing is sent until you submit."
)


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
            choice("school_id", "School", choices, None, expanded=True, required=True),
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
    kind = request_type_of(values)
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
    body += section_inputs(section, values, kind)
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
    kind = request_type_of(details)
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


def moved_card() -> Card:
    """A form card that is no longer the current one: read-only, pointing to the one that is."""
    return card(
        [
            heading("Request form"),
            text("This card is out of date: the form carries on in another card.", subtle=True),
        ]
    )


def stopped_card(ref: str, message: str) -> Card:
    """The form's card once the person stops: read-only, so nothing on it can be pressed by mistake."""
    return card([heading(f"Request {ref}: stopped"), text(message)])


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
