"""``cosbot jobs``: what the scheduler has scheduled and when, in the bot's time zone.

It reads the job store in the bot's database (it needs no running service) and, on PostgreSQL,
says which process holds the scheduler's lock, that is, which replica runs the jobs.
"""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    jobs = commands.add_parser(
        "jobs",
        help="list the scheduled jobs (reminders, cut-offs, renewals) and when they run",
        description="List what the scheduler has scheduled, soonest first, with the time of the next run "
        "in the bot's time zone (TIMEZONE, Europe/London by default).",
    )
    jobs.add_argument("--limit", type=int, default=0, metavar="N", help="show only the next N jobs")
    jobs.set_defaults(run=cmd_jobs)


def cmd_jobs(args: argparse.Namespace, settings: Settings) -> int:
    from scheduler.leader_lock import lock_errors
    from scheduler.service import leader_status, list_jobs

    infos = list_jobs(settings.database_url, settings.zone)
    if infos is None:
        _out("Nothing is scheduled yet: the scheduler has not run on this database (cosbot serve starts it).")
        return 0
    shown = infos[: args.limit] if args.limit and args.limit > 0 else infos
    if not infos:
        _out("Nothing is scheduled: no meeting ahead has a step to come, and no renewal is due.")
    else:
        _out(f"{len(infos)} scheduled job{'' if len(infos) == 1 else 's'}, times in {settings.timezone}:")
    for info in shown:
        when = f"{info.next_run:%a %d %b %Y %H:%M %Z}" if info.next_run else "paused"
        _out(f"  {when:<26} {info.id:<38} {info.schedule}")
        _out(f"  {'':<26} {info.description}")
    if len(shown) < len(infos):
        _out(f"  ... and {len(infos) - len(shown)} more")
    try:
        holder = leader_status(settings.database_url)
    except lock_errors() as error:
        _out(f"Leader: unknown ({type(error).__name__})")
        return 0
    if holder is None:
        _out("Leader: the cosbot serve process (SQLite: one process runs the scheduler).")
    elif holder:
        _out(f"Leader: {holder} (it runs the jobs; other replicas stand by).")
    else:
        _out("Leader: none: no scheduler is running, so nothing will run until one starts.")
    return 0


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
