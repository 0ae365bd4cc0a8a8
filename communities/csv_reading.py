"""Reading the CSV files officers save from a spreadsheet: what the roster and meetings imports share.

A file is UTF-8, with or without the byte order mark Excel writes; its header names the wanted
columns in any order and any case (other columns are ignored); values are trimmed and blank rows
skipped. Problems name the row as a spreadsheet shows it (the header is row 1). Each import checks
its own values on top of this, with a :class:`Cells` subclass.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel

#: Called as ``progress(label, done, total)`` while rows are checked.
Progress = Callable[[str, int, int], None]
#: Called as ``note(reason, row)`` with each problem found; ``row`` is None for the whole file.
Note = Callable[[str, int | None], None]

#: Rows checked between two progress reports.
PROGRESS_EVERY = 500

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def max_length(model: type[SQLModel], column: str) -> int:
    """The column's length in the table, so that PostgreSQL never refuses a checked value."""
    # SQLModel's AutoString is a TypeDecorator over String, and has its length too.
    length = getattr(sa_inspect(model).columns[column].type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{model.__name__}.{column} is not a sized string column")
    return length


@dataclass(frozen=True)
class CsvProblem:
    """One thing wrong with a file, told the way a spreadsheet user can find it."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        place = self.file if self.row is None else f"{self.file}:{self.row}"
        return ": ".join([place, *([self.column] if self.column else []), self.reason])


P = TypeVar("P", bound=CsvProblem)


class CsvImportError(Exception, Generic[P]):
    """The file(s) had problems, so nothing was imported. ``problems`` lists every one."""

    #: Where the problems are, for the heading ("the roster files").
    source = "the file"

    def __init__(self, problems: Sequence[P]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        heading = f"{count} problem{'' if count == 1 else 's'} in {self.source}; nothing was imported"
        super().__init__("\n".join([heading, *map(str, self.problems)]))


@dataclass(frozen=True)
class Row:
    """A non-blank row: its number as a spreadsheet shows it, and ``column -> trimmed value``."""

    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class CsvFile:
    """What :func:`read_csv` made of a file."""

    #: The non-blank rows, or None when the file cannot be read (the problems say why).
    rows: list[Row] | None
    #: Header names that are not wanted columns, lower-cased, once each, in header order.
    ignored: list[str]
    #: True when the header was read and no row under it has a value (a row refused for having
    #: too many values has one).
    blank: bool


def read_csv(data: bytes, columns: Sequence[str], note: Note) -> CsvFile:
    """Decode ``data``, find ``columns`` in its header and read its rows, noting every problem."""
    text = _decode(data, note)
    if text is None:
        return CsvFile(None, [], False)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        note(f"not a readable CSV file ({error}); save it as CSV UTF-8", None)
        return CsvFile(None, [], False)
    if not records or not any(cell.strip() for cell in records[0]):
        note(f"header: row 1 must name the columns {','.join(columns)}", None)
        return CsvFile(None, [], False)
    names = [cell.strip().lower() for cell in records[0]]
    ignored = [name for name in dict.fromkeys(names) if name and name not in columns]
    index = _read_header(names, columns, note)
    if index is None:
        return CsvFile(None, ignored, False)
    blank = not any(cell.strip() for record in records[1:] for cell in record)
    return CsvFile(_read_rows(records, index, note), ignored, blank)


def counted(label: str, rows: list[Row], progress: Progress | None) -> Iterator[Row]:
    """The rows, telling ``progress`` every :data:`PROGRESS_EVERY` rows and at the end."""
    total = len(rows)
    if progress:
        progress(label, 0, total)
    for done, row in enumerate(rows, start=1):
        yield row
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(label, done, total)


_P = TypeVar("_P", bound=CsvProblem)


class Cells(Generic[_P]):
    """One row's values, read with the row's problems noted as they are found.

    A subclass sets ``problem_type`` to its file's problem class and adds the readers it needs.
    """

    problem_type: type[_P]

    def __init__(self, file: str, row: Row, problems: list[_P]) -> None:
        self.file = file
        self.row = row
        self.problems = problems
        #: False once the row has a problem.
        self.clean = True

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(self.problem_type(self.file, self.row.number, column, reason))
        self.clean = False

    def cell(self, column: str) -> str:
        """The trimmed value, empty or not."""
        return self.row.cells[column]

    def value(self, column: str, *, required: bool = True) -> str | None:
        """The trimmed value, or None when it is empty (a problem when ``required``)."""
        value = self.cell(column)
        if not value:
            if required:
                self.problem(column, "empty; this column needs a value")
            return None
        return value


def _decode(data: bytes, note: Note) -> str | None:
    """UTF-8 text, with or without the byte order mark Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        note(
            f"bad encoding: not UTF-8 (byte 0x{data[error.start]:02x} at line {line}); save it as CSV UTF-8",
            None,
        )
        return None


def _read_header(names: list[str], columns: Sequence[str], note: Note) -> dict[str, int] | None:
    """Where each wanted column is, or None when one is missing or given twice."""
    ok = True
    for column in columns:
        count = names.count(column)
        if count == 0:
            note(f"header: missing column '{column}'", None)
            ok = False
        elif count > 1:
            note(f"header: column '{column}' appears {count} times", None)
            ok = False
    return {column: names.index(column) for column in columns} if ok else None


def _read_rows(records: list[list[str]], index: dict[str, int], note: Note) -> list[Row]:
    """The non-blank rows under the header; one with more values than the header is a problem."""
    width = len(records[0])
    rows: list[Row] = []
    # Row numbers count records, not lines, so a quoted value spanning lines keeps them in step.
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > width:
            note(
                f"{len(record)} values but the header has {width} columns; "
                "put quotes around a value that contains a comma",
                number,
            )
            continue
        cells = {column: record[i].strip() if i < len(record) else "" for column, i in index.items()}
        rows.append(Row(number, cells))
    return rows
