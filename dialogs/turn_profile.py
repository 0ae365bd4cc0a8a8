"""The sender's roster profile for the length of one turn, for dialogs that act as that person.

The handler identifies the sender at the start of every turn (roles can change between turns);
it leaves the profile here so that a dialog never acts on a stale one or looks it up again.
"""

from __future__ import annotations

from botbuilder.core import TurnContext

from communities.roster.directory import PersonProfile

_KEY = "cosbot.profile"


def remember_profile(context: TurnContext, profile: PersonProfile) -> None:
    context.turn_state[_KEY] = profile


def turn_profile(context: TurnContext) -> PersonProfile | None:
    profile = context.turn_state.get(_KEY)
    return profile if isinstance(profile, PersonProfile) else None
