"""The return loop through the real app: the chair's note on the card the school edits, a field to
answer it, and the answer highlighted for the chair when the request comes back."""

from __future__ import annotations

import json

from bot.config import Settings
from tests.bot.conftest import Post
from tests.bot.journeys.test_request_triage import GRACE, HANNAH, submitted_request
from tests.bot.journeys.test_requests import last_card, press, press_on, stored, turn
from tests.support.fake_connector import FakeConnector

NOTE = "Please add what the educational psychologist advised."
ANSWER = "The educational psychologist's advice is now in the needs section."


def shown(card: dict[str, object]) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_the_school_answers_the_chairs_note_and_the_chair_sees_the_answer_highlighted(
    fake: FakeConnector, post: Post, settings: Settings
) -> None:
    await turn(fake, post, GRACE, "help")  # the vice chair has a chat with the bot, so can be told
    request_id, ref = await submitted_request(settings)
    await turn(fake, post, GRACE, value={"action": "request_return", "request_id": request_id, "note": NOTE})

    opened = await turn(fake, post, HANNAH, value={"action": "request_continue", "request_id": request_id})
    review = last_card(opened)
    assert NOTE in shown(review) and "The chair returned this request for more information" in shown(review)
    assert "answer_to_chair" in [e.get("id") for e in review["body"]]
    resubmit = next(a for a in review["actions"] if a["title"] == "Resubmit request")
    assert "associatedInputs" not in resubmit  # the answer typed on the card goes with it

    # Nothing typed: the card says what is missing, and nothing is sent.
    again = last_card(await press_on(fake, post, HANNAH, opened, press(review, "Resubmit request")))
    assert "Answer the chair's note" in shown(again)
    assert (await stored(settings, request_id)).status == "returned_for_info"

    # An answer that names a pupil is not sent, and what was typed stays on the card to fix.
    named = "Jack Smith, born 12/03/2016, has now seen the psychologist."
    replies = await turn(fake, post, HANNAH, value=press(again, "Resubmit request", answer_to_chair=named))
    kept = last_card(replies)
    assert "This may identify a child" in shown(kept)
    assert next(e for e in kept["body"] if e.get("id") == "answer_to_chair")["value"] == named
    assert "Jack Smith" not in json.dumps((await stored(settings, request_id)).details)

    done = await turn(fake, post, HANNAH, value=press(kept, "Resubmit request", answer_to_chair=ANSWER))
    assert f"Request {ref} submitted" in shown(last_card(done))
    request = await stored(settings, request_id)
    assert request.status == "submitted" and request.details["answer_to_chair"] == ANSWER

    told = await fake.wait_for(
        lambda: [
            a for a in fake.activities(f"a:chat-{GRACE['id']}") if "answer to your note" in (a.text or "")
        ]
    )
    assert ref in told[0].text
    detail = last_card(
        await turn(fake, post, GRACE, value={"action": "request_open", "request_id": request_id})
    )
    [exchange] = [e for e in detail["body"] if e.get("type") == "Container"]
    assert exchange["style"] == "accent" and "New: the school has answered" in shown(exchange)
    assert NOTE in shown(exchange) and ANSWER in shown(exchange)
