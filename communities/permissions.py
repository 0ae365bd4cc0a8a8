"""Who may do what. Every action the bot offers is checked here against the person's roles."""

from __future__ import annotations

from dataclasses import dataclass

from communities.requests.lifecycle import RequestAction
from communities.roster.directory import PersonProfile
from communities.roster.roles import SCHOOL_ROLES, Role
from communities.roster.tables import Community


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


ALLOWED = Decision(True)


@dataclass(frozen=True)
class Capability:
    """An action the bot offers on the menu card. ``roles`` None means every registered person."""

    key: str
    title: str
    description: str
    roles: frozenset[Role] | None = None
    #: A menu section of its own (its buttons sit under a heading), or "" for the main buttons.
    section: str = ""
    #: What someone who may not use it can do instead (the second sentence of the refusal).
    instead: str = "Write `help` to see what you can do."

    def offered_to(self, profile: PersonProfile) -> bool:
        return self.roles is None or bool(self.roles & profile.role_set)


FIND_COMMUNITY = Capability(
    "find_community", "Find a community", "See a community's schools, chair and channel."
)
LINK_HELP = Capability(
    "link_help",
    "Link a channel",
    "Make a Teams channel your community's channel.",
    frozenset({Role.CHAIR, Role.OFFICER}),
    instead="Ask your community's chair to link it: *Find a community* shows who that is.",
)
CHANNEL_STATUS = Capability(
    "channel_status",
    "Community channels",
    "Which communities have a linked channel, and which do not yet.",
    frozenset({Role.OFFICER}),
    instead="*Find a community* shows a community's channel.",
)
REACH = Capability(
    "reach",
    "Who the bot can reach",
    "Per community, how many of its people the bot can message, and why not the others.",
    frozenset({Role.OFFICER}),
    instead="Write `help` to see what you can do.",
)

RAISE_REQUEST = Capability(
    "raise_request",
    "Raise a request",
    "Ask your community for support: for a pupil, a group, or your school.",
    frozenset({Role.SCHOOL_LEADER, Role.SENCO}),
    instead="If your school needs support, ask its SENCO or a school leader to raise a request.",
)
#: Offered on the menu only when the person has a draft (the handler checks).
CONTINUE_DRAFT = Capability(
    "continue_draft",
    "Continue my draft",
    "Finish the request you started.",
    frozenset({Role.SCHOOL_LEADER, Role.SENCO}),
    instead="If your school needs support, ask its SENCO or a school leader to raise a request.",
)

MY_REQUESTS = Capability(
    "my_requests",
    "My requests",
    "Your school's requests: their status and what happens next.",
    frozenset({Role.SCHOOL_LEADER, Role.SENCO}),
    instead="Ask your school's SENCO or a school leader about its requests.",
)
REQUESTS_QUEUE = Capability(
    "requests_queue",
    "Requests queue",
    "Submitted requests waiting for review: accept them or ask for more information.",
    frozenset({Role.CHAIR, Role.VICE_CHAIR, Role.OFFICER}),
    instead="To ask about a request, contact your community's chair: *Find a community* shows who that is.",
)

DECLARATIONS_SECTION = "Declarations of interest"
DECLARE_INTEREST = Capability(
    "declare_interest",
    "Declare an interest",
    "Your register of interests for this academic year: add, update, end, or nothing to declare.",
    section=DECLARATIONS_SECTION,
)
DECLARATIONS_COMPLIANCE = Capability(
    "declarations_compliance",
    "Declarations compliance",
    "Who in your community has confirmed their declarations this year, and who has not.",
    frozenset({Role.CHAIR, Role.VICE_CHAIR, Role.OFFICER}),
    instead="You can see and confirm your own declarations with *Declare an interest*.",
    section=DECLARATIONS_SECTION,
)

