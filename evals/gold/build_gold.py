import json, re, pathlib
# Regenerates corpus.jsonl, qa.jsonl and briefings.jsonl; every evidence fact is checked to be a substring of its article.
root = pathlib.Path(__file__).resolve().parents[2]
seed_lines = (root.parent / "shared/data/seed/iran-mixed-message.txt").read_text().strip().split("\n")
docs = []
def doc(id, title, source, published_at, body, url=None, author=None):
    docs.append({"id": id, "title": title, "source": source, "url": url, "published_at": published_at, "author": author,
                 "body": "\n\n".join(p.strip() for p in body.strip().split("\n\n"))})
doc("gold-iran-nyt", seed_lines[0], "The New York Times", "2020-01-09T10:00:00-05:00", "\n\n".join(seed_lines[1:]),
    url="https://www.nytimes.com/2020/01/09/world/middleeast/iran-trump.html")
doc("gold-chip-ledger", "Harbor City Approves Chip Plant After Nine-Hour Hearing", "Harbor Ledger", "2024-05-14T22:40:00+02:00", """
The Harbor City council voted 7 to 2 on Tuesday night to approve a semiconductor packaging plant on the former rail yard, ending a nine-hour public hearing.

Veridian Microsystems, which will build the plant, said it would employ about 1,200 people once it opens in 2028 and spend $3.4 billion on construction.

Council member Dana Ortiz, who voted against the plan, said the company had not explained how much water the plant would draw from the Kestrel River.

Supporters in the packed chamber applauded after the vote. Construction is expected to begin in the autumn.
""", url="https://ledger.example/2024/05/14/chip-plant", author="Mira Colton")
doc("gold-chip-coastal", "Council Backs Veridian Packaging Plant", "Coastal Times", "2024-05-14T23:15:00+02:00", """
Harbor City's council gave final approval on Tuesday to Veridian Microsystems' packaging plant, a project the company says will create 1,500 jobs.

Mayor Lena Park called the plant "the biggest investment in the city's history" and said it would bring a second rail link to the port.

The plant will occupy 40 hectares of the disused rail yard north of the harbour. Two council members opposed the project over its water use.
""", url="https://coastaltimes.example/news/veridian-plant-approved", author="Jonah Reed")
doc("gold-chip-builder", "Veridian Names Builder for Harbor City Chip Plant", "Harbor Ledger", "2024-05-15T11:20:00+02:00", """
Veridian Microsystems on Wednesday chose Dunmore Construction to build its packaging plant in Harbor City, a day after the council approved the project.

Groundwork on the former rail yard will start in September, the company said, and about 600 construction workers will be on site at the peak.

Council member Dana Ortiz said she would ask the regional water board to review the plant's permit.
""", url="https://ledger.example/2024/05/15/veridian-builder", author="Mira Colton")
rain = """
Heavy rain closed a 30-kilometre stretch of Route 9 between Millbrook and Harbor City on Wednesday, after 112 millimetres fell in 24 hours.

Road crews said the highway would reopen on Friday once flood water drains from the underpass at Elm Crossing.

"We have not seen this much rain in May since records began," said Ines Duarte, a forecaster at the regional weather office.

Drivers were told to use the coastal road, which adds about 25 minutes to the trip.
"""
doc("gold-rain-wire", "Heavy Rain Closes Northern Highway", "Lakeshore Press Agency", "2024-05-15T14:05:00+02:00", rain,
    url="https://lpa.example/wire/heavy-rain-route-9")
doc("gold-rain-reprint", "Heavy rain closes northern highway", "Coastal Times", "2024-05-15T15:30:00+02:00",
    rain + "\n\nThis report was supplied by the Lakeshore Press Agency.", url="https://coastaltimes.example/news/heavy-rain-highway")
