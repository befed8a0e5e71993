"""Parity cases: inputs for OSWorld's metrics, made on the fly, each run through OSWorld's own
function (by scripts/osworld_parity.py, which records the scores) and through ours (by
test_parity.py, which compares with the recording).

Only plain libraries are used here (openpyxl, python-docx, Pillow, sqlite3), so the same
files are made in CI, where OSWorld's package is not installed. A case is
`Case(id, metric, result, expected, options)`; `result`/`expected` may hold `F("name")`
placeholders, replaced by the path of a made file (lists and dicts are walked).
"""
from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NO_EXPECTED = "<no expected>"   # the metric is called as metric(result, **options)


@dataclass(frozen=True)
class F:
    """A made file, by name."""
    name: str


@dataclass
class Case:
    id: str
    metric: str
    result: Any
    expected: Any = NO_EXPECTED
    options: dict[str, Any] = field(default_factory=dict)


def resolve(value: Any, folder: Path) -> Any:
    if isinstance(value, F):
        return str(folder / value.name)
    if isinstance(value, list):
        return [resolve(v, folder) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, folder) for k, v in value.items()}
    return value


# --- file makers -----------------------------------------------------------------------

def _xlsx(path: Path, sheets: dict[str, list[list[Any]]], freeze: str | None = None) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if freeze:
            ws.freeze_panes = freeze
    wb.save(path)


def _xlsx_cf(path: Path, rule: str, static_red: str | None = None) -> None:
    """Scores with a conditional format (cellIs >2, cellIs >1, an expression, or one with an
    absolute reference), or with one cell painted red by hand."""
    import openpyxl
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [["Name", "Score"], ["Ann", 1.5], ["Bob", 2.25]]:
        ws.append(row)
    red = Font(color="FFFF0000")
    if rule == "gt2":
        ws.conditional_formatting.add("B2:B3", CellIsRule(operator="greaterThan", formula=["2"], font=red))
    elif rule == "gt1":
        ws.conditional_formatting.add("B2:B3", CellIsRule(operator="greaterThan", formula=["1"], font=red))
    elif rule == "expr":
        ws.conditional_formatting.add("B2:B3", FormulaRule(formula=["B2>2"], font=red))
    elif rule == "absolute":
        ws.conditional_formatting.add("B2:B3", FormulaRule(formula=["$B$2>1"], font=red))
    if static_red:
        ws[static_red].font = red
    wb.save(path)


def _xlsx_chart(path: Path, kind: str = "bar", title: str = "Sales", direction: str = "col") -> None:
    import openpyxl
    from openpyxl.chart import BarChart, LineChart, Reference

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [["Month", "Sales"], ["Jan", 10], ["Feb", 12], ["Mar", 9]]:
        ws.append(row)
    chart = BarChart() if kind == "bar" else LineChart()
    if kind == "bar":
        chart.type = direction
    chart.title = title
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=4))
    ws.add_chart(chart, "D2")
    wb.save(path)


