"""Deterministic generator of synthetic organisations in govcheck's canonical inventory format.

    python benchmarks/generate.py --systems 1000 --out /tmp/org-1000 [--violations 0.05] [--seed 1]
                                  [--style mixed|yaml]

The shape issue 10 describes: per system about 4 people (each with two
training records), 6.7 assignments, an approval, a review, a deployment and 4
events of one hash-chained log, plus teams, vendors and exceptions; 10,000
systems make about 270,000 records. `--style mixed` (the default) writes the
mix of flow-style YAML, CSV and JSON an export pipeline produces; `--style
yaml` writes every kind as block-style YAML (as `yaml.safe_dump` writes it),
events as the JSON the contract requires. `--violations` is the share of
records given a defect that some check must report.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
from pathlib import Path
from typing import Any

PHASES = ("conception", "development", "validation", "deployment", "monitoring", "incident",
          "retirement")
PHASE_AUTHORITY = {"validation": "sign-off-test", "deployment": "approve-go-live",
                   "monitoring": "halt", "retirement": "sign-off-retirement"}
TIERS = ("low", "medium", "high", "critical")


def _write_csv(path: Path, header: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()})


def _yaml_list(records: list[dict[str, Any]]) -> str:
    """Flow-style YAML, one record per line: what a CMDB export writer produces."""
    return "".join("- " + json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _block_yaml(records: list[dict[str, Any]]) -> str:
    """Block-style YAML as `yaml.safe_dump` writes it; CSV-style empty cells become absent."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    kept = [{k: v for k, v in r.items() if v not in ("", [])} for r in records]
    return yaml.dump(kept, Dumper=dumper, sort_keys=False, allow_unicode=True)


class _Writer:
    """Writes each kind's file in the chosen style."""

    def __init__(self, out: Path, style: str) -> None:
        self.out = out
        self.style = style

    def yaml(self, name: str, records: list[dict[str, Any]]) -> None:
        text = _block_yaml(records) if self.style == "yaml" else _yaml_list(records)
        (self.out / f"{name}.yaml").write_text(text, encoding="utf-8")

    def csv(self, name: str, header: list[str], records: list[dict[str, Any]]) -> None:
        if self.style == "yaml":
            self.yaml(name, records)
        else:
            _write_csv(self.out / f"{name}.csv", header, records)

    def json(self, name: str, records: list[dict[str, Any]]) -> None:
        if self.style == "yaml" and name != "events":
            self.yaml(name, records)
        else:
            (self.out / f"{name}.json").write_text(json.dumps(records, indent=1),
                                                    encoding="utf-8")


