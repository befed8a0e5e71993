"""OSWorld's `compare_table` and `compare_conference_city_in_order`, with OSWorld's semantics.

`compare_table(result, expected=None, rules=[…])` applies the rules in order and stops at the
first that fails. Sheets are named as OSWorld names them: an int (a result sheet by index),
"RI0"/"EI0" (result/expected sheet by index), "RNname"/"ENname" (by name). Rules:

* `sheet_name`: same sheet names in order.
* `sheet_data` (`precision`, default 4): the sheets read by pandas (header row as column
  names) and rounded to `precision` decimals are `DataFrame.equals` (dtypes count: 1 and 1.0
  in a column of ints vs floats differ, as in OSWorld).
* `sheet_print` (`ignore_case`): the CSV exports next to each workbook, named
  `<workbook stem>-<sheet name>.csv` (a task's multi-file getter fetches them), equal line by
  line after stripping and dropping trailing blank lines.
* `sheet_fuzzy` (`rules`: ranges with includes / included_by / fuzzy_match / exact_match and
  normalisation, trim, ignore_chars, ignore_case): cell texts compared pairwise.
* `check_cell` (`coordinate`, `props`): `value` is the cached value stored in the file
  (numbers as floats, booleans unread), other props cell styles; each prop a value rule.
* `freeze`, `zoom`, `data_validation`, `row_props`, `col_props`.
* `chart` (`chart_props`) and `pivot_table` (`pivot_props`): the sheets' charts keyed by their
  data series, pivot tables by their source range, with the named properties, equal.
* `filter` (the sheets' auto-filters and sort states) and `sparkline` (cell → data range).
* `style` (`props`): every cell's style properties, with conditional formats applied where they
  hold (their formulas compiled by the `formulas` package, as OSWorld does).

`RULES` lists the rule types implemented; `UNSUPPORTED_RULES` would name OSWorld's rules not
implemented here (none now). A task using another is blocked (`metrics.blocker`) rather than
mis-scored.
"""
from __future__ import annotations

import itertools
import os
import re
import zipfile
from typing import Any

import openpyxl
from lxml import etree
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from rapidfuzz import fuzz

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.files import read_lines_any_encoding
from envs.osworld_lite.metrics.matching import match_value_to_rule
from envs.osworld_lite.metrics.safe_files import check_archive

UNSUPPORTED_RULES: set[str] = set()
RULES = {"sheet_name", "sheet_data", "sheet_print", "sheet_fuzzy", "sparkline", "chart", "style", "freeze", "zoom",
         "data_validation", "row_props", "col_props", "filter", "pivot_table", "check_cell"}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS = {"oo": _MAIN}
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _parse_idx(idx: Any, result: Any, expected: Any, r_names: list[str], e_names: list[str] | None) -> tuple[Any, str]:
    if isinstance(idx, int):
        return result, (r_names[idx] if 0 <= idx < len(r_names) else "")
    if idx.startswith("RI"):
        try:
            return result, r_names[int(idx[2:])]
        except (IndexError, ValueError):
            return result, ""
    if idx.startswith("RN"):
        return result, idx[2:]
    if idx.startswith("EI"):
        try:
            return expected, (e_names or [])[int(idx[2:])]
        except (IndexError, ValueError):
            return expected, ""
    if idx.startswith("EN"):
        return expected, idx[2:]
    raise ValueError(f"unrecognised sheet index {idx!r}")