MEETINGS_SECTION = "Meetings"
MEETINGS = Capability(
    "meetings",
    "Meetings",
    "Your community's meeting dates; chairs and officers add, move or cancel a meeting.",
    section=MEETINGS_SECTION,
)
AGENDA = Capability(
    "agenda",
    "Agenda",
    "Review the next meeting's agenda: order, defer, any other business; then publish it to the channel.",
    frozenset({Role.CHAIR, Role.VICE_CHAIR, Role.OFFICER}),
    instead="The agenda is posted in your community's channel once the chair publishes it.",
    section=MEETINGS_SECTION,
)
MINUTES = Capability(
    "minutes",
    "Minutes",
    "Draft, edit and approve the minutes of your community's last meeting; the members are sent them.",
    frozenset({Role.CHAIR, Role.VICE_CHAIR, Role.OFFICER}),
    instead="The minutes are sent to every member of the community once the chair approves them.",
    section=MEETINGS_SECTION,
)
BUDGET = Capability(
    "budget",
    "Budget",
    "Your community's budget for this financial year: set, committed, spent and available, and its "
    "latest entries (an officer or finance officer sees every community).",
    frozenset({Role.CHAIR, Role.VICE_CHAIR, Role.OFFICER, Role.FINANCE}),
    instead="Your community's chair can tell you what its budget allows.",
    section=MEETINGS_SECTION,
)
LEDGER = Capability(
    "ledger",
    "Ledgers",
    "Every entry of a community's budget (`ledger CANT1`): finance records payments against "
    "allocations; officers change or set a budget.",
    frozenset({Role.OFFICER, Role.FINANCE}),
    instead="*Budget* shows your community's position.",
    section=MEETINGS_SECTION,
)
BROADCAST_DATES = Capability(
    "broadcast_dates",
    "Broadcast meeting dates",
    "Post each community's meeting dates to its channel, and see what was delivered.",
    frozenset({Role.OFFICER}),
    instead="*Meetings* shows your community's meeting dates.",
    section=MEETINGS_SECTION,
)
OUTCOMES = Capability(
    "outcomes",
    "Outcomes",
    "After a meeting: record attendance, each request's outcome and the reviews; confirm, and the "
    "schools are told.",
    frozenset({Role.CHAIR, Role.VICE_CHAIR, Role.OFFICER}),
    instead="Each school is told the outcome of its request once the chair confirms it.",
    section=MEETINGS_SECTION,
)

OUTCOMES_SUMMARY = Capability(
    "outcomes_summary",
    "Decisions by community",
    "Per community, the requests decided this academic year and the funding agreed.",
    frozenset({Role.OFFICER}),
    instead="Your community's chair can tell you what its meetings decided.",
    section=MEETINGS_SECTION,
)

DISPUTES = Capability(
    "disputes",
    "Disputes",
    "Every open dispute of an outcome: its stage, its age in school days and its next deadline.",
    frozenset({Role.OFFICER}),
    instead="A school disputes an outcome from the outcome's card; the people dealing with it are told.",
    section=MEETINGS_SECTION,
)

REPORT = Capability(
    "report", "Report", "Figures for the Area Boards.", frozenset({Role.OFFICER}), section=MEETINGS_SECTION
)
HELP_SECTION = "Help"
GLOSSARY = Capability(
    "glossary",
    "Glossary",
    "What the terms and short forms the bot uses mean.",
    section=HELP_SECTION,
)

#: Everything the menu can offer, in menu order. Later capabilities are added here.
CAPABILITIES: tuple[Capability, ...] = (
    FIND_COMMUNITY,
    RAISE_REQUEST,
    CONTINUE_DRAFT,
    MY_REQUESTS,
    REQUESTS_QUEUE,
    LINK_HELP,
    CHANNEL_STATUS,
    REACH,
    DECLARE_INTEREST,
    DECLARATIONS_COMPLIANCE,
    MEETINGS,
    AGENDA,
    OUTCOMES,
    MINUTES,
    BUDGET,
    LEDGER,
    BROADCAST_DATES,
    OUTCOMES_SUMMARY,
    DISPUTES,
    REPORT,
    GLOSSARY,
)


def menu_for(profile: PersonProfile, *, has_draft: bool = False) -> list[Capability]:
    return [c for c in CAPABILITIES if c.offered_to(profile) and (has_draft or c is not CONTINUE_DRAFT)]


def capability(key: str) -> Capability | None:
    return next((c for c in CAPABILITIES if c.key == key), None)


def may_use(profile: PersonProfile, key: str) -> Decision:
    found = capability(key)
    if found is None:
        return Decision(False, "I don't know that action. Write `help` to see what you can do.")
    if not found.offered_to(profile):
        who = roles_in_words(found.roles or frozenset())
        return Decision(False, f"“{found.title}” is only for {who}. {found.instead}")
    return ALLOWED


def roles_in_words(roles: frozenset[Role]) -> str:
    """Who holds any of ``roles``, in the order people say it.

    For example "a school leader or SENCO", or "a community chair or vice chair, or a council officer".
    """
    said = []
    for (first, first_words), (second, second_words), both in _ROLE_GROUPS:
        if first in roles and second in roles:
            said.append(both)
        elif first in roles or second in roles:
            said.append(first_words if first in roles else second_words)
    if len(said) <= 1:
        return "".join(said) or "nobody"
    last = ", or " if any(" or " in words for words in said) else " or "
    return ", ".join(said[:-1]) + last + said[-1]


