"""A.9.2-LOG-INTEGRITY on real event files: several logs, byte-level tampering, file lines.

The rule's own test cases use one inline log; these cover what only files can:
one finding per log when an inventory has several, the finding at the edited
event's line when one byte of the file changes, and hashes over values as the
JSON file holds them (`\\u00fc` escapes and literal UTF-8 hash the same).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcheck.engine import CheckOptions, run_check
from govcheck.model import Finding, Result

CHECK = "A.9.2-LOG-INTEGRITY"
AS_OF = datetime(2026, 6, 30, tzinfo=UTC)


def _chain(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events with prev_hash and hash filled in as DESIGN.md defines them."""
    previous = "0" * 64
    chained = []
    for event in events:
        body = {**event, "prev_hash": previous}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256((previous + canonical).encode("utf-8")).hexdigest()
        chained.append({**body, "hash": digest})
        previous = digest
    return chained


def _events(count: int, detail: str = "ok") -> list[dict[str, Any]]:
    return _chain([
        {"seq": n, "at": f"2026-03-01T{n:02d}:00:00Z", "actor": "p-1", "action": "approve",
         "subject": "s-1", "detail": f"{detail} {n}"}
        for n in range(1, count + 1)
    ])


def _write_log(path: Path, events: list[dict[str, Any]], *, ascii_only: bool = False) -> None:
    """One event per line after the opening bracket, so event n sits on line n + 1."""
    lines = [json.dumps(e, ensure_ascii=ascii_only) for e in events]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def _findings(root: Path) -> list[Finding]:
    (root / "people.json").write_text('[{"id": "p-1", "status": "active"}]\n', encoding="utf-8")
    report = run_check(CheckOptions(inventory=str(root), as_of=AS_OF, only=(CHECK,)))
    return [f for f in report.findings if f.check == CHECK]


def test_one_byte_changed_is_reported_at_that_event_and_line(tmp_path: Path) -> None:
    _write_log(tmp_path / "events.json", _events(6))
    path = tmp_path / "events.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"ok 4"', '"ok 5"'), encoding="utf-8")

    findings = _findings(tmp_path)

    assert [(f.entity, f.result, f.location.path, f.location.line) for f in findings] == [
        ("event:4", Result.FAIL, "events.json", 5)
    ]


def test_each_log_reports_only_its_first_broken_event(tmp_path: Path) -> None:
    broken = _events(5)
    broken[1] = {**broken[1], "detail": "edited"}  # first break: hash no longer recomputes
    broken[3] = {**broken[3], "seq": 9}  # a later break in the same log is not reported
    _write_log(tmp_path / "events" / "access.json", broken)
    _write_log(tmp_path / "events" / "decisions.json", _events(4))
    dropped = _events(5)
    _write_log(tmp_path / "events" / "notes.json", dropped[:2] + dropped[3:])

    findings = _findings(tmp_path)

    assert sorted((f.entity, f.location.path, f.location.line) for f in findings) == [
        ("event:access/2", "events/access.json", 3),
        ("event:notes/4", "events/notes.json", 4),
    ]


def test_escaped_and_literal_non_ascii_hash_the_same(tmp_path: Path) -> None:
    events = _events(3, detail="Zürich — 本番")
    _write_log(tmp_path / "events" / "escaped.json", events, ascii_only=True)
    _write_log(tmp_path / "events" / "literal.json", events)

    assert _findings(tmp_path) == []
