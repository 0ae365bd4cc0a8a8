"""``cosbot report``: reports as CSV files, all written whole or not at all (:func:`write_csv`).

This module holds the command group and ``cosbot report outcomes``, one CSV row per decided request
over a period; ``reach`` and ``summary`` are this package's other modules.

``cosbot report outcomes --from 2026-09-01 --to 2026-12-31 [--community CANT1] --out outcomes.csv``
writes the columns of :data:`communities.outcomes.summary.COLUMNS`, by the London date of the
meeting. All or nothing: the file is written beside its destination and moved into place only
when complete. Exit codes: 0 written (even with no rows), 2 a problem to fix (bad dates, an
unknown community, a folder that does not exist), nothing written.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.file_imports import CliError
from bot.config import Settings

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession


class ReportError(CliError):
    """A problem the user can fix; nothing was written."""


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """``cosbot report``, with ``outcomes``; the returned sub-commands take the other reports."""
    report = commands.add_parser("report", help="write reports", description="Write reports as CSV files.")
    reports = report.add_subparsers(dest="report_command", required=True, metavar="WHAT")
    outcomes = reports.add_parser(
        "outcomes",
        help="one CSV row per decided request over a period",
        description="One row per request decided at a meeting from --from to --to (London dates, both "
        "included), with the columns reference, community_code, school_urn, meeting_date, decision, "
        "funding_agreed_pence, review_date, status. Only confirmed outcomes count. All or nothing.",
    )
    outcomes.add_argument("--from", dest="start", required=True, metavar="DATE", help="first day, 2026-09-01")
    outcomes.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day, 2026-12-31")
    outcomes.add_argument("--community", metavar="CODE", help="only this community (CANT1)")
    outcomes.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the CSV")
    outcomes.set_defaults(run=cmd_report_outcomes)
    return reports


def _day(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ReportError(
            f"{flag} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-09-01"
        ) from None


def period_and_out(args: argparse.Namespace) -> tuple[date, date, Path]:
    """A report's ``--from``, ``--to`` and ``--out``, checked before anything is read or written."""
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if end < start:
        raise ReportError(f"--to {end.isoformat()} is before --from {start.isoformat()}")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise ReportError(f"the folder {out.parent} does not exist")
    return start, end, out


def cmd_report_outcomes(args: argparse.Namespace, settings: Settings) -> int:
    from bot.migrate import upgrade

    start, end, out = period_and_out(args)
    upgrade(settings.database_url)
    rows = asyncio.run(_rows(settings, start, end, args.community))
    _write(out, rows)
    sys.stdout.write(
        f"{out}: {len(rows)} decided request{'' if len(rows) == 1 else 's'} from {start} to {end}\n"
    )
    return 0


async def _rows(settings: Settings, start: date, end: date, code: str | None) -> list[list[str]]:

    from communities.db import Database
    from communities.outcomes.summary import decided_rows

    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            community_id = await community_id_of(session, code)
            return [row.as_csv() for row in await decided_rows(session, start, end, community_id)]
    finally:
        await database.dispose()


async def community_id_of(session: AsyncSession, code: str | None) -> int | None:
    """The community a report is limited to (None: every community); ReportError for an unknown code."""
    from sqlmodel import select

    from communities.roster.tables import Community

    if not code:
        return None
    found = (await session.exec(select(Community).where(Community.code == code.strip().upper()))).first()
    if found is None:
        raise ReportError(f"there is no community {code!r}: use a code such as CANT1")
    return found.id


def _write(out: Path, rows: list[list[str]]) -> None:
    from communities.outcomes.summary import COLUMNS

    write_csv(out, COLUMNS, rows)


def write_csv(out: Path, columns: Sequence[str], rows: list[list[str]]) -> None:
    """Write beside ``out`` and move into place when complete."""
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(columns)
            writer.writerows(rows)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