doc("gold-lanterns", "Lantern Festival Returns to the Kestrel River", "Harbor Ledger", "2024-05-18T09:30:00+02:00", """
After a four-year pause, the lantern festival will return to the Kestrel River on Saturday, organisers said, with about 3,000 paper lanterns released from the old stone bridge at dusk.

The festival was cancelled in 2020 and did not resume while the bridge was being repaired. Repairs cost the city 2.1 million euros and finished in March.

Organiser Tomas Reyes said the lanterns this year are made of rice paper that dissolves in water, after complaints about litter downstream in earlier years.
""", url="https://ledger.example/2024/05/18/lantern-festival", author="Mira Colton")
doc("gold-mariners", "Mariners Win Regional Final 3-1", "Coastal Times", "2024-05-18T21:50:00+02:00", """
The Harbor City Mariners beat Westfield 3-1 on Saturday to win the regional football final in front of 14,200 fans at Dockside Park.

Sofia Brandt scored twice in the first half and Leo Martins added a third goal late in the game.

"The players never stopped running," said coach Pieter Vos, whose side lost the same final last year.

The Mariners will play Eastport in the national quarter-final on June 2.
""", url="https://coastaltimes.example/sport/mariners-regional-final", author="Ada Novak")
doc("gold-ferry", "Ferry Fares to Rise Ten Percent in June", "Harbor Ledger", "2024-05-20T08:00:00+02:00", """
Harbor City ferry fares will rise by ten percent on June 1, the transit authority said on Monday, taking a single fare from 4.00 euros to 4.40 euros.

The monthly pass will stay at 95 euros, said Omar Haddad, who heads the transit authority.

Mr. Haddad said the increase was needed because the authority's fuel costs had risen 18 percent in a year.
""", url="https://ledger.example/2024/05/20/ferry-fares", author="Ann Lee")
by_id = {d["id"]: d for d in docs}

qs = []
def q(qtype, question, answer, atype, evidence=(), history=None, today=None):
    ev = []
    for doc_id, fact in evidence:
        body = by_id[doc_id]["body"]
        assert fact in body, (doc_id, fact)
        ev.append({"doc_id": doc_id, "title": by_id[doc_id]["title"], "source": by_id[doc_id]["source"],
                   "published_at": by_id[doc_id]["published_at"], "fact": fact})
    row = {"id": f"gold-q-{len(qs) + 1:03d}", "question": question, "answer": answer, "answer_type": atype,
           "question_type": qtype, "evidence": ev}
    if history:
        row["history"] = [{"role": "user", "content": history[0]}, {"role": "assistant", "content": history[1]}]
    if today:
        row["today"] = today
    qs.append(row)

I = "gold-iran-nyt"
q("fact", "Who is the new leader of the Quds Force?", "Ismail Qaani", "entity", [(I, "The new leader of the Quds Force, Ismail Qaani")])
q("fact", "Who commands the air force of Iran's Revolutionary Guards?", "Amir Ali Hajizadeh", "entity", [(I, "the commander of the Revolution Guards air force, Brig. Gen. Amir Ali Hajizadeh")])
q("fact", "Which Iranian news agency reported the remarks of the Revolutionary Guards commanders?", "Tasnim", "entity", [(I, "according to Iran’s Tasnim news agency")])
q("fact", "Which British prime minister did President Hassan Rouhani speak with?", "Boris Johnson", "entity", [(I, "President Hassan Rouhani of Iran spoke with Prime Minister Boris Johnson of Britain")])
q("fact", "Where were the air bases hit by the Iranian missiles?", "Asad and Erbil", "entity", [(I, "air bases in Asad and Erbil")])
q("fact", "According to Mr. Trump, did the Iranian missile barrage kill any Americans?", "No", "yes_no", [(I, "The barrage of missiles on Wednesday took no American lives, Mr. Trump said")])
q("who_said", "Which cleric called on Iraqi factions to be patient and not start military actions?", "Moktada al-Sadr", "entity", [(I, "The influential Iraqi Shiite cleric Moktada al-Sadr called on Iran-backed militia groups not to carry out further attacks")])
q("who_said", "Which Chatham House scholar said more kinetic action and reaction is inevitable?", "Sanam Vakil", "entity", [(I, "Sanam Vakil, a scholar of Iran at Chatham House")])
q("fact", "In which province did General Fadavi give his speech?", "Isfahan", "entity", [(I, "in a speech in the central province of Isfahan on Thursday")])
q("who_said", "Who said Iran's armed forces would impose harsher revenge on the enemy in the near future?", "Abdollah Araghi", "entity", [(I, "A senior commander in the Revolutionary Guards, Abdollah Araghi, said on Thursday")])
q("fact", "Which agreement did Mr. Trump pull out of last year?", "the Iran nuclear deal", "entity", [(I, "the stalemate over the Iran nuclear deal, which Mr. Trump abruptly pulled out of last year")])
q("who_said", "What did Rouhani warn would happen if the U.S. makes another mistake?", "it will receive a very dangerous response", "entity", [(I, "“If the U.S. makes another mistake, it will receive a very dangerous response,”")])

