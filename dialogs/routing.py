"""The routing table of the chat: each feature's typed commands, card buttons and forms.

In the spirit of teams.py's activity router, each feature registers in one place (its
``routes`` module) what it answers, where, and who may use it; :mod:`bot.teams.handler`
identifies the sender, looks the turn up here, and :meth:`RouteTable.run` checks the
capability (refusing with the reason) and calls the handler.

- A **button** is the ``action`` in a card submit's data. The menu's buttons carry a
  capability's key, and so does the button a typed command stands for.
- A **command** is the first word typed (`queue`, `agenda CANT1`); it runs a button's route,
  or a route of its own when no card has a button for it (`link` in a channel).
- A **claim** is a dialog taking its own turns before any button or command: its form's cards
  (``data.form``), the answers typed while it waits. Claims run in the order they were registered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from enum import Flag, auto
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog, DialogContext

from communities import audit
from communities.messaging.channel_linking import ChannelSeen
from communities.permissions import ALLOWED, Capability, Decision, may_use
from communities.roster.directory import PersonProfile
from dialogs.services import ChatServices


class Place(Flag):
    """Where a route works: the person's chat with the bot, or a team channel (@mentioned)."""

    PERSONAL = auto()
    CHANNEL = auto()


@dataclass(frozen=True)
class Turn:
    """One turn, as a route's handler sees it."""

    context: TurnContext
    place: Place
    #: The sender's roster profile; None only for a route open to anyone (``anyone=True``).
    sender: PersonProfile | None
    #: What was typed, without @mentions, whitespace collapsed.
    text: str
    #: A card submit's data (None for typed text).
    value: dict[str, Any] | None
    #: The route's action this turn asked for.
    action: str
    #: This conversation, for something sent here later through the outbox.
    reference: dict[str, Any] = field(default_factory=dict)
    #: The personal chat's dialogs (None in a channel).
    dialogs: DialogContext | None = None
    #: The channel the turn came from (None in the personal chat).
    channel: ChannelSeen | None = None

    @property
    def profile(self) -> PersonProfile:
        """The sender's profile: routes for registered people are only ever called with one."""
        if self.sender is None:
            raise LookupError("this route is for people in the roster")
        return self.sender

    @property
    def dialog_context(self) -> DialogContext:
        if self.dialogs is None:
            raise LookupError("dialogs run in the personal chat only")
        return self.dialogs


Handler = Callable[[ChatServices, Turn], Awaitable[None]]
#: A dialog's claim on a turn before the routes; True if it took the turn.
Claim = Callable[[ChatServices, Turn, "RouteTable"], Awaitable[bool]]
DialogBuilder = Callable[[ChatServices], Dialog]
#: Answers Teams' typeahead search in a card (``application/search``): the choices, as (title, value),
#: for what was typed, at most ``limit`` of them.
Search = Callable[[ChatServices, str, int], Awaitable[list[tuple[str, str]]]]


@dataclass(frozen=True)
class RefusalAudit:
    """A refused press is recorded in the audit log as ``action``, on the card's ``<entity>_id``."""

    action: str
    entity: str


@dataclass(frozen=True)
class Route:
    action: str
    handler: Handler
    places: Place
    #: What the person must be able to do, checked before the handler runs. None: the handler's
    #: domain call decides against the stored record (a request, a meeting, an agenda, a channel).
    capability: Capability | None = None
    #: The check, when it is not the menu's rule (:func:`communities.permissions.may_use`).
    decide: Callable[[PersonProfile], Decision] | None = None
    refusal_audit: RefusalAudit | None = None
    #: Open to people not in the roster (the handler answers them).
    anyone: bool = False

    @property
    def is_menu_item(self) -> bool:
        """A menu button (or the command for one): a refusal shows the menu the person may use."""
        return self.capability is not None and self.action == self.capability.key

    def decision(self, profile: PersonProfile) -> Decision:
        if self.capability is None:
            return ALLOWED
        if self.decide is not None:
            return self.decide(profile)
        return may_use(profile, self.capability.key)


@dataclass(frozen=True)
class ClaimEntry:
    claim: Claim
    #: The ``data.form`` values of the cards it takes, and the buttons it takes (for the checks).
    forms: frozenset[str]
    buttons: frozenset[str]


