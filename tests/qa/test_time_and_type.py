"""Time in answers (recency, the moment a question is asked, "as of") and answer-type checks."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.qa.answer_type import AnswerType, expected_type, names_kind, spelled_out
from assistant.qa.candidates import candidates_for, letter_probabilities
from assistant.retrieval.recency import time_focus
from assistant.records import Article, Passage
from datetime import datetime, timezone

OLD = Article("a-old", "Biden names his chief of staff", "President Joe Biden named Ron Klain as his White House chief of "
              "staff, the transition team said.", "Capital Wire", "https://x/old",
              datetime(2021, 1, 20, 12, tzinfo=timezone.utc))
NEW = Article("a-new", "Trump names his chief of staff", "President Donald Trump named Susie Wiles as his White House chief "
              "of staff, the transition team said.", "Capital Wire", "https://x/new",
              datetime(2025, 1, 20, 12, tzinfo=timezone.utc))
LATER = Article("a-later", "A new chief of staff", "The White House chief of staff is now Pat Quill, the transition team said.",
                "Capital Wire", "https://x/later", datetime(2025, 6, 1, 12, tzinfo=timezone.utc))
TODAY = date(2025, 3, 10)


@pytest.mark.parametrize("question, kind", [
    ("Who is the White House chief of staff?", "present"),
    ("Which app is back online in the US this week?", "present"),
    ("Which company unveiled a new phone?", "recent"),
    ("Which company unveiled a new phone in 2019?", "dated"),
])
def test_question_kinds(question, kind):
    assert time_focus(question, TODAY).kind == kind


def test_newer_reports_weigh_more_and_the_window_most():
    focus = time_focus("Who won the vote this week?", TODAY)
    fresh, month, old = (focus.factor(f"{day}T12:00:00+00:00") for day in ("2025-03-09", "2025-02-08", "2021-01-20"))
    assert fresh > month > old == pytest.approx(1.0, abs=0.01)
    assert focus.in_window("2025-03-05T12:00:00+00:00") and not focus.in_window("2025-02-20T12:00:00+00:00")
    assert focus.cutoff().date() == date(2025, 3, 12)  # today, plus a day's margin for time zones


def test_the_present_is_the_newest_report_and_the_future_is_not_yet_written(settings, embeddings):
    from assistant.ingest.indexer import ingest_articles
    from assistant.services import build_services
    services = build_services(settings, embeddings=embeddings)
    ingest_articles([OLD, NEW, LATER], services.store, embeddings, settings, progress=False)
    question = "Who is the White House chief of staff?"
    focus = time_focus(question, TODAY)
    found = services.retriever.search(question, k=3, focus=focus)
    assert [p.article_id for p in found] == ["a-new", "a-old"]  # June's report did not exist on 10 March
    plain = services.retriever.search(question, k=3)
    assert {p.article_id for p in plain} == {"a-new", "a-old", "a-later"}


def test_an_old_report_stated_as_the_present_carries_its_date(settings, embeddings):
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from assistant.ingest.indexer import ingest_articles
    from assistant.services import build_services
    model = GenericFakeChatModel(messages=iter([AIMessage(content="Susie Wiles [1]. Trump named Susie Wiles as his White "
                                                                  "House chief of staff [1].")]))
    services = build_services(settings, embeddings=embeddings, chat_model=model)
    ingest_articles([OLD, NEW], services.store, embeddings, settings, progress=False)
    result = services.answer_chain.ask("Who is the White House chief of staff?", today=TODAY)
    assert result.answer.startswith("Susie Wiles (as of 20 January 2025) [1].")
    assert result.passages[0].article_id == "a-new"  # newest first for a question about now
    assert result.prompt_inputs["today"] == "2025-03-10"


DATED = Article("a-dated", "Biden names his chief of staff", "On 20 January 2021, President Joe Biden named Ron Klain as "
                "his White House chief of staff, the transition team said.", "Capital Wire", "https://x/dated",
                datetime(2021, 1, 20, 12, tzinfo=timezone.utc))


LEAD_NAME = "President Joe Biden's transition team"


# An undated news question gets the report's date; one that names its own year, or asks for a date, does not.
@pytest.mark.parametrize("question, lead, label", [
    ("Which transition team named a chief of staff?", LEAD_NAME, " (reported 20 January 2021)"),
    ("Which transition team named a chief of staff in 2021?", LEAD_NAME, ""),
    ("When was the chief of staff named?", "On 20 January 2021", ""),
])
def test_an_undated_news_question_answered_from_an_old_report_says_when_it_was_reported(settings, embeddings, question,
                                                                                         lead, label):
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from assistant.ingest.indexer import ingest_articles
    from assistant.services import build_services
    model = GenericFakeChatModel(messages=iter([AIMessage(content=f"{lead} [1]. President Joe Biden named Ron Klain as his "
                                                                  "White House chief of staff [1].")]))
    services = build_services(settings, embeddings=embeddings, chat_model=model)
    ingest_articles([DATED], services.store, embeddings, settings, progress=False)
    result = services.answer_chain.ask(question, today=TODAY)
    assert result.answer.startswith(f"{lead}{label} [1].")


@pytest.mark.parametrize("question, kind, noun", [
    ("Which country declared a state of emergency?", "country", "country"),
    ("Trump met Starmer on his second state visit to which country?", "country", "country"),
    ("Who was elected mayor on Tuesday?", "person", ""),
    ("Which two actors are reuniting for a sequel?", "person", "actor"),
    ("How many hours did the senator speak?", "quantity", ""),
    ("What is the mayor's salary?", "quantity", "salary"),
    ("What is the name of the charity he left?", "name", "charity"),
    ("Which app is back online?", "name", "app"),
    ("Which animal marks the new year?", "open", "animal"),
    ("Why did the minister resign?", "reason", ""),
    ("When did the strike end?", "date", ""),
])
def test_expected_answer_types(question, kind, noun):
    assert expected_type(question) == AnswerType(kind, noun)


def test_a_lead_must_name_a_held_answer_of_the_asked_kind():
    country = AnswerType("country", "country")
    held = "Flights were halted at Dubai International Airport. Chile declared a state of emergency."
    assert not names_kind("Dubai International Airport shut down [1].", country, held)
    assert names_kind("Chile [2].", country, held)
    assert not names_kind("Peru [2].", country, held)  # a country, but no passage holds it
    assert names_kind("About 1,200 people.", AnswerType("quantity"), "employ about 1,200 people")


def test_candidates_come_from_the_passages_and_never_from_the_question():
    passages = [Passage("c::0", "c", "Blackout", "Wire", "", "2025-02-26", 0, 90,
                        "Chile declared a state of emergency after a blackout; Argentina sent help."),
                Passage("d::0", "d", "Airport", "Wire", "", "2025-02-26", 0, 60, "Dubai International Airport reopened.")]
    found = candidates_for("Which country declared a state of emergency after a blackout?", AnswerType("country", "country"),
                           passages)
    assert [c.text for c in found][:2] == ["Chile", "Argentina"] and found[0].n == 1
    assert candidates_for("Did Chile declare an emergency?", AnswerType("country", "country"), passages)[0].text == "Argentina"


def test_a_title_case_headline_and_organisation_words_give_no_person():
    passages = [Passage("l::0", "l", "Lantern Festival Returns To Quay Harbour", "Wire", "", "2025-02-26", 0, 120,
                        "The Harbour Arts Council organises the festival each year. Its director, Mara Olsen, "
                        "said 400 lanterns will float this time.")]
    found = [c.text for c in candidates_for("Who organises the lantern festival?", AnswerType("person"), passages)]
    assert "Mara Olsen" in found
    assert not any("Festival" in c or "Council" in c for c in found), found
    # surnames that are also ordinary words stay people
    people = [Passage("g::0", "g", "Donors meet", "Wire", "", "2025-02-26", 0, 120,
                      "The gala was opened by Bill Gates, and the actor Jude Law read a poem.")]
    found = [c.text for c in candidates_for("Who opened the gala?", AnswerType("person"), people)]
    assert "Bill Gates" in found and "Jude Law" in found, found
    # a headline in sentence case still names things: a country from it counts
    headline = [Passage("e::0", "e", "Chile declares an emergency", "Wire", "", "2025-02-26", 0, 30, "A blackout hit.")]
    assert [c.text for c in candidates_for("Which country declared an emergency?", AnswerType("country", "country"),
                                           headline)] == ["Chile"]


def test_the_letter_with_the_most_probability_is_read_from_the_log_probs():
    class Message:
        content = "B"
        response_metadata = {"logprobs": {"content": [{"top_logprobs": [
            {"token": "A", "logprob": -2.0}, {"token": "B", "logprob": -0.3}, {"token": "C", "logprob": -1.0}]}]}}
    probabilities = letter_probabilities(Message(), 2)
    assert probabilities.index(max(probabilities)) == 1


def test_a_lead_of_the_wrong_kind_is_replaced_by_the_chosen_candidate(settings, embeddings):
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from assistant.ingest.indexer import ingest_articles
    from assistant.services import build_services
    blackout = Article("a-chile", "Blackout", "Chile declared a state of emergency after a massive blackout on Tuesday. "
                       "Flights at Dubai International Airport were not affected.", "Wire", "https://x/c",
                       datetime(2025, 2, 26, tzinfo=timezone.utc))
    model = GenericFakeChatModel(messages=iter([AIMessage(content="Dubai International Airport shut down [1]."),
                                                AIMessage(content="A")]))
    services = build_services(settings, embeddings=embeddings, chat_model=model)
    ingest_articles([blackout], services.store, embeddings, settings, progress=False)
    result = services.answer_chain.ask("Which country declared a state of emergency after a blackout?", today=date(2025, 2, 27))
    assert result.route == "chosen" and result.answer.startswith("Chile [1].") and not result.refused
    assert "“Chile declared a state of emergency" in result.answer


@pytest.mark.parametrize("lead, expected", [
    ("UK [1].", "United Kingdom (UK) [1]."),
    ("The U.S. [2]. More.", "The United States (U.S.) [2]. More."),
    ("USAID cut grants [1].", "USAID cut grants [1]."),  # a word that starts like one is left alone
    ("Ukraine [1].", "Ukraine [1]."),
])
def test_a_country_answer_names_the_country_in_full(lead, expected):
    assert spelled_out(lead, expected_type("In which country did the leaders meet?")) == expected


def test_only_country_answers_are_spelled_out():
    assert spelled_out("UK [1].", expected_type("Who is the prime minister?")) == "UK [1]."


def test_the_exact_match_reads_the_lead_without_its_as_of_label():
    from assistant.evals.metrics import answer_scores
    scores = answer_scores("Ismail Qaani (as of 9 January 2020) [1]. He leads the force [1].", "Ismail Qaani", "entity")
    assert scores["exact"] == 1.0
    assert answer_scores("Ismail Qaani's deputy (as of 9 January 2020) [1].", "Ismail Qaani", "entity")["exact"] == 0.0
