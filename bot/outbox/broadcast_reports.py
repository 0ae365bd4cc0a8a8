"""Keeps each broadcast's delivery-report card current, in place, in the officer's chat.

Every ``interval`` seconds (default 1), each broadcast that is still delivering gets its report recomputed
from the outbox; when it changed, an edit of the report card goes through the outbox (keyed by
the report's content, so a restart never edits twice with the same content). Once nothing is
pending the last edit is queued and the broadcast is marked settled.
"""

from __future__ import annotations

import asyncio
import logging

from bot.background import BackgroundTask
from bot.safe_logging import describe
from cards.meetings.dates import report_card
from communities.broadcasts import report as broadcast_report
from communities.broadcasts.tables import Broadcast
from communities.clock import Clock
from communities.db import Database
from communities.messaging.outbox import Outbox, OutboxMessage, OutgoingMessage

log = logging.getLogger(__name__)


class BroadcastReports:
    def __init__(self, database: Database, clock: Clock, outbox: Outbox, *, interval: float = 1.0) -> None:
        self._db = database
        self._clock = clock
        self._outbox = outbox
        self._interval = interval
        self._background = BackgroundTask("broadcast-reports")
        #: The report each broadcast's card last showed (by digest), to edit only on a change.
        self._shown: dict[int, str] = {}

    async def start(self) -> None:
        self._background.start(self._run())

    async def stop(self) -> None:
        await self._background.stop()

    async def refresh(self) -> int:
        """One pass over the unsettled broadcasts; returns how many report edits were queued."""
        async with self._db.session() as session:
            ids = [b.id for b in await broadcast_report.unsettled(session) if b.id is not None]
        queued = 0
        for broadcast_id in ids:
            queued += await self._refresh_one(broadcast_id)
        if queued:
            self._outbox.wake()
        return queued

    async def _refresh_one(self, broadcast_id: int) -> int:
        async with self._db.session() as session:
            broadcast = await session.get(Broadcast, broadcast_id)
            if broadcast is None or broadcast.settled_at is not None:
                return 0
            report = await broadcast_report.report(session, broadcast_id)
            queued = 0
            original = (
                await session.get(OutboxMessage, broadcast.report_message_id)
                if broadcast.report_message_id
                else None
            )
            if original is not None and self._shown.get(broadcast_id) != report.digest:
                key = f"broadcast:{broadcast_id}:report:{report.digest[:24]}"
                edit = OutgoingMessage(card=report_card(report), summary="Meeting dates: delivery report")
                await self._outbox.update(session, key=key, original=original, message=edit)
                self._shown[broadcast_id] = report.digest
                queued = 1
            if report.settled:
                self._shown.pop(broadcast_id, None)
                broadcast.settled_at = self._clock.now()
                session.add(broadcast)
            await session.commit()
            return queued

    async def _run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception as error:  # a database hiccup must not end the reports
                log.warning("broadcast reports: %s", describe(error))
            await asyncio.sleep(self._interval)
