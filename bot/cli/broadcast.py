"""``cosbot broadcast dates``: the officer's broadcast from the command line, with a progress bar.

It records the broadcast and queues the cards exactly as the Teams action does, then delivers
them with this process's own outbox sender (a running service may deliver some of them too:
rows are leased, so none is sent twice) and prints the delivery report.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date

import aiohttp
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.file_imports import CliError
from bot.config import Settings
from bot.teams.connector import BotConnector
from cards.meetings.dates import dates_card
from communities.broadcasts import report as broadcast_report
from communities.broadcasts import service as broadcasts
from communities.broadcasts.report import Delivery, DeliveryReport
from communities.broadcasts.selection import BroadcastRefused, Selection
from communities.broadcasts.service import CommunityDates
from communities.broadcasts.tables import Broadcast
from communities.clock import Clock, SystemClock
from communities.db import Database
from communities.messaging.outbox import Outbox

#: Exit code when some channels did not get their card (the report says why).
SOME_FAILED = 3


class BroadcastCliError(CliError):
    """A problem the officer can fix; printed without a traceback."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    broadcast = commands.add_parser(
        "broadcast", help="broadcast to community channels", description="Broadcast to community channels."
    )
    kinds = broadcast.add_subparsers(dest="what", required=True, metavar="WHAT")
    dates = kinds.add_parser(
        "dates",
        help="post each community's meeting dates to its channel",
        description=(
            "Post one card with its meeting dates to each community channel, then print the delivery "
            "report. Exit code 3 means some channels did not get their card."
        ),
    )
    dates.add_argument("--from", dest="first", required=True, type=_date, help="first day, YYYY-MM-DD")
    dates.add_argument("--to", dest="last", required=True, type=_date, help="last day, YYYY-MM-DD")
    dates.add_argument("--area", help="only this area's communities (default: all)")
    dates.add_argument(
        "--community", action="append", default=[], metavar="CODE", help="only this community (repeatable)"
    )
    dates.add_argument("--dry-run", action="store_true", help="show what would be sent, send nothing")
    dates.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    dates.set_defaults(run=cmd_broadcast_dates)


async def start_without_officer(
    session: AsyncSession, clock: Clock, outbox: Outbox, selection: Selection, planned: list[CommunityDates]
) -> Broadcast:
    """Queue the cards of a broadcast that no officer started in the chat (the command line, the bench)."""
    return await broadcasts.start(
        session,
        clock,
        outbox,
        actor_person_id=None,
        selection=selection,
        planned=planned,
        render=dates_card,
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-01-31") from None


def cmd_broadcast_dates(args: argparse.Namespace, settings: Settings) -> int:
    from bot.migrate import upgrade

    try:
        selection = Selection(
            args.first, args.last, area=args.area, community_codes=tuple(c.upper() for c in args.community)
        )
    except BroadcastRefused as refusal:
        raise BroadcastCliError(str(refusal)) from None
    upgrade(settings.database_url)
    return asyncio.run(_broadcast(args, settings, selection))


async def _broadcast(args: argparse.Namespace, settings: Settings, selection: Selection) -> int:
    clock = SystemClock()
    database = Database(settings.database_url)
    outbox = Outbox(clock)
    try:
        async with database.session() as session:
            try:
                planned, empty = await broadcasts.plan(
                    session,
                    clock,
                    selection,
                    feed_base_url=settings.public_url or None,
                    bot_name=settings.bot_name,
                    invitations=settings.graph is not None,
                )
            except BroadcastRefused as refusal:
                raise BroadcastCliError(str(refusal)) from None
            _print_plan(selection, planned, empty)
            ready = sum(1 for d in planned if d.channel_reference is not None)
            if args.dry_run or not planned:
                return 0
            if not args.yes and not _confirmed(ready):
                print("nothing sent")
                return 1
            broadcast = await start_without_officer(session, clock, outbox, selection, planned)
            await session.commit()
        assert broadcast.id is not None
        report = await _deliver(settings, database, clock, outbox, broadcast.id)
    finally:
        await database.dispose()
    for line in report.lines:
        reason = f": {line.reason}" if line.reason else ""
        print(f"{line.code}: {line.delivery.value}{reason}")
    counts = ", ".join(f"{report.count(kind)} {kind.value}" for kind in Delivery if report.count(kind))
    print(f"broadcast {broadcast.id}: {counts}")
    return SOME_FAILED if report.failures else 0


def _print_plan(selection: Selection, planned: list[broadcasts.CommunityDates], empty: list[str]) -> None:
    meetings = sum(len(d.meetings) for d in planned)
    print(f"{selection.describe()}: {meetings} meeting(s) in {len(planned)} communities")
    for dates in planned:
        where = "channel linked" if dates.channel_reference is not None else f"NOT SENT: {dates.problem}"
        print(f"  {dates.code}: {len(dates.meetings)} meeting(s), {where}")
    if empty:
        print(f"  no meetings in range: {', '.join(empty)}")


def _confirmed(ready: int) -> bool:
    if not sys.stdin.isatty():
        raise BroadcastCliError("add --yes to send without being asked (standard input is not a terminal)")
    answer = input(f"Send to {ready} channel(s)? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


async def _deliver(
    settings: Settings, database: Database, clock: SystemClock, outbox: Outbox, broadcast_id: int
) -> DeliveryReport:
    from tqdm import tqdm

    from bot.app import token_provider
    from bot.outbox.sender import OutboxSender

    tokens = await token_provider(settings)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30, connect=10)) as http:
        sender = OutboxSender(
            database,
            BotConnector(http, tokens),
            clock,
            rate_per_second=settings.outbox_rate_per_second,
            max_attempts=settings.outbox_max_attempts,
            bot_id=settings.app_id,
        )
        outbox.wake_listeners.append(sender.wake)
        await sender.start()
        try:
            report = await _report(database, broadcast_id)
            total = len(report.lines) - report.count(Delivery.UNCHANGED, Delivery.NOT_SENT)
            with tqdm(total=total, unit="card", desc="delivering", file=sys.stderr) as bar:
                while True:
                    report = await _report(database, broadcast_id)
                    done = report.count(Delivery.SENT, Delivery.UPDATED, Delivery.FAILED)
                    bar.update(done - bar.n)
                    if report.settled:
                        return report
                    sender.wake()
                    await asyncio.sleep(0.5)
        finally:
            await sender.stop()


async def _report(database: Database, broadcast_id: int) -> DeliveryReport:
    async with database.session() as session:
        return await broadcast_report.report(session, broadcast_id)