def _docx(path: Path, paragraphs: list[tuple[str, dict[str, Any]]], style_center: bool = False) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    if style_center:
        doc.styles["Normal"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, props in paragraphs:
        p = doc.add_paragraph()
        if props.get("center"):
            p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if text:
            for i, word in enumerate(text.split("|")):
                run = p.add_run(word)
                fonts = props.get("fonts")
                if fonts:
                    run.font.name = fonts[i % len(fonts)]
    doc.save(path)


def _docx_rich(path: Path, kind: str, variant: str = "") -> None:
    """Documents with tables, images, spacing, italics, strike-through, colours, footers…"""
    import io

    from docx import Document
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Pt, RGBColor
    from PIL import Image

    doc = Document()
    if kind == "table":
        table = doc.add_table(rows=2, cols=2)
        for i, text in enumerate(["a", "b", "c", "d" if variant != "other" else "x"]):
            table.cell(i // 2, i % 2).text = text + (" " if variant == "space" else "")
    elif kind == "image":
        buf = io.BytesIO()
        Image.new("RGB", (8, 8), (0, 0, 255) if variant == "other" else (255, 0, 0)).save(buf, "PNG")
        doc.add_picture(io.BytesIO(buf.getvalue()))
    elif kind == "spacing":
        for text in ("First line", "Second line"):
            p = doc.add_paragraph(text)
            p.paragraph_format.line_spacing = 2.0 if variant == "double" else 1.0
    elif kind == "italic":
        p = doc.add_paragraph()
        p.add_run("Plain ")
        run = p.add_run("slanted")
        run.italic = True
        run.font.size = Pt(14 if variant != "12" else 12)
    elif kind == "strike":
        doc.add_paragraph("Keep this")
        p = doc.add_paragraph()
        for word in ("drop", " this"):
            run = p.add_run(word)
            run.font.strike = variant != "partial" or word == "drop"
    elif kind == "colors":
        table = doc.add_table(rows=1, cols=2)
        for cell, word in zip(table.rows[0].cells, ("apple", "pear")):
            run = cell.paragraphs[0].add_run(word)
            red, blue = RGBColor(255, 0, 0), RGBColor(0, 0, 255)
            run.font.color.rgb = (red if word == "apple" else blue) if variant != "swapped" else (blue if word == "apple" else red)
    elif kind == "subscript":
        p = doc.add_paragraph()
        p.add_run("H")
        run = p.add_run("2")
        run.font.subscript = variant != "plain"
        p.add_run("O")
    elif kind == "footer":
        doc.add_paragraph("Body")
        doc.sections[0].footer.paragraphs[0].text = "Page 1" if variant != "none" else "Footer"
    elif kind == "refs":
        doc.add_paragraph("Essay")
        doc.add_paragraph("References")
        doc.add_paragraph("Smith, J. (2020). A study of things." if variant != "other" else "Doe, A. (1999). Unrelated.")
        doc.add_paragraph("Lee, K. (2021). Another study.")
    elif kind == "trains":
        rows = {"gold": ["T1,G100,08:00,A", "T2,G200,09:00,B"],
                "initial": ["T1,G100,08:00,A", "T2,G200,09:00,B", "T3,G100,10:00,C"],
                "good": ["T2,G200,09:00,B", "T1,G100,08:00,A"],
                "dup": ["T1,G100,08:00,A", "T3,G100,10:00,C"]}[variant]
        for row in rows:
            doc.add_paragraph(row)
    elif kind == "break":
        doc.add_paragraph("Page one")
        p = doc.add_paragraph()
        from docx.enum.text import WD_BREAK
        p.add_run("x").add_break(WD_BREAK.PAGE)
        doc.add_paragraph("Page two")
    elif kind == "upper":
        doc.add_paragraph("Quiet words")
        doc.add_paragraph().add_run("LOUD")
    elif kind == "spacing3":
        for text, spacing in (("Intro", 1.0), ("Body", 2.0 if variant != "wrong" else 1.0), ("End", 1.5)):
            doc.add_paragraph(text).paragraph_format.line_spacing = spacing
    elif kind == "align":
        doc.add_paragraph("a a a a." if variant == "repeat" else "The quick brown fox jumps.")
    elif kind == "equation":
        from docx.oxml import parse_xml
        p = doc.add_paragraph("Formula ")
        run = p.add_run()
        if variant != "none":
            run._element.append(parse_xml('<w:object xmlns:w="http://schemas.openxmlformats.org/'  # noqa: SLF001
                                          'wordprocessingml/2006/main"/>'))
    elif kind == "tabs":
        for text in ("Name\tAnn Lee", "City\tParis"):
            p = doc.add_paragraph(text)
            p.paragraph_format.tab_stops.add_tab_stop(Pt(144 if variant != "shifted" else 150), WD_TAB_ALIGNMENT.LEFT)
    doc.save(path)


def _odt(path: Path, highlighted: bool) -> None:
    """A minimal OpenDocument text with one span, highlighted yellow or not."""
    import zipfile

    color = "#ffff00" if highlighted else "#ffffff"
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2">'
               '<office:automatic-styles><style:style style:name="T1" style:family="text">'
               f'<style:text-properties fo:background-color="{color}"/></style:style></office:automatic-styles>'
               '<office:body><office:text><text:p>Some <text:span text:style-name="T1">marked</text:span> words</text:p>'
               '</office:text></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)


def _png(path: Path, kind: str, size: tuple[int, int] = (64, 48)) -> None:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    if kind == "box":
        draw.rectangle([8, 8, 40, 30], fill="black")
    elif kind == "box-shifted":
        draw.rectangle([12, 10, 44, 32], fill="black")
    elif kind == "stripes":
        for x in range(0, size[0], 6):
            draw.line([x, 0, x, size[1]], fill="blue", width=2)
    img.save(path)


def _photo(path: Path, variant: str = "base", size: int = 48, mode: str = "RGB") -> None:
    """A small colourful test picture and edited variants of it (darker, more saturated, …)."""
    import numpy as np
    from PIL import Image, ImageEnhance

    y, x = np.mgrid[0:size, 0:size]
    rgb = np.stack([(x * 255 // size), (y * 255 // size), ((x + y) * 127 // size)], axis=2).astype(np.uint8)
    rgb[size // 4:size // 2, size // 4:3 * size // 4] = (200, 40, 40)
    img = Image.fromarray(rgb, "RGB")
    if variant == "darker":
        img = ImageEnhance.Brightness(img).enhance(0.7)
    elif variant == "brighter":
        img = ImageEnhance.Brightness(img).enhance(1.3)
    elif variant == "saturated":  # saturation scaled in HSV, hue and value kept
        h, sat, v = img.convert("HSV").split()
        sat = sat.point(lambda value: min(255, int(value * 1.4) + 20))
        img = Image.merge("HSV", (h, sat, v)).convert("RGB")
    elif variant == "desaturated":
        img = ImageEnhance.Color(img).enhance(0.4)
    elif variant == "contrast":
        img = ImageEnhance.Contrast(img).enhance(1.5)
    elif variant == "flat":
        img = ImageEnhance.Contrast(img).enhance(0.5)
    elif variant == "noise":
        img = Image.fromarray(np.random.default_rng(7).integers(0, 255, (size, size, 3), dtype=np.uint8), "RGB")
    elif variant == "mirror":
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if mode == "P":
        img = img.quantize(64)
    elif mode == "RGBA":
        canvas = Image.new("RGBA", (size + 16, size + 16), (0, 0, 0, 0))
        canvas.paste(img, (8, 8))
        img = canvas
    img.save(path)


def _marks(path: Path, kind: str, size: int = 40, palette: bool = False) -> None:
    """Drawn test images: a centred or corner triangle, a text box, green/black masks."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (size, size), "white")
    d = ImageDraw.Draw(img)
    if kind == "triangle-centre":
        d.rectangle([0, 0, size, 5], fill="blue")
        d.rectangle([0, size - 6, size, size], fill="blue")
        d.polygon([(size // 2, size // 2 - 4), (size // 2 - 4, size // 2 + 4), (size // 2 + 4, size // 2 + 4)], fill="yellow")
    elif kind == "triangle-corner":  # a one-pixel dot is the rarest colour, the triangle second
        d.point((size - 2, size - 2), fill="red")
        d.polygon([(6, 8), (2, 16), (10, 16)], fill="yellow")
    elif kind == "text-left":
        d.rectangle([1, 10, 15, 14], fill="black")
    elif kind == "text-middle":
        d.rectangle([18, 10, 30, 14], fill="black")
    elif kind == "green":
        img = Image.new("RGB", (size, size), (20, 200, 30))
    elif kind == "red":
        img = Image.new("RGB", (size, size), (200, 20, 30))
    elif kind == "mask":
        img = Image.new("RGB", (size, size), (0, 0, 0))
        ImageDraw.Draw(img).rectangle([0, 0, size // 2, size], fill="white")
    if palette:
        img = img.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    img.save(path)


def _pdf(path: Path, pages: list[str]) -> None:
    """A minimal text PDF (Helvetica, one line per page), written by hand."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font_obj = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font_obj} 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def _sqlite(path: Path, rows: list[tuple[str, int]]) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (name TEXT, n INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", rows)


A11Y = ('<desktop-frame xmlns:st="https://accessibility.ubuntu.example.org/ns/state" '
        'xmlns:attr="https://accessibility.ubuntu.example.org/ns/attributes">'
        '<application name="Files"><push-button name="OK" st:enabled="true">Save all</push-button>'
        '<label name="status">Saved 3 files</label></application></desktop-frame>')


def _pptx(path: Path, slides: list[list[dict[str, Any]]], portrait: bool = False, notes: str = "",
          transition: str | None = None, background: tuple[int, int, int] | None = None) -> None:
    """Slides of text boxes: each {"text", "left", "top", "bold", "size", "align"} (inches/pt)."""
    from pptx import Presentation
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    prs = Presentation()
    if portrait:
        prs.slide_width, prs.slide_height = prs.slide_height, prs.slide_width
    for boxes in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        for box in boxes:
            shape = slide.shapes.add_textbox(Inches(box.get("left", 1)), Inches(box.get("top", 1)), Inches(4), Inches(1))
            par = shape.text_frame.paragraphs[0]
            run = par.add_run()
            run.text = box["text"]
            if "bold" in box:
                run.font.bold = box["bold"]
            if "size" in box:
                run.font.size = Pt(box["size"])
            if "align" in box:
                par.alignment = getattr(PP_ALIGN, box["align"])
            if box.get("strike"):
                run.font._element.set("strike", "sngStrike")  # noqa: SLF001
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
        if background:
            from pptx.dml.color import RGBColor

            slide.background.fill.solid()
            slide.background.fill.fore_color.rgb = RGBColor(*background)
        if transition:
            from lxml import etree

            ns = "http://schemas.openxmlformats.org/presentationml/2006/main"
            el = etree.SubElement(slide._element, f"{{{ns}}}transition")
            etree.SubElement(el, f"{{{ns}}}{transition}")
    prs.save(path)


def _pptx_picture(path: Path, full: bool) -> None:
    """One slide with one picture, stretched over the slide or small in a corner."""
    import io

    from pptx import Presentation
    from pptx.util import Inches
    from PIL import Image

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    buf = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 120, 200)).save(buf, "PNG")
    if full:
        slide.shapes.add_picture(io.BytesIO(buf.getvalue()), 0, 0, prs.slide_width, prs.slide_height)
    else:
        slide.shapes.add_picture(io.BytesIO(buf.getvalue()), Inches(1), Inches(1), Inches(2), Inches(1.5))
    prs.save(path)


def _xcu(path: Path, items: list[tuple[str, str, str]]) -> None:
    body = "".join(f'<item oor:path="{p}"><prop oor:name="{n}" oor:op="fuse"><value>{v}</value></prop></item>'
                   for p, n, v in items)
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry">'
                    + body + "</oor:items>\n")


def make_files(folder: Path) -> None:
    """Every file the cases name, in `folder`."""
    w = folder
    # spreadsheets
    _xlsx(w / "t_base.xlsx", {"Sheet1": [["Name", "Score"], ["Ann", 1.5], ["Bob", 2.25]]})
    _xlsx(w / "t_same.xlsx", {"Sheet1": [["Name", "Score"], ["Ann", 1.5], ["Bob", 2.25]]})
    _xlsx(w / "t_noise_small.xlsx", {"Sheet1": [["Name", "Score"], ["Ann", 1.500001], ["Bob", 2.25]]})
    _xlsx(w / "t_noise_large.xlsx", {"Sheet1": [["Name", "Score"], ["Ann", 1.51], ["Bob", 2.25]]})
    _xlsx(w / "t_int.xlsx", {"Sheet1": [["Name", "Score"], ["Ann", 2], ["Bob", 3]]})
    _xlsx(w / "t_float.xlsx", {"Sheet1": [["Name", "Score"], ["Ann", 2.0], ["Bob", 3.0]]})
    _xlsx(w / "t_renamed.xlsx", {"Data": [["Name", "Score"], ["Ann", 1.5], ["Bob", 2.25]]})
    _xlsx(w / "t_two.xlsx", {"Sheet1": [["Name", "Score"], ["Ann", 1.5]], "Sheet2": [["x"], [1]]})
    _xlsx(w / "t_frozen.xlsx", {"Sheet1": [["Name", "Score"], ["Ann", 1.5], ["Bob", 2.25]]}, freeze="A2")
    _xlsx(w / "t_cities.xlsx", {"Sheet1": [["Conf", "Year", "City"]] + [["c", 2020, f"City{i}"] for i in range(21)]})
    _xlsx(w / "t_fuzzy.xlsx", {"Sheet1": [["Addr"], ["12 Main Rd"], ["Elm St."]]})
    _xlsx(w / "t_fuzzy_e.xlsx", {"Sheet1": [["Addr"], ["12 Main Road"], ["elm st"]]})
    for name, ref, value in (("t_filter_a.xlsx", "A1:B3", "Ann"), ("t_filter_b.xlsx", "A1:B3", "Ann"),
                             ("t_filter_c.xlsx", "A1:B3", "Bob")):
        import openpyxl
        wb = openpyxl.Workbook()
        ws = wb.active
        for row in [["Name", "Score"], ["Ann", 1], ["Bob", 2]]:
            ws.append(row)
        ws.auto_filter.ref = ref
        ws.auto_filter.add_filter_column(0, [value])
        ws.auto_filter.add_sort_condition("B2:B3", descending=True)
        wb.save(w / name)
    for name, rng in (("t_spark_a.xlsx", "Sheet1!B2:B3"), ("t_spark_b.xlsx", "Sheet1!B2:B3"), ("t_spark_c.xlsx", "Sheet1!B1:B3")):
        ext = ('<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
               'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
               '<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
               f'<x14:sparklineGroup><x14:sparklines><x14:sparkline><xm:f>{rng}</xm:f><xm:sqref>C2</xm:sqref>'
               '</x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext></extLst>')
        with zipfile.ZipFile(w / "t_base.xlsx") as src, zipfile.ZipFile(w / name, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(b"</worksheet>", ext.encode() + b"</worksheet>")
                dst.writestr(item, data)
    for name, rule, static in (("t_cf_a.xlsx", "gt2", None), ("t_cf_b.xlsx", "gt2", None), ("t_cf_c.xlsx", "gt1", None),
                               ("t_cf_expr.xlsx", "expr", None), ("t_cf_abs.xlsx", "absolute", None),
                               ("t_cf_static.xlsx", "", "B3"), ("t_cf_plain.xlsx", "", None)):
        _xlsx_cf(w / name, rule, static)
    _xlsx_chart(w / "t_chart_bar.xlsx")
    _xlsx_chart(w / "t_chart_bar2.xlsx")
    _xlsx_chart(w / "t_chart_line.xlsx", kind="line")
    _xlsx_chart(w / "t_chart_title.xlsx", title="Revenue")
    _xlsx_chart(w / "t_chart_horizontal.xlsx", direction="bar")
    for stem, lines in (("t_base", "Name,Score\nAnn,1.5\nBob,2.25\n"), ("t_same", "Name,Score\nAnn,1.5\nBob,2.25\n\n"),
                        ("t_noise_small", "Name,Score\nann,1.5\nBob,2.25\n")):
        (w / f"{stem}-Sheet1.csv").write_text(lines)
    # CSV and text
    (w / "c_base.csv").write_text("city,pop\nParis,2.1\nRome,2.8\n")
    (w / "c_same.csv").write_text("city,pop\nParis,2.1\nRome,2.8\n")
    (w / "c_spaces.csv").write_text("city, pop\nParis, 2.1\nRome, 2.8\n")
    (w / "c_indent.csv").write_text("  city,pop\nParis,2.1  \nRome,2.8\n")
    (w / "c_upper.csv").write_text("CITY,POP\nPARIS,2.1\nROME,2.8\n")
    (w / "c_records.csv").write_text("id,name,status\n1,Ann,open\n2,Bob,closed\n")
    (w / "x_a.txt").write_text("alpha beta\ngamma\n")
    (w / "x_same.txt").write_text("alpha beta\ngamma\n")
    (w / "x_no_newline.txt").write_text("alpha beta\ngamma")
    (w / "x_spaced.txt").write_text("alpha   beta\n\tgamma  \n")
    (w / "x_upper.txt").write_text("ALPHA BETA\nGAMMA\n")
    (w / "x_lines.txt").write_text("a\nb\nc\nd\n")
    (w / "x_lines2.txt").write_text("a\nb\nx\nd\n")
    (w / "x_log.txt").write_text("10:15:01 start\nnothing here\n23:59:60 leap\n25:00:00 not a time\n07:08:09 end\n")
    (w / "x_list.txt").write_text("conference-talk.mp4\nbackup.img\n\n")
    (w / "j_settings.json").write_text(json.dumps({"editor": {"fontSize": 14, "theme": "dark"}, "files": ["a", "b"]}))
    (w / "j_bad.json").write_text("{not json")
    (w / "j_settings.yaml").write_text("editor:\n  fontSize: 14\n  theme: dark\n")
    # documents
    _docx(w / "d_centered.docx", [("Title", {"center": True}), ("Body text", {})])
    _docx(w / "d_second_centered.docx", [("", {}), ("Title", {"center": True})])
    _docx(w / "d_empty_first_centered.docx", [("", {"center": True}), ("Body", {})])
    _docx(w / "d_style_centered.docx", [("Title", {}), ("Body", {})], style_center=True)
    _docx(w / "d_fonts_all.docx", [("One|Two", {"fonts": ["Liberation Serif"]}), ("Three", {"fonts": ["Liberation Serif"]})])
    _docx(w / "d_fonts_mixed.docx", [("One|Two", {"fonts": ["Liberation Serif", "DejaVu Sans"]})])
    _docx(w / "d_fonts_inherit.docx", [("One", {})])
    _docx(w / "d_text_a.docx", [("Hello  world", {}), ("", {}), ("Second line", {})])
    _docx(w / "d_text_b.docx", [("Hello world", {}), ("Second line", {})])
    _docx(w / "d_text_c.docx", [("Second line", {}), ("Hello world", {})])
    _docx(w / "d_text_d.docx", [("hello world", {}), ("Second lime", {})])
    _docx(w / "d_math.docx", [("3.14 2.71 1.41", {})])
    _docx(w / "d_math4.docx", [("3.14 2.71 1.41 9", {})])
    # images
    _png(w / "i_box.png", "box")
    _png(w / "i_box2.png", "box")
    _png(w / "i_shift.png", "box-shifted")
    _png(w / "i_stripes.png", "stripes")
    _png(w / "i_box_big.png", "box", size=(128, 96))
    # PDFs
    _pdf(w / "p_two.pdf", ["Invoice 2308 total 12 USD", "Page two of the invoice"])
    _pdf(w / "p_two_same.pdf", ["Invoice 2308 total 12 USD", "Page two of the invoice"])
    _pdf(w / "p_other.pdf", ["Receipt 99 paid", "Thank you"])
    _pdf(w / "p_one.pdf", ["Invoice 2308 total 12 USD"])
    from PIL import Image as _Image
    for name, variant in (("p_img.pdf", "box"), ("p_img_same.pdf", "box"), ("p_img_other.pdf", "stripes"),
                          ("p_img_shift.pdf", "box-shifted")):
        _png(w / f"{name}.png", variant, size=(96, 96))
        _Image.open(w / f"{name}.png").convert("RGB").save(w / name, "PDF")
    for kind, variants in (("table", ("", "space", "other")), ("image", ("", "other")), ("spacing", ("", "double")),
                           ("italic", ("", "12")), ("strike", ("", "partial")), ("colors", ("", "swapped")),
                           ("subscript", ("", "plain")), ("footer", ("", "none")), ("refs", ("", "other")),
                           ("trains", ("gold", "initial", "good", "dup")), ("tabs", ("", "shifted")),
                           ("break", ("",)), ("upper", ("",)), ("spacing3", ("", "wrong")), ("align", ("", "repeat")),
                           ("equation", ("", "none"))):
        for variant in variants:
            _docx_rich(w / f"w_{kind}{'_' + variant if variant else ''}.docx", kind, variant)
    _odt(w / "o_marked.odt", True)
    _odt(w / "o_plain.odt", False)
    _xcu(w / "r_font.xcu", [("/org.openoffice.Office.Writer/DefaultFont", "Standard", "Liberation Serif")])
    # settings files, archives, books, tags
    (w / "gold.json").write_text(json.dumps({"a": 1, "b": [1, 2]}))
    (w / "more.json").write_text(json.dumps({"a": 1, "b": [1, 2], "c": 3}))
    (w / "less.json").write_text(json.dumps({"a": 1}))
    (w / "script.py").write_text("#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n\ndef f():\n\treturn 1   \n")
    (w / "script_gold.py").write_text("def f():\n    return 1\n")
    (w / "script_other.py").write_text("def f():\n    return 2\n")
    (w / "settings.json").write_text(json.dumps({"editor.fontSize": 16, "files.autoSave": "afterDelay"}))
    (w / "keybindings.json").write_text('// Place your key bindings in this file\n'
                                        + json.dumps([{"key": "ctrl+j", "command": "workbench.action.togglePanel"}]))
    (w / "answer.txt").write_text("42.00001\n")
    (w / "answer_gold.txt").write_text("42\n")
    (w / "word.txt").write_text("Paris\n")
    (w / "word_gold.txt").write_text("Rome\n")
    (w / "timedatectl.txt").write_text("x")
    for name, files in (("z_a.zip", {"a.txt": "one\n", "b.txt": "two\n"}), ("z_same.zip", {"a.txt": "one\n", "b.txt": "two\n"}),
                        ("z_other.zip", {"a.txt": "one\n", "b.txt": "three\n"}),
                        ("z_dir.zip", {"notes/a.txt": "one\n", "notes/b.txt": "two\n"}),
                        ("z_dir_gold.zip", {"notes/a.txt": "one\n", "notes/b.txt": "TWO\n"})):
        with zipfile.ZipFile(w / name, "w") as z:
            for member, text in files.items():
                z.writestr(member, text)
    for name, chapter in (("b_book.epub", "Once upon a time"), ("b_same.epub", "Once upon a time"),
                          ("b_other.epub", "Something else entirely")):
        with zipfile.ZipFile(w / name, "w") as z:
            z.writestr("toc.ncx", "<ncx>\n<navPoint id='1'/>\n<docTitle>Book</docTitle>\n</ncx>\n")
            z.writestr("content.opf", "<package>\n<dc:identifier>uuid-%s</dc:identifier>\n<title>Book</title>\n</package>\n" % name)
            z.writestr("chapter1.html", f"<html><body><h1>One</h1>\n<p>{chapter}</p></body></html>")
    from mutagen.easyid3 import EasyID3
    tags = EasyID3()
    tags["title"], tags["artist"] = "Morning", ["Ann", "Bob"]
    tags.save(w / "song.mp3")
    # VLC and Thunderbird settings
    (w / "vlcrc").write_text("[qt]\n# Qt interface\n#qt-bgcone=1\nqt-bgcone=0\n#qt-max-volume=125\nqt-max-volume=200\n"
                             "qt-minimal-view=1\nqt-slider-colours=10;20;30;40;50;60;70;80;90;1;2;3\n[core]\n"
                             "#one-instance-when-started-from-file=1\nglobal-key-play-pause=Space\n"
                             "#input-record-path=\ninput-record-path=/home/user/Desktop\n")
    (w / "vlcrc_default").write_text("[qt]\n#qt-bgcone=1\n#qt-max-volume=125\n#qt-minimal-view=0\n"
                                     "#qt-slider-colours=153;210;153;20;210;20;255;199;15;245;39;29\n"
                                     "#global-key-play-pause=\n#one-instance-when-started-from-file=1\n")
    (w / "status.xml").write_text("<root><state>playing</state><information><category name='meta'>"
                                  "<info name='filename'>clip.mp4</info></category></information></root>")
    (w / "status_paused.xml").write_text("<root><state>paused</state><information><category name='meta'>"
                                         "<info name='filename'>clip.mp4</info></category></information></root>")
    (w / "status_url.xml").write_text("<root><state>playing</state><information><category name='meta'>"
                                      "<info name='url'>https://media.example.org/live/stream.m3u8</info>"
                                      "</category></information></root>")
    (w / "prefs.js").write_text('// Mozilla User Preferences\nuser_pref("mail.spellcheck.inline", false);\n'
                                'user_pref("mailnews.start_page.enabled", true);\n'
                                'user_pref("mail.identity.id1.fullName", "Ann \\"A\\" Lee");\n'
                                'user_pref("mail.server.server1.check_time", 5);\n')
    (w / "msgFilterRules.dat").write_text('version="9"\nlogging="no"\nname="Move invoices"\nenabled="yes"\ntype="17"\n'
                                          'action="Move to folder"\nactionValue="imap://ann@mail.example.org/Invoices"\n'
                                          'condition="AND (subject,contains,invoice) AND (from,contains,billing)"\n'
                                          'name="Old"\nenabled="no"\ntype="1"\naction="Delete"\ncondition="ALL"\n')
    (w / "Inbox").write_text("FROM - Mon Jan 1\nX-Mozilla-Status: 0001\nSubject: hi\n\nbody\n")
    (w / "Inbox_other").write_text("FROM - Tue Jan 2\nX-Mozilla-Status: 0001\nSubject: other\n\nbody\n")
    # GIMP-style images
    for variant in ("base", "darker", "brighter", "saturated", "desaturated", "contrast", "flat", "noise", "mirror"):
        _photo(w / f"g_{variant}.png", variant)
    _photo(w / "g_palette.png", mode="P")
    _photo(w / "g_big.png", size=96)
    _photo(w / "g_transparent.png", mode="RGBA")
    _marks(w / "m_triangle-palette.png", "triangle-centre", palette=True)
    for kind in ("triangle-centre", "triangle-corner", "text-left", "text-middle", "green", "red", "mask"):
        _marks(w / f"m_{kind}.png", kind)
    (w / "gimprc").write_text('# GIMP gimprc\n\n(default-export-path "/home/user/Desktop")\n(show-tooltips no)\n'
                              "(theme-path \"/usr/share\")\n(color-management (mode display))\n")
    # presentations
    title = {"text": "Quarterly review", "left": 1, "top": 1}
    body = {"text": "Revenue grew", "left": 1, "top": 3}
    _pptx(w / "s_base.pptx", [[title, body], [{"text": "Next steps"}]])
    _pptx(w / "s_same.pptx", [[title, body], [{"text": "Next steps"}]])
    _pptx(w / "s_text.pptx", [[title, {**body, "text": "Revenue fell"}], [{"text": "Next steps"}]])
    _pptx(w / "s_nudged.pptx", [[{**title, "left": 1.002}, body], [{"text": "Next steps"}]])
    _pptx(w / "s_moved.pptx", [[{**title, "left": 1.5}, body], [{"text": "Next steps"}]])
    _pptx(w / "s_bold_false.pptx", [[{**title, "bold": False}, body], [{"text": "Next steps"}]])
    _pptx(w / "s_bold_true.pptx", [[{**title, "bold": True}, body], [{"text": "Next steps"}]])
    _pptx(w / "s_size.pptx", [[{**title, "size": 40}, body], [{"text": "Next steps"}]])
    _pptx(w / "s_left.pptx", [[{**title, "align": "LEFT"}, body], [{"text": "Next steps"}]])
    _pptx(w / "s_center.pptx", [[{**title, "align": "CENTER"}, body], [{"text": "Next steps"}]])
    _pptx(w / "s_one_slide.pptx", [[title, body]])
    _pptx(w / "s_notes.pptx", [[title, body], [{"text": "Next steps"}]], notes="Say hello")
    _pptx(w / "s_portrait.pptx", [[title]], portrait=True)
    _pptx(w / "s_dissolve.pptx", [[title], [body]], transition="dissolve")
    with zipfile.ZipFile(w / "s_base.pptx") as src, zipfile.ZipFile(w / "s_master_red.pptx", "w") as dst:
        for item in src.infolist():   # two solid colours appended to the slide master, red then black
            data = src.read(item.filename)
            if item.filename == "ppt/slideMasters/slideMaster1.xml":
                fills = "".join(f'<a:solidFill xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
                                f'<a:srgbClr val="{v}"/></a:solidFill>' for v in ("FF0000", "000000"))
                data = data.replace(b"</p:sldMaster>", fills.encode() + b"</p:sldMaster>")
            dst.writestr(item, data)
    _pptx_picture(w / "s_picture_small.pptx", full=False)
    _pptx_picture(w / "s_picture_full.pptx", full=True)
    _pptx(w / "s_strike.pptx", [[{**title, "strike": True}, body]])
    _pptx(w / "s_blue.pptx", [[title], [body]], background=(0, 0, 250))
    _xcu(w / "r_presenter_off.xcu", [("/org.openoffice.Office.Impress/Misc/Start", "EnablePresenterScreen", "false"),
                                     ("/org.openoffice.Office.Common/Save/Document", "AutoSaveTimeIntervall", "3")])
    _xcu(w / "r_presenter_on.xcu", [("/org.openoffice.Office.Impress/Misc/Start", "EnablePresenterScreen", "true")])
    # others
    _sqlite(w / "s_db.sqlite", [("a", 3), ("b", 4)])
    (w / "sub").mkdir(exist_ok=True)
    (w / "sub" / "present.txt").write_text("x")


def cases() -> list[Case]:
    """Matching and non-matching cases for every metric with a parity recording."""
    c: list[Case] = []
    add: Callable[..., None] = lambda *a, **k: c.append(Case(*a, **k))  # noqa: E731

    # compare_table ---------------------------------------------------------------
    data = lambda a, b, **r: {"rules": [{"type": "sheet_data", "sheet_idx0": a, "sheet_idx1": b, **r}]}  # noqa: E731
    add("table-data-equal", "compare_table", F("t_same.xlsx"), F("t_base.xlsx"), data("RI0", "EI0"))
    add("table-data-int-index", "compare_table", F("t_same.xlsx"), F("t_base.xlsx"), data(0, "EI0"))
    add("table-data-noise-below-precision", "compare_table", F("t_noise_small.xlsx"), F("t_base.xlsx"), data("RI0", "EI0"))
    add("table-data-noise-above-precision", "compare_table", F("t_noise_large.xlsx"), F("t_base.xlsx"), data("RI0", "EI0"))
    add("table-data-precision-1", "compare_table", F("t_noise_large.xlsx"), F("t_base.xlsx"),
        data("RI0", "EI0", precision=1))
    add("table-data-int-vs-float", "compare_table", F("t_int.xlsx"), F("t_float.xlsx"), data("RI0", "EI0"))
    add("table-data-by-name", "compare_table", F("t_renamed.xlsx"), F("t_base.xlsx"), data("RNData", "ENSheet1"))
    add("table-data-missing-sheet", "compare_table", F("t_renamed.xlsx"), F("t_base.xlsx"), data("RNSheet1", "EI0"))
    add("table-sheet-name-same", "compare_table", F("t_same.xlsx"), F("t_base.xlsx"), {"rules": [{"type": "sheet_name"}]})
    add("table-sheet-name-differs", "compare_table", F("t_renamed.xlsx"), F("t_base.xlsx"), {"rules": [{"type": "sheet_name"}]})
    add("table-missing-result", "compare_table", None, F("t_base.xlsx"), data("RI0", "EI0"))
    add("table-not-a-workbook", "compare_table", F("c_base.csv"), F("t_base.xlsx"), data("RI0", "EI0"))
    pr = lambda **r: {"rules": [{"type": "sheet_print", "sheet_idx0": "RI0", "sheet_idx1": "EI0", **r}]}  # noqa: E731
    add("table-print-equal-trailing-blank", "compare_table", F("t_same.xlsx"), F("t_base.xlsx"), pr())
    add("table-print-case-differs", "compare_table", F("t_noise_small.xlsx"), F("t_base.xlsx"), pr())
    add("table-print-ignore-case", "compare_table", F("t_noise_small.xlsx"), F("t_base.xlsx"), pr(ignore_case=True))
    add("table-print-no-csv", "compare_table", F("t_int.xlsx"), F("t_base.xlsx"), pr())
    cell = lambda coord, **props: {"rules": [{"type": "check_cell", "sheet_idx": 0, "coordinate": coord, "props": props}]}  # noqa: E731
    add("table-cell-value-eq", "compare_table", F("t_base.xlsx"), NO_EXPECTED, cell("B3", value={"method": "eq", "ref": 2.25}))
    add("table-cell-value-ne", "compare_table", F("t_base.xlsx"), NO_EXPECTED, cell("B3", value={"method": "eq", "ref": 2.5}))
    add("table-cell-value-int-as-float", "compare_table", F("t_int.xlsx"), NO_EXPECTED, cell("B2", value={"method": "eq", "ref": 2}))
    add("table-cell-approx", "compare_table", F("t_noise_large.xlsx"), NO_EXPECTED,
        cell("B2", value={"method": "approx:0.1", "ref": 1.5}))
    add("table-cell-string", "compare_table", F("t_base.xlsx"), NO_EXPECTED, cell("A2", value={"method": "eq", "ref": "Ann"}))
    add("table-cell-regex", "compare_table", F("t_base.xlsx"), NO_EXPECTED, cell("A3", value={"method": "re.I", "ref": "^bob$"}))
    add("table-cell-empty", "compare_table", F("t_base.xlsx"), NO_EXPECTED, cell("D9", value={"method": "eq", "ref": None}))
    add("table-cell-bold", "compare_table", F("t_base.xlsx"), NO_EXPECTED, cell("A1", font_bold={"method": "eq", "ref": False}))
    add("table-freeze-same", "compare_table", F("t_frozen.xlsx"), F("t_frozen.xlsx"),
        {"rules": [{"type": "freeze", "sheet_idx0": "RI0", "sheet_idx1": "EI0"}]})
    add("table-freeze-differs", "compare_table", F("t_base.xlsx"), F("t_frozen.xlsx"),
        {"rules": [{"type": "freeze", "sheet_idx0": "RI0", "sheet_idx1": "EI0"}]})
    fz = lambda kind, **k: {"rules": [{"type": "sheet_fuzzy", "sheet_idx0": "RI0", "sheet_idx1": "EI0",  # noqa: E731
                                       "rules": [{"range": ["A2:A3"], "type": kind, **k}]}]}
    add("table-fuzzy-exact-fails", "compare_table", F("t_fuzzy.xlsx"), F("t_fuzzy_e.xlsx"), fz("exact_match"))
    add("table-fuzzy-normalised", "compare_table", F("t_fuzzy.xlsx"), F("t_fuzzy_e.xlsx"),
        fz("exact_match", normalization=[["Rd", "Road"]], ignore_case=True, ignore_chars="."))
    add("table-fuzzy-ratio", "compare_table", F("t_fuzzy.xlsx"), F("t_fuzzy_e.xlsx"), fz("fuzzy_match", threshold=70))
    add("table-two-rules-second-fails", "compare_table", F("t_same.xlsx"), F("t_base.xlsx"),
        {"rules": [{"type": "sheet_name"}, {"type": "sheet_data", "sheet_idx0": "RI0", "sheet_idx1": "EI1"}]})
    chart = lambda *props: {"rules": [{"type": "chart", "sheet_idx0": 0, "sheet_idx1": "EI0",  # noqa: E731
                                       "chart_props": list(props)}]}
    add("table-chart-same", "compare_table", F("t_chart_bar2.xlsx"), F("t_chart_bar.xlsx"), chart("type", "title"))
    add("table-chart-type", "compare_table", F("t_chart_line.xlsx"), F("t_chart_bar.xlsx"), chart("type"))
    add("table-chart-title", "compare_table", F("t_chart_title.xlsx"), F("t_chart_bar.xlsx"), chart("type", "title"))
    add("table-chart-title-not-asked", "compare_table", F("t_chart_title.xlsx"), F("t_chart_bar.xlsx"), chart("type"))
    add("table-chart-direction", "compare_table", F("t_chart_horizontal.xlsx"), F("t_chart_bar.xlsx"),
        chart("type", "direction"))
    add("table-chart-none", "compare_table", F("t_base.xlsx"), F("t_chart_bar.xlsx"), chart("type"))
    style = lambda *props: {"rules": [{"type": "style", "sheet_idx0": 0, "sheet_idx1": "EI0",  # noqa: E731
                                       "props": list(props)}]}
    add("table-style-same-cf", "compare_table", F("t_cf_b.xlsx"), F("t_cf_a.xlsx"), style("font_color"))
    add("table-style-other-threshold", "compare_table", F("t_cf_c.xlsx"), F("t_cf_a.xlsx"), style("font_color"))
    add("table-style-expression-vs-cellis", "compare_table", F("t_cf_expr.xlsx"), F("t_cf_a.xlsx"), style("font_color"))
    add("table-style-absolute-ref", "compare_table", F("t_cf_abs.xlsx"), F("t_cf_a.xlsx"), style("font_color"))
    add("table-style-painted-vs-cf", "compare_table", F("t_cf_static.xlsx"), F("t_cf_a.xlsx"), style("font_color"))
    add("table-style-plain", "compare_table", F("t_cf_plain.xlsx"), F("t_cf_a.xlsx"), style("font_color"))
    add("table-style-bold-same", "compare_table", F("t_cf_plain.xlsx"), F("t_cf_b.xlsx"), style("font_bold", "font_size"))
    filt = {"rules": [{"type": "filter", "sheet_idx0": 0, "sheet_idx1": "EI0"}]}
    add("table-filter-same", "compare_table", F("t_filter_b.xlsx"), F("t_filter_a.xlsx"), filt)
    add("table-filter-differs", "compare_table", F("t_filter_c.xlsx"), F("t_filter_a.xlsx"), filt)
    add("table-filter-none", "compare_table", F("t_base.xlsx"), F("t_filter_a.xlsx"), filt)
    spark = {"rules": [{"type": "sparkline", "sheet_idx0": 0, "sheet_idx1": "EI0"}]}
    add("table-sparkline-same", "compare_table", F("t_spark_b.xlsx"), F("t_spark_a.xlsx"), spark)
    add("table-sparkline-range-differs", "compare_table", F("t_spark_c.xlsx"), F("t_spark_a.xlsx"), spark)
    add("table-sparkline-missing", "compare_table", F("t_base.xlsx"), F("t_spark_a.xlsx"), spark)
    add("table-sparkline-none-both", "compare_table", F("t_base.xlsx"), F("t_same.xlsx"), spark)
    add("cities-short-expected", "compare_conference_city_in_order", F("t_cities.xlsx"),
        {"expected": ["City0", "City1"]})
    add("cities-full", "compare_conference_city_in_order", F("t_cities.xlsx"),
        {"expected": [f"City{i}" for i in range(20)] + [["Town", "City20"]]})
    add("cities-wrong", "compare_conference_city_in_order", F("t_cities.xlsx"),
        {"expected": ["Paris"] + [f"City{i}" for i in range(1, 21)]})

    # CSV / text ------------------------------------------------------------------
    add("csv-equal", "compare_csv", F("c_same.csv"), F("c_base.csv"))
    add("csv-cell-spaces-differ", "compare_csv", F("c_spaces.csv"), F("c_base.csv"))
    add("csv-indent-strict", "compare_csv", F("c_indent.csv"), F("c_base.csv"))
    add("csv-indent-not-strict", "compare_csv", F("c_indent.csv"), F("c_base.csv"), {"strict": False})
    add("csv-case", "compare_csv", F("c_upper.csv"), F("c_base.csv"))
    add("csv-ignore-case", "compare_csv", F("c_upper.csv"), F("c_base.csv"), {"ignore_case": True})
    add("csv-expected-list", "compare_csv", F("c_same.csv"), [F("c_upper.csv"), F("c_base.csv")])
    add("csv-missing-result", "compare_csv", None, F("c_base.csv"))
    add("text-equal", "compare_text_file", F("x_same.txt"), F("x_a.txt"))
    add("text-final-newline-counts", "compare_text_file", F("x_no_newline.txt"), F("x_a.txt"))
    add("text-blanks", "compare_text_file", F("x_spaced.txt"), F("x_a.txt"))
    add("text-ignore-blanks", "compare_text_file", F("x_spaced.txt"), F("x_a.txt"), {"ignore_blanks": True})
    add("text-ignore-blanks-newline", "compare_text_file", F("x_no_newline.txt"), F("x_a.txt"), {"ignore_blanks": True})
    add("text-ignore-case", "compare_text_file", F("x_upper.txt"), F("x_a.txt"), {"ignore_case": True})
    add("text-missing", "compare_text_file", None, F("x_a.txt"))
    add("diff-same", "diff_text_file", F("x_lines.txt"), F("x_lines.txt"))
    add("diff-one-line", "diff_text_file", F("x_lines2.txt"), F("x_lines.txt"))
    add("diff-missing", "diff_text_file", None, F("x_lines.txt"))
    add("diff-nothing-shared", "diff_text_file", F("x_a.txt"), F("x_lines.txt"))
    add("lines-three-times", "check_line_number", F("x_log.txt"), {"expected": 3})
    add("lines-wrong-count", "check_line_number", F("x_log.txt"), {"expected": 5})
    add("lines-not-all-lines", "check_line_number", F("x_log.txt"), {"expected": "5"})
    add("lines-missing", "check_line_number", None, {"expected": 0})
    add("list-match", "check_list", F("x_list.txt"), {"expect": [r"\.mp4$", "backup"], "unexpect": ["secret"]})
    add("list-unexpected", "check_list", F("x_list.txt"), {"expect": ["mp4"], "unexpect": [r"\.img"]})
    add("list-empty-line-pattern", "check_list", F("x_list.txt"), {"unexpect": [".+"]})
    add("list-newline-pattern", "check_list", F("x_list.txt"), {"expect": [r"img\n"]})
    add("csv-records-match", "check_csv", F("c_records.csv"), {"expect": [{"id": "1", "status": "open"}]})
    add("csv-records-unexpect", "check_csv", F("c_records.csv"),
        {"expect": [{"name": "Ann"}], "unexpect": [{"status": "closed"}]})
    add("csv-records-typed", "check_csv", F("c_records.csv"), {"expect": [{"id": 1}]})

    # JSON / values -----------------------------------------------------------------
    add("json-expect", "check_json", F("j_settings.json"),
        {"expect": [{"key": ["editor", "fontSize"], "method": "eq", "ref": 14}]})
    add("json-expect-fails", "check_json", F("j_settings.json"),
        {"expect": [{"key": ["editor", "theme"], "method": "eq", "ref": "light"}]})
    add("json-missing-key", "check_json", F("j_settings.json"),
        {"expect": [{"key": ["editor", "tabSize"], "method": "eq", "ref": 4}]})
    add("json-unexpect-missing-key", "check_json", F("j_settings.json"),
        {"unexpect": [{"key": ["editor", "tabSize"], "method": "eq", "ref": 4}]})
    add("json-regex", "check_json", F("j_settings.json"),
        {"expect": [{"key": ["editor", "theme"], "method": "re", "ref": "^da"}]})
    add("json-bad-file", "check_json", F("j_bad.json"), {"expect": []})
    add("yaml-expect", "check_json", F("j_settings.yaml"),
        {"expect": [{"key": ["editor", "theme"], "method": "eq", "ref": "dark"}]}, {"is_yaml": True})
    rules = {"expected": {"name": "Dana", "phone": "555-0142"}}
    add("direct-dict-equal", "check_direct_json_object", {"name": "Dana", "phone": "555-0142", "x": 1}, rules)
    add("direct-single-quoted-string", "check_direct_json_object", "{'name': 'Dana', 'phone': '555-0142'}\n", rules)
    add("direct-value-not-stripped", "check_direct_json_object", '{"name": "Dana", "phone": " 555-0142"}', rules)
    add("direct-missing-key", "check_direct_json_object", {"name": "Dana"}, rules)
    add("direct-not-json", "check_direct_json_object", "not json", rules)
    add("direct-none", "check_direct_json_object", None, rules)
    contains = {"expected": {"title": ["Intranet", "Home"], "body": "Welcome"}, "expect_in_result": True}
    add("direct-in-result-match", "check_direct_json_object", {"title": "Home", "body": "Welcome back"}, contains)
    add("direct-in-result-list", "check_direct_json_object", {"title": ["Home", "x"], "body": "Welcome"}, contains)
    add("direct-in-result-no-substring-for-lists", "check_direct_json_object",
        {"title": "Northwind Intranet", "body": "Welcome"}, contains)
    add("direct-in-result-number", "check_direct_json_object", {"n": 3}, {"expected": {"n": 3}, "expect_in_result": True})
    add("direct-failed-marker", "check_direct_json_object", {"a": 1}, {"expected": {"a": "__EVALUATION_FAILED__"}})
    add("exact-equal", "exact_match", "yes", {"expected": "yes"})
    add("exact-differs", "exact_match", "yes ", {"expected": "yes"})
    add("exact-none", "exact_match", None, {"expected": "yes"})
    add("in-list", "is_in_list", ["a", "b"], {"expected": "b"})
    add("in-list-string", "is_in_list", "abc", {"expected": "bc"})
    add("in-list-absent", "is_in_list", ["a", "b"], {"expected": "c"})
    add("match-in-list", "match_in_list", "b", {"expected": ["a", "b"]})
    add("match-in-list-no", "match_in_list", "c", {"expected": ["a", "b"]})
    add("literal-str", "literal_match", 5, "5")
    add("literal-case", "literal_match", "Yes", "yes", {"ignore_case": True})
    add("literal-list", "literal_match", ["A", 1], ["a", "1"], {"type": "list", "ignore_case": True})
    add("literal-list-length", "literal_match", ["a"], ["a", "b"], {"type": "list"})
    add("fuzzy", "fuzzy_match", "kitten", {"expected": "sitting"})
    add("fuzzy-disjoint", "fuzzy_match", "abc", {"expected": "xyz"})
    add("include-exclude-ok", "check_include_exclude", "status: done, 3 files",
        {"include": ["done", "3 files"], "exclude": ["error"]})
    add("include-exclude-excluded", "check_include_exclude", "done with error", {"include": ["done"], "exclude": ["error"]})
    add("include-exclude-none", "check_include_exclude", None, {"include": []})
    add("sqlite", "run_sqlite3", F("s_db.sqlite"), {"sql": "SELECT SUM(n) FROM t"})
    add("sqlite-null", "run_sqlite3", F("s_db.sqlite"), {"sql": "SELECT n FROM t WHERE name = 'zzz'"})
    add("a11y-css-text", "check_accessibility_tree", A11Y,
        [{"selectors": ["push-button[name=OK]"], "text": "Save all", "exact": True}])
    add("a11y-xpath-fuzzy", "check_accessibility_tree", A11Y,
        [{"xpath": "//label[@name='status']", "text": "Saved 3 file", "exact": False}])
    add("a11y-missing", "check_accessibility_tree", A11Y, [{"selectors": ["push-button[name=Cancel]"]}])
    add("file-exists", "check_file_exists", F("sub"), "present.txt")
    add("file-exists-no", "check_file_exists", F("sub"), "absent.txt")
    add("math-three-words", "fuzzy_place_math", F("d_math.docx"), {"expected": ["3.14", "2.71", "1.42"]})
    add("math-four-words", "fuzzy_place_math", F("d_math4.docx"), {"expected": ["3.14", "2.71", "1.41"]})

    # documents -------------------------------------------------------------------
    add("centered-first", "is_first_line_centered", F("d_centered.docx"))
    add("centered-second-only", "is_first_line_centered", F("d_second_centered.docx"))
    add("centered-empty-first", "is_first_line_centered", F("d_empty_first_centered.docx"))
    add("centered-by-style", "is_first_line_centered", F("d_style_centered.docx"))
    add("fonts-all", "compare_font_names", F("d_fonts_all.docx"), {"font_name": "Liberation Serif"})
    add("fonts-mixed", "compare_font_names", F("d_fonts_mixed.docx"), {"font_name": "Liberation Serif"})
    add("fonts-inherited", "compare_font_names", F("d_fonts_inherit.docx"), {"font_name": "Calibri"})
    add("docx-blanks-default", "compare_docx_files", F("d_text_a.docx"), F("d_text_b.docx"))
    add("docx-no-ignore-blanks", "compare_docx_files", F("d_text_a.docx"), F("d_text_b.docx"), {"ignore_blanks": False})
    add("docx-delete-empty", "compare_docx_files", F("d_text_a.docx"), F("d_text_b.docx"),
        {"ignore_blanks": False, "delete_empty_lines": True})
    add("docx-order", "compare_docx_files", F("d_text_c.docx"), F("d_text_b.docx"))
    add("docx-ignore-order", "compare_docx_files", F("d_text_c.docx"), F("d_text_b.docx"), {"ignore_order": True})
    add("docx-case", "compare_docx_files", F("d_text_d.docx"), F("d_text_b.docx"), {"ignore_case": True})
    add("docx-content-only", "compare_docx_files", F("d_text_d.docx"), F("d_text_b.docx"), {"content_only": True})
    add("docx-fuzzy", "compare_docx_files", F("d_text_d.docx"), F("d_text_b.docx"), {"fuzzy_match": True})
    add("docx-fuzzy-per-paragraph", "compare_docx_files", F("d_text_d.docx"), F("d_text_b.docx"),
        {"fuzzy_match": True, "ignore_blanks": False})
    add("docx-missing", "compare_docx_files", None, F("d_text_b.docx"))

    # settings, archives, others -----------------------------------------------------
    add("json-settings", "check_json_settings", F("settings.json"), {"expected": {"editor.fontSize": 16}})
    add("json-settings-differs", "check_json_settings", F("settings.json"), {"expected": {"editor.fontSize": 14}})
    add("json-settings-not-json", "check_json_settings", F("x_a.txt"), {"expected": {}})
    add("keybindings-after-comment", "check_json_keybindings", F("keybindings.json"),
        {"expected": {"key": "ctrl+j", "command": "workbench.action.togglePanel"}})
    add("keybindings-missing", "check_json_keybindings", F("keybindings.json"), {"expected": {"key": "ctrl+k", "command": "x"}})
    add("extension-contains", "is_extension_installed", "ms-python.python\nrust-lang.rust\n",
        {"type": "contain", "expected": "ms-python.python"})
    add("extension-not-contains", "is_extension_installed", "ms-python.python\n",
        {"type": "not_contain", "expected": "ms-python.python"})
    add("config-equal", "compare_config", F("x_a.txt"), {"expected": "alpha beta\ngamma\n"})
    add("config-differs", "compare_config", F("x_a.txt"), {"expected": "alpha beta\ngamma"})
    add("zips-same", "compare_zip_files", F("z_same.zip"), F("z_a.zip"))
    add("zips-differ", "compare_zip_files", F("z_other.zip"), F("z_a.zip"))
    add("zips-names-differ", "compare_zip_files", F("z_dir.zip"), F("z_a.zip"))
    add("result-number-close", "compare_result_files", F("answer.txt"), F("answer_gold.txt"))
    add("result-number-in-text", "compare_result_files", F("x_log.txt"), F("answer_gold.txt"))
    add("result-text-differs", "compare_result_files", F("word.txt"), F("word_gold.txt"))
    add("utc-zero", "is_utc_0", "      Local time: Thu 2024-01-25 12:56:06 WET\n  Universal time: Thu 2024-01-25 12:56:06 UTC\n"
        "        RTC time: Thu 2024-01-25 12:56:05\n       Time zone: Atlantic/Faroe (WET, +0000)\n")
    add("utc-other", "is_utc_0", "      Local time: Thu 2024-01-25 13:56:06 CET\n  Universal time: Thu 2024-01-25 12:56:06 UTC\n"
        "        RTC time: Thu 2024-01-25 12:56:05\n       Time zone: Europe/Paris (CET, +0100)\n")
    add("clipboard-as-osworld-calls-it", "is_in_vm_clickboard", "copied text\n", {"expected": "copied"})
    add("clipboard-config-first", "is_in_vm_clickboard", {"expected": ["copied", "text"]}, "copied text\n")
    add("clipboard-config-first-missing", "is_in_vm_clickboard", {"expected": "other"}, "copied text\n")
    add("mp3-tags", "check_mp3_meta", F("song.mp3"),
        {"title": {"method": "eq", "ref": "Morning"}, "artist": {"method": "eq", "ref": "Ann,Bob"}})
    add("mp3-tags-differ", "check_mp3_meta", F("song.mp3"), {"title": {"method": "eq", "ref": "Evening"}})
    add("mp3-tag-missing", "check_mp3_meta", F("song.mp3"), {"album": {"method": "eq", "ref": ""}})
    add("epub-same", "compare_epub", F("b_same.epub"), F("b_book.epub"))
    add("epub-other", "compare_epub", F("b_other.epub"), F("b_book.epub"))
    add("epub-not-a-book", "compare_epub", F("x_a.txt"), F("b_book.epub"))
    add("archive-text", "compare_archive", F("z_same.zip"), F("z_a.zip"))
    add("archive-text-differs", "compare_archive", F("z_other.zip"), F("z_a.zip"))
    add("archive-names-differ", "compare_archive", F("z_dir.zip"), F("z_same.zip"))
    add("archive-folder-ignore-case", "compare_archive", F("z_dir.zip"), F("z_dir_gold.zip"),
        {"file_path": "notes", "file_type": "text", "ignore_case": True})

    add("docx-lines-as-set", "compare_docx_lines", F("d_text_c.docx"), F("d_text_b.docx"))
    add("docx-lines-differ", "compare_docx_lines", F("d_text_d.docx"), F("d_text_b.docx"))
    add("init-lines", "compare_init_lines", F("d_text_b.docx"), F("d_text_b.docx"))
    add("init-lines-differ", "compare_init_lines", F("d_text_c.docx"), F("d_text_b.docx"))
    add("page-break", "contains_page_break", F("w_break.docx"), {"page_break_count": 1})
    add("page-break-count", "contains_page_break", F("w_break.docx"), {"page_break_count": 2})
    add("page-break-none", "contains_page_break", F("d_text_b.docx"), {})
    add("contains-image-same", "compare_contains_image", F("w_image.docx"), F("w_image.docx"))
    add("contains-image-differs", "compare_contains_image", F("w_image.docx"), F("d_text_b.docx"))
    add("equation", "compare_insert_equation", F("w_equation.docx"), F("w_equation.docx"))
    add("equation-missing", "compare_insert_equation", F("w_equation_none.docx"), F("w_equation.docx"))
    add("conversion-lower", "evaluate_conversion", F("d_text_b.docx"))
    add("conversion-upper-left", "evaluate_conversion", F("w_upper.docx"))
    add("spacing-three", "evaluate_spacing", F("w_spacing3.docx"))
    add("spacing-three-wrong", "evaluate_spacing", F("w_spacing3_wrong.docx"))
    add("alignment", "evaluate_alignment", F("w_align.docx"))
    add("alignment-repeat", "evaluate_alignment", F("w_align_repeat.docx"))
    add("no-duplicates", "check_no_duplicates", F("w_trains_initial.docx"), F("w_trains_gold.docx"))
    add("no-duplicates-dup", "check_no_duplicates", F("w_trains_initial.docx"), F("w_trains_dup.docx"))
    add("strikethrough", "check_strikethrough", F("s_strike.pptx"),
        {"slide_index_s": [0], "shape_index_s": [0], "paragraph_index_s": [0]})
    add("strikethrough-missing", "check_strikethrough", F("s_base.pptx"),
        {"slide_index_s": [0], "shape_index_s": [0], "paragraph_index_s": [0]})
    add("fill-distance-blue", "evaluate_presentation_fill_to_rgb_distance", F("s_blue.pptx"), {"rgb": [0, 0, 255]})
    add("fill-distance-original", "evaluate_presentation_fill_to_rgb_distance", F("s_blue.pptx"),
        {"rgb": [0, 0, 255], "original_rgb": [0, 0, 250]})
    add("experiments", "check_enabled_experiments", ["smooth-scrolling@2", "dark-mode@1"],
        {"type": "names", "names": ["smooth-scrolling", "dark-mode"]})
    add("experiments-order", "check_enabled_experiments", ["dark-mode@1", "smooth-scrolling@2"],
        {"type": "names", "names": ["smooth-scrolling", "dark-mode"]})
    add("history-deleted", "check_history_deleted", [("https://a.org/", "A", 1)], {"type": "keywords", "keywords": ["b.org"]})
    add("history-kept", "check_history_deleted", [("https://a.org/", "A", 1)], {"type": "keywords", "keywords": ["a.org"]})
    add("answer", "compare_answer", "42", {"expected": "42"})
    add("answer-empty", "compare_answer", "", {"expected": ""})
    add("file-contains", "file_contains", F("x_a.txt"), {"expected": ["alpha", "gamma"]})
    add("file-contains-missing", "file_contains", F("x_a.txt"), {"expected": ["delta"]})
    add("text-enlarged", "check_text_enlarged", "1.25\n")
    add("text-not-enlarged", "check_text_enlarged", "1.0")
    add("favorites", "check_gnome_favorite_apps", "['firefox.desktop', 'code.desktop']\n",
        {"expected": ["code.desktop", "firefox.desktop"]})
    add("favorites-differ", "check_gnome_favorite_apps", "['firefox.desktop']", {"expected": ["code.desktop"]})
    tree = {"name": "photos", "type": "directory", "children": [{"name": "a.jpg", "type": "file"}, {"name": "b.jpg", "type": "file"}]}
    add("moved-jpgs", "check_moved_jpgs", tree, {"expected": ["b.jpg", "a.jpg"]})
    add("moved-jpgs-missing", "check_moved_jpgs", tree, {"expected": ["a.jpg"]})
    add("json-included", "is_included_all_json_objects", F("gold.json"), F("more.json"))
    add("json-not-included", "is_included_all_json_objects", F("gold.json"), F("less.json"))
    add("terminal-equals-file", "compare_terminal_and_txt", F("x_a.txt"), "alpha beta\ngamma\n")
    add("terminal-differs", "compare_terminal_and_txt", F("x_a.txt"), "alpha beta\ngamma")
    add("python-normalised", "compare_python_pure_text", F("script.py"), F("script_gold.py"))
    add("python-differs", "compare_python_pure_text", F("script_other.py"), F("script_gold.py"))

    # VLC / Thunderbird ------------------------------------------------------------------
    add("vlc-bgcone-off", "check_qt_bgcone", F("vlcrc"), {"expected_qt_bgcone": 0})
    add("vlc-bgcone-default", "check_qt_bgcone", F("vlcrc_default"), {"expected_qt_bgcone": 0})
    add("vlc-max-volume", "check_qt_max_volume", F("vlcrc"), {"expected_qt_max_volume": "200"})
    add("vlc-max-volume-default", "check_qt_max_volume", F("vlcrc_default"), {"expected_qt_max_volume": 200})
    add("vlc-minimal-view", "check_qt_minimal_view", F("vlcrc"), {"expected_qt_minimal_view": 1})
    add("vlc-minimal-view-default", "check_qt_minimal_view", F("vlcrc_default"), {"expected_qt_minimal_view": 1})
    add("vlc-slider-match", "check_qt_slider_colours", F("vlcrc"),
        {"type": "match", "expected_qt_slider_colours": "10;20;30;40;50;60;70;80;90;1;2;3"})
    add("vlc-slider-blackish", "check_qt_slider_colours", F("vlcrc"), {"type": "blackish"})
    add("vlc-slider-default-not-blackish", "check_qt_slider_colours", F("vlcrc_default"), {"type": "blackish"})
    add("vlc-play-pause-key", "check_global_key_play_pause", F("vlcrc"), {"expected_global_key_play_pause": 1})
    add("vlc-play-pause-none", "check_global_key_play_pause", F("vlcrc_default"), {"expected_global_key_play_pause": 1})
    add("vlc-one-instance", "check_one_instance_when_started_from_file", F("vlcrc"),
        {"expected_one_instance_when_started_from_file": 1})
    add("vlc-one-instance-off", "check_one_instance_when_started_from_file", F("vlcrc"),
        {"expected_one_instance_when_started_from_file": 0})
    add("vlc-recordings", "is_vlc_recordings_folder", F("vlcrc"), {"recording_file_path": "/home/user/Desktop"})
    add("vlc-recordings-other", "is_vlc_recordings_folder", F("vlcrc"), {"recording_file_path": "/home/user/Videos"})
    add("vlc-fullscreen", "is_vlc_fullscreen", {"width": 1920, "height": 1080}, {"width": 1920, "height": 1080})
    add("vlc-windowed", "is_vlc_fullscreen", {"width": 800, "height": 600}, {"width": 1920, "height": 1080})
    add("vlc-playing-file", "is_vlc_playing", F("status.xml"), {"type": "file_name", "file_name": "clip.mp4"})
    add("vlc-playing-other-file", "is_vlc_playing", F("status.xml"), {"type": "file_name", "file_name": "song.mp3"})
    add("vlc-paused", "is_vlc_playing", F("status_paused.xml"), {"type": "file_name", "file_name": "clip.mp4"})
    add("vlc-playing-url", "is_vlc_playing", F("status_url.xml"),
        {"type": "url", "url": "https://media.example.org/live/stream.m3u8"})
    add("tb-prefs", "check_thunderbird_prefs", F("prefs.js"),
        {"expect": {"mail.spellcheck.inline": {"method": "eq", "ref": False},
                    "mail.identity.id1.fullName": {"method": "re", "ref": "Lee$"}},
         "unexpect": {"mailnews.start_page.enabled": {"method": "eq", "ref": False}}})
    add("tb-prefs-missing", "check_thunderbird_prefs", F("prefs.js"),
        {"expect": {"mail.compose.autosave": {"method": "eq", "ref": True}}})
    add("tb-prefs-unexpected", "check_thunderbird_prefs", F("prefs.js"),
        {"unexpect": {"mail.server.server1.check_time": {"method": "ge", "ref": 1}}})
    add("tb-filter", "check_thunderbird_filter", F("msgFilterRules.dat"),
        {"expect": [{"name": "Move invoices", "enabled": "yes", "action": "Move to folder",
                     "condition": ["AND (subject,contains,invoice)", "AND (from,contains,billing)"]}]})
    add("tb-filter-unexpected", "check_thunderbird_filter", F("msgFilterRules.dat"),
        {"expect": [{"name": "Move invoices"}], "unexpect": [{"action": "Delete"}]})
    add("tb-filter-condition-differs", "check_thunderbird_filter", F("msgFilterRules.dat"),
        {"expect": [{"name": "Move invoices", "condition": ["AND (subject,contains,invoice)"]}]})
    add("tb-folder-any-text-equal", "check_thunderbird_folder", F("Inbox"), F("Inbox_other"))
    add("tb-folder-missing", "check_thunderbird_folder", None, F("Inbox"))

    # Writer ---------------------------------------------------------------------------
    add("docx-tables-same", "compare_docx_tables", F("w_table_space.docx"), F("w_table.docx"))
    add("docx-tables-differ", "compare_docx_tables", F("w_table_other.docx"), F("w_table.docx"))
    add("docx-tables-none", "compare_docx_tables", F("d_text_a.docx"), F("w_table.docx"))
    add("docx-images-same", "compare_docx_images", F("w_image.docx"), F("w_image.docx"))
    add("docx-images-differ", "compare_docx_images", F("w_image_other.docx"), F("w_image.docx"))
    add("docx-newlines-ignored", "compare_docx_files_and_ignore_new_lines", F("d_text_a.docx"), F("d_text_b.docx"))
    add("docx-newlines-strict", "compare_docx_files_and_ignore_new_lines", F("d_text_a.docx"), F("d_text_b.docx"),
        {"ignore_blanks": False})
    add("default-font", "find_default_font", F("r_font.xcu"), {"font_name": "Liberation Serif"})
    add("default-font-other", "find_default_font", F("r_font.xcu"), {"font_name": "DejaVu Sans"})
    add("tabstops-same", "check_tabstops", F("w_tabs.docx"), F("w_tabs.docx"))
    add("tabstops-shifted", "check_tabstops", F("w_tabs_shifted.docx"), F("w_tabs.docx"))
    add("tabstops-word-count", "check_tabstops", F("w_tabs.docx"), F("w_tabs.docx"),
        {"word_number_split_by_tabstop": 1, "index": 1})
    add("tabstops-no-tabs", "check_tabstops", F("w_spacing.docx"), F("w_tabs.docx"))
    add("line-spacing-same", "compare_line_spacing", F("w_spacing.docx"), F("w_spacing.docx"))
    add("line-spacing-differs", "compare_line_spacing", F("w_spacing_double.docx"), F("w_spacing.docx"))
    add("italic-14", "check_italic_font_size_14", F("w_italic.docx"), F("w_italic_12.docx"))
    add("italic-12", "check_italic_font_size_14", F("w_italic_12.docx"), F("w_italic.docx"))
    add("strike-last", "evaluate_strike_through_last_paragraph", F("w_strike.docx"), F("w_strike_partial.docx"))
    add("strike-partial", "evaluate_strike_through_last_paragraph", F("w_strike_partial.docx"), F("w_strike.docx"))
    add("colors-right", "evaluate_colored_words_in_tables", F("w_colors.docx"), F("w_colors_swapped.docx"))
    add("colors-swapped", "evaluate_colored_words_in_tables", F("w_colors_swapped.docx"), F("w_colors.docx"))
    add("subscript-both", "compare_subscript_contains", F("w_subscript.docx"), F("w_subscript.docx"))
    add("subscript-missing", "compare_subscript_contains", F("w_subscript_plain.docx"), F("w_subscript.docx"))
    add("footer-numbers", "has_page_numbers_in_footers", F("w_footer.docx"))
    add("footer-no-numbers", "has_page_numbers_in_footers", F("w_footer_none.docx"))
    add("references-same", "compare_references", F("w_refs.docx"), F("w_refs.docx"),
        {"content_only": True, "reference_base_result": 0.5})
    add("references-differ", "compare_references", F("w_refs_other.docx"), F("w_refs.docx"))
    add("references-none", "compare_references", F("d_text_a.docx"), F("d_text_b.docx"))
    add("references-heading-missing", "compare_references", F("d_text_a.docx"), F("w_refs.docx"))
    add("trains-good", "compare_unique_train_records", F("w_trains_good.docx"),
        [F("w_trains_gold.docx"), F("w_trains_initial.docx")])
    add("trains-duplicate-id", "compare_unique_train_records", F("w_trains_dup.docx"),
        [F("w_trains_gold.docx"), F("w_trains_initial.docx")])
    add("highlight-removed", "check_highlighted_words", F("o_plain.odt"), F("o_marked.odt"))
    add("highlight-kept", "check_highlighted_words", F("o_marked.odt"), F("o_plain.odt"))

    # GIMP ---------------------------------------------------------------------------
    add("darker-same-structure", "check_brightness_decrease_and_structure_sim", F("g_darker.png"), F("g_base.png"))
    add("brighter", "check_brightness_decrease_and_structure_sim", F("g_brighter.png"), F("g_base.png"))
    add("darker-other-picture", "check_brightness_decrease_and_structure_sim", F("g_noise.png"), F("g_base.png"))
    add("darker-strict-threshold", "check_brightness_decrease_and_structure_sim", F("g_darker.png"), F("g_base.png"),
        {"threshold": 0.00001})
    add("saturated", "check_saturation_increase_and_structure_sim", F("g_saturated.png"), F("g_base.png"))
    add("desaturated", "check_saturation_increase_and_structure_sim", F("g_desaturated.png"), F("g_base.png"))
    add("contrast-up", "check_contrast_increase_and_structure_sim", F("g_contrast.png"), F("g_base.png"))
    add("contrast-down", "check_contrast_increase_and_structure_sim", F("g_flat.png"), F("g_base.png"))
    add("structure-same", "check_structure_sim", F("g_base.png"), F("g_base.png"))
    add("structure-quantised", "check_structure_sim", F("g_base.png"), F("g_palette.png"))
    add("structure-mirrored", "check_structure_sim", F("g_mirror.png"), F("g_base.png"))
    add("structure-sizes-differ", "check_structure_sim", F("g_big.png"), F("g_base.png"))
    add("structure-resized", "check_structure_sim_resized", F("g_big.png"), F("g_base.png"))
    add("structure-resized-transparent", "check_structure_sim_resized", F("g_transparent.png"), F("g_base.png"))
    add("structure-resized-other", "check_structure_sim_resized", F("g_noise.png"), F("g_base.png"))
    add("exported-same", "check_file_exists_and_structure_sim", F("g_base.png"), F("g_base.png"))
    add("exported-absent", "check_file_exists_and_structure_sim", F("absent.png"), F("g_base.png"))
    add("palette", "check_palette_and_structure_sim", F("m_triangle-palette.png"), F("m_triangle-centre.png"))
    add("palette-quantised-photo", "check_palette_and_structure_sim", F("g_palette.png"), F("g_base.png"))
    add("palette-not-indexed", "check_palette_and_structure_sim", F("g_base.png"), F("g_base.png"))
    add("triangle-centre", "check_triangle_position", F("m_triangle-centre.png"))
    add("triangle-corner", "check_triangle_position", F("m_triangle-corner.png"))
    add("textbox-left", "check_textbox_on_leftside", F("m_text-left.png"))
    add("textbox-middle", "check_textbox_on_leftside", F("m_text-middle.png"))
    add("green-background", "check_green_background", F("m_green.png"), F("m_mask.png"))
    add("red-background", "check_green_background", F("m_red.png"), F("m_mask.png"))
    add("gimp-config-key", "check_config_status", F("gimprc"), {"key": "show-tooltips", "value": "no"})
    add("gimp-config-two-words", "check_config_status", F("gimprc"),
        {"key": ["color-management", "(mode"], "value": "display))"})
    add("gimp-config-other-value", "check_config_status", F("gimprc"), {"key": "show-tooltips", "value": "yes"})
    add("image-size", "check_image_size", F("g_base.png"), {"width": 48, "height": 48})
    add("image-size-height-only", "check_image_size", F("g_big.png"), {"height": 48})
    add("image-size-transparent-box", "check_image_size", F("g_transparent.png"),
        {"width": 48, "height": 48, "ignore_transparent": True})
    add("image-size-transparent-kept", "check_image_size", F("g_transparent.png"), {"width": 64, "height": 64})
    add("image-file-size", "check_image_file_size", F("g_base.png"), {"max_size": 500000})
    add("image-file-size-over", "check_image_file_size", F("g_base.png"), {"max_size": 100})
    add("mirror", "check_image_mirror", F("g_mirror.png"), F("g_base.png"))
    add("mirror-not", "check_image_mirror", F("g_base.png"), F("g_base.png"))
    add("brightness-decreased", "decrease_brightness", F("g_base.png"), F("g_darker.png"))
    add("brightness-not-decreased", "decrease_brightness", F("g_darker.png"), F("g_base.png"))
    add("saturation-increased", "increase_saturation", F("g_base.png"), F("g_saturated.png"))
    add("saturation-not-increased", "increase_saturation", F("g_saturated.png"), F("g_base.png"))
    add("image-list-same", "compare_image_list", [F("g_base.png"), F("m_green.png")], [F("g_base.png"), F("m_green.png")])
    add("image-list-differs", "compare_image_list", [F("g_base.png"), F("m_red.png")], [F("g_base.png"), F("m_green.png")])
    add("image-list-missing", "compare_image_list", [None], [F("g_base.png")])

    # presentations ---------------------------------------------------------------
    add("pptx-same", "compare_pptx_files", F("s_same.pptx"), F("s_base.pptx"))
    add("pptx-text", "compare_pptx_files", F("s_text.pptx"), F("s_base.pptx"))
    add("pptx-text-not-examined", "compare_pptx_files", F("s_text.pptx"), F("s_base.pptx"), {"examine_text": False})
    add("pptx-nudged-within-tolerance", "compare_pptx_files", F("s_nudged.pptx"), F("s_base.pptx"))
    add("pptx-moved", "compare_pptx_files", F("s_moved.pptx"), F("s_base.pptx"))
    add("pptx-moved-shape-not-examined", "compare_pptx_files", F("s_moved.pptx"), F("s_base.pptx"), {"examine_shape": False})
    add("pptx-moved-wide-tolerance", "compare_pptx_files", F("s_moved.pptx"), F("s_base.pptx"),
        {"approximately_tolerance": 0.5})
    add("pptx-bold-false-is-none", "compare_pptx_files", F("s_bold_false.pptx"), F("s_base.pptx"))
    add("pptx-bold", "compare_pptx_files", F("s_bold_true.pptx"), F("s_base.pptx"))
    add("pptx-font-size", "compare_pptx_files", F("s_size.pptx"), F("s_base.pptx"))
    add("pptx-left-is-default", "compare_pptx_files", F("s_left.pptx"), F("s_base.pptx"))
    add("pptx-centered", "compare_pptx_files", F("s_center.pptx"), F("s_base.pptx"))
    add("pptx-centered-not-examined", "compare_pptx_files", F("s_center.pptx"), F("s_base.pptx"), {"examine_alignment": False})
    add("pptx-slide-count", "compare_pptx_files", F("s_one_slide.pptx"), F("s_base.pptx"))
    add("pptx-slide-count-not-examined", "compare_pptx_files", F("s_one_slide.pptx"), F("s_base.pptx"),
        {"examine_number_of_slides": False})
    add("pptx-notes", "compare_pptx_files", F("s_notes.pptx"), F("s_base.pptx"))
    add("pptx-notes-not-examined", "compare_pptx_files", F("s_notes.pptx"), F("s_base.pptx"), {"examine_note": False})
    add("stretched", "check_image_stretch_and_center", F("s_picture_full.pptx"), F("s_picture_small.pptx"))
    add("not-stretched", "check_image_stretch_and_center", F("s_picture_small.pptx"), F("s_picture_small.pptx"))
    add("no-picture", "check_image_stretch_and_center", F("s_picture_full.pptx"), F("s_base.pptx"))
    add("left-panel", "check_left_panel", '<desktop-frame><application name="soffice"><frame>'
        '<document-frame name="Slides View"/></frame></application></desktop-frame>')
    add("left-panel-hidden", "check_left_panel", '<desktop-frame><application name="soffice"><frame>'
        '<document-frame name="Slide"/></frame></application></desktop-frame>')
    add("page-number-colors-none", "check_page_number_colors", F("s_base.pptx"), {"color": "black"})
    add("page-number-colors-red", "check_page_number_colors", F("s_master_red.pptx"), {"color": "red"})
    add("page-number-colors-not-blue", "check_page_number_colors", F("s_master_red.pptx"), {"color": "blue"})
    add("portrait", "check_slide_orientation_Portrait", F("s_portrait.pptx"))
    add("landscape", "check_slide_orientation_Portrait", F("s_base.pptx"))
    add("transition", "check_transition", F("s_dissolve.pptx"), {"slide_idx": 0, "transition_type": "dissolve"})
    add("transition-other-type", "check_transition", F("s_dissolve.pptx"), {"slide_idx": 0, "transition_type": "fade"})
    add("transition-no-slide", "check_transition", F("s_dissolve.pptx"), {"slide_idx": 5, "transition_type": "dissolve"})
    add("presenter-off", "check_presenter_console_disable", F("r_presenter_off.xcu"))
    add("presenter-on", "check_presenter_console_disable", F("r_presenter_on.xcu"))
    add("autosave-3", "check_auto_saving_time", F("r_presenter_off.xcu"), {"minutes": 3})
    add("autosave-5", "check_auto_saving_time", F("r_presenter_off.xcu"), {"minutes": 5})

    # images / PDFs ----------------------------------------------------------------
    add("images-identical", "compare_images", F("i_box2.png"), F("i_box.png"))
    add("images-shifted", "compare_images", F("i_shift.png"), F("i_box.png"))
    add("images-different", "compare_images", F("i_stripes.png"), F("i_box.png"))
    add("images-resized", "compare_images", F("i_box_big.png"), F("i_box.png"))
    add("images-base-above", "compare_images", F("i_box2.png"), F("i_box.png"), {"reference_base_result": 0.5})
    add("images-base-below", "compare_images", F("i_stripes.png"), F("i_box.png"), {"reference_base_result": 0.9})
    add("pdf-pages-eq", "check_pdf_pages", F("p_two.pdf"), {"relation": "eq", "ref_value": 2})
    add("pdf-pages-gt", "check_pdf_pages", F("p_one.pdf"), {"relation": "gt", "ref_value": 1})
    add("pdfs-same", "compare_pdfs", F("p_two_same.pdf"), F("p_two.pdf"))
    add("pdfs-other", "compare_pdfs", F("p_other.pdf"), F("p_two.pdf"))
    add("pdfs-missing", "compare_pdfs", None, F("p_two.pdf"))
    add("pdf-images-same", "compare_pdf_images", F("p_img_same.pdf"), F("p_img.pdf"))
    add("pdf-images-other", "compare_pdf_images", F("p_img_other.pdf"), F("p_img.pdf"))
    add("pdf-images-shifted", "compare_pdf_images", F("p_img_shift.pdf"), F("p_img.pdf"))
    add("pdf-images-count", "compare_pdf_images", F("p_two.pdf"), F("p_img.pdf"))
    add("pdf-images-none", "compare_pdf_images", F("p_two.pdf"), F("p_one.pdf"))
    add("pdfs-lists", "compare_pdfs", [F("p_two_same.pdf"), F("p_one.pdf")], [F("p_two.pdf"), F("p_two.pdf")])

    # browser -----------------------------------------------------------------------
    tab = lambda url: {"type": "url", "url": url}  # noqa: E731
    add("tab-www-elided", "is_expected_active_tab", {"url": "https://www.example.com/docs"}, tab("example.com/docs"))
    add("tab-trailing-slash", "is_expected_active_tab", "https://example.com/", tab("https://example.com"))
    add("tab-other-suffix", "is_expected_active_tab", "https://example.org/docs", tab("https://example.com/docs"))
    add("tab-other-path", "is_expected_active_tab", "https://example.com/a", tab("https://example.com/b"))
    add("tab-scheme-differs", "is_expected_active_tab", "http://example.com/a", tab("https://example.com/a"))
    add("tab-query-counts", "is_expected_active_tab", "https://example.com/a?q=1", tab("https://example.com/a?q=2"))
    add("tab-subdomain", "is_expected_active_tab", "https://docs.example.co.uk/x", tab("https://docs.example.com/x"))
    add("tab-none", "is_expected_active_tab", None, tab("https://example.com"))
    add("tab-approx-query", "is_expected_active_tab_approximate", "https://example.com/a?q=1", tab("https://example.com/a"))
    add("tab-approx-path", "is_expected_active_tab_approximate", "https://example.com/b?q=1", tab("https://example.com/a"))
    add("url-pattern", "is_expected_url_pattern_match", {"url": "https://x.org/search?q=cats"}, {"expected": ["q=cats", "^https"]})
    add("url-pattern-miss", "is_expected_url_pattern_match", "https://x.org/", {"expected": ["q="]})
    add("url-pattern-bad-dict", "is_expected_url_pattern_match", {"title": "x"}, {"expected": ["q="]})
    tabs = [{"title": "a", "url": "https://www.a.com/"}, {"title": "b", "url": "https://b.com/x"}]
    add("tabs-same-any-order", "is_expected_tabs", tabs, {"type": "url", "urls": ["https://b.com/x", "a.com"]})
    add("tabs-same-normalised", "is_expected_tabs", tabs,
        {"type": "url", "urls": ["https://b.com/x", "https://a.com"]})
    add("tabs-missing", "is_expected_tabs", tabs, {"type": "url", "urls": ["https://a.com"]})
    roots = {"bookmark_bar": {"children": [
        {"type": "folder", "name": "Work", "children": []},
        {"type": "folder", "name": "Liked Authors", "children": [
            {"type": "url", "name": "x", "url": "https://a.org/1"}, {"type": "url", "name": "y", "url": "https://a.org/2"}]},
        {"type": "url", "name": "site", "url": "https://site.org/"}]}}
    add("bookmarks-folders", "is_expected_bookmarks", roots,
        {"type": "bookmark_bar_folders_names", "names": ["Liked Authors", "Work"]})
    add("bookmarks-urls-differ", "is_expected_bookmarks", roots,
        {"type": "bookmark_bar_websites_urls", "urls": ["https://site.org"]})
    add("bookmarks-liked-choices", "is_expected_bookmarks", roots,
        {"type": "liked_authors_websites_urls", "urls": [["https://a.org/0", "https://a.org/1"], "https://a.org/2"]})
    add("bookmarks-empty", "is_expected_bookmarks", [], {"type": "bookmark_bar_folders_names", "names": []})
    add("search-query", "is_expected_search_query", {"url": "https://www.google.com/search?q=weather"},
        {"expect": {"pattern": r"q=weather"}})
    add("search-query-other", "is_expected_search_query", {"url": "https://www.google.com/search?q=news"},
        {"expect": {"pattern": r"q=weather"}})
    add("extensions-subset", "is_expected_installed_extensions", ["A", "B"], {"expected": ["A"]})
    add("extensions-missing", "is_expected_installed_extensions", ["A"], {"expected": ["A", "C"]})
    add("cookie-deleted", "is_cookie_deleted", [(0, ".other.com"), (1, "www.keep.org")],
        {"type": "domains", "domains": [".example.com"]})
    add("cookie-still-there", "is_cookie_deleted", [(0, ".example.com")], {"type": "domains", "domains": ["example.com"]})
    add("shortcut-name", "is_shortcut_on_desktop", {"a.desktop": "[Desktop Entry]\nName=Docs\nExec=chromium x\n"},
        {"type": "name", "name": "Docs"})
    add("shortcut-exec-missing", "is_shortcut_on_desktop", {"a.desktop": "Exec=chromium x"},
        {"type": "exec", "exec": "chromium x"})
    add("font-size-value", "check_font_size", {"default_font_size": 20}, {"type": "value", "value": 20})
    add("font-size-range-open", "check_font_size", {"default_font_size": 20}, {"type": "range", "min": 20, "max": 30})
    add("steam-cart", "is_added_to_steam_cart", {"content": "<li>Game A</li><li>Game B</li>"}, {"items": ["Game A"]})
    add("steam-cart-missing", "is_added_to_steam_cart", {"content": "<li>Game A</li>"}, {"items": ["Game A", "Game C"]})
    return c