L, C = "gold-chip-ledger", "gold-chip-coastal"
q("number", "What was the council's vote on the chip plant?", "7 to 2", "entity", [(L, "The Harbor City council voted 7 to 2 on Tuesday night")])
q("fact", "Which company will build the chip plant in Harbor City?", "Veridian Microsystems", "entity", [(L, "Veridian Microsystems, which will build the plant")])
q("number", "How much will Veridian spend on building the plant?", "$3.4 billion", "entity", [(L, "spend $3.4 billion on construction")])
q("number", "In what year is the Veridian plant expected to open?", "2028", "entity", [(L, "once it opens in 2028")])
q("who_said", "Which council member voted against the chip plant because of water use?", "Dana Ortiz", "entity", [(L, "Council member Dana Ortiz, who voted against the plan")])
q("who_said", "Who called the plant the biggest investment in the city's history?", "Lena Park", "entity", [(C, "Mayor Lena Park called the plant \"the biggest investment in the city's history\"")])
q("number", "How many hectares will the Veridian plant occupy?", "40", "entity", [(C, "The plant will occupy 40 hectares of the disused rail yard")])
q("comparison", "Do the Harbor Ledger and the Coastal Times report the same number of jobs at the Veridian plant?", "No", "yes_no",
  [(L, "it would employ about 1,200 people"), (C, "will create 1,500 jobs")])
q("comparison", "Did both the Harbor Ledger and the Coastal Times report the approval of the Veridian plant?", "Yes", "yes_no",
  [(L, "The Harbor City council voted 7 to 2 on Tuesday night to approve a semiconductor packaging plant"), (C, "Harbor City's council gave final approval on Tuesday to Veridian Microsystems' packaging plant")])

R = "gold-rain-wire"
q("fact", "Which road did the heavy rain close?", "Route 9", "entity", [(R, "Heavy rain closed a 30-kilometre stretch of Route 9")])
q("number", "How much rain fell in 24 hours before Route 9 closed?", "112 millimetres", "entity", [(R, "after 112 millimetres fell in 24 hours")])
q("fact", "On which day was Route 9 expected to reopen?", "Friday", "entity", [(R, "the highway would reopen on Friday")])
q("who_said", "Which forecaster said there had not been this much rain in May since records began?", "Ines Duarte", "entity", [(R, "said Ines Duarte, a forecaster at the regional weather office")])
q("number", "How much time does the coastal road detour add?", "about 25 minutes", "entity", [(R, "which adds about 25 minutes to the trip")])

F = "gold-lanterns"
q("number", "How many lanterns will be released at the festival?", "3,000", "entity", [(F, "about 3,000 paper lanterns released from the old stone bridge at dusk")])
q("number", "How much did the bridge repairs cost?", "2.1 million euros", "entity", [(F, "Repairs cost the city 2.1 million euros")])
q("fact", "Who organises the lantern festival?", "Tomas Reyes", "entity", [(F, "Organiser Tomas Reyes said")])
q("fact", "What are this year's lanterns made of?", "rice paper", "entity", [(F, "made of rice paper that dissolves in water")])

M = "gold-mariners"
q("number", "What was the score of the Mariners' regional final?", "3-1", "entity", [(M, "beat Westfield 3-1 on Saturday")])
q("fact", "Who scored twice for the Mariners in the regional final?", "Sofia Brandt", "entity", [(M, "Sofia Brandt scored twice in the first half")])
q("number", "How many fans watched the regional final at Dockside Park?", "14,200", "entity", [(M, "in front of 14,200 fans at Dockside Park")])
q("who_said", "Which coach said the players never stopped running?", "Pieter Vos", "entity", [(M, "said coach Pieter Vos")])

E = "gold-ferry"
q("number", "What will a single ferry fare cost after the increase?", "4.40 euros", "entity", [(E, "taking a single fare from 4.00 euros to 4.40 euros")])
q("number", "What will the monthly ferry pass cost?", "95 euros", "entity", [(E, "The monthly pass will stay at 95 euros")])
q("fact", "Who heads the Harbor City transit authority?", "Omar Haddad", "entity", [(E, "said Omar Haddad, who heads the transit authority")])

q("fact", "Which company will build Veridian's plant in Harbor City?", "Dunmore Construction", "entity",
  [("gold-chip-builder", "Veridian Microsystems on Wednesday chose Dunmore Construction to build its packaging plant")])
q("comparison", "Was the lantern festival article published after the chip plant vote was reported?", "Yes", "yes_no",
  [(F, "After a four-year pause, the lantern festival will return to the Kestrel River on Saturday"), (L, "The Harbor City council voted 7 to 2 on Tuesday night")])
