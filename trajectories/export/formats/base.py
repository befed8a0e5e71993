"""The exporter interface and the registry of formats.

An exporter receives finished `Sample`s one at a time and writes them incrementally (nothing
is held per sample once written), then reports the files it wrote. Images go through the
shared `ImageSink` (files under ``images/``) or, for formats that embed them, its `read`.
"""
from __future__ import annotations

import abc
import importlib
import json
from pathlib import Path
from typing import IO, Any

from envs.errors import UnknownIdError
from trajectories.export.images import ImageSink
from trajectories.export.sample import Sample


class Exporter(abc.ABC):
    name: str = ""
    description: str = ""

    def __init__(self, out_dir: Path, images: ImageSink, dataset_name: str = "agent_trajectories",
                 split: str = "train"):
        self.out_dir = out_dir
        self.images = images
        self.dataset_name = dataset_name
        self.split = split
        self.samples = 0

    @abc.abstractmethod
    def open(self) -> None:
        """Create the output files."""

    @abc.abstractmethod
    def write(self, sample: Sample) -> None:
        """Write one sample (already scrubbed, images limited, reasoning kept or dropped)."""

    @abc.abstractmethod
    def close(self) -> list[Path]:
        """Flush and close; return every file written (images excepted)."""

    def abort(self) -> None:
        """Close without finishing (an error stopped the export)."""
        try:
            self.close()
        except Exception:
            pass


class JsonlExporter(Exporter):
    """Formats that are one JSON object per line in `file_name`."""

    file_name = "data.jsonl"

    def open(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] = (self.out_dir / self.file_name).open("w", encoding="utf-8")

    def write(self, sample: Sample) -> None:
        record = self.record(sample)
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.samples += 1

    @abc.abstractmethod
    def record(self, sample: Sample) -> dict[str, Any]:
        """The JSON object of one sample."""

    def extra_files(self) -> list[Path]:
        return []

    def close(self) -> list[Path]:
        if not self._fh.closed:
            self._fh.close()
        return [self.out_dir / self.file_name, *self.extra_files()]


_EXPORTERS: dict[str, type[Exporter]] = {}
# Built-in formats, imported on first use (parquet pulls in `datasets`, seconds to import).
BUILTIN_FORMATS: dict[str, tuple[str, str]] = {
    "openai": ("trajectories.export.formats.openai_chat",
               "OpenAI chat JSONL (messages + tools; arguments as JSON strings; image_url paths)"),
    "swift": ("trajectories.export.formats.swift",
              "ms-swift agent format (tool_call / tool_response roles, tools as a JSON string, <image> + images)"),
    "llamafactory": ("trajectories.export.formats.llamafactory",
                     "LLaMA-Factory sharegpt (function_call / observation) + dataset_info.json"),
    "trl": ("trajectories.export.formats.trl",
            "TRL conversational (messages with dict arguments, tools, images with {type: image} placeholders)"),
    "parquet": ("trajectories.export.formats.parquet",
                "Hugging Face datasets parquet (images as Image features, embedded)"),
}


# Formats that write a whole run in another benchmark's own format (not training samples); the
# export command hands them to their module rather than to the sample pipeline.
RUN_FORMATS: dict[str, tuple[str, str]] = {
    "tau2-results": ("trajectories.export.tau2_results",
                     "a tau2-lite run as τ²-bench's results file (tau2 view, leaderboard submission)"),
}


def register_exporter(cls: type[Exporter]) -> type[Exporter]:
    _EXPORTERS[cls.name] = cls
    return cls


def get_exporter(name: str) -> type[Exporter]:
    if name in RUN_FORMATS:
        raise ValueError(f"{name} writes a whole run, not training samples: python -m agents export "
                         f"--format {name} --run RUN_ID --out FILE")
    if name not in _EXPORTERS and name in BUILTIN_FORMATS:
        importlib.import_module(BUILTIN_FORMATS[name][0])
    if name not in _EXPORTERS:
        raise UnknownIdError("export format", name, set(BUILTIN_FORMATS) | set(_EXPORTERS))
    return _EXPORTERS[name]


def list_exporters() -> dict[str, str]:
    """Format name -> one-line description (without importing the formats)."""
    found = {name: desc for name, (_, desc) in (BUILTIN_FORMATS | RUN_FORMATS).items()}
    found.update({name: cls.description for name, cls in _EXPORTERS.items()})
    return dict(sorted(found.items()))
