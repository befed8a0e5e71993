"""``README.md``: the data card written beside every export.

What a person picking up the folder needs before training on it: where the rows come from
(runs, models, environments, counts per domain), how they were filtered, how big they are
(text, tokens, images) and the train/test guarantee with the decontamination result. Figures are
gathered while the export streams (`CardStats.add`), so the card costs no second pass.
"""
from __future__ import annotations

import json
import statistics
import struct
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trajectories.export.sample import Sample, content_parts, text_of

CARD = "README.md"
# No tokenizer travels with an export (Qwen3.5's needs the model files): text tokens are estimated
# at this many characters per token, the usual figure for English prose, code and JSON.
CHARS_PER_TOKEN = 4.0

LOADING = {
    "swift": "ms-swift: `swift sft --model Qwen/Qwen3.5-9B --dataset DIR/data.jsonl ...` run from DIR "
             "(image paths are relative to it; or set `ROOT_IMAGE_DIR=DIR`).",
    "llamafactory": "LLaMA-Factory: `dataset_dir: DIR`, `dataset: agent_trajectories`, `media_dir: DIR`, "
                    "`template: qwen3_5` (dataset_info.json names data.jsonl).",
    "openai": "OpenAI chat JSONL: `messages` + `tools` per line; image URLs are paths relative to DIR.",
    "trl": "TRL: `datasets.load_dataset('json', data_files='DIR/data.jsonl')`; images are paths relative to DIR.",
    "parquet": "Hugging Face datasets: `datasets.load_dataset('parquet', data_files='DIR/data/train.parquet')` "
               "(images embedded).",
}


def png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return struct.unpack(">II", data[16:24])


@dataclass
class CardStats:
    """Per-sample figures, kept as small lists of numbers (one entry per sample)."""

    chars: list[int] = field(default_factory=list)
    turns: list[int] = field(default_factory=list)
    images: list[int] = field(default_factory=list)
    image_sizes: Counter[str] = field(default_factory=Counter)
    image_bytes: int = 0
    unique_images: set[str] = field(default_factory=set)
    model_tokens_in: int = 0
    model_tokens_out: int = 0
    with_reasoning: int = 0

    def add(self, sample: Sample, read: Any) -> None:
        text = 0
        for message in sample.messages:
            text += len(text_of(message.get("content"))) + len(message.get("reasoning_content") or "")
            text += sum(len(json.dumps(c.get("function", {}), ensure_ascii=False)) for c in message.get("tool_calls") or [])
        text += len(json.dumps(sample.tools, ensure_ascii=False))
        self.chars.append(text)
        self.turns.append(sum(1 for m in sample.messages if m["role"] == "assistant"))
        refs = [p["image"] for m in sample.messages for p in content_parts(m) if p.get("type") == "image"]
        self.images.append(len(refs))
        self.with_reasoning += any(m.get("reasoning_content") for m in sample.messages)
        for sha in refs:
            if sha in self.unique_images:
                continue
            self.unique_images.add(sha)
            data = read(sha)
            self.image_bytes += len(data)
            size = png_size(data)
            self.image_sizes[f"{size[0]}x{size[1]}" if size else "not a PNG"] += 1

    def add_episode(self, row: Any) -> None:
        self.model_tokens_in += int(getattr(row, "tokens_in", 0) or 0)
        self.model_tokens_out += int(getattr(row, "tokens_out", 0) or 0)


def _spread(values: list[int]) -> str:
    if not values:
        return "–"
    return (f"mean {statistics.fmean(values):,.0f}, median {statistics.median(values):,.0f}, "
            f"max {max(values):,}, total {sum(values):,}")


