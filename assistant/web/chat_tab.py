"""The Chat tab: a conversation like the chat apps people know (send, stop, retry, edit, examples when empty),
cited answers streamed as they come, sources beside them, follow-ups once there is an answer."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from assistant.records import SearchFilters
from assistant.web.common import PageError, PageServices, first_line, parse_day
from assistant.web.render import link_markers, passages_html, sources_html, summary_markdown

EMPTY_SOURCES = "<div class='sources-empty'>Cited passages appear here.</div>"
SEND, STOP = "Send", "Stop"


def answering():
    """The question box while an answer streams: cleared, with Stop in place of Send."""
    return gr.update(value="", submit_btn=False, stop_btn=STOP)


def idle():
    return gr.update(value="", submit_btn=SEND, stop_btn=False)
MAX_EXAMPLES = 3


@dataclass
class ChatTab:
    """What other parts of the page update: the example questions and the outlets of the filter."""

    chatbot: gr.Chatbot
    outlets: gr.Dropdown


def example_questions(services: PageServices, rows: list[dict]) -> list[dict]:
    """Questions the library can answer, from its newest articles (no model: a title, and names their text
    mentions, asked about in the outlet that reports them)."""
    from assistant.language import names
    if not rows:
        return []
    examples = [f"Summarize the article about {' '.join(rows[0]['title'].split())[:90]}"]
    newest = rows[1:MAX_EXAMPLES * 2] or rows[:1]
    try:
        bodies = {a.id: a.body for a in services.services.store.articles(article_ids=[r["id"] for r in newest])}
    except Exception:  # examples are a courtesy: a store problem shows up when the reader asks
        bodies = {}
    for row in newest:
        found = [n for n in names(bodies.get(row["id"], "")[:800]) if len(n) >= 4 and n.lower() not in row["outlet"].lower()]
        if found and row["outlet"]:
            question = f"What does {row['outlet']} report about {found[0]}?"
            if question not in examples:
                examples.append(question)
        if len(examples) >= MAX_EXAMPLES:
            break
    return [{"text": text} for text in examples]


def chain_history(history: list[dict]) -> list[dict]:
    """The exchanges the chain may build on: failed ones (a warning instead of an answer) are left out."""
    kept: list[dict] = []
    for question, answer in zip(history[0::2], history[1::2]):
        if not answer.get("failed"):
            kept += [{"role": "user", "content": question["content"]}, {"role": "assistant", "content": answer["content"]}]
    return kept


def build_chat_tab(services: PageServices) -> ChatTab:
    def respond(message: str, chat: list, history: list, chosen: list, since: str, until: str):
        """Stream one answer. `chat` (what the page shows) and `history` (the raw text) stay the same length, even
        when the reader stops an answer half-way (the exchange is kept as failed: the chain never builds on it)."""
        message = (message or "").strip()
        if not message:
            yield chat, history, gr.update(), gr.update(), idle(), gr.update()
            return
        chat = list(chat or []) + [{"role": "user", "content": message}, {"role": "assistant", "content": "…"}]
        earlier = list(history or [])
        history = earlier + [{"role": "user", "content": message}, {"role": "assistant", "content": "", "failed": True}]
        no_followups = gr.update(samples=[], visible=False)
        yield chat, history, gr.update(), "", answering(), no_followups

        def failed(text: str):
            chat[-1] = {"role": "assistant", "content": f"⚠️ {text}"}
            history[-1] = {"role": "assistant", "content": text, "failed": True}
            return chat, history, gr.update(), "", idle(), no_followups
        try:
            filters = SearchFilters(sources=tuple(chosen or ()), since=parse_day(since, "since"), until=parse_day(until, "until"))
            chain = services.chain()
            from assistant.qa.followups import summary_request
            asked_for = summary_request(message)
            if asked_for is not None:
                summary = services.services.summary_for(*asked_for, filters=filters)
                passages = getattr(summary, "passages", None) or summary.sources
                chat[-1] = {"role": "assistant", "content": summary_markdown(summary)}
                history[-1] = {"role": "assistant", "content": chat[-1]["content"]}
                yield chat, history, passages_html(passages), f"Summary of: *{asked_for[1]}*", idle(), no_followups
                return
            result, partial = None, ""
            for item in chain.stream(message, chain_history(earlier), filters):
                if isinstance(item, str):  # text as it comes; the last item is the checked answer
                    partial += item
                    chat[-1] = {"role": "assistant", "content": partial}
                    yield chat, history, gr.update(), gr.update(), gr.update(), gr.update()
                else:
                    result = item
        except (PageError, ValueError) as exc:
            yield failed(str(exc))
            return
        except Exception as exc:  # the model or the store failed mid-answer: say so in one line
            yield failed(f"Could not answer: {first_line(exc)}")
            return
        assert result is not None
        from assistant.qa.followups import suggest
        valid = {c.n for c in result.checked.citations} if result.checked and not result.refused else set()
        chat[-1] = {"role": "assistant", "content": link_markers(result.answer, valid)}
        history[-1] = {"role": "assistant", "content": result.answer}
        cited = [c.passage for c in result.checked.citations] if valid else []
        followups = [[q] for q in suggest(result.query, cited)]
        yield (chat, history, sources_html(result), f"Searched for: *{result.query}*", idle(),
               gr.update(samples=followups, visible=bool(followups)))

    def take_last(chat: list, history: list):
        """Retry: the last question comes off the conversation, to be asked again."""
        for index in range(len(history) - 1, -1, -1):
            if history[index]["role"] == "user":
                return chat[:index], history[:index], history[index]["content"]
        return chat, history, ""

    def take_edited(chat: list, history: list, edit: gr.EditData):
        """Edit: the conversation goes back to the edited question, which is asked as written now."""
        index = edit.index if isinstance(edit.index, int) else edit.index[0]
        text = edit.value if isinstance(edit.value, str) else " ".join(
            part.get("text", "") for part in edit.value if isinstance(part, dict))
        return chat[:index], history[:index], text

    def take_example(choice: gr.SelectData):
        value = choice.value
        return value.get("text", "") if isinstance(value, dict) else str(value)

    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="Conversation", height=460, elem_id="chat", editable="user",
                                 placeholder="Ask about your articles: every claim cites its passage.")
            question = gr.Textbox(label="Question", placeholder="Ask about the articles and press Enter or Send",
                                  elem_id="question", submit_btn=SEND, stop_btn=False)
            searched = gr.Markdown(elem_id="searched")
            followups = gr.Dataset(components=[gr.Textbox(visible=False)], samples=[], label="Suggested follow-ups",
                                   elem_id="followups", visible=False)
            with gr.Accordion("Filters", open=False):
                with gr.Row():
                    chosen = gr.Dropdown(choices=[], multiselect=True, label="Outlets", elem_id="outlets")
                    since = gr.Textbox(label="Since (YYYY-MM-DD)", elem_id="since")
                    until = gr.Textbox(label="Until (YYYY-MM-DD)", elem_id="until")
            clear = gr.Button("New conversation", size="sm", elem_id="new-conversation")
        with gr.Column(scale=2):
            gr.Markdown("### Sources")
            sources = gr.HTML(EMPTY_SOURCES, elem_id="sources")
    history = gr.State([])
    pending = gr.State("")  # a question that comes from retry, edit, an example or a follow-up
    outputs = [chatbot, history, sources, searched, question, followups]
    options = [chosen, since, until]
    # one answer at a time (the model runs alone on 2 cores); waiting readers are served in order and see
    # their place in the queue, and each answer streams as soon as its turn starts
    model_turn = {"concurrency_limit": 1, "concurrency_id": "model"}
    asked = question.submit(respond, [question, chatbot, history, *options], outputs, api_name="ask", **model_turn)

    def then_respond(event, name: str):
        return event.then(respond, [pending, chatbot, history, *options], outputs, api_name=name,
                          api_visibility="private", **model_turn)
    retried = then_respond(chatbot.retry(take_last, [chatbot, history], [chatbot, history, pending],
                                         api_name="retry_prepare", api_visibility="private"), "retry")
    edited = then_respond(chatbot.edit(take_edited, [chatbot, history], [chatbot, history, pending],
                                       api_name="edit_prepare", api_visibility="private"), "edit")
    example = then_respond(chatbot.example_select(take_example, None, [pending], api_name="example_prepare",
                                                  api_visibility="private"), "example")
    followed = then_respond(followups.click(lambda sample: sample[0], [followups], [pending], api_name="followup_prepare",
                                            api_visibility="private"), "followup")
    question.stop(idle, None, [question], cancels=[asked, retried, edited, example, followed], queue=False,
                  api_name="stop", api_visibility="private")
    clear.click(lambda: ([], [], EMPTY_SOURCES, "", gr.update(samples=[], visible=False)), None,
                [chatbot, history, sources, searched, followups], api_name="new_conversation", api_visibility="private")
    return ChatTab(chatbot=chatbot, outlets=chosen)
