"""``cosbot export person`` (a member of staff's subject access request) and ``cosbot audit`` (who read
or changed a request).

``cosbot export person EMAIL --out FILE.zip [--force]`` writes everything held about that person: one
JSON file per kind, ``manifest.json`` (when, and the policy followed) and ``summary.md``. Pupil-level
detail is left out unless ``SAR_INCLUDE_PUPIL_DETAIL`` says otherwise. The zip is written beside its
destination and moved into place only when complete, and the export is audited. ``cosbot audit
--reference COS-… [--csv FILE]`` prints a request's audit trail, oldest first. Exit code 2 and
nothing written for an unknown person or reference, or a bad path.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.file_imports import CliError, output_file
from bot.config import Settings

if TYPE_CHECKING:
    from communities.subject_access.gathering import PersonExport
    from communities.subject_access.trail import TrailLine

TRAIL_COLUMNS = ("when", "who", "email", "action", "about")


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="export data", description="Export data held by the bot.")
    what = export.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    person = what.add_parser(
        "person",
        help="everything held about a member of staff (a subject access request), as a zip",
        description="Write everything held about the member of staff with this email to a zip: one JSON "
        "file per kind, manifest.json and a readable summary.md. Pupil-level detail is left out unless "
        "SAR_INCLUDE_PUPIL_DETAIL=true. The export is audited. Exit code 2, nothing written, for an "
        "unknown email or a bad --out.",
    )
    person.add_argument("email", help="the person's email, as in the roster")
    person.add_argument("--out", required=True, metavar="FILE.zip", help="where to write the zip")
    person.add_argument("--force", action="store_true", help="replace --out if it exists")
    person.set_defaults(run=cmd_export_person)

    trail = commands.add_parser(
        "audit",
        help="who read or changed a request, and when",
        description="List the audit trail of a request (and its outcome, disputes and agenda item): "
        "when, who, what, oldest first. Exit code 2 for an unknown reference.",
    )
    trail.add_argument("--reference", required=True, metavar="COS-…", help="the request's reference")
    trail.add_argument("--csv", metavar="FILE.csv", help="also write the trail to this CSV file")
    trail.set_defaults(run=cmd_audit)


def cmd_export_person(args: argparse.Namespace, settings: Settings) -> int:
    from bot.migrate import upgrade
    from communities.subject_access.gathering import UnknownPerson, normalised_email

    out = output_file(args.out, ".zip", "the zip's name, e.g. export.zip")
    if out.is_dir() or (out.exists() and not args.force):
        raise CliError(f"{out} already exists: give another name, or add --force to replace it")
    try:
        email = normalised_email(args.email)
    except UnknownPerson as unknown:
        raise CliError(str(unknown)) from None
    upgrade(settings.database_url)
    export = asyncio.run(_export(settings, email, out))
    sys.stdout.write(
        f"{export.rows} record{'' if export.rows == 1 else 's'} about {export.email} in "
        f"{len(export.kinds)} files written to {out} (pupil detail "
        f"{'included' if export.include_pupil_detail else 'withheld'})\n"
    )
    return 0


async def _export(settings: Settings, email: str, out: Path) -> PersonExport:
    """Gather, write the zip beside ``out``, audit the export, then move the zip into place."""
    from communities.clock import SystemClock
    from communities.db import Database
    from communities.subject_access.gathering import UnknownPerson, gather, record_export

    database, clock = Database(settings.database_url), SystemClock()
    try:
        async with database.session() as session:
            try:
                export = await gather(
                    session, clock, email, include_pupil_detail=settings.sar_include_pupil_detail
                )
            except UnknownPerson as unknown:
                raise CliError(str(unknown)) from None
            temporary = _write_zip(export, out)
            try:
                record_export(session, clock, export)
                await session.commit()
                os.replace(temporary, out)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            return export
    finally:
        await database.dispose()


def _write_zip(export: PersonExport, out: Path) -> Path:
    """The zip, complete, in a temporary file beside ``out`` (removed if writing fails)."""
    from communities.subject_access.summary import manifest, summary_markdown

    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", _json(manifest(export)))
            archive.writestr("summary.md", summary_markdown(export))
            for kind, rows in export.kinds.items():
                archive.writestr(f"{kind}.json", _json(rows))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.reports import write_csv
    from bot.migrate import upgrade

    out = Path(args.csv) if args.csv else None
    if out is not None and not out.parent.is_dir():
        raise CliError(f"the folder {out.parent} does not exist")
    upgrade(settings.database_url)
    ref = args.reference.strip().upper()
    lines = asyncio.run(_trail(settings, ref))
    rows = [_cells(line) for line in lines]
    sys.stdout.write(_table(ref, rows))
    if out is not None:
        write_csv(out, TRAIL_COLUMNS, rows)
        sys.stdout.write(f"written to {out}\n")
    return 0


async def _trail(settings: Settings, ref: str) -> list[TrailLine]:
    from communities.db import Database
    from communities.subject_access.trail import UnknownReference, request_trail

    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            try:
                return await request_trail(session, ref)
            except UnknownReference as unknown:
                raise CliError(str(unknown)) from None
    finally:
        await database.dispose()


def _cells(line: TrailLine) -> list[str]:
    from communities.meetings.tables import local

    return [f"{local(line.at):%Y-%m-%d %H:%M}", line.who, line.email, line.action, line.about]


def _table(ref: str, rows: list[list[str]]) -> str:
    """The trail as aligned columns, with a heading line (London times)."""
    if not rows:
        return f"{ref}: nothing in the audit log\n"
    titles = ["When (London)", "Who", "Email", "Action", "About"]
    widths = [max(len(cell) for cell in column) for column in zip(titles, *rows, strict=False)]
    lines = [f"Audit trail of {ref}: {len(rows)} event{'' if len(rows) == 1 else 's'}, oldest first", ""]
    for cells in (titles, ["-" * w for w in widths], *rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"
