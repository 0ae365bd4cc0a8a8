"""Typed text that no route answers: say what was not understood, and offer the likely next steps.

Text that looks like it identifies a pupil (a date of birth, a UPN) gets a privacy warning instead
of being quoted back. Nothing of the text is kept: not in the bot's state, not in the logs.
"""

from __future__ import annotations

import re

from botbuilder.core import TurnContext

from cards.menu import suggestions_card
from communities.identifying_text import DATE_OF_BIRTH, UPN, find_identifying_text
from communities.identifying_text.findings import DESCRIPTION
from communities.permissions import (
    AGENDA,
    BROADCAST_DATES,
    CHANNEL_STATUS,
    CONTINUE_DRAFT,
    DECLARATIONS_COMPLIANCE,
    DECLARE_INTEREST,
    FIND_COMMUNITY,
    LINK_HELP,
    MEETINGS,
    MY_REQUESTS,
    RAISE_REQUEST,
    REQUESTS_QUEUE,
    Capability,
)
from communities.roster.directory import PersonProfile
from communities.roster.roles import Role
from dialogs.menu import menu_capabilities
from dialogs.replies import send_card
from dialogs.services import ChatServices

#: How many actions are offered.
MOST = 3
#: Text longer than this is not quoted back.
QUOTED = 60

#: Whole words that point to an action, whatever the person's role (the role decides if it is offered).
_HINTS: tuple[tuple[tuple[str, ...], Capability], ...] = (
    (("draft", "continue", "finish"), CONTINUE_DRAFT),
    (("raise", "refer", "referral", "new request", "support for", "help for", "apply"), RAISE_REQUEST),
    (("queue", "review", "triage", "accept", "waiting"), REQUESTS_QUEUE),
    (("my request", "my requests", "status", "submitted", "withdraw", "returned"), MY_REQUESTS),
    (("agenda", "publish", "aob", "any other business"), AGENDA),
    (("broadcast",), BROADCAST_DATES),
    (("meeting", "meetings", "date", "dates", "when", "rsvp", "attend", "attending"), MEETINGS),
    (("compliance", "who has confirmed"), DECLARATIONS_COMPLIANCE),
    (("declare", "declaration", "declarations", "interest", "interests", "conflict"), DECLARE_INTEREST),
    (("channels",), CHANNEL_STATUS),
    (("link", "channel"), LINK_HELP),
    (("community", "communities", "chair", "who"), FIND_COMMUNITY),
)

#: What each role most often comes for, most likely first.
_USUAL: tuple[tuple[frozenset[Role], tuple[Capability, ...]], ...] = (
    (frozenset({Role.OFFICER}), (REQUESTS_QUEUE, BROADCAST_DATES, MEETINGS)),
    (frozenset({Role.CHAIR, Role.VICE_CHAIR}), (REQUESTS_QUEUE, AGENDA, MEETINGS)),
    (frozenset({Role.SCHOOL_LEADER, Role.SENCO}), (CONTINUE_DRAFT, RAISE_REQUEST, MY_REQUESTS, MEETINGS)),
)
_ANYONE = (MEETINGS, DECLARE_INTEREST, FIND_COMMUNITY)


def pupil_detail(chat: ChatServices, text: str) -> tuple[list[str], bool]:
    """The kinds of pupil detail in ``text`` (a date of birth, a UPN), and whether anything at all
    (a name too) looks identifying, so that the text must not be quoted back."""
    findings = find_identifying_text(text, today=chat.clock.now().date())
    return [f.kind for f in findings if f.kind in (DATE_OF_BIRTH, UPN)], bool(findings)


def channel_privacy_warning(kinds: list[str]) -> str:
    what = " and ".join(DESCRIPTION[kind][0] for kind in dict.fromkeys(kinds))
    return (
        f"Please don't write a pupil's details in a channel: that message has {what}, and everyone in the "
        "channel can read it. Delete it if you can. Pupils are known only by the school's own reference, "
        "in a request raised in a personal chat with me."
    )


async def answer_not_understood(
    chat: ChatServices, ctx: TurnContext, profile: PersonProfile, text: str
) -> None:
    pupil, identifying = pupil_detail(chat, text)
    if pupil:
        said = privacy_warning(pupil)
    elif not identifying and len(text) <= QUOTED:
        said = f"Sorry, I didn't understand “{text}”."
    else:
        said = "Sorry, I didn't understand that."
    offered = await menu_capabilities(chat.database, profile)
    await send_card(ctx, suggestions_card(said, likely_actions(profile, offered, text)))


def privacy_warning(kinds: list[str]) -> str:
    what = " and ".join(DESCRIPTION[kind][0] for kind in dict.fromkeys(kinds))
    return (
        f"Please don't write a pupil's details in this chat: your message has {what}. I have not kept it. "
        "Pupils are known to the bot only by your school's own pupil reference: to ask your community for "
        "support for a pupil, raise a request."
    )


def likely_actions(profile: PersonProfile, offered: list[Capability], text: str) -> list[Capability]:
    """The few actions ``profile`` most likely wants: those the words point to, then the role's usual."""
    words = text.lower()
    hinted = [
        capability
        for hints, capability in _HINTS
        if any(re.search(rf"\b{re.escape(hint)}\b", words) for hint in hints)  # "who", not "whole"
    ]
    usual = [c for roles, capabilities in _USUAL if roles & profile.role_set for c in capabilities]
    allowed = {c.key for c in offered}
    ranked = [c for c in dict.fromkeys([*hinted, *usual, *_ANYONE]) if c.key in allowed]
    return ranked[:MOST]
