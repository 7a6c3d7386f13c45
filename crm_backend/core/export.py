"""Tables for offline analysis: CSV that Excel opens as UTF-8 (BOM, CRLF) and a minimal XLSX
(Office Open XML, one sheet, inline strings), both built from a header row and value rows."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, List, Sequence
from urllib.parse import quote
from xml.sax.saxutils import escape

from aiohttp import web

CSV_TYPE = "text/csv"


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMATS = ("csv", "xlsx")


# XML 1.0 forbids most control characters; a customer's pasted text may hold them.
_XML_FORBIDDEN = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


# A cell starting with one of these is read by spreadsheets as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _csv_cell(value: Any) -> str:
    """A cell as text; text that a spreadsheet would run as a formula is quoted with `'`."""
    if _is_number(value):
        return str(value)
    text = _text(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark and CRLF line ends, as Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def _column(index: int) -> str:
    """Column letters for a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _xlsx_cell(reference: str, value: Any) -> str:
    if _is_number(value):
        return f'<c r="{reference}"><v>{value}</v></c>'
    text = _text(value)
    if not text:
        return ""
    if not text.isprintable():
        text = text.translate(_XML_FORBIDDEN)
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _sheet(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines: List[str] = []
    letters: List[str] = []
    for number, row in enumerate([header, *rows], start=1):
        while len(letters) < len(row):
            letters.append(_column(len(letters)))
        cells = "".join(_xlsx_cell(f"{letters[i]}{number}", v) for i, v in enumerate(row))
        lines.append(f'<row r="{number}">{cells}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f'<sheetData>{"".join(lines)}</sheetData></worksheet>')


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')


_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>')


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
    '<cellXfs count="1"><xf xfId="0"/></cellXfs></styleSheet>')


def _workbook(sheet_name: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet_name[:31])}" sheetId="1" r:id="rId1"/></sheets>'
            '</workbook>')


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], sheet_name: str = "Sheet1"
            ) -> bytes:
    """One worksheet: the header row frozen, numbers as numbers, everything else as text."""
    buffer = io.BytesIO()
    # The fastest deflate level: the sheet is mostly repeated markup and compresses well anyway.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook(sheet_name))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        archive.writestr("xl/worksheets/sheet1.xml", _sheet(header, rows))
    return buffer.getvalue()


def download(fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
             sheet_name: str = "Sheet1") -> web.Response:
    """A download response of the table in `fmt` (`csv` or `xlsx`); `filename` without its
    extension, may be Chinese (RFC 6266 `filename*`)."""
    if fmt == "xlsx":
        body, content_type = to_xlsx(header, rows, sheet_name), XLSX_TYPE
    else:
        body, content_type = to_csv(header, rows), CSV_TYPE
    name = f"{filename}.{fmt}"
    fallback = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return web.Response(body=body, content_type=content_type,
                        charset="utf-8" if fmt == "csv" else None,
                        headers={"Content-Disposition":
                                 f"attachment; filename=\"{fallback}\"; "
                                 f"filename*=UTF-8''{quote(name)}",
                                 "Cache-Control": "no-store"})
