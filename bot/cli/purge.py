"""``cosbot purge``: apply the retention policy now, or ``--dry-run`` to see what would go.

``cosbot purge --dry-run [--as-of 2027-12-01]`` prints, by kind and count, what a purge would do
(``--as-of``: as the daily purge would on that day, to see ahead); nothing changes. ``cosbot purge``
does it now, record by record (an interrupted run leaves every record whole or fully anonymised:
run it again to finish), and audits the counts. The scheduler runs the same purge daily.
Exit codes: 0 done (even with nothing to do), 2 a problem to fix (a bad date), nothing changed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, datetime

from bot.cli.file_imports import CliError
from bot.config import Settings


class PurgeCliError(CliError):
    """A problem the user can fix; nothing was changed."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    purge = commands.add_parser(
        "purge",
        help="apply the retention policy (or --dry-run to see what would go)",
        description="Apply the retention policy (RETENTION_*_DAYS): clear the pupil-level answers of "
        "requests closed long enough ago, delete old declarations, audit rows, dialog state and "
        "references, and clear old message bodies. Prints what it did by kind and count.",
    )
    purge.add_argument("--dry-run", action="store_true", help="only print what would go; change nothing")
    purge.add_argument(
        "--as-of",
        metavar="DATE",
        help="with --dry-run: what the daily purge would do on this day (YYYY-MM-DD), e.g. 2027-12-01",
    )
    purge.set_defaults(run=cmd_purge)


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.migrate import upgrade
    from scheduler.retention import purge_time

    as_of: datetime | None = None
    if args.as_of is not None:
        if not args.dry_run:
            raise PurgeCliError(
                "--as-of is only for a --dry-run: a purge applies the policy as of now, never ahead"
            )
        as_of = purge_time(_day(args.as_of), settings.zone)
    upgrade(settings.database_url)
    asyncio.run(_run(settings, args.dry_run, as_of))
    return 0


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PurgeCliError(
            f"--as-of {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2027-12-01"
        ) from None


async def _run(settings: Settings, dry_run: bool, as_of: datetime | None) -> None:
    from communities.clock import SystemClock
    from communities.db import Database
    from communities.retention.purge import plan, purge

    clock = SystemClock()
    database = Database(settings.database_url)
    try:
        if dry_run:
            report = await plan(database, settings.retention, as_of or clock.now())
        else:
            report = await purge(database, clock, settings.retention, by="command line")
    finally:
        await database.dispose()
    when = f"{report.as_of.astimezone(settings.zone):%d %B %Y %H:%M} {settings.timezone}"
    _out(f"Retention purge {'dry run ' if dry_run else ''}as of {when}:")
    kinds: dict[str, list[str]] = {}
    for line in report.lines:
        kinds.setdefault(line.kind.label, []).append(f"{line.what}: {line.count}")
    for label, parts in kinds.items():
        _out(f"  {label}: {', '.join(parts)}")
    total = report.total
    if dry_run:
        _out(f"{total} record{'' if total == 1 else 's'} would change. Nothing was changed (dry run).")
    else:
        _out(f"{total} record{'' if total == 1 else 's'} changed. The run is in the audit log, counts only.")


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
