"""The request-dialog scenario of ``bench/turns.py``: what each simulated user sends, and what must come back.

Only school leaders and SENCOs may raise requests, and a school may have at most three open
(submitted) requests, so a benchmark user cannot submit hundreds. Instead each user goes
round this cycle of 14 personal-chat turns, as a leader working on drafts would, and never
submits (drafts do not count towards the limit; one new draft per cycle is kept):

====  ====================================================  =====================================
step  the user sends                                        the bot must answer with
====  ====================================================  =====================================
 1    the menu button ``{"action": "raise_request"}``        the "You have a draft" card (section
                                                             ``start``); on a person's very first
                                                             cycle, the new request's first card
 2    that card's "Start a new request"                      "I've started request ..." + ``type``
 3-8  the ``type``, ``pupil``, ``needs``, ``support``,        the next section's card each time,
      ``parents`` and ``urgency`` cards, filled in           then the ``review`` card
 9    review: Edit "needs"                                   the ``needs`` card
 10   ``needs`` with changed wording                         the ``review`` card
 11   ``cancel`` (typed)                                     "Your draft ... is saved" (no card)
 12   the draft card's "Continue COS-..." (as from step 1)   "everything is answered" + ``review``
 13   ``back`` (typed)                                       the ``urgency`` card
 14   ``urgency`` again                                      the ``review`` card
====  ====================================================  =====================================

So a cycle has one draft started (a ref from the sequence, an audit row), eight saves with the
version check (two with free text, so the identifying-details check runs), a cancel, a resume
and a back, and every turn loads the person, the dialog state and the request. Each user has
its own conversation and its own draft; several users may be the same demo person (there are
four), each editing only the request it started. The driver reads the new request's id from
the connector after steps 1 and 2, as the next card's submit must carry it.

The echo bot and the floor are sent the same activities (with a made-up request id); they
answer each with ``Echo: <text>``.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # tests.support.request_answers
    sys.path.insert(0, str(ROOT))

from tests.support.request_answers import ANSWERS  # noqa: E402

STAFF_ROLES = frozenset({"school_leader", "senco"})

#: Step 10's wording alternates between these (changed answers, saved again).
EDITED_NEEDS = (
    "Reading age four years behind; avoids written work and copying from the board.",
    "Reading age four years behind; avoids written work.",
)


@dataclass(frozen=True)
class Step:
    name: str
    #: The section whose card the reply must carry (``actions[0].data.section``); None: no card.
    section: str | None
    #: Text the reply must contain (its text, i.e. the notes said with a card).
    marker: str | None = None


CYCLE: tuple[Step, ...] = (
    Step("raise", "start"),
    Step("new", "type", "I've started request"),
    Step("type", "pupil"),
    Step("pupil", "needs"),
    Step("needs", "support"),
    Step("support", "parents"),
    Step("parents", "urgency"),
    Step("urgency", "review"),
    Step("edit needs", "needs"),
    Step("needs edited", "review"),
    Step("cancel", None, "is saved"),
    Step("continue", "review", "everything is answered"),
    Step("back", "urgency"),
    Step("urgency again", "review"),
)
#: Where a person's first ``raise`` lands (no draft yet, so no choice card).
AFTER_FIRST_RAISE = 2


def staff_aad_ids(people_csv: Path) -> set[str]:
    """Entra object ids of the demo people who may raise requests (leaders and SENCOs)."""
    with people_csv.open(newline="", encoding="utf-8") as file:
        return {
            row["aad_object_id"].strip()
            for row in csv.DictReader(file)
            if row["role"].strip() in STAFF_ROLES and (row.get("aad_object_id") or "").strip()
        }


def _section_submit(section: str, request_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """What Teams sends for a section card's Next button: its data plus the inputs."""
    return {"form": "request", "section": section, "request_id": request_id, **values}


@dataclass
class RequestUser:
    """Where one simulated user is in the cycle."""

    position: int = 0
    request_id: int = 0
    rounds: int = 0
    #: Per step name: latencies (s), for the per-step table.
    latencies: dict[str, list[float]] = field(default_factory=dict)

    @property
    def step(self) -> Step:
        return CYCLE[self.position]

    def message(self) -> tuple[str | None, dict[str, Any] | None]:
        """The text and value of the next turn."""
        name, rid = self.step.name, self.request_id
        if name == "raise":
            return None, {"action": "raise_request"}
        if name == "new":
            return None, {"form": "request", "section": "start", "command": "new"}
        if name in ANSWERS:
            return None, _section_submit(name, rid, ANSWERS[name])
        if name == "edit needs":
            return None, {
                "form": "request",
                "section": "review",
                "request_id": rid,
                "command": "edit",
                "edit": "needs",
            }
        if name == "needs edited":
            wording = EDITED_NEEDS[self.rounds % len(EDITED_NEEDS)]
            return None, _section_submit("needs", rid, {**ANSWERS["needs"], "needs_summary": wording})
        if name == "cancel":
            return "cancel", None
        if name == "continue":
            return None, {"form": "request", "section": "start", "request_id": rid, "command": "continue"}
        if name == "back":
            return "back", None
        if name == "urgency again":
            return None, _section_submit("urgency", rid, ANSWERS["urgency"])
        raise AssertionError(name)

    def advance(self) -> None:
        self.position += 1
        if self.position == len(CYCLE):
            self.position = 0
            self.rounds += 1


def check_reply(kind: str, step: Step, summary: dict[str, Any]) -> str | None:
    """None if ``summary`` (the connector's record of the one reply) is what ``step`` expects."""
    if summary.get("type") != "message":
        return f"not a message: {summary}"
    text = summary.get("text") or ""
    if kind != "cosbot":
        return None if text.startswith("Echo:") else f"not an echo: {summary}"
    if step.section is None:
        if summary.get("attachments"):
            return f"{step.name}: a card, expected text only: {summary}"
    elif summary.get("section") != step.section:
        return f"{step.name}: expected the {step.section!r} card, got {summary}"
    if step.marker and step.marker not in text:
        return f"{step.name}: the reply does not say {step.marker!r}: {summary}"
    return None
