"""Cards for declarations of interest, the compliance view and the Code of Conduct. Plain dicts, no I/O.

Every declarations button carries ``form: "declarations"`` and a ``command``; Update and End
carry the interest's id, which the server re-checks against the person's own register.
The compliance summary's buttons ask for the compliance action with a community's code, which
the server re-checks against who may see that community.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from cards.elements import (
    COMMUNITY_FIELD,
    Card,
    Element,
    card,
    facts,
    heading,
    school_picker,
    subheading,
    submit,
    text,
)
from cards.words import short_forms
from communities.academic_year import LONDON
from communities.declarations.code_of_conduct import (
    CODE_OF_CONDUCT_INTRO,
    CODE_OF_CONDUCT_NOTICE,
    CODE_OF_CONDUCT_POINTS,
    CODE_OF_CONDUCT_TITLE,
    CODE_OF_CONDUCT_VERSION,
)
from communities.declarations.conflict_rules import InterestKind
from communities.declarations.tables import Answer, InterestDeclaration
from communities.declarations.views import CommunityCompliance, ComplianceSummary, MemberStatus
from communities.declarations.year_register import YearRegister
from communities.permissions import DECLARATIONS_COMPLIANCE

FORM = "declarations"
ACCEPT_CODE = "accept_code_of_conduct"
#: The compliance summary's buttons: the compliance action, and the code of the community to open.
COMPLIANCE_ACTION = DECLARATIONS_COMPLIANCE.key

KIND_TITLES: dict[str, str] = {
    InterestKind.EMPLOYMENT_OR_ROLE.value: "Employment or a role at another school or trust",
    InterestKind.GOVERNANCE.value: "A governance role",
    InterestKind.RELATIONSHIP.value: "A relationship with staff at a community school",
    InterestKind.BUSINESS_OR_FINANCIAL.value: "A business or financial interest in a provider",
    InterestKind.OTHER.value: "Other",
}
ANSWER_TITLES = {
    Answer.INTERESTS: "Interests as registered",
    Answer.NOTHING_TO_DECLARE: "Nothing to declare",
}
FIELDS = ("kind", "school_urn", "trust", "provider", "pecuniary", "description")


def day(instant: datetime, zone: tzinfo = LONDON) -> str:
    local = instant.astimezone(zone)
    return f"{local.day} {local:%B %Y}"


def data(command: str, **extra: Any) -> dict[str, Any]:
    return {"form": FORM, "command": command, **extra}


def interest_summary(interest: InterestDeclaration) -> str:
    named = [
        f"school {interest.school_urn}" if interest.school_urn else "",
        interest.trust or "",
        interest.provider or "",
    ]
    where = "; ".join(n for n in named if n)
    money = "money changes hands (pecuniary)" if interest.pecuniary else "no money changes hands"
    kind = KIND_TITLES.get(str(interest.kind), str(interest.kind))
    return f"**{kind}**" + (f" ({where})" if where else "") + f", {money}: {interest.description}"


def register_card(register: YearRegister, zone: tzinfo = LONDON) -> Card:
    """This academic year's register: interests in force with Update/End, and the year's answer."""
    body: list[Element] = [heading(f"Your declarations of interest, {register.label}")]
    if register.answer is not None:
        answer = ANSWER_TITLES.get(Answer(register.answer.answer), str(register.answer.answer))
        body.append(
            text(
                f"Confirmed for {register.label}: **{answer}**, on {day(register.answer.confirmed_at, zone)}."
            )
        )
    else:
        body.append(
            text(
                f"Not yet confirmed for {register.label}. Declare your interests, confirm the ones "
                "below are still current, or answer “Nothing to declare”.",
            )
        )
    current = register.current
    if current:
        body.append(subheading("Interests in force"))
        for interest in current:
            body.append(text(interest_summary(interest)))
            body.append(
                text(f"Declared on {day(interest.declared_at, zone)}.", subtle=True),
            )
            body.append(
                {
                    "type": "ActionSet",
                    "actions": [
                        _submit("Update", data("edit", interest_id=interest.id)),
                        _submit("End", data("end", interest_id=interest.id)),
                    ],
                }
            )
    else:
        body.append(text("You have no interests in force on your register."))
    ended = register.ended
    if ended:
        body.append(subheading("Ended this year"))
        for interest in ended:
            when = day(interest.ended_at, zone) if interest.ended_at else ""
            body.append(text(f"{interest_summary(interest)} (ended {when})", subtle=True))
    actions = [_submit("Add an interest", data("add"))]
    if current:
        actions.append(_submit("My interests are still current", data("confirm")))
    else:
        actions.append(_submit("Nothing to declare", data("nothing")))
    actions.append(_submit("Done", data("done")))
    return card(body, actions)


def interest_form_card(
    values: Mapping[str, Any],
    *,
    interest_id: int | None = None,
    problem: str | None = None,
    school: tuple[str, str] | None = None,
) -> Card:
    """The form for a new interest, or a new version of one (``interest_id``); ``school`` is the related
    school already chosen, as (URN, name)."""
    title = "Update an interest" if interest_id else "Declare an interest"
    body: list[Element] = [heading(title)]
    if problem:
        body.append({**text(problem), "color": "Attention", "weight": "Bolder"})
    body += [
        _choice("kind", "What kind of interest?", KIND_TITLES, values.get("kind")),
        school_picker("school_urn", "The related school, if any", school),
        _input("trust", "The related trust, if any", values, max_length=200),
        _input("provider", "The provider (business or organisation), if any", values, max_length=200),
        _choice(
            "pecuniary",
            "Is it pecuniary: does money change hands?",
            {"no": "No", "yes": "Yes"},
            _yes_no(values.get("pecuniary")),
        ),
        _input("description", "Describe the interest", values, multiline=True, max_length=1000),
    ]
    extra = {"interest_id": interest_id} if interest_id else {}
    return card(
        body,
        [
            _submit("Save", data("save", **extra)),
            {**_submit("Cancel", data("register")), "associatedInputs": "none"},
        ],
    )


def end_confirm_card(interest: InterestDeclaration) -> Card:
    return card(
        [
            heading("End this interest?"),
            text(interest_summary(interest)),
            text("It stays in your register as ended; it is never deleted.", subtle=True),
        ],
        [
            _submit("Yes, end it", data("end_confirmed", interest_id=interest.id)),
            _submit("Keep it", data("register")),
        ],
    )


def compliance_card(view: CommunityCompliance, zone: tzinfo = LONDON) -> Card:
    """Who in one community has confirmed their declarations this academic year, and who has not."""
    body: list[Element] = [
        heading(f"Declarations of interest: {view.name} ({view.code})"),
        text(
            f"Academic year {view.label}: {len(view.confirmed)} of {len(view.members)} members confirmed.",
        ),
    ]
    key = short_forms(role for member in view.members for role in member.roles)
    body += [key] if key else []
    body.append(subheading(f"Confirmed ({len(view.confirmed)})"))
    if view.confirmed:
        body.append(facts([(m.name, _confirmed_line(m, zone)) for m in view.confirmed]))
    else:
        body.append(text("No one yet.", subtle=True))
    body.append(subheading(f"Not yet confirmed ({len(view.not_confirmed)})"))
    if view.not_confirmed:
        body.append(facts([(m.name, "; ".join(m.roles)) for m in view.not_confirmed]))
    else:
        body.append(text("Everyone has confirmed.", subtle=True))
    return card(body)


def compliance_summary_card(summary: ComplianceSummary) -> Card:
    """One card for every community the person may see: its counts, and a button to open it."""
    count = len(summary.communities)
    body: list[Element] = [
        heading(f"Declarations of interest by community, {summary.label}"),
        text(
            f"{summary.confirmed} of {summary.members} members confirmed, in {count} "
            f"{'community' if count == 1 else 'communities'}. Open a community to see who has not.",
        ),
    ]
    for line in summary.communities:
        body.append(
            {
                **text(
                    f"**{line.name} ({line.code})**: {line.confirmed} of {line.members} confirmed, "
                    f"{line.not_confirmed} not confirmed"
                ),
                "spacing": "Medium",
            }
        )
        body.append(
            {
                "type": "ActionSet",
                "actions": [submit(f"Open {line.code}", COMPLIANCE_ACTION, **{COMMUNITY_FIELD: line.code})],
            }
        )
    return card(body)


def _confirmed_line(member: MemberStatus, zone: tzinfo) -> str:
    answer = ANSWER_TITLES.get(member.answer, "") if member.answer else ""
    if member.answer is Answer.INTERESTS:
        answer += f" ({member.active_interests} in force)"
    when = f", {day(member.confirmed_at, zone)}" if member.confirmed_at else ""
    return f"{'; '.join(member.roles)}. {answer}{when}"


def code_of_conduct_card(then: str = "") -> Card:
    """The summary to accept, and what waits for it. ``then`` is the action to carry on with."""
    body: list[Element] = [
        heading(CODE_OF_CONDUCT_TITLE),
        text(f"Version {CODE_OF_CONDUCT_VERSION}. {CODE_OF_CONDUCT_INTRO}"),
        *(text(f"- {point}") for point in CODE_OF_CONDUCT_POINTS),
        text(CODE_OF_CONDUCT_NOTICE, subtle=True),
        text(
            "Declarations of interest wait until you accept. Everything else on the menu "
            "(finding a community, requests, help) works as before.",
            subtle=True,
        ),
    ]
    extra = {"then": then} if then else {}
    return card(
        body, [_submit("I accept", {"action": ACCEPT_CODE, "version": CODE_OF_CONDUCT_VERSION, **extra})]
    )


# ---- elements ---------------------------------------------------------------------------------


def _submit(title: str, payload: Mapping[str, Any]) -> Element:
    return {"type": "Action.Submit", "title": title, "data": dict(payload)}


def _input(
    input_id: str, label: str, values: Mapping[str, Any], *, multiline: bool = False, max_length: int
) -> Element:
    value = values.get(input_id)
    return {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "isMultiline": multiline,
        "maxLength": max_length,
        "value": "" if value is None else str(value),
    }


def _choice(input_id: str, label: str, choices: Mapping[str, str], current: Any) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "compact",
        "choices": [{"title": title, "value": value} for value, title in choices.items()],
    }
    if current is not None and str(current) in choices:
        element["value"] = str(current)
    else:
        element["placeholder"] = "Choose"
    return element


def _yes_no(value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in ("yes", "no"):
        return str(value)
    return None
