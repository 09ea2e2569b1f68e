"""govcheck's performance benchmark: per-stage time, evaluations per second, peak RSS, ratios.

    python benchmarks/run.py --systems 1000 [--scale 4] [--jobs 2] [--style mixed|yaml]
    python benchmarks/run.py --inventory DIR [--jobs 2]

Generates a synthetic organisation (benchmarks/generate.py) unless --inventory
is given, then measures in one run, so that ratios compare like with like:

- parse-only baseline: reading the same files with PyYAML's C loader, csv and json;
- each stage of `check` in-process: load, graph build, policy compile, evaluate, format;
- the whole `govcheck check` as a user runs it (a subprocess), with its peak RSS;
- `--jobs N` against `--jobs 1`;
- with --scale K, the same at K times the systems, for the linearity ratio.

Targets (issue 10, docs/performance.md): >= 20,000 rule evaluations/s; check <= 3x
parse-only; K=4 costs <= 4.5x; peak RSS <= 2 GB at 10,000 systems; --jobs 2 >= 1.6x.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

AS_OF = "2026-06-30"


def _timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def parse_only(root: Path) -> int:
    """Read every data file with the fastest stock parsers; returns the records read."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    count = 0
    for path in sorted(root.rglob("*")):
        if path.suffix in (".yaml", ".yml"):
            # The C SafeLoader; load_all because an inventory file may hold several documents.
            for data in yaml.load_all(path.read_bytes(), Loader=loader):
                count += len(data) if isinstance(data, list) else int(data is not None)
        elif path.suffix == ".json":
            data = json.loads(path.read_bytes())
            count += len(data) if isinstance(data, list) else 1
        elif path.suffix == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            count += sum(1 for _ in csv.DictReader(io.StringIO(text)))
    return count


def _whole_check(root: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of `govcheck check` in a fresh process."""
    command = [sys.executable, "-m", "govcheck", "check", str(root), "--as-of", AS_OF,
               "--format", "json", "-o", os.devnull, "--exit-zero", "--jobs", str(jobs)]
    script = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "rc = subprocess.call(sys.argv[1:])\n"
        "dt = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(dt, rss, rc)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, *command], capture_output=True,
                         text=True, check=True)
    seconds, rss, rc = out.stdout.split()
    if rc not in ("0", "1"):
        raise SystemExit(f"govcheck check failed with exit {rc}")
    return float(seconds), float(rss)


def measure(root: Path, jobs: int) -> dict[str, Any]:
    """All figures for one inventory; stages run as `run_check` runs them (GC paused)."""
    from govcheck.parallel import gc_paused

    with gc_paused():
        return _measure(root, jobs)


def _measure(root: Path, jobs: int) -> dict[str, Any]:
    from govcheck.builtin import builtin_policies_dir
    from govcheck.formatters import get_formatter
    from govcheck.graph import build_graph
    from govcheck.loaders import load_inventory
    from govcheck.parallel import evaluate_rules
    from govcheck.rules import load_policies
    from govcheck.settings import merge_settings

    parse_s, records = _timed(lambda: parse_only(root))
    load_s, inventory = _timed(lambda: load_inventory(root))
    settings = merge_settings(inventory.manifest.settings)
    graph_s, (graph, _) = _timed(lambda: build_graph(inventory.records, settings))
    compile_s, rules = _timed(lambda: load_policies([builtin_policies_dir()]))
    from datetime import UTC, datetime

    now = datetime(2026, 6, 30, tzinfo=UTC)
    evaluations = sum(len(graph.node_ids(kind)) for rule in rules for kind in rule.targets)
    eval_s, (findings, _) = _timed(
        lambda: evaluate_rules(rules, graph, now=now, settings=settings, params_overrides={})
    )
    check_s, check_rss = _whole_check(root, 1)
    jobs_s, _ = _whole_check(root, jobs)
    from govcheck.cli.check import params_from_cli  # noqa: F401 - warm import for fairness
    from govcheck.engine import CheckOptions, run_check

    report = run_check(CheckOptions(inventory=str(root), as_of=now))
    format_s, _ = _timed(lambda: [get_formatter(f)(report) for f in ("json", "sarif")])
    return {
        "records": records,
        "parse_only_s": round(parse_s, 3),
        "load_s": round(load_s, 3),
        "graph_s": round(graph_s, 3),
        "compile_s": round(compile_s, 3),
        "evaluate_s": round(eval_s, 3),
        "format_json_sarif_s": round(format_s, 3),
        "evaluations": evaluations,
        "evaluations_per_s": round(evaluations / eval_s) if eval_s else None,
        "findings": len(findings),
        "check_s": round(check_s, 3),
        "check_peak_rss_mib": round(check_rss, 1),
        "check_over_parse_only": round(check_s / parse_s, 2),
        f"check_jobs_{jobs}_s": round(jobs_s, 3),
        f"jobs_{jobs}_speedup": round(check_s / jobs_s, 2),
        "in_process_peak_rss_mib": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--systems", type=int, default=1000)
    parser.add_argument("--scale", type=int, default=0, help="also run at K x systems")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--style", choices=("mixed", "yaml"), default="mixed",
                        help="file formats of the generated organisation (generate.py)")
    parser.add_argument("--inventory", type=Path, help="measure this inventory instead")
    parser.add_argument("-o", "--output", type=Path, help="write the figures as JSON")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="govcheck-bench-") as tmp:
        sizes = [args.systems] + ([args.systems * args.scale] if args.scale else [])
        for size in sizes:
            if args.inventory:
                root = args.inventory
            else:
                root = Path(tmp) / f"org-{size}"
                generate(size, root, style=args.style)
            figures = measure(root, args.jobs)
            label = str(args.inventory) if args.inventory else str(size)
            results[label] = figures
            print(f"== {label if args.inventory else f'{size} systems ({args.style})'}",
                  file=sys.stderr)
            for key, value in figures.items():
                print(f"  {key:28} {value}", file=sys.stderr)
            if args.inventory:
                break
    if args.scale and not args.inventory:
        small, large = results[str(sizes[0])], results[str(sizes[1])]
        results["linearity"] = round(large["check_s"] / small["check_s"], 2)
        print(f"== {args.scale}x systems cost {results['linearity']}x the time", file=sys.stderr)
    text = json.dumps(results, indent=2, sort_keys=True)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
