"""Who may do what. Every action the bot offers is checked here against the person's roles."""

from __future__ import annotations

from dataclasses import dataclass

from .directory import PersonProfile
from .roles import Role
from .roster import Community


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


ALLOWED = Decision(True)


@dataclass(frozen=True)
class Capability:
    """An action the bot offers on the menu card. ``roles`` None means every registered person."""

    key: str
    title: str
    description: str
    roles: frozenset[Role] | None = None

    def offered_to(self, profile: PersonProfile) -> bool:
        return self.roles is None or bool(self.roles & profile.role_set)


FIND_COMMUNITY = Capability(
    "find_community", "Find a community", "See a community's schools, chair and channel."
)
LINK_HELP = Capability(
    "link_help",
    "Link a channel",
    "Make a Teams channel your community's channel.",
    frozenset({Role.CHAIR, Role.OFFICER}),
)
CHANNEL_STATUS = Capability(
    "channel_status",
    "Community channels",
    "Which communities have a linked channel, and which do not yet.",
    frozenset({Role.OFFICER}),
)

#: Everything the menu can offer, in menu order. Later capabilities are added here.
CAPABILITIES: tuple[Capability, ...] = (FIND_COMMUNITY, LINK_HELP, CHANNEL_STATUS)


def menu_for(profile: PersonProfile) -> list[Capability]:
    return [c for c in CAPABILITIES if c.offered_to(profile)]


def capability(key: str) -> Capability | None:
    return next((c for c in CAPABILITIES if c.key == key), None)


def may_use(profile: PersonProfile, key: str) -> Decision:
    found = capability(key)
    if found is None:
        return Decision(False, "I don't know that action.")
    if not found.offered_to(profile):
        allowed = ", ".join(sorted(r.label.lower() for r in found.roles or ()))
        return Decision(False, f"“{found.title}” is only for a {allowed}.")
    return ALLOWED


def may_link_channel(profile: PersonProfile, community: Community) -> Decision:
    """An officer may link any community's channel; a chair only their own community's."""
    if profile.has_role(Role.OFFICER):
        return ALLOWED
    assert community.id is not None
    if profile.has_role(Role.CHAIR, community.id):
        return ALLOWED
    return Decision(
        False,
        f"Only a council officer or the chair of {community.code} can link or unlink "
        f"the channel of {community.name}.",
    )
