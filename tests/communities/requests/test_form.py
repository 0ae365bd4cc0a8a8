"""The Request Form's rules live in the domain: submit enforces every one of them, whatever sent it."""

from __future__ import annotations

from typing import Any

import pytest

from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.requests.form import PUPIL, SECTIONS, first_incomplete, problems, section_problems
from communities.requests.service import RequestRefused, save_answers, start_draft, submit
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
        ({"pupil_ref": "Jack Smith"}, "pupil_ref", "could identify the pupil"),
        ({"pupil_ref": "DOB 12/03/2016"}, "pupil_ref", "could identify the pupil"),
        ({"apdr_cycles": None}, "apdr_cycles", "assess-plan-do-review cycles"),
        ({"what_worked": " "}, "what_worked", "Write what worked and what did not."),
        ({"parents_informed": False}, "parents_informed", "only agree once they have been informed"),
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
