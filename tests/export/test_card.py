"""Every export writes a README.md data card beside the data, listed in the manifest."""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.export.conftest import FORMATS


@pytest.mark.parametrize("fmt", FORMATS)
def test_card_describes_the_export(fmt: str, full_exports: dict[str, Any]) -> None:
    report = full_exports[fmt]
    card = (report.out_dir / "README.md").read_text(encoding="utf-8")
    manifest = json.loads((report.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["card_file"] == "README.md" and "README.md" in manifest["files"]
    assert card.startswith(f"# Qwen3.5-9B fine-tuning data ({fmt})")
    assert f"{report.samples} training samples from {report.episodes} agent episodes" in card
    for domain, n in manifest["counts"]["by_domain"].items():
        assert f"| {domain} | {n} |" in card
    for run_id in manifest["source_runs"]:
        assert f"| {run_id} |" in card
    assert "- Kept: episodes that succeeded." in card
    assert "1 test-split task (leak guard)" in card
    assert "| image files | 12 (" in card            # the desktop episodes' distinct screenshots
    assert "| image sizes | 320x200 (12) |" in card
    assert "samples with reasoning | 5 |" in card     # every seeded success carries reasoning (kept)
    assert "No row comes from a test-split task" in card


def test_card_reports_the_min_reward_filter(run_export: Any) -> None:
    report = run_export("trl", min_reward=0.5, thinking="drop")
    card = (report.out_dir / "README.md").read_text(encoding="utf-8")
    assert "- Kept: episodes with reward >= 0.5." in card
    assert "samples with reasoning | 0 |" in card
