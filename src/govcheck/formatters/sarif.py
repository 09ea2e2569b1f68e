"""SARIF 2.1.0 for GitHub code scanning (`--format sarif`).

The log is built from sarif-om's classes and serialised by `sarif_to_data`,
which walks their attrs metadata to the SARIF property names and drops values
that are unset or equal to the schema default (sarif-om ships no serialiser).
Property bags are plain dicts, because sarif-om's `PropertyBag` only knows
`tags` and GitHub reads `security-severity`, `precision` and
`problem.severity` from the rule's bag.

URIs are relative to the repository root, which GitHub needs to show a
finding on its line: a report's paths are relative to the inventory root, so
a relative inventory folder given on the command line (`inventory/`) prefixes
them (`inventory/people.csv`). `uri_prefix` overrides that (the CLI's
`--sarif-root`); see docs/ci.md.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import attr
import sarif_om as om

from govcheck.formatters import jsontext
from govcheck.formatters.json_format import findings_in_report_order, rfc3339
from govcheck.formatters.text import visible
from govcheck.model import CheckInfo, Finding, Location, Report, Result, Severity

__all__ = [
    "FINGERPRINT_KEY",
    "MAX_RESULTS",
    "SARIF_SCHEMA_URI",
    "automation_category",
    "format_report",
    "inventory_uri_prefix",
    "sarif_to_data",
]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/govcheck/govcheck"
FINGERPRINT_KEY = "govcheck/v1"
SRCROOT = "%SRCROOT%"
# GitHub code scanning rejects runs with more results than this.
MAX_RESULTS = 25_000
# GitHub keeps at most this many related locations per result and 20 tags per rule.
MAX_RELATED = 1_000
MAX_TAGS = 20

# GitHub's security-severity bands: low 0.1-3.9, medium 4-6.9, high 7-8.9, critical 9+.
SECURITY_SEVERITY = {
    Severity.LOW: "3.0",
    Severity.MEDIUM: "5.5",
    Severity.HIGH: "7.5",
    Severity.CRITICAL: "9.5",
}
LEVEL = {
    Severity.LOW: "note",
    Severity.MEDIUM: "warning",
    Severity.HIGH: "error",
    Severity.CRITICAL: "error",
}
PROBLEM_SEVERITY = {"note": "recommendation", "warning": "warning", "error": "error"}
# Rules evaluate recorded facts deterministically: no heuristics, no guessing.
PRECISION = "very-high"

# Properties written even when equal to the schema default: every result states its
# level so that people (and tools that ignore defaults) read it without inference.
_ALWAYS_WRITTEN = frozenset({"level"})
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".zip", ".tar")
_CONTROL_PREFIX = re.compile(r"^[A-Z]\.\d+(?:\.\d+)*-")


_Field = tuple[str, str, Any]
"""An attrs field as `sarif_to_data` needs it: attribute name, SARIF name, default."""


_FIELDS: dict[type, tuple[_Field, ...]] = {}
# Values written as they are; by exact type, so that a subclass (a StrEnum) takes the
# general path, as before.
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def _fields(cls: type) -> tuple[_Field, ...] | None:
    """The attrs fields of a sarif-om class with their defaults, worked out once per class
    (a report has tens of thousands of results, locations and messages); None for a
    class that is not an attrs class."""
    fields = _FIELDS.get(cls)
    if fields is None and attr.has(cls):
        found: list[_Field] = []
        for field in attr.fields(cls):
            default = field.default
            if isinstance(default, attr.Factory):  # type: ignore[arg-type]
                default = default.factory()
            found.append((field.name, field.metadata["schema_property_name"], default))
        fields = _FIELDS[cls] = tuple(found)
    return fields


def sarif_to_data(value: Any) -> Any:
    """A sarif-om object tree as JSON-ready data with SARIF property names.

    Attributes that are None or equal to their declared default are dropped
    (except `level`); dicts and lists are walked as they are.
    """
    if type(value) in _PLAIN_TYPES:
        return value
    fields = _fields(type(value))
    if fields is not None:
        data: dict[str, Any] = {}
        for attribute, name, default in fields:
            item = getattr(value, attribute)
            if item is None:
                continue
            if name not in _ALWAYS_WRITTEN and default is not attr.NOTHING and item == default:
                continue
            data[name] = sarif_to_data(item)
        return data
    if isinstance(value, Mapping):
        return {str(key): sarif_to_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [sarif_to_data(item) for item in value]
    return value


def _is_archive(path: str) -> bool:
    return path.lower().endswith(_ARCHIVE_SUFFIXES)


def _normalised(inventory: str) -> str:
    return posixpath.normpath(inventory.replace("\\", "/")) if inventory else "."


def _outside(norm: str) -> bool:
    """Absolute, drive-lettered or above the working folder: no repository-relative form."""
    return norm.startswith("/") or bool(re.match(r"^[A-Za-z]:", norm)) or norm == ".." or \
        norm.startswith("../")


def inventory_uri_prefix(inventory: str) -> str:
    """The repository-relative folder of an inventory given as a relative path, with a `/`.

    `inventory/` and `./orgs/acme` give `inventory/` and `orgs/acme/`; the
    current folder, an absolute path, a path above the working folder and an
    archive give `` (their paths are already relative to the root, or cannot be).
    """
    norm = _normalised(inventory)
    if norm == "." or _outside(norm) or _is_archive(norm):
        return ""
    return norm + "/"


def automation_category(inventory: str) -> str:
    """`automationDetails.id` of an inventory: `govcheck/<inventory>/`, one category each.

    Several inventories in one repository get their own categories, so one
    upload does not close another's alerts.
    """
    norm = _normalised(inventory)
    if norm == ".":
        name = "root"
    elif _outside(norm):
        name = posixpath.basename(norm.rstrip("/")) or "root"
    else:
        name = norm
    return f"govcheck/{name}/"


def _rule_name(check_id: str) -> str:
    """`A.3.2-BACKUP-NAMED` -> `BackupNamed`: SARIF's identifier-like rule name."""
    words = re.split(r"[^A-Za-z0-9]+", _CONTROL_PREFIX.sub("", check_id))
    return "".join(word[:1].upper() + word[1:].lower() for word in words if word) or "Check"