def read_cell_value(xlsx: str, sheet_name: str, coordinate: str) -> Any:
    """The value stored in the file for a cell, read from the XML as OSWorld reads it: the
    sheet part found by the sheet's sheetId; numbers as float, shared/inline strings as text,
    booleans and missing cells as None."""
    try:
        with zipfile.ZipFile(xlsx) as z:
            try:
                sst = etree.fromstring(z.read("xl/sharedStrings.xml"), _XML)
                shared = ["".join(t.text for t in si.iterfind(".//oo:t", _NS)) for si in sst.iterfind("oo:si", _NS)]
            except Exception:
                shared = []
            book = etree.fromstring(z.read("xl/workbook.xml"), _XML)
            ids = {s.get("name"): s.get("sheetId") for s in book.iterfind("oo:sheets/oo:sheet", _NS)}
            sheet = etree.fromstring(z.read(f"xl/worksheets/sheet{ids[sheet_name]}.xml"), _XML)
            cells = sheet.xpath(f'//oo:row/oo:c[@r="{coordinate}"]', namespaces=_NS)
            if not cells:
                return None
            cell = cells[0]
    except Exception:
        return None
    kind = cell.get("t")
    v = cell.find("oo:v", _NS)
    try:
        if kind is None or kind == "n":
            return float(v.text)  # type: ignore[union-attr,arg-type]
        if kind == "s":
            return shared[int(v.text)]  # type: ignore[union-attr,arg-type]
        if kind in ("str", "e"):
            if v is None:
                return None
            return v.text or None
        if kind == "inlineStr":
            t = cell.find("oo:is/oo:t", _NS)
            return None if t is None else t.text
    except (AttributeError, TypeError, ValueError, IndexError):
        return None
    return None


def read_cell_style(name: str, cell: Any, diff: Any = None) -> Any:
    """A cell's style property as OSWorld reads it; with `diff` (a conditional format's
    differential style) the property that format would give the cell."""
    filled = cell.value is not None
    if name == "number_format":
        if not (filled and cell.data_type == "n"):
            return None
        return cell.number_format if diff is None else diff.numFmt.formatCode
    font_props = {"font_name": "name", "font_family": "family", "font_bold": "bold", "font_italic": "italic",
                  "font_underline": "underline", "font_size": "size"}
    source = diff or cell
    if name in font_props:
        return getattr(source.font, font_props[name]) if filled else None
    if name == "font_color":
        return source.font.color.rgb if filled else None
    if name == "fill_type":
        try:
            return source.fill.tagname
        except AttributeError:
            return None
    if name in ("bgcolor", "fgcolor"):
        try:
            return diff.fill.bgColor.rgb if diff is not None else cell.fill.fgColor.rgb
        except AttributeError:
            return None
    if name == "hyperlink":
        return (cell.hyperlink or "") if filled else None
    if name == "merge":
        return isinstance(cell, MergedCell)
    raise ValueError(f"unsupported cell style {name!r}")


_ABSOLUTE_RANGE = re.compile(r"\$(?P<col1>[A-Z]{1,3})\$(?P<row1>\d+)(?::\$(?P<col2>[A-Z]{1,3})\$(?P<row2>\d+))?")
_EXPRESSION_TYPES = {"expression", "containsText", "notContainsText", "endsWith", "beginsWith",
                     "containsErrors", "notContainsErrors"}


def _cf_operator(operator: str, value: Any, ref: list[Any]) -> Any:
    try:
        if operator == "lessThanOrEqual":
            return value <= ref[0]
        if operator == "lessThan":
            return value < ref[0]
        if operator == "equal":
            return value == ref[0]
        if operator == "greaterThanOrEqual":
            return value >= ref[0]
        if operator == "notEqual":
            return value != ref[0]
        if operator == "greaterThan":
            return value > ref[0]
        if operator == "between":
            return min(ref) <= value <= max(ref)
        if operator == "notBetween":
            return value < min(ref) or value > max(ref)
    except (TypeError, IndexError):
        return False
    return None


