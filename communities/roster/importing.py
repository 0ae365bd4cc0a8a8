"""The roster import: three CSV files in, an all-or-nothing upsert of the roster tables out.

The files are checked first (:mod:`communities.roster.csv_files`); if anything is wrong,
:class:`RosterImportError` lists every problem and the database is not touched.
Otherwise the tables are brought in line with the files in one transaction:

* rows are matched on natural keys: community code, school URN, lower-cased email,
  and (person, :meth:`Membership.make_scope_key`) for memberships;
* a row the files leave out is deactivated, never deleted, and reactivated when it
  comes back; areas are created from the communities' ``area`` values and never removed;
* a row whose values already match is not written, so importing the same files
  twice changes nothing (memberships keep their ``updated_at``);
* an empty ``aad_object_id`` keeps the id already stored (the bot may have learnt
  it); an id the files give to one email is taken off any other person holding it.

Each table is read with one query and written in batches (one for its changed rows
of each shape, one for its new rows), so a county-sized roster of hundreds of schools
and thousands of people takes a couple of dozen statements, not one a row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sized
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from communities import audit
from communities.clock import Clock
from communities.db import Database
from communities.roster.csv_files import Progress, read_roster
from communities.roster.records import PEOPLE_FILE, Roster, RosterImportError, RosterProblem
from communities.roster.table_sync import EntityCounts, all_rows, insert_rows, sync_rows, write_rows
from communities.roster.tables import Area, Community, Membership, Person, School

__all__ = [
    "SAVING",
    "EntityCounts",
    "ImportSummary",
    "Progress",
    "RosterImportError",
    "RosterProblem",
    "TooManyLeftOut",
    "import_roster",
    "people_left_out",
]

#: The progress label while writing to the database: ``done`` counts rows of every table.
SAVING = "saving"
#: An import may deactivate this many people without a second thought ...
LEFT_OUT_ALWAYS_ALLOWED = 10
#: ... and beyond that, up to this share of the active people: more looks like a partial file.
LEFT_OUT_SHARE_ALLOWED = 0.25


class TooManyLeftOut(RosterImportError):
    """The files leave out so many active people that they look like part of the roster."""

    def __init__(self, left_out: list[str], active: int) -> None:
        self.left_out = left_out
        examples = ", ".join(left_out[:3]) + (", ..." if len(left_out) > 3 else "")
        reason = (
            f"{len(left_out)} of the {active} active people are not in it and would be deactivated "
            f"({examples}); is this the whole roster?"
        )
        super().__init__([RosterProblem(PEOPLE_FILE, None, None, reason)])


@dataclass
class ImportSummary:
    """What an import did, table by table; :meth:`lines` is the report to print."""

    areas: EntityCounts = field(default_factory=EntityCounts)
    communities: EntityCounts = field(default_factory=EntityCounts)
    schools: EntityCounts = field(default_factory=EntityCounts)
    people: EntityCounts = field(default_factory=EntityCounts)
    memberships: EntityCounts = field(default_factory=EntityCounts)
    #: ``file: column`` for each header column the import did not use.
    ignored_columns: list[str] = field(default_factory=list)

    def _tables(self) -> list[tuple[str, EntityCounts]]:
        return [
            ("areas", self.areas),
            ("communities", self.communities),
            ("schools", self.schools),
            ("people", self.people),
            ("memberships", self.memberships),
        ]

    @property
    def changed(self) -> int:
        return sum(counts.changed for _, counts in self._tables())

    def counts(self) -> dict[str, dict[str, int]]:
        """The counts as plain data, for the audit log."""
        return {name: asdict(counts) for name, counts in self._tables()}

    def lines(self) -> list[str]:
        lines = [
            f"{name + ':':<13}{c.created} created, {c.updated} updated, {c.reactivated} reactivated, "
            f"{c.deactivated} deactivated, {c.unchanged} unchanged"
            for name, c in self._tables()
        ]
        lines += [f"ignored column {column}" for column in self.ignored_columns]
        if not self.changed:
            lines.append("Nothing changed: the database already matched these files.")
        return lines


async def people_left_out(db: Database, directory: Path) -> list[str]:
    """The emails of the active people an import of ``directory`` would deactivate, sorted.

    Raises :class:`RosterImportError` if the files have problems.
    """
    roster = read_roster(directory)
    async with db.session() as session:
        left_out, _ = await _left_out(session, roster)
    return left_out


async def _left_out(session: AsyncSession, roster: Roster) -> tuple[list[str], int]:
    """The active people the roster leaves out (emails, sorted), and how many are active."""
    kept = {person.email for person in roster.people}
    active = (await session.exec(select(Person.email).where(Person.active == True))).all()  # noqa: E712
    return sorted(email for email in active if email not in kept), len(active)


async def import_roster(
    db: Database,
    directory: Path,
    clock: Clock,
    *,
    progress: Progress | None = None,
    actor_person_id: int | None = None,
    allow_many_left_out: bool = False,
) -> ImportSummary:
    """Import ``communities.csv``, ``schools.csv`` and ``people.csv`` from ``directory``.

    Raises :class:`RosterImportError` listing every problem; then nothing is written. Unless
    ``allow_many_left_out``, files that would deactivate more than :data:`LEFT_OUT_ALWAYS_ALLOWED`
    people and more than :data:`LEFT_OUT_SHARE_ALLOWED` of the active ones raise
    :class:`TooManyLeftOut`: a county's chairs cut off by a partial file is worse than a question.
    ``progress(label, done, total)`` is called with each file name while its rows are
    checked, then with :data:`SAVING` and the rows of all tables as each table is written.
    """
    roster = read_roster(directory, progress=progress)
    summary = ImportSummary(ignored_columns=list(roster.ignored_columns))
    now = clock.now()
    async with db.session() as session, session.begin():
        if not allow_many_left_out:
            left_out, active = await _left_out(session, roster)
            if len(left_out) > max(LEFT_OUT_ALWAYS_ALLOWED, LEFT_OUT_SHARE_ALLOWED * active):
                raise TooManyLeftOut(left_out, active)
        await _apply(session, roster, now, summary, progress)
        audit.record(
            session,
            clock,
            actor_person_id=actor_person_id,
            action="roster.imported",
            entity="roster",
            entity_id=roster.fingerprint,
            detail=summary.counts(),
        )
    return summary


async def _apply(
    session: AsyncSession,
    roster: Roster,
    now: datetime,
    summary: ImportSummary,
    progress: Progress | None,
) -> None:
    saved = _Saved(progress, roster)
    area_ids = await _sync_areas(session, roster, summary.areas)
    saved.add(len(roster.areas))
    community_ids = await _sync_communities(session, roster, area_ids, summary.communities)
    saved.add(len(roster.communities))
    school_ids = await _sync_schools(session, roster, community_ids, summary.schools)
    saved.add(len(roster.schools))
    person_ids = await _sync_people(session, roster, summary.people)
    saved.add(len(roster.people))
    ids = _Ids(community_ids, school_ids, person_ids)
    await _sync_memberships(session, roster, ids, now, summary.memberships)
    saved.add(len(roster.memberships))


class _Saved:
    """Reports rows saved as each table is written (one table is one batch, so no finer steps)."""

    def __init__(self, progress: Progress | None, roster: Roster) -> None:
        self.progress = progress
        self.done = 0
        tables: list[Sized] = [
            roster.areas,
            roster.communities,
            roster.schools,
            roster.people,
            roster.memberships,
        ]
        self.total = sum(len(rows) for rows in tables)
        self.add(0)

    def add(self, rows: int) -> None:
        self.done += rows
        if self.progress:
            self.progress(SAVING, self.done, self.total)


@dataclass(frozen=True)
class _Ids:
    communities: dict[str, int]
    schools: dict[str, int]
    people: dict[str, int]


# --- one table at a time --------------------------------------------------------------------------
#
# Existing rows are loaded once and changed in memory; the ORM flush writes the changed
# ones in executemany batches. New rows go in with one bulk INSERT per table: added ORM
# objects would be inserted one statement a row on SQLite, which cannot batch them.


async def _sync_areas(session: AsyncSession, roster: Roster, counts: EntityCounts) -> dict[str, int]:
    """Areas have no ``active`` flag: they are created when first named and then kept."""
    ids = {area.name: area.id for area in await all_rows(session, Area) if area.id is not None}
    new = [{"name": name} for name in roster.areas if name not in ids]
    counts.created, counts.unchanged = len(new), len(roster.areas) - len(new)
    return ids | await insert_rows(session, Area, new, "name")


async def _sync_communities(
    session: AsyncSession, roster: Roster, area_ids: dict[str, int], counts: EntityCounts
) -> dict[str, int]:
    existing = {community.code: community for community in await all_rows(session, Community)}
    wanted = {
        c.code: {"code": c.code, "name": c.name, "area_id": area_ids[c.area], "district": c.district}
        for c in roster.communities
    }
    ids, new = sync_rows(existing, wanted, counts)
    return ids | await write_rows(session, Community, new, "code")


async def _sync_schools(
    session: AsyncSession, roster: Roster, community_ids: dict[str, int], counts: EntityCounts
) -> dict[str, int]:
    existing = {school.urn: school for school in await all_rows(session, School)}
    wanted = {
        s.urn: {
            "urn": s.urn,
            "name": s.name,
            "phase": s.phase,
            "trust": s.trust,
            "community_id": community_ids[s.community_code],
        }
        for s in roster.schools
    }
    ids, new = sync_rows(existing, wanted, counts)
    return ids | await write_rows(session, School, new, "urn")


async def _sync_people(session: AsyncSession, roster: Roster, counts: EntityCounts) -> dict[str, int]:
    existing = {person.email.lower(): person for person in await all_rows(session, Person)}
    released = _release_aad_object_ids(existing, roster)
    if released:
        # Written before the new holders get the ids, so the unique index never sees two.
        await session.flush()
    wanted: dict[str, dict[str, Any]] = {}
    for p in roster.people:
        values: dict[str, Any] = {"email": p.email, "display_name": p.name}
        if p.aad_object_id is not None:
            values["aad_object_id"] = p.aad_object_id
        wanted[p.email] = values
    ids, new = sync_rows(existing, wanted, counts, already_changed=released)
    # Every new row has every column, so the insert stays one batch.
    new = {email: {"aad_object_id": None, **values} for email, values in new.items()}
    return ids | await write_rows(session, Person, new, "email")


def _release_aad_object_ids(existing: Mapping[str, Person], roster: Roster) -> set[str]:
    """Clear each id the files give to a different email; returns the emails cleared."""
    holders = {person.aad_object_id: email for email, person in existing.items() if person.aad_object_id}
    released: set[str] = set()
    for person in roster.people:
        holder = holders.get(person.aad_object_id) if person.aad_object_id else None
        if holder is not None and holder != person.email:
            existing[holder].aad_object_id = None
            released.add(holder)
    return released


async def _sync_memberships(
    session: AsyncSession, roster: Roster, ids: _Ids, now: datetime, counts: EntityCounts
) -> None:
    existing = {(m.person_id, m.scope_key): m for m in await all_rows(session, Membership)}
    wanted: dict[tuple[int, str], dict[str, Any]] = {}
    for m in roster.memberships:
        person_id = ids.people[m.email]
        wanted[(person_id, m.scope_key)] = {
            "person_id": person_id,
            "role": m.role.value,
            "scope_key": m.scope_key,
            "school_id": ids.schools[m.school_urn] if m.school_urn else None,
            "community_id": ids.communities[m.community_code] if m.community_code else None,
        }

    def touched(membership: Membership) -> None:
        membership.updated_at = now

    _, new = sync_rows(existing, wanted, counts, touched=touched)
    await session.flush()
    rows = [{**values, "active": True, "updated_at": now} for values in new.values()]
    await insert_rows(session, Membership, rows, None)
