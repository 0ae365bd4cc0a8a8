"""BotConnector against the fake Bot Connector, and the fake's own enforcement of Teams' rules."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest

from bot.teams.connector import BotConnector, ConnectorError, NoTokens
from tests.support.fake_connector import FakeConnector, Fault

CHANNEL = "19:c0ffee@thread.tacv2"
THREAD = f"{CHANNEL};messageid=1700000000001"
CHAT = "a:1chat"


class StaticToken:
    def __init__(self, token: str) -> None:
        self._token = token

    async def token(self) -> str | None:
        return self._token


@pytest.fixture
async def fake() -> AsyncIterator[FakeConnector]:
    async with FakeConnector(prefix="/emea", latency=0.0) as server:
        yield server


def message(text: str = "hello") -> dict[str, Any]:
    return {"type": "message", "text": text}


async def send_error(
    connector: BotConnector, fake: FakeConnector, conversation: str = CHAT
) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        await connector.send_to_conversation(fake.url, conversation, message())
    return caught.value


# ------------------------------------------------------------ ConnectorError


async def test_retry_after_in_seconds(connector: BotConnector, fake: FakeConnector) -> None:
    fake.script(CHAT, Fault.throttle(retry_after="3"))
    error = await send_error(connector, fake)
    assert error.status == 429 and error.retry_after == 3.0 and error.transient


async def test_retry_after_as_an_http_date(connector: BotConnector, fake: FakeConnector) -> None:
    when = datetime.now(UTC) + timedelta(seconds=120)
    fake.script(CHAT, Fault.throttle(retry_after=format_datetime(when, usegmt=True)))
    error = await send_error(connector, fake)
    assert error.retry_after is not None and 100 <= error.retry_after <= 121


async def test_a_retry_after_in_the_past_or_unreadable(connector: BotConnector, fake: FakeConnector) -> None:
    past = format_datetime(datetime.now(UTC) - timedelta(minutes=5), usegmt=True)
    fake.script(CHAT, Fault.throttle(retry_after=past))
    assert (await send_error(connector, fake)).retry_after == 0.0
    fake.script("a:1other", Fault.throttle(retry_after="soon"))
    assert (await send_error(connector, fake, "a:1other")).retry_after is None


async def test_the_error_body_gives_code_and_message(connector: BotConnector, fake: FakeConnector) -> None:
    fake.script(CHAT, Fault.error(403, "BotDisabledByAdmin", "The tenant admin disabled this bot"))
    error = await send_error(connector, fake)
    assert error.status == 403 and not error.transient
    assert error.detail == "BotDisabledByAdmin The tenant admin disabled this bot"
    assert error.reason.startswith("the bot is not allowed to post here")
    assert "The tenant admin disabled this bot" in error.reason


async def test_a_body_that_is_not_json(connector: BotConnector, fake: FakeConnector) -> None:
    fake.script(CHAT, Fault(status=502, body="<html>Bad Gateway</html>"))
    error = await send_error(connector, fake)
    assert error.status == 502 and error.transient and error.detail == "<html>Bad Gateway</html>"
    assert error.reason == "Teams answered 502 (<html>Bad Gateway</html>)"


@pytest.mark.parametrize(
    ("status", "transient"),
    [(412, True), (429, True), (500, True), (502, True), (503, True), (504, True)]
    + [(400, False), (401, False), (403, False), (404, False), (413, False)],
)
async def test_which_statuses_are_worth_retrying(
    connector: BotConnector, fake: FakeConnector, status: int, transient: bool
) -> None:
    fake.script(CHAT, status)
    error = await send_error(connector, fake)
    assert error.status == status and error.transient is transient


async def test_a_dropped_connection_is_a_transient_network_error(
    connector: BotConnector, fake: FakeConnector
) -> None:
    fake.script(CHAT, Fault.dropped())
    error = await send_error(connector, fake)
    assert error.status == 0 and error.transient
    assert error.reason.startswith("Teams could not be reached")
    assert fake.activities(CHAT) == []


async def test_a_refused_token_reads_well(http: aiohttp.ClientSession) -> None:
    async with FakeConnector(expect_token="s3cret") as fake:
        good = BotConnector(http, StaticToken("s3cret"))
        await good.send_to_conversation(fake.url, CHAT, message())
        error = await send_error(BotConnector(http, NoTokens()), fake)
        assert fake.requests[0].authorization == "Bearer s3cret"
    assert error.status == 401 and error.reason.startswith("the bot's credentials were refused")


# --------------------------------------------------------- calls and routes


async def test_ids_are_escaped_and_the_service_url_path_is_kept(
    connector: BotConnector, fake: FakeConnector
) -> None:
    assert fake.url.endswith("/emea/")
    answer = await connector.reply_to_activity(fake.url, THREAD, "1700000000001", message("a reply"))

    [request] = fake.requests
    assert request.path == f"/v3/conversations/{THREAD}/activities/1700000000001"
    assert request.operation == "reply" and request.conversation_id == THREAD
    [posted] = fake.activities(THREAD)
    assert posted.id == answer["id"] and posted.reply_to_id == "1700000000001" and posted.text == "a reply"
    fake.assert_no_violations()


async def test_a_new_thread_then_an_update(connector: BotConnector, fake: FakeConnector) -> None:
    created = await connector.create_conversation(
        fake.url,
        {"isGroup": True, "channelData": {"channel": {"id": CHANNEL}}, "activity": message("agenda")},
    )
    thread, root = created["id"], created["activityId"]
    assert thread == f"{CHANNEL};messageid={root}"
    assert fake.threads(CHANNEL) == [thread]

    await connector.update_activity(fake.url, thread, root, {**message("agenda v2"), "id": root})

    posted = fake.activity(root)
    assert posted.text == "agenda v2" and posted.updates == 1
    assert [m.text for m in fake.activities(CHANNEL)] == ["agenda v2"]


async def test_updating_an_unknown_activity_is_a_404(connector: BotConnector, fake: FakeConnector) -> None:
    with pytest.raises(ConnectorError) as caught:
        await connector.update_activity(fake.url, CHAT, "404404", message())
    assert caught.value.status == 404 and "ActivityNotFound" in caught.value.detail


async def test_a_personal_chat_has_one_id_per_person(connector: BotConnector, fake: FakeConnector) -> None:
    parameters = {"isGroup": False, "members": [{"id": "29:ann"}], "tenantId": "t"}
    first = await connector.create_conversation(fake.url, parameters)
    again = await connector.create_conversation(fake.url, {**parameters, "activity": message("hi Ann")})
    other = await connector.create_conversation(fake.url, {**parameters, "members": [{"id": "29:bob"}]})

    assert first["id"] == again["id"] != other["id"]
    assert [m.text for m in fake.activities(first["id"])] == ["hi Ann"]


async def test_get_member(connector: BotConnector, fake: FakeConnector) -> None:
    fake.add_member(
        "29:ann", name="Ann Head", aad_object_id="aad-ann", email="ann.head@school.kent.sch.uk", tenant_id="t"
    )

    by_id = await connector.get_member(fake.url, CHANNEL, "29:ann")
    by_aad = await connector.get_member(fake.url, CHANNEL, "aad-ann")
    with pytest.raises(ConnectorError) as caught:
        await connector.get_member(fake.url, CHANNEL, "29:nobody")

    assert by_id == by_aad
    assert by_id["email"] == by_id["userPrincipalName"] == "ann.head@school.kent.sch.uk"
    assert by_id["aadObjectId"] == "aad-ann" and by_id["name"] == "Ann Head"
    assert caught.value.status == 404 and "MemberNotFoundInConversation" in caught.value.detail


async def test_members_can_belong_to_one_conversation(
    http: aiohttp.ClientSession, connector: BotConnector, fake: FakeConnector
) -> None:
    fake.add_member("29:ann", name="Ann", conversation_id=CHANNEL)
    fake.add_channel("19:team", "19:team", None)
    fake.add_channel("19:team", CHANNEL, "SEND")

    assert (await connector.get_member(fake.url, CHANNEL, "29:ann"))["name"] == "Ann"
    with pytest.raises(ConnectorError):
        await connector.get_member(fake.url, "19:elsewhere@thread.tacv2", "29:ann")
    async with http.get(fake.url + "v3/conversations/" + CHANNEL + "/pagedmembers") as response:
        assert [m["id"] for m in (await response.json())["members"]] == ["29:ann"]
    async with http.get(fake.url + "v3/teams/19:team/conversations") as response:
        assert [c["name"] for c in (await response.json())["conversations"]] == [None, "SEND"]


# -------------------------------------------------------- the fake's rules


async def test_the_fake_throttles_an_eighth_send_in_a_second(
    connector: BotConnector, fake: FakeConnector
) -> None:
    for n in range(7):
        await connector.send_to_conversation(fake.url, CHAT, message(str(n)))

    error = await send_error(connector, fake)
    again = await send_error(connector, fake)

    assert error.status == 429 and error.retry_after is not None and error.retry_after >= 1
    assert [v.kind for v in fake.violations] == ["rate_limit", "retry_after_ignored"]
    assert again.status == 429
    assert len(fake.activities(CHAT)) == 7
    with pytest.raises(AssertionError, match="2 violation"):
        fake.assert_no_violations()


async def test_the_fake_counts_threads_against_their_channel(
    connector: BotConnector, fake: FakeConnector
) -> None:
    for n in range(4):
        await connector.send_to_conversation(fake.url, CHANNEL, message(str(n)))
    for n in range(3):
        await connector.send_to_conversation(fake.url, THREAD, message(str(n)))

    error = await send_error(connector, fake, THREAD)  # the 8th in well under a second

    assert error.status == 429
    assert [v.kind for v in fake.violations] == ["rate_limit"]
    assert fake.violations[0].thread == CHANNEL


async def test_the_fake_keeps_a_global_limit(connector: BotConnector) -> None:
    async with FakeConnector(global_limit=(5, 1.0), latency=0.0) as fake:
        for n in range(5):
            await connector.send_to_conversation(fake.url, f"a:1chat{n}", message())
        error = await send_error(connector, fake, "a:1chat9")
    assert error.status == 429
    assert [v.kind for v in fake.violations] == ["global_rate_limit"]


async def test_the_fake_sees_two_requests_in_flight_to_one_conversation(http: aiohttp.ClientSession) -> None:
    # Two connectors, as two replicas would be: each queues only its own calls.
    one, other = BotConnector(http, NoTokens()), BotConnector(http, NoTokens())
    async with FakeConnector(latency=0.05) as fake:
        await asyncio.gather(
            one.send_to_conversation(fake.url, "a:1x", message()),
            other.send_to_conversation(fake.url, "a:1y", message()),
        )
        assert fake.violations == [] and fake.peak_concurrency() == 2
        await asyncio.gather(
            one.send_to_conversation(fake.url, THREAD, message()),
            other.send_to_conversation(fake.url, CHANNEL, message()),
        )
    assert [v.kind for v in fake.violations] == ["concurrent"]


async def test_posts_and_edits_in_one_conversation_go_one_at_a_time(connector: BotConnector) -> None:
    """A turn's reply and the outbox's edit in the same chat (or a channel and its thread) queue;
    other conversations still go side by side."""
    async with FakeConnector(latency=0.05) as fake:
        first = await connector.send_to_conversation(fake.url, CHAT, message("report"))
        await asyncio.gather(
            connector.update_activity(fake.url, CHAT, first["id"], message("report, edited")),
            connector.reply_to_activity(fake.url, CHAT, first["id"], message("already sent")),
            connector.send_to_conversation(fake.url, THREAD, message()),
            connector.send_to_conversation(fake.url, CHANNEL, message()),
            connector.send_to_conversation(fake.url, "a:1other", message()),
        )
        assert fake.violations == []
        assert fake.peak_concurrency() == 3  # the chat, the channel, the other chat
    assert connector._threads == {}  # nothing kept once the conversations are quiet


async def test_the_fake_flags_unknown_routes(http: aiohttp.ClientSession, fake: FakeConnector) -> None:
    # A client that lost the serviceUrl's path (/emea) calls the wrong place.
    url = fake.url.removesuffix("emea/") + "v3/conversations/a:1x/activities"
    async with http.post(url, json=message()) as response:
        assert response.status == 404
    assert [v.kind for v in fake.violations] == ["unknown_route"]


async def test_scripted_faults_run_in_order_then_normal(connector: BotConnector, fake: FakeConnector) -> None:
    fake.script(CHAT, 502, Fault.slow(0.05))
    assert (await send_error(connector, fake)).status == 502
    await connector.send_to_conversation(fake.url, CHAT, message("slow"))
    await connector.send_to_conversation(fake.url, CHAT, message("normal"))
    fake.fail(CHAT, 404)
    assert (await send_error(connector, fake)).status == 404
    fake.heal(CHAT)
    await connector.send_to_conversation(fake.url, CHAT, message("healed"))
    assert [m.text for m in fake.activities(CHAT)] == ["slow", "normal", "healed"]


async def test_wait_for_returns_the_value_or_times_out(connector: BotConnector, fake: FakeConnector) -> None:
    async def later() -> None:
        await asyncio.sleep(0.05)
        await connector.send_to_conversation(fake.url, CHAT, message("late"))

    task = asyncio.create_task(later())
    found = await fake.wait_for(lambda: fake.activities(CHAT), timeout=5)
    await task
    assert [m.text for m in found] == ["late"]
    with pytest.raises(TimeoutError, match="condition not met"):
        await fake.wait_for(lambda: fake.activities("a:1never"), timeout=0.1)
