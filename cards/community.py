"""Cards about communities: one community's overview, and every community's channel status."""

from __future__ import annotations

from collections.abc import Sequence

from cards.elements import Card, card, facts, heading, subheading, text
from communities.roster.overview import ChannelStatusLine, CommunityOverview


def community_card(overview: CommunityOverview) -> Card:
    channel = f"Linked: {overview.channel_name}" if overview.channel_linked else "Not linked to a channel yet"
    body = [
        heading(f"{overview.name} ({overview.code})"),
        facts(
            [
                ("Area", overview.area or "-"),
                ("District", overview.district or "-"),
                ("Chair", ", ".join(overview.chairs) or "No chair recorded yet"),
                ("Vice chair", ", ".join(overview.vice_chairs) or "None recorded"),
                ("Channel", channel),
            ]
        ),
        subheading(f"Schools ({len(overview.schools)})"),
    ]
    if overview.schools:
        body.append(facts([(s.urn, f"{s.name} ({s.phase})") for s in overview.schools]))
    else:
        body.append(text("No schools in the roster for this community yet.", subtle=True))
    return card(body)


def channel_status_card(lines: Sequence[ChannelStatusLine]) -> Card:
    unlinked = [line for line in lines if line.channel_name is None]
    body = [
        heading("Community channels"),
        text(f"Communities with a linked channel: {len(lines) - len(unlinked)} of {len(lines)}."),
    ]
    if unlinked:
        body.append(subheading("Not linked yet"))
        body.append(facts([(line.code, line.name) for line in unlinked]))
    linked = [line for line in lines if line.channel_name is not None]
    if linked:
        body.append(subheading("Linked"))
        body.append(facts([(line.code, f"{line.name}: {line.channel_name}") for line in linked]))
    return card(body)
