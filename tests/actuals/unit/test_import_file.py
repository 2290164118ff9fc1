"""The actuals import file, checked before anything is written: each kind of fault gets a precise error
with its row and column, and a file with any fault imports nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from actuals.domain.import_file import (
    COLUMNS,
    FileRefused,
    ImportReader,
    neutralise,
    peek_reference,
    read_import,
)

TODAY = date(2026, 11, 30)
HEADER = ",".join(COLUMNS)


def csv_file(*rows: str, header: str = HEADER, newline: str = "\n") -> bytes:
    return newline.join((header, *rows)).encode()


def faults_of(data: bytes) -> list[tuple[int, str | None, str]]:
    with pytest.raises(FileRefused) as refused:
        read_import(data, today=TODAY)
    assert refused.value.status == 422 and refused.value.code == "import-refused"
    return [(f.row, f.column, f.message) for f in refused.value.faults]


def test_a_valid_file_reads_every_row():
    data = csv_file(
        "CM-2026-48,Home Care,100234,23/11/2026,10,10,0,0,0,14,",
        "CM-2026-48,Home Care,100235,2026-11-23,9.75,10,0,0.25,0,13,Carer ill on Friday",
    )
    read = read_import(data, today=TODAY)
    assert read.file_reference == "CM-2026-48"
    assert [(r.row, r.client_reference, r.week, r.quantities.actual, r.visits) for r in read.rows] == [
        (2, "100234", date(2026, 11, 23), Decimal("10"), 14),
        (3, "100235", date(2026, 11, 23), Decimal("9.75"), 13),
    ]


def test_a_bom_and_excels_crlf_are_accepted():
    data = b"\xef\xbb\xbf" + csv_file("F1,Home Care,100234,23/11/2026,10,10,0,0,0,,", newline="\r\n")
    assert read_import(data, today=TODAY).rows[0].client_reference == "100234"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("F1,Home Care,100234,24/11/2026,10,10,0,0,0,,", "week_commencing", "is not a Monday"),
        ("F1,Home Care,100234,07/12/2026,10,10,0,0,0,,", "week_commencing", "has not started yet"),
        ("F1,Home Care,100234,next week,10,10,0,0,0,,", "week_commencing", "is not a date"),
        ("F1,Home Care,100234,23/11/2026,ten,10,0,0,0,,", "actual", "not a number"),
        ("F1,Home Care,100234,23/11/2026,0.3,0.5,0,0,0,,", "actual", "steps of 0.25"),
        ("F1,Home Care,100234,23/11/2026,-1,0,0,0,0,,", "actual", "cannot be negative"),
        ("F1,Home Care,100234,23/11/2026,8,10,2,0,0,,", "comment", "required when delivery differs"),
        ("F1,Home Care,,23/11/2026,10,10,0,0,0,,", "client_reference", "is blank"),
        (
            "F1,Home Care,100234,23/11/2026,10,10,0,0,0,1.5,",
            "visits",
            "must be a whole number from 0 to 1000",
        ),
    ],
)
def test_each_fault_of_a_row_is_named_with_its_row_and_column(row, column, message):
    found = faults_of(csv_file("F1,Home Care,100200,23/11/2026,10,10,0,0,0,,", row))
    assert [(r, c) for r, c, _ in found] == [(3, column)]
    assert message in found[0][2]


def test_every_fault_of_the_file_is_listed_at_once():
    found = faults_of(
        csv_file(
            "F1,Home Care,100234,23/11/2026,0.3,10,0,0,0,,",
            "F1,Home Care,100235,23/11/2026,10,10,0,0,0,,",
            "F1,Home Care,100236,30/11/2026,10,-2,0,0,0,,",
        )
    )
    assert [(r, c) for r, c, _ in found] == [(2, "actual"), (4, "planned")]


def test_a_duplicate_row_is_refused_naming_the_first():
    found = faults_of(
        csv_file(
            "F1,Home Care,100234,23/11/2026,10,10,0,0,0,,", "F1,Home Care,100234,23/11/2026,9,10,0,1,0,,late"
        )
    )
    assert found == [(3, None, "repeats row 2 (same service, client and week)")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\r\n\r\n", "the file is empty"),
        (csv_file(header="reference,service,client"), "the header must be"),
        (HEADER.encode(), "has a header but no rows"),
        (
            csv_file("F1,Home Care,100234,23/11/2026,10,10,0,0,0,,").replace(b"Home Care", b"Home Caf\xe9"),
            "not UTF-8",
        ),
        (csv_file("F1,Home Care,100234,23/11/2026,10,10"), "has 6 cells, not 11"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(data, message):
    assert message in " ".join(m for _, _, m in faults_of(data))


def test_every_row_carries_one_file_reference():
    found = faults_of(
        csv_file(
            "F1,Home Care,100234,23/11/2026,10,10,0,0,0,,", "F2,Home Care,100235,23/11/2026,10,10,0,0,0,,"
        )
    )
    # named at the row where the other reference starts (it was row 2, the row that set the first)
    assert found == [(3, "file_reference", "every row must carry the same file reference ('F1'), not blank")]
    blank = faults_of(
        csv_file("F1,Home Care,100234,23/11/2026,10,10,0,0,0,,", ",Home Care,100235,23/11/2026,10,10,0,0,0,,")
    )
    assert (3, "file_reference", "every row must carry the same file reference ('F1'), not blank") in blank


def test_a_formula_looking_cell_is_kept_as_text_and_neutralised_on_export():
    row = read_import(
        csv_file("F1,Home Care,100234,23/11/2026,8,10,0,2,0,,\"=cmd|' /C calc'!A0\""), today=TODAY
    ).rows[0]
    assert row.comment == "=cmd|' /C calc'!A0"
    assert neutralise(row.comment) == "'=cmd|' /C calc'!A0"
    assert neutralise("Carer ill on Friday") == "Carer ill on Friday"
    assert [neutralise(c) for c in ("+1", "-1", "@SUM(A1)", "\tx")] == ["'+1", "'-1", "'@SUM(A1)", "'\tx"]


def test_the_quote_of_a_neutralised_cell_is_taken_off_on_import():
    # An exported file imports back unchanged: `neutralise` quotes a formula-looking cell, reading unquotes it.
    comment = "=cmd|' /C calc'!A0"
    data = csv_file(f"CM-1,Home Care,100234,23/11/2026,9,10,0,0,0,,{neutralise(comment)}")
    (read,) = read_import(data, today=TODAY).rows
    assert read.comment == comment
    # A quote before anything else is the provider's own text, kept.
    data = csv_file("CM-1,Home Care,100234,23/11/2026,9,10,0,0,0,,'quoted")
    assert read_import(data, today=TODAY).rows[0].comment == "'quoted"


def test_the_upload_check_answers_the_first_rows_reference_and_the_files_own_faults():
    assert (
        peek_reference(b"\xef\xbb\xbf" + csv_file("CM-7,Home Care,100234,23/11/2026,10,10,0,0,0,,")) == "CM-7"
    )
    for data, fault in [
        (b"", (1, None, "the file is empty")),
        (HEADER.encode(), (2, None, "the file has a header but no rows")),
        (
            csv_file(",Home Care,100234,23/11/2026,10,10,0,0,0,,"),
            (2, "file_reference", "is blank: every row carries the file reference"),
        ),
        (b"a,b\n", (1, None, "the header must be: " + HEADER)),
    ]:
        with pytest.raises(FileRefused) as refused:
            peek_reference(data)
        assert [(f.row, f.column, f.message) for f in refused.value.faults] == [fault]


def test_the_reader_streams_rows_with_their_faults_and_leaves_duplicates_to_its_caller():
    data = csv_file(
        "CM-1,Home Care,100234,23/11/2026,10,10,0,0,0,,",
        "CM-1,Home Care,100234,23/11/2026,10,10,0,0,0,,",
        "CM-1,Home Care,100235,23/11/2026,x,10,0,0,0,,",
    )
    reader = ImportReader(data, today=TODAY)
    got = [(row.row if row else None, [(f.row, f.column) for f in faults]) for row, faults in reader]
    assert got == [(2, []), (3, []), (None, [(4, "actual")])]
    assert (reader.rows_read, reader.faulty_rows, reader.file_reference, reader.file_faults()) == (
        3,
        1,
        "CM-1",
        [],
    )
