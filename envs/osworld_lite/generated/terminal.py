"""Terminal and file-management families: the agent works in xterm (or pcmanfm) on files the
task puts in HOME; checks read the files back with OSWorld's getters and metrics."""
from __future__ import annotations

import random

from envs.osworld_lite.generated import words as w
from envs.osworld_lite.generated.base import (
    DONE, HOME, Ctx, Draft, Family, command, copy_step, execute_step, fixture_spec, hotkey,
    launch_step, open_step, press, rule, shell, text_writer, tree_writer, typing, vm_file, wait,
)

XTERM = launch_step("xterm")
TERMINAL_APPS = ["os", "terminal"]


def _draft(instruction: str, config: list, evaluator: dict, solution: list, domain: str = "os") -> Draft:
    apps = TERMINAL_APPS if domain == "os" else ["files", "terminal"]
    return Draft(instruction, config, evaluator, solution, apps, domain)


def make_tree(rng: random.Random, ctx: Ctx) -> Draft:
    parent = rng.choice(["projects", "work", "src", "sandbox", "repos", "code"])
    name = w.token(rng)
    subs = sorted(rng.sample(["assets", "bin", "config", "data", "docs", "lib", "notebooks", "scripts",
                              "src", "static", "templates", "tests", "tools", "vendor"], rng.randint(2, 4)))
    note = rng.choice(["README.md", "NOTES.txt", "CHANGELOG.md", "TODO.txt", "LICENSE", ".gitignore"])
    listing = " ".join(sorted([".", f"./{note}", *(f"./{s}" for s in subs)])) + " "
    instruction = rng.choice([
        "Set up a new folder ~/{p}/{n} with the empty subfolders {s}, and an empty file {f} directly inside {n}.",
        "I need a project layout: create ~/{p}/{n} containing empty folders {s} plus an empty {f} file at its top level.",
    ]).format(p=parent, n=name, s=", ".join(subs), f=note)
    evaluator = {"func": "exact_match",
                 "result": command(f"cd ~/{parent}/{name} 2>/dev/null && find . | sort | tr '\\n' ' '"),
                 "expected": rule(expected=listing)}
    cmd = f"mkdir -p {' '.join(f'~/{parent}/{name}/{s}' for s in subs)} && touch ~/{parent}/{name}/{note}"
    return _draft(instruction, [XTERM], evaluator, shell(cmd))


def _log_lines(rng: random.Random, n: int, service: str) -> list[str]:
    lines = []
    minute = rng.randint(0, 600)
    day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    for _ in range(n):
        minute += rng.randint(1, 9)
        level = rng.choices(w.LEVELS, weights=(2, 3, 6, 2))[0]
        msg = rng.choice(["request to {h} took {n} ms", "retrying job {n} on {h}", "cache miss for key {h}-{n}",
                          "user {n} signed in from {h}", "queue depth is {n}", "worker {h} restarted after {n} s",
                          "disk usage on {h} at {n} percent"]).format(h=rng.choice(w.HOSTS), n=rng.randint(2, 9999))
        lines.append(f"{day} {minute // 60 % 24:02d}:{minute % 60:02d}:{rng.randint(0, 59):02d} {level} [{service}] {msg}")
    return lines


