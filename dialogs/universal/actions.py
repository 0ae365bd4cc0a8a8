"""Answers to ``adaptiveCard/action`` invokes: the card that the person who acted should now see.

Teams sends one when someone presses an ``Action.Execute`` button on a channel card, and when it
refreshes a card for one of the users its ``refresh.userIds`` lists. The verbs:

- ``rsvp.view`` / ``agenda.view`` (``meeting_id``): the person's own view of the meeting-reminder
  card or of the agenda's first card: their answer, and the chair's extras for the chair;
- ``rsvp`` (``meeting_id``, ``answer``, optional ``card: "agenda"``): record the answer as the
  ``Action.Submit`` route does (in-place updates of the shared reminder posts are queued in the
  same transaction), then show the person's view;
- ``rsvp.nudge`` (``meeting_id``): the chair reminds those who have not answered.

Everything is checked against the roster and the stored meeting, never the card's word: a forged
or stale button, an unknown verb or a refused answer gets a card that says why (status 200, never
an error), and changes nothing. No card here carries pupil data.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from cards.elements import Card
from cards.meetings.rsvp import (
    AGENDA_CARD,
    AGENDA_VIEW,
    RSVP,
    RSVP_NUDGE,
    RSVP_VIEW,
    agenda_personal_card,
    day_label,
    nudge_message,
    nudged_text,
    personal_reminder_card,
)
from cards.universal import card_response, note_card
from communities.db import in_transaction
from communities.meetings import rsvp, rsvp_views
from communities.meetings.rsvp import RsvpAnswer, RsvpRefused
from communities.roster.directory import PersonProfile
from dialogs.meetings.rsvp_buttons import UNREADABLE, read_button, record_answer
from dialogs.services import ChatServices

#: The verbs answered here: every Action.Execute the channel cards carry.
VERBS = frozenset({RSVP, RSVP_VIEW, RSVP_NUDGE, AGENDA_VIEW})
UNKNOWN_VERB = "Sorry: I do not know that button. The card may be out of date."
NO_AGENDA = "The agenda for this meeting is not in the channel any more."


async def answer(chat: ChatServices, value: Any, profile: PersonProfile | None) -> dict[str, Any]:
    """The invoke response body for ``value`` (the invoke's ``value``) from ``profile``'s user."""
    verb, data = _action_of(value)
    meeting_id, choice = read_button(data)
    if verb not in VERBS:
        return card_response(note_card(UNKNOWN_VERB))
    if meeting_id is None:
        return card_response(note_card(UNREADABLE))
    on_agenda = verb == AGENDA_VIEW or (verb == RSVP and data.get("card") == AGENDA_CARD)
    note: str | None = None
    if verb == RSVP:
        note = await _record(chat, meeting_id, choice, profile)
    elif verb == RSVP_NUDGE:
        note = await _nudge(chat, meeting_id, profile)
    return card_response(await _view(chat, meeting_id, profile, note, agenda=on_agenda))


def _action_of(value: Any) -> tuple[str, dict[str, Any]]:
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict):
        return "", {}
    data = action.get("data")
    return str(action.get("verb") or ""), data if isinstance(data, dict) else {}


async def _record(
    chat: ChatServices, meeting_id: int, choice: RsvpAnswer | None, profile: PersonProfile | None
) -> str | None:
    """Record the answer; the refusal's words when it is refused (nothing changed)."""
    if choice is None:
        return UNREADABLE
    if profile is None:
        return rsvp.NOT_A_MEMBER
    return await record_answer(chat, meeting_id, profile, choice)


async def _nudge(chat: ChatServices, meeting_id: int, profile: PersonProfile | None) -> str:
    if profile is None:
        return rsvp_views.NOT_CHAIR
    clock, outbox = chat.clock, chat.outbox

    async def work(session: AsyncSession) -> rsvp_views.Nudged:
        facts = await rsvp.reminder_facts(session, meeting_id)
        if facts is None:
            raise RsvpRefused(rsvp.NO_SUCH_MEETING)
        return await rsvp_views.nudge(session, clock, outbox, profile, meeting_id, nudge_message(facts))

    try:
        nudged = await in_transaction(chat.database, work)
    except RsvpRefused as refused:
        return str(refused)
    outbox.wake()
    return nudged_text(nudged.told, nudged.unreachable)


async def _view(
    chat: ChatServices, meeting_id: int, profile: PersonProfile | None, note: str | None, *, agenda: bool
) -> Card:
    async with chat.database.session() as session:
        facts = await rsvp.reminder_facts(session, meeting_id)
        if facts is None:
            return note_card(rsvp.NO_SUCH_MEETING)
        view = await rsvp_views.personal_view(session, chat.clock, meeting_id, profile)
        if agenda:
            posted = await rsvp_views.agenda_as_posted(session, meeting_id)
            if posted is None:
                return note_card(NO_AGENDA)
            return agenda_personal_card(posted, meeting_id, view, facts.member_user_ids, facts.members, note)
        tally = await rsvp.tally(session, meeting_id, chat.quorum_rule)
    label = day_label(facts.starts_at, chat.clock.now())
    return personal_reminder_card(facts, tally, label, view, note)
