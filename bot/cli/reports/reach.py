"""``cosbot report reach --out FILE.csv``: who the bot can reach, one row per person and community.

The columns are :data:`communities.reach.report.COLUMNS`; a person in two communities has a row
in each, and people with only council-wide roles have rows with an empty community code. All or
nothing, as the other reports. Exit codes: 0 written, 2 a problem to fix (a folder that does not
exist, an unknown community).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.reports import ReportError, community_id_of, write_csv
from bot.config import Settings


def add_report_parser(report_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reach = report_commands.add_parser(
        "reach",
        help="who the bot can message, per community, and why not the others",
        description="One row per person and community: community_code, community_name, email, "
        "display_name, reachable (yes/no), how, reason. Says whether the bot may install itself "
        "through Microsoft Graph (GRAPH_INSTALL_APP).",
    )
    reach.add_argument("--community", metavar="CODE", help="only this community (CANT1)")
    reach.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the CSV")
    reach.set_defaults(run=cmd_report_reach)


def cmd_report_reach(args: argparse.Namespace, settings: Settings) -> int:
    from bot.migrate import upgrade
    from communities.reach.report import COLUMNS

    out = Path(args.out)
    if not out.parent.is_dir():
        raise ReportError(f"the folder {out.parent} does not exist")
    upgrade(settings.database_url)
    rows, counts, note = asyncio.run(_rows(settings, args.community))
    write_csv(out, COLUMNS, rows)
    reachable = sum(1 for row in rows if row[4] == "yes")
    sys.stdout.write(f"{out}: the bot can message {reachable} of {len(rows)} ({counts})\n{note}\n")
    return 0


async def _rows(settings: Settings, code: str | None) -> tuple[list[list[str]], str, str]:
    from communities.db import Database
    from communities.reach.report import reach_report

    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            community_id = await community_id_of(session, code)
            report = await reach_report(
                session, install_permitted=settings.graph_install_app, community_id=community_id
            )
    finally:
        await database.dispose()
    counts = ", ".join(f"{c.code or c.name} {c.reachable}/{len(c.people)}" for c in report.communities)
    return report.csv_rows(), counts, report.permission_note
