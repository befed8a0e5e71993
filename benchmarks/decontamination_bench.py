"""Decontamination sweep: every generated and train task against the test split, by content.

Builds the content (instruction, fixture and expected file bytes, expected values) of N generated
osworld-lite tasks (`--generated`, round-robin over all families, `--seed`), of osworld-lite's
built-in train tasks and of M card_services generated train tasks (`--card`), checks each against
its environment's test split (`envs.decontamination`), and then checks deliberately leaked
copies of every test task (the instruction reworded, a train task with the test task's
fixtures) to show the check catches them.

Targets: 0 leaking generated or train tasks; every leaked copy caught; >= 5 osworld-lite tasks
checked per second (their fixtures are written to disk to be hashed: 1,000 tasks in under 3.5
minutes) and >= 20 card_services tasks per second.

    python benchmarks/decontamination_bench.py [--generated 1000] [--card 200] [--seed 0]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.targets import Targets  # noqa: E402
from envs import decontamination as d  # noqa: E402


def _reworded(text: str) -> str:
    return "Please, " + text[:1].lower() + text[1:].rstrip(".") + "!"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--generated", type=int, default=1000)
    ap.add_argument("--card", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    targets = Targets("decontamination_bench")

    from envs.osworld_lite.generated import FAMILIES, generate_tasks
    from envs.osworld_lite.suite import load_builtin_tasks

    osworld_test = d.osworld_builtin("test")
    index = d.TestIndex(osworld_test)
    started = time.monotonic()
    tasks = generate_tasks(args.generated, args.seed)
    generated = [d.osworld_content(t) for t in tasks]
    leaks = [leak for c in generated for leak in index.leaks(c)]
    seconds = time.monotonic() - started
    distinct = len({c.instruction for c in generated})
    print(f"osworld-lite generated: {len(generated)} tasks ({distinct} distinct instructions) from "
          f"{len({getattr(t, 'family', '') for t in tasks})} of {len(FAMILIES)} families, checked against "
          f"{index.size} test tasks in {seconds:.1f} s")
    for leak in leaks[:10]:
        print(f"  leak: {leak}")
    targets.at_most("leaking generated osworld-lite tasks", len({x.task_id for x in leaks}), 0)
    targets.at_least("osworld-lite tasks checked per second", len(generated) / seconds, 5, "/s")

    train_leaks = d.check(d.osworld_builtin("train"), osworld_test).leaks
    targets.at_most("leaking built-in osworld-lite train tasks", len(train_leaks), 0)

    started = time.monotonic()
    card = d.check(d.card_services_train(args.card, args.seed), d.card_services_test())
    seconds = time.monotonic() - started
    print(f"card_services generated: {card.checked} tasks against {card.test_tasks} test tasks in {seconds:.2f} s")
    targets.at_most("leaking card_services train tasks", len(card.leaking_ids), 0)
    targets.at_least("card_services tasks checked per second", card.checked / seconds, 20, "/s")

    # Deliberate leaks: each test task reworded, and each test task's setup under a new instruction.
    caught = planted = 0
    for test in load_builtin_tasks():
        if test.split != "test":
            continue
        planted += 1
        reworded = d.TaskContent("osworld-lite", f"leak-{test.id}", "train", _reworded(test.instruction))
        caught += any(x.test_task_id == test.id for x in index.leaks(reworded))
        copied = next(c for c in osworld_test if c.task_id == test.id)
        if copied.files:
            planted += 1
            refiled = d.TaskContent("osworld-lite", f"refiled-{test.id}", "train", "An instruction of its own.",
                                    files=copied.files)
            # (a fixture several test tasks share is reported under the first of them)
            caught += any(x.kind == "file" for x in index.leaks(refiled))
    print(f"deliberate leaks: {caught} of {planted} caught")
    targets.at_least("deliberate leaks caught (share)", caught / planted, 1.0)
    return targets.finish()


if __name__ == "__main__":
    sys.exit(main())
