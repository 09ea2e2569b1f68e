"""The canonical inventory model: kinds, their fields, references and dates.

This is DESIGN.md's inventory table as data. Loaders use it to tell a file's
kind and parse dates, the graph builder to draw reference edges, schemas and
docs to stay in step with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PHASES: tuple[str, ...] = (
    "conception",
    "development",
    "validation",
    "deployment",
    "monitoring",
    "incident",
    "retirement",
)

PARTY_KINDS: tuple[str, ...] = ("person", "team", "vendor")


@dataclass(frozen=True, slots=True)
class Reference:
    """A field that names other records; each named id becomes an edge."""

    field: str
    targets: tuple[str, ...]
    many: bool = False
    mapping: bool = False  # a {key: id} map such as system.areas


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One canonical kind."""

    name: str
    stems: tuple[str, ...]
    id_field: str
    fields: tuple[str, ...]
    required: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    date_fields: tuple[str, ...] = ()
    list_fields: tuple[str, ...] = ()
    enums: Mapping[str, tuple[str, ...]] | None = None


def _party(field: str) -> Reference:
    return Reference(field, PARTY_KINDS)


KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec(
            "person",
            ("person", "persons", "people"),
            "id",
            ("id", "name", "email", "status", "end_date", "manager", "teams", "authorities"),
            ("id",),
            (Reference("manager", ("person",)), Reference("teams", ("team",), many=True)),
            ("end_date",),
            ("teams", "authorities"),
            {"status": ("active", "leave", "terminated")},
        ),
        KindSpec(
            "team",
            ("team", "teams"),
            "id",
            ("id", "name", "lead"),
            ("id",),
            (Reference("lead", ("person",)),),
        ),
        KindSpec("vendor", ("vendor", "vendors"), "id", ("id", "name"), ("id",)),
        KindSpec(
            "system",
            ("system", "systems"),
            "id",
            (
                "id", "name", "status", "risk_tier", "owner", "intended_use", "cost_owner",
                "sourcing", "vendor", "version", "go_live", "retired_at", "regulations", "areas",
            ),
            ("id",),
            (
                _party("owner"),
                Reference("cost_owner", ("person",)),
                Reference("vendor", ("vendor",)),
                Reference("areas", ("person",), mapping=True),
            ),
            ("go_live", "retired_at"),
            ("regulations",),
            {
                "status": ("proposed", "development", "validation", "deployed", "retired"),
                "risk_tier": ("low", "medium", "high", "critical"),
                "sourcing": ("internal", "vendor", "open-source"),
            },
        ),
        KindSpec(
            "assignment",
            ("assignment", "assignments"),
            "id",
            (
                "id", "system", "phase", "person", "backup", "authorities", "assigned_by",
                "assigned_at", "accepted_at", "reviewed_at", "contract",
            ),
            ("id", "system", "phase", "person"),
            (
                Reference("system", ("system",)),
                _party("person"),
                Reference("backup", ("person",)),
                Reference("assigned_by", ("person",)),
                Reference("contract", ("contract",)),
            ),
            ("assigned_at", "accepted_at", "reviewed_at"),
            ("authorities",),
            {"phase": PHASES},
        ),
        KindSpec(
            "approval",
            ("approval", "approvals"),
            "id",
            (
                "id", "system", "kind", "version", "requested_by", "approver", "decision",
                "decided_at", "rationale", "evidence", "expires_at",
            ),
            ("id", "system"),
            (
                Reference("system", ("system",)),
                Reference("requested_by", ("person",)),
                Reference("approver", ("person",)),
            ),
            ("decided_at", "expires_at"),
            (),
            {
                "kind": ("go-live", "change", "sourcing", "retirement"),
                "decision": ("approved", "rejected", "pending"),
            },
        ),
        KindSpec(
            "exception",
            ("exception", "exceptions"),
            "id",
            (
                "id", "system", "kind", "opened_at", "rationale", "accountable", "approved_by",
                "expires_at", "closed_at", "root_cause", "resolution",
            ),
            ("id", "system"),
            (
                Reference("system", ("system",)),
                _party("accountable"),
                Reference("approved_by", ("person",)),
            ),
            ("opened_at", "expires_at", "closed_at"),
            (),
            {"kind": ("exception", "override", "deviation")},
        ),
        KindSpec(
            "review",
            ("review", "reviews"),
            "id",
            ("id", "system", "kind", "due", "completed_at", "reviewer"),
            ("id", "system"),
            (Reference("system", ("system",)), Reference("reviewer", ("person",))),
            ("due", "completed_at"),
            (),
            {"kind": ("responsible-use", "fairness", "assignment", "risk")},
        ),
        KindSpec(
            "training",
            ("training", "trainings"),
            "id",
            ("id", "person", "course", "completed_at", "expires_at"),
            ("id", "person", "course"),
            (Reference("person", ("person",)),),
            ("completed_at", "expires_at"),
        ),
        KindSpec(
            "contract",
            ("contract", "contracts"),
            "id",
            ("id", "vendor", "systems", "phases", "starts", "ends"),
            ("id", "vendor"),
            (Reference("vendor", ("vendor",)), Reference("systems", ("system",), many=True)),
            ("starts", "ends"),
            ("systems", "phases"),
        ),
        KindSpec(
            "deployment",
            ("deployment", "deployments"),
            "id",
            ("id", "system", "environment", "version", "status", "since"),
            ("id", "system"),
            (Reference("system", ("system",)),),
            ("since",),
            (),
            {"status": ("active", "retired")},
        ),
        KindSpec(
            "event",
            ("event", "events"),
            "seq",
            ("seq", "at", "actor", "action", "subject", "detail", "prev_hash", "hash"),
            ("seq", "at", "prev_hash", "hash"),
            (Reference("actor", ("person",)),),
            ("at",),
        ),
    )
}

STEM_TO_KIND: dict[str, str] = {stem: spec.name for spec in KINDS.values() for stem in spec.stems}

# Structural edge names the graph builder adds besides the reference fields.
EDGE_HAS_PHASE = "has_phase"
EDGE_PHASE = "phase"
EDGE_PREVIOUS = "previous"


def kind_for_stem(stem: str) -> str | None:
    """The canonical kind a file stem (`people`, `systems`, `training`) names, if any."""
    return STEM_TO_KIND.get(stem.lower().replace("-", "_"))
