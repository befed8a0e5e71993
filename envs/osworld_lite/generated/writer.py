"""LibreOffice Writer families: replace, align, bold, append and tabulate in generated .docx
files, checked with `compare_docx_files`, `check_docx_paragraphs` and `check_docx_table`."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from docx import Document

from envs.osworld_lite.generated import words as w
from envs.osworld_lite.generated.base import (
    HOME, Ctx, Draft, Family, copy_step, fixture_spec, hotkey, office_save, open_step, press, rule, typing,
    vm_file, wait,
)

APPS = ["libreoffice_writer"]


def doc_writer(paragraphs: list[str]) -> Any:
    def write(path: Path) -> None:
        doc = Document()
        for text in paragraphs:
            doc.add_paragraph(text)
        doc.save(path)
    return write


def _body(rng: random.Random, n: int) -> list[str]:
    return [w.sentence(rng) for _ in range(n)]


def _doc_task(ctx: Ctx, rng: random.Random, paragraphs: list[str], instruction_fmt: list[str], fmt: dict[str, Any],
              funcs: list[str], expecteds: list[Any], edits: list, name: str | None = None,
              expected_paragraphs: list[str] | None = None) -> Draft:
    name = name or f"{rng.choice(w.NOUNS)}_{w.token(rng).replace('-', '_')}.docx"
    path = f"{HOME}/Documents/{name}"
    src = ctx.fixture(name, doc_writer(paragraphs))
    if expected_paragraphs is not None:
        exp = ctx.fixture(f"expected-{name}", doc_writer(expected_paragraphs))
        funcs, expecteds = [*funcs, "compare_docx_files"], [*expecteds, fixture_spec(exp)]
    instruction = rng.choice(instruction_fmt).format(n=name, **fmt)
    evaluator = {"func": funcs, "conj": "and", "result": [vm_file(path)] * len(funcs), "expected": expecteds}
    return Draft(instruction, [copy_step(src, path), open_step(path)], evaluator,
                 [wait(2.0), *edits, *office_save()], APPS, "writer")


def replace_name(rng: random.Random, ctx: Ctx) -> Draft:
    old, new = (f"{a} {b}" for a, b in (rng.sample(w.WORDS, 2), rng.sample(w.WORDS, 2)))
    old, new = old.title() + " Ltd", new.title() + " Group"
    paragraphs = [f"{rng.choice(w.NOUNS).title()} for {old}"] + [
        s[:-1] + f" for {old}." if rng.random() < 0.5 else s for s in _body(rng, rng.randint(3, 5))]
    expected = [p.replace(old, new) for p in paragraphs]
    edits = [hotkey("ctrl", "h"), wait(1.5), typing(old), *[press("tab")] * 4, typing(new), *[press("tab")] * 6,
             press("enter"), wait(1.0), press("escape"), wait(0.5)]
    return _doc_task(ctx, rng, paragraphs, [
        "{o} is now called {w}. Replace every occurrence of {o} in ~/Documents/{n} with {w} and save it as a Word file.",
        "Update ~/Documents/{n}: the company {o} has become {w}, so change the name everywhere in the document, then save (docx).",
    ], {"o": old, "w": new}, [], [], edits, expected_paragraphs=expected)


def center_title(rng: random.Random, ctx: Ctx) -> Draft:
    title = f"{rng.choice(w.NOUNS).title()}: {rng.choice(w.TOPICS)[4:].capitalize()}"
    body = _body(rng, rng.randint(2, 5))
    paragraphs = [title, *body]
    check = rule(paragraphs=[{"contains": body[0][:30], "alignment": "left"}])
    return _doc_task(ctx, rng, paragraphs, [
        "Center the heading line \"{t}\" at the top of ~/Documents/{n}; leave the other paragraphs aligned as they are. Save.",
        "In ~/Documents/{n}, only the first line (\"{t}\") should be centred. Do that and save the document.",
    ], {"t": title}, ["is_first_line_centered", "check_docx_paragraphs"], [None, check],
        [hotkey("ctrl", "home"), hotkey("ctrl", "e")], expected_paragraphs=paragraphs)


def bold_paragraph(rng: random.Random, ctx: Ctx) -> Draft:
    marker = rng.choice(["Important:", "Note:", "Reminder:", "Deadline:", "Action:"])
    body = _body(rng, rng.randint(3, 6))
    i = rng.randint(1, len(body) - 1)
    body[i] = f"{marker} {body[i]}"
    paragraphs = [f"{rng.choice(w.NOUNS).title()} {rng.choice(w.MONTHS)}", *body]
    k = i + 1  # paragraph index of the marked one
    others = [p for j, p in enumerate(paragraphs) if j not in (0, k)]
    check = rule(paragraphs=[{"contains": marker, "bold": True}] + [{"contains": p[:30], "bold": False} for p in others])
    edits = [hotkey("ctrl", "home"), *[hotkey("ctrl", "down")] * k, hotkey("ctrl", "shift", "down"), hotkey("ctrl", "b")]
    return _doc_task(ctx, rng, paragraphs, [
        "Make the paragraph beginning with \"{m}\" in ~/Documents/{n} bold (the whole paragraph, nothing else) and save.",
        "The \"{m}\" paragraph of ~/Documents/{n} must stand out: set all of it in bold, leave the rest unchanged, save.",
    ], {"m": marker}, ["check_docx_paragraphs"], [check], edits, expected_paragraphs=paragraphs)


def append_paragraph(rng: random.Random, ctx: Ctx) -> Draft:
    paragraphs = [f"{rng.choice(w.NOUNS).title()} — {rng.choice(w.REGIONS)}", *_body(rng, rng.randint(2, 4))]
    line = f"Questions go to {w.person(rng)} on extension {rng.randint(100, 999)}."
    check = rule(paragraphs=[{"contains": line}])
    return _doc_task(ctx, rng, paragraphs, [
        "Add the sentence \"{l}\" as a new last paragraph of ~/Documents/{n} and save it in Word format.",
        "Finish ~/Documents/{n} with one more paragraph at the end: \"{l}\". Save the document.",
    ], {"l": line}, ["check_docx_paragraphs"], [check],
        [hotkey("ctrl", "end"), press("enter"), typing(line)], expected_paragraphs=[*paragraphs, line])


def add_table(rng: random.Random, ctx: Ctx) -> Draft:
    heads = rng.choice([("Name", "Phone"), ("Name", "Room"), ("Item", "Price"), ("Task", "Owner")])
    n = rng.randint(1, 3)
    rows = []
    for _ in range(n):
        if heads[1] == "Phone":
            rows.append([w.person(rng), w.phone(rng)])
        elif heads[1] == "Room":
            rows.append([w.person(rng), f"{rng.choice('ABC')}{rng.randint(100, 499)}"])
        elif heads[1] == "Price":
            rows.append([rng.choice(w.PRODUCTS), f"{rng.randint(2, 400)}.{rng.randint(0, 99):02d}"])
        else:
            rows.append([rng.choice(w.TOPICS)[4:].capitalize(), w.person(rng)])
    table = [list(heads), *rows]
    paragraphs = [f"{rng.choice(w.TEAMS)} {rng.choice(w.NOUNS)}", *_body(rng, rng.randint(1, 3))]
    spelled = "; ".join(" | ".join(r) for r in table)
    cells = "\t".join(c for r in table for c in r)
    edits = [hotkey("ctrl", "end"), press("enter"), hotkey("ctrl", "f12"), wait(1.5), press("enter"), wait(1.0),
             typing(cells)]
    return _doc_task(ctx, rng, paragraphs, [
        "At the end of ~/Documents/{n}, insert a two-column table with these rows (the first is the header): {t}. Save the document.",
        "Append a table to ~/Documents/{n} with two columns and the rows {t} (header first), then save.",
    ], {"t": spelled}, ["check_docx_table"], [rule(rows=table)], edits, expected_paragraphs=paragraphs)


FAMILIES = [
    Family("writer-replace-name", "writer", replace_name, "find and replace a company name everywhere"),
    Family("writer-center-title", "writer", center_title, "centre only the title line"),
    Family("writer-bold-paragraph", "writer", bold_paragraph, "bold the paragraph that starts with a marker"),
    Family("writer-append-paragraph", "writer", append_paragraph, "add a sentence as the last paragraph"),
    Family("writer-add-table", "writer", add_table, "append a two-column table with given rows"),
]
