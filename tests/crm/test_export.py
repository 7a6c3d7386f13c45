"""The export writers: what Excel reads from the CSV and the XLSX, parsed independently."""

from __future__ import annotations

import csv
import io
import zipfile

from defusedxml import ElementTree

from crm_backend.core.export import to_csv, to_xlsx

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

HEADER = ["投诉编号", "客户原话", "金额（元）"]
ROWS = [["TS202612010001", "快递三天没动，<急>&\"怒\"", 12.5],
        ["TS202612010002", "=HYPERLINK(\"http://x\")", 0],
        ["TS202612010003", "第一行\n第二行\x01", None]]


def _xlsx_rows(data: bytes) -> list:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert {"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"} <= names
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{MAIN}row"):
        cells = []
        for cell in row.iter(f"{MAIN}c"):
            if cell.get("t") == "inlineStr":
                cells.append(cell.find(f"{MAIN}is/{MAIN}t").text)
            else:
                cells.append(float(cell.find(f"{MAIN}v").text))
        rows.append(cells)
    return rows


def test_csv_starts_with_a_bom_and_reads_back_in_chinese() -> None:
    data = to_csv(HEADER, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    assert rows[0] == HEADER
    assert rows[1] == ["TS202612010001", "快递三天没动，<急>&\"怒\"", "12.5"]
    assert rows[3][1] == "第一行\n第二行\x01"
    assert rows[3][2] == ""


def test_a_cell_a_spreadsheet_would_run_is_kept_as_text() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(HEADER, ROWS)[3:].decode("utf-8"), newline="")))
    assert rows[2][1] == "'=HYPERLINK(\"http://x\")"


def test_xlsx_holds_the_same_table_with_numbers_as_numbers() -> None:
    rows = _xlsx_rows(to_xlsx(HEADER, ROWS, "投诉记录"))
    assert rows[0] == HEADER
    assert rows[1] == ["TS202612010001", "快递三天没动，<急>&\"怒\"", 12.5]
    assert rows[2] == ["TS202612010002", "=HYPERLINK(\"http://x\")", 0.0]
    assert rows[3] == ["TS202612010003", "第一行\n第二行"]


def test_an_empty_table_is_still_a_workbook_with_its_header() -> None:
    assert _xlsx_rows(to_xlsx(HEADER, [])) == [HEADER]
    assert to_csv(HEADER, []).decode("utf-8-sig").splitlines() == [",".join(HEADER)]
