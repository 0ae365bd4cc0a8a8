"""A dispute's cards: the form the school raises it with, the handler's card (Acknowledge, then
Decide: upheld, varied or not upheld, with reasons and, when it changes the outcome, the funding
now agreed and the rationale), and the school's card (Escalate, while it may)."""

from __future__ import annotations

from cards.elements import Card, Element, card, facts, heading, subheading, submit, text
from communities.disputes.tables import DisputeStatus, Finding, Grounds
from communities.disputes.views import DisputeView
from communities.disputes.words import day
from communities.outcomes.decisions import OutcomeDecision

#: Button actions.
DISPUTE_START = "dispute_start"
DISPUTE_RAISE = "dispute_raise"
DISPUTE_ACKNOWLEDGE = "dispute_acknowledge"
DISPUTE_DECIDE = "dispute_decide"
DISPUTE_ESCALATE = "dispute_escalate"
DISPUTE_OPEN = "dispute_open"
#: Card fields.
REF_FIELD = "ref"
DISPUTE_FIELD = "dispute_id"
VERSION_FIELD = "version"
GROUNDS_FIELD = "dispute_grounds"
REASONS_FIELD = "dispute_reasons"
FINDING_FIELD = "dispute_finding"
FUNDING_FIELD = "dispute_funding"
DECISION_FIELD = "dispute_decision"
RATIONALE_FIELD = "dispute_rationale"
OVERSPEND_FIELD = "dispute_overspend"
REVIEW_FIELD = "dispute_review_date"
NOT_ABOUT_A_PUPIL = "not_about_a_pupil"


def _reasons_input(label: str, value: str = "") -> Element:
    return {
        "type": "Input.Text",
        "id": REASONS_FIELD,
        "label": label,
        "isMultiline": True,
        "isRequired": True,
        "errorMessage": "Give the reasons.",
        "maxLength": 4000,
        "value": value,
    }


def _warning(warning: str) -> list[Element]:
    if not warning:
        return []
    return [
        text(warning),
        {
            "type": "Input.Toggle",
            "id": NOT_ABOUT_A_PUPIL,
            "title": "This does not identify a child",
            "valueOn": "true",
            "valueOff": "false",
        },
    ]


def raise_form_card(
    ref: str, last_day: str, *, grounds: str = "", reasons: str = "", warning: str = "", note: str = ""
) -> Card:
    """The school's form: what it disputes, and why."""
    body: list[Element] = [
        heading(f"Dispute the outcome of {ref}"),
        text(
            f"You can dispute this outcome until {last_day}. The community's chair looks at it first "
            "(informal resolution); if you are not satisfied you can take it to the council's locality "
            "team, and then to the Area Board."
        ),
        {
            "type": "Input.ChoiceSet",
            "id": GROUNDS_FIELD,
            "label": "What do you dispute?",
            "style": "expanded",
            "isRequired": True,
            "errorMessage": "Choose what you dispute.",
            "value": grounds,
            "choices": [{"title": g.label, "value": g.value} for g in Grounds],
        },
        _reasons_input("Your reasons. Never a pupil's name or date of birth.", reasons),
        *_warning(warning),
    ]
    if note:
        body.append(text(note))
    return card(body, [submit("Send the dispute", DISPUTE_RAISE, **{REF_FIELD: ref})])


def _summary(view: DisputeView) -> list[Element]:
    rows = [
        ("Request", view.ref),
        ("School", view.school),
        ("Community", view.community_code),
        ("Stage", view.stage.label),
        ("Status", view.status.label),
        ("Grounds", view.grounds.label),
        ("Raised", f"{day(view.raised_on)} ({view.age_days} school days ago)"),
        ("Outcome now", f"{view.decision}; funding {view.funding}"),
    ]
    deadline = view.next_deadline
    if deadline is not None:
        rows.append((deadline[0], day(deadline[1])))
    if view.finding is not None:
        rows.append(("Decision at this stage", view.finding.label))
    return [facts(rows), subheading("The school's reasons"), text(view.reasons)]


