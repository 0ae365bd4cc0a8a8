"""Section 3 of the next agenda: the previous meeting's minutes for approval, and the open actions.

The chair's copy says what each action is and whose it is; the channel's copy only the request's
reference, the school, the date and whether it is overdue (no free text in a channel, domain.md §5).
"""

from __future__ import annotations

from cards.elements import Element, text
from communities.minutes.previous import PreviousMinutes
from communities.minutes.tables import MinutesStatus
from communities.wording import counted


def previous_pieces(minutes: PreviousMinutes, *, chair: bool) -> list[list[Element]]:
    """The section as pieces that each stay whole on a card: the minutes, then one per open action."""
    if minutes.status is MinutesStatus.APPROVED:
        state = "approved by the chair; the members have been sent them"
    elif minutes.status is MinutesStatus.DRAFT:
        state = "a draft, for approval at this meeting"
    else:
        state = "not written yet" + (": the chair writes them with `minutes`" if chair else "")
    first = [text(f"Minutes of the meeting on {minutes.when}: {state}.")]
    if not minutes.actions:
        first.append(text("No actions are open."))
    else:
        overdue = f", {minutes.overdue} overdue" if minutes.overdue else ""
        first.append(text(f"{counted(len(minutes.actions), 'action')} open{overdue}:"))
    pieces = [first]
    for action in minutes.actions:
        late = ", overdue" if action.overdue else ""
        where = f"{action.ref} ({action.school})"
        if chair:
            said = f"{where}: {action.description}. Owner: {action.owner}. Due {action.due_text}{late}."
        else:
            said = f"{where}: an action due {action.due_text}{late}."
        pieces.append([text(said)])
    return pieces