def _tags(info: CheckInfo) -> list[str]:
    # "security" makes GitHub treat the rule as a security rule and read security-severity.
    tags: list[str] = []
    for tag in ("security", *info.controls, *info.related):
        if tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def _help(info: CheckInfo) -> om.MultiformatMessageString:
    description = info.description or info.title
    controls = ", ".join(info.controls) or "none"
    related = ", ".join(info.related)
    text_lines = [info.title, "", description]
    md_lines = [f"**{info.title}**", "", description]
    if info.remediation:
        text_lines += ["", f"Remediation: {info.remediation}"]
        md_lines += ["", f"**Remediation:** {info.remediation}"]
    text_lines += ["", f"Controls: {controls}"]
    md_lines += ["", f"- **Controls:** {controls}"]
    if related:
        text_lines.append(f"Related: {related}")
        md_lines.append(f"- **Related:** {related}")
    text_lines.append(f"Basis: {info.basis.value}")
    md_lines.append(f"- **Basis:** {info.basis.value}")
    return om.MultiformatMessageString(text="\n".join(text_lines), markdown="\n".join(md_lines))


def _rule(info: CheckInfo) -> om.ReportingDescriptor:
    level = LEVEL[info.severity]
    return om.ReportingDescriptor(
        id=info.id,
        name=_rule_name(info.id),
        short_description=om.MultiformatMessageString(text=info.title or info.id),
        full_description=om.MultiformatMessageString(text=info.description or info.title
                                                     or info.id),
        help=_help(info),
        default_configuration=om.ReportingConfiguration(level=level),
        properties={
            "tags": _tags(info),
            "security-severity": SECURITY_SEVERITY[info.severity],
            "problem.severity": PROBLEM_SEVERITY[level],
            "precision": PRECISION,
            "severity": info.severity.value,
            "controls": list(info.controls),
        },
    )


def _rules(report: Report) -> list[CheckInfo]:
    """Every check of the report, plus a stand-in for a finding's check the report lacks."""
    infos = {info.id: info for info in report.checks}
    for finding in report.findings:
        if finding.check not in infos:
            infos[finding.check] = CheckInfo(
                finding.check, finding.check, finding.controls, finding.severity,
                remediation=finding.remediation,
            )
    return [infos[key] for key in sorted(infos)]


def _uri(path: str, prefix: str) -> str:
    # Percent-encode everything but the unreserved characters and '/', so spaces,
    # ':' and non-ASCII names stay valid relative URI references.
    return quote(prefix + path.replace("\\", "/").lstrip("/"), safe="/")


def _physical(location: Location, prefix: str) -> om.PhysicalLocation:
    return om.PhysicalLocation(
        artifact_location=om.ArtifactLocation(uri=_uri(location.path, prefix), uri_base_id=SRCROOT),
        region=om.Region(start_line=max(location.line, 1), start_column=max(location.column, 1)),
    )


def _result(
    finding: Finding, rule_index: int, prefix: str, baseline_used: bool
) -> om.Result:
    related = [
        om.Location(id=number, physical_location=_physical(loc, prefix),
                    message=om.Message(text="evidence"))
        for number, loc in enumerate(finding.related[:MAX_RELATED], start=1)
    ]
    result = om.Result(
        rule_id=finding.check,
        rule_index=rule_index,
        level=LEVEL[finding.severity],
        message=om.Message(text=visible(finding.message or finding.check)),
        locations=[om.Location(physical_location=_physical(finding.location, prefix))],
        related_locations=related or None,
        partial_fingerprints={FINGERPRINT_KEY: finding.fingerprint},
        properties={
            "severity": finding.severity.value,
            "entity": finding.entity,
            "controls": list(finding.controls),
            "result": finding.result.value,
        },
    )
    if finding.result is Result.WAIVED:
        result.suppressions = [
            om.Suppression(kind="external",
                           justification=finding.justification or "waived")
        ]
    if baseline_used:
        result.baseline_state = "unchanged" if finding.result is Result.BASELINED else "new"
    return result


