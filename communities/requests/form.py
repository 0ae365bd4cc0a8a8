"""The Request Form: its sections, and every rule on its answers.

The dialog asks for the sections one card at a time and saves the answers in ``Request.details``;
:func:`problems` runs again on submit, so a forged or stale card cannot submit an incomplete or
invalid request. Cards render the sections (:mod:`cards.requests.form`); this module says what
they are and what a complete, acceptable answer is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from communities.identifying_text import find_identifying_text
from communities.requests.tables import RequestType, Urgency

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
    name: str
    title: str
    #: The answers this section's card gives, in card order.
    fields: tuple[str, ...]
    #: What `help` says at this step.
    help: str

    def applies_to(self, request_type: RequestType | None) -> bool:
        return self.name != "pupil" or (request_type is not None and request_type.about_pupils)


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
    ("pupil_ref", "year_group", "sen_status", "primary_need", "secondary_need", "pupil_count"),
    "The community never needs the pupil's name. Give **your school's own pupil reference** (the key "
    "stays with you), the year group, the special educational needs (SEN) status and the main area "
    "of need from the Code of Practice for special educational needs and disabilities (SEND); a "
    "second area is optional. For a group, give a reference for the group and how "
    "many pupils are in it.",
)
NEEDS = Section(
    "needs",
    "Needs and the graduated response",
    ("needs_summary", "apdr_cycles", "graduated_response", "what_worked"),
    "Describe the needs in a few sentences, then the graduated response so far: how many "
    "assess-plan-do-review cycles you have completed, what was tried and what worked (or did not). "
    "Leave out names, dates of birth and anything else that identifies the pupil.",
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
)
URGENCY = Section(
    "urgency",
    "Urgency",
    ("urgency", "urgency_reason"),
    "Most requests are **standard** and go to the next meeting. Choose **urgent** only when waiting "
    "would put the pupil's place or safety at risk (for example a risk of exclusion), and say why.",
)
SECTIONS: tuple[Section, ...] = (TYPE, PUPIL, NEEDS, SUPPORT, PARENTS, URGENCY)
BY_NAME: dict[str, Section] = {s.name: s for s in SECTIONS}


def request_type_of(details: Mapping[str, Any]) -> RequestType | None:
    value = details.get("request_type")
    return RequestType(value) if value in {t.value for t in RequestType} else None


def sections_for(details: Mapping[str, Any]) -> list[Section]:
    """The sections a request of this type has (no pupil section for a whole-school request)."""
    kind = request_type_of(details)
    return [s for s in SECTIONS if s.applies_to(kind)]


def first_incomplete(details: Mapping[str, Any]) -> Section | None:
    """The first section with something missing or wrong, or None when the request is complete."""
    return next((s for s in sections_for(details) if section_problems(s, details)), None)


def problems(details: Mapping[str, Any]) -> dict[str, str]:
    """Every missing or invalid answer, by field, in words for the person. Empty means complete."""
    found: dict[str, str] = {}
    for section in sections_for(details):
        found.update(section_problems(section, details))
        if "request_type" in found:
            break  # the rest depends on what the request is for
    return found


def section_problems(section: Section, details: Mapping[str, Any]) -> dict[str, str]:
    """What is missing or wrong in one section of ``details`` (empty: the section is complete)."""
    kind = request_type_of(details)
    if not section.applies_to(kind):
        return {}
    found = {name: message for name, message in _answer_problems(details).items() if name in section.fields}
    if section.name == "type":
        return {"request_type": found["request_type"]} if "request_type" in found else {}
    if section.name == "pupil":
        found.update(_pupil_ref_problems(details.get("pupil_ref")))
    elif section.name == "needs":
        cycles = details.get("apdr_cycles")
        if not _whole_number_in(cycles, APDR_CYCLES_RANGE):
            found["apdr_cycles"] = (
                "Say how many assess-plan-do-review cycles you have completed "
                f"({_range_text(APDR_CYCLES_RANGE)})."
            )
        _text(details, "what_worked", "what worked and what did not", found)
    elif section.name == "support":
        specialists = details.get("specialists")
        support = details.get("support")
        if (
            isinstance(specialists, list)
            and "other" in specialists
            and isinstance(support, list)
            and "specialist" in support
        ):
            _text(details, "specialist_other", "which other specialist", found)
    elif section.name == "parents":
        if details.get("parents_informed") is False and details.get("parental_agreement") is True:
            found["parents_informed"] = "Parents/carers can only agree once they have been informed."
    return found


def _answer_problems(details: Mapping[str, Any]) -> dict[str, str]:
    """The checks of each answer on its own (and of the answers it depends on)."""
    found: dict[str, str] = {}
    kind = details.get("request_type")
    if kind not in {t.value for t in RequestType}:
        found["request_type"] = "Choose what the request is for."
        return found
    if RequestType(kind).about_pupils:
        _pupil_problems(details, RequestType(kind), found)
    for name, label in (
        ("needs_summary", "the needs in brief"),
        ("graduated_response", "the graduated response so far"),
        ("hoped_outcome", "the outcome you hope for"),
    ):
        _text(details, name, label, found)
    support = details.get("support")
    if not isinstance(support, list) or not support or any(s not in SUPPORT_KINDS for s in support):
        found["support"] = "Choose at least one kind of support."
    else:
        if "specialist" in support:
            chosen = details.get("specialists")
            if not isinstance(chosen, list) or not chosen or any(s not in SPECIALISTS for s in chosen):
                found["specialists"] = "Say which specialist input (EP, SALT, OT, STLS or other)."
        if "funding" in support:
            pounds = details.get("funding_pounds")
            if not _whole_number_in(pounds, FUNDING_POUNDS_RANGE):
                found["funding_pounds"] = (
                    f"Give the funding asked for in whole pounds ({_range_text(FUNDING_POUNDS_RANGE)})."
                )
        if "other" in support:
            _text(details, "support_other", "what other support you ask for", found)
    if details.get("parents_informed") not in (True, False):
        found["parents_informed"] = "Say whether parents/carers have been informed."
    urgency = details.get("urgency", Urgency.STANDARD.value)
    if urgency not in {u.value for u in Urgency}:
        found["urgency"] = "Choose standard or urgent."
    elif urgency == Urgency.URGENT.value:
        _text(details, "urgency_reason", "why it is urgent", found)
    return found


def _pupil_problems(details: Mapping[str, Any], kind: RequestType, found: dict[str, str]) -> None:
    ref = details.get("pupil_ref")
    if not isinstance(ref, str) or not 1 <= len(ref.strip()) <= PUPIL_REF_MAX:
        found["pupil_ref"] = (
            f"Give your school's own pupil reference (up to {PUPIL_REF_MAX} characters, never a name)."
        )
    if details.get("year_group") not in YEAR_GROUPS:
        found["year_group"] = "Choose a year group: R or 1 to 13."
    if details.get("sen_status") not in SEN_STATUSES:
        found["sen_status"] = "Choose the special educational needs (SEN) status."
    if details.get("primary_need") not in NEED_AREAS:
        found["primary_need"] = "Choose the primary area of need."
    secondary = details.get("secondary_need")
    if secondary is not None and (secondary not in NEED_AREAS or secondary == details.get("primary_need")):
        found["secondary_need"] = "The secondary area of need must be another of the four areas, or none."
    if kind is RequestType.GROUP_OF_PUPILS:
        count = details.get("pupil_count")
        if not _whole_number_in(count, PUPIL_COUNT_RANGE):
            found["pupil_count"] = (
                f"Give the number of pupils in the group ({_range_text(PUPIL_COUNT_RANGE)})."
            )
    if details.get("parental_agreement") is not True:
        found["parental_agreement"] = (
            "Parents/carers must agree to the request being discussed before a pupil request is submitted."
        )


def _text(details: Mapping[str, Any], name: str, label: str, found: dict[str, str]) -> None:
    value = details.get(name)
    if not isinstance(value, str) or not value.strip():
        found[name] = f"Write {label}."
    elif len(value) > MAX_TEXT:
        found[name] = f"Keep {label} under {MAX_TEXT} characters."


def _pupil_ref_problems(ref: Any) -> dict[str, str]:
    """A pupil reference must not itself identify the child (a name, a UPN, a date of birth)."""
    if not isinstance(ref, str) or not ref.strip():
        return {}
    if find_identifying_text(ref) or find_identifying_text(ref.title()):
        return {
            "pupil_ref": "That reference looks like it could identify the pupil (a name, a date of birth "
            "or a UPN). Use your school's own pseudonymous reference instead."
        }
    return {}


def _whole_number_in(value: Any, allowed: tuple[int, int]) -> bool:
    low, high = allowed
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _range_text(allowed: tuple[int, int]) -> str:
    return f"{allowed[0]:,} to {allowed[1]:,}"
