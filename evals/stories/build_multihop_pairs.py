"""Regenerates multihop-pairs.jsonl: hand labels for the cross-day evidence pairs of the MultiHop-RAG dev questions.

A pair is two evidence articles of one question published on different days (each pair once). The label says
whether a reader would expect them under one story heading:
  same       - they report one specific event, or one single proceeding followed over days (one trial, one
               firing saga, one match from preview to result, one probe, one free-agency saga);
  different  - same topic, person, company, league or genre but another event (another trial, another match,
               another day's market report, two betting guides, two deal lists);
  unsure     - a digest covering several unrelated stories (TechCrunch's Week in Review), a feature only pegged
               to the news, or games of one series: left out of the scores and counted.
The labels were written by reading each pair's titles and opening paragraphs (docs/stories.md), before the
linker's thresholds were chosen; groups below are by title so they can be checked against the corpus.
"""
import json
import pathlib
from datetime import date
from itertools import combinations

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "multihop-rag"

# One event or one proceeding per group (title prefixes).
SAME = {
    "sbf-trial": ["The FTX trial is bigger than Sam Bankman-Fried", "SBF’s trial starts soon", "Is Sam Bankman-Fried a bad",
                  "SBF Trial: The latest updates", "Sex, Signal messages, and sabotaging FTX", "Today the FTX jury suffered",
                  "Sam Bankman-Fried was a terrible boyfriend", "How is it still getting worse for Sam Bankman-Fried",
                  "In the end, the FTX trial was about", "The jury finally hears from Sam Bankman-Fried",
                  "Sam Bankman-Fried didn’t ask where the $8 billion went"],
    "us-v-google-trial": ["Apple defends Google Search deal in court", "5 things we learned so far about the Google antitrust",
                          "More from the US v Google trial"],
    "epic-v-google-trial": ["Epic v. Google, explained", "What to know about Fortnite maker Epic Games’ antitrust",
                            "The Epic v. Google trial may come down", "Tim Sweeney on Epic’s victory royale"],
    "altman-firing": ["Sam Altman ousted as OpenAI’s CEO", "WTF is going on at OpenAI", "OpenAI's ex-chairman accuses board",
                      "A timeline of Sam Altman’s firing from OpenAI"],
    "rugby-world-cup-final": ["Legacy vs ego: The Springboks", "THE GREATEST! Boks beat All Blacks"],
    "jim-jordan-speaker-bid": ["Republicans just dumped Jim Jordan again", "Republicans dump Jim Jordan as House Speaker"],
    "eu-x-disinformation": ["EU fires urgent warning at Elon Musk’s X", "After warning, the EU opens investigation into X"],
    "michigan-sign-stealing": ["Michigan’s Rivals Fume About Sign-Stealing", "Michigan sign-stealing scandal winners and losers"],
    "ohtani-free-agency": ["Shohei Ohtani rumors tracker", "M.L.B. Superstar Shohei Ohtani to Sign"],
    "man-united-galatasaray": ["Manchester United face Galatasaray with high hopes", "Leaky defence ‘isn’t good enough’"],
    "pinkett-smith-separation": ["A timeline of Will Smith and Jada Pinkett Smith’s relationship",
                                 "Jada Pinkett Smith reveals why she and Will Smith never signed"],
}
# Articles whose every pair is left out: digests of many stories, features pegged to a story, a book-launch piece.
UNSURE_ARTICLES = ["Sam Altman backs teens’ startup", "Google fakes an AI demo", "Cruise hits the brakes on driverless",
                   "OpenAI hosts a dev day", "SBF, riding high on FTX, reportedly offered $5B",
                   "Jada Pinkett Smith and Will Smith have been separated since 2016", "Israel's defense undone by reliance",
                   "Israel's blockade of Gaza means"]
# Single pairs left out: games of one series, a squad list and its first match, a timeline and the memoir it precedes.
UNSURE_PAIRS = [("World Series Game 2: Arizona Diamondbacks", "World Series 2023 live score"),
                ("West Indies v England: first T20", "West Indies v England: fifth and deciding"),
                ("USA squad for October friendlies 2023", "Gio Reyna looks good in start"),
                ("From Justin Timberlake to Sam Asghari", "‘I was being ritually tortured’"),
                ("What we expect at Apple's Scary Fast event", "Apple 16-inch M3 Max MacBook Pro review")]


def main() -> None:
    titles = {json.loads(line)["id"]: json.loads(line)["title"] for line in (DATA / "corpus.jsonl").open()}

    def ids(prefix: str) -> set[str]:
        found = {i for i, t in titles.items() if t.startswith(prefix)}
        assert found, prefix
        return found

    group_of = {doc: name for name, prefixes in SAME.items() for p in prefixes for doc in ids(p)}
    unsure_docs = {doc for p in UNSURE_ARTICLES for doc in ids(p)}
    unsure_pairs = {frozenset((a, b)) for x, y in UNSURE_PAIRS for a in ids(x) for b in ids(y)}
    seen, rows = set(), []
    for line in (DATA / "qa-dev.jsonl").open():
        question = json.loads(line)
        for first, second in combinations(question["evidence"], 2):
            if first["doc_id"] == second["doc_id"] or first["published_at"][:10] == second["published_at"][:10]:
                continue
            key = frozenset((first["doc_id"], second["doc_id"]))
            if key in seen:
                continue
            seen.add(key)
            a, b = sorted((first, second), key=lambda e: e["published_at"])
            if key & unsure_docs or key in unsure_pairs:
                label, story = "unsure", ""
            elif group_of.get(a["doc_id"]) and group_of.get(a["doc_id"]) == group_of.get(b["doc_id"]):
                label, story = "same", group_of[a["doc_id"]]
            else:
                label, story = "different", ""
            rows.append({"a": a["doc_id"], "b": b["doc_id"], "label": label, "story": story, "question": question["id"],
                         "days_apart": (date.fromisoformat(b["published_at"][:10]) - date.fromisoformat(a["published_at"][:10])).days,
                         "title_a": titles[a["doc_id"]], "title_b": titles[b["doc_id"]]})
    out = pathlib.Path(__file__).with_name("multihop-pairs.jsonl")
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    counts = {k: sum(r["label"] == k for r in rows) for k in ("same", "different", "unsure")}
    print(f"{len(rows)} pairs: {counts}")


if __name__ == "__main__":
    main()
