"""The personal-chat menu card: who you are to the bot, and what you can do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cards.elements import Card, Element, card, facts, heading, subheading, submit, text
from communities.permissions import (
    CONTINUE_DRAFT,
    DECLARATIONS_SECTION,
    HELP_SECTION,
    MEETINGS_SECTION,
    MY_REQUESTS,
    RAISE_REQUEST,
    REQUESTS_QUEUE,
    Capability,
)
from communities.roster.directory import PersonProfile


def menu_card(
    profile: PersonProfile,
    capabilities: Sequence[Capability],
    chairs_by_community: Mapping[str, Sequence[str]],
) -> Card:
    """``chairs_by_community`` maps a community code to its chairs' names."""
    roles = [
        held.role.spelled_out
        + (f", {held.school.name}" if held.school else "")
        + (f", {held.community.name}" if held.community and not held.school else "")
        for held in profile.roles
    ]
    rows: list[tuple[str, str]] = [("Roles", "; ".join(roles) or "None")]
    if profile.schools:
        rows.append(
            ("School", "; ".join(f"{s.name}, unique reference number (URN) {s.urn}" for s in profile.schools))
        )
    for community in profile.communities:
        rows.append(("Community", f"{community.name} ({community.code})"))
        chairs = chairs_by_community.get(community.code) or []
        rows.append(("Chair", ", ".join(chairs) if chairs else "No chair recorded yet"))
    body: list[Element] = [
        heading("Communities of Schools"),
        text(f"Signed in as **{profile.display_name}** ({profile.email})"),
        facts(rows),
    ]
    if capabilities:
        body.append(text("What would you like to do?"))
    # Each button sits beside its description, under its section's heading (Teams shows at most
    # 6 card actions at the foot of a card, far from what they do).
    for section in sorted(dict.fromkeys(map(section_of, capabilities)), key=_SECTIONS.index):
        body.append(subheading(section))
        body += [capability_row(c) for c in capabilities if section_of(c) == section]
    body.append(text("Write `help` at any time to see this menu again.", subtle=True))
    return card(body)


#: The menu's sections, in order; a capability without a section of its own goes under one by key.
REQUESTS_SECTION, COMMUNITIES_SECTION = "Requests", "Communities and channels"
_SECTIONS = [REQUESTS_SECTION, MEETINGS_SECTION, DECLARATIONS_SECTION, COMMUNITIES_SECTION, HELP_SECTION]
_REQUEST_KEYS = frozenset(c.key for c in (RAISE_REQUEST, CONTINUE_DRAFT, MY_REQUESTS, REQUESTS_QUEUE))


def section_of(capability: Capability) -> str:
    if capability.section in _SECTIONS:
        return capability.section
    return REQUESTS_SECTION if capability.key in _REQUEST_KEYS else COMMUNITIES_SECTION


def capability_row(capability: Capability) -> Element:
    """One thing to do: its title and description, with its button beside them."""
    return {
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {
                "type": "Column",
                "width": "stretch",
                "verticalContentAlignment": "Center",
                "items": [text(f"**{capability.title}**: {capability.description}")],
            },
            {
                "type": "Column",
                "width": "auto",
                "verticalContentAlignment": "Center",
                "items": [{"type": "ActionSet", "actions": [submit(capability.title, capability.key)]}],
            },
        ],
    }


def suggestions_card(said: str, capabilities: Sequence[Capability]) -> Card:
    """What the bot did not understand (``said``), and the few things the person most likely wants."""
    body: list[Element] = [text(said)]
    if capabilities:
        body.append(text("Perhaps one of these?"))
        body += [capability_row(c) for c in capabilities]
    body.append(text("Or write `help` to see everything I can do for you.", subtle=True))
    return card(body)


def not_registered_text(display_name: str | None, support_contact: str, officers: Sequence[str]) -> str:
    hello = f"Hello {display_name}. " if display_name else ""
    ask = f"Please ask {support_contact}"
    if officers:
        ask += f" or a council officer ({', '.join(officers[:3])})"
    return (
        f"{hello}You are not registered with the Communities of Schools bot, so I can't show you "
        f"a community yet. {ask} to add you to the roster with your school email address."
    )
