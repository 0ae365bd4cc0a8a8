"""The ``reach`` card: per community, how many of its people the bot can reach, and who it cannot."""

from __future__ import annotations

from cards.elements import Card, card, facts, heading, subheading, text
from communities.reach.report import ReachReport

#: At most this many people who cannot be reached are named per community (the report has all).
NAMED = 15


def reach_card(report: ReachReport) -> Card:
    total = sum(len(c.people) for c in report.communities)
    reachable = sum(c.reachable for c in report.communities)
    body = [
        heading("Who the bot can reach"),
        text(f"The bot can message {reachable} of the {total} people in the roster."),
        text(report.permission_note, subtle=True),
    ]
    for community in report.communities:
        title = f"{community.name} ({community.code})" if community.code else community.name
        body.append(subheading(f"{title}: {community.reachable} of {len(community.people)}"))
        missing = community.unreachable
        if not missing:
            body.append(text("Everyone can be reached.", subtle=True))
            continue
        body.append(facts([(p.display_name, p.reason) for p in missing[:NAMED]]))
        if len(missing) > NAMED:
            body.append(
                text(f"And {len(missing) - NAMED} more: `cosbot report reach` lists them all.", subtle=True)
            )
    return card(body)
