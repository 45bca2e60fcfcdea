"""Citation resolution, refusal and follow-up rewriting around a fake chat model (logic only)."""

from __future__ import annotations

from datetime import date, datetime

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.qa.answer import AnswerChain, needs_rewrite
from assistant.qa.decompose import ClaimsRoute
from assistant.qa.refusal import looks_like_refusal
from assistant.markers import expand_marker
from assistant.grounding.citations import check_answer, split_sentences, strip_dangling
from assistant.dates import relative_date_range
from assistant.records import Passage, SearchFilters

P1 = Passage("a::0000", "a", "Chip plant approved", "Harbor Ledger", "https://x/a", "2024-05-14T20:00:00+00:00", 100, 240,
             "The council voted 7 to 2 to approve the plant. The company said it would employ about 1,200 people.", 0.9)
P2 = Passage("b::0000", "b", "Lantern festival returns", "Harbor Ledger", "https://x/b", "2024-05-18T07:30:00+00:00", 0, 120,
             "About 3,000 paper lanterns will be released from the old stone bridge at dusk.", 0.8)


class FakeRetriever:
    def __init__(self, passages):
        self.passages = passages
        self.queries: list[tuple[str, SearchFilters]] = []
        self.focuses: list = []

    def vocabulary(self):
        from assistant.retrieval.bm25 import words_of
        return set().union(*(words_of(f"{p.title} {p.source} {p.text}") for p in self.passages)) if self.passages else set()

    def outlets(self):
        return {p.source for p in self.passages}

    def stems(self):
        from assistant.language import stem
        return {stem(w) for w in self.vocabulary()}

    def search(self, query, k=None, filters=None, mode=None, focus=None):
        self.queries.append((query, filters))
        self.focuses.append(focus)
        return list(self.passages)


def fake_model(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]))


def make_chain(settings, embeddings, replies, passages=(P1, P2)):
    """The chain as services.py assembles it (with the claims route), over a fake retriever and model."""
    retriever = FakeRetriever(passages)
    model = fake_model(*replies)
    route = ClaimsRoute(settings, retriever, model, embeddings.encode)
    return AnswerChain(settings, retriever, model, embeddings, claims_route=route), retriever


def test_marker_expansion_and_dangling_removal():
    assert expand_marker("1, 3") == [1, 3]
    assert expand_marker("2-4") == [2, 3, 4]
    text, removed = strip_dangling("The vote was 7 to 2 [1][7]. Lanterns [2, 9] return [12].", {1, 2})
    assert text == "The vote was 7 to 2 [1]. Lanterns [2] return."
    assert removed == 3


def test_sentences_keep_their_trailing_markers():
    assert split_sentences("It passed 7 to 2. [1] About 3,000 lanterns. [2]") == ["It passed 7 to 2.[1]", "About 3,000 lanterns.[2]"]


def test_supported_and_unsupported_sentences(embeddings):
    answer = ("The council approved the plant by 7 votes to 2 [1]. "
              "The plant will dump toxic waste into the harbour every night [1]. "
              "About 3,000 paper lanterns will be released from the bridge [2].")
    checked = check_answer(answer, [P1, P2], embeddings.encode, threshold=0.45)
    supported = [s.supported for s in checked.sentences]
    assert supported == [True, False, True], [(s.text, s.support) for s in checked.sentences]
    assert [c.n for c in checked.citations] == [1, 2]
    first = checked.citations[0]
    highlighted = "x" * 100 + P1.text  # body offsets: the passage starts at 100
    assert highlighted[first.highlight_start:first.highlight_end] == "The council voted 7 to 2 to approve the plant."
    assert checked.sentences[0].marker_support[1] > checked.sentences[1].marker_support[1]


def test_wrong_citation_is_repaired_to_the_supporting_passage(embeddings):
    checked = check_answer("About 3,000 paper lanterns will be released from the old bridge [1].", [P1, P2],
                           embeddings.encode, threshold=0.45)
    assert checked.text == "About 3,000 paper lanterns will be released from the old bridge [2]."
    assert checked.repaired == 1 and checked.sentences[0].supported and [c.n for c in checked.citations] == [2]
    unrepaired = check_answer("About 3,000 paper lanterns will be released from the old bridge [1].", [P1, P2],
                              embeddings.encode, threshold=0.45, repair=False)
    assert not unrepaired.sentences[0].supported


def test_uncited_claim_is_flagged_but_yes_is_exempt(embeddings):
    checked = check_answer("Yes. The festival costs 40 euros a ticket.", [P1, P2], embeddings.encode, threshold=0.45,
                           exempt=lambda s: s.lower().startswith("yes"))
    assert [s.supported for s in checked.sentences] == [True, False]


def test_refusal_detection():
    refusal = "The articles do not contain the answer to this question."
    assert looks_like_refusal(refusal, refusal)
    assert looks_like_refusal("Insufficient information to answer.", refusal)
    assert not looks_like_refusal("The council voted 7 to 2 [1].", refusal)


