"""``cosbot report summary``: the officers' report as CSV, the same figures and suppression as the chat.

``cosbot report summary --from 2026-09-01 --to 2026-12-31 --out summary.csv`` writes a line for all
areas, each area and each community (:func:`communities.reporting.report.csv_rows`): counts from 1
to 4 read "fewer than 5", and the few hidden so that they cannot be worked out read "not shown".
All or nothing: exit 0 written, 2 a problem to fix (bad dates, a period that ends before it
starts, a folder that does not exist or cannot be written to), nothing written.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date

from bot.cli.reports import ReportError, period_and_out, write_csv
from bot.config import Settings


def add_report_parser(report_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    summary = report_commands.add_parser(
        "summary",
        help="the officers' report per area and community, small numbers suppressed",
        description="A line for all areas, each area and each community: requests submitted from --from "
        "to --to by status and main area of need, decisions of meetings in that time, the median calendar "
        "days from submission to decision, funding committed against budget (the financial year --to "
        "falls in) and what is overdue today. Counts from 1 to 4 read 'fewer than 5'. All or nothing.",
    )
    summary.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day, 2026-09-01")
    summary.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day, 2026-12-31")
    summary.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the CSV")
    summary.set_defaults(run=cmd_report_summary)


def cmd_report_summary(args: argparse.Namespace, settings: Settings) -> int:
    from bot.migrate import upgrade

    start, end, out = period_and_out(args)
    upgrade(settings.database_url)
    columns, rows = asyncio.run(_rows(settings, start, end))
    try:
        write_csv(out, columns, rows)
    except OSError as error:
        raise ReportError(f"cannot write {out}: {error.strerror or error}") from None
    sys.stdout.write(f"{out}: {len(rows)} lines (all areas, each area and community) from {start} to {end}\n")
    return 0


async def _rows(settings: Settings, start: date, end: date) -> tuple[list[str], list[list[str]]]:
    from communities.clock import SystemClock
    from communities.db import Database
    from communities.meetings.tables import local
    from communities.reporting.report import build_report, csv_columns, csv_rows

    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            today = local(SystemClock().now()).date()
            report = await build_report(session, start, end, today)
    finally:
        await database.dispose()
    return csv_columns(report), csv_rows(report)
