"""The personal-chat menu card: who you are to the bot, and what you can do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cards.elements import Card, Element, card, facts, heading, subheading, submit, text
from communities.permissions import Capability
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
    main = [c for c in capabilities if not c.section]
    if capabilities:
        body.append(text("What would you like to do?"))
        body += [text(f"**{c.title}**: {c.description}", subtle=True) for c in main]
    # A section's buttons sit in the body under its heading: Teams shows at most 6 card actions.
    for section in dict.fromkeys(c.section for c in capabilities if c.section):
        grouped = [c for c in capabilities if c.section == section]
        body.append(subheading(section))
        body += [text(f"**{c.title}**: {c.description}", subtle=True) for c in grouped]
        body.append({"type": "ActionSet", "actions": [submit(c.title, c.key) for c in grouped]})
    body.append(text("Write `help` at any time to see this menu again.", subtle=True))
    return card(body, [submit(c.title, c.key) for c in main])


def not_registered_text(display_name: str | None, support_contact: str, officers: Sequence[str]) -> str:
    hello = f"Hello {display_name}. " if display_name else ""
    ask = f"Please ask {support_contact}"
    if officers:
        ask += f" or a council officer ({', '.join(officers[:3])})"
    return (
        f"{hello}You are not registered with the Communities of Schools bot, so I can't show you "
        f"a community yet. {ask} to add you to the roster with your school email address."
    )
