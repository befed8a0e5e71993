"""Real episodes recorded by the real runner, exported by the real CLI, rendered by Qwen3.5's template."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.export.conftest import ROOT, read_jsonl
from tests.export.qwen_template import IMAGE_PAD, load_template, read_trl, render
from tests.support.prereqs import require_desktop


def _agents(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AGENTS_DB": f"sqlite:///{store / 'runs.db'}", "AGENTS_ARTIFACTS": str(store / "artifacts")}
    done = subprocess.run([sys.executable, "-m", "agents", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done


def _rendered(out: Path) -> list[tuple[str, int]]:
    template = load_template()
    texts = []
    for rec in read_jsonl(out / "data.jsonl"):
        messages, tools, n_images = read_trl(rec)
        texts.append((render(template, messages, tools), n_images))
    return texts


@pytest.mark.slow
def test_tau2_oracle_run_exports_with_the_domain_spec(tmp_path: Path) -> None:
    _agents("run", "--env", "tau2-lite", "--domain", "card_services", "--agent", "oracle", "--user", "scripted",
            "--split", "train", "--limit", "2", store=tmp_path)
    done = _agents("export", "--format", "trl", "--out", str(tmp_path / "out"), "--no-progress", "--json",
                   store=tmp_path)
    assert json.loads(done.stdout.splitlines()[-1])["samples"] == 2
    for text, n_images in _rendered(tmp_path / "out"):
        # the policy the live agent gets, the domain's tools, dict arguments as XML parameters
        assert "<policy>" in text and "find_customer_by_email" in text.split("</tools>")[0]
        assert "<tool_call>\n<function=" in text.split("</IMPORTANT>")[1] and "<tool_response>" in text
        assert n_images == 0 and IMAGE_PAD not in text


@pytest.mark.slow
@pytest.mark.desktop
def test_osworld_oracle_run_exports_computer_use_calls(tmp_path: Path) -> None:
    require_desktop()
    _agents("run", "--env", "osworld-lite", "--agent", "oracle", "--split", "train", "--limit", "1", store=tmp_path)
    _agents("export", "--format", "trl", "--out", str(tmp_path / "out"), "--no-progress", store=tmp_path)
    ((text, n_images),) = _rendered(tmp_path / "out")
    assert n_images >= 2 and text.count(IMAGE_PAD) == n_images
    assert "<function=computer_use>" in text and "<parameter=action>\nterminate\n</parameter>" in text
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["counts"]["by_env"] == {"osworld-lite": 1}
