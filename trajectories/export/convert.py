"""Stored episode -> finished `Sample`: pick the converter, then shape and scrub the result."""
from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable

from trajectories.export.desktop import ConversionError, desktop_sample
from trajectories.export.options import ExportOptions
from trajectories.export.sample import EpisodeData, Sample, drop_reasoning, keep_last_images
from trajectories.export.secrets import SecretScrubber
from trajectories.export.tooluse import SpecProvider, tool_sample

DESKTOP_ENVS = {"osworld-lite"}
TOOL_ENVS = {"tau2-lite"}


def episode_kind(episode: EpisodeData) -> str:
    """"desktop" or "tools": by family name, else by what the first observation holds."""
    if episode.meta.env in DESKTOP_ENVS:
        return "desktop"
    if episode.meta.env in TOOL_ENVS:
        return "tools"
    first = episode.steps[0] if episode.steps else None
    if first is not None and "screenshot" in first.observation_artifacts:
        return "desktop"
    if first is not None and "messages" in first.observation:
        return "tools"
    raise ConversionError(f"cannot tell whether {episode.meta.env!r} is a desktop or a tool environment")


def action_signature(episode: EpisodeData) -> str:
    """Identity of the action sequence, for --dedupe (same task + same actions = duplicate)."""
    actions = [s.action for s in sorted(episode.steps, key=lambda s: s.index) if s.action is not None]
    blob = json.dumps([episode.meta.env, episode.meta.task_id, actions], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def to_sample(episode: EpisodeData, options: ExportOptions, scrubber: SecretScrubber,
              read: Callable[[str], bytes], spec_provider: SpecProvider | None = None) -> Sample:
    """The whole episode as one training sample, ready for any format. Raises ConversionError."""
    sample = _raw_sample(episode, read, options, spec_provider)
    return _finish(sample, options, scrubber)


def to_samples(episode: EpisodeData, options: ExportOptions, scrubber: SecretScrubber,
               read: Callable[[str], bytes], spec_provider: SpecProvider | None = None) -> list[Sample]:
    """The episode's training samples: one, or with ``per_turn`` one per assistant turn."""
    sample = _raw_sample(episode, read, options, spec_provider)
    if not options.per_turn:
        return [_finish(sample, options, scrubber)]
    out = []
    turn = 0
    for i, message in enumerate(sample.messages):
        if message["role"] != "assistant":
            continue
        # The request the model answered at this turn, and its answer. The live agents send no
        # reasoning for earlier turns, so only this turn's is kept.
        part = Sample(copy.deepcopy(sample.messages[: i + 1]), sample.tools, dict(sample.meta))
        for earlier in part.messages[:-1]:
            earlier.pop("reasoning_content", None)
        part.meta["turn"] = turn
        turn += 1
        out.append(_finish(part, options, scrubber))
    return out


def _raw_sample(episode: EpisodeData, read: Callable[[str], bytes], options: ExportOptions,
                spec_provider: SpecProvider | None) -> Sample:
    if episode_kind(episode) == "desktop":
        sample = desktop_sample(episode, read, options.coordinates)
    else:
        sample = tool_sample(episode, spec_provider)
    meta = episode.meta
    sample.meta = {
        "episode_id": meta.id, "run_id": meta.run_id, "env": meta.env, "domain": meta.domain,
        "task_id": meta.task_id, "split": meta.split, "trial": meta.trial, "model": meta.producer,
        "reward": meta.reward, "success": meta.success,
    }
    return sample


def _finish(sample: Sample, options: ExportOptions, scrubber: SecretScrubber) -> Sample:
    if options.thinking == "drop":
        drop_reasoning(sample.messages)
    # Applied to each sample as a whole, as the live agents do to each request.
    keep_last_images(sample.messages, options.max_images)
    sample.messages = scrubber.scrub(sample.messages)
    sample.tools = scrubber.scrub(sample.tools)
    sample.meta = scrubber.scrub(sample.meta)
    return sample
