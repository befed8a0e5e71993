"""OSWorld's other word-processor metrics (its docs.py): tables, images, spacing, fonts,
tab stops, strike-through, colours, references, LibreOffice's default font.

Several first require `compare_docx_files(result, expected)` (its defaults: whitespace-
collapsed text equal) and then check one property of the result, as OSWorld does.
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Any

from rapidfuzz import fuzz

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.docs import compare_docx_files, open_docx
from envs.osworld_lite.metrics.safe_files import RefusedFileError, check_size


def _docs(*paths: Any) -> list[Any] | None:
    """The documents, or None when one is missing or cannot be opened (OSWorld scores that 0)."""
    if not all(paths):
        return None
    try:
        return [open_docx(p) for p in paths]
    except RefusedFileError:
        raise
    except Exception:
        return None


@metric("compare_docx_tables")
def compare_docx_tables(result: Any, expected: Any) -> float:
    """Same number of tables, each with the same shape and stripped cell texts."""
    docs = _docs(result, expected)
    if docs is None:
        return 0.0
    t1s, t2s = docs[0].tables, docs[1].tables
    if len(t1s) != len(t2s):
        return 0.0
    for t1, t2 in zip(t1s, t2s):
        if len(t1.rows) != len(t2.rows) or len(t1.columns) != len(t2.columns):
            return 0.0
        for i in range(len(t1.rows)):
            for j in range(len(t1.columns)):
                if t1.cell(i, j).text.strip() != t2.cell(i, j).text.strip():
                    return 0.0
    return 1.0


@metric("compare_docx_images")
def compare_docx_images(result: Any, expected: Any) -> float:
    """The documents' images (in relationship order) have identical pixels."""
    from PIL import Image

    docs = _docs(result, expected)
    if docs is None:
        return 0.0

    def images(doc: Any) -> list[bytes]:
        return [rel.target_part.blob for rel in doc.part.rels.values() if "image" in rel.reltype]
    a, b = images(docs[0]), images(docs[1])
    if len(a) != len(b):
        return 0.0
    return float(all(Image.open(io.BytesIO(x)).tobytes() == Image.open(io.BytesIO(y)).tobytes() for x, y in zip(a, b)))


@metric("compare_docx_files_and_ignore_new_lines")
def compare_docx_files_and_ignore_new_lines(result: Any, expected: Any, ignore_blanks: bool = True) -> float:
    """Non-empty paragraphs' texts equal (whitespace-collapsed with `ignore_blanks`)."""
    if not result or not expected or not (str(result).endswith(".docx") and str(expected).endswith(".docx")):
        return 0.0
    docs = _docs(result, expected)
    if docs is None:
        return 0.0
    p1 = [p.text for p in docs[0].paragraphs if p.text != ""]
    p2 = [p.text for p in docs[1].paragraphs if p.text != ""]
    if ignore_blanks:
        return float(re.sub(r"\s+", " ", "\n".join(p1)).strip() == re.sub(r"\s+", " ", "\n".join(p2)).strip())
    return float(p1 == p2)


@metric("find_default_font")
def find_default_font(result: Any, rules: dict[str, Any]) -> float:
    """LibreOffice Writer's default ("Standard") font in registrymodifications.xcu."""
    if not result:
        return 0.0
    font = None
    try:
        check_size(result)
        oor = "http://openoffice.org/2001/registry"
        root = ET.parse(result).getroot()
        for item in root.findall(f'.//item[@{{{oor}}}path="/org.openoffice.Office.Writer/DefaultFont"]'):
            for prop in item.findall(f'.//prop[@{{{oor}}}name="Standard"]'):
                for value in prop.findall("value"):
                    font = value.text
    except (ET.ParseError, OSError):
        pass
    return float(font == rules["font_name"])


