"""Each input format becomes Article records; bad inputs give one-line errors naming the input."""

from __future__ import annotations

import json
from datetime import timezone
from pathlib import Path

import pytest

from assistant.ingest.sources import load_inputs
from conftest import FIXTURES, SHARED


def load_one(path: Path):
    results = list(load_inputs([str(path)]))
    assert len(results) == 1
    return results[0]


def test_markdown_front_matter_gives_metadata():
    result = load_one(FIXTURES / "articles" / "iran-mixed-message.md")
    assert result.errors == []
    (article,) = result.articles
    assert article.title == "Iran Offers Mixed Message After Backing Away From Conflict With U.S."
    assert article.source == "The New York Times"
    assert article.url.startswith("https://www.nytimes.com/")
    assert article.published_at.utcoffset() is not None
    assert article.published_at.astimezone(timezone.utc).isoformat().startswith("2020-01-09T15:00")
    assert article.body.startswith("A day after President Trump")
    assert "---" not in article.body


def test_text_file_first_line_is_title_and_date_is_timezone_aware():
    (article,) = load_one(FIXTURES / "articles" / "chip-plant.txt").articles
    assert article.title == "Harbor City Approves Chip Plant After Nine-Hour Hearing"
    assert not article.body.startswith("Harbor City Approves")
    assert "7 to 2" in article.body
    assert article.published_at.tzinfo is not None


def test_html_main_text_and_metadata_are_extracted():
    (article,) = load_one(FIXTURES / "articles" / "river-festival.html").articles
    assert article.title == "Lantern Festival Returns to the Kestrel River"
    assert article.source == "Harbor Ledger"
    assert article.author == "Mira Colton"
    assert article.published_at.date().isoformat() == "2024-05-18"
    assert "3,000 paper lanterns" in article.body
    assert "Subscribe to our newsletter" not in article.body
    assert "Sports" not in article.body


def test_jsonl_keeps_good_lines_and_names_bad_ones():
    result = load_one(FIXTURES / "mixed.jsonl")
    assert [a.title for a in result.articles] == ["Ferry Fares Rise by Ten Percent", "Library Opens Late on Thursdays"]
    assert result.articles[0].author == "Ann Lee"
    assert result.articles[0].published_at.isoformat() == "2024-05-20T08:00:00+00:00"
    assert len(result.errors) == 2
    assert any("mixed.jsonl:2" in e and "malformed JSON" in e for e in result.errors)
    assert any("mixed.jsonl:4" in e and "body" in e for e in result.errors)
    assert all("\n" not in e for e in result.errors)


def test_json_list_of_articles(tmp_path):
    path = tmp_path / "two.json"
    path.write_text(json.dumps([{"title": "A", "body": "First body.", "source": "S", "published_at": "2024-01-02"},
                                {"title": "B", "body": "Second body.", "source": "S", "published_at": "2024-01-03"}]))
    result = load_one(path)
    assert [a.title for a in result.articles] == ["A", "B"]
    assert result.articles[0].id != result.articles[1].id


@pytest.mark.parametrize("name, reason", [
    ("empty.txt", "empty"),
    ("archive.txt", "binary"),
    ("latin1.md", "UTF-8"),
    ("not-a-feed.rss", "not"),
])
def test_bad_files_get_one_line_errors(name, reason):
    result = load_one(FIXTURES / "bad" / name)
    assert result.articles == []
    (error,) = result.errors
    assert name in error and reason in error and "\n" not in error


def test_missing_path_is_reported_not_raised(tmp_path):
    results = list(load_inputs([str(tmp_path / "nope.txt")]))
    errors = [e for r in results for e in r.errors]
    assert len(errors) == 1 and "nope.txt" in errors[0]


def test_folder_is_read_recursively(tmp_path):
    import shutil
    shutil.copytree(FIXTURES / "articles", tmp_path / "a" / "b")
    (tmp_path / "a" / "notes.bin").write_bytes(b"\x00\x01")  # unknown suffix: ignored, not an error
    results = list(load_inputs([str(tmp_path / "a")]))
    titles = sorted(a.title for r in results for a in r.articles)
    assert len(titles) == 3
    assert not [e for r in results for e in r.errors]


def test_ids_are_stable_across_loads():
    first = load_one(FIXTURES / "articles" / "iran-mixed-message.md").articles[0]
    second = load_one(FIXTURES / "articles" / "iran-mixed-message.md").articles[0]
    assert first.id == second.id and first.content_hash == second.content_hash


@pytest.mark.skipif(not (SHARED / "multihop-rag" / "corpus.jsonl").exists(), reason="shared corpus not present")
def test_multihop_corpus_loads_as_is():
    result = load_one(SHARED / "multihop-rag" / "corpus.jsonl")
    assert result.errors == []
    assert len(result.articles) == 609
    assert all(a.published_at.tzinfo is not None for a in result.articles)
    assert len({a.id for a in result.articles}) == 609
