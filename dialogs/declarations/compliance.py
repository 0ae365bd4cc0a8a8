"""Declarations compliance: who in a community has confirmed their declarations this year.

`compliance` shows a chair their community's card; someone who may see more than one
community (an officer sees all of them) gets one summary card with a button per community
instead. `compliance CODE`, or a summary button, shows that one community; the domain decides
who may see which.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext

from cards.declaration_cards import compliance_card, compliance_summary_card
from communities.clock import Clock
from communities.db import Database
from communities.declarations.register import Refusal
from communities.declarations.views import (
    CommunityCompliance,
    ComplianceSummary,
    compliance_overview,
    compliance_view,
)
from communities.roster.directory import PersonProfile
from dialogs.community_code import community_asked
from dialogs.replies import send_card


def compliance_code(text: str, value: Any) -> str | None:
    """The community asked for: a compliance summary button's, or typed (`compliance CANT1`)."""
    return community_asked("compliance", text, value)


async def send_compliance(
    ctx: TurnContext,
    database: Database,
    clock: Clock,
    profile: PersonProfile,
    community_code: str | None = None,
) -> None:
    """That community's card (with a code); else the card of the one community the person may see,
    or one summary card of all they may see; a refusal in words if they may not see it."""
    shown: list[CommunityCompliance] | CommunityCompliance | ComplianceSummary | Refusal
    async with database.session() as session:
        if community_code is None:
            shown = await compliance_overview(session, clock, profile)
        else:
            shown = await compliance_view(session, clock, profile, community_code)
        await session.commit()  # the read (or the refusal) is audited
    if isinstance(shown, Refusal):
        await ctx.send_activity(f"Sorry: {shown.reason}")
    elif isinstance(shown, ComplianceSummary):
        await send_card(ctx, compliance_summary_card(shown))
    else:
        for view in shown if isinstance(shown, list) else [shown]:
            await send_card(ctx, compliance_card(view))
