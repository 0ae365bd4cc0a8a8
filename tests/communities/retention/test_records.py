"""The purge on the records that are not requests: declarations ended six years ago and their
confirmations, sent message bodies after 90 days, abandoned dialog state after 30, and the
conversation references of people who left and teams that removed the app, after 90."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.teams.state_storage import BotStateRow
from communities.clock import FixedClock
from communities.db import Database
from communities.declarations.conflict_rules import InterestKind
from communities.declarations.tables import Answer, DeclarationConfirmation, EndReason, InterestDeclaration
from communities.messaging.outbox import DeliveryKind, OutboxMessage, OutboxStatus
from communities.messaging.teams_links import ChannelLink, PersonalChat, TeamInstallation
from communities.retention.policy import RetentionPolicy
from communities.retention.purge import plan, purge
from communities.roster.tables import Membership, Person
from tests.support.outcomes import person_id
from tests.support.people import GRACE, HANNAH, personal_chat

POLICY = RetentionPolicy()
DAY = timedelta(days=1)


def counts(report: object) -> dict[str, int]:
    return {line.what: line.count for line in report.lines}  # type: ignore[attr-defined]


async def test_declarations_and_confirmations_go_six_years_after_they_ended(
    demo_db: Database, clock: FixedClock
) -> None:
    hannah = await person_id(demo_db, HANNAH)
    now = clock.now()
    old_end = now - timedelta(days=2190) - DAY
    async with demo_db.session() as session:
        old = InterestDeclaration(
            person_id=hannah,
            kind=InterestKind.GOVERNANCE,
            school_urn="990102",
            description="Governor at St Dunstan's",
            declared_at=old_end - timedelta(days=400),
            ended_at=old_end,
            end_reason=EndReason.UPDATED,
        )
        session.add(old)
        await session.flush()
        current = InterestDeclaration(
            person_id=hannah,
            kind=InterestKind.GOVERNANCE,
            school_urn="990102",
            description="Chair of governors at St Dunstan's",
            declared_at=old_end,
            previous_id=old.id,
        )
        recent_end = InterestDeclaration(
            person_id=hannah,
            kind=InterestKind.OTHER,
            description="Ended last year",
            declared_at=now - timedelta(days=800),
            ended_at=now - timedelta(days=365),
        )
        session.add_all([current, recent_end])
        session.add_all(
            [
                DeclarationConfirmation(
                    person_id=hannah, academic_year=2019, answer=Answer.INTERESTS, confirmed_at=old_end
                ),
                DeclarationConfirmation(
                    person_id=hannah, academic_year=2026, answer=Answer.INTERESTS, confirmed_at=now
                ),
            ]
        )
        await session.commit()

    done = await purge(demo_db, clock, POLICY, by="test")

    assert counts(done)["declarations deleted"] == 1 and counts(done)["confirmations deleted"] == 1
    async with demo_db.session() as session:
        left = (await session.exec(select(InterestDeclaration).order_by(col(InterestDeclaration.id)))).all()
        years = (await session.exec(select(DeclarationConfirmation.academic_year))).all()
    assert [d.description for d in left] == ["Chair of governors at St Dunstan's", "Ended last year"]
    assert left[0].previous_id is None  # the version it replaced is gone
    assert years == [2026]


def message(key: str, status: OutboxStatus, sent_at: datetime | None, created: datetime) -> OutboxMessage:
    return OutboxMessage(
        idempotency_key=key,
        kind=DeliveryKind.SEND,
        conversation_key="a:someone",
        reference={"conversation": {"id": "a:someone"}},
        payload={"text": f"Body of {key}"},
        status=status,
        next_attempt_at=created,
        created_at=created,
        sent_at=sent_at,
    )


async def test_message_bodies_are_cleared_90_days_after_sending_and_the_row_stays(
    demo_db: Database, clock: FixedClock
) -> None:
    now = clock.now()
    old, recent = now - timedelta(days=91), now - timedelta(days=10)
    async with demo_db.session() as session:
        session.add_all(
            [
                message("sent-old", OutboxStatus.SENT, old, old),
                message("failed-old", OutboxStatus.FAILED, None, old),
                message("sent-recent", OutboxStatus.SENT, recent, recent),
                message("pending-old", OutboxStatus.PENDING, None, old),
            ]
        )
        await session.commit()
    assert counts(await plan(demo_db, POLICY, now))["message bodies cleared"] == 2

    await purge(demo_db, clock, POLICY, by="test")

    async with demo_db.session() as session:
        rows = {m.idempotency_key: m for m in (await session.exec(select(OutboxMessage))).all()}
    assert rows["sent-old"].payload == {} and rows["failed-old"].payload == {}
    assert (
        rows["sent-old"].status == OutboxStatus.SENT and rows["sent-old"].sent_at == old
    )  # who, when, state
    assert rows["sent-recent"].payload and rows["pending-old"].payload
    assert counts(await plan(demo_db, POLICY, now))["message bodies cleared"] == 0


async def test_dialog_state_not_written_for_30_days_is_deleted(demo_db: Database, clock: FixedClock) -> None:
    now = clock.now()
    async with demo_db.session() as session:
        session.add(BotStateRow(key="msteams/conversations/a:old", data="{}", updated_at=now - 31 * DAY))
        session.add(BotStateRow(key="msteams/conversations/a:new", data="{}", updated_at=now - DAY))
        await session.commit()
    done = await purge(demo_db, clock, POLICY, by="test")
    assert counts(done)["dialog states deleted"] == 1
    async with demo_db.session() as session:
        assert (await session.exec(select(BotStateRow.key))).all() == ["msteams/conversations/a:new"]


async def test_references_go_90_days_after_a_person_left_or_a_team_removed_the_app(
    demo_db: Database, clock: FixedClock
) -> None:
    now = clock.now()
    hannah, grace = await person_id(demo_db, HANNAH), await person_id(demo_db, GRACE)
    async with demo_db.session() as session:
        person = await session.get(Person, hannah)
        assert person is not None
        person.active = False  # Hannah left the roster 100 days ago
        for membership in (
            await session.exec(select(Membership).where(Membership.person_id == hannah))
        ).all():
            membership.active = False
            membership.updated_at = now - timedelta(days=100)
            session.add(membership)
        session.add(person)
        session.add(personal_chat(hannah, HANNAH, now - timedelta(days=100)))
        session.add(personal_chat(grace, GRACE, now - timedelta(days=300)))  # still on the roster
        reference = {"conversation": {"id": "19:general@thread.tacv2"}}
        session.add(
            TeamInstallation(
                team_id="19:gone@thread.tacv2",
                service_url="https://smba.example/uk/",
                general_reference=reference,
                installed=False,
                installed_at=now - timedelta(days=900),
                removed_at=now - timedelta(days=91),
            )
        )
        session.add(
            ChannelLink(
                community_id=1,
                team_id="19:gone@thread.tacv2",
                channel_id="19:cant1@thread.tacv2",
                service_url="https://smba.example/uk/",
                reference=reference,
                linked_by_person_id=grace,
                linked_at=now - timedelta(days=900),
            )
        )
        await session.commit()

    done = await purge(demo_db, clock, POLICY, by="test")

    assert counts(done)["personal chats deleted"] == 1
    assert counts(done)["removed teams' references cleared"] == 1
    async with demo_db.session() as session:
        chats = (await session.exec(select(PersonalChat.person_id))).all()
        links = (await session.exec(select(ChannelLink))).all()
        [team] = (await session.exec(select(TeamInstallation))).all()
    assert chats == [grace] and links == []
    assert team.general_reference == {} and team.removed_at is not None
    assert (await purge(demo_db, clock, POLICY, by="test")).total == 0


async def test_nothing_is_due_on_a_fresh_database(demo_db: Database, clock: FixedClock) -> None:
    assert (await plan(demo_db, POLICY, datetime(2026, 11, 23, tzinfo=UTC))).total == 0