def grep_level(rng: random.Random, ctx: Ctx) -> Draft:
    service = rng.choice(w.SERVICES)
    lines = _log_lines(rng, rng.randint(25, 60), service)
    level = rng.choice(["ERROR", "WARN"])
    if not any(f" {level} " in ln for ln in lines):
        lines[rng.randrange(len(lines))] = lines[0].replace(" INFO ", f" {level} ").replace(" DEBUG ", f" {level} ")
    picked = [ln for ln in lines if f" {level} " in ln]
    out = f"{rng.choice(['triage', 'incidents', 'for-review', 'escalate', 'extract'])}-{level.lower()}-{rng.randint(1, 999)}.log"
    src = ctx.fixture(f"{service}.log", text_writer("\n".join(lines) + "\n"))
    exp = ctx.fixture(f"expected-{out}", text_writer("\n".join(picked) + "\n"))
    instruction = rng.choice([
        "Copy all {lv} lines of ~/logs/{s}.log, in their original order, into a new file ~/logs/{o}.",
        "I only care about the {lv} entries in ~/logs/{s}.log. Save exactly those lines, in the same order, as ~/logs/{o}.",
    ]).format(lv=level, s=service, o=out)
    evaluator = {"func": "compare_text_file", "result": vm_file(f"{HOME}/logs/{out}"), "expected": fixture_spec(exp)}
    return _draft(instruction, [copy_step(src, f"~/logs/{service}.log"), XTERM], evaluator,
                  shell(f"grep ' {level} ' ~/logs/{service}.log > ~/logs/{out}"))


def count_matches(rng: random.Random, ctx: Ctx) -> Draft:
    regions = rng.sample(w.REGIONS, rng.randint(3, 6))
    target = rng.choice(regions)
    rows = [f"{rng.randint(1000, 9999)},{rng.choice(regions)},{rng.choice(w.PRODUCTS)},{rng.randint(5, 900)}"
            for _ in range(rng.randint(20, 45))]
    if not any(f",{target}," in r for r in rows):
        rows[0] = rows[0].split(",")[0] + f",{target}," + ",".join(rows[0].split(",")[2:])
    count = sum(f",{target}," in r for r in rows)
    name = rng.choice(["orders", "shipments", "deliveries", "returns", "bookings"]) + f"_{rng.randint(2019, 2026)}.csv"
    out = rng.choice(["count", "total", "answer", "result"]) + f"_{w.slug(target)}.txt"
    src = ctx.fixture(name, text_writer("id,region,product,quantity\n" + "\n".join(rows) + "\n"))
    instruction = rng.choice([
        "How many records in ~/data/{n} are for the {r} region? Put just that number in ~/{o}.",
        "Count the rows of ~/data/{n} whose region is {r} and write the count (only the number) to the file ~/{o}.",
    ]).format(n=name, r=target, o=out)
    evaluator = {"func": "exact_match", "result": command(f"cat ~/{out} 2>/dev/null | tr -d ' \\n'"),
                 "expected": rule(expected=str(count))}
    return _draft(instruction, [copy_step(src, f"~/data/{name}"), XTERM], evaluator,
                  shell(f"grep -c ',{target},' ~/data/{name} > ~/{out}"))


MODES = {"600": "readable and writable by me only, with no access for anyone else",
         "640": "readable and writable by me, readable by my group, and closed to everyone else",
         "644": "readable and writable by me and read-only for everybody else",
         "700": "fully accessible to me (read, write, execute) and to nobody else",
         "750": "readable, writable and executable by me, readable and executable by my group, nothing for others",
         "755": "executable by everyone, but writable only by me",
         "400": "read-only for me, and not accessible at all to anyone else"}


def chmod_mode(rng: random.Random, ctx: Ctx) -> Draft:
    mode = rng.choice(sorted(MODES))
    start = rng.choice([m for m in ("664", "666", "775", "777", "604") if m != mode])
    folder = rng.choice(["bin", "keys", "private", "deploy", "secrets", "tools"])
    ext = ".sh" if mode in ("700", "750", "755") else rng.choice([".pem", ".key", ".conf", ".env", ".txt"])
    name = w.token(rng) + ext
    body = (f"#!/bin/sh\necho {w.token(rng)}\n" if ext == ".sh" else f"# {w.sentence(rng)}\nvalue={rng.randint(1, 10**6)}\n")
    src = ctx.fixture(name, text_writer(body))
    phrase = MODES[mode] if rng.random() < 0.6 else f"mode {mode}"
    instruction = f"Change the permissions of ~/{folder}/{name} so that it is {phrase}." if not phrase.startswith("mode") \
        else f"Give ~/{folder}/{name} the permission bits {mode} (octal)."
    evaluator = {"func": "exact_match", "result": command(f"stat -c %a ~/{folder}/{name} | tr -d '\\n'"),
                 "expected": rule(expected=mode)}
    config = [copy_step(src, f"~/{folder}/{name}"), execute_step(f"chmod {start} ~/{folder}/{name}"), XTERM]
    return _draft(instruction, config, evaluator, shell(f"chmod {mode} ~/{folder}/{name}"))


