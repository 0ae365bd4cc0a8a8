"""Every button any card can render has a route in the chat's table (or a dialog that claims it).

Each card builder in ``cards/`` (and the few cards ``dialogs/`` builds itself) is called with demo
data that shows all of its buttons; the ``action`` (or ``form``) of every Action.Submit is looked
up in the table the bot runs. A card builder added without demo data here fails the walk.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import cards
from cards import agenda_cards, agenda_changes, community, declaration_cards, glossary, menu, welcome
from cards import budget as budget_cards
from cards import reach as reach_cards
from cards.elements import Card
from cards.followup import actions as action_cards
from cards.followup import reviews as review_cards
from cards.followup import summary as summary_cards
from cards.meetings import admin as meeting_admin_cards
from cards.meetings import cancelling as meeting_cancelling
from cards.meetings import dates as meeting_cards
from cards.meetings import rsvp as rsvp_cards
from cards.meetings import timeline as timeline_cards
from cards.minutes import chair as minutes_chair
from cards.minutes import members as minutes_members
from cards.requests import detail as request_detail
from cards.requests import lists as request_lists
from communities.broadcasts.report import Delivery, DeliveryReport, ReportLine
from communities.broadcasts.selection import Selection
from communities.broadcasts.service import CommunityDates, MeetingLine
from communities.budget.ledger import Position
from communities.budget.views import BudgetView, EntryLine
from communities.declarations.register import Answer, DeclarationConfirmation
from communities.declarations.views import (
    CommunityCompliance,
    CommunityCount,
    ComplianceSummary,
    MemberStatus,
)
from communities.declarations.year_register import YearRegister
from communities.meetings.tables import MeetingStatus
from communities.minutes.tables import MinutesStatus
from communities.outcomes.actions import ActionLine
from communities.outcomes.decisions import OutcomeDecision, ReviewResult
from communities.outcomes.school_answers import ReviewQuestion
from communities.outcomes.summary import CommunityOutcomes
from communities.outcomes.tables import ActionStatus
from communities.permissions import CAPABILITIES
from communities.reach.report import CommunityReach, PersonReach, ReachReport, Way
from communities.reach.tables import Unreachable
from communities.requests.lifecycle import RequestStatus
from communities.requests.views import WaitingLine
from communities.roster.directory import PersonProfile
from communities.roster.overview import ChannelStatusLine, CommunityOverview
from dialogs.broadcasts.dates import choose_card
from dialogs.routes import chat_routes
from dialogs.routing import Place, RouteTable
from tests.cards.disputes.test_dispute_cards import demo as dispute_demo
from tests.cards.meetings.test_admin import chair_sees, meeting, view
from tests.cards.meetings.test_rsvp import facts, tally
from tests.cards.meetings.test_universal import universal_demo_cards
from tests.cards.outcomes.test_outcome_cards import demo as outcome_demo
from tests.cards.requests.test_form import all_cards
from tests.cards.requests.test_lists import line
from tests.cards.test_agenda_cards import agenda, item
from tests.cards.test_declaration_cards import interest
from tests.cards.test_funding_cards import demo as funding_demo
from tests.cards.test_minutes_cards import minutes
from tests.cards.test_reporting import demo as report_card_demo
from tests.support.activities import submit_data

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
SUMMARY = timeline_cards.MeetingSummary(
    "CANT1", "Canterbury City Community", "Wednesday 20 January 2027", "Online", None, "10 Jan", "15 Jan"
)
DATES = CommunityDates(
    1,
    "CANT1",
    "Canterbury City Community",
    (MeetingLine("Wed 20 Jan", MeetingStatus.SCHEDULED, "Online", None, "10 Jan", "15 Jan", None, None),),
    {"conversation": {"id": "19:c"}},
    None,
    "https://cosbot.example/calendar/x.ics",
)

ACTION = ActionLine(
    1,
    "Share the nurture plan template",
    "COS-CANT1-26-001",
    1,
    1,
    "CANT1",
    "St Dunstan's",
    date(2027, 1, 15),
    ActionStatus.OPEN,
    False,
)
QUESTION = ReviewQuestion(1, "COS-CANT1-26-001", "Westgate Meadow Primary School", date(2027, 3, 30))


BUDGET_VIEW = BudgetView(
    "CANT1",
    "Canterbury City Community",
    "2026-27",
    Position(4_800_000, 650_000, 150_000),
    (
        EntryLine("3 December 2026", "Allocation: Westgate Meadow Primary School", "£1,500"),
        EntryLine("1 April 2026", "Budget set (budgets.csv row 2)", "£48,000"),
    ),
    2,
)
NO_BUDGET = BudgetView("THAN2", "Thanet Coast Community", "2026-27", Position(), (), 0)


def demo_cards() -> dict[str, list[Card]]:
    """Every card builder, by ``module.function``, with data that shows all of its buttons."""
    every_status = [line(n, status) for n, status in enumerate(RequestStatus, start=1)]
    register = YearRegister(4, 2026, None, (interest(1),), AT)
    confirmed = DeclarationConfirmation(
        person_id=4, academic_year=2026, answer=Answer.INTERESTS, confirmed_at=AT
    )
    members = (MemberStatus(1, "Ann", ("SENCO",), None, None, 0),)
    report = DeliveryReport(9, "Spring", (ReportLine("CANT1", "Canterbury", Delivery.FAILED, "no channel"),))
    everyone = PersonProfile(1, "Priya Shah", "priya@example.org")
    return {
        "agenda_cards.chair_agenda_card": [agenda_cards.chair_agenda_card(agenda((item(1), item(2))))],
        "agenda_cards.chair_agenda_cards": agenda_cards.chair_agenda_cards(agenda((item(1), item(2)))),
        "agenda_cards.channel_agenda_cards": agenda_cards.channel_agenda_cards(agenda((item(1),))),
        "agenda_cards.chair_agenda_outcome_cards": agenda_cards.chair_agenda_outcome_cards(
            agenda((item(1),)), "Published to the community's channel (one card)."
        ),
        "agenda_changes.with_parts": agenda_changes.with_parts(
            agenda_cards.chair_agenda_cards(agenda((item(1), item(2)))), ["m1"]
        ),
        "agenda_changes.retired_part_card": [agenda_changes.retired_part_card(2)],
        "agenda_changes.aob_remove_confirm_card": [
            agenda_changes.aob_remove_confirm_card(1, 3, 0, "Outreach offer", published=True, parts=["m1"]),
            agenda_changes.aob_remove_confirm_card(1, 3, 0, "Outreach offer", published=False, parts=[]),
        ],
        "agenda_changes.agenda_outcome_card": [
            agenda_changes.agenda_outcome_card("Removed from the agenda", ["“Outreach offer” is removed."])
        ],
        "meetings.cancelling.cancel_confirm_card": [
            meeting_cancelling.cancel_confirm_card(
                "CANT1",
                "Wednesday 20 January 2027, 16:00–17:30",
                "Snow",
                1,
                in_calendar=True,
                meetings_card="m1",
            ),
            meeting_cancelling.cancel_confirm_card(
                "CANT1",
                "Wednesday 20 January 2027, 16:00–17:30",
                "Snow",
                1,
                in_calendar=False,
                meetings_card=None,
            ),
        ],
        "meetings.cancelling.cancel_outcome_card": [
            meeting_cancelling.cancel_outcome_card("Meeting cancelled", ["Cancelled the CANT1 meeting."])
        ],
        "requests.detail.withdraw_outcome_card": [
            request_detail.withdraw_outcome_card("Request R withdrawn", "Request R is withdrawn.")
        ],
        "community.community_card": [
            community.community_card(
                CommunityOverview("CANT1", "Canterbury", "East", "Canterbury", (), (), (), None, False)
            )
        ],
        "reach.reach_card": [
            reach_cards.reach_card(
                ReachReport(
                    (
                        CommunityReach(
                            "CANT1",
                            "Canterbury",
                            (
                                PersonReach(1, "Daniel Okafor", "d@x.example", Way.TEAM, None),
                                PersonReach(2, "Grace Li", "g@x.example", None, Unreachable.BLOCKED),
                            ),
                        ),
                        CommunityReach(
                            "",
                            "Council-wide",
                            (PersonReach(3, "Priya Shah", "p@x.example", Way.CHAT, None),),
                        ),
                    ),
                    install_permitted=False,
                )
            )
        ],
        "community.channel_status_card": [
            community.channel_status_card([ChannelStatusLine("CANT1", "C", None)])
        ],
        "declaration_cards.register_card": [
            declaration_cards.register_card(register),
            declaration_cards.register_card(YearRegister(4, 2026, confirmed, (interest(1),), AT)),
        ],
        "declaration_cards.interest_form_card": [declaration_cards.interest_form_card({}, interest_id=1)],
        "declaration_cards.end_confirm_card": [declaration_cards.end_confirm_card(interest(1))],
        "declaration_cards.compliance_card": [
            declaration_cards.compliance_card(CommunityCompliance(1, "CANT1", "Canterbury", 2026, members))
        ],
        "declaration_cards.compliance_summary_card": [
            declaration_cards.compliance_summary_card(
                ComplianceSummary(2026, (CommunityCount("CANT1", "C", 3, 1),))
            )
        ],
        "declaration_cards.code_of_conduct_card": [
            declaration_cards.code_of_conduct_card("declare_interest")
        ],
        "meetings.admin.community_meetings_card": [
            meeting_admin_cards.community_meetings_card(view(chair_sees(meeting())), today=date(2026, 11, 23))
        ],
        "meetings.admin.meetings_summary_card": [
            meeting_admin_cards.meetings_summary_card(
                [meeting_admin_cards.NextMeeting("CANT1", "C", "Wed", 1)]
            )
        ],
        "meetings.dates.dates_card": [meeting_cards.dates_card(DATES)],
        "meetings.dates.preview_card": [
            meeting_cards.preview_card(Selection(date(2027, 1, 1), date(2027, 3, 31)), [DATES], [], "key")
        ],
        "meetings.dates.report_card": [meeting_cards.report_card(report)],
        "glossary.glossary_card": [glossary.glossary_card()],
        "menu.menu_card": [menu.menu_card(everyone, CAPABILITIES, {})],
        "menu.suggestions_card": [menu.suggestions_card("Sorry, I didn't understand “x”.", CAPABILITIES[:3])],
        "requests.form.*": [built for _, built in all_cards()],
        "requests.detail.request_detail_card": [
            request_detail.request_detail_card(
                line(1, RequestStatus.SUBMITTED), {"request_type": "one_pupil"}, [], can_triage=True
            )
        ],
        "requests.detail.withdraw_confirm_card": [request_detail.withdraw_confirm_card("R", 1, draft=False)],
        "requests.lists.my_requests_card": [request_lists.my_requests_card(every_status)],
        "requests.lists.queue_card": [request_lists.queue_card("CANT1", [line(1, RequestStatus.SUBMITTED)])],
        "requests.lists.queue_summary_card": [
            request_lists.queue_summary_card([WaitingLine("CANT1", "Canterbury", 2, 1)])
        ],
        "meetings.rsvp.meeting_reminder_card": [
            rsvp_cards.meeting_reminder_card(facts(), tally(), "Tomorrow")
        ],
        **universal_demo_cards(),
        "meetings.timeline.requests_open_card": [timeline_cards.requests_open_card(SUMMARY, "app-id")],
        "meetings.timeline.triage_reminder_card": [
            timeline_cards.triage_reminder_card(
                SUMMARY, [timeline_cards.RequestLine("R", "S", "submitted on Monday 2 November 2026")]
            ),
            timeline_cards.triage_reminder_card(
                SUMMARY, [timeline_cards.RequestLine("R", "S", ""), timeline_cards.RequestLine("Q", "T", "")]
            ),
        ],
        "meetings.timeline.deadline_reminder_card": [
            timeline_cards.deadline_reminder_card(SUMMARY, [timeline_cards.RequestLine("R", "S", "draft")])
        ],
        "meetings.timeline.renewal_card": [timeline_cards.renewal_card("2026/27")],
        "followup.actions.action_card": [
            action_cards.action_card(ACTION),
            action_cards.action_card(replace(ACTION, overdue=True)),
            action_cards.action_card(replace(ACTION, status=ActionStatus.DONE), "Marked done. Thank you."),
        ],
        "followup.reviews.review_question_card": [
            review_cards.review_question_card(QUESTION),
            review_cards.review_question_card(
                replace(QUESTION, result=ReviewResult.PARTLY_ACHIEVED, note="Mornings settled."),
                "This may identify a child: a name.",
            ),
        ],
        "followup.reviews.review_answered_card": [
            review_cards.review_answered_card(
                replace(QUESTION, result=ReviewResult.ACHIEVED, note="Settled all day.")
            )
        ],
        "followup.summary.outcomes_summary_card": [
            summary_cards.outcomes_summary_card(date(2026, 9, 1), date(2026, 12, 7), []),
            summary_cards.outcomes_summary_card(
                date(2026, 9, 1),
                date(2026, 12, 7),
                [
                    CommunityOutcomes(
                        "CANT1",
                        "Canterbury City Community",
                        ((OutcomeDecision.SUPPORT_AGREED, 2), (OutcomeDecision.FUNDING_AGREED, 1)),
                        150050,
                    )
                ],
            ),
        ],
        "minutes.chair.chair_minutes_card": [minutes_chair.chair_minutes_card(minutes(aob="Agreed."))],
        "minutes.chair.approve_confirm_card": [minutes_chair.approve_confirm_card(minutes())],
        "minutes.chair.approved_minutes_card": [
            minutes_chair.approved_minutes_card(
                minutes(MinutesStatus.APPROVED), "Approved. Sent to 3 members."
            )
        ],
        "minutes.members.members_minutes_card": [minutes_members.members_minutes_card(minutes())],
        "minutes.members.minutes_approved_channel_card": [
            minutes_members.minutes_approved_channel_card(minutes(MinutesStatus.APPROVED))
        ],
        "budget.budget_card": [budget_cards.budget_card(BUDGET_VIEW), budget_cards.budget_card(NO_BUDGET)],
        "budget.budget_overview_card": [
            budget_cards.budget_overview_card("2026-27", [BUDGET_VIEW, NO_BUDGET]),
            budget_cards.budget_overview_card("2026-27", []),
        ],
        "welcome.team_welcome_card": [welcome.team_welcome_card("Canterbury", "CoS Bot")],
        "dialogs.broadcasts.dates.choose_card": [
            choose_card(["East Kent"], date(2027, 1, 1), date(2027, 3, 1))
        ],
        **outcome_demo(),
        **dispute_demo(),
        **funding_demo(),
        "reporting.card.report_card": [report_card_demo()],
    }


def card_builders() -> Iterator[str]:
    """Every public function of ``cards/`` that returns a card or cards (not the element helpers)."""
    for found in pkgutil.walk_packages(cards.__path__, "cards."):
        if found.name == "cards.elements" or found.ispkg:
            continue
        module = importlib.import_module(found.name)
        for name, function in vars(module).items():
            if (
                inspect.isfunction(function)
                and function.__module__ == module.__name__
                and not name.startswith("_")
            ):
                if inspect.signature(function).return_annotation in ("Card", "list[Card]"):
                    yield f"{found.name.removeprefix('cards.')}.{name}"


def table() -> RouteTable:
    """The table the bot runs (the services are only used when the RSVP button is pressed)."""
    return chat_routes()


def routed(routes: RouteTable) -> Callable[[dict[str, Any]], bool]:
    buttons = {action for place in Place for action in routes.routes(place)} | routes.claimed_buttons()
    forms = routes.claimed_forms()

    def has_route(data: dict[str, Any]) -> bool:
        return data.get("action") in buttons or data.get("form") in forms

    return has_route


def test_every_card_builder_is_shown_with_demo_data() -> None:
    built = set(demo_cards())
    missing = {
        name for name in card_builders() if name not in built and not name.startswith("requests.form.")
    }
    assert not missing, f"add demo data for {sorted(missing)}"


def test_every_button_any_card_renders_has_a_route() -> None:
    has_route = routed(table())
    pressed = [(name, data) for name, built in demo_cards().items() for data in submit_data(built)]
    shown = {str(data.get("action") or data.get("form")) for _, data in pressed}
    assert len(shown) >= 30, shown  # the menu, forms, lists, agenda, meetings, RSVP, broadcasts...
    unrouted = sorted({(name, str(data)) for name, data in pressed if not has_route(data)})
    assert not unrouted, unrouted


def test_every_menu_capability_is_a_button_and_its_command_runs_the_same_route() -> None:
    routes = chat_routes()
    personal = routes.routes(Place.PERSONAL)
    for capability in CAPABILITIES:
        assert personal[capability.key].capability is capability, capability.key
    for word, route in routes.commands(Place.PERSONAL).items():
        assert route.capability is not None and route.is_menu_item, word
    assert set(routes.commands(Place.CHANNEL)) == {"link", "unlink"}
    assert set(table().routes(Place.CHANNEL)) == {"raise_request", "rsvp"}


def test_a_route_is_registered_once_per_place() -> None:
    routes = RouteTable()

    async def nothing(*_: Any) -> None:
        return None

    routes.button("x", nothing)
    routes.button("x", nothing, places=Place.CHANNEL)
    try:
        routes.button("x", nothing)
    except ValueError as error:
        assert "two routes" in str(error)
    else:
        raise AssertionError("a second route for the same button was accepted")
