"""Many communities, each with one meeting and a channel linked in an installed team.

For the broadcast benchmark and the broadcast crash test: the rows ``link CODE`` and a meeting
import would have written, made in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from communities.db import Database
from communities.meetings.tables import Meeting, MeetingOffsets, derived_dates, london_wall_time
from communities.messaging.teams_links import ChannelLink, TeamInstallation
from communities.roster.tables import Area, Community, Person
from tests.support.activities import BOT, TENANT

#: The meetings' London date (a Thursday); a broadcast's selection goes around it.
MEETING_DAY = date(2027, 1, 14)


@dataclass(frozen=True)
class Channel:
    code: str
    name: str
    channel_id: str


def channel_reference(service_url: str, conversation_id: str) -> dict[str, Any]:
    """What ``link CODE`` stores for a channel (``bot.teams.activity.reference_to``)."""
    return {
        "serviceUrl": service_url,
        "channelId": "msteams",
        "bot": BOT,
        "conversation": {
            "id": conversation_id,
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
        },
    }


def community_channel(
    community_id: int,
    code: str,
    linked_by_person_id: int,
    at: datetime,
    service_url: str = "https://smba.example/uk/",
) -> ChannelLink:
    """Community ``code``'s channel (``19:CODE@thread.tacv2`` in team ``19:team-CODE``), linked by a
    person at ``at``: the row ``link CODE`` writes, with a reference of the least a post needs."""
    channel_id = f"19:{code}@thread.tacv2"
    return ChannelLink(
        community_id=community_id,
        team_id=f"19:team-{code}",
        channel_id=channel_id,
        channel_name=f"{code} community",
        service_url=service_url,
        reference={"serviceUrl": service_url, "conversation": {"id": channel_id}},
        linked_by_person_id=linked_by_person_id,
        linked_at=at,
    )


async def seed_linked_communities(
    database: Database, service_url: str, count: int, *, label: str = "Bench"
) -> list[Channel]:
    """``count`` communities named ``<label> Community <n>``, their teams, channels and meetings."""
    now = datetime.now(UTC)
    starts = london_wall_time(datetime(MEETING_DAY.year, MEETING_DAY.month, MEETING_DAY.day, 16, 0))
    deadline, agenda = derived_dates(starts, MeetingOffsets())
    slug = label.lower()
    channels: list[Channel] = []
    async with database.session() as session:
        area = Area(name=f"{label} Kent")
        officer = Person(email=f"{slug}.officer@kent-demo.example.org", display_name=f"{label} Officer")
        session.add_all([area, officer])
        await session.flush()
        assert area.id is not None and officer.id is not None
        communities = [
            Community(
                code=f"{label[:2].upper()}{i:04d}",
                name=f"{label} Community {i}",
                area_id=area.id,
                district=label,
            )
            for i in range(1, count + 1)
        ]
        session.add_all(communities)
        await session.flush()
        for i, community in enumerate(communities, start=1):
            assert community.id is not None
            team_id = f"19:{slug}-team-{i:04d}@thread.tacv2"
            channel_id = f"19:{slug}-channel-{i:04d}@thread.tacv2"
            session.add(
                TeamInstallation(
                    team_id=team_id,
                    name=f"{label} Team {i}",
                    tenant_id=TENANT,
                    service_url=service_url,
                    general_reference=channel_reference(service_url, team_id),
                    installed=True,
                    installed_at=now,
                )
            )
            session.add(
                ChannelLink(
                    community_id=community.id,
                    team_id=team_id,
                    channel_id=channel_id,
                    channel_name="Community channel",
                    service_url=service_url,
                    tenant_id=TENANT,
                    reference=channel_reference(service_url, channel_id),
                    linked_by_person_id=officer.id,
                    linked_at=now,
                )
            )
            session.add(
                Meeting(
                    community_id=community.id,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=90),
                    location=f"{label} School {i}",
                    online=True,
                    join_url=f"https://teams.microsoft.com/l/meetup-join/{slug}-{i}",
                    submission_deadline=deadline,
                    agenda_publish_by=agenda,
                    created_at=now,
                    updated_at=now,
                )
            )
            channels.append(Channel(community.code, community.name, channel_id))
        await session.commit()
    return channels