def sort_unique(rng: random.Random, ctx: Ctx) -> Draft:
    names = w.people(rng, rng.randint(6, 12))
    entries = names + rng.sample(names, rng.randint(2, 5))
    rng.shuffle(entries)
    what = rng.choice(["attendees", "signups", "visitors", "volunteers", "participants"])
    what = f"{what}-{rng.choice(w.WORDS)}"
    src = ctx.fixture(f"{what}.txt", text_writer("\n".join(entries) + "\n"))
    out = f"{what}_{rng.choice(['clean', 'final', 'sorted', 'unique'])}.txt"
    exp = ctx.fixture(f"expected-{out}", text_writer("\n".join(sorted(set(names))) + "\n"))
    instruction = rng.choice([
        "~/lists/{s}.txt has one name per line with some names repeated. Write every name once, sorted alphabetically, to ~/lists/{o}.",
        "Make a de-duplicated, alphabetically sorted copy of the names in ~/lists/{s}.txt and save it as ~/lists/{o} (one name per line).",
    ]).format(s=what, o=out)
    evaluator = {"func": "compare_text_file", "result": vm_file(f"{HOME}/lists/{out}"), "expected": fixture_spec(exp)}
    return _draft(instruction, [copy_step(src, f"~/lists/{what}.txt"), XTERM], evaluator,
                  shell(f"LC_ALL=C sort -u ~/lists/{what}.txt > ~/lists/{out}"))


def _version(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randint(0, 9), rng.randint(0, 19), rng.randint(0, 30))


def symlink_latest(rng: random.Random, ctx: Ctx) -> Draft:
    versions: set[tuple[int, int, int]] = set()
    count = rng.randint(3, 6)
    while len(versions) < count:
        versions.add(_version(rng))
    app = rng.choice(w.SERVICES)
    newest = "v{}.{}.{}".format(*max(versions))
    files = {"v{}.{}.{}/VERSION".format(*v): "{}.{}.{}\n".format(*v) for v in versions}
    root = f"{app}-{rng.choice(w.WORDS)}-releases"
    src = ctx.fixture(root, tree_writer(files))
    link = rng.choice(["current", "latest", "live", "active"])
    instruction = rng.choice([
        "Each folder in ~/{r} is one release of {a}. Create a symbolic link ~/{l} pointing to the newest release folder (highest version number).",
        "Point a new symlink named {l} in my home directory at the most recent {a} release in ~/{r} (compare the version numbers).",
    ]).format(r=root, a=app, l=link)
    evaluator = {"func": "exact_match", "result": command(f"[ -L ~/{link} ] && readlink -f ~/{link} | tr -d '\\n'"),
                 "expected": rule(expected=f"{HOME}/{root}/{newest}")}
    return _draft(instruction, [copy_step(src, f"~/{root}"), XTERM], evaluator,
                  shell(f"ln -s ~/{root}/{newest} ~/{link}"))


