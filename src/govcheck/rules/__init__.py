"""The CEL rule engine: policy files to compiled rules, rules over the graph to findings.

`load_policies` reads and compiles `policies/**/*.yaml` (errors located at
file:line:col); `evaluate` runs compiled rules over a graph; `testing` runs
the rules' own test cases (`govcheck test`). Only this package imports celpy.
"""

from __future__ import annotations

from govcheck.rules.evaluation import BACKEND_ENV, BACKENDS, evaluate
from govcheck.rules.policy import Expression, Rule, TestCase, load_policies

__all__ = ["BACKENDS", "BACKEND_ENV", "Expression", "Rule", "TestCase", "evaluate",
           "load_policies"]
