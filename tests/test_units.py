"""Unit tests of the logic around the models (fast tier): fusion and rerank, passage window, briefing writer
parsing, renderers, metrics and thresholds, settings, model file checks, chat backends over HTTP, defects."""

from __future__ import annotations

import http.server
import json
import re
from datetime import date
from pathlib import Path

import pytest

from conftest import serve_http

from assistant.evals.metrics import answer_scores, retrieval_scores
from assistant.evals.report import check_thresholds
from assistant.markers import rewrite_markers
from assistant.dates import relative_date_range
from assistant.grounding.passage_window import best_run, best_windows
from assistant.retrieval.hybrid import boost_outlets, reciprocal_rank_fusion
from assistant.records import Passage
from assistant.grounding.citations import Citation, citation_json
from assistant.grounding.verify import verdict
from assistant.lexicon import AUXILIARIES, MONTH_NAME_PATTERN, MONTHS, auxiliary_subset
from fakes import FakeChatModel, FakeEmbeddings


def test_weighted_reciprocal_rank_fusion():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "b"]], k=20, weights=[0.2, 1.0])
    assert [cid for cid, _ in fused] == ["c", "b", "a"]
    assert fused[0][1] == pytest.approx(0.2 / 23 + 1 / 21)


def test_outlet_rerank_leads_with_the_best_chunk_of_each_named_outlet():
    sources = {"a": "X", "b": "X", "c": "Y", "d": "Z"}
    fused = [("a", 1.0), ("b", 0.9), ("d", 0.8), ("c", 0.1)]
    one = boost_outlets(fused, {"Y"}, sources.get, 0.5)
    assert [cid for cid, _ in one][:2] == ["a", "b"] and dict(one)["c"] == pytest.approx(0.15)
    two = boost_outlets(fused, {"X", "Y"}, sources.get, 0.5)
    assert [cid for cid, _ in two][:2] == ["a", "c"]  # one leader per named outlet, best first
    assert boost_outlets(fused, set(), sources.get, 0.5) == fused


def test_passage_window_keeps_an_exact_span_of_a_longer_passage():
    text = ("The mayor opened the bridge on Monday. Traffic was light. The bridge cost 40 million euros to build. "
            "Critics said the toll was too high. The council will review the toll in June.")
    passage = Passage("c", "a", "Bridge", "S", "", "", 1000, 1000 + len(text), text)
    (window,) = best_windows([passage], "How much did the bridge cost?", FakeEmbeddings().encode, 90)
    assert "40 million euros" in window.text and len(window.text) <= 90 + 40
    assert text[window.start - 1000:window.end - 1000] == window.text
    assert best_run([0.1, 2.0, 0.2], [10, 10, 10], 25) == (1, 2) or best_run([0.1, 2.0, 0.2], [10, 10, 10], 25) == (0, 1)


def test_briefing_writer_parsing_renumbering_and_headline_grounding():
    from assistant.briefing.writer import headline_is_grounded, parse_story, safe_headline
    headline, points = parse_story("Headline: Council backs plant\n- The council voted 7 to 2 [1].\n* Jobs: 1,200 [2]\nnoise")
    assert headline == "Council backs plant" and points == ["The council voted 7 to 2 [1].", "Jobs: 1,200 [2]"]
    assert rewrite_markers("Jobs [1][2], cost [2-3].", {1: 4, 2: 5, 3: 6}) == "Jobs [4][5], cost [5][6]."
    excerpt = Passage("c", "a", "Harbor City backs plant", "S", "", "", 0, 30, "The Harbor City council voted.")
    assert headline_is_grounded("Harbor City council votes", [excerpt])
    assert not headline_is_grounded("Council backs Veridian plant", [excerpt])
    assert not safe_headline("ALL NEWS TODAY IS FAKE") and safe_headline("Council backs plant")