@metric("check_tabstops")
def check_tabstops(result: Any, expected: Any, word_number_split_by_tabstop: int | None = None,
                   index: int = 0) -> float:
    """Non-empty paragraphs have the expected tab stops (same alignments); the score is 1 minus
    the mean position difference relative to the text width. With `word_number_split_by_tabstop`
    each paragraph's `index`-th tab-separated part must have that many words."""
    from docx.enum.text import WD_TAB_ALIGNMENT

    docs = _docs(result, expected)
    if docs is None:
        return 0.0
    para1 = [p for p in docs[0].paragraphs if p.text.strip()]
    para2 = [p for p in docs[1].paragraphs if p.text.strip()]
    if len(para1) != len(para2):
        return 0.0
    if word_number_split_by_tabstop is not None:
        for p in para1:
            parts = p.text.split("\t")
            words = [w for w in re.split(r"\s", parts[index]) if w.strip()]
            if len(words) != word_number_split_by_tabstop:
                return 0.0
    section = docs[1].sections[0]
    width = section.page_width - section.left_margin - section.right_margin

    def kept(t: Any) -> bool:
        return not (t.alignment == WD_TAB_ALIGNMENT.CLEAR or (t.alignment == WD_TAB_ALIGNMENT.LEFT and t.position == 0))
    minus = 0.0
    for p1, p2 in zip(para1, para2):
        tabs1 = [t for t in p1.paragraph_format.tab_stops if kept(t)]
        tabs2 = [t for t in p2.paragraph_format.tab_stops if kept(t)]
        if len(tabs1) != len(tabs2):
            return 0.0
        difference = 0.0
        for t1, t2 in zip(tabs1, tabs2):
            if t1.alignment != t2.alignment:
                return 0.0
            difference += abs(t1.position - t2.position)
        minus += difference / width
    return 1 - minus / len(para1)


@metric("compare_line_spacing")
def compare_line_spacing(result: Any, expected: Any) -> float:
    if not result or not expected or not compare_docx_files(result, expected):
        return 0.0
    docs = _docs(result, expected)
    if docs is None or len(docs[0].paragraphs) != len(docs[1].paragraphs):
        return 0.0
    return float(all(a.paragraph_format.line_spacing == b.paragraph_format.line_spacing
                     for a, b in zip(docs[0].paragraphs, docs[1].paragraphs)))


@metric("check_italic_font_size_14")
def check_italic_font_size_14(result: Any, expected: Any) -> float:
    """Same text as expected, and every italic run is 14 pt."""
    if not result or not expected or not compare_docx_files(result, expected):
        return 0.0
    docs = _docs(result)
    if docs is None:
        return 0.0
    for par in docs[0].paragraphs:
        for run in par.runs:
            if run.italic and (run.font.size is None or run.font.size.pt != 14):
                return 0.0
    return 1.0


@metric("evaluate_strike_through_last_paragraph")
def evaluate_strike_through_last_paragraph(result: Any, expected: Any) -> float:
    if not result or not expected or not compare_docx_files(result, expected):
        return 0.0
    docs = _docs(result)
    if docs is None:
        return 0.0
    return float(all(run.font.strike for run in docs[0].paragraphs[-1].runs))


@metric("evaluate_colored_words_in_tables")
def evaluate_colored_words_in_tables(result: Any, expected: Any, threshold: float = 3.5) -> float:
    """In tables, words starting with a vowel are red and the others blue (CIEDE2000 ≤ threshold)."""
    from skimage.color import deltaE_ciede2000, rgb2lab

    if not result or not expected or not compare_docx_files(result, expected):
        return 0.0
    docs = _docs(result)
    if docs is None:
        return 0.0

    def distance(rgb: Any, ref: tuple[int, int, int]) -> float:
        return float(deltaE_ciede2000(rgb2lab([c / 255.0 for c in rgb]), rgb2lab([c / 255.0 for c in ref])))
    for table in docs[0].tables:
        for row in table.rows:
            for cell in row.cells:
                for par in cell.paragraphs:
                    for run in par.runs:
                        if run.text:
                            want = (255, 0, 0) if run.text[0].lower() in "aeiou" else (0, 0, 255)
                            if distance(run.font.color.rgb, want) > threshold:
                                return 0.0
    return 1.0


@metric("compare_subscript_contains")
def compare_subscript_contains(result: Any, expected: Any) -> float:
    """Some aligned run pair is subscript in both documents."""
    docs = _docs(result, expected)
    if docs is None:
        return 0.0
    for p1, p2 in zip(docs[0].paragraphs, docs[1].paragraphs):
        for r1, r2 in zip(p1.runs, p2.runs):
            if r1.font.subscript and r2.font.subscript:
                return 1.0
    return 0.0


@metric("has_page_numbers_in_footers")
def has_page_numbers_in_footers(result: Any) -> float:
    """Every section's footer's first paragraph holds a digit."""
    if not result:
        return 0.0
    docs = _docs(result)
    if docs is None:
        return 0.0
    for section in docs[0].sections:
        footer = section.footer
        if footer is None:
            return 0.0
        text = footer.paragraphs[0].text if footer.paragraphs else ""
        if not any(ch.isdigit() for ch in text):
            return 0.0
    return 1.0


