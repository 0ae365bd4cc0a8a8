"""An officer broadcasts meeting dates to every community's channel."""

from __future__ import annotations

from cards.meetings.dates import BROADCAST_CHOOSE, BROADCAST_CONFIRM, BROADCAST_RETRY
from communities.permissions import BROADCAST_DATES, may_broadcast
from dialogs.broadcasts.dates import press, show_form
from dialogs.routing import RefusalAudit, RouteTable

REFUSED = RefusalAudit("broadcast_refused", "broadcast")


def register(table: RouteTable) -> None:
    table.button(BROADCAST_DATES.key, show_form, capability=BROADCAST_DATES)
    table.command("broadcast", BROADCAST_DATES.key)
    # Whatever a card claims, only an officer may preview, send or retry; a refusal is audited.
    for action in (BROADCAST_CHOOSE, BROADCAST_CONFIRM, BROADCAST_RETRY):
        table.button(action, press, capability=BROADCAST_DATES, decide=may_broadcast, refusal_audit=REFUSED)
