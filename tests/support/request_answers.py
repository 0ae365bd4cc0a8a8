"""A filled-in Request Form, section by section, as its cards submit it (made-up pupil reference).

The answers pass the identifying-details check, so a test or benchmark that sends them goes
straight through the form.
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "type": {"request_type": "one_pupil"},
    "pupil": {
        "pupil_ref": "SD-0042",
        "year_group": "3",
        "sen_status": "ehcp",
        "primary_need": "cognition_learning",
    },
    "needs": {
        "needs_summary": "Reading age four years behind; avoids written work.",
        "apdr_cycles": "3",
        "graduated_response": "Precision teaching and a reading intervention three times a week.",
        "what_worked": "Precision teaching helped with sight words.",
    },
    "support": {"hoped_outcome": "A reading plan the class team can run.", "support": "advice,training"},
    "parents": {"parents_informed": "yes", "parental_agreement": "yes"},
    "urgency": {"urgency": "standard"},
}
