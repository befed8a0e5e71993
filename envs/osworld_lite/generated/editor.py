"""Text-editor families: mousepad edits of config files, lists and notes, checked by comparing
the saved file with the expected text (`compare_text_file`)."""
from __future__ import annotations

import random

from envs.osworld_lite.generated import words as w
from envs.osworld_lite.generated.base import (
    DONE, HOME, Ctx, Draft, Family, copy_step, fixture_spec, hotkey, launch_step, open_step, press,
    text_writer, typing, vm_file, wait,
)

APPS = ["mousepad"]
SETTINGS = ("port|timeout|workers|max_clients|retries|log_level|cache_size|bind_address|batch_size|"
            "poll_interval|region|theme|language|backup_hour|queue_limit").split("|")


def _value(rng: random.Random, key: str) -> str:
    if key in ("log_level",):
        return rng.choice(["debug", "info", "warning", "error"])
    if key in ("bind_address",):
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if key in ("region", "theme", "language"):
        return rng.choice(w.WORDS)
    return str(rng.randint(2, 65000))


def _save(settle: float = 1.0) -> list:
    return [hotkey("ctrl", "s"), wait(settle), DONE]


def _task(ctx: Ctx, rng: random.Random, folder: str, name: str, before: str, after: str,
          instruction: str, edits: list) -> Draft:
    path = f"{HOME}/{folder}/{name}"
    src = ctx.fixture(name, text_writer(before))
    exp = ctx.fixture(f"expected-{name}", text_writer(after))
    evaluator = {"func": "compare_text_file", "result": vm_file(path), "expected": fixture_spec(exp)}
    return Draft(instruction, [copy_step(src, path), open_step(path)], evaluator, [*edits, *_save()],
                 APPS, "text_editor")


def set_value(rng: random.Random, ctx: Ctx) -> Draft:
    keys = rng.sample(SETTINGS, rng.randint(4, 8))
    values = {k: _value(rng, k) for k in keys}
    section = rng.choice(w.SERVICES)
    target_i = rng.randrange(len(keys))
    key = keys[target_i]
    new = _value(rng, key)
    while new == values[key]:
        new = _value(rng, key)
    lines = [f"[{section}]"] + [f"{k} = {values[k]}" for k in keys]
    after = list(lines)
    after[target_i + 1] = f"{key} = {new}"
    name = f"{section}.{rng.choice(['ini', 'conf', 'cfg'])}"
    folder = rng.choice(["app", "etc", "config", "services"])
    instruction = rng.choice([
        "In ~/{d}/{n}, set {k} to {v} (it is {o} now) and save the file.",
        "Edit ~/{d}/{n} so that {k} is {v} instead of {o}. Keep everything else and save.",
    ]).format(d=folder, n=name, k=key, v=new, o=values[key])
    edits = [hotkey("ctrl", "home"), *[press("down")] * (target_i + 1), press("home"), hotkey("shift", "end"),
             typing(f"{key} = {new}")]
    return _task(ctx, rng, folder, name, "\n".join(lines) + "\n", "\n".join(after) + "\n", instruction, edits)


def replace_all(rng: random.Random, ctx: Ctx) -> Draft:
    old, new = rng.sample(w.REGIONS, 2)
    lines = []
    for _ in range(rng.randint(4, 8)):
        s = w.sentence(rng)
        lines.append(s[:-1] + f" at the {old} site." if rng.random() < 0.6 else s)
    if not any(old in ln for ln in lines):
        lines[0] = lines[0][:-1] + f" at the {old} site."
    before = "\n".join(lines) + "\n"
    after = before.replace(old, new)
    name = f"{rng.choice(w.NOUNS)}-{w.token(rng)}.txt"
    folder = rng.choice(["notes", "memos", "drafts"])
    instruction = rng.choice([
        "The site {o} was renamed {n}. Replace every {o} in ~/{d}/{f} with {n} and save.",
        "In ~/{d}/{f}, change all occurrences of \"{o}\" to \"{n}\", then save the file.",
    ]).format(o=old, n=new, d=folder, f=name)
    edits = [hotkey("ctrl", "r"), wait(1.0), typing(old), press("tab"), typing(new), hotkey("alt", "a"),
             hotkey("alt", "r"), wait(0.5), press("escape")]
    return _task(ctx, rng, folder, name, before, after, instruction, edits)


