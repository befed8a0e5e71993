"""OSWorld's `compare_pptx_files`: two presentations, slide by slide and shape by shape.

It follows OSWorld's checks in their order, with the same options and defaults (every
`examine_*` on unless named below; `approximately_tolerance` 0.005 as a relative difference
of positions and sizes) and the same task-specific position rules (`examine_title_bottom_position`,
`examine_table_bottom_position`, `examine_right_position`, `examine_top_position`,
`examine_shape_for_shift_size`, `examine_image_size`, `examine_modify_height`, all off by
default). Bold/italic None and False count as the same; underline None and False too.
Bullets (level, character, text) are compared over the whole slide's XML for each run pair,
as OSWorld does, and a failure to read them is ignored as there.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.safe_files import check_archive

_TABLE, _PICTURE, _AUTO_SHAPE = 19, 13, 1
_NS = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main",
       "p": "http://schemas.openxmlformats.org/presentationml/2006/main"}


def text_shapes(slide: Any) -> list[Any]:
    """Every shape with text, group members included, in document order."""
    out: list[Any] = []

    def walk(shape: Any) -> None:
        if hasattr(shape, "text") and hasattr(shape, "text_frame"):
            out.append(shape)
        if hasattr(shape, "shapes"):
            for sub in shape.shapes:
                walk(sub)
    for shape in slide.shapes:
        walk(shape)
    return out


def _background(slide: Any) -> Any:
    fill = slide.background.fill
    if fill.type == 1:
        return fill.fore_color.rgb
    if fill.type == 5:
        master = slide.slide_layout.slide_master.background.fill
        return master.fore_color.rgb if master.type == 1 else None
    return None


def _bullets(xml: str) -> list[tuple[Any, str, str, str]]:
    out = []
    for par in ET.fromstring(xml).findall(".//a:p", _NS):
        ppr = par.find("a:pPr", _NS)
        if ppr is not None:
            level = ppr.get("lvl")
            char_el = ppr.find("a:buChar", _NS)
            char = char_el.get("char") if char_el is not None else "No Bullet"
            color_el = ppr.find("a:buClr/a:srgbClr", _NS)
            color = color_el.get("val") if color_el is not None else "No Color"
        else:
            level, char, color = "No Level", "No Bullet", "No Color"
        text = "".join(t.text for t in par.findall(".//a:t", _NS))
        if text.strip():
            out.append((level, char, text, color))
    return out


def _same_bullets(a: list[Any], b: list[Any]) -> bool:
    if len(a) != len(b):
        return False
    for (l1, c1, t1, _), (l2, c2, t2, _) in zip(a, b):
        if t1 != t2 or c1 != c2 or ("0" if l1 is None else l1) != ("0" if l2 is None else l2):
            return False
    return True


def _falsy_same(a: Any, b: Any) -> bool:
    """Bold/italic: equal, or both None/False."""
    return a == b or (a in (None, False) and b in (None, False))


def _underline_differs(a: Any, b: Any) -> bool:
    if a == b:
        return False
    if a is not None and b is not None:
        return True
    return (a is None and b is True) or (a is True and b is None)


def _alignment(par: Any) -> Any:
    from pptx.enum.text import PP_ALIGN

    return PP_ALIGN.LEFT if par.alignment is None else par.alignment


@metric("compare_pptx_files")
def compare_pptx_files(result: Any, expected: Any, *, approximately_tolerance: float = 0.005,
                       enable_debug: bool = True, examine_number_of_slides: bool = True,
                       examine_shape: bool = True, examine_text: bool = True, examine_indent: bool = True,
                       examine_font_name: bool = True, examine_font_size: bool = True,
                       examine_font_bold: bool = True, examine_font_italic: bool = True,
                       examine_color_rgb: bool = True, examine_font_underline: bool = True,
                       examine_strike_through: bool = True, examine_alignment: bool = True,
                       examine_title_bottom_position: bool = False, examine_table_bottom_position: bool = False,
                       examine_right_position: bool = False, examine_top_position: bool = False,
                       examine_shape_for_shift_size: bool = False, examine_image_size: bool = False,
                       examine_modify_height: bool = False, examine_bullets: bool = True,
                       examine_background_color: bool = True, examine_note: bool = True) -> float:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    check_archive(result)
    check_archive(expected)
    prs1, prs2 = Presentation(result), Presentation(expected)

    def near(a: float, b: float) -> bool:
        if a == b:
            return True
        if a == 0 or b == 0:
            return False
        return abs(a - b) / max(abs(a), abs(b)) <= approximately_tolerance

    def same_box(s1: Any, s2: Any) -> bool:
        return near(s1.left, s2.left) and near(s1.top, s2.top) and near(s1.width, s2.width) and near(s1.height, s2.height)

    if examine_number_of_slides and len(prs1.slides) != len(prs2.slides):
        return 0.0
    for slide_no, (slide1, slide2) in enumerate(zip(prs1.slides, prs2.slides), start=1):
        if examine_background_color and _background(slide1) != _background(slide2):
            return 0.0
        if examine_note and slide1.notes_slide.notes_text_frame.text.strip() != \
                slide2.notes_slide.notes_text_frame.text.strip():
            return 0.0
        texts1, texts2 = text_shapes(slide1), text_shapes(slide2)
        if len(slide1.shapes) != len(slide2.shapes):
            return 0.0
        for shape1, shape2 in zip(slide1.shapes, slide2.shapes):
            has_text = hasattr(shape1, "text") and hasattr(shape2, "text")
            if examine_title_bottom_position:
                if has_text and shape1.text == shape2.text:
                    if shape1.text == "Product Comparison" and (shape1.top <= shape2.top or shape1.top < 3600000):
                        return 0.0
                elif not same_box(shape1, shape2):
                    return 0.0
            if examine_table_bottom_position:
                if slide_no == 3 and shape1.shape_type == _TABLE and shape2.shape_type == _TABLE:
                    if shape1.top <= shape2.top or shape1.top < 3600000:
                        return 0.0
                elif not same_box(shape1, shape2):
                    return 0.0
            if examine_right_position and slide_no == 2 and not hasattr(shape1, "text") and not hasattr(shape2, "text"):
                if shape1.left <= shape2.left or shape1.left < 4320000:
                    return 0.0
            if examine_top_position and slide_no == 2 and shape1.shape_type == _PICTURE and shape2.shape_type == _PICTURE:
                if shape1.top >= shape2.top or shape1.top > 1980000:
                    return 0.0
            if examine_shape_for_shift_size and not same_box(shape1, shape2):
                if not (has_text and shape1.text == shape2.text
                        and shape1.text == "Elaborate on what you want to discuss."):
                    return 0.0
            if examine_shape and not same_box(shape1, shape2):
                return 0.0
            if examine_image_size:
                if shape1.shape_type == _PICTURE and shape2.shape_type == _PICTURE:
                    if not near(shape1.width, shape2.width) or not near(shape1.height, shape2.height):
                        return 0.0
                elif not same_box(shape1, shape2):
                    return 0.0
            if examine_modify_height:
                if (not hasattr(shape1, "text") and not hasattr(shape2, "text")) or \
                        (shape1.shape_type == 5 and shape2.shape_type == 5):
                    if not near(shape1.height, shape2.height):
                        return 0.0
                elif not same_box(shape1, shape2):
                    return 0.0
            if shape1.shape_type == MSO_SHAPE_TYPE.TABLE:
                t1, t2 = shape1.table, shape2.table
                if len(t1.rows) != len(t2.rows) or len(t1.columns) != len(t2.columns):
                    return 0.0
                for r in range(len(t1.rows)):
                    for c in range(len(t1.columns)):
                        p1s, p2s = t1.cell(r, c).text_frame.paragraphs, t2.cell(r, c).text_frame.paragraphs
                        if len(p1s) != len(p2s):
                            return 0.0
                        for p1, p2 in zip(p1s, p2s):
                            if len(p1.runs) != len(p2.runs):
                                return 0.0
                            for run1, run2 in zip(p1.runs, p2.runs):
                                if hasattr(run1.font.color, "rgb") and hasattr(run2.font.color, "rgb") \
                                        and examine_color_rgb and run1.font.color.rgb != run2.font.color.rgb:
                                    return 0.0
                                if not _falsy_same(run1.font.bold, run2.font.bold):
                                    return 0.0
                                if not _falsy_same(run1.font.italic, run2.font.italic):
                                    return 0.0
                                if _underline_differs(run1.font.underline, run2.font.underline):
                                    return 0.0
            if has_text:
                if examine_text and shape1.text.strip() != shape2.text.strip():
                    return 0.0
                if len(shape1.text_frame.paragraphs) != len(shape2.text_frame.paragraphs):
                    return 0.0
                for para1, para2 in zip(shape1.text_frame.paragraphs, shape2.text_frame.paragraphs):
                    if examine_alignment and _alignment(para1) != _alignment(para2):
                        return 0.0
                    if examine_text and para1.text != para2.text:
                        return 0.0
                    if examine_indent and para1.level != para2.level:
                        return 0.0
                    if len(para1.runs) != len(para2.runs):
                        return 0.0
                    for run1, run2 in zip(para1.runs, para2.runs):
                        f1, f2 = run1.font, run2.font
                        if examine_font_name and f1.name != f2.name:
                            return 0.0
                        if examine_font_size and f1.size != f2.size:
                            return 0.0
                        if examine_font_bold and not _falsy_same(f1.bold, f2.bold):
                            return 0.0
                        if examine_font_italic and not _falsy_same(f1.italic, f2.italic):
                            return 0.0
                        if hasattr(f1.color, "rgb") and hasattr(f2.color, "rgb") and examine_color_rgb \
                                and f1.color.rgb != f2.color.rgb:
                            return 0.0
                        if examine_font_underline and _underline_differs(f1.underline, f2.underline):
                            return 0.0
                        if examine_strike_through and f1._element.attrib.get("strike", "noStrike") != \
                                f2._element.attrib.get("strike", "noStrike"):
                            return 0.0
                        if examine_bullets:
                            try:
                                if not _same_bullets(_bullets(run1.part.blob.decode("utf-8")),
                                                     _bullets(run2.part.blob.decode("utf-8"))):
                                    return 0.0
                            except Exception:  # OSWorld ignores bullets it cannot read
                                pass
        if examine_alignment and len(texts1) == len(texts2):
            for t1, t2 in zip(texts1, texts2):
                if examine_text and t1.text.strip() != t2.text.strip():
                    return 0.0
                if len(t1.text_frame.paragraphs) != len(t2.text_frame.paragraphs):
                    return 0.0
                for p1, p2 in zip(t1.text_frame.paragraphs, t2.text_frame.paragraphs):
                    if _alignment(p1) != _alignment(p2):
                        return 0.0
        elif len(texts1) != len(texts2):
            return 0.0
    return 1.0


def _presentation(path: Any) -> Any:
    from pptx import Presentation

    check_archive(path)
    return Presentation(path)


def _xml_file(path: Any) -> ET.Element:
    from envs.osworld_lite.metrics.safe_files import check_size

    check_size(path)
    return ET.parse(path).getroot()


_OOR = "http://openoffice.org/2001/registry"


@metric("check_presenter_console_disable")
def check_presenter_console_disable(result: Any) -> float:
    """LibreOffice's registrymodifications.xcu sets Impress's EnablePresenterScreen to false."""
    try:
        root = _xml_file(result)
        for prop in root.findall(f".//item[@{{{_OOR}}}path='/org.openoffice.Office.Impress/Misc/Start']"
                                 f"/prop[@{{{_OOR}}}name='EnablePresenterScreen']"):
            return float(prop.find("value").text.lower() == "false")  # type: ignore[union-attr]
        return 0.0
    except Exception:
        return 0.0


@metric("check_image_stretch_and_center")
def check_image_stretch_and_center(result: Any, expected: Any) -> float:
    """The first picture of the original's first slide is, in the result, stretched to the
    slide and centred (each within half an inch)."""
    from pptx.util import Inches

    original, modified = _presentation(expected), _presentation(result)
    images = [s for s in original.slides[0].shapes if s.shape_type == _PICTURE]
    if not images:
        return 0.0
    match = None
    for shape in modified.slides[0].shapes:
        if shape.shape_type == _PICTURE and shape.image.blob == images[0].image.blob:
            match = shape
    if match is None:
        return 0.0
    w, h = original.slide_width, original.slide_height
    half = Inches(0.5)
    if abs(match.width - w) > half or abs(match.height - h) > half or \
            abs(match.left - (w - match.width) / 2) > half or abs(match.top - (h - match.height) / 2) > half:
        return 0.0
    return 1.0


@metric("check_slide_orientation_Portrait")
def check_slide_orientation_portrait(result: Any) -> float:
    prs = _presentation(result)
    return float(prs.slide_width < prs.slide_height)


@metric("check_left_panel")
def check_left_panel(result: Any) -> float:
    """The accessibility tree has a document-frame named "Slides View"."""
    root = ET.fromstring(result)
    return float(any(f.attrib.get("name") == "Slides View" for f in root.iter("document-frame")))


@metric("check_transition")
def check_transition(result: Any, rules: dict[str, Any]) -> float:
    """Slide `slide_idx` (from 0) has a transition of type `transition_type` (e.g. "dissolve")."""
    import zipfile

    check_archive(result)
    with zipfile.ZipFile(result) as z:
        name = f"ppt/slides/slide{rules['slide_idx'] + 1}.xml"
        if name not in z.namelist():
            return 0.0
        root = ET.fromstring(z.read(name))
    transition = root.find(".//p:transition", _NS)
    return float(transition is not None and transition.find(f".//p:{rules['transition_type']}", _NS) is not None)


def _channels(val: str) -> tuple[int, int, int]:
    # OSWorld reads "#RRGGBB" positions from the bare "RRGGBB" value: kept, it decides scores
    return int(val[1:3], 16), int(val[3:5], 16), int(val[5:7], 16)


@metric("check_page_number_colors")
def check_page_number_colors(result: Any, rules: dict[str, Any]) -> float:
    """The second-to-last solid sRGB colour of slide master 1 reads as `rules["color"]`."""
    import zipfile

    check_archive(result)
    with zipfile.ZipFile(result) as z:
        root = ET.fromstring(z.read("ppt/slideMasters/slideMaster1.xml"))
    val = root.findall(".//a:solidFill//a:srgbClr", _NS)[-2].get("val")
    if val is None:
        return 0.0
    r, g, b = _channels(val)
    tests = {"red": r > g + 50 and r > b + 50, "blue": b > g + 50 and b > r + 50,
             "green": g > r + 50 and g > b + 50, "black": r < 50 and g < 50 and b < 50}
    color = rules["color"]
    return 0.0 if color in tests and not tests[color] else 1.0


@metric("check_auto_saving_time")
def check_auto_saving_time(result: Any, rules: dict[str, Any]) -> float:
    """LibreOffice's registrymodifications.xcu sets AutoSaveTimeIntervall to `rules["minutes"]`."""
    root = _xml_file(result)
    value = None
    for item in root.findall(".//item"):
        if item.get(f"{{{_OOR}}}path") == "/org.openoffice.Office.Common/Save/Document":
            for prop in item.findall(".//prop"):
                if prop.get(f"{{{_OOR}}}name") == "AutoSaveTimeIntervall":
                    value = prop.find(".//value").text  # type: ignore[union-attr]
                    break
    return 0.0 if value is None else float(int(value) == rules["minutes"])


