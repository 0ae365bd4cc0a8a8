"""Every card and message the bot can post to a channel, rendered from requests full of pupil data:
none of it may show (domain.md §5). The posts come from the one list in cards/channel.py."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from cards.channel import CHANNEL_POSTS
from cards.minutes.members import members_minutes_card
from cards.outcomes.telling import school_outcome_card
from communities.agendas import changes as agendas
from communities.agendas import publishing
from communities.agendas import view as agenda_view
from communities.agendas.tables import AgendaStatus
from communities.broadcasts import service as broadcasts
from communities.budget.service import set_budget
from communities.budget.years import FinancialYear
from communities.clock import FixedClock
from communities.db import Database
from communities.meetings import rsvp, rsvp_views
from communities.meetings.tables import Meeting
from communities.messaging.channel_linking import ChannelSeen
from communities.messaging.outbox import DeliveryKind, Outbox, OutboxMessage
from communities.minutes import approving as minutes_approving
from communities.minutes import drafting as minutes_drafting
from communities.outcomes import recording as outcomes_recording
from communities.outcomes import telling as outcomes_telling
from communities.outcomes.confirming import confirm_outcomes
from communities.outcomes.tables import Outcome
from communities.outcomes.validation import OutcomeEntry
from communities.requests.form import SECTIONS
from communities.requests.tables import Request
from communities.roster.tables import Community
from scheduler.steps import summary_of
from tests.communities.agendas.test_agendas import two_meetings
from tests.support.minutes import decided_meeting
from tests.support.outcomes import publish as publish_for_outcomes
from tests.support.people import DANIEL, GRACE, HANNAH, PRIYA, profile_of
from tests.support.requests import raise_and_accept

ROOT = Path(__file__).resolve().parents[2]

PUPIL: dict[str, Any] = {
    "request_type": "one_pupil",
    "pupil_ref": "PUPIL-REF-XYZ",
    "year_group": "9",
    "sen_status": "ehcna_in_progress",
    "primary_need": "sensory_physical",
    "secondary_need": "cognition_learning",
    "needs_summary": "NEEDS-TEXT: Jack Smithson, DOB 14/02/2013, UPN A123456789012, hearing loss.",
    "apdr_cycles": 3,
    "graduated_response": "GRADUATED-RESPONSE-TEXT: radio aid since 2 September 2024.",
    "what_worked": "WHAT-WORKED-TEXT",
    "hoped_outcome": "HOPED-OUTCOME-TEXT for Jack Smithson.",
    "support": ["specialist", "funding", "other"],
    "specialists": ["salt", "other"],
    "specialist_other": "SPECIALIST-OTHER-TEXT",
    "funding_pounds": 98765,
    "support_other": "SUPPORT-OTHER-TEXT",
    "parents_informed": True,
    "parental_agreement": True,
    "urgency": "urgent",
    "urgency_reason": "URGENCY-REASON-TEXT: born 14 February 2013.",
    "providers": ["PROVIDER-NAME-TEXT Ltd"],
}
GROUP: dict[str, Any] = {
    **PUPIL,
    "request_type": "group_of_pupils",
    "pupil_ref": "GROUP-REF-XYZ",
    "pupil_count": 12,
    "year_groups": ["5", "6"],
    "urgency": "standard",
    "urgency_reason": None,
}

#: Values from the requests above that must never reach a channel.
PUPIL_VALUES = (
    "PUPIL-REF-XYZ",
    "GROUP-REF-XYZ",
    "Jack Smithson",
    "14/02/2013",
    "14 February 2013",
    "A123456789012",
    "NEEDS-TEXT",
    "hearing loss",
    "GRADUATED-RESPONSE-TEXT",
    "WHAT-WORKED-TEXT",
    "HOPED-OUTCOME-TEXT",
    "SPECIALIST-OTHER-TEXT",
    "SUPPORT-OTHER-TEXT",
    "URGENCY-REASON-TEXT",
    "PROVIDER-NAME-TEXT",
    "98765",
    "98,765",
    "Education, health and care (EHC) needs assessment in progress",
    "Sensory and/or physical",
    "Cognition and learning",
    "SALT",
)
#: A channel may name a request's type and the support asked: every other form field is pupil-level.
ALLOWED_FIELDS = {"request_type", "support", "urgency"}
PUPIL_FIELDS = sorted({f for section in SECTIONS for f in section.fields} - ALLOWED_FIELDS | {"providers"})


@dataclass
class World:
    db: Database
    clock: FixedClock
    january: int
    refs: list[str]


Render = Callable[[World], Awaitable[list[Any]]]


def builder(name: str) -> Callable[..., Any]:
    """The registered builder of a channel post (so the scan renders what is registered)."""
    entry = next(post for post in CHANNEL_POSTS if post.name == name)
    module, _, function = entry.builder.partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), function)
    return found


def seen(channel_id: str, message_id: str) -> ChannelSeen:
    reference = {"serviceUrl": "https://smba.example/uk/", "conversation": {"id": channel_id}}
    return ChannelSeen(
        team_id="19:team-cant1",
        channel_id=channel_id,
        channel_name="Community",
        service_url="https://smba.example/uk/",
        tenant_id="tenant",
        channel_reference=reference,
        thread_reference={**reference, "conversation": {"id": f"{channel_id};messageid={message_id}"}},
        message_id=message_id,
    )


async def link(world: World, email: str, code: str, channel_id: str, message_id: str) -> list[Any]:
    """``@bot link CODE`` in a channel: the reply said there, and the confirmation queued for it."""
    actor = await profile_of(world.db, email)
    async with world.db.session() as session:
        outcome = await builder("channel_link_messages")(
            session, world.clock, Outbox(world.clock), actor, code, seen(channel_id, message_id)
        )
        await session.commit()
    said = [outcome.reply] if outcome.reply else []  # None when the confirmation is queued instead
    return [*said, *await posted(world.db, f"link-confirmation:{message_id}")]


async def posted(db: Database, key_prefix: str) -> list[Any]:
    async with db.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    return [row.payload for row in rows if row.idempotency_key.startswith(key_prefix)]


async def render_agenda(world: World) -> list[Any]:
    daniel = await profile_of(world.db, DANIEL)
    async with world.db.session() as session:
        await agendas.add_aob(session, world.clock, daniel, world.january, "Transport for the summer school")
        shown = await agenda_view.view(session, meeting_id=world.january)
        await session.commit()
    assert [item.ref for item in shown.items] == world.refs
    render = builder("agenda")
    async with world.db.session() as session:
        await publishing.publish(session, world.clock, Outbox(world.clock), daniel, world.january, render)
        await session.commit()
    republished = replace(shown, status=AgendaStatus.PUBLISHED)
    return [render(shown), render(republished), *await posted(world.db, f"agenda:{world.january}:")]


async def render_meeting_dates(world: World) -> list[Any]:
    selection = broadcasts.Selection(date(2027, 1, 1), date(2027, 12, 31), community_codes=("CANT1",))
    async with world.db.session() as session:
        planned, _ = await broadcasts.plan(
            session, world.clock, selection, feed_base_url="https://cosbot.example", bot_name="CoS Bot"
        )
    return [builder("meeting_dates")(dates, updated) for dates in planned for updated in (False, True)]


async def render_minutes_approved(world: World) -> list[Any]:
    """A meeting's minutes approved: its request full of pupil data, its outcome's text too."""
    decided = await decided_meeting(world.db, world.clock)
    async with world.db.session() as session:
        request = await session.get(Request, decided.request_id)
        outcome = (await session.exec(select(Outcome).where(Outcome.request_id == decided.request_id))).one()
        assert request is not None
        request.details = {**request.details, **PUPIL}
        outcome.what_is_working = "WHAT-WORKED-TEXT for Jack Smithson"
        session.add_all([request, outcome])
        await session.commit()
    daniel = await profile_of(world.db, DANIEL)
    async with world.db.session() as session:
        shown = await minutes_drafting.open_minutes(session, world.clock, daniel, decided.meeting_id)
        approved = await minutes_approving.approve(
            session,
            world.clock,
            Outbox(world.clock),
            daniel,
            decided.meeting_id,
            version=shown.version,
            render_members=members_minutes_card,
            render_channel=builder("minutes_approved"),
        )
        await session.commit()
    assert approved.posted_in_channel
    return [builder("minutes_approved")(approved.view), *await posted(world.db, "minutes-approved:")]


async def render_team_welcome(world: World) -> list[Any]:
    render = builder("team_welcome")
    return [render("Canterbury City Community", "CoS Bot"), render(None, "CoS Bot")]


async def meeting_and_community(world: World) -> tuple[Meeting, Community]:
    async with world.db.session() as session:
        meeting = await session.get(Meeting, world.january)
        community = await session.get(Community, meeting.community_id) if meeting else None
    assert meeting is not None and community is not None
    return meeting, community


async def render_requests_open(world: World) -> list[Any]:
    summary = summary_of(*await meeting_and_community(world))
    return [builder("requests_open")(summary, "00000000-0000-4000-8000-00000000b07a")]


async def render_rsvp_reminder(world: World) -> list[Any]:
    async with world.db.session() as session:
        facts = await rsvp.reminder_facts(session, world.january)
        tally = await rsvp.tally(session, world.january)
    return [builder("rsvp_reminder")(facts, tally, "Tomorrow")]


async def personal_views(world: World) -> list[rsvp_views.PersonalView]:
    """The chair's view (who has not answered) and a member's, as the invokes show them."""
    views = []
    for email in (DANIEL, HANNAH):
        who = await profile_of(world.db, email)
        async with world.db.session() as session:
            views.append(await rsvp_views.personal_view(session, world.clock, world.january, who))
    assert views[0].chair is not None and views[0].chair.not_answered and views[1].chair is None
    return views


async def render_rsvp_personal_view(world: World) -> list[Any]:
    async with world.db.session() as session:
        facts = await rsvp.reminder_facts(session, world.january)
        tally = await rsvp.tally(session, world.january)
    render = builder("rsvp_personal_view")
    return [render(facts, tally, "Tomorrow", view, "A note.") for view in await personal_views(world)]


async def render_agenda_personal_view(world: World) -> list[Any]:
    await render_agenda(world)
    async with world.db.session() as session:
        posted = await rsvp_views.agenda_as_posted(session, world.january)
    assert posted is not None and all(ref in json.dumps(posted) for ref in world.refs)
    render = builder("agenda_personal_view")
    return [render(posted, world.january, view, ("29:user-2",), 4) for view in await personal_views(world)]


async def render_link_messages(world: World) -> list[Any]:
    return [
        *await link(world, DANIEL, "CANT1", "19:cant1-new@thread.tacv2", "m2"),  # moves the channel
        *await link(world, DANIEL, "CANT1", "19:cant1-new@thread.tacv2", "m3"),  # already linked
        *await link(world, HANNAH, "CANT1", "19:other@thread.tacv2", "m4"),  # not allowed
        *await link(world, DANIEL, "NOPE9", "19:other@thread.tacv2", "m5"),  # no such community
    ]


async def render_unlink_messages(world: World) -> list[Any]:
    replies = []
    for email in (HANNAH, DANIEL, DANIEL):  # refused, unlinked, nothing to unlink
        actor = await profile_of(world.db, email)
        async with world.db.session() as session:
            outcome = await builder("channel_unlink_messages")(
                session, world.clock, actor, "19:cant1@thread.tacv2"
            )
            await session.commit()
        replies.append(outcome.reply)
    return replies


async def render_outcomes_summary(world: World) -> list[Any]:
    """The meeting held, every item given an outcome (funding agreed) and confirmed, the channel told."""
    await publish_for_outcomes(world.db, world.clock, world.january)
    world.clock.advance(days=60)  # after the January meeting
    priya = await profile_of(world.db, PRIYA)
    async with world.db.session() as session:
        shown = await outcomes_recording.open_recording(session, world.clock, priya, world.january)
        meeting = await session.get(Meeting, world.january)
        assert meeting is not None
        year = FinancialYear.of(date(2027, 1, 1))
        await set_budget(session, world.clock, meeting.community_id, year, 4_800_000, reason="", source="t")
        for item in shown.items:
            entry = OutcomeEntry(
                decision="funding_agreed",
                funding="1500",
                funding_from=date(2027, 2, 1),
                funding_to=date(2027, 7, 20),
                rationale="A clear plan with a school nearby that can help.",
                review_date=date(2027, 6, 30),
                rulings={f.person_id: "took_no_part" for f in item.flagged},
            )
            await outcomes_recording.save_outcome(
                session, world.clock, priya, world.january, item.request_id, entry
            )
        confirmation = await confirm_outcomes(session, world.clock, priya, world.january)
        render = builder("outcomes_summary")
        await outcomes_telling.tell_confirmed(
            session,
            world.clock,
            Outbox(world.clock),
            confirmation,
            school_card=school_outcome_card,
            channel_card=render,
        )
        summary = await outcomes_telling.channel_summary(session, world.january)
        await session.commit()
    assert [line.ref for line in summary.lines] == sorted(world.refs)
    rows = await posted(world.db, f"outcomes:{world.january}:")
    assert len(rows) == 1  # one summary for the meeting, in its channel
    return [render(summary), *rows]


#: How each registered channel post is rendered for the scan: a new entry in CHANNEL_POSTS needs one.
RENDERERS: dict[str, Render] = {
    "agenda": render_agenda,
    "meeting_dates": render_meeting_dates,
    "minutes_approved": render_minutes_approved,
    "team_welcome": render_team_welcome,
    "requests_open": render_requests_open,
    "rsvp_reminder": render_rsvp_reminder,
    "rsvp_personal_view": render_rsvp_personal_view,
    "agenda_personal_view": render_agenda_personal_view,
    "channel_link_messages": render_link_messages,
    "channel_unlink_messages": render_unlink_messages,
    "outcomes_summary": render_outcomes_summary,
}


async def accepted_ref(db: Database, clock: FixedClock, email: str, urn: str, answers: dict[str, Any]) -> str:
    request = await raise_and_accept(db, clock, email, urn, answers)
    clock.advance(hours=1)
    return request.ref


@pytest.fixture
async def world(demo_db: Database, clock: FixedClock) -> World:
    january, _ = await two_meetings(demo_db, clock)
    standard = await accepted_ref(demo_db, clock, HANNAH, "990101", GROUP)
    urgent = await accepted_ref(demo_db, clock, GRACE, "990102", PUPIL)
    # Linking the community's channel: its own confirmation is scanned with the other link messages.
    world = World(demo_db, clock, january, [urgent, standard])
    await link(world, DANIEL, "CANT1", "19:cant1@thread.tacv2", "m1")
    return world


def test_every_registered_channel_post_is_rendered_by_the_scan() -> None:
    assert set(RENDERERS) == {post.name for post in CHANNEL_POSTS}
    for post in CHANNEL_POSTS:
        assert callable(builder(post.name)), post.builder
        assert all((ROOT / path).is_file() for path in post.posted_by), post.posted_by


def test_every_module_that_starts_a_channel_thread_is_registered() -> None:
    registered = {path for post in CHANNEL_POSTS for path in post.posted_by}
    starters = {
        path.relative_to(ROOT).as_posix()
        for folder in ("bot", "communities", "dialogs", "scheduler")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts and re.search(r"\.new_thread\(", path.read_text(encoding="utf-8"))
    }
    assert starters and starters <= registered, sorted(starters - registered)


@pytest.mark.parametrize("name", [post.name for post in CHANNEL_POSTS])
async def test_channel_posts_carry_no_pupil_data(world: World, name: str) -> None:
    rendered = await RENDERERS[name](world)
    assert rendered and all(item for item in rendered)
    scanned = json.dumps(rendered, ensure_ascii=False)
    leaked = [value for value in PUPIL_VALUES if value.lower() in scanned.lower()]
    assert not leaked, f"{name} posts pupil data: {leaked}"
    fields = [field for field in PUPIL_FIELDS if re.search(rf"\b{field}\b", scanned)]
    assert not fields, f"{name} posts pupil fields: {fields}"
    if name in (
        "agenda",
        "outcomes_summary",
        "agenda_personal_view",
    ):  # the scan saw the items themselves, not an empty post
        assert all(ref in scanned for ref in world.refs)
        assert all(
            row["attachments"] for row in rendered[2:] if isinstance(row, dict) and "attachments" in row
        )


async def test_the_agenda_was_posted_to_the_channel_through_the_outbox(world: World) -> None:
    await render_agenda(world)
    async with world.db.session() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    threads = [
        row
        for row in rows
        if row.kind == DeliveryKind.NEW_THREAD and row.idempotency_key.startswith("agenda:")
    ]
    assert [row.conversation_key for row in threads] == ["19:cant1@thread.tacv2"]
