"""CSV downloads, shared by every export: one writer, and every cell made
safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response, stream_with_context

# A spreadsheet reads a cell starting with one of these as a formula (or,
# for tab and carriage return, may strip them and then read one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell that no spreadsheet runs as a formula (OWASP "CSV injection"):
    text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading single quote, so ``=HYPERLINK(…)`` shows as the text
    ``'=HYPERLINK(…)``.

    Only text is changed. Numbers (``int``, ``float``) are written by the
    export itself, not typed by people, and pass as they are, so ``-3``
    days stays a number; an export therefore writes its figures as numbers,
    or as text it formats itself that never starts with a sign."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(name: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """A CSV download streamed row by row, every cell through
    :func:`spreadsheet_safe`; UTF-8 with a byte-order mark, so Excel shows
    Chinese correctly."""

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow([spreadsheet_safe(cell) for cell in header])
        for row in rows:
            writer.writerow([spreadsheet_safe(cell) for cell in row])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
