"""CSV: delimiter from the header line, physical line numbers, encodings, located errors."""

from __future__ import annotations

import codecs

import pytest

from govcheck.errors import InputError
from govcheck.loaders.csv_reader import parse_csv, sniff_delimiter
from govcheck.model import Location


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("id,name", ","), ("id;name;teams", ";"), ("id\tname", "\t"), ("id", ","),
     ('"a;b",c', ","), ("id;name;x,first", ";"), ("id;name,first", ","), ("id,name;x", ",")],
)
def test_delimiter_is_told_from_the_header_line(header: str, delimiter: str) -> None:
    assert sniff_delimiter(header) == delimiter


def test_rows_are_located_at_their_physical_first_line() -> None:
    data = (
        b'id;name;notes\r\n'
        b'p-1;Ada;"two\r\nlines"\r\n'
        b'\r\n'
        b'p-2;"Bo;b";"three\nphysical\nlines"\n'
        b';;\n'
        b'p-3;C;x\n'
    )
    table = parse_csv(data, "people.csv")
    assert [row.location for row in table.rows] == [
        Location("people.csv", 2, 1), Location("people.csv", 5, 1), Location("people.csv", 9, 1)]
    assert table.rows[1]["name"] == "Bo;b"
    assert table.rows[1]["notes"] == "three\nphysical\nlines"


def test_utf8_bom_is_dropped() -> None:
    table = parse_csv(codecs.BOM_UTF8 + "id,name\np-1,Zoë\n".encode(), "p.csv")
    assert list(table.rows[0]) == ["id", "name"]
    assert table.rows[0]["name"] == "Zoë"
    assert (table.encoding, table.fell_back) == ("utf-8", False)


def test_cp1252_fallback_is_flagged() -> None:
    table = parse_csv("id,name\np-1,Jürgen – Müller\n".encode("cp1252"), "p.csv")
    assert table.rows[0]["name"] == "Jürgen – Müller"
    assert (table.encoding, table.fell_back) == ("cp1252", True)


def test_declared_encoding_is_used_without_fallback() -> None:
    table = parse_csv("id,name\np-1,Jürgen\n".encode("latin-1"), "p.csv", encoding="latin-1")
    assert table.rows[0]["name"] == "Jürgen"
    assert table.fell_back is False


def test_bytes_no_encoding_can_read_are_located() -> None:
    with pytest.raises(InputError, match="neither UTF-8 nor cp1252") as caught:
        parse_csv(b"id,name\np-1,\x81\x8d\n", "p.csv")
    assert caught.value.location == Location("p.csv", 2, 5)


def test_extra_cells_and_unnamed_columns_are_problems_not_silence() -> None:
    table = parse_csv(b"id,,name\np-1,x,A,extra\np-2,,B\n", "p.csv")
    first, second = table.rows
    assert dict(first) == {"id": "p-1", "name": "A"}
    assert [message for message, _ in first.problems] == [
        "cell 2 has no column in the header; its value 'x' is not read",
        "the row has 4 cells but the header has 3; the value 'extra' beyond the header is"
        " not read"]
    assert second.problems == []


def test_duplicate_header_keeps_the_first_column() -> None:
    table = parse_csv(b"id,name,name\np-1,A,B\n", "p.csv")
    assert table.rows[0]["name"] == "A"
    assert "appears more than once" in table.rows[0].problems[0][0]


@pytest.mark.parametrize(
    ("data", "line"),
    [(b'id,name\np-1,"unterminated\np-2,x\n', 2), (b'id,name\np-1,"a"b\n', 2),
     (b"id,name\np-1," + b"x" * 200_000 + b"\n", 2)],
)
def test_broken_csv_is_located_at_the_row(data: bytes, line: int) -> None:
    with pytest.raises(InputError, match="not valid CSV") as caught:
        parse_csv(data, "p.csv")
    assert caught.value.location == Location("p.csv", line, 1)


def test_header_only_and_empty_files_have_no_rows() -> None:
    assert parse_csv(b"id,name\n", "p.csv").rows == ()
    assert parse_csv(b"", "p.csv").rows == ()


def test_a_ragged_row_is_one_problem_naming_every_extra_value() -> None:
    table = parse_csv(b"id,name,status\np-1,A,active,x,y\n", "p.csv")
    assert [message for message, _ in table.rows[0].problems] == [
        "the row has 5 cells but the header has 3; the values 'x', 'y' beyond the header are"
        " not read"]