#: Roles that go together in a sentence, each group in the order people name them.
_ROLE_GROUPS = (
    ((Role.SCHOOL_LEADER, "a school leader"), (Role.SENCO, "a SENCO"), "a school leader or SENCO"),
    (
        (Role.CHAIR, "a community chair"),
        (Role.VICE_CHAIR, "a community vice chair"),
        "a community chair or vice chair",
    ),
    (
        (Role.OFFICER, "a council officer"),
        (Role.FINANCE, "a finance officer"),
        "a council or finance officer",
    ),
)


def may_link_channel(profile: PersonProfile, community: Community) -> Decision:
    """An officer may link any community's channel; a chair only their own community's."""
    if profile.has_role(Role.OFFICER):
        return ALLOWED
    assert community.id is not None
    if profile.has_role(Role.CHAIR, community.id):
        return ALLOWED
    return Decision(
        False,
        f"Only a council officer or the chair of {community.code} can link or unlink "
        f"the channel of {community.name}. Ask one of them to do it.",
    )


# ---- requests --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestScope:
    """Where a request belongs. Checks use the stored request's scope, never a card's claim."""

    school_id: int
    community_id: int
    community_code: str = ""


#: Actions the requesting school takes on its own requests.
SCHOOL_ACTIONS = frozenset(
    {RequestAction.EDIT, RequestAction.SUBMIT, RequestAction.RESUBMIT, RequestAction.WITHDRAW}
)
#: Actions of triage: the community's chair or vice chair, or an officer.
TRIAGE_ACTIONS = frozenset({RequestAction.ACCEPT, RequestAction.RETURN_FOR_INFO})
#: What follows from the meeting (its agenda, its outcomes, its reviews): the same people.
MEETING_ACTIONS = frozenset(
    {
        RequestAction.SCHEDULE,
        RequestAction.CARRY_OVER,
        RequestAction.DISCUSS,
        RequestAction.DECIDE,
        RequestAction.DELIVER,
        RequestAction.CLOSE,
        RequestAction.REVIEW_DUE,
        RequestAction.CONTINUE,
        RequestAction.REOPEN,
    }
)


def is_school_staff(profile: PersonProfile, school_id: int) -> bool:
    return any(
        held.role in SCHOOL_ROLES and held.school is not None and held.school.id == school_id
        for held in profile.roles
    )


def is_triager(profile: PersonProfile, community_id: int) -> bool:
    return profile.has_role(Role.OFFICER) or any(
        profile.has_role(role, community_id) for role in (Role.CHAIR, Role.VICE_CHAIR)
    )


def may_raise_request(profile: PersonProfile, school_id: int) -> Decision:
    if is_school_staff(profile, school_id):
        return ALLOWED
    return Decision(
        False,
        "Only a school leader or SENCO of the school can raise its requests. "
        "Ask one of them to raise it for you.",
    )


def may_act_on_request(profile: PersonProfile, action: RequestAction, scope: RequestScope) -> Decision:
    if action in SCHOOL_ACTIONS:
        if is_school_staff(profile, scope.school_id):
            return ALLOWED
        return Decision(
            False,
            f"Only a school leader or SENCO of the requesting school can {action.done_to_it}. "
            "Ask the school if it needs to change.",
        )
    if action in TRIAGE_ACTIONS or action in MEETING_ACTIONS:
        if is_triager(profile, scope.community_id):
            return ALLOWED
        community = scope.community_code or "the community"
        return Decision(
            False,
            f"Only the chair or vice chair of {community}, or a council officer, can {action.done_to_it}. "
            "Ask the chair if it needs a decision.",
        )
    return Decision(False, "I don't know that action. Write `help` to see what you can do.")


def may_view_request(profile: PersonProfile, scope: RequestScope) -> Decision:
    """Pupil-level detail: the requesting school, the community's chair and vice chair, officers."""
    if is_school_staff(profile, scope.school_id) or is_triager(profile, scope.community_id):
        return ALLOWED
    return Decision(
        False,
        "Only the requesting school, the community's chair and vice chair, and council officers can "
        "see it. Ask the requesting school if you need to know more.",
    )


def may_manage_meetings(profile: PersonProfile, community_id: int, community_code: str = "") -> Decision:
    """Officers add, move and cancel any community's meetings; a chair or vice chair their own."""
    if profile.has_role(Role.OFFICER):
        return ALLOWED
    if profile.has_role(Role.CHAIR, community_id) or profile.has_role(Role.VICE_CHAIR, community_id):
        return ALLOWED
    which = f"of {community_code}" if community_code else "of that community"
    return Decision(
        False,
        f"Only a council officer or the chair or vice chair {which} can change its meetings. "
        "Ask the chair if a meeting needs to change.",
    )


def may_broadcast(profile: PersonProfile) -> Decision:
    if profile.has_role(Role.OFFICER):
        return ALLOWED
    return Decision(
        False,
        "Only a council officer can broadcast meeting dates to every community. "
        "*Meetings* shows your community's dates.",
    )
