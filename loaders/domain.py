"""The domain rules (graph/validation.py) applied to every record of an import.

The same rules refuse a GraphQL mutation or a web form: a file cannot bring in what the
forms refuse (occupancy above the places, an end before the start, a one-sided agreement).
Each problem names the file, the row and the column the record came from.
"""

from __future__ import annotations

from graph.validation import BY_TABLE
from loaders.errors import Issue
from loaders.tabular.reader import ParsedBundle


def check_domain(parsed: ParsedBundle, found: list[Issue]) -> list[Issue]:
    """The rule breaches of the rows not yet among ``found``: a row already refused by a more
    specific check (a point with its likely CRS, loaders/geo/plausible.py, names one column
    where these rules would name latitude and longitude) is not refused twice."""
    seen = {(i.file, i.row) for i in found if i.row is not None}
    issues: list[Issue] = []
    for table, check in BY_TABLE.items():
        origins = parsed.origins.get(table, [])
        for index, record in enumerate(getattr(parsed.bundle, table)):
            origin = origins[index] if index < len(origins) else None
            for field_name, message in check(record):
                issue = (
                    origin.issue(field_name, message)
                    if origin is not None
                    else Issue(table, None, field_name, message)
                )
                if (issue.file, issue.row) not in seen:
                    issues.append(issue)
    return issues
