"""`assistant check --repair` finds chunks whose vectors were lost and rewrites them; fuzzing the loaders and the
citation parser: no exception escapes except the documented ones."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from typer.testing import CliRunner

from assistant.cli.__main__ import app
from assistant.ingest.sources import load_inputs
from assistant.markers import expand_marker, rewrite_markers, strip_markers
from assistant.grounding.citations import split_sentences, strip_dangling
from conftest import FIXTURES, built, given_parts

runner = CliRunner()


def test_check_finds_a_lost_vector_and_repair_restores_it(tmp_path):
    index = tmp_path / "index"
    assert runner.invoke(app, ["--index", str(index), "ingest", "-q", str(FIXTURES / "articles")], obj=given_parts()).exit_code == 0
    assert "intact" in runner.invoke(app, ["--index", str(index), "check", "-q"], obj=given_parts()).stdout
    from assistant.settings import Settings
    store = built(Settings(index_dir=index)).store
    victim = store.all_chunks(include_documents=False)["ids"][0]
    store.collection.update(ids=[victim], embeddings=[[0.0] * store.dimension])  # a vector lost, text kept
    damaged = runner.invoke(app, ["--index", str(index), "check", "-q"], obj=given_parts())
    assert damaged.exit_code == 1 and "1 damaged articles" in damaged.stdout and victim.split("::")[0] in damaged.stderr
    repaired = runner.invoke(app, ["--index", str(index), "check", "--repair", "-q"], obj=given_parts())
    assert repaired.exit_code == 0 and "1 repaired" in repaired.stdout
    assert "intact" in runner.invoke(app, ["--index", str(index), "check", "-q"], obj=given_parts()).stdout


LINES = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | LINES,
                       lambda children: st.lists(children, max_size=4) | st.dictionaries(
                           st.sampled_from(["title", "body", "url", "author", "published_at", "id", "source", "x"]), children,
                           max_size=6), max_leaves=20)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(JSONISH, max_size=5))
def test_jsonl_loader_never_raises(tmp_path, records):
    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    for result in load_inputs([str(path)]):  # errors are recorded, never raised
        assert all(isinstance(e, str) and "\n" not in e for e in result.errors)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=LINES, body=LINES, raw=st.binary(max_size=400))
def test_markdown_text_and_html_loaders_never_raise(tmp_path, front, body, raw):
    (tmp_path / "a.md").write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(raw)
    (tmp_path / "c.html").write_bytes(raw)
    (tmp_path / "d.rss").write_bytes(raw)
    for result in load_inputs([str(tmp_path / n) for n in ("a.md", "b.txt", "c.html", "d.rss")]):
        assert all("\n" not in e for e in result.errors)


@hsettings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab .[]0123456789,-–;\n", max_size=200))
def test_citation_parser_never_raises(text):
    valid = {1, 2, 3}
    cleaned, removed = strip_dangling(text, valid)
    assert removed >= 0 and isinstance(cleaned, str)
    split_sentences(text)
    strip_markers(text)
    rewrite_markers(text, {1: 2, 2: 1})
    for body in ("1-900000", "3,4;5", "9-2"):
        assert len(expand_marker(body)) <= 11