def test_chain_answers_with_resolved_citations(settings, embeddings):
    chain, retriever = make_chain(settings, embeddings, ["The council approved the plant 7 to 2 [1][5]."])
    result = chain.ask("How did the council vote on the chip plant?")
    assert result.query == "How did the council vote on the chip plant?"
    assert not result.refused
    # asked today (no quiz date) about a report of May 2024: the lead says when it was reported
    assert result.answer == "The council approved the plant 7 to 2 (reported 14 May 2024) [1]."
    assert result.checked.dangling == 1
    data = result.to_json()
    (citation,) = data["citations"]
    assert citation["article_id"] == "a" and citation["start"] == 100 and citation["end"] == 240
    assert citation["title"] == "Chip plant approved" and citation["url"] == "https://x/a"
    assert data["unsupported"] == []
    assert {"retrieval_ms", "first_token_s", "total_s"} <= set(data["timings"])


def test_chain_normalises_refusals(settings, embeddings):
    chain, _ = make_chain(settings, embeddings, ["I'm sorry, the passages do not contain information about the mayor's salary.",
                                                     "E"])  # the candidate choice: E = none of these
    result = chain.ask("What is the mayor's salary?")
    assert result.refused and result.answer == settings.refusal_text and result.citations_json() == []


def test_answer_with_no_supported_sentence_becomes_a_refusal(settings, embeddings):
    chain, _ = make_chain(settings, embeddings, ["The mayor earns 90,000 euros a year [2]. This is stated in the article.", "E"])
    result = chain.ask("What is the mayor's salary?")
    assert result.refused and result.answer == settings.refusal_text and result.citations_json() == []
    settings = settings.model_copy(update={"refuse_unsupported": False})
    chain, _ = make_chain(settings, embeddings, ["The mayor earns 90,000 euros a year [2].", "E"])
    result = chain.ask("What is the mayor's salary?")
    assert not result.refused and result.unsupported == ["The mayor earns 90,000 euros a year [2]."]


def test_no_passages_means_refusal_without_calling_the_model(settings, embeddings):
    chain, _ = make_chain(settings, embeddings, [], passages=())
    result = chain.ask("Anything at all?")
    assert result.refused and result.answer == settings.refusal_text


def test_follow_up_is_rewritten_and_standalone_is_not(settings, embeddings):
    history = [{"role": "user", "content": "Who voted against the chip plant?"},
               {"role": "assistant", "content": "Council member Dana Ortiz voted against it [1]."}]
    ortiz = Passage("c::0000", "c", "Chip plant vote", "Harbor Ledger", "https://x/c", "2024-05-14T20:00:00+00:00", 0, 90,
                    "Council member Dana Ortiz voted against the chip plant, saying its water use was not explained.", 0.7)
    chain, retriever = make_chain(settings, embeddings, ["What reason did Dana Ortiz give for voting against the chip plant?",
                                                         "She said the water use was not explained [1]."],
                                  passages=(ortiz, P1, P2))
    result = chain.ask("What reason did she give?", history)
    assert result.query == "What reason did Dana Ortiz give for voting against the chip plant?"
    assert retriever.queries[0][0] == result.query
    assert needs_rewrite("What reason did she give?", history)
    assert not needs_rewrite("How many lanterns will be released at the festival?", history)
    assert not needs_rewrite("What reason did she give?", [])
    chain2, retriever2 = make_chain(settings, embeddings, ["About 3,000 [2]."])
    result2 = chain2.ask("How many lanterns will be released at the festival?", history)
    assert result2.query == "How many lanterns will be released at the festival?"


def test_relative_dates_become_a_preference_not_a_wall(settings, embeddings):
    today = date(2024, 5, 20)
    since, until = relative_date_range("What happened yesterday?", today)
    assert since.date() == date(2024, 5, 19) and until.date() == date(2024, 5, 20)
    since, until = relative_date_range("What did the council do last week?", today)
    assert since.date() == date(2024, 5, 13) and until.date() == date(2024, 5, 20)
    since, until = relative_date_range("Any news in November?", today)
    assert since.date() == date(2023, 11, 1) and until.date() == date(2023, 12, 1)
    assert relative_date_range("How many lanterns?", today) is None
    chain, retriever = make_chain(settings, embeddings, ["The council voted [1]."])
    chain.ask("What did the council decide yesterday?", today=today)
    filters, focus = retriever.queries[0][1], retriever.focuses[0]
    assert filters.since is None and filters.until is None  # the caller set no dates: nothing is walled off
    assert focus.window[0] == datetime(2024, 5, 19, tzinfo=focus.window[0].tzinfo)  # yesterday is preferred
    assert focus.window[1] == datetime(2024, 5, 20, tzinfo=focus.window[0].tzinfo)


