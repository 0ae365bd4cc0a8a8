"""The readable side of a subject access export: ``summary.md`` and ``manifest.json``."""

from __future__ import annotations

from typing import Any

from communities.subject_access import words
from communities.subject_access.gathering import PersonExport
from communities.subject_access.pupil_fields import PUPIL_LEVEL, WITHHELD

#: The version of the export's layout (manifest.json), for whoever reads it later.
FORMAT = 1


def summary_markdown(export: PersonExport) -> str:
    """What is held, kind by kind, with the references of the requests, in plain words."""
    lines = [
        f"# {words.SUMMARY_TITLE}",
        "",
        f"About: {export.display_name} ({export.email})",
        f"Made on: {export.generated_at:%d %B %Y at %H:%M} UTC",
        "",
        words.PUPIL_DETAIL_INCLUDED
        if export.include_pupil_detail
        else words.PUPIL_DETAIL_LEFT_OUT.format(withheld=WITHHELD),
        "",
        "## What is held",
        "",
        "| What | Records | File |",
        "|---|---|---|",
    ]
    for kind, rows in export.kinds.items():
        about = words.DESCRIPTIONS.get(kind, f"Records of {kind.replace('_', ' ')} that name you.")
        lines.append(f"| {about} | {len(rows)} | {kind}.json |")
    for kind, title in (
        ("requests_raised", "Requests you raised"),
        ("requests_triaged", "Requests you triaged"),
    ):
        rows = export.kinds.get(kind, [])
        if rows:
            lines += ["", f"## {title}", ""]
            lines += [f"- {row['ref']}: {str(row['status']).replace('_', ' ')}" for row in rows]
    lines += ["", words.FILES_NOTE, ""]
    return "\n".join(lines)


def manifest(export: PersonExport) -> dict[str, Any]:
    """When and how the export was made, and the policy it followed."""
    return {
        "format": FORMAT,
        "generated_at": export.generated_at.isoformat(),
        "person": {"id": export.person_id, "email": export.email},
        "policy": {
            "include_pupil_detail": export.include_pupil_detail,
            "setting": "SAR_INCLUDE_PUPIL_DETAIL",
            "pupil_level_fields": {table: sorted(columns) for table, columns in PUPIL_LEVEL.items()},
        },
        "files": {f"{kind}.json": len(rows) for kind, rows in export.kinds.items()},
    }
