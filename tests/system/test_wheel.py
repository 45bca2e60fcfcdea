"""The wheel carries everything the product needs: built, installed in a fresh venv, it loads every prompt and answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

PROMPTS = sorted(p.stem for p in (ROOT / "prompts").glob("*.txt"))


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(folder), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (wheel,) = folder.glob("news_assistant-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"assistant/prompt_files/{p}.txt" for p in PROMPTS} <= set(names), names
    assert any(n.startswith("assistant/templates/") for n in names)
    packages = {str(init.parent.relative_to(ROOT)) for init in (ROOT / "assistant").rglob("__init__.py")}
    assert {f"{package}/__init__.py" for package in packages} <= set(names), packages - {n.rsplit("/", 1)[0] for n in names}
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True, text=True)
    # the dependencies come from the test environment's site-packages, added as a plain path (its .pth files,
    # among them this checkout's editable install, are not run), so `assistant` resolves to the wheel
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def run_in(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_PROMPTS_DIR"}
    return subprocess.run([str(venv / "bin" / "python"), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=900)


@pytest.mark.slow
def test_installed_wheel_loads_every_prompt_from_itself(wheel_venv, tmp_path):
    code = ("import assistant, json; from assistant.prompts import load_prompt, prompts_dir; "
            f"print(json.dumps([assistant.__file__, str(prompts_dir())] + [len(load_prompt(n)) for n in {PROMPTS!r}]))")
    result = run_in(wheel_venv, "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    location, folder, *sizes = json.loads(result.stdout)
    assert str(wheel_venv) in location and str(wheel_venv) in folder  # the wheel, not this checkout
    assert all(size > 0 for size in sizes)


@pytest.mark.llm
def test_installed_wheel_answers_a_question(wheel_venv, tmp_path):
    index = tmp_path / "index"
    ingest = run_in(wheel_venv, "-m", "assistant.cli", "--index", str(index), "ingest", "-q", str(FIXTURES / "articles"), cwd=tmp_path)
    assert ingest.returncode == 0, ingest.stderr
    asked = run_in(wheel_venv, "-m", "assistant.cli", "--index", str(index), "ask", "Who is the new leader of the Quds Force?",
                   "--json", cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    assert not data["refused"] and "Qaani" in data["answer"] and data["citations"]
