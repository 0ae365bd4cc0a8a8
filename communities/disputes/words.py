"""What the dispute route says to people: our proposed wording, all in one place to change."""

from __future__ import annotations

from datetime import date

from communities.disputes.tables import Finding, Stage
from communities.outcomes.decisions import OutcomeDecision


def day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


NO_SUCH_DISPUTE = "That dispute does not exist (the card may be from somewhere else)."
NO_SUCH_OUTCOME = "That outcome does not exist (the card may be from somewhere else)."
NOT_CONFIRMED = "That outcome is not confirmed yet, so there is nothing to dispute."
CHOOSE_GROUNDS = (
    "Choose what you dispute: the outcome itself, the fairness of the allocation, the process, or "
    "someone's conduct."
)
GIVE_REASONS = "Give your reasons: the person who looks at the dispute reads them first."
GIVE_DECISION_REASONS = "Give the reasons for the decision: the school reads them."
CHOOSE_FINDING = "Choose the decision: upheld, varied or not upheld."
STALE = (
    "This card is out of date: the dispute has moved on since it was sent. Open the latest card "
    "(write `disputes`, or use the newest message about it)."
)


def may_not_raise(school: str) -> str:
    return (
        f"Only a school leader at {school} can dispute the outcome of its request. Ask one of them "
        "to raise it."
    )


def already_disputed(ref: str) -> str:
    return (
        f"The outcome of {ref} is already disputed: there is one dispute per outcome, in up to three stages."
    )


def too_late_to_raise(ref: str, last_day: date) -> str:
    return (
        f"The outcome of {ref} can no longer be disputed: the last day to raise a dispute was "
        f"{day(last_day)}. A council officer can advise on what else can be done."
    )


def may_not_handle(stage: Stage, handlers: str) -> str:
    return f"Only {handlers} can deal with a dispute at {stage.label.lower()}."


def handlers_in_words(stage: Stage, community_code: str) -> str:
    return {
        Stage.CHAIR: f"the chair or vice chair of {community_code} (without a conflict of interest)",
        Stage.OFFICERS: "a council officer",
        Stage.AREA_BOARD: f"a member of the Area Board for {community_code}'s area",
    }[stage]


def not_waiting_to_acknowledge(stage: Stage) -> str:
    return f"This dispute is not waiting to be acknowledged at {stage.label.lower()}."


def not_waiting_for_decision(stage: Stage) -> str:
    return f"This dispute is not waiting for a decision at {stage.label.lower()}: acknowledge it first."


def may_not_escalate(school: str) -> str:
    return f"Only a school leader at {school} can escalate its dispute."


def cannot_escalate_now() -> str:
    return "This dispute cannot be escalated now: it is not decided at this stage, or it is closed."


def last_stage() -> str:
    return "The Area Board's decision is the last stage of the dispute route: it cannot be escalated."


def too_late_to_escalate(last_day: date) -> str:
    return (
        f"The last day to escalate this dispute was {day(last_day)}; it is closed. A council officer "
        "can advise on what else can be done."
    )


def funding_needed(finding: Finding) -> str:
    return (
        f"A dispute {finding.label.lower()} changes the outcome: give the funding now agreed (£0 for "
        "none) and the rationale."
    )


def overspend_needs_officer() -> str:
    return "Only a council officer can approve an overspend, with the reasons given."


# ---- what people are told ---------------------------------------------------------------------


def raised_text(ref: str, school: str, stage: Stage, acknowledge_by: date) -> str:
    return (
        f"{school} disputes the outcome of {ref}. It is with you at {stage.label.lower()}: please "
        f"acknowledge it by {day(acknowledge_by)}. Open the card to read the grounds and reasons."
    )


def acknowledged_text(ref: str, stage: Stage, decide_by: date) -> str:
    return (
        f"Your dispute of the outcome of {ref} has been acknowledged at {stage.label.lower()}. A "
        f"decision is due by {day(decide_by)}."
    )


def decided_text(ref: str, stage: Stage, finding: Finding, escalate_by: date | None) -> str:
    after = (
        f"If you are not satisfied, you can escalate it to {stage.next.label.lower()} until "
        f"{day(escalate_by)}."
        if stage.next is not None and escalate_by is not None
        else "This was the last stage: the dispute is closed."
    )
    return (
        f"Your dispute of the outcome of {ref} has been decided at {stage.label.lower()}: "
        f"{finding.label.lower()}. {after}"
    )


def reminder_text(ref: str, stage: Stage, what: str, by: date) -> str:
    return (
        f"Reminder: the dispute of the outcome of {ref} ({stage.label.lower()}) must be {what} by {day(by)}."
    )


def missed_text(ref: str, stage: Stage, what: str, by: date) -> str:
    return (
        f"The dispute of the outcome of {ref} ({stage.label.lower()}) was not {what} by {day(by)}. "
        "Write `disputes` to see every open dispute."
    )


def closed_text(ref: str) -> str:
    return f"The dispute of the outcome of {ref} is closed: the time to escalate it has passed."


FUNDING_NEEDS_A_FUNDING_DECISION = (
    f"Funding goes with the decisions '{OutcomeDecision.FUNDING_AGREED.label}' or "
    f"'{OutcomeDecision.PARTIALLY_AGREED.label}': choose one of them as the decision, or give £0. "
    "Nothing has been changed."
)
REVIEW_DATE_NEEDED = (
    "The request was closed, and support is now agreed: give the date its support will be reviewed "
    "(after today). Nothing has been changed."
)