class RouteTable:
    """Every route of the chat. Built once at start-up; read-only after."""

    def __init__(self) -> None:
        self._buttons: dict[tuple[Place, str], Route] = {}
        #: A typed word: the action of the button it stands for, or a route of its own.
        self._commands: dict[tuple[Place, str], str | Route] = {}
        self.claims: list[ClaimEntry] = []
        self.dialogs: list[DialogBuilder] = []
        self._searches: dict[str, Search] = {}

    # ---- registering -------------------------------------------------------------------------

    def button(
        self,
        action: str,
        handler: Handler,
        *,
        places: Place = Place.PERSONAL,
        capability: Capability | None = None,
        decide: Callable[[PersonProfile], Decision] | None = None,
        refusal_audit: RefusalAudit | None = None,
        anyone: bool = False,
    ) -> None:
        route = Route(action, handler, places, capability, decide, refusal_audit, anyone)
        for place in _each(places):
            if (place, action) in self._buttons:
                raise ValueError(f"two routes for the button {action!r} in {place}")
            self._buttons[(place, action)] = route

    def command(
        self,
        word: str,
        action: str = "",
        *,
        handler: Handler | None = None,
        places: Place = Place.PERSONAL,
        capability: Capability | None = None,
    ) -> None:
        """Typing ``word`` (as the first word) runs the route of the button ``action``, or
        ``handler`` for a command that no card button stands for."""
        entry: str | Route = action
        if handler is not None:
            entry = Route(action or word, handler, places, capability)
        elif not action:
            raise ValueError(f"the command {word!r} needs a button's action or a handler")
        for place in _each(places):
            if (place, word) in self._commands:
                raise ValueError(f"two routes for the command {word!r} in {place}")
            self._commands[(place, word)] = entry

    def claim(
        self, claim: Claim, *, forms: frozenset[str] = frozenset(), buttons: frozenset[str] = frozenset()
    ) -> None:
        self.claims.append(ClaimEntry(claim, forms, buttons))

    def dialog(self, build: DialogBuilder) -> None:
        self.dialogs.append(build)

    def search(self, dataset: str, handler: Search) -> None:
        """``handler`` answers the typeahead of card inputs whose ``choices.data`` names ``dataset``."""
        if dataset in self._searches:
            raise ValueError(f"two searches for the dataset {dataset!r}")
        self._searches[dataset] = handler

    # ---- looking up --------------------------------------------------------------------------

    def for_button(self, place: Place, action: str) -> Route | None:
        return self._buttons.get((place, action))

    def for_command(self, place: Place, text: str) -> Route | None:
        words = text.split()
        entry = self._commands.get((place, words[0].lower())) if words else None
        if isinstance(entry, Route) or entry is None:
            return entry
        return self._buttons.get((place, entry))

    def commands(self, place: Place) -> dict[str, Route]:
        """The typed commands of ``place``, with the route each one runs."""
        found = {word: self.for_command(place, word) for (where, word) in self._commands if where == place}
        return {word: route for word, route in found.items() if route is not None}

    def routes(self, place: Place) -> dict[str, Route]:
        """The buttons of ``place``, by action."""
        return {action: route for (where, action), route in self._buttons.items() if where == place}

    def for_search(self, dataset: str) -> Search | None:
        return self._searches.get(dataset)

    def searched_datasets(self) -> frozenset[str]:
        return frozenset(self._searches)

    def claimed_forms(self) -> frozenset[str]:
        return frozenset(form for entry in self.claims for form in entry.forms)

    def claimed_buttons(self) -> frozenset[str]:
        return frozenset(button for entry in self.claims for button in entry.buttons)

    # ---- running -----------------------------------------------------------------------------

    async def run(self, chat: ChatServices, turn: Turn, route: Route) -> Decision:
        """Call the route's handler if the sender may use it; otherwise refuse with the reason."""
        decision = route.decision(turn.profile) if turn.sender is not None else ALLOWED
        if not decision.allowed:
            await _refuse(chat, turn, route, decision)
            return decision
        await route.handler(chat, replace(turn, action=route.action))
        return decision

    async def follow(self, chat: ChatServices, turn: Turn, action: str) -> None:
        """Carry on with ``action`` after a claim (as if its menu button were pressed)."""
        route = self.for_button(turn.place, action)
        if route is not None:
            await self.run(chat, replace(turn, text=""), route)


async def _refuse(chat: ChatServices, turn: Turn, route: Route, decision: Decision) -> None:
    if route.refusal_audit is not None:
        entity = route.refusal_audit.entity
        value = turn.value or {}
        async with chat.database.session() as session:
            audit.record(
                session,
                chat.clock,
                actor_person_id=turn.profile.person_id,
                action=route.refusal_audit.action,
                entity=entity,
                entity_id=str(value.get(f"{entity}_id") or ""),
                detail={"button": route.action},
            )
            await session.commit()
    await turn.context.send_activity(f"Sorry: {decision.reason}")


def _each(places: Place) -> list[Place]:
    return [place for place in Place if place in places]