def _files_of(rng: random.Random, exts: list[str], n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        names.add(f"{w.token(rng)}-{rng.randint(1, 99)}.{rng.choice(exts)}")
    return sorted(names)


def move_by_extension(rng: random.Random, ctx: Ctx) -> Draft:
    exts = rng.sample(w.EXTENSIONS, 3)
    target = exts[0]
    names = _files_of(rng, exts, rng.randint(6, 12))
    if not any(n.endswith("." + target) for n in names):
        names[0] = names[0].rsplit(".", 1)[0] + "." + target
    inbox = rng.choice(["Downloads", "inbox", "unsorted", "Desktop"])
    dest = f"{rng.choice(['archive', 'sorted', 'keep', 'filed'])}-{rng.choice(w.WORDS)}/{target}"
    src = ctx.fixture(inbox, tree_writer({n: f"{n} {rng.randint(1, 10**6)}\n" for n in names}))
    moved = [n for n in names if n.endswith("." + target)]
    stay = [n for n in names if n not in moved]
    instruction = rng.choice([
        "Move every .{e} file from ~/{i} into the folder ~/{d} (create it). Leave all other files where they are.",
        "Clean up ~/{i}: all the .{e} files go to ~/{d}, which does not exist yet; nothing else moves.",
    ]).format(e=target, i=inbox, d=dest)
    evaluator = {"func": "check_include_exclude",
                 "result": command(f"cd ~ && find {inbox} {dest.split('/')[0]} -type f 2>/dev/null | sort"),
                 "expected": rule(include=[f"{dest}/{n}" for n in moved] + [f"{inbox}/{n}" for n in stay],
                                  exclude=[f"{inbox}/{n}" for n in moved])}
    return _draft(instruction, [copy_step(src, f"~/{inbox}"), XTERM], evaluator,
                  shell(f"mkdir -p ~/{dest} && mv ~/{inbox}/*.{target} ~/{dest}/"), domain="files")


def backup_folder(rng: random.Random, ctx: Ctx) -> Draft:
    folder = rng.choice(w.NOUNS) + "s"
    files = {f"{rng.choice(['', 'old/', 'drafts/'])}{w.token(rng)}.txt": w.sentence(rng) + "\n" for _ in range(rng.randint(3, 7))}
    src = ctx.fixture(folder, tree_writer(files))
    suffix = rng.choice([f"{rng.randint(2020, 2026)}", f"{rng.choice(w.MONTHS).lower()}", "copy", "old", "snapshot"])
    dest = f"{rng.choice(['backup', 'backups', 'safe', 'vault'])}/{folder}_{suffix}"
    instruction = rng.choice([
        "Back up ~/{f}: copy the folder with everything in it to ~/{d}.",
        "Before I reorganise ~/{f}, put a full copy of it (all subfolders and files) at ~/{d}.",
    ]).format(f=folder, d=dest)
    evaluator = {"func": "exact_match",
                 "result": command(f"[ -d ~/{folder} ] && diff -r ~/{folder} ~/{dest} >/dev/null 2>&1 && printf same"),
                 "expected": rule(expected="same")}
    return _draft(instruction, [copy_step(src, f"~/{folder}"), XTERM], evaluator,
                  shell(f"mkdir -p ~/{dest.split('/')[0]} && cp -r ~/{folder} ~/{dest}"), domain="files")


def find_by_content(rng: random.Random, ctx: Ctx) -> Draft:
    kind = rng.choice(["invoice", "receipt", "contract", "ticket", "order"])
    prefix = {"invoice": "INV", "receipt": "RCT", "contract": "CTR", "ticket": "TCK", "order": "ORD"}[kind]
    numbers = rng.sample(range(1000, 9999), rng.randint(6, 10))
    files: dict[str, str] = {}
    for n in numbers:
        path = f"{rng.randint(2019, 2025)}/{rng.randint(1, 12):02d}/{kind}-{n}.txt"
        files[path] = f"{prefix}-{n}\nCustomer: {w.person(rng)}\nAmount: {rng.randint(10, 5000)}.00\n"
    wanted_path = rng.choice(sorted(files))
    number = wanted_path.rsplit("-", 1)[1].split(".")[0]
    customer = files[wanted_path].splitlines()[1].split(": ")[1]
    root = rng.choice(["archive", "records", "old-mail", "scans"])
    dest = rng.choice(["Desktop", "to-print", "outbox", "share"])
    src = ctx.fixture(root, tree_writer(files))
    base = wanted_path.rsplit("/", 1)[1]
    instruction = rng.choice([
        "One file somewhere under ~/{r} holds {k} number {p}-{n}. Put a copy of that file into ~/{d} with the same file name.",
        "Find the {k} {p}-{n} in the folders under ~/{r} and copy it (keeping its name) to ~/{d}.",
    ]).format(r=root, k=kind, p=prefix, n=number, d=dest)
    # A copy: the file is in ~/dest with its content, and still in its folder.
    evaluator = {"func": ["check_include_exclude", "exact_match"], "conj": "and",
                 "result": [command(f"cat ~/{dest}/{base}"),
                            command(f"[ -f ~/{root}/{wanted_path} ] && printf kept")],
                 "expected": [rule(include=[f"{prefix}-{number}", customer], exclude=[]), rule(expected="kept")]}
    config = [copy_step(src, f"~/{root}"), execute_step(f"mkdir -p ~/{dest}"), XTERM]
    return _draft(instruction, config, evaluator,
                  shell(f"cp \"$(grep -rl '{prefix}-{number}' ~/{root})\" ~/{dest}/"), domain="files")


def rename_in_file_manager(rng: random.Random, ctx: Ctx) -> Draft:
    stems: set[str] = set()
    count = rng.randint(3, 5)
    while len(stems) < count:
        stems.add(f"{w.token(rng)}-{rng.choice(['v1', 'v2', 'draft', 'old', 'tmp'])}")
    ordered = sorted(stems)
    old = rng.choice(ordered) + ".txt"
    new = f"{rng.choice(w.NOUNS)}-{rng.choice(w.WORDS)}-{rng.randint(1, 99)}.txt"
    folder = rng.choice(["Documents", "notes", "shared", "papers"])
    files = {s + ".txt": w.sentence(rng) + "\n" for s in ordered}
    src = ctx.fixture(folder, tree_writer(files))
    others = [f for f in files if f != old]
    instruction = rng.choice([
        "Using the file manager, rename {o} in ~/{f} to {n}.",
        "In the open file manager window, give the file {o} (in ~/{f}) the new name {n}.",
    ]).format(o=old, f=folder, n=new)
    evaluator = {"func": "check_include_exclude", "result": command(f"ls ~/{folder}"),
                 "expected": rule(include=[new, *others], exclude=[old])}
    solution = [wait(1.0), typing(old[:-4]), wait(0.5), press("escape"), press("f2"), wait(1.0),
                hotkey("ctrl", "a"), typing(new), press("enter"), wait(1.0), DONE]
    draft = _draft(instruction, [copy_step(src, f"~/{folder}"), open_step(f"{HOME}/{folder}")], evaluator,
                   solution, domain="files")
    draft.related_apps = ["files", "pcmanfm"]
    return draft


FAMILIES = [
    Family("os-make-tree", "os", make_tree, "create a folder tree with given subfolders and an empty file"),
    Family("os-grep-level", "os", grep_level, "copy the log lines of one level into a new file"),
    Family("os-count-matches", "os", count_matches, "count the CSV rows of one region, write the number"),
    Family("os-chmod-mode", "os", chmod_mode, "set a file's permission bits, asked in words or octal"),
    Family("os-sort-unique", "os", sort_unique, "write a sorted, de-duplicated copy of a name list"),
    Family("os-symlink-latest", "os", symlink_latest, "symlink to the highest-version release folder"),
    Family("files-move-by-extension", "files", move_by_extension, "move the files of one extension into a new folder"),
    Family("files-backup-folder", "files", backup_folder, "copy a folder tree to a backup location"),
    Family("files-find-by-content", "files", find_by_content, "find a file by the number inside it and copy it"),
    Family("files-rename-gui", "files", rename_in_file_manager, "rename a file in pcmanfm (type-ahead, F2)"),
]
