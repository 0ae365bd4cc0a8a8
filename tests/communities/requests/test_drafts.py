"""Whether a person has a draft to continue (the menu's question) and which one it is."""

from __future__ import annotations

from communities.clock import FixedClock
from communities.db import Database
from communities.messaging.outbox import Outbox
from communities.requests.drafts import has_draft, latest_draft
from communities.requests.service import start_draft, submit
from communities.requests.tables import Request
from tests.support.people import HANNAH, PRIYA, profile_of
from tests.support.requests import COMPLETE, school_id


async def answers(db: Database, email: str) -> tuple[bool, int | None]:
    """has_draft (over a Core connection, as the menu asks) and latest_draft's id."""
    profile = await profile_of(db, email)
    async with db.connection() as connection:
        quick = await has_draft(connection, profile)
    async with db.session() as session:
        draft = await latest_draft(session, profile)
    return quick, draft.id if draft else None


async def test_the_menu_s_question_agrees_with_the_draft_it_would_open(
    demo_db: Database, clock: FixedClock
) -> None:
    assert await answers(demo_db, HANNAH) == (False, None)
    hannah = await profile_of(demo_db, HANNAH)
    async with demo_db.session() as session:
        first = await start_draft(session, clock, hannah, await school_id(demo_db, "990101"))
        await session.commit()
    assert await answers(demo_db, HANNAH) == (True, first.id)
    assert await answers(demo_db, PRIYA) == (False, None)  # someone else's draft is not hers

    async with demo_db.session() as session:
        stored = await session.get(Request, first.id)
        assert stored is not None
        stored.details = dict(COMPLETE)
        await session.commit()
        await submit(session, clock, Outbox(clock), hannah, first.id)  # type: ignore[arg-type]
        await session.commit()
    assert await answers(demo_db, HANNAH) == (False, None)  # a submitted request is no draft
