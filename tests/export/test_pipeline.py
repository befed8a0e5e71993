"""Selection, leak guard, scrubbing, dedupe, pairs, manifest, parquet round trip, CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import datasets
import pytest
from PIL import Image as PILImage

from envs.errors import UnknownIdError
from tests.export.conftest import FORMATS, ROOT, SECRET_ENV, read_jsonl
from tests.export.qwen_template import IMAGE_PAD, load_template, render
from tests.export.seed import ENV_SECRET, SECRET_KEY, H, W, seed_store, spec_provider
from trajectories.export import (
    ExportError, ExportOptions, LeakGuardError, export_trajectories, verify_manifest,
)
from trajectories.export.formats.parquet import to_chat_messages
from trajectories.export.sample import OMITTED_IMAGE_TEXT
from trajectories.store import TrajectoryStore


def _index(report: Any) -> list[dict[str, Any]]:
    return read_jsonl(report.out_dir / "meta" / "episodes.jsonl")


def _normal(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """String content as one text part (parquet stores every content as parts)."""
    out = []
    for m in messages:
        m = dict(m)
        if isinstance(m.get("content"), str):
            m["content"] = [{"type": "text", "text": m["content"]}]
        out.append(m)
    return out


def test_parquet_loads_with_datasets_and_round_trips(full_exports: dict) -> None:
    pq, trl = full_exports["parquet"], full_exports["trl"]
    ds = datasets.load_dataset("parquet", data_files=str(pq.out_dir / "data" / "train.parquet"), split="train")
    assert isinstance(ds.features["images"].feature, datasets.Image)
    trl_rows = read_jsonl(trl.out_dir / "data.jsonl")
    assert len(ds) == len(trl_rows) == 5
    for row, ref, meta in zip(ds, trl_rows, _index(pq)):
        assert _normal(to_chat_messages(row["messages"])) == _normal(ref["messages"])
        assert json.loads(row["tools"]) == ref["tools"]
        assert row["episode_id"] == meta["episode_id"] and row["model"] == meta["model"]
        assert len(row["images"]) == len(ref["images"])
        for img, path in zip(row["images"], ref["images"]):
            assert isinstance(img, PILImage.Image) and img.size == (W, H)
            # the same pixels as the image file the JSON formats reference
            assert img.tobytes() == PILImage.open(trl.out_dir / path).convert(img.mode).tobytes()
    # Loading the directory finds the split by its file name.
    assert datasets.load_dataset(str(pq.out_dir))["train"].num_rows == 5


def _referenced_images(out: Path, fmt: str) -> set[str]:
    refs: set[str] = set()
    for rec in read_jsonl(out / "data.jsonl"):
        if fmt == "openai":
            refs |= {p["image_url"]["url"] for m in rec["messages"] if isinstance(m["content"], list)
                     for p in m["content"] if p["type"] == "image_url"}
        else:
            refs |= set(rec["images"])
    for pair in read_jsonl(out / "pairs" / "pairs.jsonl"):
        refs |= set(pair["images"] + pair["chosen_images"] + pair["rejected_images"])
    return refs


def test_images_are_files_never_base64(full_exports: dict) -> None:
    for fmt in ("openai", "swift", "llamafactory", "trl"):
        out = full_exports[fmt].out_dir
        text = (out / "data.jsonl").read_text()
        assert "base64" not in text and "data:image" not in text
        files = {p.relative_to(out).as_posix() for p in (out / "images").rglob("*") if p.is_file()}
        assert all((out / f).read_bytes().startswith(b"\x89PNG") for f in files)
        # every file written is referenced, every reference exists (each image written once)
        assert files == _referenced_images(out, fmt)


def test_leak_guard(seeded: Any, run_export: Any, tmp_path: Path) -> None:
    with pytest.raises(LeakGuardError, match="--allow-test"):
        export_trajectories(seeded.store, ExportOptions(format="trl", out_dir=tmp_path / "t", split="test"))
    assert not (tmp_path / "t").exists()   # refused before writing anything
    default = run_export("trl")
    ids = {m["episode_id"] for m in _index(default)}
    assert seeded.episodes["test"] not in ids
    # Recorded as train, but the task table says test: refused too.
    assert seeded.episodes["mislabelled"] not in ids
    assert default.skipped["test-split task (leak guard)"] == 1
    allowed = run_export("trl", split="all", allow_test=True)
    ids = {m["episode_id"] for m in _index(allowed)}
    assert {seeded.episodes["test"], seeded.episodes["mislabelled"]} <= ids


@pytest.mark.parametrize("fmt", FORMATS)
def test_secrets_are_scrubbed_everywhere(fmt: str, full_exports: dict) -> None:
    report = full_exports[fmt]
    blobs = [p.read_bytes() for p in report.out_dir.rglob("*") if p.is_file() and "images" not in p.parts]
    if fmt == "parquet":
        ds = datasets.load_dataset("parquet", data_files=str(report.out_dir / "data" / "train.parquet"), split="train")
        blobs.append(json.dumps(ds.remove_columns("images").to_list()).encode())
    joined = b"\n".join(blobs)
    assert SECRET_KEY.encode() not in joined and ENV_SECRET.encode() not in joined
    assert b"[REDACTED]" in joined
    manifest = json.loads((report.out_dir / "manifest.json").read_text())
    assert manifest["secrets_redacted"] >= 2


def test_dedupe_drops_repeated_action_sequences(seeded: Any, run_export: Any) -> None:
    plain = run_export("trl")
    deduped = run_export("trl", dedupe=True)
    # Two repeats: the second Qwen desktop episode, and the oracle's replay of the tau2 task the
    # Qwen agent solved with the same calls (other screenshots/models do not make them differ).
    assert deduped.samples == plain.samples - 2
    assert deduped.skipped["duplicate action sequence"] == 2
    ids = {m["episode_id"] for m in _index(deduped)}
    assert (seeded.episodes["qwen"] in ids) != (seeded.episodes["qwen-dup"] in ids)
    assert (seeded.episodes["tau2"] in ids) != (seeded.episodes["oracle"] in ids)


def test_preference_pairs(full_exports: dict, seeded: Any) -> None:
    template = load_template()
    out = full_exports["trl"].out_dir
    pairs = [{**pair, **meta} for pair, meta in zip(read_jsonl(out / "pairs" / "pairs.jsonl"),
                                                    read_jsonl(out / "meta" / "pairs.jsonl"), strict=True)]
    assert full_exports["trl"].pairs == len(pairs) == 2
    by_env = {p["env"]: p for p in pairs}
    tau2 = by_env["tau2-lite"]
    assert tau2["chosen_episode_id"] == seeded.episodes["tau2"]
    assert tau2["rejected_episode_id"] == seeded.episodes["tau2-fail"]
    assert [m["role"] for m in tau2["prompt"]] == ["system", "assistant", "user"]   # greeting, request
    assert tau2["chosen"][0]["tool_calls"][0]["function"]["name"] == "get_order_details"
    assert tau2["rejected"][0]["content"] == "Sorry, I cannot cancel orders."
    desk = by_env["osworld-lite"]
    assert desk["chosen_episode_id"] == seeded.episodes["gpt"]
    assert [m["role"] for m in desk["prompt"]] == ["system", "user"]
    assert desk["rejected"][-1]["tool_calls"][0]["function"]["arguments"] == {"action": "terminate", "status": "failure"}
    for pair in pairs:
        for side in ("chosen", "rejected"):
            text = render(template, pair["prompt"] + pair[side], pair["tools"])
            assert text.count(IMAGE_PAD) == len(pair["images"]) + len(pair[f"{side}_images"])
            assert text.startswith(render(template, pair["prompt"], pair["tools"]).rsplit("<|im_end|>", 1)[0])


def test_manifest_records_sources_counts_and_hashes(full_exports: dict, seeded: Any) -> None:
    report = full_exports["swift"]
    manifest = json.loads((report.out_dir / "manifest.json").read_text())
    assert manifest["format"] == "swift" and manifest["filters"]["split"] == "train"
    assert set(manifest["source_runs"]) == {seeded.runs[k] for k in ("qwen-desktop", "gpt-desktop", "qwen-tau2", "oracle-tau2")}
    counts = manifest["counts"]
    assert counts["samples"] == 5 and counts["pairs"] == 2
    assert counts["by_model"] == {"gpt-5.4-mini": 1, "oracle": 1, "qwen3.5-9b": 3}
    assert counts["by_domain"] == {"osworld-lite/calc": 1, "osworld-lite/writer": 2, "tau2-lite/retail": 2}
    files = manifest["files"]
    assert {"data.jsonl", "meta/episodes.jsonl", "pairs/pairs.jsonl", "meta/pairs.jsonl"} <= set(files)
    assert manifest["index_file"] == "meta/episodes.jsonl" and manifest["pairs_file"] == "pairs/pairs.jsonl"
    assert {f for f in files if f.startswith("images/")} == _referenced_images(report.out_dir, "swift")
    assert verify_manifest(report.out_dir) == []


def test_manifest_detects_tampering(run_export: Any) -> None:
    report = run_export("llamafactory")
    assert json.loads((report.out_dir / "dataset_info.json").read_text())["agent_trajectories"]["formatting"] == "sharegpt"
    with (report.out_dir / "data.jsonl").open("a") as fh:
        fh.write("{}\n")
    image = next((report.out_dir / "images").rglob("*.png"))
    image.write_bytes(image.read_bytes() + b"x")
    problems = verify_manifest(report.out_dir)
    assert "changed: data.jsonl" in problems
    assert f"changed: {image.relative_to(report.out_dir).as_posix()}" in problems


def test_max_images_keeps_the_last_screenshots(run_export: Any) -> None:
    report = run_export("trl", max_images=2, env="osworld-lite")
    template = load_template()
    for rec in read_jsonl(report.out_dir / "data.jsonl"):
        assert len(rec["images"]) == 2
        text = render(template, rec["messages"], rec["tools"])
        assert text.count(IMAGE_PAD) == 2 and OMITTED_IMAGE_TEXT in text
        # the two kept are the latest ones: no image placeholder before the last omission
        flat = [p for m in rec["messages"] if isinstance(m["content"], list) for p in m["content"]]
        kinds = [p["type"] if p["type"] == "image" else p.get("text") for p in flat]
        last_omitted = max(i for i, k in enumerate(kinds) if k == OMITTED_IMAGE_TEXT)
        assert "image" not in kinds[:last_omitted]


def test_per_turn_samples_train_every_turns_reasoning(run_export: Any, seeded: Any) -> None:
    report = run_export("trl", per_turn=True, thinking="keep", max_images=1, models="qwen3.5-9b", env="osworld-lite")
    rows = read_jsonl(report.out_dir / "data.jsonl")
    index = _index(report)
    assert report.episodes == 2 and report.samples == len(rows) == 2 * 4   # two episodes, 4 replies each
    template = load_template()
    reasonings = ["The Save button is at the top.", "Now type the text.", "Save with the shortcut.", "The file is saved."]
    for rec, meta in zip(rows, index):
        assert rec["messages"][-1]["role"] == "assistant"
        assert all("reasoning_content" not in m for m in rec["messages"][:-1])
        text = render(template, rec["messages"], rec["tools"])
        # the turn's own reasoning is what the template renders for the reply it trains
        last_reply = text.rsplit("<|im_start|>assistant\n", 1)[1]
        assert last_reply.startswith(f"<think>\n{reasonings[meta['turn']]}\n</think>\n\n")
        assert text.count(IMAGE_PAD) == len(rec["images"]) == 1   # the latest screenshot only
    manifest = json.loads((report.out_dir / "manifest.json").read_text())
    assert manifest["options"]["per_turn"] is True and manifest["counts"]["episodes"] == 2


def test_thinking_drop_is_the_default(run_export: Any) -> None:
    report = run_export("openai")
    for rec in read_jsonl(report.out_dir / "data.jsonl"):
        assert all("reasoning_content" not in m for m in rec["messages"])


def test_filters(seeded: Any, run_export: Any) -> None:
    assert run_export("trl", models="gpt-5.4-mini").samples == 1
    assert run_export("trl", models="oracle,gpt-5.4-mini").samples == 2
    assert run_export("trl", env="tau2-lite").samples == 2
    assert run_export("trl", domain="writer").samples == 2
    assert run_export("trl", runs=[seeded.runs["qwen-tau2"]]).samples == 1
    with_failures = run_export("trl", min_reward=0.0)
    assert with_failures.samples == 7
    assert {m["success"] for m in _index(with_failures)} == {True, False}


def test_bad_output_and_format_are_refused(seeded: Any, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty"):
        export_trajectories(seeded.store, ExportOptions(format="trl", out_dir=tmp_path / "busy"))
    assert (tmp_path / "busy" / "keep.txt").read_text() == "mine"
    with pytest.raises(UnknownIdError, match="Did you mean: swift"):
        export_trajectories(seeded.store, ExportOptions(format="swfit", out_dir=tmp_path / "x"))
    assert not (tmp_path / "x").exists()


def test_a_missing_screenshot_skips_its_episode_only(tmp_path: Path) -> None:
    store = TrajectoryStore(f"sqlite:///{tmp_path / 'runs.db'}", tmp_path / "artifacts")
    store.upgrade()
    seeded = seed_store(store)
    victim = store.get_steps(seeded.episodes["gpt"])[2].observation_artifacts["screenshot"]
    store.artifacts.path(victim).unlink()
    report = export_trajectories(store, ExportOptions(format="trl", out_dir=tmp_path / "out"),
                                 spec_provider=spec_provider)
    assert report.samples == 4
    assert report.skipped["screenshot unusable: screenshot … is missing from the artifact store"] == 1
    assert seeded.episodes["gpt"] not in {m["episode_id"] for m in _index(report)}
    assert verify_manifest(tmp_path / "out") == []


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agents", "export", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_cli_export(seeded: Any, tmp_path: Path) -> None:
    store = seeded.store
    env = {**os.environ, **SECRET_ENV, "AGENTS_DB": str(store.url) if hasattr(store, "url") else "",
           "AGENTS_ARTIFACTS": str(store.artifacts.root)}
    env["AGENTS_DB"] = env["AGENTS_DB"] or f"sqlite:///{Path(store.artifacts.root).parent / 'runs.db'}"
    done = _cli(["--format", "swift", "--out", str(tmp_path / "o"), "--pairs", "--thinking", "keep",
                 "--max-images", "3", "--no-progress", "--json"], env)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["samples"] == 5 - 1 and summary["pairs"] == 2   # the oracle needs the tau2 env (not here)
    assert ENV_SECRET not in (tmp_path / "o" / "data.jsonl").read_text()
    refused = _cli(["--format", "trl", "--out", str(tmp_path / "t"), "--split", "test"], env)
    assert refused.returncode == 2 and "--allow-test" in refused.stderr
    bad = _cli(["--format", "trl", "--out", str(tmp_path / "b"), "--thinking", "maybe"], env)
    assert bad.returncode == 2 and "--thinking" in bad.stderr
    empty = _cli(["--format", "trl", "--out", str(tmp_path / "e"), "--models", "qwen3.5-9B", "--no-progress"], env)
    assert empty.returncode == 1 and "did you mean qwen3.5-9b?" in empty.stderr
