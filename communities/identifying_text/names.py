"""Names that look like a pupil's: forename and surname, initials and surname, or a known forename.

The word lists are data files in ``words/`` (one word list a file), so that they can be reviewed and
extended without touching the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from communities.identifying_text.findings import ADVICE, NAME, Finding

WORDS = Path(__file__).with_name("words")


def _words(file_name: str) -> frozenset[str]:
    """A word list from ``words/``: whitespace-separated words; lines starting with # are comments."""
    text = (WORDS / file_name).read_text(encoding="utf-8")
    return frozenset(word for line in text.splitlines() if not line.startswith("#") for word in line.split())


#: Common UK first names of children born since about 2005 (ONS lists) and some older ones.
_FORENAMES = _words("forenames.txt")
#: Forenames that are also ordinary words: on their own, a name only when capitalised mid-sentence
#: ("we hope Will settles", but not "Will you ...").
_WORDLIKE_FORENAMES = _words("wordlike_forenames.txt")
#: Forenames that are also values, months or abbreviations: a name only with a surname, or as part
#: of a double-barrelled forename ("Ellie-May"); months and seasons never stand in a name by themselves.
_NEVER_ALONE_FORENAMES = _words("never_alone_forenames.txt")
_KNOWN_FORENAMES = _FORENAMES | _WORDLIKE_FORENAMES | _NEVER_ALONE_FORENAMES
#: Titles: what follows is an adult, not a pupil.
_TITLES = _words("titles.txt")
#: Staff roles: a name right before "(SENCO)" or right after "our EP," is a member of staff.
_ROLES = _words("roles.txt")
#: Words that make a capitalised run an organisation, a place or a named thing, never a person.
_ORGANISATION_WORDS = _words("organisation_words.txt")
#: Capitalised words that are not names (they break a run of capitalised words).
_NOT_NAME_WORDS = _words("not_name_words.txt")
#: Places and common nouns that are also surnames: a name only after a known forename ("Jack Hill").
_PLACE_LIKE_WORDS = _words("place_like_words.txt")

_TOKEN_RE = re.compile(r"\w+(?:['’\-]\w+)*")
_RUN_GAP_RE = re.compile(r"[ \t\u00a0]+")
_SENTENCE_END = ".!?:;\n\r•*–—-|>"


@dataclass(frozen=True)
class _Token:
    text: str  # possessive "'s" removed
    start: int
    end: int  # an initial's end includes its full stop

    @property
    def key(self) -> str:
        return self.text.lower().replace("’", "'")

    @property
    def is_initial(self) -> bool:
        return len(self.text) == 1 and self.text.isupper()

    @property
    def is_caps(self) -> bool:
        return len(self.text) >= 2 and self.text.isupper() and self.text.isalpha()


class AllowedNames:
    """Staff names that may be mentioned: whole names, first and last, initial and last, or one part."""

    def __init__(self, names: Iterable[str]) -> None:
        self.full: set[tuple[str, ...]] = set()
        self.first_last: set[tuple[str, str]] = set()
        self.initial_last: set[tuple[str, str]] = set()
        self.parts: set[str] = set()
        for name in names:
            parts = tuple(_normal(t) for t in _TOKEN_RE.findall(name) if t.lower() not in _TITLES)
            if not parts:
                continue
            self.full.add(parts)
            self.parts.update(parts)
            if len(parts) >= 2:
                self.first_last.add((parts[0], parts[-1]))
                self.initial_last.add((parts[0][0], parts[-1]))

    def allows(self, tokens: Sequence[_Token]) -> bool:
        parts = tuple(_normal(t.text) for t in tokens)
        if len(parts) == 1:
            return parts[0] in self.parts
        if parts in self.full or (parts[0], parts[-1]) in self.first_last:
            return True
        return tokens[0].is_initial and (parts[0], parts[-1]) in self.initial_last


def _normal(word: str) -> str:
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") and len(word) > 3 else word


def find_names(text: str, allowed: AllowedNames) -> list[Finding]:
    tokens = _tokenise(text)
    found: list[Finding] = []
    for run in _runs(text, tokens):
        if any(t.key in _ORGANISATION_WORDS for t in run):
            continue  # "St Mary's Primary School", "Kent Community Health"
        for segment in _segments(run):
            span = _name_in_segment(text, segment)
            if span is None or allowed.allows(span) or _is_staff(text, tokens, span):
                continue
            start, end = span[0].start, span[-1].end
            found.append(Finding(NAME, text[start:end], start, end, ADVICE[NAME]))
    return found


