"""Which getter types and metrics OSWorld's task files use, and which ones run here.

    .venv/bin/python scripts/osworld_inventory.py DIR [--json]

DIR is OSWorld's `evaluation_examples` folder (its `examples/<domain>/*.json`). For every getter
type and metric name: how many tasks use it, in which domains, the options or spec keys they
pass, and whether it is implemented here (else the reason from the registries' UNSUPPORTED
lists). A metric use whose options or compare_table rules cannot be scored is counted apart.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def inventory(folder: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from envs.osworld_lite import getters, metrics

    uses: dict[str, dict[str, dict[str, Any]]] = {"getters": {}, "metrics": {}}

    def entry(kind: str, name: str) -> dict[str, Any]:
        return uses[kind].setdefault(name, {"tasks": set(), "domains": set(), "keys": set(), "blocked_uses": set()})

    files = sorted(folder.glob("examples/*/*.json"))
    if not files:
        raise SystemExit(f"no task files under {folder}/examples/<domain>/")
    for path in files:
        task = json.loads(path.read_text())
        ev = task.get("evaluator", {})
        funcs = _as_list(ev.get("func"))
        options = ev.get("options", {})
        per_func = options if isinstance(options, list) else [options] * len(funcs)
        for func, opts in zip(funcs, per_func):
            e = entry("metrics", func)
            e["tasks"].add(task["id"])
            e["domains"].add(path.parent.name)
            e["keys"] |= set(opts or {})
            if func != "infeasible" and metrics.blocker(func, opts or {}):
                e["blocked_uses"].add(f"{task['id']}: {metrics.blocker(func, opts or {})}")
        for key in ("result", "expected"):
            for spec in _as_list(ev.get(key)):
                if isinstance(spec, dict) and spec.get("type"):
                    e = entry("getters", spec["type"])
                    e["tasks"].add(task["id"])
                    e["domains"].add(path.parent.name)
                    e["keys"] |= set(spec) - {"type"}

    def status(kind: str, name: str) -> str:
        if kind == "metrics":
            if name == "infeasible":
                return "evaluator"
            if name in metrics.UNSUPPORTED:
                return "unsupported: " + metrics.UNSUPPORTED[name]
            return "implemented" if name in metrics.METRICS else "missing"
        if name in ("rule",):
            return "implemented"
        if name in getters.UNSUPPORTED:
            return "unsupported: " + getters.UNSUPPORTED[name]
        return "implemented" if name in getters.GETTERS else "missing"

    out: dict[str, Any] = {"task_files": len(files)}
    for kind, table in uses.items():
        out[kind] = [{"name": name, "tasks": len(e["tasks"]), "domains": sorted(e["domains"]),
                      "keys": sorted(e["keys"]), "status": status(kind, name), "blocked_uses": sorted(e["blocked_uses"])}
                     for name, e in sorted(table.items(), key=lambda kv: (-len(kv[1]["tasks"]), kv[0]))]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("osworld_dir", type=Path)
    parser.add_argument("--json", action="store_true", help="print the inventory as JSON")
    args = parser.parse_args()
    inv = inventory(args.osworld_dir)
    if args.json:
        print(json.dumps(inv, indent=1))
        return 0
    print(f"{inv['task_files']} task files")
    for kind in ("getters", "metrics"):
        rows = inv[kind]
        done = sum(r["status"] in ("implemented", "evaluator") for r in rows)
        print(f"\n{kind}: {len(rows)} used, {done} implemented")
        for r in rows:
            mark = "ok " if r["status"] in ("implemented", "evaluator") else "-- "
            extra = "" if mark == "ok " else f"   [{r['status']}]"
            print(f"  {mark}{r['tasks']:4d}  {r['name']}{extra}")
            for use in r["blocked_uses"]:
                print(f"          blocked: {use}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
