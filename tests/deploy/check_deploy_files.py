#!/usr/bin/env python3
"""Checks the structure of deploy/: the Grafana dashboard (JSON) and the
Prometheus alert rules (YAML). That every metric they name is exposed is
tests/e2e/metrics_e2e_test.cc's (EveryMetricTheDeployFilesNameIsExposed).

Usage: check_deploy_files.py DEPLOY_DIR. Exits 1 naming every problem."""
import json
import re
import sys

import yaml

problems = []


def check(condition, message):
    if not condition:
        problems.append(message)


def balanced(expr):
    depth = 0
    for c in expr:
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


deploy = sys.argv[1]

with open(f"{deploy}/grafana/unitclock.json") as f:
    dashboard = json.load(f)
check(dashboard.get("title") and dashboard.get("uid"), "dashboard: title and uid required")
panels = dashboard.get("panels", [])
check(len(panels) >= 10, f"dashboard: {len(panels)} panels, expected at least 10")
ids = [p.get("id") for p in panels]
check(len(ids) == len(set(ids)), "dashboard: panel ids repeat")
for p in panels:
    where = f"panel {p.get('title')!r}"
    check(p.get("title"), f"{where}: no title")
    check(p.get("type"), f"{where}: no type")
    check(set(p.get("gridPos", {})) >= {"h", "w", "x", "y"}, f"{where}: gridPos incomplete")
    targets = p.get("targets", [])
    check(targets, f"{where}: no targets")
    for t in targets:
        expr = t.get("expr", "")
        check("unitclock_" in expr, f"{where}: expr names no unitclock metric: {expr!r}")
        check(balanced(expr), f"{where}: unbalanced parentheses: {expr!r}")
        if "histogram_quantile" in expr:
            check("_bucket" in expr and "le" in expr,
                  f"{where}: histogram_quantile needs _bucket by le: {expr!r}")
all_exprs = " ".join(t["expr"] for p in panels for t in p.get("targets", []))
for needed in ["unitclock_events_received_total", "unitclock_event_ack_latency_seconds_bucket",
               "unitclock_store_commit_group_events", "unitclock_store_commit_duration_seconds",
               "unitclock_store_errors_total", "unitclock_open_streams",
               "unitclock_watchdog_sessions_closed_total", "unitclock_suggestion_duration_seconds",
               "unitclock_review_actions_total", "unitclock_exports_total",
               "unitclock_http_requests_total"]:
    check(needed in all_exprs, f"dashboard: no panel plots {needed}")

with open(f"{deploy}/prometheus/alerts.yml") as f:
    rules_file = yaml.safe_load(f)
groups = rules_file.get("groups", []) if isinstance(rules_file, dict) else []
check(groups, "alerts: no groups")
names = []
for g in groups:
    check(g.get("name"), "alerts: a group without a name")
    for r in g.get("rules", []):
        name = r.get("alert")
        names.append(name)
        check(name and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name), f"alert {name!r}: bad name")
        check(set(r) <= {"alert", "expr", "for", "labels", "annotations"},
              f"alert {name}: unknown keys {set(r)}")
        expr = str(r.get("expr", ""))
        check(expr and balanced(expr), f"alert {name}: expr missing or unbalanced")
        if "for" in r:
            check(re.fullmatch(r"\d+[smhd]", str(r["for"])), f"alert {name}: bad for {r['for']!r}")
        check(r.get("labels", {}).get("severity") in ("critical", "warning", "info"),
              f"alert {name}: severity critical, warning or info required")
        check(r.get("annotations", {}).get("summary"), f"alert {name}: no summary")
check(len(names) == len(set(names)), "alerts: names repeat")
rule_exprs = " ".join(str(r.get("expr", "")) for g in groups for r in g.get("rules", []))
for needed in ["unitclock_store_errors_total", "unitclock_event_ack_latency_seconds_bucket",
               "unitclock_http_requests_total", "up{"]:
    check(needed in rule_exprs, f"alerts: no rule on {needed}")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"deploy: {len(panels)} panels, {len(names)} alert rules ok")
