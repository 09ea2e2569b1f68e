"""The built-in data-quality checks (INVENTORY-*), which run in the loaders and graph builder.

They have no control prefix and map to A.9.2 (a living, trustworthy inventory).
"""

from __future__ import annotations

from govcheck.model import Basis, CheckInfo, Finding, Location, Severity, failing_finding

A92 = ("ISO42001:A.9.2",)

SCHEMA = "INVENTORY-SCHEMA"
DUPLICATE_ID = "INVENTORY-DUPLICATE-ID"
DANGLING_REF = "INVENTORY-DANGLING-REF"
BAD_DATE = "INVENTORY-BAD-DATE"
UNKNOWN_FILE = "INVENTORY-UNKNOWN-FILE"
ENCODING = "INVENTORY-ENCODING"

QUALITY_CHECKS: dict[str, CheckInfo] = {
    info.id: info
    for info in (
        CheckInfo(
            SCHEMA,
            "Every record matches the schema of its kind",
            A92,
            Severity.MEDIUM,
            basis=Basis.POLICY,
            description=(
                "Records must have the fields that define them, with the right types and"
                " allowed values, so that every other check reads what the export meant."
            ),
            remediation="Correct the field in the export so it has the expected type or value.",
        ),
        CheckInfo(
            DUPLICATE_ID,
            "Record ids are unique per kind",
            A92,
            Severity.MEDIUM,
            basis=Basis.POLICY,
            description=(
                "Two records of one kind with one id make every reference to that id"
                " ambiguous; the first in path order is kept and the second reported."
            ),
            remediation="Give the record its own id, or remove the duplicate.",
        ),
        CheckInfo(
            DANGLING_REF,
            "Every reference names an existing record",
            A92,
            Severity.MEDIUM,
            basis=Basis.POLICY,
            description=(
                "A reference to an id that no record has (or that more than one kind has)"
                " leaves a responsibility or a link in the evidence chain pointing nowhere."
            ),
            remediation="Point the reference at an existing id, qualify it (`team:t-7`), or add"
            " the missing record.",
        ),
        CheckInfo(
            BAD_DATE,
            "Dates parse as ISO 8601",
            A92,
            Severity.MEDIUM,
            basis=Basis.POLICY,
            description=(
                "A date that does not parse cannot be compared with the as-of; the field is"
                " treated as absent by every other check."
            ),
            remediation="Write the date as ISO 8601, e.g. 2026-06-30 or 2026-06-30T09:00:00Z.",
        ),
        CheckInfo(
            UNKNOWN_FILE,
            "Every data file has a known kind",
            A92,
            Severity.MEDIUM,
            basis=Basis.POLICY,
            description=(
                "A data file whose kind cannot be told from its name or the manifest is not"
                " checked at all, so its records would silently escape governance."
            ),
            remediation="Rename the file after its kind (e.g. systems.yaml) or map it in"
            " govcheck.yaml under `files:`.",
        ),
        CheckInfo(
            ENCODING,
            "CSV files are UTF-8",
            A92,
            Severity.LOW,
            basis=Basis.POLICY,
            description=(
                "A CSV that is not valid UTF-8 was read as cp1252; names may be garbled."
            ),
            remediation="Export the file as UTF-8, or set its `encoding` in govcheck.yaml.",
        ),
    )
}


def quality_finding(
    check: str,
    entity: str,
    message: str,
    location: Location,
    related: tuple[Location, ...] = (),
) -> Finding:
    """A failing data-quality finding with the check's catalogue metadata."""
    return failing_finding(QUALITY_CHECKS[check], entity, message, location, related)
