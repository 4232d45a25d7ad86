"""What every download of figures shares: cells safe from formula injection, and the CSV and
Excel answers (semicolon-separated UTF-8 with a BOM, which Excel reads in a Danish locale)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from flask import Response, make_response

if TYPE_CHECKING:
    from openpyxl import Workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """No formula injection: a text cell starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_response(rows: list[list[Any]], filename: str) -> Response:
    """``rows`` as a CSV download, every cell through :func:`safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows([[safe_cell(v) for v in row] for row in rows])
    response = make_response("\ufeff" + buffer.getvalue())  # BOM: Excel reads UTF-8
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(book: Workbook, filename: str) -> Response:
    """An openpyxl workbook as a download (its cells are the caller's to make safe)."""
    buffer = io.BytesIO()
    book.save(buffer)
    response = make_response(buffer.getvalue())
    response.headers["Content-Type"] = XLSX_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