@metric("compare_references")
def compare_references(result: Any, expected: Any, content_only: bool = False,
                       reference_indicator: str = "References", reference_base_result: float = 0.5) -> float:
    """The non-empty paragraphs after the `reference_indicator` heading, compared pairwise by
    fuzzy ratio; the mean m scores (m - base) / (1 - base) when m ≥ base + 0.01, else 0.
    (`content_only` is accepted and unused, as in OSWorld.)"""
    if not result or not expected or not (str(result).endswith(".docx") and str(expected).endswith(".docx")):
        return 0.0
    docs = _docs(result, expected)
    if docs is None:
        return 0.0
    p1, p2 = [p.text for p in docs[0].paragraphs], [p.text for p in docs[1].paragraphs]
    i1 = p1.index(reference_indicator) if reference_indicator in p1 else -1
    i2 = p2.index(reference_indicator) if reference_indicator in p2 else -1
    if i1 == -1 and i2 == -1:
        return 1.0
    if i1 == -1 or i2 == -1:
        return 0.0
    r1, r2 = [p for p in p1[i1 + 1:] if p.strip()], [p for p in p2[i2 + 1:] if p.strip()]
    if len(r1) != len(r2):
        return 0.0
    mean = sum(fuzz.ratio(a, b) / 100.0 for a, b in zip(r1, r2)) / len(r1)
    if mean >= reference_base_result + 0.01:
        return (mean - reference_base_result) / (1 - reference_base_result)
    return 0.0


@metric("compare_unique_train_records")
def compare_unique_train_records(result: Any, expected: Any) -> float:
    """`expected` is [gold, initial]: the result's lines all come from the initial document,
    its train ids (2nd of 4 comma fields) are unique and equal the gold's, with as many lines."""
    if not result or not isinstance(expected, list) or len(expected) < 2 or not expected[0] or not expected[1]:
        return 0.0

    def lines_and_ids(path: Any) -> tuple[list[str], list[str]] | None:
        docs = _docs(path)
        if docs is None:
            return None
        lines = [p.text.strip() for p in docs[0].paragraphs if p.text.strip()]
        return lines, [ln.split(",")[1].strip() for ln in lines if len(ln.split(",")) == 4]
    got, gold, initial = lines_and_ids(result), lines_and_ids(expected[0]), lines_and_ids(expected[1])
    if got is None or gold is None or initial is None:
        return 0.0
    (lines, ids), (gold_lines, gold_ids) = got, gold
    if not set(lines).issubset(set(initial[0])) or len(ids) != len(set(ids)) or set(ids) != set(gold_ids):
        return 0.0
    return float(len(lines) == len(gold_lines))


_ODF = {"text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
        "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
        "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
        "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"}


@metric("check_highlighted_words")
def check_highlighted_words(result: Any, expected: Any) -> float:
    """Two .odt files with the same text, and no span of the result highlighted yellow
    (an automatic style with background colour #ffff00)."""
    import zipfile

    from lxml import etree

    from envs.osworld_lite.metrics.safe_files import check_archive

    if not result or not expected or not compare_docx_files(result, expected):
        return 0.0
    check_archive(result)
    with zipfile.ZipFile(result) as z:
        root = etree.fromstring(z.read("content.xml"), etree.XMLParser(resolve_entities=False, no_network=True))
    yellow = set()
    for style in root.iterfind("office:automatic-styles/style:style", _ODF):
        if any(child.get(f"{{{_ODF['fo']}}}background-color") == "#ffff00" for child in style):
            yellow.add(style.get(f"{{{_ODF['style']}}}name"))
    for span in root.iter(f"{{{_ODF['text']}}}span"):
        if span.get(f"{{{_ODF['text']}}}style-name") in yellow:
            return 0.0
    return 1.0


@metric("compare_docx_lines")
def compare_docx_lines(result: Any, expected: Any) -> float:
    """The sets of stripped non-empty paragraph texts are equal."""
    docs = _docs(result, expected)
    if docs is None:
        return 0.0
    lines = [{p.text.strip() for p in d.paragraphs if p.text.strip()} for d in docs]
    return float(lines[0] == lines[1])


