"""What the subject access export and the audit trail say, in one place (our proposal, not Kent's text)."""

from __future__ import annotations

from collections.abc import Mapping

#: A table whose rows name the person -> the kind (and JSON file) the export files them under.
KIND_NAMES: Mapping[str, str] = {
    "membership": "memberships",
    "interest_declaration": "declarations",
    "declaration_confirmation": "declaration_confirmations",
    "code_of_conduct_acceptance": "code_of_conduct_acceptances",
    "request": "requests_raised",
    "rsvp": "rsvps",
    "dispute": "disputes_raised",
    "dispute_event": "dispute_steps_taken",
    "team_member": "reach_team_memberships",
    "reach_problem": "reach_problems",
    "personal_chat": "personal_chats",
    "meeting": "meetings_chaired",
    "meeting_attendance": "meeting_attendance",
    "outcome_action": "actions_owned",
}

#: Kinds gathered on their own terms -> the table their rows come from.
_OWN_KINDS: Mapping[str, str] = {
    "person": "person",
    "requests_triaged": "request",
    "disputes_handled": "dispute",
    "audit_events": "audit_event",
    "messages_sent_to_them": "outbox_message",
}


def table_of(kind: str) -> str:
    """The table a kind's rows come from (for which of their columns are pupil-level)."""
    by_kind = {kind: table for table, kind in KIND_NAMES.items()}
    return _OWN_KINDS.get(kind) or by_kind.get(kind) or kind


#: What each kind holds, for the readable summary.
DESCRIPTIONS: Mapping[str, str] = {
    "person": "Your entry in the roster: name, email, Microsoft Entra ID, whether active.",
    "memberships": "Your roles in the roster: at which school or community, and since when.",
    "declarations": "Your declarations of interest, current and ended.",
    "declaration_confirmations": "Your yearly confirmations of your declarations.",
    "code_of_conduct_acceptances": "When you accepted the code of conduct, and which version.",
    "requests_raised": "The requests for support you raised for your school.",
    "requests_triaged": "The requests you accepted or returned for information (as chair, vice chair or "
    "officer).",
    "rsvps": "Your answers to meeting invitations.",
    "disputes_raised": "The disputes of an outcome you raised.",
    "disputes_handled": "The disputes in which you acknowledged, decided or escalated a stage.",
    "dispute_steps_taken": "Each step you took on a dispute.",
    "audit_events": "The audit log's entries of what you did, and of what was done about you.",
    "messages_sent_to_them": "The messages the bot sent to your personal chat.",
    "reach_team_memberships": "The Teams teams the bot saw you in (to reach you).",
    "reach_problems": "Why the bot could not reach you, if it could not.",
    "personal_chats": "The address of your personal chat with the bot.",
    "meetings_chaired": "The meetings you chair.",
    "meeting_attendance": "Your attendance at meetings, and attendance you recorded.",
    "actions_owned": "The actions from outcomes that you own.",
}

SUMMARY_TITLE = "Personal data held by the Communities of Schools bot"
PUPIL_DETAIL_INCLUDED = (
    "Pupil-level detail in these records is included, as the policy (SAR_INCLUDE_PUPIL_DETAIL) says."
)
PUPIL_DETAIL_LEFT_OUT = (
    "Pupil-level detail (the answers about a child in a request, and other free text about a child) is "
    "not included: the child is a different data subject. Each place shows “{withheld}” instead, with the "
    "request's reference, so that the data protection officer can decide on it separately."
)
FILES_NOTE = (
    "Each kind is in its own JSON file in this archive (`<kind>.json`); manifest.json says how it was made."
)


def not_an_email(text: str) -> str:
    return f"“{text}” is not an email address: give the person's email as the roster has it"


def unknown_person(email: str) -> str:
    return (
        f"no one in the roster has the email {email}: check the spelling, or the roster's people.csv. "
        "Nothing was written"
    )


def unknown_reference(ref: str) -> str:
    return f"there is no request {ref} (references are like COS-CANT1-26-001)"


#: Who did it, when the audit row has no person: the command line or the bot's own steps.
NO_PERSON = "the system (command line or a scheduled step)"
