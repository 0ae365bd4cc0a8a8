"""Adaptive Card Universal Actions: ``Action.Execute`` buttons, the ``refresh`` clause, invoke answers.

Teams sends an ``Action.Execute`` (and a card's ``refresh``) to the bot as an ``invoke`` named
``adaptiveCard/action`` with ``value.action = {type, verb, data}``; the bot answers with the card
that user should see (status 200, type ``application/vnd.microsoft.card.adaptive``).

- Every ``Action.Execute`` here carries an ``Action.Submit`` ``fallback`` with the same ``data``
  (``data.action`` is the verb), so a client without Universal Actions still sends the old submit,
  which the routing table already answers.
- ``refresh.userIds`` lists at most :data:`MAX_REFRESH_USERS` people: Teams refreshes a card per
  user automatically only for the users listed. A larger audience gets a *Refresh* button instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards.elements import Card, Element, card, text

#: The invoke Teams sends for an Action.Execute or a card's refresh.
ADAPTIVE_CARD_ACTION = "adaptiveCard/action"
#: The content type of an invoke response that replaces the card for that user.
CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"
#: Teams refreshes a card automatically for at most this many listed users.
MAX_REFRESH_USERS = 60

REFRESH_TITLE = "Refresh"


def execute(title: str, verb: str, *, fallback: bool = True, **data: Any) -> Element:
    """An Action.Execute for ``verb``; ``data.action`` is the verb too, for the Action.Submit fallback."""
    payload = {"action": verb, **data}
    button: Element = {"type": "Action.Execute", "title": title, "verb": verb, "data": payload}
    if fallback:
        button["fallback"] = {"type": "Action.Submit", "title": title, "data": dict(payload)}
    return button


def with_refresh(
    content: Card, verb: str, user_ids: Sequence[str] | None, audience: int, **data: Any
) -> Card:
    """``content`` with a ``refresh`` that asks for each listed user's own view.

    ``audience`` is how many people the card is for. Up to :data:`MAX_REFRESH_USERS` of them, their
    Teams ids are listed in ``refresh.userIds``; for more, the card gets a *Refresh* button instead
    (and no automatic refresh), so that nobody is silently left with the shared view. ``user_ids``
    None (the audience is not known where the card is drawn) leaves ``userIds`` out: Teams then
    refreshes automatically for everyone in a conversation of up to 60 members. Applying it again
    replaces the earlier refresh and Refresh button.
    """
    result = {key: value for key, value in content.items() if key != "refresh"}
    actions = [a for a in result.get("actions", []) if not _is_refresh_button(a)]
    if actions:
        result["actions"] = actions
    else:
        result.pop("actions", None)
    if user_ids is not None and (audience > MAX_REFRESH_USERS or len(user_ids) > MAX_REFRESH_USERS):
        result["actions"] = [*actions, execute(REFRESH_TITLE, verb, fallback=False, **data)]
        return result
    refresh: dict[str, Any] = {
        "action": {"type": "Action.Execute", "verb": verb, "data": {"action": verb, **data}}
    }
    if user_ids is not None:
        refresh["userIds"] = list(dict.fromkeys(user_ids))
    result["refresh"] = refresh
    return result


def _is_refresh_button(action: Element) -> bool:
    return action.get("type") == "Action.Execute" and action.get("title") == REFRESH_TITLE


def note_card(message: str, verb: str | None = None, **data: Any) -> Card:
    """A card that only says ``message`` (a refused or unreadable action), with a way back when known."""
    actions = [execute(REFRESH_TITLE, verb, fallback=False, **data)] if verb else None
    return card([text(message)], actions)


def card_response(content: Card) -> dict[str, Any]:
    """The body of the invoke response that shows ``content`` to the user who acted."""
    return {"statusCode": 200, "type": CARD_RESPONSE, "value": content}
