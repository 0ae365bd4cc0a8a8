"""Universal Actions on the channel cards: refresh and its userIds, the Refresh button, each
person's own view (member, chair, not a member), the Action.Submit fallbacks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from cards.elements import Card
from cards.meetings.rsvp import (
    AGENDA_CARD,
    AGENDA_VIEW,
    CHAIR_HEADING,
    NO_ANSWER_YET,
    NOT_FOR_YOU,
    NUDGE_TITLE,
    RSVP,
    RSVP_NUDGE,
    RSVP_VIEW,
    agenda_personal_card,
    agenda_rsvp_blocks,
    agenda_shared_refresh,
    meeting_reminder_card,
    nudge_message,
    personal_reminder_card,
)
from cards.universal import MAX_REFRESH_USERS, REFRESH_TITLE, card_response, execute, note_card, with_refresh
from communities.meetings.rsvp import RsvpAnswer
from communities.meetings.rsvp_views import ChairView, PersonalView
from communities.meetings.tables import MeetingStatus
from dialogs.universal.actions import VERBS
from tests.cards.meetings.test_rsvp import facts, tally

MEMBER = PersonalView(member=True, mine=RsvpAnswer.APOLOGIES, chair=None, open=True)
CHAIR = PersonalView(member=True, mine=None, chair=ChairView(("Grace Li", "Hannah Reid")), open=True)


def flat(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def ids(n: int) -> tuple[str, ...]:
    return tuple(f"29:user-{i}" for i in range(n))


def refresh_buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in card.get("actions", []) if a["title"] == REFRESH_TITLE]


def all_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(card.get("actions", []))
    found += [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    return found


def test_execute_carries_the_verb_and_a_submit_fallback_with_the_same_data() -> None:
    button = execute("Attending", RSVP, meeting_id=42, answer="attending")
    data = {"action": RSVP, "meeting_id": 42, "answer": "attending"}
    assert button == {
        "type": "Action.Execute",
        "title": "Attending",
        "verb": RSVP,
        "data": data,
        "fallback": {"type": "Action.Submit", "title": "Attending", "data": data},
    }
    assert "fallback" not in execute("Refresh", RSVP_VIEW, fallback=False, meeting_id=42)


def test_up_to_sixty_users_are_listed_for_the_automatic_refresh() -> None:
    card = meeting_reminder_card(facts(members=60, member_user_ids=ids(60)), tally(), "Tomorrow")
    assert card["refresh"] == {
        "action": {
            "type": "Action.Execute",
            "verb": RSVP_VIEW,
            "data": {"action": RSVP_VIEW, "meeting_id": 42},
        },
        "userIds": list(ids(60)),
    }
    assert not refresh_buttons(card)
    assert card["version"] == "1.5"  # Universal Actions need 1.4 or later


def test_a_community_of_more_than_sixty_gets_a_refresh_button_instead() -> None:
    card = meeting_reminder_card(facts(members=61, member_user_ids=ids(45)), tally(), "Tomorrow")
    assert "refresh" not in card
    [button] = refresh_buttons(card)
    assert button["type"] == "Action.Execute" and button["verb"] == RSVP_VIEW
    assert button["data"] == {"action": RSVP_VIEW, "meeting_id": 42}
    assert MAX_REFRESH_USERS == 60


def test_refreshing_again_replaces_the_refresh_and_the_button() -> None:
    big = with_refresh(meeting_reminder_card(facts(), tally(), "Today"), RSVP_VIEW, ids(3), 61, meeting_id=42)
    assert len(refresh_buttons(with_refresh(big, RSVP_VIEW, ids(3), 61, meeting_id=42))) == 1
    small = with_refresh(big, RSVP_VIEW, ids(3), 3, meeting_id=42)
    assert not refresh_buttons(small) and small["refresh"]["userIds"] == list(ids(3))
    unknown = with_refresh(small, AGENDA_VIEW, None, 0, meeting_id=42)
    assert "userIds" not in unknown["refresh"] and unknown["refresh"]["action"]["verb"] == AGENDA_VIEW


def test_a_member_sees_their_own_answer_and_no_chair_controls() -> None:
    card = personal_reminder_card(facts(member_user_ids=ids(2), members=2), tally(), "Tomorrow", MEMBER)
    body = flat(card["body"])
    assert "Your answer: Apologies. Press another button to change it." in body
    assert CHAIR_HEADING not in body and RSVP_NUDGE not in flat(card)
    assert card["refresh"]["userIds"] == list(ids(2))  # Teams keeps asking for their view
    # Their answer comes after the counts and the quorum.
    texts = [e.get("text") for e in card["body"]]
    assert texts.index("Quorum: not met yet: needs the chair or vice chair and 5 of 9 schools") < texts.index(
        "Your answer: Apologies. Press another button to change it."
    )


def test_the_chair_sees_who_has_not_answered_and_a_nudge_button() -> None:
    card = personal_reminder_card(facts(), tally(), "Tomorrow", CHAIR)
    body = flat(card["body"])
    assert NO_ANSWER_YET in body and CHAIR_HEADING in body and "Grace Li, Hannah Reid (2)" in body
    [nudge] = [a for a in all_actions(card) if a.get("verb") == RSVP_NUDGE]
    assert nudge["title"] == NUDGE_TITLE and nudge["data"] == {"action": RSVP_NUDGE, "meeting_id": 42}
    # No Nudge once the meeting is closed, nor when everyone has answered.
    closed = personal_reminder_card(facts(), tally(), "Today", PersonalView(True, None, CHAIR.chair, False))
    assert not [a for a in all_actions(closed) if a.get("verb") == RSVP_NUDGE]
    done = personal_reminder_card(facts(), tally(), "Today", PersonalView(True, None, ChairView(()), True))
    assert "Everyone has answered." in flat(done) and RSVP_NUDGE not in flat(done)


def test_someone_who_may_not_answer_sees_the_shared_view_and_why() -> None:
    card = personal_reminder_card(
        facts(), tally(), "Tomorrow", PersonalView(False, None, None, True), note="Sorry: no."
    )
    assert card["body"][0]["text"] == "Sorry: no." and NOT_FOR_YOU in flat(card)
    assert "Your answer" not in flat(card) and CHAIR_HEADING not in flat(card)


def test_a_cancelled_meeting_has_no_refresh_and_no_personal_view() -> None:
    cancelled = facts(status=MeetingStatus.CANCELLED, members=3, member_user_ids=ids(3))
    assert "refresh" not in meeting_reminder_card(cancelled, tally(), "Tomorrow")
    card = personal_reminder_card(cancelled, tally(), "Tomorrow", CHAIR)
    assert CHAIR_HEADING not in flat(card) and "Action.Execute" not in flat(card)


def test_the_invoke_response_carries_the_card() -> None:
    card = meeting_reminder_card(facts(), tally(), "Tomorrow")
    assert card_response(card) == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.card.adaptive",
        "value": card,
    }


def test_the_agenda_card_has_rsvp_buttons_and_a_personal_view() -> None:
    first = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Agenda"}]}
    first["body"] += agenda_rsvp_blocks(7)
    posted = agenda_shared_refresh(first, 7)
    assert posted["refresh"]["action"]["verb"] == AGENDA_VIEW and "userIds" not in posted["refresh"]
    buttons = [a for a in all_actions(posted) if a.get("verb") == RSVP]
    assert [b["data"]["card"] for b in buttons] == [AGENDA_CARD] * 3
    assert all(b["fallback"]["type"] == "Action.Submit" for b in buttons)

    mine = agenda_personal_card(posted, 7, CHAIR, ids(4), 4)
    texts = [e.get("text") for e in mine["body"]]
    assert texts[0] == "Agenda" and NO_ANSWER_YET in texts and CHAIR_HEADING in texts
    assert mine["refresh"]["userIds"] == list(ids(4))
    assert refresh_buttons(agenda_personal_card(posted, 7, MEMBER, ids(4), 75))


def test_the_nudge_names_the_meeting_and_nobody_else() -> None:
    message = nudge_message(facts())
    assert message.text is not None and "Canterbury City Community (CANT1)" in message.text
    assert "Tuesday 19 January 2027" in message.text and message.card is None


def universal_demo_cards() -> dict[str, list[Card]]:
    """This module's card builders with data that shows all of their buttons (for the routing tests)."""
    reminder = meeting_reminder_card(facts(), tally(), "Tomorrow")
    first = {"type": "AdaptiveCard", "version": "1.5", "body": agenda_rsvp_blocks(7)}
    return {
        "meetings.rsvp.personal_reminder_card": [
            personal_reminder_card(facts(), tally(), "Tomorrow", CHAIR, note="Nudge sent: 1 reminded."),
            personal_reminder_card(facts(), tally(), "Tomorrow", MEMBER),
        ],
        "meetings.rsvp.agenda_shared_refresh": [agenda_shared_refresh(first, 7)],
        "meetings.rsvp.agenda_personal_card": [agenda_personal_card(first, 7, CHAIR, ids(3), 61)],
        "universal.with_refresh": [with_refresh(reminder, RSVP_VIEW, ids(2), 61, meeting_id=42)],
        "universal.note_card": [note_card("Sorry.", RSVP_VIEW, meeting_id=42)],
    }


def execute_verbs(node: Any) -> Iterator[str]:
    """The verb of every Action.Execute in a card (refresh, buttons, nested ones)."""
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute":
            yield str(node.get("verb"))
        for value in node.values():
            yield from execute_verbs(value)
    elif isinstance(node, list):
        for value in node:
            yield from execute_verbs(value)


def test_every_action_execute_on_a_card_is_answered_by_the_invoke_handler() -> None:
    shown = {verb for built in universal_demo_cards().values() for verb in execute_verbs(built)}
    assert shown == {RSVP, RSVP_VIEW, RSVP_NUDGE, AGENDA_VIEW}
    assert shown <= VERBS