def test_uncited_lead_sentence_is_judged_by_the_next_citation(embeddings):
    checked = check_answer("About 1,200 people. The company said it would employ about 1,200 people [1].", [P1, P2],
                           embeddings.encode, threshold=0.45)
    assert [s.supported for s in checked.sentences] == [True, True]
    checked = check_answer("The mayor resigned in tears on Friday. The council voted 7 to 2 [1].", [P1, P2],
                           embeddings.encode, threshold=0.45)
    assert [s.supported for s in checked.sentences] == [False, True]


def test_key_terms_are_names_and_numbers():
    from assistant.qa.refusal import key_terms, unknown_terms
    from assistant.retrieval.bm25 import words_of
    assert key_terms("What did The Guardian report about Route 9 in 2019?") == ["Guardian", "Route", "2019"]
    assert key_terms("Which company will build the plant?") == []
    vocabulary = words_of(P1.text + " " + P1.source + " Americans paid 3,400 dollars")
    assert unknown_terms("Did the Americans pay $3400 to Harbor Ledger in 2019?", vocabulary) == ["2019"]
    assert unknown_terms("Did the American council vote 7 to 2 on the plant by Harbor Ledger?", vocabulary) == []


def test_question_about_an_absent_name_is_refused_without_the_model(settings, embeddings):
    chain, _ = make_chain(settings, embeddings, [])  # the fake model has no reply: calling it would fail
    result = chain.ask("What did The Guardian say about the chip plant?")
    assert result.refused and result.unknown_terms == ["Guardian"]
    assert result.to_json()["unknown_terms"] == ["Guardian"]


def test_a_figure_the_passage_never_gives_is_unsupported(embeddings):
    checked = check_answer("The company said it would employ about 5,000 people [1].", [P1, P2], embeddings.encode, threshold=0.45)
    assert not checked.sentences[0].supported
    checked = check_answer("The company said it would employ about 1200 people [1].", [P1, P2], embeddings.encode, threshold=0.45)
    assert checked.sentences[0].supported


def test_uncited_sentence_gets_the_marker_of_the_passage_that_supports_it(embeddings):
    checked = check_answer("Repairs aside, about 3,000 paper lanterns will be released from the old stone bridge.", [P1, P2],
                           embeddings.encode, threshold=0.45)
    assert checked.text.endswith("bridge [2].") and checked.sentences[0].supported


def test_the_sources_panel_names_each_flagged_sentence_with_its_state_and_reason(settings, embeddings):
    from assistant.web.render import sources_html
    settings = settings.model_copy(update={"refuse_unsupported": False})
    chain, _ = make_chain(settings, embeddings, ["The mayor earns 90,000 euros a year [2].", "E"])
    result = chain.ask("What is the mayor's salary?")
    check = result.checked.sentences[0]
    html = sources_html(result)
    assert "not supported</b>: The mayor earns 90,000 euros a year" in html
    assert check.reason and check.reason in html


P3 = Passage("c::0000", "c", "Plant vote", "Coastal Times", "https://x/c", "2024-05-15T08:00:00+00:00", 0, 90,
             "The council approved the chip plant by 7 votes to 2 on Tuesday.", 0.7)


class RecordingRoute:
    """A claims route that records the claims it was asked and answers from P1."""

    def __init__(self):
        self.asked: list[list[str]] = []

    def answer(self, plan, query, filters):
        self.asked.append([c.outlet for c in plan.claims])
        text = "Yes. Harbor Ledger (2024-05-14): “The council voted 7 to 2 to approve the plant” [1]."
        return text, [P1], [{"outlet": "Harbor Ledger"}]


def test_a_comparison_goes_to_the_claims_route_the_chain_was_handed(settings, embeddings):
    """qa.answer does not import the decomposition: services.py hands the chain its claims route. A comparison
    yes/no question goes there, one claim per named report; a chain given none answers it the plain way."""
    question = "Did the Harbor Ledger and the Coastal Times both report that the council approved the plant?"
    route = RecordingRoute()
    routed = AnswerChain(settings, FakeRetriever([P1, P3]), fake_model("unused"), embeddings, claims_route=route).ask(question)
    assert route.asked == [["Harbor Ledger", "Coastal Times"]]
    assert routed.route == "claims" and routed.answer.startswith("Yes.") and routed.claims == [{"outlet": "Harbor Ledger"}]
    plain = AnswerChain(settings, FakeRetriever([P1, P3]), fake_model("The council approved the plant [1]."),
                        embeddings).ask(question)
    assert plain.route == "plain" and route.asked == [["Harbor Ledger", "Coastal Times"]]


def test_the_services_hand_the_answer_chain_its_claims_route(settings, embeddings):
    from assistant.services import build_services
    from fakes import FakeChatModel
    chain = build_services(settings, embeddings=embeddings, chat_model=FakeChatModel()).answer_chain
    assert isinstance(chain.claims_route, ClaimsRoute) and chain.claims_route.retriever is chain.retriever
