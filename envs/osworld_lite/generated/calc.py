"""LibreOffice Calc families: totals, fixes, sorting, formatting and new rows or columns in
generated workbooks, checked with `lite_compare_table` (cell rules or an expected workbook)."""
from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

from envs.osworld_lite.generated import words as w
from envs.osworld_lite.generated.base import (
    HOME, Ctx, Draft, Family, cell_rule, copy_step, fixture_spec, hotkey, office_save, open_step, press,
    search_command, typing, vm_file, wait,
)

APPS = ["libreoffice_calc"]
Row = Sequence[Any]


def book_writer(sheet: str, rows: list[Row]) -> Any:
    """A one-sheet workbook; expected workbooks hold plain values (openpyxl computes nothing)."""
    def write(path: Path) -> None:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = sheet
        for row in rows:
            ws.append(list(row))
        ws.column_dimensions["A"].width = 20
        wb.save(path)
    return write


def _table(rng: random.Random) -> tuple[str, str, str, list[tuple[str, int]]]:
    """A label column and a whole-number column: (sheet, label header, value header, rows)."""
    kind = rng.choice([("Region", "Revenue", w.REGIONS), ("Product", "Units", w.PRODUCTS),
                       ("Team", "Headcount", w.TEAMS), ("Month", "Visitors", w.MONTHS),
                       ("Employee", "Hours", None)])
    label, value, pool = kind
    n = rng.randint(4, 9)
    labels = w.people(rng, n) if pool is None else rng.sample(pool, n)
    high = {"Revenue": 90000, "Units": 900, "Headcount": 80, "Visitors": 20000, "Hours": 200}[value]
    rows = list(zip(labels, rng.sample(range(high // 20, high), n)))  # distinct: sorting is unambiguous
    return rng.choice(["Data", "Summary", value, f"{label}s"]), label, value, rows


def _file(rng: random.Random, value: str) -> str:
    return f"{value.lower()}_{rng.choice(w.WORDS)}_{rng.randint(2019, 2026)}.xlsx"


def _workbook_task(ctx: Ctx, name: str, writer: Any, instruction: str, evaluator: dict, edits: list) -> Draft:
    path = f"{HOME}/Documents/{name}"
    src = ctx.fixture(name, writer)
    # osworld-lite's own spreadsheet metric: its check_cell methods (str_eq, approx, re) and a
    # whole-workbook comparison when no rules are given (OSWorld's compare_table needs rules).
    evaluator = {"func": "lite_compare_table", "result": vm_file(path), **evaluator}
    return Draft(instruction, [copy_step(src, path), open_step(path)], evaluator,
                 [wait(2.0), *edits, *office_save()], APPS, "calc")


AGGREGATES = {"SUM": ("Total", "adds up"), "AVERAGE": ("Average", "averages"), "MAX": ("Highest", "finds the largest of"),
              "MIN": ("Lowest", "finds the smallest of")}


def aggregate_row(rng: random.Random, ctx: Ctx) -> Draft:
    sheet, label, value, rows = _table(rng)
    func = rng.choice(sorted(AGGREGATES))
    caption, verb = AGGREGATES[func]
    name = _file(rng, value)
    last = len(rows) + 1
    values = [v for _, v in rows]
    result = {"SUM": sum(values), "AVERAGE": sum(values) / len(values), "MAX": max(values), "MIN": min(values)}[func]
    instruction = rng.choice([
        "Below the table in ~/Documents/{n}, add a row labelled {c} in column A with a formula in column B that {v} all the {val} figures. Save it as xlsx.",
        "Add a {c} row right under the last {lab} of ~/Documents/{n}: the label in column A and, in column B, a {f} formula over the {val} column. Keep the xlsx format.",
    ]).format(n=name, c=caption, v=verb, val=value, lab=label.lower(), f=func)
    rules = [cell_rule(f"A{last + 1}", value={"method": "str_eq", "ref": caption}),
             cell_rule(f"B{last + 1}", value={"method": "approx:0.01", "ref": result},
                       formula={"method": "re", "ref": f"(?i)^={func}\\(B2:B{last}\\)$"})]
    edits = [hotkey("ctrl", "home"), hotkey("ctrl", "down"), press("down"), typing(f"{caption}\t={func}(B2:B{last})\n")]
    return _workbook_task(ctx, name, book_writer(sheet, [(label, value), *rows]), instruction,
                          {"options": {"rules": rules}}, edits)


def fix_value(rng: random.Random, ctx: Ctx) -> Draft:
    sheet, label, value, rows = _table(rng)
    i = rng.randrange(len(rows))
    item, old = rows[i]
    new = old + rng.choice([-1, 1]) * rng.randint(1, max(2, old // 3))
    name = _file(rng, value)
    fixed = [(lab, new if j == i else v) for j, (lab, v) in enumerate(rows)]
    exp = ctx.fixture(f"expected-{name}", book_writer(sheet, [(label, value), *fixed]))
    instruction = rng.choice([
        "The {val} of {it} in ~/Documents/{n} should be {new}, not {old}. Correct that cell and save.",
        "Someone mistyped a number in ~/Documents/{n}: {it} has {new} {val2}. Fix it and save the file.",
    ]).format(val=value, it=item, n=name, new=new, old=old, val2=value.lower())
    edits = [hotkey("ctrl", "home"), *[press("down")] * (i + 1), press("right"), typing(f"{new}\n")]
    return _workbook_task(ctx, name, book_writer(sheet, [(label, value), *rows]), instruction,
                          {"expected": fixture_spec(exp), "options": {}}, edits)


def sort_rows(rng: random.Random, ctx: Ctx) -> Draft:
    sheet, label, value, rows = _table(rng)
    descending = rng.random() < 0.5
    name = _file(rng, value)
    ordered = sorted(rows, key=lambda r: -r[1] if descending else r[1])
    if ordered == rows:
        rows = list(reversed(rows))
    exp = ctx.fixture(f"expected-{name}", book_writer(sheet, [(label, value), *ordered]))
    way = "from the highest to the lowest" if descending else "from the lowest to the highest"
    instruction = rng.choice([
        "Sort the rows of ~/Documents/{n} by {val}, {way}, with the header row staying on top. Save.",
        "Order the table in ~/Documents/{n} {way} {val2}; keep the header as the first row and save the workbook.",
    ]).format(n=name, val=value, way=way, val2=value.lower())
    edits = [hotkey("ctrl", "home"), press("right"), press("down"),
             *search_command("Sort Descending" if descending else "Sort Ascending")]
    return _workbook_task(ctx, name, book_writer(sheet, [(label, value), *rows]), instruction,
                          {"expected": fixture_spec(exp),
                           "options": {"rules": [{"type": "sheet_data", "sheet_idx0": "RI0", "sheet_idx1": "EI0"}]}},
                          edits)


def bold_header(rng: random.Random, ctx: Ctx) -> Draft:
    ncols = rng.randint(2, 5)
    headers = rng.sample(["Code", "Owner", "Status", "Due", "Budget", "Priority", "Site", "Phase", "Notes"], ncols)
    rows = [[f"{w.token(rng)}" if c == 0 else rng.randint(1, 999) for c in range(ncols)] for _ in range(rng.randint(3, 7))]
    name = f"{rng.choice(w.NOUNS)}_{rng.choice(w.WORDS)}.xlsx"
    cols = "ABCDE"[:ncols]
    rules = [cell_rule(f"{c}1", bold={"method": "eq", "ref": True}) for c in cols]
    rules.append(cell_rule("A2", bold={"method": "eq", "ref": False}, value={"method": "str_eq", "ref": rows[0][0]}))
    instruction = rng.choice([
        "Put the header row of ~/Documents/{n} ({h}) in bold; the data rows stay as they are. Save it.",
        "Make the column titles {h} in the first row of ~/Documents/{n} bold and save the file.",
    ]).format(n=name, h=", ".join(headers))
    edits = [hotkey("ctrl", "home"), hotkey("shift", "space"), hotkey("ctrl", "b")]
    return _workbook_task(ctx, name, book_writer("Sheet1", [headers, *rows]), instruction,
                          {"options": {"rules": rules}}, edits)


def rename_sheet(rng: random.Random, ctx: Ctx) -> Draft:
    sheet, label, value, rows = _table(rng)
    old = rng.choice(["Sheet1", "Tabelle1", "Data", "Imported"])
    new = f"{rng.choice(w.WORDS).title()} {rng.randint(2019, 2026)}"
    name = _file(rng, value)
    exp = ctx.fixture(f"expected-{name}", book_writer(new, [(label, value), *rows]))
    instruction = rng.choice([
        "Rename the sheet {o} in ~/Documents/{n} to \"{s}\" and save the workbook.",
        "The only sheet of ~/Documents/{n} is called {o}; call it \"{s}\" instead and save.",
    ]).format(o=old, n=name, s=new)
    edits = [*search_command("Rename Sheet"), typing(f"{new}\n"), wait(0.5)]
    return _workbook_task(ctx, name, book_writer(old, [(label, value), *rows]), instruction,
                          {"expected": fixture_spec(exp),
                           "options": {"rules": [{"type": "sheet_name"},
                                                 {"type": "sheet_data", "sheet_idx0": "RI0", "sheet_idx1": "EI0"}]}},
                          edits)


def append_row(rng: random.Random, ctx: Ctx) -> Draft:
    people = w.people(rng, rng.randint(4, 7))
    header = ("ID", "Name", "Team", "Desk")
    rows = [(f"{rng.choice('ABCDEFGH')}-{rng.randint(100, 999)}", p, rng.choice(w.TEAMS), rng.randint(1, 400))
            for p in people]
    new = (f"{rng.choice('JKLMNPQR')}-{rng.randint(100, 999)}", w.person(rng), rng.choice(w.TEAMS), rng.randint(1, 400))
    name = f"staff_{w.slug(rng.choice(w.REGIONS))}.xlsx"
    exp = ctx.fixture(f"expected-{name}", book_writer("Staff", [header, *rows, new]))
    instruction = rng.choice([
        "Add a new row at the bottom of ~/Documents/{n}: ID {i}, name {p}, team {t}, desk {d}. Save the file.",
        "{p} joined the {t} team (ID {i}, desk {d}). Add them as the last row of ~/Documents/{n} and save.",
    ]).format(n=name, i=new[0], p=new[1], t=new[2], d=new[3])
    edits = [hotkey("ctrl", "home"), hotkey("ctrl", "down"), press("down"), typing("\t".join(map(str, new)) + "\n")]
    return _workbook_task(ctx, name, book_writer("Staff", [header, *rows]), instruction,
                          {"expected": fixture_spec(exp), "options": {}}, edits)


def product_column(rng: random.Random, ctx: Ctx) -> Draft:
    items = rng.sample(w.PRODUCTS, rng.randint(3, 7))
    rows = [(it, rng.randint(1, 60), rng.randint(2, 300)) for it in items]
    out = rng.choice(["Total", "Line total", "Amount", "Cost"])
    name = f"order_{rng.randint(10000, 99999)}.xlsx"
    last = len(rows) + 1
    rules = [cell_rule("D1", value={"method": "str_eq", "ref": out})]
    rules += [cell_rule(f"D{r}", value={"method": "eq", "ref": q * p}) for r, (_, q, p) in enumerate(rows, start=2)]
    rules.append(cell_rule("D2", formula={"method": "re", "ref": "(?i)^=\\(?B2\\*C2\\)?$|^=\\(?C2\\*B2\\)?$"}))
    instruction = rng.choice([
        "In ~/Documents/{n}, add a column D titled \"{o}\" where each row has a formula multiplying Quantity by Unit price. Save as xlsx.",
        "Give ~/Documents/{n} a fourth column \"{o}\" (header in D1) holding =Quantity*Unit price as a formula for every item, then save.",
    ]).format(n=name, o=out)
    typed = out + "\n" + "".join(f"=B{r}*C{r}\n" for r in range(2, last + 1))
    edits = [hotkey("ctrl", "home"), press("right"), press("right"), press("right"), typing(typed)]
    return _workbook_task(ctx, name, book_writer("Order", [("Item", "Quantity", "Unit price"), *rows]), instruction,
                          {"options": {"rules": rules}}, edits)


FAMILIES = [
    Family("calc-aggregate-row", "calc", aggregate_row, "a Total/Average/Highest/Lowest row with its formula"),
    Family("calc-fix-value", "calc", fix_value, "correct one mistyped number"),
    Family("calc-sort-rows", "calc", sort_rows, "sort the table by its number column, up or down"),
    Family("calc-bold-header", "calc", bold_header, "bold the header row"),
    Family("calc-rename-sheet", "calc", rename_sheet, "rename the only sheet"),
    Family("calc-append-row", "calc", append_row, "add a record as the last row"),
    Family("calc-product-column", "calc", product_column, "a new column of Quantity*Unit price formulas"),
]

