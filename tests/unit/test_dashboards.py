"""The Grafana dashboards in deploy/ query only metrics Beacon exports, and chart all of them."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from api.middleware import Metrics
from domain.metrics import METRICS, exported_names

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))

# PromQL words that are not series names (aggregation modifiers, set operators, ...).
_KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
    "and", "or", "unless", "inf", "nan",
}  # fmt: skip
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_LABELS = re.compile(r"\{[^}]*\}")  # label matchers
_RANGE = re.compile(r"\[[^\]]*\]")  # [5m], [$__rate_interval], subqueries' [1h:5m]
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w:.$])([A-Za-z_:][\w:]*+)(?!\s*\()")
_DURATION = re.compile(r"^\d")


def metric_names(expression: str) -> set[str]:
    """The series names a PromQL expression selects (functions, labels and keywords aside)."""
    stripped = expression
    for pattern in (_STRING, _LABELS, _RANGE, _GROUPING):
        stripped = pattern.sub(" ", stripped)
    return {
        name
        for name in _IDENTIFIER.findall(stripped)
        if name.lower() not in _KEYWORDS and not _DURATION.match(name)
    }


def expressions(dashboard: dict[str, Any]) -> list[str]:
    """Every query of every panel, rows' nested panels included."""
    panels = list(dashboard.get("panels", []))
    found = []
    while panels:
        panel = panels.pop()
        panels.extend(panel.get("panels", []))
        found += [target["expr"] for target in panel.get("targets", []) if target.get("expr")]
    return found


def exported() -> set[str]:
    return exported_names(Metrics().registry) | exported_names(METRICS.registry)


def test_the_promql_reader_finds_series_names_and_nothing_else() -> None:
    expression = (
        'histogram_quantile(0.95, sum by (le, stage) (rate(beacon_x_bucket{stage="parse"}[5m])))'
        " / on (stage) group_left max without (status) (beacon_y) > bool 2 or vector(0)"
    )
    assert metric_names(expression) == {"beacon_x_bucket", "beacon_y"}


def test_there_is_a_dashboard() -> None:
    assert DASHBOARDS


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.name)
def test_every_dashboard_query_names_a_metric_beacon_exports(path: Path) -> None:
    queries = expressions(json.loads(path.read_text()))
    assert queries
    for query in queries:
        names = metric_names(query)
        assert names, query
        assert names <= exported(), (query, names - exported())


def test_every_beacon_metric_is_charted() -> None:
    charted = {
        name
        for path in DASHBOARDS
        for query in expressions(json.loads(path.read_text()))
        for name in metric_names(query)
    }
    families = {family.name for family in METRICS.registry.collect()}
    families |= {family.name for family in Metrics().registry.collect()}
    for family in families:
        assert any(name.startswith(family) for name in charted), family
