"""The officers' list of every open dispute: stage, age in school days, the next deadline."""

from __future__ import annotations

from cards.disputes.dispute import DISPUTE_FIELD, DISPUTE_OPEN
from cards.elements import Card, Element, card, facts, heading, submit, text
from communities.disputes.views import OpenLine
from communities.disputes.words import day


def open_disputes_card(lines: list[OpenLine]) -> Card:
    body: list[Element] = [heading("Open disputes")]
    if not lines:
        body.append(text("There are no open disputes."))
        return card(body)
    body.append(text(f"{len(lines)} open, oldest first. Ages are in school days.", subtle=True))
    for line in lines:
        rows = [
            ("School", f"{line.school} ({line.community_code})"),
            ("Stage", line.stage.label),
            ("Status", line.status.label),
            ("Age", f"{line.age_days} school days"),
        ]
        if line.deadline is not None:
            rows.append((line.deadline_label, day(line.deadline) + (" (missed)" if line.overdue else "")))
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text(f"**{line.ref}**"),
                    facts(rows),
                    {
                        "type": "ActionSet",
                        "actions": [submit("Open", DISPUTE_OPEN, **{DISPUTE_FIELD: line.dispute_id})],
                    },
                ],
            }
        )
    return card(body)
