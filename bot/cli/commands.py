"""The ``cosbot`` command line. Errors go to stderr with a non-zero exit code."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli import broadcast as cli_broadcast
from bot.cli import budgets as cli_budgets
from bot.cli import jobs as cli_jobs
from bot.cli import minutes as cli_minutes
from bot.cli import purge as cli_purge
from bot.cli import reports as cli_reports
from bot.cli import subject_access as cli_subject_access
from bot.cli import terms as cli_terms
from bot.cli.file_imports import CliError as CliError
from bot.cli.file_imports import run_import
from bot.cli.reports import reach as cli_reach
from bot.cli.reports import summary as cli_report_summary
from bot.config import ConfigError, Settings

if TYPE_CHECKING:
    from communities.db import Database

DEMO_ROSTER = Path(__file__).resolve().parents[2] / "communities" / "demo"
DEMO_MEETINGS = DEMO_ROSTER / "meetings.csv"
#: The demo communities' budgets (this financial year and the next), loaded as ``cosbot import budgets`` does.
DEMO_BUDGETS = DEMO_ROSTER / "budgets.csv"
#: Kent-like term dates for 2026-27, loaded as ``cosbot import terms`` does (before the meetings).
DEMO_TERMS = DEMO_ROSTER / "terms.csv"
MEETING_COLUMNS = "community_code,starts_at,ends_at,location,chair_email"

log = logging.getLogger("cosbot")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    from aiohttp import web

    from bot.app import create_app
    from bot.migrate import upgrade

    if not settings.authenticated and not is_loopback(args.host):
        raise CliError(
            f"refusing to listen on {args.host}: without MicrosoftAppId the bot does not check who is "
            "calling, so it only listens on a loopback address (127.0.0.1, ::1 or localhost). "
            "Set MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId to serve on a network."
        )
    upgrade(settings.database_url)
    mode = "authenticated" if settings.authenticated else "UNAUTHENTICATED (local development)"
    log.info("serving on http://%s:%s/api/messages, %s", args.host, args.port, mode)
    web.run_app(create_app(settings), host=args.host, port=args.port, print=None, access_log=None)


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> None:
    from bot.migrate import upgrade

    upgrade(settings.database_url)
    print("database is up to date")


def cmd_import_roster(args: argparse.Namespace, settings: Settings) -> None:
    _import_roster(Path(args.directory), settings, allow_many_left_out=args.allow_deactivating)


def cmd_import_meetings(args: argparse.Namespace, settings: Settings) -> None:
    _import_meetings(Path(args.file), settings)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> None:
    if settings.graph is not None:
        raise CliError(
            "cosbot demo loads made-up people and meetings, and would put the meetings in the Graph "
            f"mailbox {settings.graph.mailbox} with invitations: run it without the GRAPH_* settings"
        )
    _refuse_to_replace_a_roster(settings)
    _import_roster(DEMO_ROSTER, settings)
    cli_terms.cmd_import_terms(argparse.Namespace(file=str(DEMO_TERMS)), settings)
    _import_meetings(DEMO_MEETINGS, settings)
    cli_budgets.cmd_import_budgets(argparse.Namespace(file=str(DEMO_BUDGETS)), settings)
    print(
        "demo roster, meeting dates and budgets loaded: 3 communities, 9 schools; "
        "sign in as a demo person in the Playground"
    )


def _refuse_to_replace_a_roster(settings: Settings) -> None:
    """The demo roster replaces the roster: refuse where that would deactivate real people."""
    from bot.migrate import upgrade
    from communities.db import Database
    from communities.roster.importing import people_left_out

    upgrade(settings.database_url)

    async def left_out() -> list[str]:
        database = Database(settings.database_url)
        try:
            return await people_left_out(database, DEMO_ROSTER)
        finally:
            await database.dispose()

    people = asyncio.run(left_out())
    if people:
        others = f" and {len(people) - 1} more" if len(people) > 1 else ""
        raise CliError(
            f"this database holds a roster of its own: loading the demo would deactivate {people[0]}"
            f"{others}. Point DATABASE_URL at another database for the demo"
        )


def _import_roster(directory: Path, settings: Settings, *, allow_many_left_out: bool = False) -> None:
    from bot.cli.progress import ProgressBars
    from bot.migrate import upgrade
    from communities.clock import SystemClock
    from communities.db import Database
    from communities.roster.importing import TooManyLeftOut, import_roster

    if not directory.is_dir():
        raise CliError(
            f"{directory} is not a directory (it should hold communities.csv, schools.csv, people.csv)"
        )
    upgrade(settings.database_url)

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            try:
                with ProgressBars() as bars:
                    summary = await import_roster(
                        database,
                        directory,
                        SystemClock(),
                        progress=bars.update,
                        allow_many_left_out=allow_many_left_out,
                    )
            except TooManyLeftOut as error:
                print(error.problems[0], file=sys.stderr)
                raise CliError(
                    "nothing was imported. If those people have really left, import again with "
                    "--allow-deactivating"
                ) from None
            for line in summary.lines() + await _refresh_attendees(database, settings):
                print(line)
        finally:
            await database.dispose()

    run_import(run)


def _import_meetings(path: Path, settings: Settings) -> None:
    """Import the meeting dates, then bring the calendar up to date for the meetings that changed."""
    from bot.cli.progress import ProgressBars
    from bot.migrate import upgrade
    from communities.clock import SystemClock
    from communities.db import Database
    from communities.meetings.importing import import_meetings

    if not path.is_file():
        raise CliError(f"{path} is not a file (it should be a CSV with the columns {MEETING_COLUMNS})")
    upgrade(settings.database_url)

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            with ProgressBars() as bars:
                report = await import_meetings(
                    database, path, SystemClock(), settings.meeting_offsets, bars.update
                )
            for line in report.lines():
                print(line)
            for line in report.no_terms:  # a note, on stderr: the report's lines stay as they were
                print(line, file=sys.stderr)
            # Every meeting the calendar is behind on, not only those changed now: a re-import
            # also retries the ones an earlier sync could not bring up to date.
            for line in await _sync_calendar(database, settings):
                print(line)
            print(await _schedule_timeline(database, settings))
        finally:
            await database.dispose()

    run_import(run)


async def _refresh_attendees(database: Database, settings: Settings) -> list[str]:
    """After a roster change, the coming meetings' attendees follow (only newcomers are invited)."""
    from bot.calendars import calendar_for
    from communities.meetings.calendar import CalendarError
    from communities.meetings.calendar_sync import refresh_attendees

    if settings.graph is None:
        return []  # the local calendar has no attendee lists: its feed is per community
    try:
        calendar = calendar_for(settings)
    except (CalendarError, ValueError, OSError) as error:
        return [f"calendar: attendees not updated: {error}"]
    try:
        report = await refresh_attendees(database, calendar)
    finally:
        await calendar.close()
    lines = [f"calendar: attendees checked on {report.synced} coming meeting(s)"]
    return lines + [f"calendar: {code} {when}: {problem}" for code, when, problem in report.problems]