def load_xlsx_styles(book: Any, sheet_name: str, book_path: str, props: list[str]) -> dict[str, list[Any]]:
    """{cell: [style values]} of every cell, conditional formats applied where their rule holds
    for the cell's stored value (formulas compiled by the `formulas` package, as OSWorld does;
    its quirks kept: an absolute reference in a rule's formula fails the whole rule set, a rule
    of an unsupported type reuses the previous rule's test)."""
    import formulas
    from openpyxl.worksheet.cell_range import CellRange

    try:
        sheet = book[sheet_name]
    except KeyError:
        return {}
    styles = {c.coordinate: [read_cell_style(p, c) for p in props] for col in sheet.iter_cols() for c in col}
    parser = formulas.Parser()
    is_active: Any = None
    for fmt in sheet.conditional_formatting:
        for rule in fmt.rules:
            compiled, argument_lists, broken = [], [], False
            for fml in rule.formula:
                try:
                    fn = parser.ast("=" + fml)[1].compile()
                except Exception:
                    broken = True
                    break
                arguments: list[Any] = []
                for m in _ABSOLUTE_RANGE.findall(fml):
                    # OSWorld tests the unmatched groups against None, but findall gives "": the
                    # range branch always runs (and fails on a lone cell, as there)
                    cells = CellRange(f"{m[0]}{m[1]}:{m[2]}{m[3]}").cells
                    arguments.append([read_cell_value(book_path, sheet_name, f"{get_column_letter(c[1])}{c[0]}")
                                      for c in cells])
                compiled.append(fn)
                argument_lists.append(arguments)
            if broken:
                continue
            if rule.type in _EXPRESSION_TYPES:
                condition, args = compiled[0], argument_lists[0]
                is_active = (lambda cond, a: lambda v: cond(v, *a))(condition, args)
            elif rule.type == "cellIs":
                try:
                    references = [fn() for fn in compiled]
                except Exception:
                    continue
                is_active = (lambda op, refs: lambda v: _cf_operator(op, v, refs))(rule.operator, references)
            active = []
            blanks = 0
            for rng in fmt.cells:
                for row, col in rng.cells:
                    value = read_cell_value(book_path, sheet_name, f"{get_column_letter(col)}{row}")
                    if value is None:
                        blanks += 1
                        if blanks > 50:
                            break
                        continue
                    try:
                        holds = is_active(value)  # type: ignore[misc]
                    except Exception:
                        holds = False
                    if holds:
                        active.append(sheet.cell(row=row, column=col))
            for cell in active:
                styles[cell.coordinate] = [read_cell_style(p, cell, rule.dxf) for p in props]
    return styles


def _title(title: Any) -> Any:
    try:
        return title.tx.rich.p[0].r[0].t
    except Exception:
        return None


def load_charts(book: Any, sheet_name: str, chart_props: list[str] | None = None) -> dict[str, Any]:
    """{"values,categories;…" of each chart's series: {property: value}} (OSWorld's reading,
    its `anchor` quirk included: the end row where the start row belongs)."""
    try:
        sheet = book[sheet_name]
    except KeyError:
        return {}
    props = set(chart_props or [])
    out: dict[str, Any] = {}
    for chart in sheet._charts:  # noqa: SLF001  openpyxl keeps a sheet's charts here
        series = []
        for ser in chart.series:
            def ref(data: Any) -> str:
                if hasattr(data, "numRef") and hasattr(data.numRef, "f"):
                    return data.numRef.f
                if hasattr(data, "strRef") and hasattr(data.strRef, "f"):
                    return data.strRef.f
                return ""
            series.append(f"{ref(ser.val)},{ref(ser.cat)}")
        info: dict[str, Any] = {}
        if "title" in props:
            info["title"] = _title(chart.title)
        if "legend" in props:
            info["legend"] = chart.legend.position if chart.legend is not None else None
        if "anchor" in props:
            a = chart.anchor
            info["anchor"] = [a.editAs, a._from.col, a.to.row, a.to.col, a.to.row]  # noqa: SLF001
        if "width" in props:
            info["width"] = chart.width
        if "height" in props:
            info["height"] = chart.height
        if "type" in props:
            info["type"] = chart.tagname
        if "direction" in props:
            info["direction"] = chart.barDir
        for axis in ("x", "y", "z"):
            if f"{axis}title" in props:
                try:
                    info[f"{axis}title"] = _title(getattr(chart, f"{axis}_axis").title)
                except AttributeError:
                    info[f"{axis}title"] = None
        out[";".join(series)] = info
    return out


