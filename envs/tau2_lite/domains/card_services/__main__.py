"""Check or rebuild the frozen test set.

    python -m envs.tau2_lite.domains.card_services --check    # does the generator still reproduce test_tasks.json?
    python -m envs.tau2_lite.domains.card_services --freeze   # rewrite it (bump TEST_SET_VERSION when tasks change)
"""
from __future__ import annotations

import argparse
import json
import sys

from envs.tau2_lite.domains.card_services.domain import TEST_SET_FILE
from envs.tau2_lite.domains.card_services.tasks import build_test_set


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="compare the generator with test_tasks.json")
    group.add_argument("--freeze", action="store_true", help="rewrite test_tasks.json from the generator")
    args = parser.parse_args(argv)
    built = build_test_set()
    if args.freeze:
        TEST_SET_FILE.write_text(json.dumps(built, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {len(built['tasks'])} tasks to {TEST_SET_FILE}")
        return 0
    same = built == json.loads(TEST_SET_FILE.read_text(encoding="utf-8"))
    print("test set reproduced" if same else "the generator no longer reproduces test_tasks.json")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