async def _schedule_timeline(database: Database, settings: Settings) -> str:
    """Write the meetings' timeline jobs to the shared job store; the running service runs them."""
    from communities.clock import SystemClock
    from communities.messaging.outbox import Outbox
    from scheduler.service import SchedulerService

    clock = SystemClock()
    service = SchedulerService.from_settings(settings, database, clock, Outbox(clock), run_jobs=False)
    await service.start()
    try:
        report = await service.rebuild()
    finally:
        await service.stop()
    return f"timeline: {report.added} job(s) added, {report.kept} kept, {report.removed} removed"


async def _sync_calendar(database: Database, settings: Settings) -> list[str]:
    """The calendar's report. Its problems are printed, not raised: the import stands either way."""
    from bot.calendars import calendar_for
    from communities.meetings.calendar import CalendarError
    from communities.meetings.calendar_sync import sync_meetings

    try:
        calendar = calendar_for(settings)
    except (CalendarError, ValueError, OSError) as error:
        return [f"calendar: not brought up to date: {error}"]
    try:
        return (await sync_meetings(database, calendar)).lines()
    except CalendarError as error:
        return [f"calendar: not brought up to date: {error}"]
    finally:
        await calendar.close()


def cmd_manifest_build(args: argparse.Namespace, settings: Settings) -> None:
    from manifest.package import ManifestError, ManifestSettings, build_package

    bot_id = args.bot_id or settings.app_id
    base_url = args.base_url or settings.public_url
    missing = [
        what
        for what, given in (
            ("the bot's app id (set MicrosoftAppId or pass --bot-id)", bot_id),
            ("the bot's public https URL (set PUBLIC_URL or pass --base-url)", base_url),
        )
        if not given
    ]
    if missing:
        raise CliError("the Teams app package needs " + " and ".join(missing))
    try:
        out = build_package(
            ManifestSettings(
                bot_id=bot_id,
                version=args.version,
                base_url=base_url,
                app_id=args.app_id,
                # webApplicationInfo: the app with the Graph permission to install the bot for people.
                graph_app_id=settings.graph.client_id
                if settings.graph and settings.graph.client_id
                else None,
            ),
            Path(args.out),
        )
    except ManifestError as error:
        raise CliError(str(error)) from None
    print(f"wrote {out}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cosbot", description="Kent Communities of Schools Teams bot")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the bot service", description="Run the bot service.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3978, help="port to listen on (default 3978)")
    serve.set_defaults(run=cmd_serve)

    db = commands.add_parser("db", help="database commands", description="Database commands.")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    db_commands.add_parser(
        "upgrade", help="run the migrations", description="Bring the database schema up to date."
    ).set_defaults(run=cmd_db_upgrade)

    imports = commands.add_parser("import", help="import data", description="Import data from CSV files.")
    import_commands = imports.add_subparsers(dest="import_command", required=True, metavar="WHAT")
    roster = import_commands.add_parser(
        "roster",
        help="import communities.csv, schools.csv and people.csv from a directory",
        description="Import the roster, all or nothing. Re-importing the same files changes nothing; "
        "people and memberships left out are deactivated, never deleted.",
    )
    roster.add_argument("directory", help="directory holding communities.csv, schools.csv, people.csv")
    roster.add_argument(
        "--allow-deactivating",
        action="store_true",
        help="deactivate the people left out even when they are more than 10 and a quarter of the "
        "active people (without it, such files are refused as looking like part of the roster)",
    )
    roster.set_defaults(run=cmd_import_roster)
    meetings = import_commands.add_parser(
        "meetings",
        help="import meeting dates from a CSV file",
        description="Import meeting dates, all or nothing, then bring the calendar up to date. "
        f"Columns: {MEETING_COLUMNS}; times are London times (2027-03-03 16:00 or 03/03/2027 16:00); "
        "ends_at may be a time or a duration (90m, 1h30m). The same community and start is the same "
        "meeting, so re-importing changes nothing; meetings left out of the file are kept.",
    )
    meetings.add_argument("file", help=f"CSV file with the columns {MEETING_COLUMNS}")
    meetings.set_defaults(run=cmd_import_meetings)
    cli_budgets.add_import_parser(import_commands)
    cli_terms.add_import_parser(import_commands)

    manifest = commands.add_parser("manifest", help="Teams app package", description="Teams app package.")
    manifest_commands = manifest.add_subparsers(dest="manifest_command", required=True, metavar="COMMAND")
    build = manifest_commands.add_parser(
        "build", help="build the Teams app package (zip)", description="Build the Teams app package."
    )
    build.add_argument("--out", required=True, help="where to write the zip, e.g. build/cosbot.zip")
    build.add_argument("--version", default="1.0.0", help="app version, MAJOR.MINOR.PATCH (default 1.0.0)")
    build.add_argument("--bot-id", help="the bot's Entra app id (default: MicrosoftAppId)")
    build.add_argument("--app-id", help="the Teams app id (default: the bot id)")
    build.add_argument("--base-url", help="the bot's public https URL (default: PUBLIC_URL)")
    # Only the app id and the public URL: a Teams admin packaging the app has no bot secret.
    build.set_defaults(run=cmd_manifest_build, load_settings=Settings.for_package)

    commands.add_parser(
        "demo",
        help="load the demo roster, meeting dates and budgets",
        description="Load the demo roster (fictional schools and people), their meeting dates and "
        "their communities' budgets for 2026-27 and 2027-28.",
    ).set_defaults(run=cmd_demo)
    cli_broadcast.add_parser(commands)
    cli_jobs.add_parser(commands)
    report_commands = cli_reports.add_parser(commands)
    cli_budgets.add_report_parser(report_commands)
    cli_reach.add_report_parser(report_commands)
    cli_report_summary.add_report_parser(report_commands)
    cli_minutes.add_parser(commands)
    cli_subject_access.add_parsers(commands)
    cli_purge.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # start/stop chatter on every import
    # These log statements with their parameters (sqlalchemy.engine at INFO, the drivers at DEBUG),
    # and parameters can be pupil detail: only their warnings are wanted.
    for name in ("aiosqlite", "sqlalchemy.engine", "psycopg"):
        logging.getLogger(name).setLevel(logging.WARNING)
    run: Callable[[argparse.Namespace, Settings], int | None] = args.run
    #: What a command reads of the settings (every setting, validated, unless it says less).
    load_settings: Callable[[], Settings] = getattr(args, "load_settings", Settings.from_env)
    try:
        code = run(args, load_settings())
    except (CliError, ConfigError) as error:  # every command's own errors are CliErrors
        print(f"cosbot: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code or 0
