"""The Request Form's rules live in the domain: submit enforces every one of them, whatever sent it."""

from __future__ import annotations

from typing import Any

import pytest

from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.requests.form import (
    NEEDS,
    PARENTS,
    PUPIL,
    SECTIONS,
    fields_not_asked,
    section_title,
    sections_for,
)
from communities.requests.form_checks import first_incomplete, problems, section_problems
from communities.requests.service import RequestRefused, save_answers, start_draft, submit
from communities.requests.tables import RequestType
from tests.support.people import HANNAH, profile_of
from tests.support.requests import COMPLETE, school_id


async def submitted(db: Database, clock: FixedClock, answers: dict[str, Any]) -> None:
    """Save ``answers`` on a new draft and submit it, as a forged card could (no dialog on the way)."""
    actor = await profile_of(db, HANNAH)
    async with db.session() as session:
        request = await start_draft(session, clock, actor, await school_id(db, "990101"))
        assert request.id is not None
        await save_answers(session, clock, actor, request.id, answers)
        await submit(session, clock, Outbox(clock), actor, request.id)
        await session.commit()


def test_a_complete_request_has_no_problems_in_any_section() -> None:
    assert problems(COMPLETE) == {}
    assert first_incomplete(COMPLETE) is None
    assert [section_problems(section, COMPLETE) for section in SECTIONS] == [{}] * len(SECTIONS)


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        ({"pupil_ref": "Jack Smith"}, "pupil_ref", "could identify a pupil"),
        ({"pupil_ref": "DOB 12/03/2016"}, "pupil_ref", "could identify a pupil"),
        ({"apdr_cycles": None}, "apdr_cycles", "assess-plan-do-review cycles"),
        ({"what_worked": " "}, "what_worked", "Write what worked and what did not."),
        ({"parents_informed": False}, "parents_informed", "only agree once they have been told"),
        (
            {"support": ["specialist"], "specialists": ["other"]},
            "specialist_other",
            "Write which other specialist.",
        ),
    ],
)
async def test_submit_refuses_an_answer_the_form_would_not_accept(
    demo_db: Database, clock: FixedClock, change: dict[str, Any], field: str, said: str
) -> None:
    answers = {**COMPLETE, **change}
    assert said in problems(answers)[field]
    with pytest.raises(RequestRefused, match="not complete yet") as refused:
        await submitted(demo_db, clock, answers)
    assert said in str(refused.value)


def test_a_whole_school_request_has_no_pupil_section() -> None:
    answers = {**COMPLETE, "request_type": "whole_school", "pupil_ref": "Jack Smith"}
    assert "pupil_ref" not in problems(answers)
    assert section_problems(PUPIL, answers) == {}


GROUP = {
    **{k: v for k, v in COMPLETE.items() if k not in ("year_group", "sen_status", "apdr_cycles")},
    "request_type": "group_of_pupils",
    "pupil_ref": "Y5-readers",
    "pupil_count": 6,
    "year_groups": ["4", "5"],
}
WHOLE_SCHOOL = {
    k: v
    for k, v in COMPLETE.items()
    if k not in fields_not_asked(RequestType.WHOLE_SCHOOL) and k != "request_type"
} | {"request_type": "whole_school"}


def test_each_type_of_request_has_its_own_steps_and_headings() -> None:
    assert [s.name for s in sections_for(COMPLETE)] == [
        "type",
        "pupil",
        "needs",
        "support",
        "parents",
        "urgency",
    ]
    assert [s.name for s in sections_for(WHOLE_SCHOOL)] == ["type", "needs", "support", "urgency"]
    assert section_title("pupil", COMPLETE) == "About the pupil"
    assert section_title("pupil", GROUP) == "About the group"
    assert section_title("needs", WHOLE_SCHOOL) == "What your school needs, and what has been tried"
    assert "group" in PARENTS.help_for(RequestType.GROUP_OF_PUPILS)


def test_a_group_gives_its_size_and_year_groups_not_one_pupils_details() -> None:
    assert problems(GROUP) == {}
    assert PUPIL.fields_for(RequestType.GROUP_OF_PUPILS) == (
        "pupil_ref",
        "pupil_count",
        "year_groups",
        "primary_need",
        "secondary_need",
    )
    missing = problems({**GROUP, "year_groups": [], "pupil_count": 1})
    assert missing == {
        "year_groups": "Choose the year groups the pupils are in (Reception, or 1 to 13).",
        "pupil_count": "Give the number of pupils in the group (2 to 500).",
    }
    assert "apdr_cycles" not in NEEDS.fields_for(RequestType.GROUP_OF_PUPILS)


def test_a_whole_school_request_is_complete_without_any_pupil_only_answer() -> None:
    assert problems(WHOLE_SCHOOL) == {}
    for pupil_only in ("pupil_ref", "year_group", "sen_status", "apdr_cycles", "parental_agreement"):
        assert pupil_only not in WHOLE_SCHOOL
    # Changing the type clears every answer the new type does not ask for.
    assert {"pupil_ref", "apdr_cycles", "parents_informed", "parental_agreement"} <= fields_not_asked(
        RequestType.COMMUNITY_WIDE
    )
    assert fields_not_asked(RequestType.ONE_PUPIL) == {"pupil_count", "year_groups"}


async def test_a_complete_group_request_can_be_submitted(demo_db: Database, clock: FixedClock) -> None:
    await submitted(demo_db, clock, GROUP)
    with pytest.raises(RequestRefused, match="year groups"):
        await submitted(demo_db, clock, {**GROUP, "year_groups": None})
