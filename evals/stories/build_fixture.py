"""Regenerates corpus.jsonl and gold.json: five days of three outlets reporting four stories (and three
stories that only look related), with the ledger states each claim must have on each day.

Stories: the Ravensburg floods (a death toll revised from 12 to 19, an injury count revised by the wire
itself, a wire copy reprinted by the Valley Courier that must not confirm anything, and the Herald's
reworded report that must still join the story); the Danby bakery (the Herald's 450 jobs contradicted
by the Courier's 380, then corrected by the Herald itself); the Kestrel mayor (a second term announced,
then negated by another outlet); the Pinecrest school roof (covered only by the Courier, which corrects
its own repair estimate). Look-alikes: a football match in Ravensburg, a flood elsewhere in Kestrel, a
library in Millford.
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
MW, NH, VC = "Metro Wire", "Northgate Herald", "Valley Courier"
docs, membership = [], {}


def doc(id, story, source, when, title, *paragraphs):
    host = {MW: "metrowire.example", NH: "northgate-herald.example", VC: "valleycourier.example"}[source]
    docs.append({"id": id, "title": title, "source": source, "url": f"https://{host}/2024/{id}",
                 "published_at": f"2024-03-{when}:00+00:00", "author": None, "body": "\n\n".join(paragraphs)})
    membership[id] = story


FLOOD_WIRE = [
    "At least 12 people were killed when flash floods swept through Ravensburg on Monday, officials said.",
    "Another 40 people were injured. About 300 residents were evacuated from homes along the Selke river overnight.",
    "“The water rose faster than anyone expected,” said Mayor Elena Varga.",
    "Rescue teams from three neighbouring districts searched flooded cellars until dawn. The regional government "
    "has opened an emergency shelter in the Ravensburg sports hall.",
]
doc("flood-wire-1", "ravensburg-flood", MW, "04T09:00", "Flash floods kill 12 in Ravensburg", *FLOOD_WIRE)
doc("flood-courier-reprint", "ravensburg-flood", VC, "04T11:30", "Flash floods kill 12 in Ravensburg",
    *FLOOD_WIRE, "This report was supplied by Metro Wire.")
doc("flood-herald-reworded", "ravensburg-flood", NH, "05T08:00", "Ravensburg counts its dead after the Selke burst its banks",
    "The death toll from Monday's flash floods in Ravensburg has risen to 19, regional authorities said on Tuesday.",
    "Some 300 people remain evacuated from their homes, and the Selke is still above its banks.",
    "“The water rose faster than anyone expected,” Mayor Elena Varga told reporters at the town hall.",
    "Volunteers filled sandbags along the embankment through the night.")
doc("flood-wire-2", "ravensburg-flood", MW, "06T10:00", "Ravensburg flood toll rises to 19",
    "Nineteen people are now confirmed dead after Monday's flash floods in Ravensburg, officials said on Wednesday.",
    "The number of injured has risen to 55, the regional health office said.",
    "Engineers began inspecting the Selke bridges for damage.")
doc("flood-herald-grants", "ravensburg-flood", NH, "08T09:00", "Ravensburg flood victims to get emergency grants",
    "Families who lost homes in the Ravensburg floods will receive emergency grants from the regional government, "
    "officials said on Friday.",
    "Mayor Elena Varga said rebuilding along the Selke would take at least two years.")

doc("bakery-herald-1", "danby-bakery", NH, "04T14:00", "Orlen Foods to close Danby bakery plant",
    "Orlen Foods will close its bakery plant in Danby by June, cutting 450 jobs, the company said on Monday.",
    "The plant has baked bread for supermarkets across the region since 1972.",
    "Chief executive Marta Lind said rising energy costs had made the site unprofitable.")
doc("bakery-courier", "danby-bakery", VC, "05T12:00", "Danby bakery closure will cost 380 jobs, union says",
    "The closure of the Orlen Foods bakery in Danby will cost 380 jobs, according to the Bakers' Union.",
    "Union official Piotr Nowak said workers learned of the decision from the radio.")
doc("bakery-herald-2", "danby-bakery", NH, "07T10:00", "Orlen Foods confirms job losses at Danby bakery",
    "Orlen Foods said on Thursday that 380 jobs will go when its Danby bakery closes in June.",
    "The company said it would offer retraining to every worker at the plant.",
    "Correction: An earlier version of our report on Monday misstated the number of jobs affected.")

doc("mayor-herald", "kestrel-mayor", NH, "05T15:00", "Mayor Tom Reyes to seek second term in Kestrel",
    "Kestrel mayor Tom Reyes will seek a second term in the autumn election, two council members said on Tuesday.",
    "Reyes, a former teacher, won the last race by fewer than 400 votes.")
doc("mayor-courier", "kestrel-mayor", VC, "06T09:30", "Reyes will not run again, Kestrel mayor's office says",
    "Kestrel mayor Tom Reyes will not seek a second term in the autumn election, his office said on Wednesday.",
    "His spokeswoman, Ana Ortiz, said Reyes wanted to spend more time with his family.")

doc("school-courier-1", "pinecrest-school", VC, "06T16:00", "Roof collapse shuts Pinecrest Primary School",
    "The roof of Pinecrest Primary School in Millford collapsed on Wednesday night, and no one was hurt, the school board said.",
    "About 240 pupils will be taught in temporary classrooms from Monday.",
    "The school board estimated the repairs at 1.2 million euros.")
doc("school-courier-2", "pinecrest-school", VC, "08T11:00", "Pinecrest pupils move into temporary classrooms",
    "Pinecrest Primary School's 240 pupils moved into temporary classrooms in Millford on Friday after Wednesday's roof collapse.",
    "Head teacher Grace Holm said lessons would follow the usual timetable.",
    "Correction: Wednesday's report gave the wrong estimate for the repairs; the school board puts them at 900,000 euros.")

doc("football-wire", "football-match", MW, "05T18:00", "Danby Rovers beat Ravensburg United 2-1",
    "Danby Rovers came from behind to beat Ravensburg United 2-1 on Tuesday night, with two late goals from striker Jonas Weber.",
    "The match went ahead despite the floods, with a minute's silence held before kick-off.")
doc("valley-flood-herald", "kestrel-valley-rain", NH, "07T17:00", "Heavy rain closes roads in the Kestrel valley",
    "Heavy rain closed four roads in the Kestrel valley on Thursday, but no homes were flooded, the highways agency said.",
    "Forecasters expect the rain to ease by the weekend.")
doc("library-courier", "millford-library", VC, "04T17:00", "Millford library reopens after renovation",
    "Millford's public library reopened on Monday after an 18-month renovation that added a children's wing.",
    "Librarian Sofia Brandt said 600 people visited on the first day.")


def check(story, as_of, status, quantity=None, value=None, text=None):
    match = {"quantity": quantity, "value": value} if quantity else {"text": text}
    return {"story": story, "as_of": f"2024-03-{as_of}", "match": match, "status": status}


LEDGER = [
    check("ravensburg-flood", "04", "new", "deaths", 12),  # the reprint does not confirm it
    check("ravensburg-flood", "05", "stale", "deaths", 12),
    check("ravensburg-flood", "05", "new", "deaths", 19),
    check("ravensburg-flood", "06", "confirmed", "deaths", 19),
    check("ravensburg-flood", "04", "new", "evacuated", 300),
    check("ravensburg-flood", "05", "confirmed", "evacuated", 300),
    check("ravensburg-flood", "04", "new", text="faster than anyone expected"),
    check("ravensburg-flood", "05", "confirmed", text="faster than anyone expected"),
    check("ravensburg-flood", "04", "new", "injuries", 40),
    check("ravensburg-flood", "06", "stale", "injuries", 40),
    check("ravensburg-flood", "06", "new", "injuries", 55),
    check("danby-bakery", "04", "new", "jobs", 450),
    check("danby-bakery", "05", "contradicted", "jobs", 450),
    check("danby-bakery", "05", "contradicted", "jobs", 380),
    check("danby-bakery", "07", "corrected", "jobs", 450),
    check("danby-bakery", "07", "confirmed", "jobs", 380),
    check("kestrel-mayor", "05", "new", text="will seek a second term"),
    check("kestrel-mayor", "06", "contradicted", text="will seek a second term"),
    check("kestrel-mayor", "06", "contradicted", text="will not seek a second term"),
    check("pinecrest-school", "06", "new", "people", 240),
    check("pinecrest-school", "08", "new", "people", 240),
    check("pinecrest-school", "06", "new", "money", 1200000),
    check("pinecrest-school", "08", "corrected", "money", 1200000),
    check("pinecrest-school", "08", "new", "money", 900000),
]
COVERAGE = [{"story": "pinecrest-school", "as_of": "2024-03-08", "only_by": VC, "missing": [MW, NH]},
            {"story": "ravensburg-flood", "as_of": "2024-03-08", "only_by": None, "missing": [], "first": MW},
            {"story": "kestrel-mayor", "as_of": "2024-03-06", "only_by": None, "missing": [MW], "first": NH}]

if __name__ == "__main__":
    (HERE / "corpus.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))
    gold = {"stories": membership, "ledger": LEDGER, "coverage": COVERAGE}
    (HERE / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(docs)} articles, {len(set(membership.values()))} stories, {len(LEDGER)} ledger checks")