def test_overview_is_left_out_when_it_only_repeats_the_points(settings):
    from assistant.briefing.model import KeyPoint, StoryBrief
    from assistant.briefing.writer import BriefingWriter
    model = FakeChatModel(replies=["The council voted 7 to 2 to approve the plant [1]. Jobs will follow [1]."])
    writer = BriefingWriter(settings, model, FakeEmbeddings().encode)
    brief = StoryBrief("Plant approved", [KeyPoint("The council voted 7 to 2 to approve the plant [1].", True, 1.0),
                                          KeyPoint("Jobs will follow [1].", True, 1.0)], [1], 1, 1)
    source = Passage("c", "a", "Plant", "S", "", "", 0, 60, "The council voted 7 to 2 to approve the plant. Jobs will follow.")
    overview, ok = writer.write_overview("2024-05-14", [brief, brief], [source])
    assert overview == "" and not ok
    assert model.calls[0]["max_tokens"] == 220  # the writer's own limit reaches the model


def test_renderers_escape_and_link_only_http():
    from assistant.briefing.render import to_html, to_markdown
    from assistant.briefing.model import Briefing, KeyPoint, StoryBrief
    briefing = Briefing("2024-05-14", "UTC", ("a", "b"), "", False,
                        [StoryBrief("<b>Plant</b>", [KeyPoint("Voted 7 to 2 [1].", True, 1.0)], [1], 1, 1)],
                        [{"n": 1, "title": "<script>x</script>", "source": "S", "url": "javascript:alert(1)",
                          "published_at": "2024-05-14T10:00", "article_id": "a", "reprint_of": None}])
    html = to_html(briefing)
    assert "<script>x" not in html and "javascript:" not in html and "href='#src-1'" in html
    markdown = to_markdown(briefing)
    assert "javascript:" not in markdown and "\\<script\\>" in markdown


def test_metrics_and_the_thresholds_gate(tmp_path):
    assert retrieval_scores(["x", "the gold fact here"], ["gold fact"])["mrr@10"] == 0.5
    assert answer_scores("Yes. Because [1].", "yes", "yes_no")["exact"] == 1.0
    assert answer_scores("It was Ismail Qaani [1].", "Ismail Qaani", "entity")["contains"] == 1.0
    rules = tmp_path / "t.toml"
    rules.write_text('[answer]\naccuracy = 0.6\n[maximum]\n"refusal.false_refusal_rate" = 0.05\n')
    assert check_thresholds({"overall": {"answer.accuracy": 0.7, "refusal.false_refusal_rate": 0.01}}, rules) == []
    failures = check_thresholds({"overall": {"answer.accuracy": 0.5}}, rules)
    assert any("answer.accuracy" in f for f in failures) and any("not measured" in f for f in failures)


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


def test_since_a_month_runs_up_to_today():
    since, until = relative_date_range("What happened since March?", date(2024, 5, 20))
    assert since.date() == date(2024, 3, 1) and until.date() == date(2024, 5, 21)
    since, until = relative_date_range("What happened in March?", date(2024, 5, 20))
    assert until.date() == date(2024, 4, 1)


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