def load_pivot_tables(book: Any, sheet_name: str, pivot_props: list[str] | None = None) -> dict[str, Any]:
    """{"type;(r1, c1):(r2, c2);sheet" of each pivot table's source: {property: value}}, the
    source's columns trimmed to the fields that have items, as OSWorld reads them."""
    from openpyxl.utils import coordinate_to_tuple

    try:
        sheet = book[sheet_name]
    except KeyError:
        return {}
    props = set(pivot_props or [])
    out: dict[str, Any] = {}
    for pvt in sheet._pivots:  # noqa: SLF001  openpyxl keeps a sheet's pivot tables here
        raw = [[(item.h, item.x) for item in f.items if item.x is not None] for f in pvt.pivotFields]
        trimmed = list(itertools.dropwhile(lambda r: len(r) == 0, raw))
        left = len(raw) - len(trimmed)
        selection = list(itertools.dropwhile(lambda r: len(r) == 0, reversed(trimmed)))[::-1]
        right = len(trimmed) - len(selection)
        source = pvt.cache.cacheSource
        start, end = source.worksheetSource.ref.split(":")
        r1, c1 = coordinate_to_tuple(start)
        r2, c2 = coordinate_to_tuple(end)
        key = f"{source.type};{(r1, c1 + left)}:{(r2, c2 - right)};{source.worksheetSource.sheet}"
        info: dict[str, Any] = {}
        for prop, attr in (("name", "name"), ("show_total", "visualTotals"), ("show_empty_row", "showEmptyRow"),
                           ("show_empty_col", "showEmptyCol"), ("show_headers", "showHeaders"), ("location", "location")):
            if prop in props:
                info[prop] = getattr(pvt, attr)
        if "filter" in props or "selection" in props:
            info["selection"] = selection if "ordered" in props else [set(r) for r in selection]
        if "filter" in props:
            info["filter_fields"] = {f.fld for f in pvt.pageFields}
        if "col_fields" in props:
            info["col_fields"] = [f.x - left for f in pvt.colFields]
        if "row_fields" in props:
            info["row_fields"] = [f.x - left for f in pvt.rowFields]
        if "data_fields" in props:
            named = "data_fields_name" in props
            info["data_fields"] = [f"{f.fld - left:d};{f.name if named else ''};{f.subtotal};{f.showDataAs}"
                                   for f in pvt.dataFields]
        out[key] = info
    return out


def load_filters(book: Any, sheet_name: str) -> dict[str, Any]:
    """The sheet's auto-filter: its range, per-column filters and sort state, as OSWorld reads them."""
    try:
        sheet = book[sheet_name]
    except KeyError:
        return {}
    flt = sheet.auto_filter
    columns = []
    for col in flt.filterColumn:
        entry: dict[str, Any] = {"col_id": col.colId, "hidden_button": col.hiddenButton, "show_button": col.showButton}
        if col.filters is not None:
            entry["filters_blank"] = col.filters.blank
            entry["filters"] = set(col.filters.filter)
        if col.customFilters is not None:
            entry["custom_filters_op"] = col.customFilters._and  # noqa: SLF001  openpyxl's name for "and"
            entry["custom_filters"] = {(c.operator, c.val) for c in col.customFilters.customFilter}
        columns.append(entry)
    out: dict[str, Any] = {"ref": flt.ref, "filter_column": sorted(columns, key=lambda d: d["col_id"])}
    sort = flt.sortState
    if sort is not None:
        out["sort_state"] = {"sort": sort.columnSort, "case": sort.caseSensitive, "method": sort.sortMethod,
                             "ref": sort.ref,
                             "condition": [{"descending": c.descending, "key": c.sortBy, "ref": c.ref,
                                            "custom_list": c.customList, "dxf_id": c.dxfId, "icon": c.iconSet,
                                            "iconid": c.iconId} for c in sort.sortCondition]}
    return out


_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
_XM = "http://schemas.microsoft.com/office/excel/2006/main"


def load_sparklines(xlsx: str, sheet_name: str) -> dict[str, str]:
    """{cell: data range} of the sheet's sparklines (the part found by the sheet's sheetId)."""
    try:
        with zipfile.ZipFile(xlsx) as z:
            book = etree.fromstring(z.read("xl/workbook.xml"), _XML)
            ids = {s.get("name"): s.get("sheetId") for s in book.iterfind("oo:sheets/oo:sheet", _NS)}
            sheet = etree.fromstring(z.read(f"xl/worksheets/sheet{ids[sheet_name]}.xml"), _XML)
    except zipfile.BadZipFile:
        return {}
    out = {}
    for spark in sheet.iter(f"{{{_X14}}}sparkline"):
        out[spark.findtext(f"{{{_XM}}}sqref")] = spark.findtext(f"{{{_XM}}}f")
    return out


def _csv_lines(book: str, sheet: str) -> list[str] | None:
    try:
        lines = read_lines_any_encoding(f"{os.path.splitext(book)[0]}-{sheet}.csv")
    except OSError:
        return None
    return list(itertools.dropwhile(lambda line: len(line) == 0, (line.strip() for line in reversed(lines))))


