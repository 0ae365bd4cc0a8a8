"""``cosbot import terms FILE.csv``: term dates and INSET days per academic year."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import Settings

TERM_COLUMNS = "academic_year,term,starts_on,ends_on"


def add_import_parser(import_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    terms = import_commands.add_parser(
        "terms",
        help="import term dates and INSET days from a CSV file",
        description=f"Import term dates, all or nothing. Columns: {TERM_COLUMNS}; the academic year as "
        "2026-27, the term's name as the schools write it (Term 1 to Term 6), dates as 2027-01-05 or "
        "05/01/2027. A row whose term is 'inset' is an INSET day (ends_on may be empty). Each academic "
        "year in the file gets exactly its rows (re-importing the same file changes nothing). Bank "
        "holidays come from the holidays package. School days then count only days in term.",
    )
    terms.add_argument("file", help=f"CSV file with the columns {TERM_COLUMNS}")
    terms.set_defaults(run=cmd_import_terms)


def cmd_import_terms(args: argparse.Namespace, settings: Settings) -> None:
    from bot.cli.file_imports import run_file_import
    from communities.terms.importing import import_terms

    run_file_import(settings, Path(args.file), TERM_COLUMNS, import_terms)