def _history(view: DisputeView) -> list[Element]:
    elements: list[Element] = []
    if view.events:
        lines = []
        for event in view.events:
            what = event.kind.value.capitalize() + (
                f": {event.finding.label.lower()}" if event.finding else ""
            )
            lines.append(f"- {day(event.on)}, stage {int(event.stage)}: {what} ({event.by})")
            if event.reasons and event.kind.value == "decided":
                lines.append(f"  “{event.reasons}”")
        elements += [subheading("History"), text("\n".join(lines))]
    if view.history:
        elements += [
            subheading("Earlier versions of the outcome"),
            text(
                "\n".join(
                    f"- Version {v.version}: {v.decision}; funding {v.funding} "
                    f"(replaced {day(v.on)}: {v.because})"
                    for v in view.history
                )
            ),
        ]
    return elements


def _ids(view: DisputeView) -> dict[str, int]:
    return {DISPUTE_FIELD: view.dispute_id, VERSION_FIELD: view.version}


def handler_card(view: DisputeView, *, warning: str = "", note: str = "", read_only: bool = False) -> Card:
    """For the person dealing with the current stage: Acknowledge, then the decision form
    (``read_only``: the same without them, for an officer who is not dealing with it)."""
    body: list[Element] = [heading(f"Dispute of {view.ref}"), *_summary(view), *_history(view)]
    actions: list[Element] = []
    if read_only:
        pass
    elif view.status is DisputeStatus.AWAITING_ACKNOWLEDGEMENT:
        actions.append(submit("Acknowledge", DISPUTE_ACKNOWLEDGE, **_ids(view)))
    elif view.status is DisputeStatus.ACKNOWLEDGED:
        body += [
            subheading("Your decision"),
            {
                "type": "Input.ChoiceSet",
                "id": FINDING_FIELD,
                "label": "The dispute is",
                "style": "expanded",
                "isRequired": True,
                "errorMessage": "Choose the decision.",
                "choices": [{"title": f.label, "value": f.value} for f in Finding],
            },
            _reasons_input("Reasons for the decision (the school reads them)"),
            text(
                "If upheld or varied, the outcome becomes (EHC: education, health and care):",
                subtle=True,
            ),
            {
                "type": "Input.ChoiceSet",
                "id": DECISION_FIELD,
                "label": "Decision",
                "value": "",
                "choices": [{"title": "Keep the decision", "value": ""}]
                + [{"title": d.label, "value": d.value} for d in OutcomeDecision],
            },
            {
                "type": "Input.Text",
                "id": FUNDING_FIELD,
                "label": "Funding now agreed (£; 0 for none; leave empty to keep it as it is)",
            },
            {
                "type": "Input.Date",
                "id": REVIEW_FIELD,
                "label": "Review date (needed when a closed request now has support agreed)",
            },
            {
                "type": "Input.Text",
                "id": RATIONALE_FIELD,
                "label": "Rationale",
                "isMultiline": True,
                "maxLength": 2000,
            },
            {
                "type": "Input.Toggle",
                "id": OVERSPEND_FIELD,
                "title": "Approve an overspend (council officers only)",
                "valueOn": "true",
                "valueOff": "false",
            },
            *_warning(warning),
        ]
        actions.append(submit("Record the decision", DISPUTE_DECIDE, **_ids(view)))
    if note:
        body.append(text(note))
    return card(body, actions)


def school_card(view: DisputeView, *, note: str = "") -> Card:
    """For the school: where its dispute is, the decision and its reasons, and Escalate while it may."""
    body: list[Element] = [heading(f"Your dispute of {view.ref}"), *_summary(view), *_history(view)]
    actions: list[Element] = []
    if view.may_escalate and view.stage.next is not None and view.escalate_by is not None:
        body.append(
            text(
                f"Not satisfied? You can escalate it to {view.stage.next.label.lower()} until "
                f"{day(view.escalate_by)}.",
                subtle=True,
            )
        )
        actions.append(submit(f"Escalate to stage {int(view.stage.next)}", DISPUTE_ESCALATE, **_ids(view)))
    if note:
        body.append(text(note))
    return card(body, actions)
