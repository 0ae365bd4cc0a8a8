"""Imports every domain table, so that ``SQLModel.metadata`` knows them all."""

from __future__ import annotations

from communities.agendas.tables import Agenda
from communities.audit import AuditEvent
from communities.broadcasts.tables import Broadcast, BroadcastTarget
from communities.budget.overspend import OverspendRequest
from communities.budget.tables import BudgetYear, LedgerEntry
from communities.declarations.code_of_conduct import CodeOfConductAcceptance
from communities.declarations.tables import DeclarationConfirmation, InterestDeclaration
from communities.disputes.outcome_history import OutcomeVersion
from communities.disputes.tables import Dispute, DisputeEvent
from communities.meetings.rsvp import Rsvp  # noqa: F401  (registers the table)
from communities.meetings.tables import CalendarFeed, Meeting
from communities.messaging.outbox import OutboxMessage
from communities.messaging.teams_links import ChannelLink, PersonalChat, TeamInstallation
from communities.minutes.tables import Minutes
from communities.outcomes.tables import (
    MeetingAttendance,
    Outcome,
    OutcomeAction,
    OutcomeReview,
    SchoolReviewAnswer,
)
from communities.reach.tables import ReachProblem, TeamMember
from communities.requests.tables import Request, RequestSequence
from communities.roster.tables import Area, Community, Membership, Person, School
from communities.terms.tables import TermDate

__all__ = [
    "Agenda",
    "Area",
    "AuditEvent",
    "Broadcast",
    "BroadcastTarget",
    "BudgetYear",
    "CalendarFeed",
    "ChannelLink",
    "CodeOfConductAcceptance",
    "Community",
    "DeclarationConfirmation",
    "Dispute",
    "DisputeEvent",
    "InterestDeclaration",
    "LedgerEntry",
    "Meeting",
    "MeetingAttendance",
    "Membership",
    "Minutes",
    "OutboxMessage",
    "Outcome",
    "OverspendRequest",
    "OutcomeAction",
    "OutcomeReview",
    "OutcomeVersion",
    "Person",
    "PersonalChat",
    "ReachProblem",
    "Request",
    "RequestSequence",
    "School",
    "TermDate",
    "SchoolReviewAnswer",
    "TeamInstallation",
    "TeamMember",
]