def append_entry(rng: random.Random, ctx: Ctx) -> Draft:
    hosts = rng.sample(w.HOSTS, rng.randint(3, 6))
    net = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}"
    lines = [f"{h}-{rng.randint(1, 9):02d}:{net}.{rng.randint(2, 254)}" for h in hosts[1:]]
    new_host = f"{hosts[0]}-{rng.randint(10, 99)}"
    new_ip = f"{net}.{rng.randint(2, 254)}"
    name = rng.choice(["inventory", "machines", "nodes", "fleet"]) + ".txt"
    folder = rng.choice(["ops", "infra", "lab"])
    before = "\n".join(lines) + "\n"
    after = before + f"{new_host}:{new_ip}\n"
    instruction = rng.choice([
        "Add {h} with the address {i} as the last line of ~/{d}/{n}, written like the existing lines, and save.",
        "A new machine, {h} ({i}), joined the network. Append it to ~/{d}/{n} in the same host:address format and save.",
    ]).format(h=new_host, i=new_ip, d=folder, n=name)
    return _task(ctx, rng, folder, name, before, after, instruction,
                 [hotkey("ctrl", "end"), typing(f"{new_host}:{new_ip}\n")])


def delete_line(rng: random.Random, ctx: Ctx) -> Draft:
    items = [f"{p} - {rng.choice(w.TOPICS)}" for p in w.people(rng, rng.randint(4, 7))]
    i = rng.randrange(len(items))
    who = items[i].split(" - ")[0]
    before = "\n".join(items) + "\n"
    after = "\n".join(items[:i] + items[i + 1:]) + "\n"
    name = rng.choice(["assignments", "owners", "roster", "duties"]) + f"-{rng.choice(w.MONTHS).lower()}.txt"
    folder = rng.choice(["team", "planning", "notes"])
    instruction = rng.choice([
        "{p} left the team: delete their line from ~/{d}/{n} and save. Keep the other lines unchanged.",
        "Remove the entry for {p} from ~/{d}/{n} (the whole line) and save the file.",
    ]).format(p=who, d=folder, n=name)
    edits = [hotkey("ctrl", "home"), *[press("down")] * i, press("home"), hotkey("shift", "down"), press("delete")]
    return _task(ctx, rng, folder, name, before, after, instruction, edits)


def prepend_header(rng: random.Random, ctx: Ctx) -> Draft:
    kind = rng.choice([("py", "#"), ("sh", "#"), ("sql", "--"), ("yaml", "#"), ("lua", "--")])
    ext, mark = kind
    body = [f"{mark} {w.sentence(rng)}"] + [f"value_{i} = {rng.randint(1, 999)}" if ext != "sql" else
                                             f"SELECT {rng.randint(1, 999)};" for i in range(rng.randint(2, 5))]
    header = f"{mark} Owner: {w.person(rng)} ({rng.choice(w.TEAMS)})"
    name = f"{w.token(rng).replace('-', '_')}.{ext}"
    folder = rng.choice(["scripts", "jobs", "src"])
    before = "\n".join(body) + "\n"
    after = header + "\n" + before
    instruction = rng.choice([
        "Insert the line \"{h}\" at the very top of ~/{d}/{n}, above everything else, and save.",
        "~/{d}/{n} needs an owner comment as its first line. Add exactly \"{h}\" there and save the file.",
    ]).format(h=header, d=folder, n=name)
    return _task(ctx, rng, folder, name, before, after, instruction, [hotkey("ctrl", "home"), typing(header + "\n")])


def new_list_file(rng: random.Random, ctx: Ctx) -> Draft:
    items = [f"{rng.choice(['Call', 'Email', 'Visit', 'Thank', 'Remind'])} {w.person(rng)} about {rng.choice(w.TOPICS)}"
             for _ in range(rng.randint(2, 4))]
    name = f"{rng.choice(['todo', 'followups', 'reminders', 'calls'])}-{w.token(rng)}.txt"
    exp = ctx.fixture(f"expected-{name}", text_writer("\n".join(items) + "\n"))
    instruction = rng.choice([
        "Write these items in the text editor, one per line, and save the file as {n} in my home folder: {i}.",
        "Start a new note in the editor with one line per item — {i} — and save it in my home folder under the name {n}.",
    ]).format(n=name, i="; ".join(items))
    evaluator = {"func": "compare_text_file", "result": vm_file(f"{HOME}/{name}"), "expected": fixture_spec(exp)}
    solution = [typing("\n".join(items) + "\n"), hotkey("ctrl", "s"), wait(1.5), typing(name), wait(1.0),
                press("enter"), wait(1.5), DONE]
    return Draft(instruction, [launch_step("mousepad")], evaluator, solution, APPS, "text_editor")


FAMILIES = [
    Family("editor-set-value", "text_editor", set_value, "change one setting's value in a config file"),
    Family("editor-replace-all", "text_editor", replace_all, "replace every occurrence of a name (search and replace)"),
    Family("editor-append-entry", "text_editor", append_entry, "append a host:address line in the file's format"),
    Family("editor-delete-line", "text_editor", delete_line, "delete one person's line from a list"),
    Family("editor-prepend-header", "text_editor", prepend_header, "insert an owner comment as the first line"),
    Family("editor-new-list-file", "text_editor", new_list_file, "write a list in a new file and save it under a name"),
]
