"""The chair's agenda as it changes: every part knows the others, and removing AOB asks first."""

from __future__ import annotations

import json
from dataclasses import replace

from cards import agenda_cards
from cards.agenda_cards import AGENDA_BUTTONS, AOB_INPUT, chair_agenda_cards
from cards.agenda_changes import (
    AGENDA_REMOVE_AOB_CONFIRM,
    AGENDA_REMOVE_AOB_KEEP,
    PARTS,
    agenda_outcome_card,
    aob_remove_confirm_card,
    retired_part_card,
    with_parts,
)
from communities.agendas.tables import AgendaStatus
from tests.cards.test_agenda_cards import LONG_SCHOOL, agenda, item, submits


def test_every_button_on_every_part_carries_the_ids_of_all_the_parts() -> None:
    view = agenda(tuple(item(n, LONG_SCHOOL) for n in range(1, 40)))
    cards = chair_agenda_cards(view)
    assert len(cards) >= 2
    ids = [f"message-{n}" for n in range(len(cards))]
    stamped = with_parts(cards, ids)
    for part in stamped:
        buttons = submits(part)
        assert buttons and all(
            b["data"][PARTS] == ids for b in buttons if b["data"]["action"] in AGENDA_BUTTONS
        )
    assert all(PARTS not in b["data"] for part in cards for b in submits(part))  # the originals untouched
    assert AOB_INPUT in json.dumps(stamped)  # the box to type in is kept


def test_the_split_follows_the_limit_of_the_moment(monkeypatch: object) -> None:
    """The limit is read when the cards are built (so a smaller one splits a short agenda)."""
    view = agenda((item(1), item(2)), aob=tuple(f"Item {n} " + "x" * 150 for n in range(10)))
    assert len(chair_agenda_cards(view)) == 1
    setattr_ = monkeypatch.setattr
    setattr_(agenda_cards, "MAX_CARD_BYTES", 6 * 1024)
    assert len(chair_agenda_cards(view)) >= 2


def test_a_part_no_longer_needed_says_so_and_has_nothing_to_press() -> None:
    retired = retired_part_card(1)
    said = json.dumps(retired)
    assert "no longer used" in said and "fits in one card" in said
    assert "Action.Submit" not in said and "Input." not in said
    assert "fits in 2 cards" in json.dumps(retired_part_card(2))


def test_removing_aob_asks_first_and_says_who_will_be_told() -> None:
    draft = aob_remove_confirm_card(7, 4, 1, "Transport", published=False, parts=["m1", "m2"])
    said = json.dumps(draft)
    assert "Remove this item of any other business?" in said and "7.2 Transport" in said
    assert "Nobody is told: the agenda is not published yet" in said
    confirm, keep = submits(draft)
    assert (confirm["title"], confirm["style"]) == ("Yes, remove it", "destructive")
    assert confirm["data"] == {
        "action": AGENDA_REMOVE_AOB_CONFIRM,
        "meeting_id": 7,
        "version": 4,
        "aob_index": 1,
        "aob_line": "Transport",
        PARTS: ["m1", "m2"],
    }
    assert keep["title"] == "Keep it" and keep["data"]["action"] == AGENDA_REMOVE_AOB_KEEP
    assert "version" not in keep["data"]  # keeping changes nothing, whatever the agenda is now
    published = json.dumps(aob_remove_confirm_card(7, 4, 0, "Transport", published=True, parts=[]))
    assert "Nobody is told now" in published and "until you Republish" in published


def test_what_came_of_it_is_read_only() -> None:
    done = json.dumps(
        agenda_outcome_card("Removed from the agenda", ["“Transport” is removed."]), ensure_ascii=False
    )
    assert "Removed from the agenda" in done and "“Transport” is removed." in done
    assert "Action.Submit" not in done


def test_a_published_agenda_can_be_stamped_too() -> None:
    view = replace(agenda((item(1),)), status=AgendaStatus.PUBLISHED)
    [stamped] = with_parts(chair_agenda_cards(view), ["m1"])
    assert {b["data"][PARTS][0] for b in submits(stamped)} == {"m1"}
