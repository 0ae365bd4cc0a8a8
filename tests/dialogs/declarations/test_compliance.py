"""`compliance` in personal chat: one summary card for an officer, a community's card on request, and a
refusal in words for a community the person may not see."""

from __future__ import annotations

from sqlmodel import col, select

from communities.audit import AuditEvent
from communities.clock import FixedClock
from communities.db import Database
from dialogs.declarations.compliance import compliance_code
from tests.dialogs.chat import action, flat
from tests.dialogs.declarations.test_register_dialog import DeclarationsChat, accepted
from tests.support.people import DANIEL, HANNAH, PRIYA, TOM

REFUSED = "Sorry: Only the community's chair or vice chair, or a council officer, can see who has confirmed"


async def audited(db: Database, *actions: str) -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = await session.exec(
            select(AuditEvent).where(col(AuditEvent.action).in_(actions)).order_by(col(AuditEvent.id))
        )
        return [(row.action, row.entity_id) for row in rows.all()]


async def test_an_officer_gets_one_summary_card_and_opens_a_community_from_it(
    demo_db: Database, clock: FixedClock
) -> None:
    await accepted(demo_db, clock, PRIYA, TOM)
    await DeclarationsChat(demo_db, clock, TOM).press({"form": "declarations", "command": "nothing"})
    officer = DeclarationsChat(demo_db, clock, PRIYA)

    shown = await officer.say("compliance")

    [summary] = shown.cards  # one card, not one per community
    text = flat(summary)
    assert "Declarations of interest by community, 2026/27" in text
    assert "1 of 5 members confirmed, in 3 communities" in text
    assert "**Canterbury City Community (CANT1)**: 0 of 3 confirmed, 3 not confirmed" in text
    assert "**Maidstone Town Community (MAID1)**: 0 of 1 confirmed, 1 not confirmed" in text
    assert "**Thanet Coast Community (THAN2)**: 1 of 1 confirmed, 0 not confirmed" in text
    assert "Tom Walsh" not in text  # counts only: names are on each community's card

    opened = await officer.press(action(summary, "Open THAN2"))

    [detail] = opened.cards
    confirmed, not_confirmed = flat(detail).split("Not yet confirmed")
    assert "Declarations of interest: Thanet Coast Community (THAN2)" in confirmed
    assert "Tom Walsh" in confirmed and "Nothing to declare, 23 November 2026" in confirmed
    assert await audited(
        demo_db, "declaration_compliance_summary_viewed", "declaration_compliance_viewed"
    ) == [
        ("declaration_compliance_summary_viewed", "*"),
        ("declaration_compliance_viewed", "THAN2"),
    ]


async def test_compliance_with_a_code_shows_that_community(demo_db: Database, clock: FixedClock) -> None:
    await accepted(demo_db, clock, PRIYA, DANIEL)

    typed = await DeclarationsChat(demo_db, clock, PRIYA).say("compliance cant1")

    [detail] = typed.cards
    assert "Declarations of interest: Canterbury City Community (CANT1)" in flat(detail)
    assert "0 of 3 members confirmed" in flat(detail)
    own = await DeclarationsChat(demo_db, clock, DANIEL).say("compliance CANT1")  # a chair: his own
    assert "Canterbury City Community (CANT1)" in flat(own.card)
    unknown = await DeclarationsChat(demo_db, clock, PRIYA).say("compliance NOPE9")
    assert unknown.cards == [] and "Sorry: I can't find a community with the code NOPE9." in unknown.text


async def test_a_chair_with_one_community_gets_its_card_straight_away(
    demo_db: Database, clock: FixedClock
) -> None:
    await accepted(demo_db, clock, DANIEL)

    shown = await DeclarationsChat(demo_db, clock, DANIEL).say("compliance")

    [detail] = shown.cards
    assert "Declarations of interest: Canterbury City Community (CANT1)" in flat(detail)
    assert "by community" not in flat(detail)


async def test_a_forged_button_for_another_community_is_refused_in_words(
    demo_db: Database, clock: FixedClock
) -> None:
    await accepted(demo_db, clock, DANIEL, HANNAH)
    chair = DeclarationsChat(demo_db, clock, DANIEL)

    forged = await chair.press({"action": "declarations_compliance", "community": "THAN2"})
    typed = await chair.say("compliance than2")
    senco = await DeclarationsChat(demo_db, clock, HANNAH).press(
        {"action": "declarations_compliance", "community": "CANT1"}
    )

    for refused in (forged, typed, senco):
        assert refused.cards == [] and REFUSED in refused.text
        assert "Tom Walsh" not in refused.text
    assert await audited(demo_db, "declaration_compliance_refused", "declaration_compliance_viewed") == [
        ("declaration_compliance_refused", "THAN2"),
        ("declaration_compliance_refused", "THAN2"),
        ("declaration_compliance_refused", "CANT1"),
    ]


def test_the_community_asked_for_is_read_from_the_button_or_the_words() -> None:
    assert compliance_code("", {"action": "declarations_compliance", "community": " THAN2 "}) == "THAN2"
    assert compliance_code("compliance  cant1 ", None) == "cant1"
    assert compliance_code("Compliance CANT1", None) == "CANT1"
    for text, value in (
        ("compliance", None),  # the menu's word: no community
        ("", {"action": "declarations_compliance"}),  # the menu's button
        ("", {"action": "declarations_compliance", "community": 7}),
        ("", {"action": "accept_code_of_conduct", "then": "declarations_compliance"}),
    ):
        assert compliance_code(text, value) is None, (text, value)
    assert compliance_code("compliance " + "X" * 5000, None) == "X" * 20  # quoted back in a refusal: short
