"""Baselines: accept the findings an earlier JSON report held, and gate only on new ones.

A baseline is any govcheck JSON report (`govcheck baseline create` writes
one). Its fingerprints are those of every finding except waived ones (a
waiver accepts a finding for a while; the baseline should not outlive it).
Reading reports is shared with `govcheck diff`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcheck.errors import InputError
from govcheck.model import Finding, Location, Result

__all__ = [
    "ReportedFinding",
    "apply_baseline",
    "load_baseline",
    "load_baseline_bytes",
    "load_report_findings",
    "read_report_findings",
]

_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class ReportedFinding:
    """A finding as a JSON report recorded it."""

    fingerprint: str
    check: str
    entity: str
    severity: str
    result: str
    message: str
    location: Location


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _location(value: Any, fallback: Location) -> Location:
    if not isinstance(value, Mapping):
        return fallback
    path = value.get("path")
    line = value.get("line")
    column = value.get("column")
    return Location(
        path if isinstance(path, str) and path else fallback.path,
        line if isinstance(line, int) and not isinstance(line, bool) and line >= 1 else 1,
        column if isinstance(column, int) and not isinstance(column, bool) and column >= 1
        else 1,
    )


def read_report_findings(data: bytes, name: str) -> tuple[ReportedFinding, ...]:
    """The findings of a govcheck JSON report's bytes; `name` locates errors.

    Raises InputError when the bytes are not JSON, not a govcheck report (an
    object with a `findings` list), or a finding has no valid fingerprint.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text (byte {error.start}); expected a govcheck JSON"
                         " report", Location(name)) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"not JSON: {error.msg}; expected a govcheck JSON report",
                         Location(name, error.lineno, error.colno)) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", Location(name)) from None
    if not isinstance(value, dict) or not isinstance(value.get("findings"), list):
        raise InputError(
            "not a govcheck JSON report: expected an object with a 'findings' list"
            " (write one with `govcheck check --format json` or `govcheck baseline create`)",
            Location(name),
        )
    findings = []
    for index, item in enumerate(value["findings"]):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str) or \
                not _FINGERPRINT.match(item["fingerprint"]):
            raise InputError(
                f"findings[{index}] has no fingerprint (64 lowercase hex digits)",
                Location(name),
            )
        findings.append(ReportedFinding(
            fingerprint=item["fingerprint"],
            check=_text(item.get("check")),
            entity=_text(item.get("entity")),
            severity=_text(item.get("severity")),
            result=_text(item.get("result")),
            message=_text(item.get("message")),
            location=_location(item.get("location"), Location("?")),
        ))
    return tuple(findings)


def load_report_findings(path: str | Path) -> tuple[ReportedFinding, ...]:
    """The findings of the govcheck JSON report at `path` (InputError when unreadable)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read report: {error.strerror or error}",
                         Location(str(path))) from None
    return read_report_findings(data, str(path))


def _fingerprints(findings: Iterable[ReportedFinding]) -> frozenset[str]:
    return frozenset(f.fingerprint for f in findings if f.result != Result.WAIVED.value)


def load_baseline_bytes(data: bytes, name: str) -> frozenset[str]:
    """The fingerprints a baseline report's bytes accept (every finding but waived ones)."""
    return _fingerprints(read_report_findings(data, name))


def load_baseline(path: str | Path) -> frozenset[str]:
    """The fingerprints the baseline report at `path` accepts (every finding but waived ones)."""
    return _fingerprints(load_report_findings(path))


def apply_baseline(
    findings: Sequence[Finding], fingerprints: frozenset[str]
) -> tuple[list[Finding], int]:
    """Gating findings whose fingerprint the baseline holds become `baselined`.

    Returns the findings and how many baseline fingerprints no finding has any
    more (fixed since the baseline).
    """
    prints = [f.fingerprint for f in findings]  # a SHA-256 each: computed once, used twice
    result = [
        dataclasses.replace(f, result=Result.BASELINED)
        if f.result.gates and fingerprint in fingerprints else f
        for f, fingerprint in zip(findings, prints, strict=True)
    ]
    return result, len(fingerprints - set(prints))