def _priority(indexed: tuple[int, Finding]) -> tuple[int, int, int]:
    index, finding = indexed
    return (0 if finding.result.gates else 1, -finding.severity.rank, index)


def _kept(findings: Sequence[Finding]) -> list[Finding]:
    """At most MAX_RESULTS findings: gating first, then by severity, then report order."""
    if len(findings) <= MAX_RESULTS:
        return list(findings)
    chosen = sorted(enumerate(findings), key=_priority)[:MAX_RESULTS]
    return [finding for _, finding in sorted(chosen, key=lambda pair: pair[0])]


def _notifications(
    report: Report, kept: Sequence[Finding], dropped: int, rule_index: Mapping[str, int],
    prefix: str,
) -> list[om.Notification]:
    notes: list[om.Notification] = []
    if dropped:
        notes.append(om.Notification(
            level="warning",
            message=om.Message(text=(
                f"{dropped} of {len(report.findings)} results were left out: GitHub code"
                f" scanning accepts at most {MAX_RESULTS:,} results per run. Kept: failing"
                " and errored results first, highest severity first. The JSON report lists"
                " every finding."
            )),
        ))
    for finding in kept:
        if finding.result is Result.ERROR:
            notes.append(om.Notification(
                level="error",
                message=om.Message(
                    text=f"{finding.check} could not be evaluated on {finding.entity}:"
                    f" {finding.message}"
                ),
                locations=[om.Location(physical_location=_physical(finding.location, prefix))],
                associated_rule=om.ReportingDescriptorReference(
                    id=finding.check, index=rule_index[finding.check]
                ),
            ))
    notes.extend(om.Notification(level="note", message=om.Message(text=notice))
                 for notice in report.notices)
    return notes


def _category_id(category: str | None, report: Report) -> str:
    if not category:
        return automation_category(report.inventory)
    # Without a trailing '/', GitHub would read the last segment as a run id, not the category.
    return category if category.endswith("/") else category + "/"


def build_log(
    report: Report, *, uri_prefix: str | None = None, category: str | None = None
) -> om.SarifLog:
    """The report as a sarif-om log (one run)."""
    prefix = inventory_uri_prefix(report.inventory) if uri_prefix is None else uri_prefix
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    infos = _rules(report)
    rule_index = {info.id: index for index, info in enumerate(infos)}
    ordered = findings_in_report_order(report.findings)
    kept = _kept(ordered)
    baseline_used = report.fixed_baselined > 0 or any(
        f.result is Result.BASELINED for f in report.findings
    )
    driver = om.ToolComponent(
        name=report.tool_name,
        version=report.tool_version,
        semantic_version=report.tool_version,
        information_uri=INFORMATION_URI,
        rules=[_rule(info) for info in infos],
    )
    notifications = _notifications(report, kept, len(ordered) - len(kept), rule_index, prefix)
    run = om.Run(
        tool=om.Tool(driver=driver),
        automation_details=om.RunAutomationDetails(id=_category_id(category, report)),
        column_kind="unicodeCodePoints",
        invocations=[om.Invocation(
            execution_successful=True,
            tool_execution_notifications=notifications or None,
        )],
        results=[_result(f, rule_index[f.check], prefix, baseline_used) for f in kept],
        properties={
            "govcheck/as_of": rfc3339(report.as_of),
            "govcheck/inventory": report.inventory,
            "govcheck/policy_digest": report.policy_digest,
        },
    )
    return om.SarifLog(runs=[run], version=SARIF_VERSION, schema_uri=SARIF_SCHEMA_URI)


def format_report(
    report: Report, *, uri_prefix: str | None = None, category: str | None = None
) -> str:
    """The report as SARIF 2.1.0 JSON.

    `uri_prefix` is the inventory's folder relative to the repository root
    (default: the inventory path when it is a relative folder); `category`
    overrides `automationDetails.id` (default `govcheck/<inventory>/`).
    """
    data = sarif_to_data(build_log(report, uri_prefix=uri_prefix, category=category))
    # `$schema` and `version` first, as every SARIF reader and person expects to see them.
    ordered = {"$schema": data.pop("$schema"), "version": data.pop("version"), **data}
    # jsontext.dumps writes what json.dumps(indent=2) does, several times faster.
    return jsontext.dumps(ordered) + "\n"
