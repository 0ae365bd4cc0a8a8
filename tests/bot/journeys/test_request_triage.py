"""My requests and the chair's queue through the real app: buttons, refusals and messages."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from bot.config import Settings
from communities.clock import SystemClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.requests.service import save_answers, start_draft, submit
from communities.requests.tables import Request
from communities.roster.directory import find_person, load_profile
from communities.roster.tables import School
from tests.bot.conftest import Post
from tests.support.activities import personal_message, user
from tests.support.fake_connector import FakeConnector
from tests.support.requests import COMPLETE

PRIYA, DANIEL, GRACE, HANNAH, TOM = (
    user(1, "Priya Shah"),
    user(2, "Daniel Okafor"),
    user(3, "Grace Li"),
    user(4, "Hannah Reid"),
    user(5, "Tom Walsh"),
)


def chat(sender: dict[str, Any]) -> str:
    return f"a:chat-{sender['id']}"


async def submitted_request(settings: Settings) -> tuple[int, str]:
    """Hannah's request from Westgate (CANT1), submitted."""
    database = Database(settings.database_url)
    clock = SystemClock()
    try:
        async with database.session() as session:
            person = await find_person(
                session, aad_object_id=None, email="hannah.reid@westgate-demo.example.org"
            )
            assert person is not None
            hannah = await load_profile(session, person)
            school = (await session.exec(select(School).where(School.urn == "990101"))).one()
            assert school.id is not None
            request = await start_draft(session, clock, hannah, school.id)
            assert request.id is not None
            await save_answers(session, clock, hannah, request.id, COMPLETE)
            await submit(session, clock, Outbox(clock), hannah, request.id)
            await session.commit()
            return request.id, request.ref
    finally:
        await database.dispose()


async def status(settings: Settings, request_id: int) -> str:
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            request = await session.get(Request, request_id)
            assert request is not None
            return str(request.status)
    finally:
        await database.dispose()


async def said(fake: FakeConnector, who: dict[str, Any], count: int) -> list[Any]:
    return await fake.wait_for(
        lambda: fake.activities(chat(who)) if len(fake.activities(chat(who))) >= count else None
    )


async def test_the_chair_opens_the_queue_reads_the_request_and_accepts_it(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await post(personal_message(fake.url, HANNAH, "help"))  # Hannah can be told
    request_id, ref = await submitted_request(settings)

    await post(personal_message(fake.url, DANIEL, value={"action": "requests_queue"}))
    queue = (await said(fake, DANIEL, 1))[-1].card
    assert ref in json.dumps(queue) and "1 waiting for review" in json.dumps(queue)

    await post(personal_message(fake.url, DANIEL, value={"action": "request_open", "request_id": request_id}))
    detail = json.dumps((await said(fake, DANIEL, 2))[-1].card)
    assert f"Request {ref}" in detail and "WM-2026-07" in detail  # the chair sees the pupil reference...
    assert "Daniel Okafor" in detail and "takes no part in the decision" in detail  # ...and who is conflicted
    # It is from his own school: instead of Accept and Return, the card says why not and who may.
    assert "request_accept" not in detail and "request_return" not in detail
    assert "Grace Li (vice chair) or a council officer can do it instead" in detail

    # The request comes from the chair's own school: he may not accept it; the vice chair may.
    await post(
        personal_message(fake.url, DANIEL, value={"action": "request_accept", "request_id": request_id})
    )
    refused = (await said(fake, DANIEL, 3))[-1].text
    assert "Westgate Meadow Primary School is your school" in refused
    assert "Grace Li (vice chair) or a council officer can do it instead" in refused
    assert await status(settings, request_id) == "submitted"
    await post(
        personal_message(fake.url, GRACE, value={"action": "request_accept", "request_id": request_id})
    )
    assert (await said(fake, GRACE, 1))[-1].text == f"Request {ref} is accepted. I've told Hannah Reid."
    assert await status(settings, request_id) == "accepted"
    told = await fake.wait_for(
        lambda: [a for a in fake.activities(chat(HANNAH)) if a.text and "accepted" in a.text]
    )
    assert "WM-2026-07" not in told[0].text


async def test_returning_needs_a_note_and_the_school_sees_it_in_my_requests(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    request_id, ref = await submitted_request(settings)
    await post(
        personal_message(fake.url, GRACE, value={"action": "request_return", "request_id": request_id})
    )
    assert "Say what information is missing" in (await said(fake, GRACE, 1))[-1].text
    note = "Please add the EP's advice."
    await post(
        personal_message(
            fake.url, GRACE, value={"action": "request_return", "request_id": request_id, "note": note}
        )
    )
    assert "returned to the school" in (await said(fake, GRACE, 2))[-1].text

    await post(personal_message(fake.url, HANNAH, "requests"))
    mine = json.dumps((await said(fake, HANNAH, 1))[-1].card, ensure_ascii=False)
    assert ref in mine and "Returned for information" in mine and f"Chair's note: {note}" in mine


async def test_a_forged_accept_from_another_community_is_refused(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    request_id, _ = await submitted_request(settings)
    await post(personal_message(fake.url, TOM, value={"action": "request_accept", "request_id": request_id}))
    assert "Only the chair or vice chair of CANT1" in (await said(fake, TOM, 1))[-1].text
    await post(personal_message(fake.url, TOM, value={"action": "request_open", "request_id": request_id}))
    assert (await said(fake, TOM, 2))[-1].card is None  # no detail card for him
    assert await status(settings, request_id) == "submitted"


async def test_a_card_without_a_request_id_is_out_of_date(fake: FakeConnector, post: Post) -> None:
    await post(
        personal_message(fake.url, HANNAH, value={"action": "request_withdraw", "request_id": "7; drop"})
    )
    assert "out of date" in (await said(fake, HANNAH, 1))[-1].text
