"""Record OSWorld's own scores for the parity cases (tests/osworld_parity/cases.py).

Run it with a Python that has OSWorld's `desktop-env` package, installed apart from the
project (it pins old versions of many libraries):

    python -m venv /tmp/venv-osworld
    /tmp/venv-osworld/bin/pip install --no-deps desktop-env
    /tmp/venv-osworld/bin/pip install openpyxl python-docx python-pptx pandas Pillow scikit-image \
        rapidfuzz lxml cssselect pypdf PyPDF2 pymupdf pdfplumber xmltodict pyyaml mutagen \
        beautifulsoup4 tldextract opencv-python-headless imagehash scipy fastdtw odfpy
    /tmp/venv-osworld/bin/python scripts/osworld_parity.py            # writes the recording
    /tmp/venv-osworld/bin/python scripts/osworld_parity.py --compare  # also runs ours, if importable

It makes every case's files, calls OSWorld's metric function exactly as OSWorld's evaluator
does (`metric(result, expected, **options)`, or `metric(result, **options)` without an
expected value) and writes tests/osworld_parity/osworld_scores.json: per case the score, or
the exception type when OSWorld's function raises. The CI test compares ours with it; CI never
installs desktop-env. Modules OSWorld imports at the top but these metrics never use (OCR,
audio fingerprinting, …) are replaced by empty modules so its metrics package imports.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import math
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "osworld_parity" / "osworld_scores.json"
_UNUSED_IMPORTS = ["easyocr", "librosa", "acoustid", "borb", "borb.pdf", "formulas", "pyautogui"]


def _load_osworld_metrics() -> Any:
    for name in _UNUSED_IMPORTS:
        try:
            importlib.import_module(name)
        except Exception:
            module = types.ModuleType(name)
            module.Document = module.PDF = object  # type: ignore[attr-defined]  # names imported from borb.pdf
            sys.modules[name] = module
    return importlib.import_module("desktop_env.evaluators.metrics")


def _run(fn: Any, result: Any, expected: Any, options: dict[str, Any], no_expected: str) -> dict[str, Any]:
    try:
        score = fn(result, **options) if expected == no_expected else fn(result, expected, **options)
    except Exception as err:  # the recording says OSWorld's function raised, and what
        return {"raises": type(err).__name__}
    value = float(score)
    return {"score": None if math.isnan(value) else value}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", action="store_true", help="also score the cases with the project's metrics")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.osworld_parity.cases import NO_EXPECTED, cases, make_files, resolve

    osworld = _load_osworld_metrics()
    ours = None
    if args.compare:
        from envs.osworld_lite.metrics import call_metric
        ours = call_metric
    recorded: dict[str, Any] = {}
    mismatches = 0
    with tempfile.TemporaryDirectory(prefix="osworld-parity-") as tmp:
        folder = Path(tmp)
        make_files(folder)
        for case in cases():
            result, expected = resolve(case.result, folder), resolve(case.expected, folder)
            fn = getattr(osworld, case.metric)
            entry = {"metric": case.metric, **_run(fn, result, expected, dict(case.options), NO_EXPECTED)}
            recorded[case.id] = entry
            line = f"{case.id:45s} {case.metric:35s} osworld={entry.get('score', entry.get('raises'))}"
            if ours is not None:
                mine = _run(lambda r, *e, **o: ours(case.metric, r, e[0] if e else None, o),
                            result, expected, dict(case.options), NO_EXPECTED)
                same = ("raises" in mine) == ("raises" in entry) and (
                    "raises" in mine or abs((mine["score"] or 0) - (entry["score"] or 0)) < 1e-6)
                mismatches += not same
                line += f" ours={mine.get('score', mine.get('raises'))}" + ("" if same else "   <-- DIFFERS")
            print(line)
    OUT.write_text(json.dumps({
        "desktop_env_version": importlib.metadata.version("desktop-env"),
        "cases": recorded,
    }, indent=1, sort_keys=True) + "\n")
    print(f"{len(recorded)} cases recorded in {OUT.relative_to(ROOT)}"
          + (f"; {mismatches} differ from ours" if ours is not None else ""))
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
