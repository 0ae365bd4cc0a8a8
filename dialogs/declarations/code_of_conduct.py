"""The Code of Conduct: accepted once (per version) before anything about declarations.

The gate is applied before the declarations cards and before `declare` and `compliance`; the
"I accept" button then carries on with what the person asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botbuilder.core import TurnContext

from cards.declaration_cards import ACCEPT_CODE, code_of_conduct_card, day
from communities.clock import Clock
from communities.db import Database
from communities.declarations import code_of_conduct
from communities.permissions import DECLARATIONS_COMPLIANCE, DECLARE_INTEREST
from communities.roster.directory import PersonProfile
from dialogs.replies import send_card

#: The menu capabilities that wait for the Code of Conduct to be accepted.
DECLARE_KEY = DECLARE_INTEREST.key
COMPLIANCE_KEY = DECLARATIONS_COMPLIANCE.key
GATED = frozenset({DECLARE_KEY, COMPLIANCE_KEY})


def is_code_of_conduct_submit(value: Any) -> bool:
    return isinstance(value, dict) and value.get("action") == ACCEPT_CODE


async def code_of_conduct_gate(
    ctx: TurnContext, database: Database, profile: PersonProfile, then: str
) -> bool:
    """True (and the Code of Conduct card sent) if the person must accept it before ``then``."""
    async with database.session() as session:
        needed = await code_of_conduct.needs_acceptance(session, profile.person_id)
    if needed:
        await send_card(
            ctx,
            code_of_conduct_card(then),
            "Before you use declarations of interest, please read and accept the Code of Conduct.",
        )
    return needed


async def accept_code_of_conduct(
    ctx: TurnContext, database: Database, clock: Clock, profile: PersonProfile, value: Mapping[str, Any]
) -> str | None:
    """Record an "I accept" press; the action to carry on with, or None if the card was out of date."""
    if value.get("version") != code_of_conduct.CODE_OF_CONDUCT_VERSION:
        await send_card(
            ctx,
            code_of_conduct_card(str(value.get("then") or "")),
            "The Code of Conduct has changed since that card was sent. Here is the current version.",
        )
        return None
    async with database.session() as session:
        row = await code_of_conduct.accept(session, clock, profile.person_id)
        await session.commit()
    await ctx.send_activity(
        f"Thank you. You accepted the Code of Conduct (version {row.version}) on {day(row.accepted_at)}."
    )
    then = value.get("then")
    return then if isinstance(then, str) and then in GATED else None
