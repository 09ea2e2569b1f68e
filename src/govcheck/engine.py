"""One run of govcheck: load, build the graph, evaluate the rules, govern, report.

The engine turns `CheckOptions` into a `Report`. It does not read the clock
(the CLI passes `as_of`) and does not print; formatters turn the report into text.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govcheck import __version__, quality
from govcheck.builtin import builtin_controls_dir, builtin_policies_dir
from govcheck.errors import UsageError
from govcheck.model import CheckInfo, CheckRun, ControlStatus, Finding, Inventory, Report
from govcheck.parallel import gc_paused, gc_relaxed, thaw
from govcheck.settings import merge_settings

if TYPE_CHECKING:
    from govcheck.graph import Graph
    from govcheck.rules import Rule

TOOL_NAME = "govcheck"
WAIVERS_FILE = "govcheck-waivers.yaml"
BASELINE_FILE = "govcheck-baseline.json"
SNAPSHOT_FILE = "govcheck-snapshot.json"
# Checks that only run when there is something to govern (waivers), still valid in --skip.
_GOVERNANCE_CHECKS = ("WAIVER-EXPIRED", "WAIVER-INVALID")


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """Everything one `govcheck check` run depends on besides the files themselves."""

    inventory: str
    as_of: datetime
    policy_dirs: tuple[Path, ...] = ()
    builtin: bool = True
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    waivers: str | None = None
    baseline: str | None = None
    jobs: int = 1
    rules: bool = True


@dataclass(frozen=True, slots=True)
class LoadedRun:
    """The inventory and graph of a run, for commands that need more than the report."""

    inventory: Inventory
    graph: Graph
    settings: Mapping[str, Any]
    findings: tuple[Finding, ...]


@gc_paused(freeze=True)
def load_and_build(inventory_path: str) -> LoadedRun:
    """Load an inventory and build its graph; findings are the data-quality ones.

    What it builds is frozen out of the garbage collector's scans (`gc_paused`)
    until `parallel.thaw()`, which `run_check` calls when the run is over.
    """
    from govcheck.graph import build_graph
    from govcheck.loaders import load_inventory

    inventory = load_inventory(inventory_path)
    settings = merge_settings(inventory.manifest.settings)
    graph, dangling = build_graph(inventory.records, settings)
    return LoadedRun(inventory, graph, settings, (*inventory.findings, *dangling))


def _selected(check_id: str, only: Sequence[str], skip: Sequence[str]) -> bool:
    """Whether --only/--skip (check ids or globs) keep a check."""
    if only and not any(fnmatch.fnmatchcase(check_id, pattern) for pattern in only):
        return False
    return not any(fnmatch.fnmatchcase(check_id, pattern) for pattern in skip)


def _policy_dirs(options: CheckOptions) -> tuple[Path, ...]:
    dirs = ((builtin_policies_dir(),) if options.builtin else ()) + options.policy_dirs
    for directory in options.policy_dirs:
        if not directory.is_dir():
            raise UsageError(f"--policies: '{directory}' is not a directory")
    return dirs


def policy_digest(dirs: Sequence[Path], params: Mapping[str, Any]) -> str:
    """SHA-256 over every policy file (relative path and bytes) and the parameter overrides.

    Two reports with the same digest were produced by the same rules with the same parameters.
    """
    digest = hashlib.sha256()
    for index, directory in enumerate(dirs):
        for path in sorted(directory.rglob("*.yaml")):
            relative = path.relative_to(directory).as_posix()
            digest.update(f"{index}:{relative}\x00".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(json.dumps(params, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _merged_params(
    manifest_params: Mapping[str, Mapping[str, Any]],
    cli_params: Mapping[str, Mapping[str, Any]],
) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for source in (manifest_params, cli_params):
        for check, values in source.items():
            merged.setdefault(check, {}).update(values)
    return merged


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a map"
    return type(value).__name__


def _check_params_known(params: Mapping[str, Mapping[str, Any]], rules: Sequence[Rule]) -> None:
    """Overrides must name a known check, one of its parameters, and keep the default's type."""
    by_id = {rule.info.id: rule for rule in rules}
    for check, values in params.items():
        rule = by_id.get(check)
        if rule is None:
            raise UsageError(f"parameter override for unknown check '{check}'")
        unknown = sorted(set(values) - set(rule.params))
        if unknown:
            known = ", ".join(sorted(rule.params)) or "none"
            raise UsageError(
                f"check '{check}' has no parameter {', '.join(unknown)}; its parameters: {known}"
            )
        for key, value in values.items():
            expected, given = _type_name(rule.params[key]), _type_name(value)
            if rule.params[key] is not None and expected != given:
                raise UsageError(
                    f"parameter {check}.{key} must be {expected} (its default is"
                    f" {json.dumps(rule.params[key])}), not {given} {json.dumps(value)}"
                )


