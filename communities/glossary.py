"""The terms the bot uses, in one place: the ``glossary`` command shows them, and the words test
(``tests/test_words.py``) holds every card and message to them (``docs/style.md``).

An acronym is spelled out on its first use on each card ("educational psychologist (EP)"); a hard
word is explained where it is used ("pecuniary (money changes hands)"). ``spelled_out`` is the
phrase that must then appear on the card. These are the bot's own explanations, in plain words:
they are not Kent's official definitions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    term: str
    meaning: str
    #: For an acronym its words; for a hard word the short explanation given beside it.
    spelled_out: str
    acronym: bool = True


TERMS: tuple[Term, ...] = (
    Term(
        "AOB",
        "Items a member asks to discuss at a meeting that are not requests for support.",
        "any other business",
    ),
    Term(
        "APDR",
        "The cycle a school follows when a pupil needs extra support: assess the need, plan the "
        "support, do it, then review how it went.",
        "assess, plan, do, review",
    ),
    Term(
        "CSV",
        "A spreadsheet saved as plain text, one row a line: how officers import rosters and meeting dates.",
        "comma-separated values",
    ),
    Term(
        "EHC",
        "An EHC needs assessment is the council's assessment of whether a child needs an EHC plan.",
        "education, health and care",
    ),
    Term(
        "EHCP",
        "A legal plan, made by the council, of the support a child or young person with special "
        "educational needs or disabilities must have.",
        "education, health and care plan",
    ),
    Term(
        "EP",
        "A psychologist who assesses how a child learns and advises the school on support.",
        "educational psychologist",
    ),
    Term(
        "KCC",
        "The council that runs Kent's Communities of Schools.",
        "Kent County Council",
    ),
    Term(
        "OT",
        "Help with everyday skills such as handwriting, dressing and sensory needs.",
        "occupational therapy",
    ),
    Term(
        "SALT",
        "Help with speech, language, communication, eating and drinking.",
        "speech and language therapy",
    ),
    Term(
        "SEN",
        "A pupil has SEN when they need support that is different from, or extra to, what most "
        "pupils of their age get. SEN support is that help given by the school, without an EHC plan.",
        "special educational needs",
    ),
    Term(
        "SENCO",
        "The teacher who leads a school's support for pupils with special educational needs.",
        "special educational needs coordinator",
    ),
    Term(
        "SEND",
        "Special educational needs, and disabilities that affect learning.",
        "special educational needs and disabilities",
    ),
    Term(
        "STLS",
        "Kent's specialist teachers, who advise schools on supporting pupils with SEND.",
        "Specialist Teaching and Learning Service",
    ),
    Term(
        "UPN",
        "The 13-character number every pupil in England has. The bot never asks for it or keeps it.",
        "unique pupil number",
    ),
    Term(
        "URN",
        "The 6-digit number the Department for Education gives each school.",
        "unique reference number",
    ),
    Term(
        "Agenda",
        "The list of what a meeting will discuss: the requests accepted for it, and any other business.",
        "",
        acronym=False,
    ),
    Term(
        "Community of Schools",
        "A group of nearby Kent schools whose leaders and SENCOs meet to share support and resources.",
        "",
        acronym=False,
    ),
    Term(
        "Chair and vice chair",
        "The school leaders who run a community's meetings and review its requests. The vice chair "
        "stands in for the chair.",
        "",
        acronym=False,
    ),
    Term(
        "Council officer",
        "A member of the council's staff who supports every community: meeting dates, channels and rosters.",
        "",
        acronym=False,
    ),
    Term(
        "Declaration of interest",
        "A record of any link you have with a school or a provider (work, a trust, a family tie), so "
        "that you step out when a request from it is discussed.",
        "",
        acronym=False,
    ),
    Term(
        "Pecuniary",
        "To do with money. A pecuniary interest is one where money changes hands, such as paid work.",
        "money change",
        acronym=False,
    ),
    Term(
        "Pseudonymous",
        "Under a made-up reference instead of a name. Requests use your school's own reference for "
        "a pupil; only your school knows who it is.",
        "instead of a name",
        acronym=False,
    ),
    Term(
        "Pupil reference",
        "Your school's own short reference for a pupil or group, never their name. Only your school "
        "can link it to the child.",
        "",
        acronym=False,
    ),
    Term(
        "Quorum",
        "The fewest people who must be at a meeting for its decisions to count.",
        "",
        acronym=False,
    ),
    Term(
        "Returned for information",
        "The chair has asked the school for more information before the request can be accepted.",
        "",
        acronym=False,
    ),
)

#: Words that look like acronyms but need no spelling out (none yet: add one here with a reason).
WELL_KNOWN: frozenset[str] = frozenset()

_ACRONYM = re.compile(r"(?<![\w-])([A-Z]{2,})s?(?![\w-])")


def acronyms() -> dict[str, Term]:
    return {t.term: t for t in TERMS if t.acronym}


def hard_words() -> dict[str, Term]:
    """The words that are explained beside them wherever they are used."""
    return {t.term.lower(): t for t in TERMS if not t.acronym and t.spelled_out}


def acronyms_in(text: str) -> list[str]:
    """The acronyms in ``text``, in order ("SENCOs" counts as SENCO; "COS-ASH-26" as none)."""
    return [found for found in _ACRONYM.findall(text) if found not in WELL_KNOWN]
