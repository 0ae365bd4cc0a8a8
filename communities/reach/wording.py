"""What the reach card, the report and the delivery reasons say. Our proposal: change it here."""

from __future__ import annotations

from communities.reach.tables import Unreachable

REASONS: dict[Unreachable, str] = {
    Unreachable.NOT_IN_TEAM: "not in any team with the bot, and has not opened a chat with it",
    Unreachable.BLOCKED: "Teams refused the chat: the app is blocked for them",
    Unreachable.LEFT: "Teams no longer knows them: they have left the organisation",
    Unreachable.INSTALL_FAILED: "installing the app for them through Microsoft Graph failed",
}

#: Added to the report when the council has not granted the Graph permission.
NO_INSTALL_PERMISSION = (
    "The bot may not install itself for people whom no team reaches: the council has not granted "
    "the Graph permission TeamsAppInstallation.ReadWriteSelfForUser.All (GRAPH_INSTALL_APP)."
)
INSTALL_PERMITTED = (
    "The bot installs itself through Microsoft Graph for people whom no team reaches, then starts the chat."
)


def reason(problem: Unreachable) -> str:
    return REASONS[problem]


def fell_back(problem: Unreachable, detail: str) -> str:
    """The outbox row's failure reason when the chat could not be started."""
    return f"could not start a chat: {REASONS[problem]} ({detail}); the notice's fallback was told instead"
