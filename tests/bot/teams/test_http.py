"""The HTTP surface: bad input gets a clear 4xx, never a 500 or a stack trace."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.config import Settings
from tests.support.activities import personal_message, user
from tests.support.fake_connector import FakeConnector

Client = TestClient[Any, Any]


async def assert_refused(response: Any, status: int, words: str) -> None:
    assert response.status == status
    body = await response.json()
    assert words in body["error"]
    assert "Traceback" not in json.dumps(body)


async def test_a_non_json_content_type_is_415(client: Client) -> None:
    response = await client.post("/api/messages", data="hello", headers={"Content-Type": "text/plain"})
    await assert_refused(response, 415, "application/json")


async def test_malformed_json_is_400(client: Client) -> None:
    response = await client.post(
        "/api/messages", data='{"type": "message",', headers={"Content-Type": "application/json"}
    )
    await assert_refused(response, 400, "not valid JSON")


async def test_a_body_over_256_kib_is_413(client: Client, fake: FakeConnector) -> None:
    activity = personal_message(fake.url, user(1), "x" * (257 * 1024))
    await assert_refused(await client.post("/api/messages", json=activity), 413, "over")
    assert fake.requests == []


async def test_a_chunked_body_over_the_limit_is_413_too(client: Client) -> None:
    async def chunks() -> Any:
        for _ in range(300):
            yield b"x" * 1024

    response = await client.post("/api/messages", data=chunks(), headers={"Content-Type": "application/json"})
    await assert_refused(response, 413, "over")


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda a: a.pop("type"), "no type"),
        (lambda a: a.pop("serviceUrl"), "no serviceUrl"),
        (lambda a: a.update(serviceUrl="ftp://x"), "serviceUrl must be an http(s) URL"),
        (lambda a: a.pop("channelId"), "no channelId"),
        (lambda a: a.pop("conversation"), "no conversation.id"),
        (lambda a: a.update(conversation={"id": ""}), "no conversation.id"),
        (lambda a: a.pop("from"), "no from.id"),
        (lambda a: a.update({"from": "someone"}), "no from.id"),
        (lambda a: a.update(recipient=["bot"]), "recipient must be an object"),
    ],
)
async def test_an_activity_missing_required_fields_is_400(
    client: Client, fake: FakeConnector, mutate: Any, words: str
) -> None:
    activity = personal_message(fake.url, user(1), "help")
    mutate(activity)
    await assert_refused(await client.post("/api/messages", json=activity), 400, words)


async def test_a_json_array_is_400(client: Client) -> None:
    await assert_refused(await client.post("/api/messages", json=[1, 2]), 400, "JSON object")


async def test_an_unknown_activity_type_is_accepted_and_ignored(client: Client, fake: FakeConnector) -> None:
    activity = personal_message(fake.url, user(1))
    activity["type"] = "somethingNew"
    response = await client.post("/api/messages", json=activity)
    assert response.status == 200
    assert fake.requests == []


async def test_other_methods_and_paths_are_plain_errors(client: Client) -> None:
    assert (await client.get("/api/messages")).status == 405
    response = await client.get("/nope")
    assert response.status == 404 and "Traceback" not in await response.text()


async def test_healthz_is_ok_when_the_database_answers(client: Client) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_healthz_is_503_when_the_database_does_not() -> None:
    settings = Settings(database_url="postgresql+psycopg://cosbot:x@127.0.0.1:1/cosbot")
    async with TestClient(TestServer(create_app(settings))) as broken:
        response = await broken.get("/healthz")
        assert response.status == 503
        assert (await response.json())["status"] == "unavailable"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timestamp", "yesterday"),
        ("timestamp", "2026-13-23T09:30:01Z"),
        ("localTimestamp", "2026-11-23 09:30"),
        ("entities", "not a list"),
        ("entities", [1]),
        ("membersAdded", [{"id": "29:x"}, "y"]),
        ("historyDisclosed", "yes"),
    ],
)
async def test_a_field_of_the_wrong_shape_is_400(
    client: Client, fake: FakeConnector, field: str, value: Any
) -> None:
    activity = personal_message(fake.url, user(1), "help")
    activity[field] = value
    await assert_refused(await client.post("/api/messages", json=activity), 400, "Bot Framework shape")
    assert fake.requests == []


@pytest.mark.parametrize(
    "timestamps",
    [
        {"timestamp": "2026-11-23T09:30:01.2534567Z", "localTimestamp": "2026-11-23T09:30:01.2534567+00:00"},
        {"timestamp": "2026-11-23T09:30:01Z", "localTimestamp": "2026-11-23T04:30:01.25-05:00"},
        {"timestamp": "2026-11-23t09:30:01z"},  # msrest reads lower case too
    ],
)
async def test_teams_timestamps_with_fractions_and_offsets_are_accepted(
    client: Client, fake: FakeConnector, timestamps: dict[str, str]
) -> None:
    activity = {**personal_message(fake.url, user(1), "help"), **timestamps}
    response = await client.post("/api/messages", json=activity)
    assert response.status == 201
    [answer] = fake.activities(activity["conversation"]["id"])
    assert answer.text or answer.card
