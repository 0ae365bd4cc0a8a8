"""The Request Form: its sections, which of them each type of request has, and their word lists.

The dialog asks for the sections one card at a time and saves the answers in ``Request.details``.
Cards render the sections (:mod:`cards.requests.form`); the rules on the answers are in
:mod:`communities.requests.form_checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from communities.requests.tables import RequestType

YEAR_GROUPS = ("R", *(str(n) for n in range(1, 14)))
SEN_STATUSES = {
    "not_on_register": "Not on the special educational needs (SEN) register",
    "sen_support": "SEN support",
    "ehcna_in_progress": "Education, health and care (EHC) needs assessment in progress",
    "ehcp": "Education, health and care plan (EHCP)",
}
NEED_AREAS = {
    "communication_interaction": "Communication and interaction",
    "cognition_learning": "Cognition and learning",
    "semh": "Social, emotional and mental health",
    "sensory_physical": "Sensory and/or physical",
}
SUPPORT_KINDS = {
    "advice": "Advice",
    "school_support": "Support from another school",
    "training": "Training",
    "specialist": "Specialist input",
    "funding": "Funding",
    "other": "Other",
}
SPECIALISTS = {
    "ep": "Educational psychologist (EP)",
    "salt": "Speech and language therapy (SALT)",
    "ot": "Occupational therapy (OT)",
    "stls": "Specialist Teaching and Learning Service (STLS)",
    "other": "Other",
}
MAX_TEXT = 2000
#: The longest pupil (or group) reference: the school's own short code, never a name.
PUPIL_REF_MAX = 30
#: The whole numbers the form accepts, (lowest, highest).
PUPIL_COUNT_RANGE = (2, 500)
APDR_CYCLES_RANGE = (0, 20)
FUNDING_POUNDS_RANGE = (1, 1_000_000)


@dataclass(frozen=True)
class Section:
    """One step of the form. What it is called, asks and says depends on the request's type:
    a group gives its size and year groups, and a whole-school request skips the pupil-only steps."""

    name: str
    #: Its title for a request about one pupil (and before the type is known).
    title: str
    #: The answers this section's card gives, in card order, for a request about one pupil.
    fields: tuple[str, ...]
    #: What `help` says at this step, for a request about one pupil.
    help: str
    #: Only for requests about pupils (one pupil or a group).
    pupils_only: bool = False
    #: What differs for the other types: ``{type: (title, fields, help)}``.
    variants: tuple[tuple[RequestType, tuple[str, tuple[str, ...], str]], ...] = ()

    def applies_to(self, request_type: RequestType | None) -> bool:
        return not self.pupils_only or (request_type is not None and request_type.about_pupils)

    def _variant(self, request_type: RequestType | None) -> tuple[str, tuple[str, ...], str]:
        return dict(self.variants).get(request_type, (self.title, self.fields, self.help))  # type: ignore[arg-type]

    def title_for(self, request_type: RequestType | None) -> str:
        return self._variant(request_type)[0]

    def fields_for(self, request_type: RequestType | None) -> tuple[str, ...]:
        return self._variant(request_type)[1]

    def help_for(self, request_type: RequestType | None) -> str:
        return self._variant(request_type)[2]


_SCHOOL_TYPES = (RequestType.WHOLE_SCHOOL, RequestType.COMMUNITY_WIDE)

TYPE = Section(
    "type",
    "What the request is for",
    ("request_type",),
    "Choose what you are asking your community about: **one pupil**, **a group of pupils** with "
    "similar needs, **whole-school capacity** (for example training for your staff), or something "
    "**community-wide** that several schools would share.",
)
PUPIL = Section(
    "pupil",
    "About the pupil",
    ("pupil_ref", "year_group", "sen_status", "primary_need", "secondary_need"),
    "The community never needs the pupil's name. Give **your school's own pupil reference** (the key "
    "stays with you), the year group, the special educational needs (SEN) status and the main area "
    "of need from the Code of Practice for special educational needs and disabilities (SEND); a "
    "second area is optional.",
    pupils_only=True,
    variants=(
        (
            RequestType.GROUP_OF_PUPILS,
            (
                "About the group",
                ("pupil_ref", "pupil_count", "year_groups", "primary_need", "secondary_need"),
                "The community never needs the pupils' names. Give **your school's own reference for "
                "the group** (the key stays with you), how many pupils are in it, their year groups, "
                "and the main area of need they share from the Code of Practice for special "
                "educational needs and disabilities (SEND); a second area is optional.",
            ),
        ),
    ),
)
_SCHOOL_NEEDS = (
    "needs_summary",
    "graduated_response",
    "what_worked",
)
NEEDS = Section(
    "needs",
    "Needs and the graduated response",
    ("needs_summary", "apdr_cycles", "graduated_response", "what_worked"),
    "Describe the needs in a few sentences, then the graduated response so far: how many "
    "assess-plan-do-review cycles you have completed, what was tried and what worked (or did not). "
    "Leave out names, dates of birth and anything else that identifies the pupil.",
    variants=(
        (
            RequestType.GROUP_OF_PUPILS,
            (
                "The group's needs and what has been tried",
                _SCHOOL_NEEDS,
                "Describe the needs the pupils in the group share, in a few sentences, then what your "
                "school has tried for them and what worked (or did not). Leave out names, dates of "
                "birth and anything else that identifies a pupil.",
            ),
        ),
        (
            RequestType.WHOLE_SCHOOL,
            (
                "What your school needs, and what has been tried",
                _SCHOOL_NEEDS,
                "Describe what your school needs in a few sentences (for example the skills your staff "
                "want to build), then what you have tried so far and what worked (or did not).",
            ),
        ),
        (
            RequestType.COMMUNITY_WIDE,
            (
                "What the community needs, and what has been tried",
                _SCHOOL_NEEDS,
                "Describe what the schools of the community need in a few sentences, then what has "
                "been tried so far and what worked (or did not).",
            ),
        ),
    ),
)
SUPPORT = Section(
    "support",
    "What you hope for and ask for",
    ("hoped_outcome", "support", "specialists", "specialist_other", "funding_pounds", "support_other"),
    "Say what outcome you hope for, then tick every kind of support you ask for. If you ask for "
    "specialist input, say which: an educational psychologist, speech and language therapy, "
    "occupational therapy, the Specialist Teaching and Learning Service or someone else; for "
    "funding, the amount in whole pounds; for other support, what it is.",
)
PARENTS = Section(
    "parents",
    "Parents and carers",
    ("parents_informed", "parental_agreement"),
    "Say whether the parents or carers have been told about the request. A request about a pupil "
    "can only be submitted once they have agreed to it being discussed by the community.",
    pupils_only=True,
    variants=(
        (
            RequestType.GROUP_OF_PUPILS,
            (
                "The pupils' parents and carers",
                ("parents_informed", "parental_agreement"),
                "Say whether the parents or carers of every pupil in the group have been told about "
                "the request. It can only be submitted once they have all agreed to it being "
                "discussed by the community.",
            ),
        ),
    ),
)
_SCHOOL_URGENCY = (
    "Most requests are **standard** and go to the next meeting. Choose **urgent** only when waiting "
    "would put pupils' places or safety at risk, and say why."
)
URGENCY = Section(
    "urgency",
    "Urgency",
    ("urgency", "urgency_reason"),
    "Most requests are **standard** and go to the next meeting. Choose **urgent** only when waiting "
    "would put the pupil's place or safety at risk (for example a risk of exclusion), and say why.",
    variants=tuple(
        (kind, ("Urgency", ("urgency", "urgency_reason"), _SCHOOL_URGENCY))
        for kind in (RequestType.GROUP_OF_PUPILS, *_SCHOOL_TYPES)
    ),
)
SECTIONS: tuple[Section, ...] = (TYPE, PUPIL, NEEDS, SUPPORT, PARENTS, URGENCY)
BY_NAME: dict[str, Section] = {s.name: s for s in SECTIONS}


def request_type_of(details: Mapping[str, Any]) -> RequestType | None:
    value = details.get("request_type")
    return RequestType(value) if value in {t.value for t in RequestType} else None


def sections_for(details: Mapping[str, Any]) -> list[Section]:
    """The sections a request of this type has (no pupil or parents section for a whole-school request)."""
    kind = request_type_of(details)
    return [s for s in SECTIONS if s.applies_to(kind)]


def fields_not_asked(request_type: RequestType) -> set[str]:
    """The answers a request of this type never gives: cleared when the type changes, so no pupil
    detail stays on a request that is no longer about pupils (data minimisation)."""
    every = {name for s in SECTIONS for kind in (None, *RequestType) for name in s.fields_for(kind)}
    asked = {name for s in SECTIONS if s.applies_to(request_type) for name in s.fields_for(request_type)}
    return every - asked


def section_title(name: str, details: Mapping[str, Any]) -> str:
    """A section's title as a request of this type calls it ("About the group")."""
    return BY_NAME[name].title_for(request_type_of(details))
