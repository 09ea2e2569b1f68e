"""The importers' own checks (IMPORT-*): what an export says that govcheck could not use.

They are low-severity notes mapped to A.9.2 (a living, trustworthy
inventory). What a canonical record lacks (an owner, an approval) is not
reported here: the normal checks report it later, located at the export's
line. Reference and schema problems in canonical fields are the loader's
INVENTORY-* findings; IMPORT-UNRESOLVED-REF covers references between export
entities that govcheck does not model (a Backstage Location target, a group's
parent).
"""

from __future__ import annotations

from govcheck.model import Basis, CheckInfo, Finding, Location, Severity, failing_finding

A92 = ("ISO42001:A.9.2",)

IMPORT_SKIPPED = "IMPORT-SKIPPED"
IMPORT_UNRESOLVED_REF = "IMPORT-UNRESOLVED-REF"
IMPORT_INCONSISTENT = "IMPORT-INCONSISTENT"

IMPORT_CHECKS: dict[str, CheckInfo] = {
    info.id: info
    for info in (
        CheckInfo(
            IMPORT_SKIPPED,
            "Every part of an export is imported or knowingly skipped",
            A92,
            Severity.LOW,
            basis=Basis.POLICY,
            description=(
                "A document, row or role of an export that the importer did not turn into a"
                " record (not an entity, a template, another OSCAL model, a role mapped to no"
                " lifecycle phase). Noted so that nothing leaves the inventory silently."
            ),
            remediation="If the skipped part should count, map it in the source's options in"
            " govcheck.yaml (see docs/importers.md); otherwise nothing to do.",
        ),
        CheckInfo(
            IMPORT_UNRESOLVED_REF,
            "References inside an export resolve",
            A92,
            Severity.LOW,
            basis=Basis.POLICY,
            description=(
                "A reference between entities of the export (a Location target, a group's"
                " parent or members, an entity's system or APIs) names nothing in the export."
            ),
            remediation="Add the missing entity or file to the export, or correct the"
            " reference.",
        ),
        CheckInfo(
            IMPORT_INCONSISTENT,
            "An export does not contradict itself",
            A92,
            Severity.LOW,
            basis=Basis.POLICY,
            description=(
                "Two parts of the export disagree (a group names a parent whose children do"
                " not list it, one system has two owners); govcheck keeps the first reading."
            ),
            remediation="Correct the export so that both sides say the same thing.",
        ),
    )
}


def import_finding(check: str, entity: str, message: str, location: Location) -> Finding:
    """A failing importer finding with the check's catalogue metadata."""
    return failing_finding(IMPORT_CHECKS[check], entity, message, location)


class FindingCollector:
    """Collects importer findings, one per (check, entity): later messages are appended."""

    def __init__(self) -> None:
        self._order: list[tuple[str, str]] = []
        self._messages: dict[tuple[str, str], list[str]] = {}
        self._locations: dict[tuple[str, str], Location] = {}
        self._extra: list[Finding] = []

    def add(self, check: str, entity: str, message: str, location: Location) -> None:
        """Note `message` on `entity`; the first location of an entity is kept."""
        key = (check, entity)
        if key not in self._messages:
            self._order.append(key)
            self._messages[key] = []
            self._locations[key] = location
        if message not in self._messages[key]:
            self._messages[key].append(message)

    def add_finding(self, finding: Finding) -> None:
        """Keep a finding made elsewhere (an INVENTORY-* quality finding) as it is."""
        self._extra.append(finding)

    def findings(self) -> tuple[Finding, ...]:
        """Every collected finding in report order."""
        made = [
            import_finding(check, entity, "; ".join(self._messages[(check, entity)]),
                           self._locations[(check, entity)])
            for check, entity in self._order
        ]
        return tuple(sorted([*made, *self._extra], key=Finding.sort_key))
