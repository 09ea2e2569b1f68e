"""`govcheck explain CHECK`: what a check checks and why, its controls, parameters, fix, example."""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import yaml

from govcheck.cli.common import reports_errors, write_output
from govcheck.errors import UsageError
from govcheck.model import CheckInfo, ControlInfo

_BASIS = {
    "standard": "the standard's requirement itself",
    "guidance": "the standard's implementation guidance (Annex B), not a requirement",
    "policy": "govcheck's own policy for a trustworthy inventory",
}


@dataclass(frozen=True, slots=True)
class CheckDoc:
    """Everything `explain` prints about one check."""

    info: CheckInfo
    targets: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    example: str = ""


def _known_checks() -> dict[str, CheckDoc]:
    from govcheck.builtin import builtin_policies_dir
    from govcheck.quality import QUALITY_CHECKS
    from govcheck.rules import load_policies
    from govcheck.waivers import WAIVER_CHECKS

    docs = {info.id: CheckDoc(info) for info in QUALITY_CHECKS.values()}
    docs.update((info.id, CheckDoc(info)) for info in WAIVER_CHECKS.values())
    for rule in load_policies([builtin_policies_dir()]):
        docs[rule.info.id] = CheckDoc(
            rule.info, tuple(rule.targets), dict(rule.params),
            example_for(rule.info, builtin_policies_dir()),
        )
    return docs


def _policy_file(info: CheckInfo, policies_dir: Path) -> Path | None:
    if info.source is None:
        return None
    raw = Path(info.source.path)
    for candidate in (raw, policies_dir / raw, policies_dir.parent / raw):
        if candidate.is_file():
            return candidate
    return None


def _test_cases(path: Path, check_id: str) -> list[Mapping[str, Any]]:
    """The rule's test cases: its `tests:` key, else the sibling `<stem>.tests.yaml`."""
    try:
        documents = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    rules = documents if isinstance(documents, list) else [documents]
    for rule in rules:
        if isinstance(rule, dict) and rule.get("id") == check_id and rule.get("tests"):
            tests = rule["tests"]
            return [t for t in tests if isinstance(t, dict)] if isinstance(tests, list) else []
    sibling = path.with_name(f"{path.stem}.tests.yaml")
    try:
        data = yaml.safe_load(sibling.read_text(encoding="utf-8")) if sibling.is_file() else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    if isinstance(data, dict):
        data = data.get("tests", data.get(check_id))
    return [t for t in data if isinstance(t, dict)] if isinstance(data, list) else []


def example_for(info: CheckInfo, policies_dir: Path) -> str:
    """A failing test case of the rule, as YAML: an inventory and the entities that fail."""
    path = _policy_file(info, policies_dir)
    if path is None:
        return ""
    cases = _test_cases(path, info.id)
    failing = [c for c in cases if c.get("expect")]
    chosen = (failing or cases)[:1]
    if not chosen:
        return ""
    case = {k: chosen[0][k] for k in ("name", "as_of", "params", "inventory", "expect")
            if k in chosen[0]}
    text: str = yaml.safe_dump(case, sort_keys=False, allow_unicode=True, default_flow_style=None)
    return text


def resolve_check(name: str, known: Sequence[str]) -> str:
    """The check id `name` means: exact, any case, or a unique suffix (`BACKUP-NAMED`)."""
    if name in known:
        return name
    upper = name.upper()
    exact = [k for k in known if k.upper() == upper]
    if exact:
        return exact[0]
    suffix = [k for k in known if k.upper().endswith("-" + upper)]
    if len(suffix) == 1:
        return suffix[0]
    close = suffix or difflib.get_close_matches(upper, list(known), n=5, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `govcheck controls` lists them"
    raise UsageError(f"no check '{name}'{hint}")


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width=88, initial_indent=indent,
                         subsequent_indent=indent) or [indent.rstrip()]


def format_doc(doc: CheckDoc, catalogue: Mapping[str, ControlInfo]) -> str:
    """The explanation as plain text, one section per question an auditor asks."""
    info = doc.info
    lines = [f"{info.id}: {info.title}", ""]
    lines.append("What it checks:")
    lines += _wrap(info.description or info.title)
    if doc.targets:
        lines.append(f"  Runs on: {', '.join(doc.targets)} records.")
    lines += ["", "Why:"]
    lines += _wrap(f"It rests on {_BASIS.get(info.basis.value, info.basis.value)}.")
    lines.append(f"  Severity: {info.severity.value}.")
    lines += ["", "Controls:"]
    for control_id in info.controls:
        title = catalogue[control_id].title if control_id in catalogue else ""
        lines.append(f"  {control_id}" + (f" — {title}" if title else ""))
    if info.related:
        lines += ["", "Related (crosswalk):"]
        for control_id in info.related:
            title = catalogue[control_id].title if control_id in catalogue else ""
            lines.append(f"  {control_id}" + (f" — {title}" if title else ""))
    lines += ["", "Parameters (defaults; override in govcheck.yaml `params:` or --param):"]
    if doc.params:
        for key in sorted(doc.params):
            value = yaml.safe_dump(doc.params[key], default_flow_style=True,
                                   allow_unicode=True).strip().removesuffix("...").strip()
            lines.append(f"  {key}: {value}")
    else:
        lines.append("  none")
    lines += ["", "Remediation:"]
    lines += _wrap(info.remediation or "See the message of each finding.")
    if doc.example:
        lines += ["", "Example (a test case of the rule; `expect` lists the entities that fail):"]
        lines += [f"  {line}" for line in doc.example.rstrip().splitlines()]
    if info.source is not None:
        lines += ["", f"Defined at: {info.source}"]
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("check")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@reports_errors
def explain(check: str, output: str | None) -> None:
    """Explain CHECK (an id such as A.3.2-BACKUP-NAMED, or its unique end, BACKUP-NAMED)."""
    from govcheck.builtin import builtin_controls_dir
    from govcheck.controls import load_catalogue

    docs = _known_checks()
    check_id = resolve_check(check, sorted(docs))
    catalogue = {c.id: c for c in load_catalogue(builtin_controls_dir())}
    write_output(format_doc(docs[check_id], catalogue), output)
