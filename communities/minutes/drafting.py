"""Drafting the minutes and the chair's edits.

The draft is made the first time the chair opens the minutes of a meeting that has taken place
and whose outcomes are confirmed (idempotent: two at once make one). Each edit is the chair's text
for one section, from the card's version (a stale card changes nothing), checked for text that may
identify a child (refused, with the warning), written under the version check and audited without
the text. Approved minutes no longer change.
"""

from __future__ import annotations

from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from communities.clock import Clock
from communities.db import upsert_into
from communities.identifying_text import find_identifying_text, warning_for
from communities.meetings.tables import Meeting
from communities.minutes.access import (
    LATEST,
    MinutesChanged,
    MinutesRefused,
    audit_meeting,
    check_may_write,
    check_ready,
    load_meeting,
    save,
)
from communities.minutes.tables import MAX_SECTION_TEXT, Minutes, MinutesSection, MinutesStatus
from communities.minutes.view import MinutesView, day_text, minutes_of, view
from communities.roster.directory import PersonProfile
from communities.roster.tables import Community


async def open_minutes(
    session: AsyncSession, clock: Clock, actor: PersonProfile, meeting_id: int
) -> MinutesView:
    """The chair's copy: permission-checked, drafted first if there are no minutes yet."""
    meeting, community = await load_meeting(session, meeting_id)
    await check_may_write(session, clock, actor, meeting, community, "open")
    return await view(session, await draft(session, clock, actor, meeting))


async def draft(session: AsyncSession, clock: Clock, actor: PersonProfile, meeting: Meeting) -> Minutes:
    """The meeting's minutes, drafted the first time (the caller has checked who is asking)."""
    assert meeting.id is not None
    existing = await minutes_of(session, meeting.id)
    if existing is not None:
        return existing
    await check_ready(session, clock, meeting)
    now = clock.now()
    created = await session.execute(
        upsert_into(session, Minutes)
        .values(
            meeting_id=meeting.id,
            status=MinutesStatus.DRAFT.value,
            sections={},
            version=1,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["meeting_id"])
        .returning(col(Minutes.id))
    )
    if created.first() is not None:  # None: another call drafted them just now
        audit_meeting(session, clock, actor, "minutes_drafted", meeting.id, {})
    minutes = await minutes_of(session, meeting.id)
    assert minutes is not None
    return minutes


async def writable(
    session: AsyncSession, clock: Clock, actor: PersonProfile, meeting_id: int, version: int | None, what: str
) -> tuple[Minutes, Meeting, Community]:
    """Permission, the minutes (drafted if missing), still a draft, and the card's version."""
    meeting, community = await load_meeting(session, meeting_id)
    await check_may_write(session, clock, actor, meeting, community, what)
    minutes = await draft(session, clock, actor, meeting)
    if MinutesStatus(minutes.status) is MinutesStatus.APPROVED:
        raise MinutesRefused(
            f"The minutes of the meeting on {day_text(meeting.starts_at)} are already approved, so they "
            "cannot change. Any correction goes in the minutes of the next meeting."
        )
    if version is not None and version != minutes.version:
        raise MinutesChanged("The minutes have changed since this card was sent. Here are the latest.")
    return minutes, meeting, community


async def edit_section(
    session: AsyncSession,
    clock: Clock,
    actor: PersonProfile,
    meeting_id: int,
    section: str,
    words: str,
    *,
    version: int | None,
) -> MinutesView:
    """Set the chair's text for ``section`` (empty text clears it)."""
    if section not in set(MinutesSection):
        raise MinutesRefused(f"That card is out of date. {LATEST}")
    minutes, meeting, _ = await writable(session, clock, actor, meeting_id, version, "edit")
    words = words.strip()
    if len(words) > MAX_SECTION_TEXT:
        raise MinutesRefused(
            f"That is {len(words)} characters: a section's text can be at most {MAX_SECTION_TEXT}. "
            "Shorten it and save again. Nothing was saved."
        )
    found = find_identifying_text(words, today=clock.now().date())
    if found:
        raise MinutesRefused(f"{warning_for(found)} Nothing was saved.")
    sections = {**minutes.sections, section: words}
    if not await save(session, clock, minutes, sections={k: v for k, v in sections.items() if v}):
        await session.rollback()
        raise MinutesChanged("Someone else changed the minutes just now. Here are the latest.")
    assert meeting.id is not None
    audit_meeting(
        session, clock, actor, "minutes_edited", meeting.id, {"section": section, "cleared": not words}
    )
    return await view(session, minutes)


async def may_approve(
    session: AsyncSession, clock: Clock, actor: PersonProfile, meeting_id: int, version: int | None
) -> MinutesView:
    """The minutes the confirmation asks about: checked as approving is, nothing changed."""
    minutes, _, _ = await writable(session, clock, actor, meeting_id, version, "approve")
    return await view(session, minutes)
