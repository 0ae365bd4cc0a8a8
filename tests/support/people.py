"""Demo-roster people, as the tests refer to them."""

from __future__ import annotations

from datetime import datetime

from communities.db import Database
from communities.messaging.teams_links import PersonalChat
from communities.roster.directory import PersonProfile, find_person, load_profile

PRIYA = "priya.shah@kent-demo.example.org"  # officer
DANIEL = "daniel.okafor@westgate-demo.example.org"  # chair of CANT1, school leader
GRACE = "grace.li@stdunstans-demo.example.org"  # vice chair of CANT1, school leader
HANNAH = "hannah.reid@westgate-demo.example.org"  # SENCO at Westgate (CANT1)
TOM = "tom.walsh@ramsgate-demo.example.org"  # chair of THAN2
AMARA = "amara.bello@maidstone-demo.example.org"  # chair of MAID1, no Entra id in the roster

#: The buttons of Daniel's menu (chair of CANT1 and a school leader), in the order the card shows them.
CHAIR_MENU_ACTIONS = [
    "raise_request",
    "my_requests",
    "requests_queue",
    "meetings",
    "agenda",
    "outcomes",
    "minutes",
    "budget",
    "declare_interest",
    "declarations_compliance",
    "find_community",
    "link_help",
    "glossary",
]


def aad_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


async def profile_of(db: Database, email: str) -> PersonProfile:
    async with db.session() as session:
        person = await find_person(session, aad_object_id=None, email=email)
        assert person is not None, email
        return await load_profile(session, person)


def personal_chat(person_id: int, email: str, at: datetime) -> PersonalChat:
    """The row a person's first message to the bot stores, so that the bot can message them
    (in the chat ``a:<email>``)."""
    return PersonalChat(
        teams_user_id=f"29:{email}",
        person_id=person_id,
        service_url="https://smba.example/uk/",
        reference={"serviceUrl": "https://smba.example/uk/", "conversation": {"id": f"a:{email}"}},
        updated_at=at,
    )
