"""Raising, submitting and triaging requests against the demo roster, on a real database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.outbox import Outbox, OutboxMessage
from communities.requests.lifecycle import IllegalTransition, RequestStatus
from communities.requests.service import (
    RequestRefused,
    accept,
    open_for_reading,
    return_for_info,
    save_answers,
    school_requests,
    start_draft,
    submit,
    triage_queue,
    withdraw,
)
from communities.requests.tables import Request
from communities.roster.directory import find_person
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, TOM, personal_chat, profile_of
from tests.support.requests import COMPLETE, school_id


async def give_chats(db: Database, clock: FixedClock, *emails: str) -> None:
    async with db.session() as session:
        for email in emails:
            person = await find_person(session, aad_object_id=None, email=email)
            assert person is not None and person.id is not None
            session.add(personal_chat(person.id, email, clock.now()))
        await session.commit()


async def dms(db: Database) -> dict[str, list[str]]:
    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row.reference["conversation"]["id"].removeprefix("a:"), []).append(
            row.payload["text"]
        )
    return found


async def audited(db: Database) -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = (await session.exec(select(AuditEvent).where(AuditEvent.entity == "request"))).all()
    return [(row.action, row.entity_id) for row in rows]


async def draft(
    db: Database, clock: FixedClock, email: str = HANNAH, answers: dict[str, Any] | None = None
) -> int:
    actor = await profile_of(db, email)
    async with db.session() as session:
        request = await start_draft(session, clock, actor, await school_id(db, "990101"))
        assert request.id is not None
        if answers:
            await save_answers(session, clock, actor, request.id, answers)
        await session.commit()
        return request.id


async def act(
    db: Database, clock: FixedClock, email: str, operation: Any, request_id: int, *args: Any
) -> Any:
    actor = await profile_of(db, email)
    async with db.session() as session:
        result = await operation(session, clock, Outbox(clock), actor, request_id, *args)
        await session.commit()
        return result


async def status_of(db: Database, request_id: int) -> str:
    async with db.session() as session:
        request = await session.get(Request, request_id)
    assert request is not None
    return str(request.status)


async def test_drafts_get_community_references_in_order(demo_db: Database, clock: FixedClock) -> None:
    first, second = await draft(demo_db, clock), await draft(demo_db, clock, DANIEL)
    async with demo_db.session() as session:
        refs = [(await session.get(Request, i)).ref for i in (first, second)]  # type: ignore[union-attr]
    assert refs == ["COS-CANT1-26-001", "COS-CANT1-26-002"]


async def test_only_the_schools_staff_start_its_requests(demo_db: Database, clock: FixedClock) -> None:
    with pytest.raises(RequestRefused, match="school leader or SENCO of the school"):
        await draft(demo_db, clock, GRACE)


async def test_an_incomplete_request_is_refused_with_what_is_missing(
    demo_db: Database, clock: FixedClock
) -> None:
    request_id = await draft(
        demo_db, clock, answers={**COMPLETE, "parental_agreement": False, "year_group": "14"}
    )
    with pytest.raises(RequestRefused) as refused:
        await act(demo_db, clock, HANNAH, submit, request_id)
    assert "Parents or carers must agree" in str(refused.value) and "year group" in str(refused.value)
    assert await status_of(demo_db, request_id) == "draft"


async def test_submitting_tells_the_chair_and_vice_chair_without_pupil_detail(
    demo_db: Database, clock: FixedClock
) -> None:
    await give_chats(demo_db, clock, DANIEL, GRACE, HANNAH, PRIYA)
    request_id = await draft(demo_db, clock, answers=COMPLETE)
    notices = await act(demo_db, clock, HANNAH, submit, request_id)
    assert await status_of(demo_db, request_id) == "submitted"
    sent = await dms(demo_db)
    assert set(sent) == {DANIEL, GRACE} and len(notices) == 2
    text = sent[DANIEL][0]
    assert "Westgate Meadow Primary School has submitted request COS-CANT1-26-001 (one pupil)" in text
    assert "WM-2026-07" not in text and "dysregulation" not in text
    assert ("request_submit", "COS-CANT1-26-001") in await audited(demo_db)


async def test_when_no_chair_can_be_reached_the_officers_are_told(
    demo_db: Database, clock: FixedClock
) -> None:
    await give_chats(demo_db, clock, PRIYA, HANNAH)
    request_id = await draft(demo_db, clock, answers=COMPLETE)
    await act(demo_db, clock, HANNAH, submit, request_id)
    sent = await dms(demo_db)
    assert list(sent) == [PRIYA]
    assert "cannot be reached by the bot" in sent[PRIYA][0] and "COS-CANT1-26-001" in sent[PRIYA][0]


async def test_triage_by_the_vice_chair_and_an_officer_and_the_requester_hears_each_time(
    demo_db: Database, clock: FixedClock
) -> None:
    await give_chats(demo_db, clock, HANNAH)
    request_id = await draft(demo_db, clock, answers=COMPLETE)
    await act(demo_db, clock, HANNAH, submit, request_id)

    await act(demo_db, clock, PRIYA, return_for_info, request_id, "Please add what the EP advised.")
    assert await status_of(demo_db, request_id) == "returned_for_info"
    answered = {"graduated_response": "EP advice added.", "answer_to_chair": "Added to what was tried."}
    await act(demo_db, clock, HANNAH, save_answers_op, request_id, answered)
    await act(demo_db, clock, HANNAH, submit, request_id)
    await act(demo_db, clock, GRACE, accept, request_id)
    assert await status_of(demo_db, request_id) == "accepted"

    told = (await dms(demo_db))[HANNAH]
    assert "returned for more information" in told[0] and "has been accepted" in told[1]
    transitions = {"request_submit", "request_return_for_info", "request_resubmit", "request_accept"}
    actions = [action for action, _ in await audited(demo_db) if action in transitions]
    assert actions == ["request_submit", "request_return_for_info", "request_resubmit", "request_accept"]


async def save_answers_op(
    session: Any, clock: FixedClock, _outbox: Outbox, actor: Any, request_id: int, answers: Any
) -> Any:
    return await save_answers(session, clock, actor, request_id, answers)


async def test_a_forged_triage_from_another_community_is_refused_and_audited(
    demo_db: Database, clock: FixedClock
) -> None:
    request_id = await draft(demo_db, clock, answers=COMPLETE)
    await act(demo_db, clock, HANNAH, submit, request_id)
    with pytest.raises(RequestRefused, match="Only the chair or vice chair of CANT1"):
        await act(demo_db, clock, TOM, accept, request_id)
    assert await status_of(demo_db, request_id) == "submitted"
    assert ("request_accept_refused", "COS-CANT1-26-001") in await audited(demo_db)


async def test_a_refused_return_for_information_leaves_no_note_on_the_request(
    demo_db: Database, clock: FixedClock
) -> None:
    request_id = await draft(demo_db, clock, answers=COMPLETE)
    await act(demo_db, clock, HANNAH, submit, request_id)
    for outsider in (TOM, HANNAH):  # the chair of another community; a school leader
        with pytest.raises(RequestRefused) as refused:
            await act(demo_db, clock, outsider, return_for_info, request_id, "Forged: say the child's name")
        assert "can return it for more information." in str(refused.value)
    async with demo_db.session() as session:
        request = await session.get(Request, request_id)
    assert request is not None and request.return_note is None and request.status == "submitted"
    assert ("request_return_for_info_refused", "COS-CANT1-26-001") in await audited(demo_db)


async def test_an_illegal_move_is_refused_with_the_reason(demo_db: Database, clock: FixedClock) -> None:
    request_id = await draft(demo_db, clock, answers=COMPLETE)
    await act(demo_db, clock, HANNAH, submit, request_id)
    await act(demo_db, clock, GRACE, accept, request_id)
    with pytest.raises(IllegalTransition, match="cannot be edited"):
        await act(demo_db, clock, HANNAH, save_answers_op, request_id, {"needs_summary": "changed"})
    await act(demo_db, clock, HANNAH, withdraw, request_id)
    assert await status_of(demo_db, request_id) == RequestStatus.WITHDRAWN


async def test_a_school_has_at_most_three_open_requests(demo_db: Database, clock: FixedClock) -> None:
    for _ in range(3):
        await act(demo_db, clock, HANNAH, submit, await draft(demo_db, clock, answers=COMPLETE))
    fourth = await draft(demo_db, clock, answers=COMPLETE)
    with pytest.raises(RequestRefused, match="already has 3 requests waiting for a meeting"):
        await act(demo_db, clock, HANNAH, submit, fourth)


async def test_reading_the_detail_is_audited_and_limited(demo_db: Database, clock: FixedClock) -> None:
    request_id = await draft(demo_db, clock, answers=COMPLETE)
    async with demo_db.session() as session:
        request = await open_for_reading(session, clock, await profile_of(demo_db, DANIEL), request_id)
        assert request.details["pupil_ref"] == "WM-2026-07"
        await session.commit()
    async with demo_db.session() as session:
        with pytest.raises(RequestRefused):
            await open_for_reading(session, clock, await profile_of(demo_db, TOM), request_id)
    actions = [action for action, _ in await audited(demo_db)]
    assert "request_read" in actions and "request_read_refused" in actions


async def test_lists_for_the_school_and_the_chairs_queue(demo_db: Database, clock: FixedClock) -> None:
    standard = await draft(demo_db, clock, answers=COMPLETE)
    urgent = await draft(
        demo_db, clock, answers={**COMPLETE, "urgency": "urgent", "urgency_reason": "Risk of exclusion."}
    )
    kept_draft = await draft(demo_db, clock)
    for request_id in (standard, urgent):
        await act(demo_db, clock, HANNAH, submit, request_id)
    hannah, daniel = await profile_of(demo_db, HANNAH), await profile_of(demo_db, DANIEL)
    async with demo_db.session() as session:
        mine = await school_requests(session, hannah)
        queue = await triage_queue(session, daniel, mine[0].community_id)
        with pytest.raises(RequestRefused):
            await triage_queue(session, hannah, mine[0].community_id)
    assert {r.id for r in mine} == {standard, urgent, kept_draft}
    assert [r.id for r in queue] == [urgent, standard]


async def test_request_lines_name_the_school_status_and_next_step(
    demo_db: Database, clock: FixedClock
) -> None:
    from communities.requests.lifecycle import RequestAction
    from communities.requests.views import request_lines

    submitted = await draft(demo_db, clock, answers=COMPLETE)
    await act(demo_db, clock, HANNAH, submit, submitted)
    await draft(demo_db, clock)
    async with demo_db.session() as session:
        lines = await request_lines(
            session, await school_requests(session, await profile_of(demo_db, HANNAH))
        )
    by_ref = {line.ref: line for line in lines}
    first, second = by_ref["COS-CANT1-26-001"], by_ref["COS-CANT1-26-002"]
    assert (first.school, first.kind, first.status.label) == (
        "Westgate Meadow Primary School",
        "One pupil",
        "Submitted",
    )
    assert RequestAction.WITHDRAW in first.actions and RequestAction.SUBMIT not in first.actions
    assert (second.kind, second.status.label) == ("Not chosen yet", "Draft")


async def test_two_first_drafts_at_once_get_different_references(
    demo_db: Database, clock: FixedClock
) -> None:
    import asyncio

    async def start(email: str) -> str:
        actor = await profile_of(demo_db, email)
        async with demo_db.session() as session:
            request = await start_draft(session, clock, actor, await school_id(demo_db, "990101"))
            await session.commit()
            return request.ref

    refs = await asyncio.gather(start(HANNAH), start(DANIEL), start(HANNAH))
    assert sorted(refs) == ["COS-CANT1-26-001", "COS-CANT1-26-002", "COS-CANT1-26-003"]


async def test_a_save_from_a_stale_copy_is_refused_and_the_newer_answers_stand(
    demo_db: Database, clock: FixedClock
) -> None:
    request_id = await draft(demo_db, clock)
    actor = await profile_of(demo_db, HANNAH)
    async with demo_db.session() as stale:
        copy = await stale.get(Request, request_id)
        assert copy is not None
        read_at = copy.version
        await stale.commit()  # the copy stays in this session as it was read, as in a slow turn
        async with demo_db.session() as other:
            await save_answers(other, clock, actor, request_id, {"needs_summary": "The newer wording."})
            await other.commit()

        with pytest.raises(RequestRefused, match="Someone else changed this request just now"):
            await save_answers(stale, clock, actor, request_id, {"needs_summary": "The older wording."})

    async with demo_db.session() as session:
        stored = await session.get(Request, request_id)
    assert stored is not None
    assert stored.details["needs_summary"] == "The newer wording." and stored.version == read_at + 1


async def test_answers_are_written_only_under_the_version_check(demo_db: Database, clock: FixedClock) -> None:
    request_id = await draft(demo_db, clock)
    actor = await profile_of(demo_db, HANNAH)
    sent: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(demo_db.engine.sync_engine, "before_cursor_execute", before)
    try:
        async with demo_db.session() as session:
            saved = await save_answers(session, clock, actor, request_id, {"urgency": "urgent"})
            await session.commit()
    finally:
        event.remove(demo_db.engine.sync_engine, "before_cursor_execute", before)

    [update] = [s for s in sent if s.startswith("UPDATE request")]
    assert "AND request.version = " in update and "details=" in update  # (any paramstyle)
    async with demo_db.session() as session:
        stored = await session.get(Request, request_id)
    assert stored is not None and stored.urgency == "urgent" and stored.version == saved.version
