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
from communities.requests.form import Section, request_type_of, sections_for
from communities.requests.returns import ANSWER, ANSWER_MAX

FORM = "request"


SCHOOL_HELP = "Choose the school this request is from. You can raise requests for each school you work for."
REVIEW_HELP = (
    "Check every answer. **Edit** changes one section and brings you back here; **Submit request** "
    "sends it to your community's chair. Nothing is sent until you submit. If the chair returned it "
    "for more information, answer their note on this card and press **Resubmit request**."
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
            _help_text(SCHOOL_HELP),
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
    chair_note: str | None = None,
) -> Card:
    """One step of the form, filled in with ``values``; ``problems`` and ``warning`` say what to fix,
    and ``chair_note`` what the chair asked for, on a request returned for information."""
    kind = request_type_of(values)
    title = section.title_for(kind)
    steps = sections_for(values)
    step = f"Step {steps.index(section) + 1} of {len(steps)}" if kind and section in steps else "Step 1"
    body: list[Element] = [
        heading(f"Request {ref}"),
        *_chair_asked(chair_note),
        subheading(f"{step}: {title}"),
    ]
    if problems:
        body.append(_attention("Please check: " + " ".join(dict.fromkeys(problems.values()))))
    if warning:
        body.append(_warning(warning))
    body += section_inputs(section, values, kind)
    body.append(_help_text(section.help_for(kind)))
    data = form_data(section.name, request_id)
    actions = [_submit("Save my changes" if warning else "Save and continue", data)]
    if warning:
        actions.append(
            _submit("Keep it as written (it is not about a pupil)", {**data, "keep_wording": True})
        )
    actions += _commands(section.name, request_id, back=True)
    return card(body, actions)


def review_card(
    *,
    ref: str,
    request_id: int,
    school: str,
    status: str,
    details: Mapping[str, Any],
    chair_note: str | None = None,
    answer: str | None = None,
    problem: str | None = None,
) -> Card:
    """Everything entered, with an Edit action per section, and Submit.

    For a request returned for information (``chair_note``), the chair's note and a field to answer
    it (``answer``, with ``problem`` if it cannot be sent as it is), and Submit sends the answer.
    """
    kind = request_type_of(details)
    body: list[Element] = [
        heading(f"Check request {ref}"),
        facts([("School", school), ("Status", status)]),
    ]
    if chair_note is not None:
        body += _chair_asked(chair_note)
        if problem:
            body.append(_attention(problem))
        body.append(
            {
                "type": "Input.Text",
                "id": ANSWER,
                "label": "Your answer to the chair",
                "isMultiline": True,
                "maxLength": ANSWER_MAX,
                "value": answer or "",
            }
        )
    for section in sections_for(details):
        title = section.title_for(kind)
        rows = display_rows(section, details)
        body.append(subheading(title))
        body.append(facts(rows) if rows else text("Not answered yet.", subtle=True))
        body.append(
            {
                "type": "ActionSet",
                "actions": [
                    _submit(
                        f"Edit: {title[0].lower()}{title[1:]}",
                        form_data("review", request_id, command="edit", edit=section.name),
                        quiet=chair_note is None,  # an answer typed to the chair goes with it
                    )
                ],
            }
        )
    send = "Resubmit request" if chair_note is not None else "Submit request"
    body.append(text(f"Nothing is sent to the community until you press **{send}**.", subtle=True))
    body.append(_help_text(REVIEW_HELP))
    # Resubmitting sends the answer typed on the card; a first submit has nothing to send.
    submit = _submit(send, form_data("review", request_id, command="submit"), quiet=chair_note is None)
    commands = _commands("review", request_id, back=True)
    if chair_note is not None:  # Back keeps an answer typed to the chair, too
        commands[0] = _submit("Back", form_data("review", request_id, command="back"))
    return card(body, [submit, *commands])


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


HELP_ID = "form_help"


def _help_text(help_text: str) -> Element:
    """The step's help, hidden until **Help** is pressed: shown on the card itself, so nothing typed is
    lost and no message is added to the chat."""
    return {**text(help_text), "id": HELP_ID, "isVisible": False, "separator": True}


def _commands(section: str, request_id: int | None, *, back: bool) -> list[Element]:
    actions = [_submit("Back", form_data(section, request_id, command="back"), quiet=True)] if back else []
    actions.append({"type": "Action.ToggleVisibility", "title": "Help", "targetElements": [HELP_ID]})
    cancel = "Cancel (keep the draft)" if request_id else "Cancel"
    actions.append(_submit(cancel, form_data(section, request_id, command="cancel"), quiet=True))
    return actions


def _chair_asked(note: str | None) -> list[Element]:
    """The chair's note on a request returned for information, where the school edits it."""
    if note is None:
        return []
    return [
        {
            "type": "Container",
            "style": "warning",
            "items": [
                {**text("The chair returned this request for more information"), "weight": "Bolder"},
                text(note),
            ],
        }
    ]


def _attention(message: str) -> Element:
    return {**text(message), "color": "Attention", "weight": "Bolder"}


def _warning(message: str) -> Element:
    return {**text(message), "color": "Warning", "weight": "Bolder"}