def _check_patterns_match(patterns: Sequence[str], known: Sequence[str], option: str) -> None:
    """A --only/--skip pattern that matches no check is a typo, not a silent no-op."""
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(check, pattern) for check in known):
            raise UsageError(f"{option} '{pattern}': no check matches; see `govcheck controls`"
                             " or `govcheck explain CHECK` for check ids")


def _quality_runs(inventory: Inventory, findings: Sequence[Finding]) -> list[CheckRun]:
    """How the INVENTORY-* checks went: run on every record (file checks on every file)."""
    failed = Counter(f.check for f in findings)
    runs = []
    for check in sorted(quality.QUALITY_CHECKS):
        per_file = check in (quality.UNKNOWN_FILE, quality.ENCODING)
        evaluated = len(inventory.inputs) if per_file else len(inventory.records) + failed[check]
        runs.append(CheckRun(check, evaluated, failed[check], 0))
    return runs


def _import_checks() -> list[CheckInfo]:
    """The importers' own checks (IMPORT-*), present when the manifest declares sources."""
    from govcheck.importers import IMPORT_CHECKS

    return list(IMPORT_CHECKS.values())


def _snapshot_manifest(inventory: Inventory) -> Mapping[str, Any] | None:
    data = inventory.own_files.get(SNAPSHOT_FILE)
    snapshot: dict[str, Any] = {}
    if data is not None:
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            snapshot.update(parsed)
    if inventory.archive_sha256:
        snapshot["archive_sha256"] = inventory.archive_sha256
    return snapshot or None


def _govern(
    findings: list[Finding],
    options: CheckOptions,
    run: LoadedRun,
) -> tuple[list[Finding], list[CheckInfo], list[CheckRun], int]:
    """Apply waivers, then the baseline; returns findings, extra checks, extra runs, fixed."""
    from govcheck import baseline as baseline_module
    from govcheck import waivers as waivers_module

    extra_checks: list[CheckInfo] = []
    extra_runs: list[CheckRun] = []
    waiver_bytes: bytes | None
    waiver_path: str
    if options.waivers is not None:
        path = Path(options.waivers)
        try:
            waiver_bytes = path.read_bytes()
        except OSError as error:
            raise UsageError(f"{options.waivers}: cannot read waivers: {error.strerror}") from None
        waiver_path = options.waivers
    else:
        waiver_bytes = run.inventory.own_files.get(WAIVERS_FILE)
        waiver_path = WAIVERS_FILE
    if waiver_bytes is not None:
        waivers = waivers_module.load_waivers(waiver_bytes, waiver_path)
        max_days = int(run.settings.get("waiver_max_days", 180))
        findings = waivers_module.apply_waivers(findings, waivers, run.graph, options.as_of,
                                                max_days)
        extra_checks.extend(waivers_module.WAIVER_CHECKS.values())
        waiver_findings = Counter(
            f.check for f in findings if f.check in waivers_module.WAIVER_CHECKS
        )
        for check in sorted(waivers_module.WAIVER_CHECKS):
            extra_runs.append(CheckRun(check, len(waivers), waiver_findings[check], 0))
    fixed = 0
    baseline_fingerprints: frozenset[str] | None = None
    if options.baseline is not None:
        baseline_fingerprints = baseline_module.load_baseline(options.baseline)
    elif (data := run.inventory.own_files.get(BASELINE_FILE)) is not None:
        baseline_fingerprints = baseline_module.load_baseline_bytes(data, BASELINE_FILE)
    if baseline_fingerprints is not None:
        findings, fixed = baseline_module.apply_baseline(findings, baseline_fingerprints)
    return findings, extra_checks, extra_runs, fixed


