"""CSV reading and value conversion shared by the CSV importers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from govcheck.importers.parsing import normalize_header, read_csv, resolve_columns
from govcheck.importers.values import canonical_date, map_value, normalize_value, slug


def test_rows_start_lines_with_embedded_newlines_and_blank_lines() -> None:
    table = read_csv(b'id,text\n1,"a\nb\nc"\n\n2,d\n', "x.csv")
    assert [(r["id"], r.location.line) for r in table.rows] == [("1", 2), ("2", 6)]


def test_delimiter_from_header_only_and_repeated_headers() -> None:
    table = read_csv(b"a;If Other;If Other\n1;x,y;z\n", "x.csv")
    assert table.header == ("a", "If Other", "If Other (2)")
    assert dict(table.rows[0]) == {"a": "1", "If Other": "x,y", "If Other (2)": "z"}
    assert read_csv(b"a\tb\n1\t2\n", "t.csv").rows[0]["b"] == "2"


def test_extra_cells_are_a_problem_on_the_row() -> None:
    row = read_csv(b"a,b\n1,2,3\n", "x.csv").rows[0]
    assert row.problems and row.problems[0][1].line == 2


def test_encoding_fallback() -> None:
    table = read_csv("a\né\n".encode("cp1252"), "x.csv")
    assert (table.encoding, table.fallback, table.rows[0]["a"]) == ("cp1252", True, "é")
    table = read_csv("\ufeffa\né\n".encode(), "x.csv")
    assert (table.encoding, table.fallback, table.header) == ("utf-8", False, ("a",))


def test_header_folding_and_resolution() -> None:
    assert normalize_header("  Use Case\nIDENTIFIER ") == normalize_header("use_case_identifier")
    columns = resolve_columns(["Mgr", "Manager ID"], {"Mgr": "manager"},
                              {"manager": ("Manager ID",), "id": ("ID",)})
    assert columns == {"Mgr": "manager"}


def test_dates() -> None:
    assert canonical_date("07/25/2024 12:00:00 AM") == "2024-07-25"
    assert canonical_date("07/25/2024 02:30:00 PM") == "2024-07-25T14:30:00"
    assert canonical_date("2024-07-25") == "2024-07-25"
    assert canonical_date("0000-00-00") is None and canonical_date("  ") is None
    assert canonical_date("Q3 2024") == "Q3 2024"     # left for INVENTORY-BAD-DATE


def test_values() -> None:
    assert normalize_value("b) Pilot ") == "pilot"
    assert map_value("a)  Pre-deployment", {"pre-deployment": "development"}, {}) == "development"
    assert map_value("Pilot", {"pilot": "validation"}, {"PILOT": "deployed"}) == "deployed"
    assert slug("Google LLC") == "google-llc" and slug("!!") == "unnamed"


@given(st.text(max_size=40))
def test_canonical_date_never_raises(text: str) -> None:
    result = canonical_date(text)
    assert result is None or isinstance(result, str)


@given(st.lists(st.text(alphabet="ab,;\"\n\r é", max_size=12), min_size=1, max_size=6))
def test_read_csv_never_raises_unexpectedly(cells: list[str]) -> None:
    from govcheck.errors import InputError

    data = "\n".join(cells).encode()
    try:
        table = read_csv(data, "p.csv")
    except InputError:
        return
    assert all(r.location.line >= 2 for r in table.rows)
