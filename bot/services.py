"""The objects a turn needs, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.teams.connector import BotConnector
from communities.clock import Clock
from communities.db import Database
from communities.messaging.outbox import Outbox
from scheduler.service import SchedulerService


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    clock: Clock
    outbox: Outbox
    connector: BotConnector
    #: The meeting timeline's scheduler (None when this process runs none, e.g. in tests).
    scheduler: SchedulerService | None = None
