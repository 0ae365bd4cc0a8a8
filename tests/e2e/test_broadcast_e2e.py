"""Broadcasting meeting dates in the real Agents Playground, used through its web UI as a person would.

Priya Shah, the council officer, links the Playground's community channel to CANT1, broadcasts the
demo meeting dates (communities/demo/meetings.csv, loaded by ``cosbot demo`` into the harness's
database) from her personal chat, and then sees the dates card as a new post in the channel and the
delivery report in her chat. MAID1 and THAN2 have no linked channel: the preview and the report say so.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator

from bot.cli import playground as pgconfig
from communities.meetings.csv_files import meeting_end, parse_local_time
from communities.meetings.tables import local, london_wall_time
from communities.wording import counted
from tests.e2e.playground import BOT_NAME, CHANNEL, E2E, REPO, PlaygroundUI
from tests.e2e.test_playground import PRIYA

MEETINGS_CSV = REPO / "communities" / "demo" / "meetings.csv"
#: The range the officer picks: every demo meeting (spring and summer 2027).
FIRST, LAST = date(2027, 1, 1), date(2027, 7, 31)
LINKED = "CANT1"
LINKED_NAME = "Canterbury City Community"
#: The selection as the preview and the report describe it.
SELECTION = "1 Jan 2027 – 31 Jul 2027, all communities"


@dataclass(frozen=True)
class DemoMeeting:
    code: str
    #: London wall-clock times.
    starts: datetime
    ends: datetime

    @property
    def when(self) -> str:
        """As a person reads it on the card: "Wednesday 20 January 2027, 16:00–17:30"."""
        assert self.starts.date() == self.ends.date(), "the demo meetings end on the day they start"
        return f"{self.starts:%A} {self.starts.day} {self.starts:%B %Y, %H:%M}–{self.ends:%H:%M}"


def demo_meetings() -> list[DemoMeeting]:
    """The demo meetings as the CSV gives them (times are London times; ends may be durations)."""
    with MEETINGS_CSV.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    meetings = []
    for row in rows:
        starts = london_wall_time(parse_local_time(row["starts_at"].strip()))
        ends = meeting_end(row["ends_at"].strip(), starts)
        meetings.append(DemoMeeting(row["community_code"].strip(), local(starts), local(ends)))
    return meetings


def pick_date(card: Locator, label: str, day: date) -> None:
    """Set the Input.Date labelled ``label`` as a person does: open its calendar (the Playground's date
    picker has no text entry), page to the month and click the day."""
    card.get_by_role("combobox", name=label).click()
    calendar = card.page.get_by_role("dialog", name="Calendar")
    month = calendar.get_by_role("button", name=re.compile(r"^[A-Z][a-z]+ \d{4}$"))  # "November 2026"
    wanted = day.replace(day=1)
    for _ in range(48):
        shown = datetime.strptime(month.inner_text().strip(), "%B %Y").date()
        if shown == wanted:
            break
        calendar.get_by_title(re.compile("^Next month" if shown < wanted else "^Previous month")).click()
    calendar.get_by_role("button", name=f"{day.day}, {day:%B}, {day.year}", exact=True).click()
    calendar.wait_for(state="hidden")
    shown_value = card.get_by_role("combobox", name=label).input_value()
    assert shown_value == f"{day:%B} {day.day}, {day.year}", f"{label} shows {shown_value!r}"


def facts_after(shown: str, heading: str, titles: Collection[str]) -> dict[str, str]:
    """The facts of the FactSet that follows the subheading ``heading`` in a card's text, as far as their
    titles are in ``titles`` (the Playground renders each title and each value on a line of its own)."""
    lines = [line.strip() for line in shown.partition(heading)[2].splitlines() if line.strip()]
    facts: dict[str, str] = {}
    while len(lines) >= 2 and lines[0] in titles:
        facts[lines[0]] = lines[1]
        lines = lines[2:]
    return facts


def press(ui: PlaygroundUI, card: Locator, button: str | re.Pattern[str], answer: str) -> Locator:
    """Press a card's button and wait for the bot's answer; a script error in the page is the failure."""
    errors: list[str] = []

    def record(error: PlaywrightError) -> None:
        errors.append(f"{error.name}: {error.message}")

    ui.page.on("pageerror", record)
    try:
        card.get_by_role("button", name=button).click()
        return ui.wait_for_bot_message(answer)
    except AssertionError as failure:
        if errors:
            raise AssertionError(
                f"pressing {button!r} raised in the Playground's page, so nothing reached the bot: {errors}"
            ) from failure
        raise
    finally:
        ui.page.remove_listener("pageerror", record)


@pytest.mark.e2e
def test_the_officer_broadcasts_and_the_card_appears_in_the_channel(e2e: E2E) -> None:
    meetings = demo_meetings()
    in_range = [m for m in meetings if FIRST <= m.starts.date() <= LAST]
    communities = sorted({m.code for m in in_range})
    unlinked = [code for code in communities if code != LINKED]
    linked_dates = [m.when for m in in_range if m.code == LINKED]
    assert linked_dates and unlinked, "the demo data has meetings for CANT1 and for other communities"

    ui = e2e.start(as_email=PRIYA)
    ui.wait_for_bot_message("Council officer")
    # The officer links the Playground's community channel to CANT1, as its chair could.
    ui.open_channel(CHANNEL)
    link = ui.new_post("link CANT1")
    ui.wait_for_text(f"is now the channel of {LINKED_NAME} ({LINKED})", within=link)

    ui.open_personal_chat()
    ui.send("broadcast")

    form = ui.wait_for_bot_message("Choose the meetings")
    assert "Broadcast meeting dates" in form.inner_text()
    pick_date(form, "From", FIRST)
    pick_date(form, "To", LAST)
    preview = press(ui, form, "Preview", "Broadcast meeting dates: preview")

    shown = preview.inner_text()
    communities_said = counted(len(communities), "community", "communities")
    in_words = f"{counted(len(in_range), 'meeting')} in {communities_said}"
    assert in_words in shown, shown
    for code in unlinked:
        assert f"No channel is linked to {code}" in shown, shown
    assert f"Meeting dates for {LINKED_NAME} ({LINKED})" in shown  # the sample card
    assert linked_dates[0] in shown

    press(ui, preview, "Send to 1 channel", "Sending the dates to 1 channel")

    # The delivery report: posted "Delivering…", then edited in place by the bot until it is done.
    report_title = "Meeting dates: delivery report"
    ui.wait_for_stream(f"{SELECTION}. Done.", conversation=ui.personal_chat_id, timeout=30)
    report = ui.wait_for_text(f"{SELECTION}. Done.", within=ui.chat_messages_by(BOT_NAME))
    assert ui.chat_messages_by(BOT_NAME).filter(has_text=report_title).count() == 1, "one report, edited"
    shown = report.inner_text()
    assert report_title in shown
    deliveries = facts_after(shown, "Every community", communities)
    assert deliveries == {LINKED: "Sent", **dict.fromkeys(unlinked, "Not sent")}, shown
    not_delivered = facts_after(shown, "Not delivered", communities)
    for code in unlinked:
        assert not_delivered.get(code, "").startswith(f"No channel is linked to {code}"), shown
    assert LINKED not in not_delivered, shown
    edits = ui.observer.bot_messages(report_title, conversation=ui.personal_chat_id)
    assert edits[0].action == "createMessage" and f"{SELECTION}. Delivering…" in edits[0].text
    assert {e.action for e in edits[1:]} == {"updateMessage"}, [e.action for e in edits]
    assert len({e.message.get("messageId") for e in edits}) == 1, "every edit is of the same message"

    # The community channel: the dates card as a new post (not a reply to the link command).
    ui.open_channel(CHANNEL)
    title = f"Meeting dates for {LINKED_NAME} ({LINKED})"
    post = ui.wait_for_bot_message(title)
    shown = post.inner_text()
    assert "link CANT1" not in shown, "the card is a post of its own"
    for when in linked_dates:
        assert when in shown, f"{when!r} not on the channel's card:\n{shown}"
    others = [m.when for m in in_range if m.code != LINKED]
    assert not [when for when in others if when in shown], f"another community's dates are on it:\n{shown}"
    [event] = ui.observer.bot_messages(title, conversation=pgconfig.CHANNEL_ID)
    assert event.conversation_id == pgconfig.CHANNEL_ID, event.conversation_id  # a new post, its own thread
    assert event.thread_id.startswith(pgconfig.CHANNEL_ID + ";messageid="), event.thread_id
    e2e.assert_bot_healthy()