@metric("check_strikethrough")
def check_strikethrough(result: Any, rules: dict[str, Any]) -> float:
    """The first run of each named paragraph of each named shape of each named slide has a
    strike attribute."""
    prs = _presentation(result)
    try:
        for si in rules["slide_index_s"]:
            slide = prs.slides[si]
            for shi in rules["shape_index_s"]:
                paragraphs = slide.shapes[shi].text_frame.paragraphs
                for pi in rules["paragraph_index_s"]:
                    if "strike" not in paragraphs[pi].runs[0].font._element.attrib:  # noqa: SLF001
                        return 0.0
    except Exception:
        return 0.0
    return 1.0


@metric("evaluate_presentation_fill_to_rgb_distance")
def evaluate_presentation_fill_to_rgb_distance(result: Any, rules: dict[str, Any]) -> float:
    """1 minus the mean distance (normalised RGB) of each slide's solid background (its own or
    its master's) to `rules["rgb"]`; a slide still at `original_rgb`, or without a solid fill,
    counts as distance 1."""
    import math

    rgb, original = rules["rgb"], rules.get("original_rgb")

    def color(fill: Any) -> Any:
        try:
            return fill.fore_color.rgb if hasattr(fill.fore_color, "rgb") else None
        except Exception:
            return None

    def distance(slide: Any) -> float:
        fill = slide.background.fill
        if fill.type == 5:
            fill = slide.slide_layout.slide_master.background.fill
            if fill.type != 1:
                return 1.0
        elif fill.type != 1:
            return 1.0
        c = color(fill)
        if c is None:
            return 1.0
        r1, g1, b1 = c
        if original is not None and (r1, g1, b1) == tuple(original):
            return 1.0
        r2, g2, b2 = rgb
        return math.sqrt((r1 - r2) ** 2 + (g1 - g2) ** 2 + (b1 - b2) ** 2) / math.sqrt(3 * 255 ** 2)
    prs = _presentation(result)
    return 1 - sum(distance(s) for s in prs.slides) / len(prs.slides)
