"""``cosbot import budgets FILE.csv`` and ``cosbot report budgets --year 2026-27 --out FILE.csv``."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.config import Settings

BUDGET_COLUMNS = "community_code,financial_year,amount"


def add_import_parser(import_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    budgets = import_commands.add_parser(
        "budgets",
        help="import community budgets from a CSV file",
        description=f"Import community budgets, all or nothing. Columns: {BUDGET_COLUMNS}; the financial "
        "year as 2026-27 (April to March), the amount in pounds (48000 or 48,000.00). Each row makes the "
        "budget what it says: set the first time, an adjustment entry in the ledger when it changed, "
        "nothing when it is already so (re-importing the same file changes nothing).",
    )
    budgets.add_argument("file", help=f"CSV file with the columns {BUDGET_COLUMNS}")
    budgets.set_defaults(run=cmd_import_budgets)


def add_report_parser(report_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    budgets = report_commands.add_parser(
        "budgets",
        help="one row per community: budget, committed, spent and available, in pence",
        description="Write one row per active community for a financial year: community_code, "
        "financial_year, budget_pence, committed_pence, spent_pence, available_pence.",
    )
    budgets.add_argument("--year", required=True, help="the financial year, e.g. 2026-27")
    budgets.add_argument("--out", required=True, help="where to write the CSV file")
    budgets.set_defaults(run=cmd_report_budgets)


def cmd_import_budgets(args: argparse.Namespace, settings: Settings) -> None:
    from bot.cli.file_imports import run_file_import
    from communities.budget.importing import import_budgets

    run_file_import(settings, Path(args.file), BUDGET_COLUMNS, import_budgets)


def cmd_report_budgets(args: argparse.Namespace, settings: Settings) -> None:
    from bot.cli.file_imports import CliError
    from bot.migrate import upgrade
    from communities.budget.report import positions, write_report
    from communities.budget.years import FinancialYear
    from communities.db import Database
    from communities.wording import counted

    try:
        year = FinancialYear.parse(args.year)
    except ValueError:
        raise CliError(f"--year {args.year!r} is not a financial year like 2026-27") from None
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CliError(f"{out.parent} is not a directory")
    upgrade(settings.database_url)

    async def run() -> int:
        database = Database(settings.database_url)
        try:
            async with database.session() as session:
                rows = await positions(session, year)
        finally:
            await database.dispose()
        write_report(out, year, rows)
        return len(rows)

    count = asyncio.run(run())
    print(f"wrote {counted(count, 'community', 'communities')} for {year} to {out}")
