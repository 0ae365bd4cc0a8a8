"""Imports every domain table, so that ``SQLModel.metadata`` knows them all."""

from __future__ import annotations

from .agendas import Agenda  # noqa: F401  (registers the table)
from .audit import AuditEvent
from .broadcasts import Broadcast, BroadcastTarget
from .code_of_conduct import CodeOfConductAcceptance
from .declarations import DeclarationConfirmation, InterestDeclaration
from .meetings import CalendarFeed, Meeting
from .outbox import OutboxMessage
from .requests import Request, RequestSequence
from .roster import Area, Community, Membership, Person, School
from .rsvp import Rsvp  # noqa: F401  (registers the table)
from .teams_links import ChannelLink, PersonalChat, TeamInstallation

__all__ = [
    "Area",
    "AuditEvent",
    "Broadcast",
    "BroadcastTarget",
    "CalendarFeed",
    "ChannelLink",
    "CodeOfConductAcceptance",
    "Community",
    "DeclarationConfirmation",
    "InterestDeclaration",
    "Meeting",
    "Membership",
    "OutboxMessage",
    "Person",
    "PersonalChat",
    "Request",
    "RequestSequence",
    "School",
    "TeamInstallation",
]
