"""A Hugging Face `datasets` parquet dataset: ``data/<split>.parquet``.

Columns: ``messages`` (a fixed struct schema, so every row has the same Arrow type),
``tools`` (JSON string), ``images`` (a list of `datasets.Image`, bytes embedded — parquet
is the one format whose images travel inside the file), and the episode's provenance.
Content is always a list of ``{"type", "text"}`` parts; ``{"type": "image"}`` parts are
placeholders for the next entry of ``images``. Tool-call ``arguments`` are JSON strings here:
Arrow cannot hold dicts whose keys change from call to call (`to_chat_messages` turns a row
back into the TRL/Qwen shape with dict arguments).

Rows are written in row groups as samples arrive, so memory does not grow with the export.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Features, Image, List, Value

from trajectories.export.formats.base import Exporter, register_exporter
from trajectories.export.images import image_ext
from trajectories.export.sample import Sample

_PART = {"type": Value("string"), "text": Value("string")}
_CALL = {"id": Value("string"), "type": Value("string"),
         "function": {"name": Value("string"), "arguments": Value("string")}}
_MESSAGE = {"role": Value("string"), "content": List(_PART), "reasoning_content": Value("string"),
            "tool_calls": List(_CALL), "tool_call_id": Value("string"), "name": Value("string")}
FEATURES = Features({
    "messages": List(_MESSAGE),
    "tools": Value("string"),
    "images": List(Image()),
    "episode_id": Value("string"),
    "run_id": Value("string"),
    "env": Value("string"),
    "domain": Value("string"),
    "task_id": Value("string"),
    "model": Value("string"),
    "reward": Value("float64"),
    "success": Value("bool"),
})
ROW_GROUP = 32                 # rows per parquet row group, at most …
ROW_GROUP_BYTES = 32 * 2**20   # … and about this many image bytes (bounds memory)


def _leaf_paths(schema: pa.Schema) -> list[str]:
    """Parquet column paths of the schema's leaves (e.g. ``images.list.element.bytes``)."""
    def walk(name: str, dtype: pa.DataType) -> list[str]:
        if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
            return walk(f"{name}.list.element", dtype.value_type)
        if pa.types.is_struct(dtype):
            return [p for i in range(dtype.num_fields) for p in walk(f"{name}.{dtype.field(i).name}", dtype.field(i).type)]
        return [name]
    return [p for f in schema for p in walk(f.name, f.type)]


def _parts(content: Any) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [{"type": "image", "text": None} if p.get("type") == "image" else
            {"type": "text", "text": p.get("text", "")} for p in content]


def parquet_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{
        "role": m["role"],
        "content": _parts(m.get("content")),
        "reasoning_content": m.get("reasoning_content"),
        "tool_calls": [{"id": c["id"], "type": "function",
                        "function": {"name": c["function"]["name"],
                                     "arguments": json.dumps(c["function"]["arguments"], ensure_ascii=False)}}
                       for c in m.get("tool_calls") or []],
        "tool_call_id": m.get("tool_call_id"),
        "name": m.get("name"),
    } for m in messages]


def to_chat_messages(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A parquet ``messages`` value -> chat messages (dict arguments, None fields left out)."""
    out = []
    for r in rows:
        msg: dict[str, Any] = {"role": r["role"]}
        parts = r.get("content") or []
        if all(p["type"] == "text" for p in parts) and len(parts) <= 1 and r["role"] != "tool":
            msg["content"] = parts[0]["text"] if parts else ""
        else:
            msg["content"] = [{"type": "image"} if p["type"] == "image" else {"type": "text", "text": p["text"]}
                              for p in parts]
        if r.get("reasoning_content"):
            msg["reasoning_content"] = r["reasoning_content"]
        if r.get("tool_calls"):
            msg["tool_calls"] = [{"id": c["id"], "type": "function",
                                  "function": {"name": c["function"]["name"],
                                               "arguments": json.loads(c["function"]["arguments"])}}
                                 for c in r["tool_calls"]]
        for key in ("tool_call_id", "name"):
            if r.get(key) is not None:
                msg[key] = r[key]
        out.append(msg)
    return out


@register_exporter
class ParquetExporter(Exporter):
    name = "parquet"
    description = "Hugging Face datasets parquet (images as Image features, embedded)"

    def open(self) -> None:
        self.path = self.out_dir / "data" / f"{self.split}.parquet"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._schema = FEATURES.arrow_schema
        # Images are PNG/JPEG already: compressing them again would cost most of the export's
        # time and save nothing. The text columns compress well.
        codecs = {path: ("none" if path.startswith("images.") else "zstd") for path in _leaf_paths(self._schema)}
        self._writer = pq.ParquetWriter(self.path, self._schema, compression=codecs)
        self._rows: list[dict[str, Any]] = []
        self._pending_bytes = 0

    def write(self, sample: Sample) -> None:
        meta = sample.meta
        images = []
        for sha in sample.image_refs():
            data = self.images.read(sha)
            images.append({"bytes": data, "path": f"{sha}.{image_ext(data)}"})
            self._pending_bytes += len(data)
        row = {
            "messages": parquet_messages(sample.messages),
            "tools": json.dumps(sample.tools, ensure_ascii=False),
            "images": images,
            **{k: meta.get(k) for k in ("episode_id", "run_id", "env", "domain", "task_id", "model", "reward", "success")},
        }
        self._rows.append(FEATURES.encode_example(row))
        self.samples += 1
        if len(self._rows) >= ROW_GROUP or self._pending_bytes >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []
            self._pending_bytes = 0

    def close(self) -> list[Path]:
        self._flush()
        self._writer.close()
        return [self.path]

    def abort(self) -> None:
        try:
            self._writer.close()
        except Exception:
            pass
