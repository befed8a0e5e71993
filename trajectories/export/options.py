"""What to export and how: the options of `python -m agents export`, as one validated record."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator


class LeakGuardError(ValueError):
    """Exporting test-split tasks was asked for without `allow_test`."""


class ExportOptions(BaseModel):
    format: str
    out_dir: Path
    # Filters (None = no filter on that field).
    env: list[str] | None = None
    domain: list[str] | None = None
    models: list[str] | None = None      # model names; baselines match by agent name ("oracle")
    runs: list[str] | None = None
    # Only these episodes become SFT rows (e.g. collect's best-of-K choice); pairs still see
    # every episode of the selected runs, failures included.
    episodes: list[str] | None = None
    min_reward: float | None = None      # None: successes only
    split: Literal["train", "test", "all"] = "train"
    allow_test: bool = False
    # Shaping.
    max_images: int | None = Field(default=None, ge=0)
    thinking: Literal["keep", "drop"] = "drop"
    coordinates: Literal["relative", "absolute"] = "relative"
    # One sample per assistant turn (the request the model saw and its reply) instead of one per
    # episode. Qwen3.5's template renders reasoning only after the last user message, so with
    # thinking kept this is what trains every turn's reasoning.
    per_turn: bool = False
    dedupe: bool = False
    pairs: bool = False
    # Streaming: episodes fetched from the store per query.
    batch_size: int = Field(default=64, ge=1)

    @field_validator("env", "domain", "models", "runs", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        """Accept "a,b" as well as ["a", "b"]; an empty list means no filter."""
        if isinstance(value, str):
            value = [value]
        if isinstance(value, (list, tuple)):
            items = [part.strip() for v in value for part in str(v).split(",") if part.strip()]
            return items or None
        return value

    @field_validator("episodes", mode="before")
    @classmethod
    def _episode_list(cls, value: object) -> object:
        """Episode ids as a list or "a,b"; an empty list selects nothing (unlike the filters above)."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def check_leak_guard(self) -> None:
        if self.split in ("test", "all") and not self.allow_test:
            raise LeakGuardError(
                f"refusing to export {self.split!r}-split episodes: test tasks must not leak into "
                "training data. Export --split train, or pass --allow-test if you really mean it.")

    def filters(self) -> dict[str, object]:
        """The selection part, as recorded in the manifest."""
        return self.model_dump(mode="json", include={
            "env", "domain", "models", "runs", "min_reward", "split", "allow_test", "dedupe"}) | (
            {"episodes": len(self.episodes)} if self.episodes is not None else {})

    def shaping(self) -> dict[str, object]:
        return self.model_dump(mode="json", include={"max_images", "thinking", "coordinates", "per_turn", "pairs"})
