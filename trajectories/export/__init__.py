"""Fine-tuning export: stored trajectories -> Qwen3.5-9B training data.

Whatever model produced an episode, it is rewritten in Qwen3.5's own format: desktop episodes
as ``computer_use`` tool calls on Qwen's coordinate grid, tool-domain episodes as function
calls with dict arguments and tool results, under the system prompt and tools Qwen is served
with. Formats (a registry, `list_exporters`): openai, swift, llamafactory, trl, parquet.

    from trajectories.export import ExportOptions, export_trajectories
    report = export_trajectories(store, ExportOptions(format="trl", out_dir=Path("out")))

Modules: `options` (filters and shaping), `desktop` / `tooluse` (episode -> `Sample`),
`convert` (dispatch, reasoning, image limit, scrubbing), `formats/` (writers), `pairs` (DPO),
`secrets` (scrubbing), `images` (files), `manifest` (hashes), `pipeline` (the streaming run).
"""
from trajectories.export.desktop import ConversionError
from trajectories.export.formats.base import Exporter, get_exporter, list_exporters, register_exporter
from trajectories.export.manifest import MANIFEST, verify_manifest
from trajectories.export.options import ExportOptions, LeakGuardError
from trajectories.export.pipeline import ExportError, ExportReport, export_trajectories
from trajectories.export.sample import EpisodeData, EpisodeMeta, Sample
from trajectories.export.secrets import SecretScrubber
from trajectories.export.tooluse import SpecProvider

__all__ = [
    "ConversionError", "EpisodeData", "EpisodeMeta", "ExportError", "ExportOptions", "ExportReport",
    "Exporter", "LeakGuardError", "MANIFEST", "Sample", "SecretScrubber", "SpecProvider",
    "export_trajectories", "get_exporter", "list_exporters", "register_exporter", "verify_manifest",
]
