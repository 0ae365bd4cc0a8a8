"""Configuration for the Microsoft 365 Agents Playground, built from the demo roster.

The Playground (npm ``@microsoft/m365agentsplayground``) emulates Teams locally. Its users must match the demo
roster (``communities/demo/people.csv``) so that the bot recognises them, and it needs a current user plus
exactly five others. This module writes that file::

    python -m bot.cli.playground --as daniel.okafor@westgate-demo.example.org --out .m365agentsplayground.yml
    M365_AGENTS_PLAYGROUND_CONFIG_PATH=.m365agentsplayground.yml \\
        npx agentsplayground -e http://127.0.0.1:3978/api/messages -c msteams --dt

JSON is valid YAML, so the file is written as JSON.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "0.1.1"
TENANT_ID = "00000000-0000-4000-8000-00000000ac01"
BOT_ID = "28:00000000-0000-4000-8000-00000000b07a"
BOT_NAME = "CoS Bot"
TEAM_ID = "19:cosdemo-general@thread.tacv2"  # also the id of its General channel
TEAM_NAME = "Canterbury Community"
TEAM_AAD_GROUP_ID = "00000000-0000-4000-8000-00000000fa01"
CHANNEL_ID = "19:cosdemo-requests@thread.tacv2"
CHANNEL_NAME = "Community channel"
GROUP_CHAT_ID = "19:cosdemo-group@thread.v2"
GROUP_CHAT_NAME = "Demo group chat"

DEFAULT_USER = "priya.shah@kent-demo.example.org"

#: The people in the Playground, in this order: five from the demo roster and one visitor who is not in it.
ROSTER_EMAILS = (
    "priya.shah@kent-demo.example.org",  # council officer
    "daniel.okafor@westgate-demo.example.org",  # chair of CANT1 + school leader
    "grace.li@stdunstans-demo.example.org",  # vice chair of CANT1
    "hannah.reid@westgate-demo.example.org",  # SENCO
    "tom.walsh@ramsgate-demo.example.org",  # chair of THAN2
)


@dataclass(frozen=True)
class PlaygroundUser:
    email: str
    name: str
    aad_object_id: str

    @property
    def teams_id(self) -> str:
        return "29:" + self.aad_object_id

    def as_config(self) -> dict[str, str]:
        given, _, surname = self.name.partition(" ")
        return {
            "id": self.teams_id,
            "name": self.name,
            "userPrincipleName": self.email,  # sic: the Playground's schema spells it so
            "aadObjectId": self.aad_object_id,
            "givenName": given,
            "surname": surname,
            "email": self.email,
        }


VISITOR = PlaygroundUser(
    email="jo.visitor@elsewhere.example.org",
    name="Jo Visitor",
    aad_object_id="00000000-0000-4000-8000-000000000099",
)


def _roster_text() -> str:
    return (resources.files("communities") / "demo" / "people.csv").read_text(encoding="utf-8")


def playground_users() -> list[PlaygroundUser]:
    """The six people of the Playground: five from the demo roster (one row each) and the visitor."""
    found: dict[str, PlaygroundUser] = {}
    for row in csv.DictReader(io.StringIO(_roster_text())):
        email = row["email"].strip().lower()
        if email in ROSTER_EMAILS and email not in found:
            aad = row["aad_object_id"].strip()
            if not aad:
                raise ValueError(f"{email} has no aad_object_id in the demo roster")
            found[email] = PlaygroundUser(email=email, name=row["name"].strip(), aad_object_id=aad)
    missing = [email for email in ROSTER_EMAILS if email not in found]
    if missing:
        raise ValueError(f"not in the demo roster: {', '.join(missing)}")
    return [found[email] for email in ROSTER_EMAILS] + [VISITOR]


def user_by_email(email: str) -> PlaygroundUser:
    wanted = email.strip().lower()
    for user in playground_users():
        if user.email == wanted:
            return user
    known = ", ".join(user.email for user in playground_users())
    raise ValueError(f"{email!r} is not a Playground user; choose one of: {known}")


def personal_chat_id(user: PlaygroundUser) -> str:
    """Each person has their own 1:1 chat with the bot, as in Teams."""
    return f"a:cosdemo-personal-{user.aad_object_id}"


def playground_config(current_email: str) -> dict[str, Any]:
    """The Playground config (schema 0.1.1) with ``current_email`` as the person using the UI."""
    current = user_by_email(current_email)
    others = [user for user in playground_users() if user.email != current.email]
    return {
        "version": SCHEMA_VERSION,
        "tenantId": TENANT_ID,
        "bot": {"id": BOT_ID, "name": BOT_NAME},
        "currentUser": current.as_config(),
        "users": [user.as_config() for user in others],
        "personalChat": {"id": personal_chat_id(current)},
        "groupChat": {"id": GROUP_CHAT_ID, "name": GROUP_CHAT_NAME},
        "team": {
            "id": TEAM_ID,
            "name": TEAM_NAME,
            "aadGroupId": TEAM_AAD_GROUP_ID,
            "channels": [{"id": CHANNEL_ID, "name": CHANNEL_NAME}],
        },
    }


def write_config(path: Path, current_email: str) -> Path:
    """Write the config for ``current_email`` to ``path`` (JSON, which is valid YAML) and return the path."""
    text = json.dumps(playground_config(current_email), indent=2) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.cli.playground",
        description="Write a Microsoft 365 Agents Playground config whose users match the demo roster.",
    )
    parser.add_argument(
        "--as",
        dest="current",
        default=DEFAULT_USER,
        metavar="EMAIL",
        help=f"the person using the Playground UI (default {DEFAULT_USER}); one of: "
        + ", ".join(user.email for user in playground_users()),
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(".m365agentsplayground.yml"),
        metavar="FILE",
        help="where to write the config (default ./.m365agentsplayground.yml)",
    )
    args = parser.parse_args(argv)
    try:
        path = write_config(args.out, args.current)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote {path} (current user: {user_by_email(args.current).name})")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