def _tokenise(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        if len(word) > 3 and word[-2:] in ("'s", "’s"):
            word, end = word[:-2], end - 2
        if len(word) == 1 and word.isupper() and text[end : end + 1] == ".":
            end += 1
        tokens.append(_Token(word, start, end))
    return tokens


def _is_capitalised(token: _Token) -> bool:
    return token.text[0].isupper()


def _runs(text: str, tokens: list[_Token]) -> list[list[_Token]]:
    """Runs of capitalised tokens separated by spaces only (punctuation and line breaks end a run)."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    previous: _Token | None = None
    for token in tokens:
        if _is_capitalised(token):
            joined = (
                previous is not None and _RUN_GAP_RE.fullmatch(text[previous.end : token.start]) is not None
            )
            if current and joined:
                current.append(token)
            else:
                if current:
                    runs.append(current)
                current = [token]
        elif current:
            runs.append(current)
            current = []
        previous = token
    if current:
        runs.append(current)
    return runs


def _segments(run: list[_Token]) -> list[list[_Token]]:
    """Split a run at words that cannot be part of a name; drop what follows a title."""
    segments: list[list[_Token]] = []
    current: list[_Token] = []
    after_title = False
    for token in run:
        if token.key in _TITLES:
            if current and not after_title:
                segments.append(current)
            current, after_title = [], True
            continue
        if _can_be_name_part(token, current):
            current.append(token)
            continue
        if current and not after_title:
            segments.append(current)
        current, after_title = [], False
    if current and not after_title:
        segments.append(current)
    return segments


def _can_be_name_part(token: _Token, before: list[_Token]) -> bool:
    if token.is_initial:
        return token.text not in ("A", "I") or token.end - token.start == 2  # "A." but not "A"
    if token.key in _NOT_NAME_WORDS:
        return False
    if token.is_caps:  # "Jack SMITH", but not "SEMH" or "EHCPs"
        return bool(before) and (before[-1].is_initial or _is_forename(before[-1]))
    return _is_name_shaped(token.text)


def _is_name_shaped(word: str) -> bool:
    """Capitalised, with Mc/Mac/Fitz, O'/D' and double-barrelled forms ("PowerPoint" is not)."""
    for part in re.split(r"['’\-]", word):
        if not part or not part[0].isalpha():
            return False
        for prefix in ("Mc", "Mac", "Fitz"):
            if part.startswith(prefix) and len(part) > len(prefix) + 1 and part[len(prefix)].isupper():
                part = part[len(prefix) :]
                break
        if not part[0].isupper() or not (len(part) == 1 or part[1:].islower()):
            return False
    return True


def _is_forename(token: _Token) -> bool:
    """A known forename, word-like or not; double-barrelled ones ("Amelia-Rose") too."""
    return all(part in _KNOWN_FORENAMES for part in token.key.split("-"))


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\u00a0\"“‘'")
    return not before or before[-1] in _SENTENCE_END


def _name_in_segment(text: str, segment: list[_Token]) -> list[_Token] | None:
    """The tokens of a segment that make a name, or None."""
    if (
        not segment[0].is_initial
        and not _is_forename(segment[0])
        and _starts_sentence(text, segment[0].start)
    ):
        segment = segment[1:]  # "Parents Evening", "Sensory Circuits daily"
    if not segment:
        return None
    first = segment[0]
    if len(segment) == 1:
        if first.is_initial or not _is_forename(first) or first.key in _NEVER_ALONE_FORENAMES:
            return None
        if first.key in _WORDLIKE_FORENAMES and _starts_sentence(text, first.start):
            return None
        return segment  # a lone common forename: "... and Oliver struggles with ..."
    if first.is_initial:
        rest = [t for t in segment if not t.is_initial]
        return segment if rest else None  # "J. Smith", "J R Smith"; not "J R"
    if _is_forename(first):
        return segment[:4]
    if len(segment) > 3 or any(t.key in _PLACE_LIKE_WORDS for t in segment):
        # A long title-case run or a place; a known forename inside it may still start a name.
        for index, token in enumerate(segment[1:], start=1):
            if _is_forename(token) and len(segment) - index >= 2:
                return segment[index : index + 4]
        return None
    return segment


def _is_staff(text: str, tokens: list[_Token], span: Sequence[_Token]) -> bool:
    """ "Hannah Reid (SENCO)", "Sarah Jones, EP", "our EP Sarah Jones", "class teacher: Ms ..."."""
    after = text[span[-1].end : span[-1].end + 40]
    role_after = re.match(r"\s*[(,–—\-]\s*(?:the\s+|our\s+|their\s+)?(\w[\w\-]*)", after)
    if role_after and role_after.group(1).lower() in _ROLES:
        return True
    index = next(i for i, t in enumerate(tokens) if t.start == span[0].start)
    if index == 0:
        return False
    previous = tokens[index - 1]
    gap = text[previous.end : span[0].start]
    return previous.key in _ROLES and re.fullmatch(r"[\s,:\-–—]*", gap) is not None