def _fuzzy(r: dict[str, Any], s1: tuple[str, str], s2: tuple[str, str]) -> bool:
    ok = True
    for rl in r["rules"]:
        for rng in MultiCellRange(rl["range"]):
            for row, col in rng.cells:
                coord = f"{get_column_letter(col)}{row}"
                a, b = str(read_cell_value(*s1, coord)), str(read_cell_value(*s2, coord))
                for old, new in rl.get("normalization", []):
                    a, b = a.replace(old, new), b.replace(old, new)
                if "trim_leadings" in rl:
                    a, b = a.lstrip(rl["trim_leadings"]), b.lstrip(rl["trim_leadings"])
                if "trim_trailings" in rl:
                    a, b = a.rstrip(rl["trim_trailings"]), b.rstrip(rl["trim_trailings"])
                if "ignore_chars" in rl:
                    drop = set(rl["ignore_chars"])
                    a, b = "".join(c for c in a if c not in drop), "".join(c for c in b if c not in drop)
                if rl.get("ignore_case", False):
                    a, b = a.lower(), b.lower()
                kind = rl["type"]
                if kind == "includes":
                    ok = ok and b in a
                elif kind == "included_by":
                    ok = ok and a in b
                elif kind == "fuzzy_match":
                    ok = ok and fuzz.ratio(a, b) >= rl.get("threshold", 85.0)
                elif kind == "exact_match":
                    ok = ok and a == b
                else:
                    raise ValueError(f"sheet_fuzzy: unknown type {kind!r}")
    return ok


