"""Stored episode -> finished `Sample`: pick the converter, then shape and scrub the result."""
from __future__ import annotations

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
    """The training sample of one episode, ready for any format. Raises ConversionError."""
    if episode_kind(episode) == "desktop":
        sample = desktop_sample(episode, read, options.coordinates)
    else:
        sample = tool_sample(episode, spec_provider)
    if options.thinking == "drop":
        drop_reasoning(sample.messages)
    keep_last_images(sample.messages, options.max_images)
    meta = episode.meta
    sample.meta = {
        "episode_id": meta.id, "run_id": meta.run_id, "env": meta.env, "domain": meta.domain,
        "task_id": meta.task_id, "split": meta.split, "trial": meta.trial, "model": meta.producer,
        "reward": meta.reward, "success": meta.success,
    }
    sample.messages = scrubber.scrub(sample.messages)
    sample.tools = scrubber.scrub(sample.tools)
    return sample
