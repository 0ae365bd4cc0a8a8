"""An item's card read back into an outcome entry (schools by URN, people by id, dates checked), and a
saved outcome shown again as the card's values: what the chair saved comes back as it was."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from communities.clock import FixedClock
from communities.db import Database
from communities.outcomes.access import outcome_of
from communities.outcomes.recording import save_outcome
from dialogs.outcomes.entry import BAD_DATE, read_entry, saved_values
from tests.support.outcomes import as_person, held_meeting, person_id
from tests.support.people import GRACE, HANNAH, PRIYA

TYPED = {
    "action": "outcome_save",
    "decision": "funding_agreed",
    "what_is_working": " The calm space works. ",
    "offer_school_1": "990102",
    "offer_1": "Outreach from their nurture lead",
    "offer_school_2": "",
    "offer_2": "",
    "action_1": "Share the plan template",
    "action_school_1": "990102",
    "action_due_1": "2027-01-15",
    "action_2": "Call the family support worker",
    "action_person_2": "",
    "action_due_2": "2027-01-20",
    "funding": "1,500.50",
    "funding_from": "2027-01-04",
    "funding_to": "2027-03-31",
    "rationale": "A clear plan.",
    "review_date": "2027-03-30",
}


async def test_the_card_is_read_into_an_entry(demo_db: Database, clock: FixedClock) -> None:
    hannah = await person_id(demo_db, HANNAH)
    async with demo_db.session() as session:
        read = await read_entry(
            session, {**TYPED, "action_person_2": str(hannah), f"ruling_{hannah}": "no_conflict"}, [hannah]
        )
    entry = read.entry
    assert read.problems == {} and entry.decision == "funding_agreed"
    assert entry.what_is_working == "The calm space works."
    [offer] = entry.ideas_and_offers
    assert (offer.school_urn, offer.school) == ("990102", "St Dunstan's Church of England Primary School")
    first, second = entry.actions
    assert first.owner_school_id is not None and first.due_date == date(2027, 1, 15)
    assert second.owner_person_id == hannah and second.owner_school_id is None
    assert entry.funding == "1,500.50" and entry.review_date == date(2027, 3, 30)
    assert dict(entry.rulings) == {hannah: "no_conflict"}
    assert read.schools == {"990102": "St Dunstan's Church of England Primary School"}


async def test_a_school_not_in_the_roster_and_a_date_that_is_not_one_are_problems(demo_db: Database) -> None:
    async with demo_db.session() as session:
        read = await read_entry(session, {**TYPED, "offer_school_1": "999999", "review_date": "soon"}, [])
    assert read.problems == {
        "ideas_and_offers": "Offer 1: choose the school from the list.",
        "review_date": BAD_DATE,
    }
    assert read.values["review_date"] == "soon"  # what was typed is kept for the card


async def test_a_saved_outcome_comes_back_as_the_cards_values(demo_db: Database, clock: FixedClock) -> None:
    held = await held_meeting(demo_db, clock, 1, email=GRACE, urn="990102")
    [request_id] = held.request_ids
    hannah = str(await person_id(demo_db, HANNAH))
    async with demo_db.session() as session:
        read = await read_entry(session, {**TYPED, "action_person_2": hannah}, [])
    entry = replace(read.entry, rulings={await person_id(demo_db, GRACE): "took_no_part"})
    await as_person(
        demo_db, PRIYA, lambda s, a: save_outcome(s, clock, a, held.meeting_id, request_id, entry)
    )
    async with demo_db.session() as session:
        values, schools = await saved_values(session, await outcome_of(session, held.meeting_id, request_id))
    for key in ("decision", "offer_school_1", "offer_1", "action_1", "action_school_1", "action_due_1"):
        assert values[key] == TYPED[key].strip(), key
    assert values["funding"] == "1,500.50" and values["review_date"] == "2027-03-30"
    assert values["action_2"] == "Call the family support worker" and values["action_person_2"] == hannah
    assert schools == {"990102": "St Dunstan's Church of England Primary School"}
