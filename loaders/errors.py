"""What goes wrong with input files: issues that name file, row and column, and the error root."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in an input file. ``row`` is the row as a spreadsheet shows it (header = 1)."""

    file: str
    row: int | None
    column: str | None
    message: str
    # JSON inputs speak of records and fields instead of rows and columns.
    row_word: str = "Zeile"
    column_word: str = "Spalte"
    # JSON records: the line the record starts on, beside its number.
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", {self.row_word} {self.row}"
        if self.line is not None:
            where += f" (Zeile {self.line})"
        if self.column:
            where += f", {self.column_word} „{self.column}“"
        return f"{where}: {self.message}"


class LoaderError(Exception):
    """Root of every error the loaders raise on purpose (the CLI prints it, no traceback)."""


class ImportRejected(LoaderError):
    """The input has errors; nothing was written. Carries every issue found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__(f"{len(issues)} Fehler in der Eingabe, nichts wurde geändert")