def _chain(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    prev = "0" * 64
    for event in events:
        event["prev_hash"] = prev
        body = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        event["hash"] = hashlib.sha256((prev + body).encode("utf-8")).hexdigest()
        prev = event["hash"]
    return events


def generate(systems: int, out: Path, violations: float = 0.05, seed: int = 1,
             style: str = "mixed") -> dict[str, int]:
    """Write an organisation of `systems` AI systems to `out`; returns record counts by kind."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    write = _Writer(out, style)

    def bad() -> bool:
        return rng.random() < violations

    n_people = systems * 4
    n_teams = max(1, systems // 10)
    people = []
    for i in range(n_people):
        manager = f"p-{(i - 1) // 5:06d}" if i else ""
        authorities = ["sign-off-test", "approve-go-live", "halt", "sign-off-retirement"]
        people.append({
            "id": f"p-{i:06d}", "name": f"Person {i}", "email": f"p{i}@example.org",
            "status": "leave" if bad() else "active", "manager": manager,
            "teams": [f"t-{i % n_teams:05d}"], "authorities": authorities,
        })
    write.csv("people", ["id", "name", "email", "status", "manager", "teams", "authorities"],
              people)
    teams = [{"id": f"t-{i:05d}", "name": f"Team {i}", "lead": f"p-{i:06d}"}
             for i in range(n_teams)]
    write.yaml("teams", teams)
    vendors = [{"id": f"v-{i:04d}", "name": f"Vendor {i}"} for i in range(max(1, systems // 50))]
    write.yaml("vendors", vendors)

    system_rows, assignments, approvals, reviews, deployments, exceptions = [], [], [], [], [], []
    for s in range(systems):
        sid = f"s-{s:06d}"
        status = "retired" if s % 20 == 19 else "deployed"
        tier = TIERS[s % 4]
        owner = f"p-{(s * 4) % n_people:06d}"
        system_rows.append({
            "id": sid, "name": f"System {s}", "status": status, "risk_tier": tier,
            "owner": owner, "intended_use": "Scoring" if not bad() else "",
            "cost_owner": owner, "sourcing": "internal", "version": "1.0",
            "go_live": "2026-01-15", "regulations": ["GDPR"],
            "areas": {a: owner for a in ("risk", "impact-assessment", "security", "privacy",
                                         "human-oversight", "data-quality")},
        })
        phases = ("retirement",) if status == "retired" else PHASES
        for k, phase in enumerate(phases):
            person = f"p-{(s * 4 + k % 3) % n_people:06d}"
            backup = f"p-{(s * 4 + 3) % n_people:06d}"
            row = {"id": f"a-{s:06d}-{k}", "system": sid, "phase": phase, "person": person,
                   "backup": "" if bad() else backup,
                   "authorities": [PHASE_AUTHORITY[phase]] if phase in PHASE_AUTHORITY else [],
                   "assigned_by": owner, "assigned_at": "2026-01-02",
                   "accepted_at": "" if bad() else "2026-01-05", "reviewed_at": "2026-03-01",
                   "contract": ""}
            assignments.append(row)
        approvals.append({"id": f"ap-{s:06d}", "system": sid, "kind": "go-live",
                          "version": "1.0", "requested_by": owner,
                          "approver": f"p-{(s * 4 + 5) % n_people:06d}",
                          "decision": "approved", "decided_at": "2026-01-10",
                          "rationale": "Validated", "evidence": "DOC-1",
                          "expires_at": "2027-01-10"})
        reviews.append({"id": f"r-{s:06d}", "system": sid, "kind": "responsible-use",
                        "due": "2026-09-01", "completed_at": "2026-04-01",
                        "reviewer": f"p-{(s * 4 + 6) % n_people:06d}"})
        deployments.append({"id": f"d-{s:06d}", "system": sid, "environment": "prod",
                            "version": "1.0",
                            "status": "retired" if status == "retired" else "active",
                            "since": "2026-01-15"})
        if s % 10 == 0:
            exceptions.append({"id": f"x-{s:06d}", "system": sid, "kind": "override",
                               "opened_at": "2026-05-01", "rationale": "Incident",
                               "accountable": owner,
                               "approved_by": f"p-{(s * 4 + 7) % n_people:06d}",
                               "expires_at": "2026-07-30"})
    write.yaml("systems", system_rows)
    write.csv("assignments", list(assignments[0]), assignments)
    write.json("approvals", approvals)
    write.yaml("reviews", reviews)
    write.yaml("deployments", deployments)
    write.yaml("exceptions", exceptions)
    training = [{"id": f"tr-{i:06d}-{c}", "person": p["id"], "course": course,
                 "completed_at": "2026-02-01", "expires_at": "2027-02-01"}
                for i, p in enumerate(people)
                for c, course in enumerate(("ai-governance-101", "privacy-201"))]
    write.csv("training", list(training[0]), training)
    actions = ("approve", "deploy", "review", "override")
    events = _chain([{"seq": i + 1, "at": f"2026-03-{1 + i // 86400:02d}T{(i // 3600) % 24:02d}:"
                      f"{(i // 60) % 60:02d}:{i % 60:02d}Z",
                      "actor": f"p-{i % n_people:06d}", "action": actions[i % 4],
                      "subject": f"s-{(i // 4) % systems:06d}"} for i in range(systems * 4)])
    write.json("events", events)
    return {"system": systems, "person": n_people, "team": n_teams, "vendor": len(vendors),
            "assignment": len(assignments), "approval": len(approvals),
            "review": len(reviews), "deployment": len(deployments),
            "exception": len(exceptions), "training": len(training), "event": len(events)}


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--systems", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--violations", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--style", choices=("mixed", "yaml"), default="mixed")
    args = parser.parse_args()
    counts = generate(args.systems, args.out, args.violations, args.seed, args.style)
    print(json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    main()