def display_inventory(path: str) -> str:
    """The inventory as reports name it: the given path, normalised (`./org/` is `org`)."""
    return Path(os.path.normpath(path)).as_posix()


def _silent(_: str) -> None:
    """The default progress sink: say nothing."""


def run_check(options: CheckOptions, progress: Callable[[str], None] = _silent) -> Report:
    """Run every selected check over the inventory and build the report.

    The loaded inventory and graph are frozen out of the garbage collector's
    scans for the run (see `gc_paused`); evaluation keeps the collector, since
    failing expressions make reference cycles through their tracebacks, but
    runs it less often (`gc_relaxed`).
    """
    try:
        with gc_relaxed():
            return _run_check(options, progress)
    finally:
        thaw()


def _run_check(options: CheckOptions, progress: Callable[[str], None]) -> Report:
    from govcheck.controls import control_results, load_catalogue
    from govcheck.registry import build_registry

    progress(f"loading {options.inventory}")
    run = load_and_build(options.inventory)
    progress(f"loaded {len(run.inventory.records)} records from {len(run.inventory.inputs)}"
             " files")
    findings = [f for f in run.findings if _selected(f.check, (), options.skip)]
    checks: list[CheckInfo] = [
        info for info in quality.QUALITY_CHECKS.values() if _selected(info.id, (), options.skip)
    ]
    runs = [r for r in _quality_runs(run.inventory, run.findings)
            if _selected(r.check, (), options.skip)]
    if run.inventory.manifest.sources:
        import_checks = _import_checks()
        checks.extend(import_checks)
        failed = Counter(f.check for f in run.findings)
        runs.extend(CheckRun(c.id, len(run.inventory.records), failed[c.id], 0)
                    for c in import_checks)
    dirs: tuple[Path, ...] = ()
    params = _merged_params(run.inventory.manifest.params, options.params)
    if options.rules:
        from govcheck.parallel import evaluate_rules
        from govcheck.rules import load_policies

        dirs = _policy_dirs(options)
        rules = load_policies(dirs)
        _check_params_known(params, rules)
        known = [r.info.id for r in rules] + [c.id for c in checks] + list(_GOVERNANCE_CHECKS)
        _check_patterns_match(options.only, known, "--only")
        _check_patterns_match(options.skip, known, "--skip")
        rules = tuple(r for r in rules if _selected(r.info.id, options.only, options.skip))
        progress(f"evaluating {len(rules)} checks")
        rule_findings, rule_runs = evaluate_rules(
            rules, run.graph, now=options.as_of, settings=run.settings,
            params_overrides=params, jobs=options.jobs,
        )
        findings.extend(rule_findings)
        runs.extend(rule_runs)
        checks.extend(rule.info for rule in rules)
    findings, extra_checks, extra_runs, fixed = _govern(findings, options, run)
    checks.extend(extra_checks)
    runs.extend(extra_runs)
    findings.sort(key=Finding.sort_key)
    checks.sort(key=lambda info: info.id)
    runs.sort(key=lambda r: r.check)
    catalogue = load_catalogue(builtin_controls_dir())
    controls = control_results(catalogue, checks, runs, findings)
    if not options.rules:
        # `validate` runs the data-quality checks only: controls no check of the run
        # covers are left out rather than shown as `manual`.
        controls = tuple(c for c in controls if c.status is not ControlStatus.MANUAL)
    return Report(
        tool_name=TOOL_NAME,
        tool_version=__version__,
        as_of=options.as_of,
        inventory=display_inventory(options.inventory),
        inputs=run.inventory.inputs,
        policy_digest=policy_digest(dirs, params),
        checks=tuple(checks),
        runs=tuple(runs),
        controls=controls,
        findings=tuple(findings),
        fixed_baselined=fixed,
        snapshot=_snapshot_manifest(run.inventory),
        registry=build_registry(run.graph, findings, run.settings),
    )