@metric("compare_init_lines")
def compare_init_lines(result: Any, expected: Any) -> float:
    """Paragraphs equal pairwise over the shorter document."""
    docs = _docs(result, expected)
    if docs is None:
        return 0.0
    return float(all(a.text == b.text for a, b in zip(docs[0].paragraphs, docs[1].paragraphs)))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@metric("contains_page_break")
def contains_page_break(result: Any, rules: dict[str, Any]) -> float:
    """The document has a page break (exactly `page_break_count` of them when given)."""
    if not result:
        return 0.0
    docs = _docs(result)
    if docs is None:
        return 0.0
    want = rules.get("page_break_count") if isinstance(rules, dict) else None
    count = sum(1 for p in docs[0].paragraphs for run in p.runs for br in run.element.iter(f"{_W}br")
                if br.get(f"{_W}type") == "page")
    if want is not None and count != want:
        return 0.0
    return float(count > 0)


@metric("compare_contains_image")
def compare_contains_image(result: Any, expected: Any) -> float:
    """Aligned runs agree on holding a picture (graphicData) or not."""
    docs = _docs(result, expected)
    if docs is None:
        return 0.0
    for p1, p2 in zip(docs[0].paragraphs, docs[1].paragraphs):
        for r1, r2 in zip(p1.runs, p2.runs):
            if ("graphicData" in r1._element.xml) != ("graphicData" in r2._element.xml):  # noqa: SLF001
                return 0.0
    return 1.0


@metric("compare_insert_equation")
def compare_insert_equation(result: Any, expected: Any) -> float:
    """Same text, and some aligned run pair holds an embedded object (an equation) in both."""
    if not result or not expected or not compare_docx_files(result, expected):
        return 0.0
    docs = _docs(result, expected)
    if docs is None:
        return 0.0
    for p1, p2 in zip(docs[0].paragraphs, docs[1].paragraphs):
        for r1, r2 in zip(p1.runs, p2.runs):
            if r1.element.xpath(".//w:object") and r2.element.xpath(".//w:object"):
                return 1.0
    return 0.0


@metric("evaluate_conversion")
def evaluate_conversion(result: Any) -> float:
    """No run (in tables or paragraphs) is all upper case."""
    if not result:
        return 0.0
    docs = _docs(result)
    if docs is None:
        return 0.0
    doc = docs[0]
    runs = [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    runs += [r for p in doc.paragraphs for r in p.runs]
    return float(not any(r.text.isupper() for r in runs))


@metric("evaluate_spacing")
def evaluate_spacing(result: Any) -> float:
    """Line spacing 1.0, 2.0 and 1.5 for the first three paragraphs."""
    if not result:
        return 0.0
    docs = _docs(result)
    if docs is None:
        return 0.0
    p = docs[0].paragraphs
    return float([p[i].paragraph_format.line_spacing for i in range(3)] == [1.0, 2.0, 1.5])


@metric("evaluate_alignment")
def evaluate_alignment(result: Any) -> float:
    """OSWorld's test on each sentence of three words or more (its first three words come
    before the rest, which any sentence satisfies unless the rest also occurs earlier)."""
    if not result:
        return 0.0
    docs = _docs(result)
    if docs is None:
        return 0.0
    for par in docs[0].paragraphs:
        for sentence in par.text.split("."):
            words = sentence.strip().split()
            if len(words) < 3:
                continue
            first, second = " ".join(words[:3]), " ".join(words[3:])
            if not (first in sentence and second in sentence and sentence.find(first) < sentence.find(second)):
                return 0.0
    return 1.0


@metric("check_no_duplicates")
def check_no_duplicates(result: Any, expected: Any) -> float:
    """OSWorld's argument order is (initial_file, processed_file): the second document has no
    duplicate train id (2nd of 4 comma fields), and its ids and line count equal the first's
    distinct ids and their number."""
    docs = _docs(result, expected)
    if docs is None:
        return 0.0
    initial = [p.text.split(",") for p in docs[0].paragraphs]
    ids_initial = {parts[1].strip() for parts in initial if len(parts) == 4}
    lines_initial = len(ids_initial)   # OSWorld counts the initial file's distinct ids
    seen: set[str] = set()
    count = 0
    for par in docs[1].paragraphs:
        parts = par.text.split(",")
        if len(parts) == 4:
            tid = parts[1].strip()
            if tid in seen:
                return 0.0
            seen.add(tid)
            count += 1
    return float(seen == ids_initial and count == lines_initial)
