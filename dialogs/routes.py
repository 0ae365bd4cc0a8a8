"""Every feature's routes, in one table: where to add a feature's commands, buttons and dialogs.

The order matters for claims only: the request form takes its turns before the declarations
dialog does (a form that is open gets what is typed).
"""

from __future__ import annotations

from dialogs.agendas import routes as agendas
from dialogs.broadcasts import routes as broadcasts
from dialogs.budget import routes as budget
from dialogs.declarations import routes as declarations
from dialogs.disputes import routes as disputes
from dialogs.followup import routes as followup
from dialogs.glossary import routes as glossary
from dialogs.meetings import routes as meetings
from dialogs.minutes import routes as minutes
from dialogs.outcomes import routes as outcomes
from dialogs.reach import routes as reach
from dialogs.reporting import routes as reporting
from dialogs.requests import routes as requests
from dialogs.roster import routes as roster
from dialogs.routing import RouteTable

FEATURES = (
    requests,
    declarations,
    roster,
    meetings,
    agendas,
    outcomes,
    minutes,
    budget,
    disputes,
    broadcasts,
    glossary,
    followup,
    reach,
    reporting,
)


def chat_routes() -> RouteTable:
    table = RouteTable()
    for feature in FEATURES:
        feature.register(table)
    return table