def _table(rows: dict[str, Any]) -> str:
    lines = ["| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in rows.items()]
    return "\n".join(lines)


def render_card(*, fmt: str, filters: dict[str, Any], shaping: dict[str, Any], counts: dict[str, Any],
                source_runs: list[dict[str, Any]], stats: CardStats, decontamination: dict[str, Any] | None,
                collect: dict[str, Any] | None = None) -> str:
    """The card's Markdown (a pure function of what the export gathered)."""
    est_tokens = [round(c / CHARS_PER_TOKEN) for c in stats.chars]
    min_reward = filters.get("min_reward")
    success = "episodes that succeeded" if min_reward is None else f"episodes with reward >= {min_reward}"
    out = [f"# Qwen3.5-9B fine-tuning data ({fmt})", "",
           f"{counts['samples']:,} training samples from {counts['episodes']:,} agent episodes, written in "
           "Qwen3.5's own tool-call and `computer_use` format whichever model produced them.", "",
           "## Loading", "", LOADING.get(fmt, f"Format {fmt}."), "",
           "`manifest.json` holds the filters, counts and a sha256 of every file; `meta/episodes.jsonl` "
           "names the source episode of each row, line by line.", "",
           "## Source", ""]
    out.append(_table({
        "environments": ", ".join(f"{k} ({v})" for k, v in counts["by_env"].items()) or "–",
        "models / agents": ", ".join(f"{k} ({v})" for k, v in counts["by_model"].items()) or "–",
        "source runs": len(source_runs),
    }))
    out += ["", "Episodes per domain:", ""]
    out.append(_table({k: v for k, v in counts["by_domain"].items()}) if counts["by_domain"] else "none")
    if source_runs:
        out += ["", "| run | env | producer | git revision | created |", "|---|---|---|---|---|"]
        out += [f"| {r['id']} | {r['env']} | {r['producer']} | {r.get('git_revision') or '–'} | {r.get('created_at') or '–'} |"
                for r in source_runs[:50]]
        if len(source_runs) > 50:
            out.append(f"| … {len(source_runs) - 50} more in manifest.json | | | | |")
    out += ["", "## Selection", "",
            f"- Kept: {success}" + (f"; best-of-{collect['trials']} rejection sampling, "
                                    f"{'one episode per task' if collect['keep'] == 'best' else 'every qualifying episode'}"
                                    if collect else "") + ".",
            f"- Split: {filters.get('split')}" + (" (test tasks allowed)" if filters.get("allow_test") else "") + ".",
            f"- Shaping: reasoning {shaping.get('thinking')}, coordinates {shaping.get('coordinates')}, "
            f"max images {shaping.get('max_images') if shaping.get('max_images') is not None else 'all'}, "
            f"{'one sample per model turn' if shaping.get('per_turn') else 'one sample per episode'}"
            f"{', duplicate action sequences dropped' if filters.get('dedupe') else ''}.",
            f"- Episodes considered: {counts['episodes_considered']:,}; skipped: "
            + (", ".join(f"{v} {k}" for k, v in counts["skipped"].items()) or "none") + "."]
    if counts.get("pairs"):
        out.append(f"- DPO pairs: {counts['pairs']:,} in `pairs/pairs.jsonl` (success vs failure of one task).")
    out += ["", "## Size", ""]
    out.append(_table({
        "assistant turns per sample": _spread(stats.turns),
        "text characters per sample": _spread(stats.chars),
        f"text tokens per sample (estimate, {CHARS_PER_TOKEN:.0f} chars/token)": _spread(est_tokens),
        "samples with reasoning": f"{stats.with_reasoning:,}",
        "model-reported tokens of the source episodes": f"{stats.model_tokens_in:,} in, {stats.model_tokens_out:,} out",
        "images per sample": _spread(stats.images),
        "image files": f"{len(stats.unique_images):,} ({stats.image_bytes / 2**20:,.1f} MiB)",
        "image sizes": ", ".join(f"{k} ({v})" for k, v in stats.image_sizes.most_common(5)) or "–",
    }))
    out += ["", "## Train/test guarantee", ""]
    if filters.get("allow_test"):
        out.append("**This export was made with `--allow-test`: it may hold test-split tasks. Do not train on it "
                   "a model you evaluate on those tasks.**")
    else:
        out.append("No row comes from a test-split task: episodes are exported from the train split only, and a "
                   "task the store lists as test is refused whatever its run says (leak guard by id).")
    if decontamination:
        covered = f"{decontamination['checked']:,} tasks checked against {decontamination['test_tasks']:,} test tasks"
        out += ["", f"Decontamination by content ({covered}): {decontamination['method']}. "
                f"Tasks reusing test content: {decontamination['leaking_tasks']} (not exported)."]
        if decontamination.get("not_covered"):
            out.append(f"Not covered (no known test split): {', '.join(decontamination['not_covered'])}.")
    else:
        out += ["", "Decontamination by content was not run for this export (library use without a content guard)."]
    if collect and collect.get("split_guarantee"):   # environments whose splits differ by seed, not content
        out += ["", f"Seed split: {collect['split_guarantee']}."]
    return "\n".join(out) + "\n"


def write_card(out_dir: Path, **kwargs: Any) -> Path:
    path = out_dir / CARD
    path.write_text(render_card(**kwargs), encoding="utf-8")
    return path
