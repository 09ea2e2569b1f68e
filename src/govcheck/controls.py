"""The controls catalogue (`controls/*.yaml`) and each control's status in a run.

A catalogue entry says what a control requires, which checks cover it and what
an auditor must still inspect by hand. `control_results` turns a run's checks,
check runs and findings into one `ControlResult` per control (DESIGN.md,
"Controls catalogue").

The status rule (docs/audit.md, "Read the per-control result"): a control is
not-satisfied when a covering check has a finding whose result is fail, error
or baselined. A baseline hides known findings from CI gating, not from the
auditor, so a baselined finding still leaves the control unmet. A waived
finding was accepted under governance (an approver and an expiry) and does not
make the control not-satisfied, but it is counted and listed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from govcheck.errors import PolicyError
from govcheck.model import (
    CheckInfo,
    CheckRun,
    ControlInfo,
    ControlResult,
    ControlStatus,
    Finding,
    Location,
    Result,
)

__all__ = ["control_results", "control_sort_key", "covering_checks", "load_catalogue"]


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("govcheck.schemas").joinpath("controls.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def control_sort_key(control_id: str) -> tuple[tuple[int, int | str], ...]:
    """Order control ids naturally, so A.3.2 < A.9.2 < A.10.2."""
    parts = re.split(r"(\d+)", control_id)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def _node_at(root: yaml.Node, path: Iterable[Any]) -> yaml.Node:
    """The YAML node at a JSON-Schema error path (as deep as the path can be followed)."""
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == step:
                    node = value
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                return node
            node = node.value[step]
        else:
            return node
    return node


def _location(relative: str, node: yaml.Node) -> Location:
    return Location(relative, node.start_mark.line + 1, node.start_mark.column + 1)


# libyaml's safe loader when PyYAML has it: the pure-Python one was a tenth of a small run.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_file(path: Path, relative: str) -> ControlInfo:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"cannot read control file: {error}", Location(relative)) from None
    try:
        root = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)  # a safe loader: C or Python SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = Location(relative, mark.line + 1, mark.column + 1) if mark else Location(relative)
        problem = getattr(error, "problem", None) or str(error)
        raise PolicyError(f"not valid YAML: {problem}", where) from None
    if root is None or not isinstance(data, dict):
        raise PolicyError(
            "a control file holds one mapping with id, title, requirement, guidance,"
            " manual_evidence and checks",
            Location(relative),
        )
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        first = errors[0]
        field_path = ".".join(str(p) for p in first.absolute_path)
        prefix = f"{field_path}: " if field_path else ""
        raise PolicyError(
            f"{prefix}{first.message}", _location(relative, _node_at(root, first.absolute_path))
        )
    return ControlInfo(
        id=data["id"],
        title=data["title"],
        requirement=data["requirement"],
        guidance=tuple(data.get("guidance", ())),
        manual_evidence=tuple(data.get("manual_evidence", ())),
        checks=tuple(data.get("checks", ())),
    )


def load_catalogue(directory: Path) -> tuple[ControlInfo, ...]:
    """Every control in `directory/*.yaml` (and `*.yml`), sorted by id.

    Raises PolicyError at file:line:col for a file that does not parse or does
    not match `controls.schema.json`, and for a control id defined twice. A
    folder that does not exist is an empty catalogue.
    """
    if not directory.is_dir():
        return ()
    seen: dict[str, str] = {}
    controls: list[ControlInfo] = []
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    for path in files:
        relative = path.name
        control = _load_file(path, relative)
        if control.id in seen:
            raise PolicyError(
                f"control '{control.id}' is already defined in {seen[control.id]}",
                Location(relative),
            )
        seen[control.id] = relative
        controls.append(control)
    return tuple(sorted(controls, key=lambda c: control_sort_key(c.id)))


def covering_checks(
    control_id: str, catalogue_checks: Iterable[str], checks: Iterable[CheckInfo]
) -> tuple[str, ...]:
    """The checks that cover a control: the catalogue's list plus checks naming the control."""
    covering = set(catalogue_checks)
    covering.update(info.id for info in checks if control_id in info.controls)
    return tuple(sorted(covering))


def control_results(
    catalogue: Sequence[ControlInfo],
    checks: Sequence[CheckInfo],
    runs: Sequence[CheckRun],
    findings: Sequence[Finding],
) -> tuple[ControlResult, ...]:
    """Each control's status, with its covering checks, counts and failing entities.

    A control's covering checks are those of its catalogue entry and those whose
    `controls` name it, limited to the checks that ran (have a `CheckRun`).
    Status: not-satisfied when a covering check has a finding whose result is
    fail, error or baselined (a baseline hides known findings from CI gating,
    not from the auditor); satisfied when the covering checks ran on at least
    one node and none has such a finding; not-applicable when they found no
    node to run on; manual when no check that ran covers it. Waived findings
    (accepted under governance, with an approver and an expiry) do not make a
    control not-satisfied, but are counted and listed.

    Counts of checks: a check with a fail is failed, one with only errors is
    errored, one that ran on a node with no fail, error or baselined finding is
    passed (a check with only baselined findings, or that found no node, is in
    none of the three). Counts of findings: `waived` and `baselined`, with
    their entities in `waived_entities` and `baselined_entities`;
    `failing_entities` holds the entities of fail and error findings. Controls
    that checks name but the catalogue lacks still appear, titled by their id.
    """
    entries: dict[str, ControlInfo] = {c.id: c for c in catalogue}
    for info in checks:
        for control_id in info.controls:
            entries.setdefault(control_id, ControlInfo(control_id, control_id, ""))
    ran: Mapping[str, CheckRun] = {run.check: run for run in runs}
    by_check: dict[str, list[Finding]] = {}
    for finding in findings:
        by_check.setdefault(finding.check, []).append(finding)
    results = []
    for control_id in sorted(entries, key=control_sort_key):
        entry = entries[control_id]
        covering = tuple(
            c for c in covering_checks(control_id, entry.checks, checks) if c in ran
        )
        passed = failed = errored = waived = baselined = 0
        evaluated = 0
        failing: set[str] = set()
        waived_entities: set[str] = set()
        baselined_entities: set[str] = set()
        for check_id in covering:
            results_of = [f.result for f in by_check.get(check_id, [])]
            for found in by_check.get(check_id, []):
                if found.result.gates:
                    failing.add(found.entity)
                elif found.result is Result.WAIVED:
                    waived_entities.add(found.entity)
                else:
                    baselined_entities.add(found.entity)
            waived += results_of.count(Result.WAIVED)
            baselined += results_of.count(Result.BASELINED)
            evaluated += ran[check_id].evaluated
            if Result.FAIL in results_of:
                failed += 1
            elif Result.ERROR in results_of:
                errored += 1
            elif Result.BASELINED not in results_of and ran[check_id].evaluated > 0:
                passed += 1
        if not covering:
            status = ControlStatus.MANUAL
        elif failing or baselined_entities:
            status = ControlStatus.NOT_SATISFIED
        elif evaluated > 0:
            status = ControlStatus.SATISFIED
        else:
            status = ControlStatus.NOT_APPLICABLE
        results.append(
            ControlResult(
                id=control_id,
                title=entry.title,
                status=status,
                checks=covering,
                passed=passed,
                failed=failed,
                errored=errored,
                failing_entities=tuple(sorted(failing)),
                manual_evidence=entry.manual_evidence,
                waived=waived,
                baselined=baselined,
                waived_entities=tuple(sorted(waived_entities)),
                baselined_entities=tuple(sorted(baselined_entities)),
            )
        )
    return tuple(results)
