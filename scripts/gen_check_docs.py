"""Write one markdown page per check, and an index, from the policy rule files.

Usage (from the repository root):

    python scripts/gen_check_docs.py            # (re)write docs/checks/
    python scripts/gen_check_docs.py --check    # exit 1 if docs/checks/ is out of date

Every rule under `policies/**/*.yaml` (a file holds one rule or a list of
them; sibling `<stem>.tests.yaml` files hold tests, not rules) gets
`docs/checks/<CHECK-ID>.md`: what it checks, why (the control's requirement
from `controls/`, and each crosswalk clause), its parameters, how to fix a
finding and an example finding. The example is the rule evaluated on its first
failing test case, so the message on the page is the one users will see.
Output depends only on the files read, so regenerating is byte-stable.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TESTS_SUFFIX = ".tests.yaml"

# Clauses of frameworks outside the controls catalogue that rules cite under
# `related`; a catalogue entry, when there is one, takes precedence.
CROSSWALK: dict[str, str] = {
    "ISO42001:B.3.2": (
        "ISO/IEC 42001 Annex B.3.2, implementation guidance for A.3.2: define and allocate AI"
        " roles across the life cycle and areas such as risk management, impact assessment,"
        " security, safety, privacy, human oversight, supplier relationships and data quality."
    ),
    "ISO42001:A.10.2": (
        "ISO/IEC 42001 A.10.2, allocating responsibilities: responsibilities within the AI"
        " system life cycle are allocated between the organisation, its partners, suppliers,"
        " customers and third parties."
    ),
    "NIST-AI-RMF:GOVERN-2.1": (
        "NIST AI RMF 1.0, GOVERN 2.1: roles and responsibilities and lines of communication"
        " related to mapping, measuring and managing AI risks are documented and are clear to"
        " individuals and teams throughout the organisation."
    ),
    "NIST-AI-RMF:GOVERN-2.2": (
        "NIST AI RMF 1.0, GOVERN 2.2: the organisation's personnel and partners receive AI risk"
        " management training to perform their duties and responsibilities."
    ),
    "NIST-AI-RMF:GOVERN-2.3": (
        "NIST AI RMF 1.0, GOVERN 2.3: executive leadership takes responsibility for decisions"
        " about risks associated with AI system development and deployment (an escalation"
        " line must reach them)."
    ),
    "NIST-AI-RMF:GOVERN-6.1": (
        "NIST AI RMF 1.0, GOVERN 6.1: policies and procedures are in place that address AI"
        " risks associated with third-party entities."
    ),
    "NIST-AI-RMF:GOVERN-1.1": (
        "NIST AI RMF 1.0, GOVERN 1.1: legal and regulatory requirements involving AI are"
        " understood, managed and documented."
    ),
    "NIST-AI-RMF:GOVERN-1.4": (
        "NIST AI RMF 1.0, GOVERN 1.4: the risk management process and its outcomes are"
        " established through transparent policies, procedures and other controls based on"
        " organisational risk priorities."
    ),
    "NIST-AI-RMF:GOVERN-1.5": (
        "NIST AI RMF 1.0, GOVERN 1.5: ongoing monitoring and periodic review of the risk"
        " management process and its outcomes are planned, with roles and responsibilities"
        " clearly defined, including the frequency of periodic review."
    ),
    "NIST-AI-RMF:GOVERN-1.6": (
        "NIST AI RMF 1.0, GOVERN 1.6: mechanisms are in place to inventory AI systems and are"
        " resourced according to organisational risk priorities."
    ),
    "NIST-AI-RMF:GOVERN-1.7": (
        "NIST AI RMF 1.0, GOVERN 1.7: processes and procedures are in place for decommissioning"
        " and phasing out AI systems safely, without increasing risk or decreasing the"
        " organisation's trustworthiness."
    ),
    "NIST-AI-RMF:MANAGE-1.1": (
        "NIST AI RMF 1.0, MANAGE 1.1: a determination is made as to whether the AI system"
        " achieves its intended purposes and stated objectives and whether its development or"
        " deployment should proceed."
    ),
    "NIST-AI-RMF:MANAGE-2.4": (
        "NIST AI RMF 1.0, MANAGE 2.4: mechanisms are in place and applied, and responsibilities"
        " are assigned and understood, to supersede, disengage or deactivate AI systems whose"
        " performance or outcomes are inconsistent with intended use."
    ),
    "NIST-AI-RMF:MANAGE-4.1": (
        "NIST AI RMF 1.0, MANAGE 4.1: post-deployment monitoring plans are implemented, including"
        " mechanisms for user input, appeal and override, decommissioning, incident response,"
        " recovery and change management (which rely on trustworthy records of events)."
    ),
    "NIST-AI-RMF:MANAGE-4.3": (
        "NIST AI RMF 1.0, MANAGE 4.3: incidents and errors are communicated to relevant AI"
        " actors; processes for tracking, responding to and recovering from them are followed"
        " and documented."
    ),
    "EU-AI-Act:Art.12": (
        "EU AI Act (Regulation (EU) 2024/1689), Art. 12: high-risk AI systems allow the automatic"
        " recording of events (logs) over their lifetime, for traceability. It applies where the"
        " log is a high-risk system's own event log; for other logs the check is good practice."
    ),
    "EU-AI-Act:Art.14": (
        "EU AI Act (Regulation (EU) 2024/1689), Art. 14: high-risk AI systems can be effectively"
        " overseen by natural persons, who can disregard or override the output and interrupt"
        " the system through a stop button or similar procedure (Art. 14(4)(d), (e)). It applies"
        " to high-risk systems; elsewhere the check is good practice only."
    ),
    "EU-AI-Act:Art.26": (
        "EU AI Act (Regulation (EU) 2024/1689), Art. 26(2): deployers of high-risk AI systems"
        " assign human oversight to natural persons who have the necessary competence,"
        " training and authority, as well as the necessary support. It applies where you"
        " deploy a high-risk system; elsewhere the check is good practice only."
    ),
}

BASIS_TEXT: dict[str, str] = {
    "standard": "a requirement of the standard: a finding is a nonconformity an auditor can raise",
    "guidance": "the standard's implementation guidance (Annex B): a finding is a gap against"
    " recommended practice, not by itself a nonconformity",
    "policy": "an organisational policy choice beyond the standard",
}


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """One rule as read from its file, with the tests that belong to it."""

    data: Mapping[str, Any]
    path: str
    tests: tuple[Mapping[str, Any], ...]

    @property
    def id(self) -> str:
        """The check id."""
        return str(self.data["id"])


def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _sibling_tests(path: Path, rule_id: str) -> list[Mapping[str, Any]]:
    """Tests for `rule_id` from `<stem>.tests.yaml`: a list, `{tests: [...]}` or `{id: [...]}`."""
    sibling = path.with_name(path.stem + TESTS_SUFFIX)
    if not sibling.is_file():
        return []
    data = _load_yaml(sibling)
    if isinstance(data, Mapping):
        data = data.get(rule_id, data.get("tests", []))
    return [t for t in data or [] if isinstance(t, Mapping)]


def load_rule_docs(policies: Path) -> list[RuleDoc]:
    """Every rule under `policies`, sorted by check id."""
    docs: list[RuleDoc] = []
    for path in sorted(policies.rglob("*.yaml")):
        if path.name.endswith(TESTS_SUFFIX):
            continue
        data = _load_yaml(path)
        rules = data if isinstance(data, list) else [data]
        for rule in rules:
            if not isinstance(rule, Mapping) or "id" not in rule:
                continue
            tests = [t for t in rule.get("tests") or [] if isinstance(t, Mapping)]
            tests += _sibling_tests(path, str(rule["id"]))
            relative = path.relative_to(policies.parent).as_posix()
            docs.append(RuleDoc(rule, relative, tuple(tests)))
    return sorted(docs, key=lambda d: d.id)


def load_controls(controls: Path) -> dict[str, Mapping[str, Any]]:
    """Catalogue entries by control id (an absent folder is an empty catalogue)."""
    entries: dict[str, Mapping[str, Any]] = {}
    if controls.is_dir():
        for path in sorted(controls.glob("*.yaml")):
            data = _load_yaml(path)
            if isinstance(data, Mapping) and "id" in data:
                entries[str(data["id"])] = data
    return entries


def _as_of(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    from govcheck.dates import parse_date

    parsed = parse_date(str(value))
    if parsed is None:
        raise SystemExit(f"test as_of {value!r} is not a date")
    return parsed


@dataclass(frozen=True, slots=True)
class Example:
    """An example finding and the test case it comes from."""

    test: Mapping[str, Any]
    entity: str
    severity: str
    message: str


def example_finding(rule: RuleDoc, compiled: Sequence[Any]) -> Example | None:
    """The rule's finding on the first entity its first failing test case expects.

    Evaluated with govcheck's own engine, so the message is what users see.
    """
    failing = [t for t in rule.tests if t.get("expect")]
    if not failing:
        return None
    test = failing[0]
    entity = str(sorted(test["expect"])[0])
    from govcheck.graph import build_graph
    from govcheck.loaders import inventory_from_mapping
    from govcheck.rules import evaluate
    from govcheck.settings import merge_settings

    rules = [r for r in compiled if r.info.id == rule.id]
    settings = merge_settings(test.get("settings") or {})
    inventory = inventory_from_mapping(test.get("inventory") or {}, name="example")
    graph, _ = build_graph(inventory.records, settings)
    params = test.get("params") or {}
    findings, _ = evaluate(
        rules, graph, now=_as_of(test["as_of"]), settings=settings,
        params_overrides={rule.id: params} if params else {},
    )
    for finding in findings:
        if finding.entity == entity:
            return Example(test, entity, str(finding.severity), finding.message)
    raise SystemExit(
        f"{rule.path}: {rule.id} does not fail on {entity} in test {test.get('name')!r}"
    )


def _clause(control_id: str, controls: Mapping[str, Mapping[str, Any]]) -> str:
    entry = controls.get(control_id)
    if entry is not None:
        return f"{entry.get('title', control_id)}. {' '.join(str(entry['requirement']).split())}"
    return CROSSWALK.get(control_id, "(no clause text on file)")


def _severity_text(data: Mapping[str, Any]) -> str:
    text = str(data.get("severity", "medium"))
    by_tier = data.get("severity_by_tier") or {}
    if by_tier:
        raised = ", ".join(f"{sev} on {tier}-tier systems" for tier, sev in by_tier.items())
        text += f"; raised to {raised}"
    return text


def _yaml_block(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, default_flow_style=None, width=96).rstrip()


def _targets(data: Mapping[str, Any]) -> str:
    target = data.get("target", "")
    targets = target if isinstance(target, list) else [target]
    return ", ".join(f"`{t}`" for t in targets)


def render_page(
    rule: RuleDoc, controls: Mapping[str, Mapping[str, Any]], example: Example | None
) -> str:
    """The markdown page of one check."""
    data = rule.data
    lines = [f"# {rule.id}", "", f"**{data.get('title', '')}**", ""]
    lines += [
        "| | |",
        "|---|---|",
        f"| Controls | {', '.join(data.get('controls') or [])} |",
        f"| Related | {', '.join(data.get('related') or []) or '—'} |",
        f"| Basis | {data.get('basis', 'standard')} |",
        f"| Severity | {_severity_text(data)} |",
        f"| Runs on | {_targets(data)} nodes; one finding per failing node |",
        f"| Rule file | [`{rule.path}`](../../{rule.path}) |",
        "",
        "## What it checks",
        "",
        " ".join(str(data.get("description") or data.get("message", "")).split()),
        "",
    ]
    if data.get("when"):
        lines += ["Runs when (CEL):", "", "```cel", " ".join(str(data["when"]).split()), "```",
                  ""]
    if data.get("let"):
        lets = [f"{name} = {' '.join(str(src).split())}" for name, src in data["let"].items()]
        lines += ["With (CEL, names usable in the expressions below):", "", "```cel", *lets,
                  "```", ""]
    lines += ["Compliant when (CEL):", "", "```cel", " ".join(str(data.get("assert", "")).split()),
              "```", ""]
    lines += ["## Why", ""]
    for control_id in data.get("controls") or []:
        lines += [f"- **{control_id}** — {_clause(control_id, controls)}"]
    basis = str(data.get("basis", "standard"))
    lines += ["", f"Basis: {basis} — {BASIS_TEXT.get(basis, basis)}.", ""]
    if data.get("related"):
        lines += ["Related requirements (crosswalk):", ""]
        lines += [f"- **{rid}** — {_clause(rid, controls)}" for rid in data["related"]]
        lines += [""]
    lines += ["## Parameters", ""]
    params = data.get("params") or {}
    if params:
        lines += ["| name | default |", "|---|---|"]
        lines += [f"| `{name}` | `{json.dumps(value)}` |" for name, value in params.items()]
        example_params = {"params": {rule.id: dict(params)}}
        lines += ["", "Override them in the inventory's `govcheck.yaml`:", "", "```yaml",
                  _yaml_block(example_params), "```", "",
                  f"or on the command line: `--param {rule.id}.{next(iter(params))}=...`.", ""]
    else:
        lines += ["None. Shared settings (`required_phases`, `phase_authority`) apply where the"
                  " description says so.", ""]
    lines += ["## How to fix", "", " ".join(str(data.get("remediation", "")).split()), ""]
    lines += ["## Example finding", ""]
    if example is None:
        lines += ["(This check has no failing test case.)", ""]
    else:
        test = example.test
        lines += [
            f"From the test case *{test.get('name', '')}*, evaluated as of"
            f" `{test.get('as_of')}`:",
            "",
            "```yaml",
            _yaml_block(dict(test.get("inventory") or {})),
            "```",
            "",
            "```text",
            f"{example.severity} {rule.id} {example.entity}",
            f"  {example.message}",
            "```",
            "",
        ]
    if rule.tests:
        lines += ["## Test cases", "", "| case | fails on |", "|---|---|"]
        for test in rule.tests:
            expect = ", ".join(f"`{e}`" for e in test.get("expect") or []) or "nothing (passes)"
            lines += [f"| {test.get('name', '')} | {expect} |"]
        lines += [""]
    return "\n".join(lines)


def render_index(rules: Sequence[RuleDoc]) -> str:
    """docs/checks/README.md: every check, grouped by its first control."""
    groups: dict[str, list[RuleDoc]] = {}
    for rule in rules:
        controls = rule.data.get("controls") or ["(no control)"]
        groups.setdefault(str(controls[0]), []).append(rule)
    lines = [
        "# Built-in checks",
        "",
        "One page per check, generated from the rule files by"
        " `python scripts/gen_check_docs.py`; edit the rule, not the page.",
        "",
    ]
    for control_id in sorted(groups):
        lines += [f"## {control_id}", "", "| check | title | runs on | severity | basis |",
                  "|---|---|---|---|---|"]
        for rule in groups[control_id]:
            data = rule.data
            lines += [
                f"| [{rule.id}]({rule.id}.md) | {data.get('title', '')} | {_targets(data)}"
                f" | {data.get('severity', '')} | {data.get('basis', 'standard')} |"
            ]
        lines += [""]
    return "\n".join(lines)


def build_pages(policies: Path, controls: Path) -> dict[str, str]:
    """File name -> content of every page."""
    from govcheck.rules import load_policies

    rules = load_rule_docs(policies)
    catalogue = load_controls(controls)
    compiled = load_policies([policies])
    pages = {
        f"{rule.id}.md": render_page(rule, catalogue, example_finding(rule, compiled))
        for rule in rules
    }
    pages["README.md"] = render_index(rules)
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with --check, compare) docs/checks/; returns the exit code."""
    parser = argparse.ArgumentParser(description="Write docs/checks/ from the policy rule files.")
    parser.add_argument("--policies", type=Path, default=ROOT / "policies")
    parser.add_argument("--controls", type=Path, default=ROOT / "controls")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "checks")
    parser.add_argument("--check", action="store_true", help="report stale pages, write nothing")
    options = parser.parse_args(argv)
    pages = build_pages(options.policies.resolve(), options.controls.resolve())
    stale = sorted(
        name for name, text in pages.items()
        if not (options.out / name).is_file()
        or (options.out / name).read_text(encoding="utf-8") != text
    )
    if options.check:
        for name in stale:
            print(f"{options.out / name}: out of date; run scripts/gen_check_docs.py",
                  file=sys.stderr)
        return 1 if stale else 0
    options.out.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (options.out / name).write_text(pages[name], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
