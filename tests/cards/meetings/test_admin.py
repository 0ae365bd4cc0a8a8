"""A community's meetings in the personal chat: what each person sees, and the forms to change them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cards.meetings.admin import (
    MAX_SHOWN,
    MEETING_ADD,
    MEETING_CANCEL,
    MEETING_MOVE,
    CommunityMeetings,
    MeetingView,
    NextMeeting,
    community_meetings_card,
    meeting_view,
    meetings_summary_card,
)
from communities.meetings.tables import Meeting, MeetingOffsets, MeetingStatus, derived_dates

TODAY = date(2026, 11, 23)
#: 16:00–17:30 London on Tuesday 6 April 2027 (BST), ten days after the clocks go forward.
APRIL_START = datetime(2027, 4, 6, 15, 0, tzinfo=UTC)


def meeting(
    meeting_id: int = 7,
    starts_at: datetime = APRIL_START,
    *,
    status: MeetingStatus = MeetingStatus.SCHEDULED,
    location: str | None = "Westgate Meadow Primary School",
    online: bool = True,
    join_url: str | None = "https://teams.microsoft.com/l/meetup-join/abc",
    calendar_problem: str | None = None,
    cancel_reason: str | None = None,
) -> Meeting:
    deadline, publish_by = derived_dates(starts_at, MeetingOffsets())
    return Meeting(
        id=meeting_id,
        community_id=1,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        location=location,
        online=online,
        chair_person_id=2,
        status=status,
        submission_deadline=deadline,
        agenda_publish_by=publish_by,
        join_url=join_url,
        calendar_problem=calendar_problem,
        cancel_reason=cancel_reason,
        created_at=APRIL_START,
        updated_at=APRIL_START,
    )


def view(*meetings: MeetingView, can_manage: bool = True, more: int = 0) -> CommunityMeetings:
    return CommunityMeetings(1, "CANT1", "Canterbury City Community", meetings, can_manage, more)


def chair_sees(m: Meeting) -> MeetingView:
    return meeting_view(m, "Daniel Okafor", show_calendar_problem=True)


def member_sees(m: Meeting) -> MeetingView:
    return meeting_view(m, "Daniel Okafor", show_calendar_problem=False)


# ---- the shapes Teams renders (Adaptive Card 1.5) ---------------------------------------------

_INPUTS = {"Input.Text", "Input.Date", "Input.Time", "Input.Toggle"}
_ELEMENTS = {"TextBlock", "FactSet", "ActionSet", "ColumnSet", *_INPUTS}
_ACTIONS = {"Action.Submit", "Action.ShowCard", "Action.OpenUrl"}


def check_card(card: dict[str, Any]) -> list[str]:
    """Asserts ``card`` is a well-formed Adaptive Card 1.5 for Teams; returns every input id in it."""
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert len(json.dumps(card).encode()) < 28_000, "over Teams' message size"
    assert len(card.get("actions", [])) <= 6, "Teams shows at most 6 card actions"
    ids: list[str] = []
    _check_body(card, ids)
    assert len(ids) == len(set(ids)), f"input ids repeat: {ids}"
    return ids


def _check_body(card: dict[str, Any], ids: list[str]) -> None:
    assert isinstance(card["body"], list) and card["body"]
    for element in card["body"]:
        _check_element(element, ids)
    for action in card.get("actions", []):
        _check_action(action, ids)


def _check_element(element: dict[str, Any], ids: list[str]) -> None:
    kind = element["type"]
    assert kind in _ELEMENTS, kind
    if kind == "TextBlock":
        assert element["text"].strip() and element.get("color", "Default") in {"Default", "Attention"}
    elif kind == "FactSet":
        for fact in element["facts"]:
            assert set(fact) == {"title", "value"} and all(isinstance(v, str) and v for v in fact.values())
    elif kind == "ActionSet":
        for action in element["actions"]:
            _check_action(action, ids)
    elif kind == "ColumnSet":
        for column in element["columns"]:
            assert column["type"] == "Column"
            for item in column["items"]:
                _check_element(item, ids)
    else:
        assert element["id"].isidentifier()
        assert element.get("label") or (kind == "Input.Toggle" and element["title"])
        if element.get("isRequired"):
            assert element["errorMessage"]
        if kind == "Input.Text":
            assert len(element.get("value", "")) <= element["maxLength"]
        if kind == "Input.Date" and element.get("value"):
            assert date.fromisoformat(element["value"]) >= date.fromisoformat(element["min"])
        if kind == "Input.Toggle":
            assert element["value"] in (element["valueOn"], element["valueOff"])
        ids.append(element["id"])


def _check_action(action: dict[str, Any], ids: list[str]) -> None:
    assert action["type"] in _ACTIONS and action["title"]
    if action["type"] == "Action.Submit":
        assert isinstance(action["data"]["action"], str)
    elif action["type"] == "Action.ShowCard":
        assert action["card"]["type"] == "AdaptiveCard"
        _check_body(action["card"], ids)
    else:
        assert action["url"].startswith("https://")


def show_cards(card: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The forms a ShowCard opens, by its button's title, in the order they appear."""
    found: dict[str, list[dict[str, Any]]] = {}

    def visit(actions: list[dict[str, Any]]) -> None:
        for action in actions:
            if action["type"] == "Action.ShowCard":
                found.setdefault(action["title"], []).append(action["card"])

    for element in card["body"]:
        if element["type"] == "ActionSet":
            visit(element["actions"])
    visit(card.get("actions", []))
    return found


