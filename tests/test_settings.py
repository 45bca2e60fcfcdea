"""Settings: precedence (CLI over environment over file), frozen, every setting documented in the README."""

from __future__ import annotations

import pytest

from conftest import ROOT


def test_settings_precedence_cli_over_environment_over_file(tmp_path, monkeypatch):
    from assistant.settings import Settings
    config = tmp_path / "assistant.toml"
    config.write_text("top_k = 3\npassage_chars = 300\n")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.setenv("ASSISTANT_TOP_K", "5")
    assert Settings().passage_chars == 300 and Settings().top_k == 5
    assert Settings(top_k=7).top_k == 7
    with pytest.raises(Exception):
        Settings().top_k = 9  # frozen: a per-question "today" is a copy, never a mutation


def test_the_readme_documents_every_setting():
    from assistant.settings import Settings
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in Settings.model_fields if f"| `{name}` |" not in readme]
    assert missing == []
