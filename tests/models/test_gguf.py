"""The embedded model file: a file with the wrong checksum is refused and nothing is left in the cache."""

from __future__ import annotations

import pytest


def test_a_model_file_with_the_wrong_checksum_is_refused(tmp_path, monkeypatch):
    from assistant.models import gguf
    parts = []
    for i in range(2):
        part = tmp_path / f"part{i}.bin"
        part.write_bytes(b"x" * 10)
        parts.append(part)
    monkeypatch.setattr(gguf, "_part_paths", lambda: parts)
    monkeypatch.setattr(gguf, "EMBEDDED_SIZE", 20)
    with pytest.raises(gguf.ModelFileError, match="SHA-256"):
        gguf.embedded_model_path(tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.gguf"))