def inputs(form: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A form's inputs by label (a toggle by its title)."""
    found: dict[str, dict[str, Any]] = {}

    def visit(elements: list[dict[str, Any]]) -> None:
        for element in elements:
            if element["type"] == "ColumnSet":
                for column in element["columns"]:
                    visit(column["items"])
            elif element["type"].startswith("Input."):
                found[element.get("label") or element["title"]] = element

    visit(form["body"])
    return found


def submit_data(form: dict[str, Any]) -> dict[str, Any]:
    [send] = form["actions"]
    assert send["type"] == "Action.Submit"
    data: dict[str, Any] = send["data"]
    return data


def all_text(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


# ---- a community's card -------------------------------------------------------------------------


def test_a_chair_sees_each_meeting_in_london_time_with_its_deadlines_and_the_forms() -> None:
    card = community_meetings_card(view(chair_sees(meeting())), today=TODAY)
    check_card(card)
    assert card["body"][0]["text"] == "Meetings: Canterbury City Community (CANT1)"
    assert card["body"][2]["text"] == "Tuesday 6 April 2027, 16:00–17:30"
    assert card["body"][3]["facts"] == [
        {"title": "Status", "value": "Scheduled"},
        {"title": "Where", "value": "Westgate Meadow Primary School, Online (Teams)"},
        {"title": "Chair", "value": "Daniel Okafor"},
        # Ten school days before (over Easter) across the clocks going forward: still 16:00 in London.
        {"title": "Requests close", "value": "Friday 19 March 2027, 16:00"},
        {"title": "Agenda due by", "value": "Tuesday 30 March 2027, 16:00"},
    ]
    [buttons] = [e["actions"] for e in card["body"] if e["type"] == "ActionSet"]
    assert [b["title"] for b in buttons] == ["Join on Teams", "Move", "Cancel"]
    assert buttons[0]["url"] == "https://teams.microsoft.com/l/meetup-join/abc"
    assert [a["title"] for a in card["actions"]] == ["Add a meeting"]


def test_the_move_form_starts_from_the_meeting_as_it_is() -> None:
    card = community_meetings_card(view(chair_sees(meeting())), today=TODAY)
    [move] = show_cards(card)["Move"]
    fields = inputs(move)
    assert {label: (f["type"], f.get("value")) for label, f in fields.items()} == {
        "Date": ("Input.Date", "2027-04-06"),
        "Starts (London time)": ("Input.Time", "16:00"),
        "Ends (London time)": ("Input.Time", "17:30"),
        "Where (a school or a room; leave empty for online only)": (
            "Input.Text",
            "Westgate Meadow Primary School",
        ),
        "Online (Teams)": ("Input.Toggle", "true"),
    }
    assert fields["Date"]["min"] == "2026-11-23" and fields["Date"]["isRequired"]
    assert submit_data(move) == {"action": MEETING_MOVE, "meeting_id": 7, "fields": "move7"}
    assert all(field["id"].startswith("move7_") for field in fields.values())


def test_cancel_asks_for_a_reason_and_add_starts_empty_for_the_community() -> None:
    card = community_meetings_card(view(chair_sees(meeting())), today=TODAY)
    [cancel] = show_cards(card)["Cancel"]
    [reason] = inputs(cancel).values()
    assert reason["type"] == "Input.Text" and reason["isRequired"] and reason["isMultiline"]
    assert "members see this" in reason["label"]
    assert submit_data(cancel) == {"action": MEETING_CANCEL, "meeting_id": 7, "fields": "cancel7"}

    [add] = show_cards(card)["Add a meeting"]
    fields = inputs(add)
    assert "value" not in fields["Date"] and fields["Date"]["min"] == "2026-11-23"
    assert fields["Starts (London time)"]["value"] == "16:00"
    assert fields["Online (Teams)"]["value"] == "true"
    assert submit_data(add) == {"action": MEETING_ADD, "community_id": 1, "fields": "add1"}


def test_forms_of_different_meetings_never_share_an_input() -> None:
    later = meeting(8, APRIL_START + timedelta(days=35))
    card = community_meetings_card(view(chair_sees(meeting()), chair_sees(later)), today=TODAY)
    ids = check_card(card)
    assert len(ids) == 5 + 5 + 1 + 1 + 5  # two Move forms, two Cancel forms, one Add form
    assert [submit_data(f)["meeting_id"] for f in show_cards(card)["Move"]] == [7, 8]


def test_a_member_sees_the_dates_and_the_join_link_but_no_forms_and_no_calendar_problem() -> None:
    broken = meeting(calendar_problem="Microsoft Graph refused: the mailbox was not found (404).")
    card = community_meetings_card(view(member_sees(broken), can_manage=False), today=TODAY)
    assert check_card(card) == []
    assert show_cards(card) == {} and "actions" not in card
    assert "Join on Teams" in all_text(card)
    assert "mailbox" not in all_text(card) and "calendar could not" not in all_text(card)


def test_a_chair_is_shown_a_calendar_problem() -> None:
    broken = meeting(calendar_problem="Microsoft Graph refused: the mailbox was not found (404).")
    card = community_meetings_card(view(chair_sees(broken), can_manage=True), today=TODAY)
    check_card(card)
    [warning] = [e for e in card["body"] if e.get("color") == "Attention"]
    assert warning["text"] == (
        "The calendar could not be updated: Microsoft Graph refused: the mailbox was not found (404)."
    )


def test_a_cancelled_meeting_shows_why_and_can_be_neither_moved_nor_cancelled_again() -> None:
    gone = meeting(status=MeetingStatus.CANCELLED, cancel_reason="The school is closed (flooding).")
    card = community_meetings_card(view(chair_sees(gone), can_manage=True), today=TODAY)
    check_card(card)
    assert card["body"][2]["text"] == "Tuesday 6 April 2027, 16:00–17:30 (Cancelled)"
    assert {"title": "Why", "value": "The school is closed (flooding)."} in card["body"][3]["facts"]
    assert "Requests close" not in all_text(card) and "Join on Teams" not in all_text(card)
    assert list(show_cards(card)) == ["Add a meeting"]


def test_an_online_meeting_with_no_place_and_a_postponed_one_say_so() -> None:
    online = member_sees(meeting(location=None, join_url=None, status=MeetingStatus.POSTPONED))
    card = community_meetings_card(view(online, can_manage=False), today=TODAY)
    assert card["body"][2]["text"].endswith("(Postponed)")
    assert {"title": "Where", "value": "Online (Teams)"} in card["body"][3]["facts"]


def test_no_meetings_yet() -> None:
    manager = community_meetings_card(view(can_manage=True), today=TODAY)
    member = community_meetings_card(view(can_manage=False), today=TODAY)
    assert manager["body"][1]["text"] == "No meetings are set yet. Add one below."
    assert member["body"][1]["text"] == "No meetings are set yet."
    check_card(manager)
    check_card(member)


def test_the_most_a_card_lists_fits_in_a_teams_message_however_long_each_field() -> None:
    problem = "Microsoft Graph refused the change: " + "the reason, at length. " * 50
    long = [
        chair_sees(
            meeting(
                n,
                APRIL_START + timedelta(weeks=4 * n),
                location="A long place name, " * 15,
                join_url="https://teams.microsoft.com/l/meetup-join/" + "a" * 500,
                calendar_problem=problem,
            )
        )
        for n in range(1, MAX_SHOWN + 1)
    ]
    card = community_meetings_card(view(*long, can_manage=True, more=3), today=TODAY)
    check_card(card)
    assert "…and 3 more later." in all_text(card)
    [warning, *_] = [e["text"] for e in card["body"] if e.get("color") == "Attention"]
    assert warning.startswith("The calendar could not be updated: Microsoft Graph refused the change:")
    assert len(warning) < 400 and warning.endswith("…")


# ---- an officer's summary ----------------------------------------------------------------------


def test_the_officer_summary_has_each_communitys_next_meeting_and_a_button_to_open_it() -> None:
    card = meetings_summary_card(
        [
            NextMeeting("CANT1", "Canterbury City Community", "Tuesday 6 April 2027, 16:00–17:30", 3, 1),
            NextMeeting("MAID1", "Maidstone Town Community", None, 0),
            NextMeeting("THAN2", "Thanet Coast Community", "Wednesday 3 February 2027, 15:45–17:15", 1),
        ]
    )
    check_card(card)
    texts = [e["text"] for e in card["body"] if e["type"] == "TextBlock"]
    assert texts[1].startswith("Communities with a meeting coming up: 2 of 3.")
    assert texts[2:] == [
        "**Canterbury City Community (CANT1)**: next Tuesday 6 April 2027, 16:00–17:30 (3 to come)",
        "1 meeting not brought up to date in the calendar.",
        "**Maidstone Town Community (MAID1)**: no meeting set",
        "**Thanet Coast Community (THAN2)**: next Wednesday 3 February 2027, 15:45–17:15",
    ]
    buttons = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert [(b["title"], b["data"]) for b in buttons] == [
        ("Open CANT1", {"action": "meetings", "community": "CANT1"}),
        ("Open MAID1", {"action": "meetings", "community": "MAID1"}),
        ("Open THAN2", {"action": "meetings", "community": "THAN2"}),
    ]
