"""Installing the app through (fake) Microsoft Graph for someone no team reaches, then starting the
chat: the real msgraph-sdk client posts ``teamwork/installedApps``; an app already installed (409)
is fine; a failed install records the reason and tells the notice's fallback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from sqlmodel import col, select

from bot.outbox.chat_starts import use_installer
from bot.outbox.sender import OutboxSender
from bot.teams.connector import BotConnector
from bot.teams.members_install import GraphAppInstaller
from communities.clock import FixedClock
from communities.db import Database
from communities.messaging import notices
from communities.messaging.notices import OFFICERS, Notice, People, Tier
from communities.messaging.outbox import Outbox, OutboxMessage, OutgoingMessage
from communities.reach.members import permit_install
from communities.reach.tables import ReachProblem, Unreachable
from scheduler.calendars.graph import build_graph_client
from tests.support.fake_connector import FakeConnector, personal_chat_id
from tests.support.fake_graph import FakeGraph
from tests.support.people import HANNAH, PRIYA, aad_id, personal_chat, profile_of
from tests.support.reach import install_team

CATALOG_APP = "9b1c2d3e-0000-4000-8000-00000000cafe"
PASS_IT_ON = OutgoingMessage(text="Hannah cannot be reached: please pass this on.")


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    async with FakeGraph() as fake:
        yield fake


@pytest.fixture
async def installer(graph: FakeGraph) -> AsyncIterator[GraphAppInstaller]:
    client, close = build_graph_client(AnonymousAuthenticationProvider(), graph.base_url)
    installer = GraphAppInstaller(client, CATALOG_APP, graph.base_url, (close,))
    permit_install(True)
    use_installer(installer)
    yield installer
    permit_install(False)
    use_installer(None)
    await installer.close()


async def test_the_install_posts_the_catalog_app_for_the_user_and_an_existing_install_is_fine(
    graph: FakeGraph, installer: GraphAppInstaller
) -> None:
    await installer.install_for(aad_id(4))
    await installer.install_for(aad_id(4))  # Graph answers 409: installed already
    assert graph.installed_apps == [(aad_id(4), CATALOG_APP)]
    post = graph.graph_requests[0]
    assert (post.method, post.path) == ("POST", f"/v1.0/users/{aad_id(4)}/teamwork/installedApps")
    assert post.json == {
        "@odata.type": "#microsoft.graph.userScopeTeamsAppInstallation",
        "teamsApp@odata.bind": f"{graph.base_url}/appCatalogs/teamsApps/{CATALOG_APP}",
    }
    graph.assert_no_violations()


async def tell_hannah(db: Database, clock: FixedClock) -> None:
    hannah = (await profile_of(db, HANNAH)).person_id
    notice = Notice.to(
        People.of(hannah),
        "test:install",
        OutgoingMessage(text="Your request was received."),
        fallbacks=(Tier(OFFICERS, (PASS_IT_ON,), key_suffix="officer"),),
    )
    async with db.session() as session:
        told = await notices.tell(session, Outbox(clock), notice)
        await session.commit()
    assert told.people == (hannah,)


@pytest.fixture
async def officer_chat(demo_db: Database, clock: FixedClock, fake: FakeConnector) -> None:
    """A team has the bot (it gives the service url and tenant), but it does not list Hannah."""
    await install_team(demo_db, fake.url, clock.now())
    priya = (await profile_of(demo_db, PRIYA)).person_id
    async with demo_db.session() as session:
        chat = personal_chat(priya, PRIYA, clock.now())
        chat.reference = {"serviceUrl": fake.url, "conversation": {"id": f"a:{PRIYA}"}}
        session.add(chat)
        await session.commit()


async def test_someone_no_team_reaches_gets_the_app_installed_then_their_chat(
    demo_db: Database,
    clock: FixedClock,
    fake: FakeConnector,
    connector: BotConnector,
    graph: FakeGraph,
    installer: GraphAppInstaller,
    officer_chat: None,
) -> None:
    await tell_hannah(demo_db, clock)
    await OutboxSender(demo_db, connector, clock, poll_seconds=0.05).drain()
    assert graph.installed_apps == [(aad_id(4), CATALOG_APP)]
    assert [m.text for m in fake.activities(personal_chat_id(aad_id(4)))] == ["Your request was received."]
    assert fake.activities(f"a:{PRIYA}") == []


@pytest.mark.parametrize(
    ("status", "reason", "words"),
    [
        (403, Unreachable.INSTALL_FAILED, "installing the app"),
        (404, Unreachable.LEFT, "left the organisation"),
    ],
)
async def test_a_failed_install_is_recorded_and_the_fallback_is_told(
    status: int,
    reason: Unreachable,
    words: str,
    demo_db: Database,
    clock: FixedClock,
    fake: FakeConnector,
    connector: BotConnector,
    graph: FakeGraph,
    installer: GraphAppInstaller,
    officer_chat: None,
) -> None:
    if status == 404:
        graph.users_without_teams.add(aad_id(4))
    else:
        graph.fail_next(1, status)
    await tell_hannah(demo_db, clock)
    await OutboxSender(demo_db, connector, clock, poll_seconds=0.05).drain()
    async with demo_db.session() as session:
        first, fallback = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
        problem = (await session.exec(select(ReachProblem))).one()
    assert first.status == "failed" and words in (first.failure_reason or "")
    assert fallback.status == "sent" and problem.reason == reason
    assert [m.text for m in fake.activities(f"a:{PRIYA}")] == [PASS_IT_ON.text]
    assert [r for r in fake.requests if r.operation == "create_conversation"] == []


async def test_a_passing_graph_failure_is_retried(
    demo_db: Database,
    clock: FixedClock,
    fake: FakeConnector,
    connector: BotConnector,
    graph: FakeGraph,
    installer: GraphAppInstaller,
    officer_chat: None,
) -> None:
    graph.fail_next(4, 503, retry_after=0)  # the SDK retries 503 itself (3 times) before the outbox does
    await tell_hannah(demo_db, clock)
    sender = OutboxSender(demo_db, connector, clock, poll_seconds=0.05)
    await sender.drain()
    clock.advance(hours=1)
    await sender.drain()
    assert graph.installed_apps == [(aad_id(4), CATALOG_APP)]
    assert [m.text for m in fake.activities(personal_chat_id(aad_id(4)))] == ["Your request was received."]
    async with demo_db.session() as session:
        assert (await session.exec(select(ReachProblem))).first() is None
