"""Multi-app families: read a figure in one application and write it with another (Calc to
Writer, a web page to a terminal-written note, Calc to the text editor)."""
from __future__ import annotations

import html
import random

from envs.osworld_lite.generated import words as w
from envs.osworld_lite.generated.base import (
    DONE, HOME, Ctx, Draft, Family, command, copy_step, hotkey, launch_step, office_save, open_step, press,
    rule, shell, site_steps, sq, tree_writer, typing, vm_file, wait,
)
from envs.osworld_lite.generated.calc import book_writer
from envs.osworld_lite.generated.chromium import page
from envs.osworld_lite.generated.writer import doc_writer


def sheet_total_to_memo(rng: random.Random, ctx: Ctx) -> Draft:
    regions = rng.sample(w.REGIONS, rng.randint(4, 7))
    rows = [(r, rng.randint(1000, 60000)) for r in regions]
    total = sum(v for _, v in rows)
    what = rng.choice(["Revenue", "Costs", "Donations", "Orders"])
    book = f"{what.lower()}_{rng.choice(w.WORDS)}.xlsx"
    memo = f"memo_{w.token(rng).replace('-', '_')}.docx"
    paragraphs = [f"{rng.choice(w.NOUNS).title()} update", w.sentence(rng), w.sentence(rng)]
    line = f"Total {what.lower()}: {total}"
    src_book = ctx.fixture(book, book_writer(what, [("Region", what), *rows]))
    src_memo = ctx.fixture(memo, doc_writer(paragraphs))
    instruction = rng.choice([
        "Append a final paragraph \"Total {lw}: N\" to ~/Documents/{m}, where N is the sum of the {w} column of ~/Documents/{b} "
        "(a whole number without separators). Save the memo as a Word document.",
        "Work out the total of the {w} column in ~/Documents/{b} and add it to the end of ~/Documents/{m} as a new paragraph "
        "reading \"Total {lw}: N\" (N as a plain whole number). Save the memo (docx).",
    ]).format(lw=what.lower(), m=memo, w=what, b=book)
    evaluator = {"func": "check_docx_paragraphs", "result": vm_file(f"{HOME}/Documents/{memo}"),
                 "expected": rule(paragraphs=[{"contains": line}, {"contains": paragraphs[1][:30]}])}
    config = [copy_step(src_book, f"{HOME}/Documents/{book}"), copy_step(src_memo, f"{HOME}/Documents/{memo}"),
              open_step(f"{HOME}/Documents/{memo}")]
    solution = [wait(2.0), hotkey("ctrl", "end"), press("enter"), typing(line), *office_save()]
    return Draft(instruction, config, evaluator, solution, ["libreoffice_writer", "libreoffice_calc"], "multi_apps")


def web_contact_to_note(rng: random.Random, ctx: Ctx) -> Draft:
    roles = rng.sample(["Payroll contact", "Fire warden", "First aider", "Building manager", "Network admin",
                        "Travel desk", "Privacy officer", "Key holder", "Mail room", "Safety lead"], rng.randint(3, 6))
    staff = [(p, r, w.phone(rng)) for p, r in zip(w.people(rng, len(roles)), roles)]
    who, role, tel = rng.choice(staff)
    path = f"{rng.choice(['people', 'contacts', 'directory'])}-{rng.randint(1, 99)}.html"
    table = "".join(f"<tr><td>{html.escape(p)}</td><td>{html.escape(r)}</td><td>{t}</td></tr>" for p, r, t in staff)
    site_name = f"{rng.choice(w.REGIONS)} staff directory"
    files = {path: page(site_name, f"<table><tr><th>Name</th><th>Role</th><th>Phone</th></tr>{table}</table>")}
    src = ctx.fixture("site", tree_writer(files))
    note = f"{w.slug(role)}-{rng.choice(w.WORDS)}.txt"
    instruction = rng.choice([
        "The browser shows the {s}. Save the name and phone number of our {r} in ~/{n} as one line like: Jane Doe, 555-0000",
        "Look up the {r} in the {s} open in the browser and write \"Name, phone\" (for example Jane Doe, 555-0000) as the only line of ~/{n}.",
    ]).format(s=site_name, r=role.lower(), n=note)
    evaluator = {"func": "exact_match", "result": command(f"cat ~/{note} 2>/dev/null | tr -d '\\n'"),
                 "expected": rule(expected=f"{who}, {tel}")}
    config = [*site_steps(src, [f"http://127.0.0.1:8000/{path}"]), launch_step("xterm")]
    return Draft(instruction, config, evaluator, shell(f"echo {sq(f'{who}, {tel}')} > ~/{note}"),
                 ["chrome", "terminal"], "multi_apps")


def sheet_value_to_text(rng: random.Random, ctx: Ctx) -> Draft:
    items = rng.sample(w.PRODUCTS, rng.randint(4, 8))
    rows = [(it, rng.randint(0, 500)) for it in items]
    item, stock = rng.choice(rows)
    book = f"stock_{w.slug(rng.choice(w.REGIONS))}_{rng.randint(1, 99)}.xlsx"
    note = f"{w.slug(item)}-stock.txt"
    instruction = rng.choice([
        "How many {i} are in stock according to ~/Documents/{b}? Type just that number in the open text editor and save it as {n} in my home folder.",
        "Read the stock of {i} from the spreadsheet ~/Documents/{b} and save the number alone in a new file {n} in my home folder, using the text editor.",
    ]).format(i=item, b=book, n=note)
    src = ctx.fixture(book, book_writer("Stock", [("Item", "In stock"), *rows]))
    evaluator = {"func": "exact_match", "result": command(f"cat ~/{note} 2>/dev/null | tr -d ' \\n'"),
                 "expected": rule(expected=str(stock))}
    config = [launch_step("mousepad"), copy_step(src, f"{HOME}/Documents/{book}"), open_step(f"{HOME}/Documents/{book}")]
    # A lone shift after alt+tab ends openbox's window cycle should it still be open.
    solution = [wait(2.0), hotkey("alt", "tab"), wait(1.5), press("shift"), wait(0.5), typing(f"{stock}\n"), hotkey("ctrl", "s"), wait(1.5),
                typing(note), wait(1.0), press("enter"), wait(1.5), DONE]
    return Draft(instruction, config, evaluator, solution, ["libreoffice_calc", "mousepad"], "multi_apps")


FAMILIES = [
    Family("multi-sheet-total-to-memo", "multi_apps", sheet_total_to_memo, "sum a Calc column, write it into a Writer memo"),
    Family("multi-web-contact-to-note", "multi_apps", web_contact_to_note, "copy a contact from a web page into a note via xterm"),
    Family("multi-sheet-value-to-text", "multi_apps", sheet_value_to_text, "read a Calc value, save it from the text editor"),
]