class FakeLLMServer(http.server.BaseHTTPRequestHandler):
    """Answers like Ollama (/api/chat, NDJSON) and an OpenAI-compatible endpoint (/v1/chat/completions, SSE);
    a request whose prompt says FAIL breaks off in the middle of the stream."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps({"data": [{"id": "fake"}], "models": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        fail = "FAIL" in json.dumps(request["messages"])
        words = ["Ismail ", "Qaani ", "[1]."]
        self.send_response(200)
        if self.path.startswith("/api/chat"):
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            for i, word in enumerate(words):
                if fail and i == 1:
                    self.wfile.write(b'{"error": "model crashed"}\n')
                    return
                self.wfile.write(json.dumps({"model": "fake", "created_at": "2024-01-01T00:00:00Z",
                                             "message": {"role": "assistant", "content": word}, "done": False}).encode() + b"\n")
            self.wfile.write(json.dumps({"model": "fake", "created_at": "2024-01-01T00:00:00Z", "message": {"role": "assistant", "content": ""},
                                         "done": True, "done_reason": "stop"}).encode() + b"\n")
            return
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i, word in enumerate(words):
            if fail and i == 1:
                self.wfile.write(b"data: {not json\n\n")
                return
            chunk = {"id": "1", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                     "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture(scope="module")
def llm_server():
    with serve_http(FakeLLMServer) as base:
        yield base


@pytest.mark.parametrize("backend, path", [("ollama", ""), ("openai", "/v1")])
def test_remote_backends_stream_and_report_an_error_mid_stream(llm_server, backend, path):
    from langchain_core.messages import HumanMessage
    from assistant.models.chat import get_chat_model, with_max_tokens
    from assistant.settings import Settings
    model = get_chat_model(Settings(llm_backend=backend, llm_base_url=llm_server + path, llm_model="fake"))
    assert "".join(c.content for c in model.stream([HumanMessage("Who leads the Quds Force?")])) == "Ismail Qaani [1]."
    with pytest.raises(Exception):
        "".join(c.content for c in model.stream([HumanMessage("FAIL please")]))
    assert with_max_tokens(model, 7) is not model


def test_eval_scores_do_not_depend_on_question_order(settings):
    """A relative-date question passes its own "today" to the chain; later questions keep the real one."""
    from assistant.evals.datasets import Question
    from assistant.evals.runner import score_question

    class Chain:
        def __init__(self):
            self.todays = []
            self.retriever = None

        def ask(self, question, history, today=None):
            self.todays.append(today)
            raise StopIteration

    chain = Chain()
    for q in [Question("1", "What happened yesterday?", "x", "entity", "fact", today="2024-05-15"),
              Question("2", "Who leads?", "x", "entity", "fact")]:
        with pytest.raises(StopIteration):
            score_question(chain, q, settings)
    assert chain.todays == [date(2024, 5, 15), None]


def test_the_readme_documents_every_setting():
    from assistant.settings import Settings
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    missing = [name for name in Settings.model_fields if f"| `{name}` |" not in readme]
    assert missing == []


def test_the_lexicon_spells_months_from_the_calendar_and_keeps_auxiliary_groups_inside_its_table():
    month = re.compile(MONTH_NAME_PATTERN)
    assert all(month.fullmatch(name.capitalize()) for name in MONTHS)
    assert not month.fullmatch("Mayor") and not month.fullmatch("march")  # whole words, capitalised as in text
    assert MONTHS["sept"] == MONTHS["september"] == 9
    assert auxiliary_subset("did was") == ("did", "was") and "should" in AUXILIARIES
    with pytest.raises(ValueError):
        auxiliary_subset("did may")


def test_the_verifier_gives_the_reason_of_the_first_check_that_finds_an_error():
    text = "He said “we will win” as 300 workers left the plant."
    passage = Passage("a::0", "a", "T", "S", "", "2024-01-01", 0, len(text), text)
    both = verdict("He said “we will lose” as 400 workers left the plant.", [passage], 0.9, text)
    assert both.score == 0.0 and both.reason.startswith("the quotation")  # the quotation is checked before figures
    assert verdict("He said “we will win” as 400 workers left the plant.", [passage], 0.9, text).reason == (
        "figure 400 is not in the cited passage")
    sales = "Sales rose sharply in the quarter."
    rose = Passage("b::0", "b", "T", "S", "", "2024-01-01", 0, len(sales), sales)
    flipped = verdict("Sales fell sharply in the quarter.", [rose], 0.9, sales, learned=0.95)
    assert flipped.score == 0.2 and "opposite" in flipped.reason  # a soft check caps the learned score
    assert verdict(sales, [rose], 0.9, sales, learned=0.95) == verdict(sales, [rose], 0.1, sales, learned=0.95)


def test_a_summary_citation_highlights_its_whole_excerpt():
    passage = Passage("a::2", "a", "Title", "Wire", "https://wire.example/a", "2024-01-01", 5, 50, "The excerpt.")
    cited = citation_json(Citation.whole(2, passage))
    assert cited["n"] == 2 and cited["text"] == "The excerpt." and cited["url"] == "https://wire.example/a"
    assert (cited["start"], cited["end"], cited["highlight_start"], cited["highlight_end"]) == (5, 50, 5, 50)
