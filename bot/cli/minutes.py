"""``cosbot minutes export``: a meeting's minutes as a Word document (councils file minutes as documents).

The document has a heading per section of the minutes, with tables for the attendance, the
outcomes and the allocations they made (with the budget's position after them), and says whether
the minutes are approved (and by whom) or still a draft. It carries what the members' copy
carries: schools, members, references, outcomes and money, never a pupil.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.table import Table, _Cell
from sqlmodel import col, select

from bot.cli.file_imports import CliError, output_file
from bot.config import Settings
from cards.budget import movement_line, position_line
from communities.clock import SystemClock
from communities.db import Database
from communities.meetings.tables import Meeting, MeetingStatus, local
from communities.minutes.tables import MinutesSection
from communities.minutes.view import MinutesView, exported, minutes_of
from communities.outcomes.tables import ActionStatus
from communities.roster.tables import Community


class MinutesCliError(CliError):
    """A problem the user can fix (unknown community, no meeting that day, no minutes yet)."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    minutes = commands.add_parser("minutes", help="meeting minutes", description="Meeting minutes.")
    what = minutes.add_subparsers(dest="minutes_command", required=True, metavar="COMMAND")
    export = what.add_parser(
        "export",
        help="write a meeting's minutes as a Word document",
        description="Write the minutes of a community's meeting on a day as a Word document (.docx): a "
        "heading per section, tables for the attendance and the outcomes. Exit code 2 when the community, "
        "the meeting or its minutes cannot be found.",
    )
    export.add_argument("--community", required=True, metavar="CODE", help="the community's code: CANT1")
    export.add_argument("--date", required=True, type=_date, metavar="YYYY-MM-DD", help="the meeting's day")
    export.add_argument("--out", required=True, metavar="FILE.docx", help="where to write the document")
    export.set_defaults(run=cmd_minutes_export)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-10") from None


def cmd_minutes_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.migrate import upgrade

    out = output_file(args.out, ".docx", "a Word document's name, e.g. minutes.docx", MinutesCliError)
    upgrade(settings.database_url)
    shown = asyncio.run(_minutes(settings, args.community.strip().upper(), args.date))
    write_docx(shown, out)
    state = "approved" if shown.approved else "a draft, not approved yet"
    sys.stdout.write(f"minutes of {shown.community_code} on {shown.when} ({state}) written to {out}\n")
    return 0


async def _minutes(settings: Settings, code: str, day: date) -> MinutesView:
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            community = (await session.exec(select(Community).where(col(Community.code) == code))).first()
            if community is None:
                raise MinutesCliError(f"there is no community {code} (the codes are like CANT1)")
            meetings = await session.exec(
                select(Meeting)
                .where(
                    Meeting.community_id == community.id,
                    col(Meeting.status) != MeetingStatus.CANCELLED,
                )
                .order_by(col(Meeting.starts_at))
            )
            meeting = next((m for m in meetings.all() if local(m.starts_at).date() == day), None)
            if meeting is None or meeting.id is None:
                raise MinutesCliError(f"{code} has no meeting on {day.isoformat()}")
            minutes = await minutes_of(session, meeting.id)
            if minutes is None:
                raise MinutesCliError(
                    f"the meeting of {code} on {day.isoformat()} has no minutes yet: its chair writes them "
                    "with `minutes` in the chat once its outcomes are confirmed"
                )
            shown = await exported(session, SystemClock(), minutes)
            await session.commit()
            return shown
    finally:
        await database.dispose()


def write_docx(shown: MinutesView, out: Path) -> None:
    """The minutes as a Word document at ``out``."""
    document = Document()
    document.add_heading(f"Minutes: {shown.title}", level=0)
    if shown.approved and shown.approved_at is not None:
        at = local(shown.approved_at)
        document.add_paragraph(f"Approved by {shown.approved_by or 'the chair'} on {at.day} {at:%B %Y}.")
    else:
        document.add_paragraph("Draft: not approved yet.")
    for number, section in enumerate(MinutesSection, start=1):
        document.add_heading(f"{number}. {section.label}", level=1)
        if section is MinutesSection.ATTENDANCE:
            table = _table(document, ("Member", "Attendance"))
            for row in shown.attendance:
                _fill(_row(table), (row.name, row.status_text))
            document.add_paragraph(f"Quorate: {'yes' if shown.quorate else 'no'}.")
        elif section is MinutesSection.DECLARATIONS:
            for said in shown.declarations:
                document.add_paragraph(
                    f"{said.ref}: {said.name}. Ruling: {said.ruling}.", style="List Bullet"
                )
            if not shown.declarations:
                document.add_paragraph("No member was flagged for a conflict of interest on any item.")
        elif section is MinutesSection.OUTCOMES:
            _outcomes(document, shown)
        elif section is MinutesSection.AOB:
            for line in shown.aob or ("None was raised on the agenda.",):
                document.add_paragraph(line)
        if shown.note(section):
            document.add_paragraph(shown.note(section))
        elif section is MinutesSection.NOTES:
            document.add_paragraph("None.")
    document.save(str(out))


def _outcomes(document: WordDocument, shown: MinutesView) -> None:
    if not shown.outcomes:
        document.add_paragraph("No requests were decided at this meeting.")
        return
    table = _table(document, ("Reference", "School", "Decision", "Funding", "Review by"))
    for row in shown.outcomes:
        review = _day(row.review_date) if row.review_date else ""
        _fill(_row(table), (row.ref, row.school, row.decision, row.funding or "", review))
    _money(document, shown)
    actions = [(row.ref, action) for row in shown.outcomes for action in row.actions]
    if actions:
        document.add_heading("Actions", level=2)
        table = _table(document, ("Reference", "Action", "Owner", "Due", "Status"))
        for ref, action in actions:
            status = ActionStatus(action.status).label
            _fill(_row(table), (ref, action.description, action.owner, _day(action.due_date), status))


def _money(document: WordDocument, shown: MinutesView) -> None:
    """Each allocation the meeting made, and the budget's position after them."""
    money = shown.money
    if money is None or money.position is None:
        document.add_paragraph("No money was allocated at this meeting.")
        return
    document.add_heading(f"Allocations made at this meeting (financial year {money.year})", level=2)
    table = _table(document, ("Allocation", "Amount"))
    for movement in money.movements:
        _fill(_row(table), movement_line(movement))
    document.add_paragraph(f"The community's budget after them: {position_line(money.position)}")


def _table(document: WordDocument, titles: Sequence[str]) -> Table:
    table: Table = document.add_table(rows=1, cols=len(titles))
    table.style = "Table Grid"
    _fill(table.rows[0].cells, titles)
    return table


def _row(table: Table) -> list[_Cell]:
    """A new row's cells (python-docx leaves ``add_row`` untyped)."""
    cells: list[_Cell] = list(table.add_row().cells)  # type: ignore[no-untyped-call]
    return cells


def _fill(cells: Sequence[_Cell], values: Sequence[str]) -> None:
    for cell, value in zip(cells, values, strict=True):
        cell.text = value


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
