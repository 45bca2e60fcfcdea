"""The command line as a newcomer meets it: help that shows how, checks before any model loads, articles one can
name, date, list and remove (fast tier: the hashing embedder, in-process CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.cli.__main__ import app
from assistant.cli.help_text import EXAMPLES, commands
from conftest import FIXTURES, ROOT, given_parts

runner = CliRunner()


def invoke(*args: str, parts: dict | None = None):
    """The command in process, with the tier's models (or `parts`) handed in through build_services."""
    return runner.invoke(app, list(args), obj=given_parts() if parts is None else parts)


def one_line_error(result, *words: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "index"
    result = invoke("--index", str(folder), "ingest", "-q", str(FIXTURES / "articles"))
    assert result.exit_code == 0, result.output
    return folder


class Refused:
    """A model handed in that fails the test when anything touches it."""

    def __getattr__(self, name: str):
        raise AssertionError(f"a model was used ({name}) before the checks that come first")


@pytest.fixture()
def no_models() -> dict:
    """Parts for build_services that fail the test when used: these checks must come before any model."""
    return {"embeddings": Refused(), "chat_model": Refused()}


# --- help -------------------------------------------------------------------------------------------------

def click_commands():
    root = typer.main.get_command(app)

    def walk(command, path):
        if hasattr(command, "commands"):  # a group (typer carries its own copy of click)
            for name, sub in command.commands.items():
                yield from walk(sub, path + [name])
        else:
            yield " ".join(path), command
    return list(walk(root, []))


def test_help_keeps_every_character_and_shows_no_type_noise():
    shown = invoke("ask", "--help").stdout
    assert "with [n] citations" in shown
    assert "<bool>" not in shown and "--since YYYY-MM-DD" in shown
    verify = invoke("verify", "--help").stdout
    assert '"text" (with [n] markers), "passages": [str' in verify


def test_arguments_show_their_value_name_and_help_without_type_noise():
    ingest = invoke("ingest", "--help").stdout
    assert "ingest [OPTIONS] INPUTS...\n" in ingest and "\n  INPUTS...  Files, folders" in ingest, ingest
    search = invoke("search", "--help").stdout
    assert "search [OPTIONS] QUERY\n" in search and "\n  QUERY  Words to find" in search, search
    assert "\n  TOPIC  The topic exactly as" in invoke("topics", "remove", "--help").stdout
    assert "ask [OPTIONS] [QUESTION]\n" in invoke("ask", "--help").stdout
    assert "\n  FILE  JSON lines" in invoke("verify", "--help").stdout
    assert "Missing argument 'QUERY'" in invoke("search").output


def test_serve_help_names_the_feeds_tab_and_the_schedule():
    text = " ".join(invoke("serve", "--help").stdout.split())
    assert "a Feeds tab to subscribe" in text and "serve also runs the feed schedule" in text, text
    assert "update_every_minutes" in text and "schedule_in_serve=false" in text


def test_every_command_has_an_example_and_every_option_a_line_of_help():
    names = {name for name, _ in commands(app)}
    assert set(EXAMPLES) <= names, set(EXAMPLES) - names  # no example for a command that is gone
    for name, command in click_commands():  # from the EXAMPLES table (assistant/cli/help_text.py) or the docstring
        text = invoke(*name.split(), "--help").stdout
        assert "Example:" in text and name.split()[-1] in text.split("Example:")[1], name
        usage = text.splitlines()[0]
        assert "{" not in usage and "<" not in usage, (name, usage)
        if "Arguments:" in text:  # value names only: no <str>, <path> or <list[str]> beside them
            assert "<" not in text.split("Arguments:")[1].split("Options:")[0], (name, text)
        for param in command.params:
            if type(param).__name__ == "TyperOption":
                assert param.help, f"{name} {param.opts[0]} has no help text"
                assert "<bool>" not in text and "<str>" not in text.split("Options:")[1], (name, text)
            else:
                assert param.help, f"{name} {param.name.upper()} has no help text"


# Libraries that take seconds to import: `--help` must show without any of them (they load inside the commands).
HEAVY_MODULES = ("torch", "chromadb", "langchain", "langchain_core", "gradio", "xllamacpp", "transformers",
                 "sentence_transformers", "onnxruntime", "rich")


@pytest.mark.parametrize("args", [["--help"], ["ask", "--help"], ["bench", "scale", "--help"]])
def test_help_imports_no_heavy_library(args):
    import subprocess
    import sys
    from conftest import ROOT
    code = ("import sys\nfrom assistant.cli.__main__ import app\ntry:\n    app(%r)\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(%r))))" % (args, HEAVY_MODULES))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "Usage:" in done.stdout, done.stderr
    assert done.stdout.splitlines()[-1] == "", f"`assistant {' '.join(args)}` imported {done.stdout.splitlines()[-1]}"


def test_the_onnx_backend_finds_onnx_without_importing_it():
    """onnx (~1 s to import, via ml_dtypes) serves only the one-time export: opening the exported embedder for
    `search` must not import it, and a missing onnx is still one clear error."""
    import subprocess
    import sys
    code = ("import sys\nfrom assistant.models import embeddings, onnx_embeddings\n"
            "onnx_embeddings.OnnxEmbeddings = lambda *args, **kwargs: object()\n"
            "embeddings.get_embeddings('all-MiniLM-L6-v2', backend='onnx')\nprint('onnx' in sys.modules)\n"
            "sys.modules['onnx'] = None\ntry:\n    embeddings.get_embeddings('all-MiniLM-L6-v2', backend='onnx-int8')\n"
            "except embeddings.EmbeddingModelError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    imported, missing = done.stdout.splitlines()[-2:]
    assert imported == "False" and "needs the onnx package" in missing


def test_assistant_variables_are_read_only_in_settings():
    """Settings have one home: no module but assistant/settings.py reads an ASSISTANT_ variable from the environment
    (user settings are Settings fields; process switches go through settings.process_switch)."""
    package = ROOT / "assistant"
    readers = [f"{path.relative_to(package)}:{n}" for path in sorted(package.rglob("*.py")) if path.name != "settings.py"
               for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if "environ" in line and "ASSISTANT_" in line]
    assert readers == []


def test_dates_say_their_format():
    for name in ("search", "ask", "list", "summarize", "briefing", "ingest"):
        assert "YYYY-MM-DD" in invoke(name, "--help").stdout, name


# --- checks before any model is loaded ----------------------------------------------------------------------

@pytest.mark.parametrize("command", [["stats"], ["list"], ["search", "ferry"], ["ask", "Who?"], ["check"],
                                     ["remove", "a-0000000000000000"], ["summarize", "a-0000000000000000"]])
def test_an_index_that_is_not_there_is_an_error_not_an_empty_store(command, tmp_path, no_models):
    typo = tmp_path / "indx"
    one_line_error(invoke("--index", str(typo), *command, parts=no_models), str(typo), "no index there")
    assert not typo.exists()


@pytest.mark.parametrize("command", [["feeds", "list"], ["feeds", "export"], ["feeds", "remove", "#1"], ["topics", "list"],
                                     ["topics", "add", "ferry"], ["topics", "remove", "ferry"], ["update"], ["daily"],
                                     ["watch"], ["mcp"], ["api", "--port", "8799"], ["serve", "--port", "8798"]])
def test_commands_that_follow_or_serve_an_index_refuse_a_typo_and_create_nothing(command, tmp_path, no_models):
    typo = tmp_path / "indx"
    one_line_error(invoke("--index", str(typo), *command), str(typo), "no index there")
    assert not typo.exists()


def test_subscribing_starts_its_database_anywhere_and_says_so_where_no_index_is(tmp_path, monkeypatch, no_models):
    monkeypatch.chdir(tmp_path)  # a fresh machine: the default index folder is not there yet
    first = invoke("feeds", "add", "http://example.com/rss.xml")
    assert first.exit_code == 0 and "new subscriptions database in index (no index there yet" in first.stdout, first.output
    again = invoke("feeds", "add", "http://example.com/other.xml")
    assert again.exit_code == 0 and "new subscriptions database" not in again.stdout
    assert invoke("topics", "add", "ferry").exit_code == 0  # the subscriptions are there now
    assert (tmp_path / "index" / "follow.sqlite3").is_file() and not (tmp_path / "index" / "chroma.sqlite3").exists()
    # subscribed, nothing ingested: daily without its update has no index to brief from, and says so
    one_line_error(invoke("daily", "--no-update"), "no index there")
    assert not (tmp_path / "index" / "chroma.sqlite3").exists()


def test_ingest_creates_the_index_it_is_pointed_at(tmp_path):
    result = invoke("--index", str(tmp_path / "new"), "ingest", "-q", str(FIXTURES / "articles" / "chip-plant.txt"))
    assert result.exit_code == 0 and "1 new" in result.stdout, result.output


def test_an_unknown_id_is_one_line_before_any_model_loads(index, no_models):
    one_line_error(invoke("--index", str(index), "summarize", "a-0000000000000000", parts=no_models), "a-0000000000000000",
                   "no stored article with this id")


@pytest.mark.parametrize("args, words", [
    (["ask", ""], ["question is empty"]),
    (["ask", "x" * 3000], ["3,000 characters"]),
    (["ask", "Who?", "--since", "someday"], ["someday"]),
    (["list", "--since", "soon"], ["soon"]),
    (["summarize", "--topic", "x", "--length", "long"], ["--length"]),
    (["briefing", "--date", "2024-02-30"], ["YYYY-MM-DD"]),
    (["ingest", "--date", "19-05-2024", "x.txt"], ["no such file"]),
    (["ingest", "--date", "19-05-2024", str(FIXTURES / "articles")], ["--date", "YYYY-MM-DD"]),
    (["ingest", "nosuch.txt"], ["nosuch.txt", "no such file"]),
])
def test_cheap_mistakes_are_found_before_loading(args, words, index, no_models):
    one_line_error(invoke("--index", str(index), *args, parts=no_models), *words)


def test_openai_backend_without_a_url_names_the_set_fix(index, no_models):
    line = one_line_error(invoke("--index", str(index), "--set", "llm_backend=openai", "ask", "Who?", parts=no_models))
    assert "--set llm_base_url=" in line


def test_stats_and_list_load_no_embedder(index, no_models):
    stats = invoke("--index", str(index), "stats", parts=no_models)
    assert stats.exit_code == 0 and stats.stdout.startswith("3 articles"), stats.output
    listed = invoke("--index", str(index), "list", parts=no_models)
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == 3, listed.output


# --- naming, dating, listing and removing articles -------------------------------------------------------------

def listing(index: Path, *args: str) -> list[dict]:
    result = invoke("--index", str(index), "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ingest_source_and_date_for_files_that_name_none(tmp_path):
    index = tmp_path / "index"
    note = tmp_path / "bell.txt"
    note.write_text("The Harbour Bell Rings Again\n\nThe old harbour bell rang on Sunday after forty years, "
                    "the town council said.\n")
    dated = tmp_path / "dated.md"
    dated.write_text("---\ntitle: Quay Market Opens\nsource: Quay Gazette\npublished_at: 2023-04-02\n---\n\n"
                     "The covered market on the quay opened on Saturday with forty stalls.\n")
    result = invoke("--index", str(index), "ingest", "-q", "--source", "Harbour Herald", "--date", "2024-05-19",
                    str(note), str(dated))
    assert result.exit_code == 0, result.output
    rows = {r["title"]: r for r in listing(index)}
    assert rows["The Harbour Bell Rings Again"]["source"] == "Harbour Herald"
    assert rows["The Harbour Bell Rings Again"]["published_at"].startswith("2024-05-19")
    # what a file names itself wins over the command line
    assert rows["Quay Market Opens"]["source"] == "Quay Gazette"
    assert rows["Quay Market Opens"]["published_at"].startswith("2023-04-02")
    # the same file again without the options is the same article (its id does not change), now updated
    again = invoke("--index", str(index), "ingest", "-q", str(note))
    assert "1 updated" in again.stdout and len(listing(index)) == 2


def test_the_same_text_as_txt_and_md_is_one_article(tmp_path):
    import os
    index = tmp_path / "index"
    body = "The old harbour bell rang on Sunday after forty years of silence.\n"
    txt, md = tmp_path / "bell.txt", tmp_path / "bell.md"
    txt.write_text("The Harbour Bell Rings Again\n\n" + body)  # a plain first line as the title
    md.write_text("# The Harbour Bell Rings Again\n\n" + body)  # a Markdown heading
    os.utime(txt, (1_700_000_000, 1_700_000_000))  # 2023-11-14: the dates come from the files' times, which differ
    os.utime(md, (1_710_000_000, 1_710_000_000))  # 2024-03-09
    first = invoke("--index", str(index), "ingest", "-q", str(txt))
    assert first.exit_code == 0 and "1 new" in first.stdout, first.output
    second = invoke("--index", str(index), "ingest", "-q", str(md))
    assert second.exit_code == 0 and "0 new, 0 updated, 1 unchanged, 0 failed" in second.stdout, second.output
    os.utime(txt, (1_720_000_000, 1_720_000_000))  # touched: still the same article, its date kept
    third = invoke("--index", str(index), "ingest", "-q", str(txt))
    assert "0 new, 0 updated, 1 unchanged" in third.stdout, third.output
    (stored,) = listing(index)
    assert stored["published_at"].startswith("2023-11-14") and stored["source"] == "Local file"
    # both in one batch (either order): one article, no id clash
    for order in ((txt, md), (md, txt)):
        other = tmp_path / f"other-{order[0].suffix[1:]}"
        both = invoke("--index", str(other), "ingest", "-q", *map(str, order))
        assert both.exit_code == 0 and "1 new" in both.stdout and "0 failed" in both.stdout, both.output
        assert len(listing(other)) == 1
    # a date of its own (front matter) is news about the article: that one is an update
    md.write_text("---\npublished_at: 2022-05-01\n---\n# The Harbour Bell Rings Again\n\n" + body)
    dated = invoke("--index", str(index), "ingest", "-q", str(md))
    assert "1 updated" in dated.stdout and listing(index)[0]["published_at"].startswith("2022-05-01"), dated.output


def test_list_filters_and_remove_deletes_through_the_store(tmp_path):
    index = tmp_path / "index"
    assert invoke("--index", str(index), "ingest", "-q", str(FIXTURES / "articles")).exit_code == 0
    everything = listing(index)
    assert [r["published_at"] for r in everything] == sorted((r["published_at"] for r in everything), reverse=True)
    nyt = listing(index, "--source", "The New York Times")
    assert len(nyt) == 1 and nyt[0]["chunks"] > 1
    assert len(listing(index, "--since", "2020-01-10")) == len(everything) - 1
    # one unknown id: nothing is removed
    line = one_line_error(invoke("--index", str(index), "remove", nyt[0]["id"], "a-0000000000000000"))
    assert "a-0000000000000000" in line and len(listing(index)) == len(everything)
    removed = invoke("--index", str(index), "remove", nyt[0]["id"])
    assert removed.exit_code == 0 and nyt[0]["title"][:20] in removed.stdout and f"({nyt[0]['chunks']} chunks)" in removed.stdout
    assert [r["id"] for r in listing(index)] == [r["id"] for r in everything if r["id"] != nyt[0]["id"]]
    checked = invoke("--index", str(index), "check", "-q")
    assert checked.exit_code == 0, checked.output