@metric("compare_table")
def compare_table(result: Any, expected: Any = None, rules: list[dict[str, Any]] | None = None) -> float:
    import pandas as pd  # heavy; only spreadsheet tasks need it

    if result is None or not os.path.exists(result):
        return 0.0
    if rules is None:
        raise ValueError("compare_table needs rules (OSWorld reads options['rules'])")
    try:
        check_archive(result)
        xl_r = openpyxl.load_workbook(result)
        pd_r = pd.ExcelFile(result)
    except Exception:  # not a workbook: the agent's failure
        return 0.0
    r_names = list(pd_r.sheet_names)
    xl_e = pd_e = e_names = None
    if expected is not None:
        check_archive(expected)
        xl_e, pd_e = openpyxl.load_workbook(expected), pd.ExcelFile(expected)
        e_names = list(pd_e.sheet_names)

    def idx(i: Any, res: Any, exp: Any) -> tuple[Any, str]:
        return _parse_idx(i, res, exp, r_names, e_names)

    def xl_sheet(i: Any) -> Any:
        book, name = idx(i, xl_r, xl_e)
        try:
            return book[name]
        except Exception:
            return None

    for r in rules:
        kind = r["type"]
        if kind == "sheet_name":
            ok = r_names == e_names
        elif kind == "sheet_data":
            def frame(i: Any) -> Any:
                book, name = idx(i, pd_r, pd_e)
                try:
                    return pd.read_excel(book, name)
                except Exception:
                    return None
            s1 = frame(r["sheet_idx0"])
            if s1 is None:
                return 0.0
            s2 = frame(r["sheet_idx1"])
            if s2 is None:  # OSWorld fails here too (None.round): the rule names no sheet
                raise ValueError(f"sheet_data: no sheet {r['sheet_idx1']!r} to compare with")
            precision = r.get("precision", 4)
            ok = s1.round(precision).equals(s2.round(precision))
        elif kind == "sheet_print":
            p1 = _csv_lines(*idx(r["sheet_idx0"], result, expected))
            if p1 is None:
                return 0.0
            p2 = _csv_lines(*idx(r["sheet_idx1"], result, expected))
            if r.get("ignore_case", False):
                p1 = [x.lower() for x in p1]
                p2 = None if p2 is None else [x.lower() for x in p2]
            ok = p1 == p2
        elif kind == "sheet_fuzzy":
            ok = _fuzzy(r, idx(r["sheet_idx0"], result, expected), idx(r["sheet_idx1"], result, expected))
        elif kind == "freeze":
            s1 = xl_sheet(r["sheet_idx0"])
            if s1 is None:
                return 0.0
            s2 = xl_sheet(r["sheet_idx1"])
            ok = s2 is not None and s1.freeze_panes == s2.freeze_panes
        elif kind == "zoom":
            sheet = xl_sheet(r["sheet_idx"])
            if sheet is None:
                return 0.0
            ok = match_value_to_rule(sheet.sheet_view.zoomScale or 100.0, r)
        elif kind == "data_validation":
            sheet = xl_sheet(r["sheet_idx"])
            if sheet is None:
                return 0.0
            validators = sheet.data_validations.dataValidation
            ok = len(validators) >= len(r["dv_props"])
            for dv in validators:
                ok = ok and any(all(match_value_to_rule(getattr(dv, attr), mr) for attr, mr in props.items())
                                for props in r["dv_props"])
                if not ok:
                    break
        elif kind in ("row_props", "col_props"):
            obj = "row" if kind == "row_props" else "column"

            def dims(i: Any) -> dict[Any, Any]:
                book, name = idx(i, xl_r, xl_e)
                try:
                    sheet = book[name]
                except KeyError:
                    return {}
                return {no: {p: getattr(d, p) for p in set(r.get("props", []))}
                        for no, d in getattr(sheet, f"{obj}_dimensions").items()}
            ok = dims(r["sheet_idx0"]) == dims(r["sheet_idx1"])
        elif kind == "check_cell":
            try:
                sheet = xl_sheet(r["sheet_idx"])
                if sheet is None:
                    return 0.0
                cell = sheet[r["coordinate"]]
                ok = True
                for prop, rule in r["props"].items():
                    if prop == "value":
                        value = read_cell_value(*idx(r["sheet_idx"], result, expected), r["coordinate"])
                    else:
                        try:
                            value = read_cell_style(prop, cell)
                        except Exception:
                            value = None
                    ok = ok and match_value_to_rule(value, rule)
            except Exception:
                return 0.0
        elif kind == "chart":
            ok = load_charts(*idx(r["sheet_idx0"], xl_r, xl_e), r.get("chart_props")) == \
                load_charts(*idx(r["sheet_idx1"], xl_r, xl_e), r.get("chart_props"))
        elif kind == "pivot_table":
            ok = load_pivot_tables(*idx(r["sheet_idx0"], xl_r, xl_e), r.get("pivot_props")) == \
                load_pivot_tables(*idx(r["sheet_idx1"], xl_r, xl_e), r.get("pivot_props"))
        elif kind == "style":
            props = r.get("props", [])
            ok = load_xlsx_styles(*idx(r["sheet_idx0"], xl_r, xl_e), idx(r["sheet_idx0"], result, expected)[0], props) \
                == load_xlsx_styles(*idx(r["sheet_idx1"], xl_r, xl_e), idx(r["sheet_idx1"], result, expected)[0], props)
        elif kind == "filter":
            ok = load_filters(*idx(r["sheet_idx0"], xl_r, xl_e)) == load_filters(*idx(r["sheet_idx1"], xl_r, xl_e))
        elif kind == "sparkline":
            ok = load_sparklines(*idx(r["sheet_idx0"], result, expected)) == \
                load_sparklines(*idx(r["sheet_idx1"], result, expected))
        elif kind in UNSUPPORTED_RULES:
            raise ValueError(f"compare_table rule {kind!r} is not implemented here")
        else:
            raise ValueError(f"compare_table: unknown rule type {kind!r}")
        if not ok:
            return 0.0
    return 1.0


@metric("compare_conference_city_in_order")
def compare_conference_city_in_order(result: Any, expected: dict[str, Any]) -> float:
    """Each of cells C2:C22 of the active sheet contains the expected city at its position
    (a substring, case-sensitive; a list entry accepts any of its items). As in OSWorld, any
    failure on the way (fewer expected entries than 21 cells, an empty cell) scores 0."""
    want = expected["expected"]
    check_archive(result)
    sheet = openpyxl.load_workbook(result).active
    cities = [cell.value for row in sheet["C2:C22"] for cell in row]
    try:
        for i, got in enumerate(cities):
            if isinstance(want[i], str):
                if want[i] not in got:
                    return 0.0
            elif isinstance(want[i], list):
                if not any(option in got for option in want[i]):
                    return 0.0
            else:
                raise TypeError("an expected city is a string or a list of strings")
    except Exception:
        return 0.0
    return 1.0