q("comparison", "Is the organiser of the lantern festival the same person as the Mariners' coach?", "No", "yes_no",
  [(F, "Organiser Tomas Reyes said"), (M, "said coach Pieter Vos")])
q("comparison", "Did the Harbor Ledger report both the lantern festival and the ferry fare increase?", "Yes", "yes_no",
  [(F, "After a four-year pause, the lantern festival will return"), (E, "Harbor City ferry fares will rise by ten percent on June 1")])

q("temporal", "What did the Harbor City council approve yesterday?", "a semiconductor packaging plant", "entity",
  [(L, "to approve a semiconductor packaging plant on the former rail yard")], today="2024-05-15")
q("temporal", "Which road was closed by rain last week?", "Route 9", "entity",
  [(R, "Heavy rain closed a 30-kilometre stretch of Route 9")], today="2024-05-22")

NULL = "insufficient_information"
q("null", "Who is the chief executive of Veridian Microsystems?", "Insufficient information.", NULL)
q("null", "How many lanterns were released at the festival in 2019?", "Insufficient information.", NULL)
q("null", "What did The Guardian report about the closure of Route 9?", "Insufficient information.", NULL)
q("null", "What is the population of Harbor City?", "Insufficient information.", NULL)
q("null", "Who won the national quarter-final between the Mariners and Eastport on June 2?", "Insufficient information.", NULL)
q("null", "What was the final score of the 2019 Super Bowl?", "Insufficient information.", NULL)
q("null", "How many American soldiers were injured in the Iranian missile strikes?", "Insufficient information.", NULL)
q("null", "Who is the mayor of Millbrook?", "Insufficient information.", NULL)
q("null", "What did General Qaani say about the price of oil?", "Insufficient information.", NULL)

q("follow_up", "What did he say the ultimate goal was?", "to drive American forces out of the region", "entity",
  [(I, "General Qaani added that the ultimate goal was to drive American forces out of the region")],
  history=("Who is the new leader of the Quds Force?", "Ismail Qaani is the new leader of the Quds Force [1]."))
q("follow_up", "What was her concern?", "how much water the plant would draw from the Kestrel River", "entity",
  [(L, "the company had not explained how much water the plant would draw from the Kestrel River")],
  history=("Which council member voted against the chip plant?", "Dana Ortiz voted against the chip plant [1]."))
q("follow_up", "When will it reopen?", "Friday", "entity", [(R, "the highway would reopen on Friday")],
  history=("Which road did the heavy rain close?", "The rain closed Route 9 between Millbrook and Harbor City [1]."))
q("follow_up", "Who will they play next?", "Eastport", "entity", [(M, "The Mariners will play Eastport in the national quarter-final on June 2")],
  history=("Who won the regional football final?", "The Harbor City Mariners won the regional final 3-1 [1]."))
q("follow_up", "Why is it going up?", "fuel costs had risen 18 percent in a year", "entity",
  [(E, "fuel costs had risen 18 percent in a year")],
  history=("How much will a single ferry fare cost from June?", "A single ferry fare will cost 4.40 euros [1]."))
q("follow_up", "What are they made of this year?", "rice paper", "entity", [(F, "made of rice paper that dissolves in water")],
  history=("How many lanterns will be released at the Kestrel River festival?", "About 3,000 paper lanterns will be released [1]."))

briefings = [
    {"day": "2024-05-14", "timezone": "UTC", "stories": [
        {"doc_ids": ["gold-chip-ledger", "gold-chip-coastal"],
         "key_facts": ["7 to 2", "Veridian Microsystems", "1,200", "1,500", "$3.4 billion"]}]},
    {"day": "2024-05-15", "timezone": "UTC", "stories": [
        {"doc_ids": ["gold-rain-wire", "gold-rain-reprint"], "key_facts": ["Route 9", "112 millimetres", "Friday"]},
        {"doc_ids": ["gold-chip-builder"], "key_facts": ["Dunmore Construction", "September"], "continues": "2024-05-14"}]},
    {"day": "2024-05-18", "timezone": "UTC", "stories": [
        {"doc_ids": ["gold-lanterns"], "key_facts": ["3,000", "rice paper"]},
        {"doc_ids": ["gold-mariners"], "key_facts": ["3-1", "Sofia Brandt"]}]},
]
(root / "evals/gold/briefings.jsonl").write_text("".join(json.dumps(b) + "\n" for b in briefings))
(root / "evals/gold/corpus.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))
(root / "evals/gold/qa.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in qs))
from collections import Counter
print(len(docs), len(qs), Counter(r["question_type"] for r in qs))
