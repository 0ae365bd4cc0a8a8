"""Files on the command line: importing a CSV all or nothing, with each problem on a line of its own,
and checking where an export is to be written; :class:`CliError`, what every command raises for a
problem the user can fix."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.config import Settings
    from communities.clock import Clock
    from communities.db import Database


class CliError(Exception):
    """A problem the user can fix; printed without a traceback (exit code 2)."""


def output_file(value: str, suffix: str, name: str, error: type[CliError] = CliError) -> Path:
    """Where an export goes: a file named ``*<suffix>`` (``name`` says what, with an example) in a
    folder that exists."""
    out = Path(value)
    if out.suffix.lower() != suffix:
        raise error(f"{out} does not end in {suffix}: give {name}")
    if not out.parent.is_dir():
        raise error(f"the folder {out.parent} does not exist")
    return out


def run_file_import(
    settings: Settings,
    path: Path,
    columns: str,
    importer: Callable[[Database, Path, Clock], Coroutine[Any, Any, ImportReport]],
) -> None:
    """Import one CSV file all or nothing, on the migrated database, and print the report's lines."""
    from bot.migrate import upgrade
    from communities.clock import SystemClock
    from communities.db import Database

    if not path.is_file():
        raise CliError(f"{path} is not a file (it should be a CSV with the columns {columns})")
    upgrade(settings.database_url)

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            report = await importer(database, path, SystemClock())
            for line in report.lines():
                sys.stdout.write(f"{line}\n")
        finally:
            await database.dispose()

    run_import(run)


class ImportReport(Protocol):
    def lines(self) -> list[str]: ...


def run_import(run: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run an all-or-nothing import; if it found problems, each goes to stderr on a line of its own."""
    from communities.csv_reading import CsvImportError

    try:
        asyncio.run(run())
    except CsvImportError as error:
        for problem in error.problems:
            sys.stderr.write(f"{problem}\n")
        raise CliError(f"nothing was imported: {len(error.problems)} problem(s) to fix first") from None
