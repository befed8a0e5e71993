"""Preference pairs for DPO, in TRL's conversational preference format with an explicit prompt.

For a task with both a success and a failure, the two conversations share a prefix (system,
the request, any identical first turns). The prompt is that shared prefix, ending just before
the first assistant turn where they differ; ``chosen`` and ``rejected`` are the two
continuations. Images are ``{"type": "image"}`` placeholders: ``images`` lists the prompt's,
``chosen_images`` / ``rejected_images`` those of each continuation, in order (paths relative to
the export directory, like every format's).

The pairs are a dataset of their own, ``pairs/pairs.jsonl``, apart from the SFT data (a trainer
loading the export folder must not read them as SFT rows); where each pair comes from (task,
episodes, models) is line by line in ``meta/pairs.jsonl``.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from trajectories.export.desktop import ConversionError
from trajectories.export.formats.trl import trl_messages
from trajectories.export.images import ImageError, ImageSink
from trajectories.export.sample import OMITTED_IMAGE_TEXT, Sample


def _same(a: dict[str, Any], b: dict[str, Any], ignore_images: bool = False) -> bool:
    if ignore_images:
        a, b = _without_images(a), _without_images(b)
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _without_images(message: dict[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    if not isinstance(content, list):
        return message
    # An image dropped by max_images counts as an image here: the two sides keep different counts.
    return {**message, "content": [{"type": "image"} if p.get("type") == "image" or p.get("text") == OMITTED_IMAGE_TEXT
                                   else p for p in content]}


def _first_assistant(messages: list[dict[str, Any]]) -> int:
    return next((i for i, m in enumerate(messages) if m["role"] == "assistant"), len(messages))


def split_point(chosen: list[dict[str, Any]], rejected: list[dict[str, Any]]) -> int | None:
    """Length of the shared prompt, or None when the two never differ in an assistant turn.

    Two episodes of one task usually start from the same screen, but not always from the same
    pixels (a clock, a cursor blink): before the first assistant turn, screenshots may differ
    and the chosen episode's are used for the prompt.
    """
    common = 0
    while common < min(len(chosen), len(rejected)) and _same(chosen[common], rejected[common]):
        common += 1
    opening = _first_assistant(chosen)
    if common < opening and opening == _first_assistant(rejected) and all(
            _same(chosen[i], rejected[i], ignore_images=True) for i in range(opening)):
        common = opening
    # The prompt must end on a non-assistant message and leave an assistant turn in each side.
    while common > 0 and chosen[common - 1]["role"] == "assistant":
        common -= 1
    if common == 0 or common >= len(chosen) or common >= len(rejected):
        return None
    if chosen[common]["role"] != "assistant" or rejected[common]["role"] != "assistant":
        return None
    return common


def preference_record(chosen: Sample, rejected: Sample, images: ImageSink) -> dict[str, Any] | None:
    cut = split_point(chosen.messages, rejected.messages)
    if cut is None:
        return None
    prompt_images: list[str] = []
    chosen_images: list[str] = []
    rejected_images: list[str] = []
    return {
        "prompt": trl_messages(chosen.messages[:cut], images, prompt_images),
        "chosen": trl_messages(chosen.messages[cut:], images, chosen_images),
        "rejected": trl_messages(rejected.messages[cut:], images, rejected_images),
        "tools": chosen.tools,
        "images": prompt_images,
        "chosen_images": chosen_images,
        "rejected_images": rejected_images,
        "task_id": chosen.meta.get("task_id"),
        "env": chosen.meta.get("env"),
        "domain": chosen.meta.get("domain"),
        "chosen_episode_id": chosen.meta.get("episode_id"),
        "rejected_episode_id": rejected.meta.get("episode_id"),
        "chosen_model": chosen.meta.get("model"),
        "rejected_model": rejected.meta.get("model"),
    }


PAIRS_FILE = "pairs/pairs.jsonl"
PAIRS_META_FILE = "meta/pairs.jsonl"
PAIR_META_KEYS = ("task_id", "env", "domain", "chosen_episode_id", "rejected_episode_id", "chosen_model",
                  "rejected_model")


class PairWriter:
    file_name = PAIRS_FILE

    def __init__(self, fh: IO[str], images: ImageSink, meta_fh: IO[str] | None = None):
        self._fh = fh
        self._meta_fh = meta_fh
        self._images = images
        self.written = 0
        self.no_divergence = 0

    def write(self, chosen: Sample, rejected: Sample) -> bool:
        record = preference_record(chosen, rejected, self._images)
        if record is None:
            self.no_divergence += 1
            return False
        meta = {k: record.pop(k) for k in PAIR_META_KEYS}
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        if self._meta_fh is not None:
            self._meta_fh.write(json.dumps(meta, ensure_ascii=False) + "\n")
        self.written += 1
        return True


def match_pairs(good: list[tuple[str, str]], bad: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(success id, failure id) pairs from (episode id, producer) lists, each episode used once:
    a failure is matched with a success of the same model when there is one (on-policy
    pairs), else with any success."""
    unused = list(good)
    pairs = []
    for bad_id, producer in bad:
        if not unused:
            break
        pick = next((g for g in unused if g[1] == producer), unused[0])
        unused.remove(pick)
        pairs.append((pick[0], bad_id))
    return pairs


def write_pairs(candidates: dict[tuple[str, str], tuple[list[tuple[str, str]], list[tuple[str, str]]]],
                out_dir: Path, images: ImageSink, load: Callable[[str], Sample]) -> tuple[int, Counter[str]]:
    """Write ``pairs/pairs.jsonl`` (and ``meta/pairs.jsonl``) for every task with successes and failures; `load` converts an
    episode (by id) into its whole-episode sample. Returns (pairs written, skip reasons)."""
    skipped: Counter[str] = Counter()
    for rel in (PAIRS_FILE, PAIRS_META_FILE):
        (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
    with (out_dir / PAIRS_FILE).open("w", encoding="utf-8") as fh, \
            (out_dir / PAIRS_META_FILE).open("w", encoding="utf-8") as meta_fh:
        writer = PairWriter(fh, images, meta_fh)
        for key in sorted(candidates):
            for good_id, bad_id in match_pairs(*candidates[key]):
                try:
                    chosen, rejected = load(good_id), load(bad_id)
                    writer.write(chosen, rejected)
                except ConversionError:
                    skipped["pair side not convertible"] += 1
                except ImageError:
                    skipped["pair screenshot unusable"] += 1
        if writer.no_divergence:
            skipped["pair without a differing assistant turn"] += writer.no_divergence
    return writer.written, skipped
