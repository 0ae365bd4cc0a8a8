"""What a complete Request Form holds, and the checks on each answer.

The dialog asks for these fields step by step and saves them in ``Request.details``;
the same checks run again on submit, so a forged or stale card cannot submit an
incomplete or invalid request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from communities.requests.tables import RequestType, Urgency

YEAR_GROUPS = ("R", *(str(n) for n in range(1, 14)))
SEN_STATUSES = {
    "not_on_register": "Not on the SEN register",
    "sen_support": "SEN support",
    "ehcna_in_progress": "EHC needs assessment in progress",
    "ehcp": "EHCP",
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
SPECIALISTS = {"ep": "EP", "salt": "SALT", "ot": "OT", "stls": "STLS", "other": "Other"}
MAX_TEXT = 2000


def problems(details: Mapping[str, Any]) -> dict[str, str]:
    """Every missing or invalid answer, by field, in words for the person. Empty means complete."""
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
            if not isinstance(pounds, int) or isinstance(pounds, bool) or not 1 <= pounds <= 1_000_000:
                found["funding_pounds"] = "Give the funding asked for in whole pounds (1 to 1,000,000)."
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
    if not isinstance(ref, str) or not 1 <= len(ref.strip()) <= 30:
        found["pupil_ref"] = "Give your school's own pupil reference (up to 30 characters, never a name)."
    if details.get("year_group") not in YEAR_GROUPS:
        found["year_group"] = "Choose a year group: R or 1 to 13."
    if details.get("sen_status") not in SEN_STATUSES:
        found["sen_status"] = "Choose the SEN status."
    if details.get("primary_need") not in NEED_AREAS:
        found["primary_need"] = "Choose the primary area of need."
    secondary = details.get("secondary_need")
    if secondary is not None and (secondary not in NEED_AREAS or secondary == details.get("primary_need")):
        found["secondary_need"] = "The secondary area of need must be another of the four areas, or none."
    if kind is RequestType.GROUP_OF_PUPILS:
        count = details.get("pupil_count")
        if not isinstance(count, int) or isinstance(count, bool) or not 2 <= count <= 500:
            found["pupil_count"] = "Give the number of pupils in the group (2 to 500)."
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
