"""An independent generator of synthetic organisations, for cross-checking the benchmark.

    python benchmarks/independent_generate.py --systems N --out DIR [--seed S] [--violations R]

Written from the inventory format in DESIGN.md alone (not from generate.py), so
that the benchmark's ratios can be confirmed on an inventory of a different
shape: systems split per business unit under `systems/`, people as an HR JSON
export with foreign column names mapped by `govcheck.yaml`, assignments as a
`;`-delimited CSV with `|`-separated lists, reviews as tab-separated CSV,
training as an LMS export, several hash-chained event logs under `events/`,
and a deep, uneven reporting tree. About `R` (default 3 %) of systems carry one
planted violation; the planted kinds are printed as JSON on stdout.

The output depends only on N, the seed and the rate: no wall clock, no hash
randomisation (every choice comes from one seeded `random.Random`).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import random
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

AS_OF = date(2026, 6, 30)
PHASES = ("conception", "development", "validation", "deployment", "monitoring", "incident",
          "retirement")
AREAS = ("risk", "impact-assessment", "security", "privacy", "human-oversight", "data-quality")
UNITS = ("retail-banking", "wealth", "insurance", "operations", "research", "platform",
         "marketing", "people-ops", "legal", "treasury")
# Authorities by IC role; each phase draws its owner and backup from the role that
# holds the phase's authority, so owner and backup are equally empowered.
ROLE_AUTHORITIES = {
    "engineer": ["halt", "override", "sign-off-retirement"],
    "qa": ["sign-off-test"],
    "release": ["approve-go-live", "halt"],
}
PHASE_ROLE = {"validation": "qa", "deployment": "release"}
FIRST = ("Ana", "Björn", "Chloé", "Dmitri", "Emeka", "Fatima", "Giulia", "Hiro", "Inés", "Jonas",
         "Kwame", "Lena", "Mateus", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Søren", "Tariq",
         "Uma", "Viktor", "Wen", "Xavier", "Yara", "Zoë")
LAST = ("Okafor", "Müller", "García", "Nakamura", "Kowalski", "Haddad", "Silva", "Nguyen",
        "O'Brien", "Petrov", "Rossi", "Schmidt", "Tanaka", "Ulloa", "Varga", "Wójcik")
HR_STATUS = {"active": "Active", "leave": "On Leave", "terminated": "Terminated"}
ZERO_HASH = "0" * 64


@dataclass(slots=True)
class Person:
    """One employee as the generator tracks them before writing the HR export."""

    id: str
    name: str
    unit: str
    level: str  # ceo, vp, director, manager, ic
    role: str
    status: str = "active"
    end_date: str | None = None
    manager: str | None = None
    teams: list[str] = field(default_factory=list)
    authorities: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Org:
    """Everything generated, by kind, in the canonical field names."""

    people: list[Person] = field(default_factory=list)
    teams: list[dict[str, Any]] = field(default_factory=list)
    vendors: list[dict[str, Any]] = field(default_factory=list)
    systems: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    approvals: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    training: list[dict[str, Any]] = field(default_factory=list)
    contracts: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    planted: Counter[str] = field(default_factory=Counter)


def _day(value: date) -> str:
    return value.isoformat()


def _instant(value: date, rng: random.Random) -> str:
    """A date-time on that day, written in UTC or with an offset (same instant rules apply)."""
    moment = datetime(value.year, value.month, value.day, rng.randrange(7, 19),
                      rng.randrange(60), rng.randrange(60), tzinfo=UTC)
    if rng.random() < 0.3:
        return moment.astimezone(_OFFSET).isoformat()
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_OFFSET = timezone(timedelta(hours=2))


def _applies(plant: str, status: str, tier: str) -> bool:
    """Whether a planted violation can be planted on a system of that status and tier."""
    if plant in ("late-approval", "approval-no-evidence"):
        return status in ("deployed", "retired")
    if plant == "stale-review":
        return status == "deployed"
    if plant == "retired-active-deployment":
        return status == "retired"
    if plant in ("missing-phase", "validator-is-developer", "double-owner"):
        return status != "retired"
    if plant in ("no-regulations", "expired-training"):
        return tier in ("high", "critical")
    return True


class Builder:
    """Builds one organisation from a seed; every random choice goes through `self.rng`."""

    def __init__(self, systems: int, seed: int, rate: float) -> None:
        self.n = systems
        self.rng = random.Random(seed)
        self.rate = rate
        self.org = Org()
        self.by_id: dict[str, Person] = {}
        self.pools: dict[tuple[str, str], list[Person]] = {}  # (unit, role) -> active ICs
        self.managers: dict[str, list[Person]] = {}
        self.directors: dict[str, list[Person]] = {}
        self.units = UNITS[: min(len(UNITS), max(3, systems // 150))]
        self.counter = Counter[str]()
        self.expired_training: set[str] = set()
        self.terminated: list[Person] = []

    def next_id(self, prefix: str, width: int = 6) -> str:
        """The next id of that prefix (`as-000042`)."""
        self.counter[prefix] += 1
        return f"{prefix}-{self.counter[prefix]:0{width}d}"

    # -- people -------------------------------------------------------------------------
    def person(self, unit: str, level: str, role: str, manager: Person | None) -> Person:
        """A new active person with a generated name; added to the org."""
        name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
        who = Person(self.next_id("e", 6), name, unit, level, role,
                     manager=manager.id if manager else None)
        self.org.people.append(who)
        self.by_id[who.id] = who
        return who

    def build_people(self) -> None:
        """A CEO, a VP per unit, then directors, managers and ICs in uneven spans."""
        rng = self.rng
        total = 4 * self.n
        ceo = self.person("board", "ceo", "exec", None)
        ceo.authorities = ["approve-go-live", "approve-sourcing"]
        weights = [rng.uniform(0.5, 2.0) for _ in self.units]
        for unit, weight in zip(self.units, weights, strict=True):
            quota = max(40, int(total * weight / sum(weights)))
            vp = self.person(unit, "vp", "exec", ceo)
            vp.authorities = ["approve-go-live", "approve-sourcing"]
            directors = [self.person(unit, "director", "exec", vp)
                         for _ in range(max(2, quota // 70))]
            for director in directors:
                director.authorities = ["approve-go-live", "approve-sourcing"]
            self.directors[unit] = directors
            managers: list[Person] = []
            for _ in range(max(3, quota // 8)):
                boss = rng.choice(directors)
                manager = self.person(unit, "manager", "lead", boss)
                manager.authorities = ["halt", "override"]
                team_id = f"t-{unit[:3]}-{len(self.org.teams) + 1:05d}"
                self.org.teams.append({"id": team_id, "name": f"{unit} squad {len(managers) + 1}",
                                       "lead": manager.id})
                manager.teams = [team_id]
                managers.append(manager)
            self.managers[unit] = managers
            for _ in range(max(10, quota - len(managers) - len(directors) - 1)):
                boss = rng.choice(managers)
                role = rng.choices(("engineer", "qa", "release"), (6, 2, 2))[0]
                ic = self.person(unit, "ic", role, boss)
                ic.authorities = list(ROLE_AUTHORITIES[role])
                ic.teams = list(boss.teams)
                if rng.random() < 0.1:
                    ic.teams.append("t-guild-ai")
                roll = rng.random()
                if roll < 0.02:
                    ic.status = "leave"
                elif roll < 0.03:
                    ic.status = "terminated"
                    ic.end_date = _day(AS_OF - timedelta(days=rng.randrange(10, 400)))
                    self.terminated.append(ic)
                elif roll < 0.04:
                    # a leaver still employed today: their end date is ahead
                    ic.end_date = _day(AS_OF + timedelta(days=rng.randrange(30, 200)))
                else:
                    self.pools.setdefault((unit, role), []).append(ic)
            for manager in managers:
                if rng.random() < 0.02:
                    manager.status = "leave"  # the chain goes on to an available director
        self.org.teams.append({"id": "t-guild-ai", "name": "AI guild", "lead": ceo.id})
        for index in range(max(4, self.n // 60)):
            self.org.vendors.append({"id": f"v-{index + 1:04d}",
                                     "name": f"Vendor {index + 1} GmbH"})

    def pick(self, unit: str, role: str, avoid: Sequence[str] = ()) -> Person:
        """An active IC of that role, from the unit when it has one, not in `avoid`."""
        pool = self.pools.get((unit, role)) or self.pools[(self.units[0], role)]
        while True:
            who = self.rng.choice(pool)
            if who.id not in avoid:
                return who

    def active_manager(self, unit: str) -> Person:
        """An available manager of the unit (system owners are accountable people)."""
        while True:
            who = self.rng.choice(self.managers[unit])
            if who.status == "active":
                return who

    # -- systems and everything about them ----------------------------------------------
    def build_systems(self) -> None:
        """Every system with its phases, approvals, reviews, exceptions and deployments."""
        rng = self.rng
        contracts_by_vendor: dict[str, dict[str, Any]] = {}
        kinds = ("no-backup", "not-accepted", "terminated-owner", "validator-is-developer",
                 "approval-no-evidence", "late-approval", "stale-review", "no-regulations",
                 "no-cost-owner", "retired-active-deployment", "expired-exception",
                 "missing-phase", "double-owner", "dangling-backup", "bad-date",
                 "shadow-deployment", "expired-training")
        for index in range(self.n):
            unit = rng.choice(self.units)
            status = rng.choices(("proposed", "development", "validation", "deployed",
                                  "retired"), (5, 15, 10, 55, 15))[0]
            tier = rng.choices(("low", "medium", "high", "critical"), (30, 40, 22, 8))[0]
            plant = None
            if rng.random() < self.rate:
                plant = rng.choice([k for k in kinds if _applies(k, status, tier)])
            sourcing = rng.choices(("internal", "vendor", "open-source"), (70, 20, 10))[0]
            owner = self.active_manager(unit)
            major, minor = rng.randrange(1, 6), rng.randrange(0, 12)
            system: dict[str, Any] = {
                "id": f"ai-{unit[:4]}-{index + 1:05d}",
                "name": f"{unit.replace('-', ' ').title()} model {index + 1}",
                "status": status,
                "risk_tier": tier,
                "owner": owner.id,
                "intended_use": rng.choice((
                    "Ranks incoming cases for human review.",
                    "Drafts answers that an agent edits before sending.",
                    "Flags transactions for the fraud desk.",
                    "Forecasts demand for capacity planning.")),
                "cost_owner": rng.choice(self.directors[unit]).id,
                "sourcing": sourcing,
                "version": f"{major}.{minor}.0",
            }
            if sourcing == "vendor":
                system["vendor"] = rng.choice(self.org.vendors)["id"]
            go_live: date | None = None
            if status in ("deployed", "retired"):
                go_live = AS_OF - timedelta(days=rng.randrange(60, 1400))
                system["go_live"] = _day(go_live)
            if status == "retired":
                assert go_live is not None
                system["retired_at"] = _day(go_live + timedelta(
                    days=rng.randrange(30, max(31, (AS_OF - go_live).days))))
            if tier in ("high", "critical") or rng.random() < 0.2:
                system["regulations"] = rng.sample(["EU-AI-Act", "GDPR", "DORA", "ECOA"], 2)
            if tier in ("high", "critical"):
                system["areas"] = {area: self.pick(unit, "engineer").id for area in AREAS}
            if plant == "no-regulations" and tier in ("high", "critical"):
                del system["regulations"]
                self.org.planted[plant] += 1
            elif plant == "no-cost-owner":
                del system["cost_owner"]
                self.org.planted[plant] += 1
            self.org.systems.setdefault(unit, []).append(system)
            owners = self.build_assignments(system, unit, owner, plant, contracts_by_vendor)
            self.build_records(system, unit, owner, owners, go_live, plant)

    def build_assignments(self, system: dict[str, Any], unit: str, owner: Person,
                          plant: str | None, contracts: dict[str, dict[str, Any]],
                          ) -> dict[str, Person]:
        """One owner assignment per required phase (plus vendor help); returns owners."""
        rng = self.rng
        phases: tuple[str, ...] = ("retirement",) if system["status"] == "retired" else PHASES
        owners: dict[str, Person] = {}
        if plant == "missing-phase" and len(phases) > 1:
            phases = tuple(p for p in phases if p != "monitoring")
            self.org.planted[plant] += 1
        for phase in phases:
            role = PHASE_ROLE.get(phase, "engineer")
            who = self.pick(unit, role)
            if phase == "validation" and "development" in owners:
                who = self.pick(unit, role, avoid=[owners["development"].id])
            owners[phase] = who
            backup = self.pick(unit, role, avoid=[who.id])
            assigned = AS_OF - timedelta(days=rng.randrange(20, 1100))
            row: dict[str, Any] = {
                "id": self.next_id("as"),
                "system": system["id"],
                "phase": phase,
                "person": who.id,
                "backup": backup.id,
                "assigned_by": owner.id,
                "assigned_at": _day(assigned),
                # a date-time on or after the assignment day (a bare date is its 00:00 UTC)
                "accepted_at": _instant(assigned + timedelta(days=rng.randrange(0, 6)), rng),
            }
            if phase == "incident" and rng.random() < 0.5:
                row["authorities"] = ["override"]
            if (AS_OF - assigned).days > 300:
                row["reviewed_at"] = _day(AS_OF - timedelta(days=rng.randrange(1, 300)))
            self.org.assignments.append(row)
        rows = self.org.assignments[-len(phases):]
        if plant in ("no-backup", "not-accepted", "terminated-owner", "dangling-backup",
                     "bad-date", "double-owner", "validator-is-developer"):
            target = rng.choice(rows)
            if plant == "no-backup":
                del target["backup"]
            elif plant == "not-accepted":
                target["accepted_at"] = "2019-01-01"
            elif plant == "terminated-owner":
                target["person"] = rng.choice(self.terminated).id
            elif plant == "dangling-backup":
                target["backup"] = "e-999999x"
            elif plant == "bad-date":
                target["assigned_at"] = "31/02/2025"
            elif plant == "double-owner":
                extra = dict(target, id=self.next_id("as"),
                             person=self.pick(unit, PHASE_ROLE.get(target["phase"], "engineer"),
                                              avoid=[target["person"], target["backup"]]).id)
                self.org.assignments.append(extra)
            elif plant == "validator-is-developer" and "validation" in owners:
                val = next(r for r in rows if r["phase"] == "validation")
                val["person"] = owners["development"].id
            else:
                plant = None  # a retired system has no validation phase to plant on
            if plant:
                self.org.planted[plant] += 1
        if system.get("vendor") and system["status"] != "retired":
            vendor = system["vendor"]
            contract = contracts.get(vendor)
            if contract is None or len(contract["systems"]) >= 25:
                starts = AS_OF - timedelta(days=rng.randrange(30, 700))
                contract = {"id": self.next_id("c", 5), "vendor": vendor, "systems": [],
                            "phases": ["monitoring", "incident"], "starts": _day(starts),
                            "ends": _day(AS_OF + timedelta(days=rng.randrange(60, 900)))}
                contracts[vendor] = contract
                self.org.contracts.append(contract)
            contract["systems"].append(system["id"])
            self.org.assignments.append({
                "id": self.next_id("as"), "system": system["id"], "phase": "monitoring",
                "person": f"vendor:{vendor}", "assigned_by": owner.id,
                "assigned_at": _day(AS_OF - timedelta(days=rng.randrange(20, 300))),
                "accepted_at": _day(AS_OF - timedelta(days=rng.randrange(1, 19))),
                "contract": contract["id"]})
        return owners

    def build_records(self, system: dict[str, Any], unit: str, owner: Person,
                      owners: dict[str, Person], go_live: date | None, plant: str | None) -> None:
        """Approvals, reviews, exceptions and deployments of one system."""
        rng = self.rng
        sid, status, tier = system["id"], system["status"], system["risk_tier"]
        approver = rng.choice(self.directors[unit])
        if go_live is not None:
            if rng.random() < 0.3 and plant != "late-approval":  # an earlier version's
                self.org.approvals.append(self.approval(
                    sid, "go-live", "0.9.0", owner, approver, go_live - timedelta(days=200),
                    expires=go_live))
            decided = go_live - timedelta(days=rng.randrange(0, 20))
            if plant == "late-approval":
                decided = go_live + timedelta(days=5)
                self.org.planted[plant] += 1
            current = self.approval(sid, "go-live", system["version"], owner, approver, decided,
                                    expires=AS_OF + timedelta(days=rng.randrange(30, 700)))
            if plant == "approval-no-evidence":
                del current["evidence"]
                self.org.planted[plant] += 1
            self.org.approvals.append(current)
        elif status == "validation":
            self.org.approvals.append({"id": self.next_id("ap"), "system": sid,
                                       "kind": "go-live", "version": system["version"],
                                       "requested_by": owner.id, "approver": approver.id,
                                       "decision": "pending"})
        if system["sourcing"] != "internal":
            self.org.approvals.append(self.approval(
                sid, "sourcing", system["version"], owner, approver,
                AS_OF - timedelta(days=rng.randrange(100, 1500)), expires=None))
        interval = {"critical": 90, "high": 180, "medium": 365, "low": 730}[tier]
        if status == "deployed":
            done = AS_OF - timedelta(days=rng.randrange(1, interval - 10))
            if plant == "stale-review":
                done = AS_OF - timedelta(days=interval + 40)
                self.org.planted[plant] += 1
            reviewer = self.pick(unit, "qa")
            self.org.reviews.append({"id": self.next_id("rv"), "system": sid,
                                     "kind": "responsible-use",
                                     "due": _day(done + timedelta(days=3)),
                                     "completed_at": _day(done), "reviewer": reviewer.id})
            self.org.reviews.append({"id": self.next_id("rv"), "system": sid,
                                     "kind": "responsible-use",
                                     "due": _day(done + timedelta(days=interval)),
                                     "reviewer": reviewer.id})
        if rng.random() < 0.3:
            self.org.reviews.append({"id": self.next_id("rv"), "system": sid,
                                     "kind": rng.choice(("fairness", "risk", "assignment")),
                                     "due": _day(AS_OF + timedelta(days=rng.randrange(1, 200))),
                                     "reviewer": self.pick(unit, "qa").id})
        if rng.random() < 0.15 or plant == "expired-exception":
            opened = AS_OF - timedelta(days=rng.randrange(1, 80))
            record: dict[str, Any] = {
                "id": self.next_id("ex", 5), "system": sid,
                "kind": rng.choice(("exception", "override", "deviation")),
                "opened_at": _day(opened), "rationale": "Vendor patch pending; manual check.",
                "accountable": owner.id, "approved_by": approver.id,
                "expires_at": _day(AS_OF + timedelta(days=rng.randrange(0, 60)))}
            if plant == "expired-exception":
                record["expires_at"] = _day(AS_OF - timedelta(days=3))
                self.org.planted[plant] += 1
            elif rng.random() < 0.5:
                record["closed_at"] = _day(opened + timedelta(days=2))
                record["root_cause"] = "Stale feature pipeline."
                record["resolution"] = "Pipeline re-run and monitored."
            self.org.exceptions.append(record)
        if status in ("deployed", "retired"):
            for env in ("production", "staging")[: rng.randrange(1, 3)]:
                active = status == "deployed" or (plant == "retired-active-deployment"
                                                  and env == "production")
                self.org.deployments.append({
                    "id": self.next_id("d"), "system": sid, "environment": env,
                    "version": system["version"], "status": "active" if active else "retired",
                    "since": _day(go_live or AS_OF)})
            if plant == "retired-active-deployment" and status == "retired":
                self.org.planted[plant] += 1
        if plant == "shadow-deployment":
            self.org.deployments.append({"id": self.next_id("d"), "system": f"{sid}-shadow",
                                         "environment": "production", "version": "0.1.0",
                                         "status": "active", "since": _day(AS_OF)})
            self.org.planted[plant] += 1
        if plant == "expired-training" and tier in ("high", "critical") and "development" in owners:
            self.expired_training.add(owners["development"].id)
            self.org.planted[plant] += 1

    def approval(self, system: str, kind: str, version: str, requester: Person,
                 approver: Person, decided: date, *, expires: date | None) -> dict[str, Any]:
        """An approved, fully evidenced approval."""
        record: dict[str, Any] = {
            "id": self.next_id("ap"), "system": system, "kind": kind, "version": version,
            "requested_by": requester.id, "approver": approver.id, "decision": "approved",
            "decided_at": _instant(decided, self.rng),
            "rationale": "Risk assessment reviewed; residual risk accepted.",
            "evidence": f"https://grc.example.com/{system}/{kind}/{version}"}
        if expires is not None:
            record["expires_at"] = _day(expires)
        return record

    def build_training(self) -> None:
        """A current ai-governance-101 for everyone, plus history and other courses."""
        rng = self.rng
        for who in self.org.people:
            if who.id in self.expired_training:
                done = AS_OF - timedelta(days=800)
                self.org.training.append({"id": self.next_id("tr", 7), "person": who.id,
                                          "course": "ai-governance-101",
                                          "completed_at": _day(done),
                                          "expires_at": _day(done + timedelta(days=730))})
                continue
            if rng.random() < 0.3:
                done = AS_OF - timedelta(days=rng.randrange(800, 1200))
                self.org.training.append({"id": self.next_id("tr", 7), "person": who.id,
                                          "course": "ai-governance-101",
                                          "completed_at": _day(done),
                                          "expires_at": _day(done + timedelta(days=365))})
            done = AS_OF - timedelta(days=rng.randrange(1, 300))
            self.org.training.append({"id": self.next_id("tr", 7), "person": who.id,
                                      "course": "ai-governance-101", "completed_at": _day(done),
                                      "expires_at": _day(done + timedelta(days=730))})
            if rng.random() < 0.25:
                self.org.training.append({"id": self.next_id("tr", 7), "person": who.id,
                                          "course": rng.choice(("privacy-basics",
                                                                "model-risk-201")),
                                          "completed_at": _day(done)})

    def build_events(self) -> None:
        """Several hash-chained logs; one of them tampered after hashing (a planted break)."""
        rng = self.rng
        names = ("change-log", "access-log", "sign-offs", "incidents")
        systems = [s["id"] for unit in self.org.systems.values() for s in unit]
        people = [p.id for p in self.org.people]
        per_log = max(20, self.n // 2)
        for log_index, name in enumerate(names):
            moment = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=log_index)
            prev = ZERO_HASH
            events: list[dict[str, Any]] = []
            for seq in range(1, per_log + 1):
                moment += timedelta(seconds=rng.randrange(0, 9000))  # equal times are allowed
                at = (moment.astimezone(_OFFSET).isoformat() if seq % 7 == 0
                      else moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
                event: dict[str, Any] = {
                    "seq": seq, "at": at, "actor": rng.choice(people),
                    "action": rng.choice(("update", "approve", "access", "deploy")),
                    "subject": f"system:{rng.choice(systems)}",
                    "detail": rng.choice(("périmètre revu", "threshold 0.7→0.65", "ok",
                                          "rollback")),
                    "prev_hash": prev}
                canonical = json.dumps(event, sort_keys=True, separators=(",", ":"),
                                       ensure_ascii=False)
                event["hash"] = hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest()
                prev = event["hash"]
                events.append(event)
            if name == "access-log":
                events[len(events) // 2]["detail"] = "edited after the fact"
                self.org.planted["tampered-log"] += 1
            self.org.events[name] = events


MANIFEST = {
    "files": {
        "hr/staff.json": {
            "kind": "person",
            "columns": {"employee_id": "id", "display_name": "name", "work_email": "email",
                        "employment_status": "status", "termination_date": "end_date",
                        "reports_to": "manager", "squads": "teams",
                        "entitlements": "authorities"},
            "values": {"status": {"Active": "active", "On Leave": "leave",
                                  "Terminated": "terminated"}},
        },
        "lms/completions.csv": {
            "kind": "training",
            "columns": {"Record": "id", "Learner": "person", "Course Code": "course",
                        "Completed On": "completed_at", "Valid Until": "expires_at"},
        },
        "assignments.csv": {"list_separator": "|"},
    },
    "params": {"A.3.2-ESCALATION-PATH": {"escalation_roots": ["e-000001"]}},
}


def _csv(rows: list[dict[str, Any]], columns: Sequence[str], *, delimiter: str,
         list_separator: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            cells.append(list_separator.join(value) if isinstance(value, list)
                         else "" if value is None else str(value))
        writer.writerow(cells)
    return out.getvalue()


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=False, allow_unicode=True,
                          width=100)


def write(org: Org, out: Path) -> None:
    """Write the organisation as files in their varied formats under `out`."""
    for folder in ("systems", "hr", "lms", "events"):
        (out / folder).mkdir(parents=True, exist_ok=True)

    def put(relative: str, text: str) -> None:
        (out / relative).write_text(text, encoding="utf-8")

    put("govcheck.yaml", _yaml(MANIFEST))
    put("README.md", "Synthetic organisation from benchmarks/independent_generate.py.\n")
    for unit, systems in sorted(org.systems.items()):
        put(f"systems/{unit}.yaml", f"# AI systems of {unit}\n" + _yaml(systems))
    staff = []
    for who in org.people:
        row: dict[str, Any] = {"employee_id": who.id, "display_name": who.name,
                               "work_email": f"{who.id}@example.com",
                               "employment_status": HR_STATUS[who.status],
                               "job_level": who.level, "business_unit": who.unit}
        if who.end_date:
            row["termination_date"] = who.end_date
        if who.manager:
            row["reports_to"] = who.manager
        if who.teams:
            row["squads"] = who.teams
        if who.authorities:
            row["entitlements"] = who.authorities
        staff.append(row)
    put("hr/staff.json", json.dumps(staff, indent=2, ensure_ascii=False) + "\n")
    put("teams.csv", _csv(org.teams, ("id", "name", "lead"), delimiter=",", list_separator=";"))
    put("vendors.yaml", _yaml(org.vendors))
    put("assignments.csv", _csv(
        org.assignments, ("id", "system", "phase", "person", "backup", "authorities",
                          "assigned_by", "assigned_at", "accepted_at", "reviewed_at",
                          "contract"), delimiter=";", list_separator="|"))
    put("approvals.json", json.dumps(org.approvals, indent=1) + "\n")
    put("exceptions.yml", _yaml(org.exceptions))
    put("reviews.csv", _csv(org.reviews, ("id", "system", "kind", "due", "completed_at",
                                          "reviewer"), delimiter="\t", list_separator=";"))
    training = [{"Record": t["id"], "Learner": t["person"], "Course Code": t["course"],
                 "Completed On": t["completed_at"], "Valid Until": t.get("expires_at")}
                for t in org.training]
    put("lms/completions.csv", _csv(training, ("Record", "Learner", "Course Code",
                                               "Completed On", "Valid Until"),
                                    delimiter=",", list_separator=";"))
    put("contracts.yaml", _yaml(org.contracts))
    # one deployment per line: a compact JSON list, as a CMDB dump often is
    put("deployments.json", "[\n" + ",\n".join(
        json.dumps(d, separators=(",", ":")) for d in org.deployments) + "\n]\n")
    for name, events in org.events.items():
        put(f"events/{name}.json", json.dumps(events, indent=2, ensure_ascii=False) + "\n")


def generate(systems: int, out: Path, seed: int = 7, rate: float = 0.03) -> Counter[str]:
    """Generate an organisation of `systems` systems into `out`; returns planted counts."""
    builder = Builder(systems, seed, rate)
    builder.build_people()
    builder.build_systems()
    builder.build_training()
    builder.build_events()
    write(builder.org, out)
    return builder.org.planted


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--systems", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--violations", type=float, default=0.03)
    args = parser.parse_args(argv)
    if args.systems < 1:
        parser.error("--systems must be at least 1")
    planted = generate(args.systems, args.out, args.seed, args.violations)
    json.dump({"systems": args.systems, "planted": dict(sorted(planted.items()))}, sys.stdout,
              indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
