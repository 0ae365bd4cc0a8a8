"""Spotting free text that may identify a child: a date of birth, a UPN, a pupil's name.

Requests carry special category data (domain.md §5), so pupils are known to the bot only by the
school's pseudonymous pupil reference. A person typing free text ("needs in brief", "what was
tried") may still write "Jack Smith, DOB 12/03/2015" out of habit; the dialog calls
:func:`find_identifying_text` on every free-text answer and, when something is found, shows
:func:`warning_for` and lets the person rephrase.

It is a heuristic, tuned for precision on what SENCOs write (a false alarm on every step is
worse than useless), while still catching the usual ways a child is named:

* **Dates of birth**: numeric (``12/03/2015``, ``12-3-15``, ``12.03.2015``, ISO ``2015-03-12``)
  and written (``12 March 2015``, ``12th of Mar 2015``, ``March 12, 2015``). A date straight
  after "DOB", "date of birth", "born" or "birthday" always counts, even without a year. Any
  other full date counts when it would make a child aged 2 to 20 today, unless the words just
  before it mark an event ("on", "since", "visited", "issued", ...). Dates less than two years
  old or in the future are events. Month-and-year ("review in March 2026") and bare years
  ("since 2024") only count right after a birth cue ("born in March 2015").
* **UPNs**: a letter and 12 digits, or a letter, 11 digits and a letter (temporary UPNs), as
  one token in any case. Written in groups ("B801 2000 05001") the DfE check letter must also
  be right, so that spaced digit runs that happen to follow a letter are not flagged.
* **Names**: a capitalised forename and surname ("Jack Smith", "Amelia-Rose O'Neill",
  "Kacper McDonald", "Jack SMITH"), initials and a surname ("J. Smith", "J Smith"), and a lone
  forename from a compact list of common UK first names ("... and Oliver struggles with ...").
  Not names: titled adults ("Mrs Patel", "Dr Sarah Jones"), names next to a staff role
  ("Hannah Reid (SENCO)", "our EP, Sarah Jones"), the people in ``allowed_names`` (the roster's
  staff), capitalised runs that contain an organisation word ("St Mary's Primary School",
  "Kent Community Health"), and words on a stop list (months, weekdays, "Year", SEND terms,
  interventions, roles, nationalities, Kent places). A capitalised word opening a sentence
  starts a name only if it is a known forename ("Parents Evening" is not a name).

Known misses, by design or by necessity: names in lower case or all in capitals; a lone forename
that is also a word opening a sentence ("Grace has ...") or a value or month ("Hope", "May");
an unlisted forename opening a sentence ("Wojciech Nowak was ..."); unlisted forenames alone;
a name directly followed by an organisation word; surnames that are also place words when the
forename is not on the list ("Wojciech Hill"); months used as names ("April Jones"); birth years
on their own ("born in 2015"); other identifiers such as NHS numbers and ULNs. Known false
alarms: unlisted title-case phrases and two-word place names mid-sentence ("the Bright Stars
group", "from Tower Hamlets" was one until it went on the place list).

Findings contain the matched text: never log them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from communities.identifying_text.dates import find_dates
from communities.identifying_text.findings import ADVICE, DATE_OF_BIRTH, DESCRIPTION, NAME, UPN, Finding
from communities.identifying_text.names import AllowedNames, find_names
from communities.identifying_text.upns import find_upns, is_valid_upn, upn_check_letter

__all__ = [
    "ADVICE",
    "DATE_OF_BIRTH",
    "NAME",
    "UPN",
    "Finding",
    "find_identifying_text",
    "is_valid_upn",
    "upn_check_letter",
    "warning_for",
]


def find_identifying_text(
    text: str, *, allowed_names: Iterable[str] = (), today: date | None = None
) -> list[Finding]:
    """Everything in ``text`` that looks like it identifies a child, in text order, not overlapping."""
    today = today or date.today()
    candidates = [
        *find_upns(text),
        *find_dates(text, today),
        *find_names(text, AllowedNames(allowed_names)),
    ]
    priority = {UPN: 0, DATE_OF_BIRTH: 1, NAME: 2}
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start), priority[f.kind]))
    findings: list[Finding] = []
    for finding in candidates:
        if not findings or finding.start >= findings[-1].end:
            findings.append(finding)
    return findings


def warning_for(findings: Sequence[Finding]) -> str:
    """One message for the person who wrote the text; empty if there is nothing to warn about."""
    if not findings:
        return ""
    kinds = list(dict.fromkeys(f.kind for f in findings))
    found: list[str] = []
    for kind in kinds:
        quotes = list(dict.fromkeys(_quote(f) for f in findings if f.kind == kind))
        shown = ", ".join(quotes[:3]) + (f" and {len(quotes) - 3} more" if len(quotes) > 3 else "")
        singular, plural = DESCRIPTION[kind]
        found.append(f"{singular if len(quotes) == 1 else plural} ({shown})")
    advice = " ".join(ADVICE[kind] for kind in kinds)
    return (
        f"This may identify a child: {_join(found)}. {advice} "
        "Please rephrase it so that the pupil is known only by your school's pseudonymous "
        "pupil reference."
    )


def _quote(finding: Finding) -> str:
    shown = " ".join(finding.text.split())
    if finding.kind == UPN:
        return shown.replace(" ", "")[:4] + "…"
    return shown if len(shown) <= 20 else shown[:19] + "…"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
