"""Page load test for any checkout: `python evals/page_load.py CHECKOUT PORT`.

Starts that checkout's `assistant serve` (run with this venv's packages and PYTHONPATH=CHECKOUT) on its own
index of the three fixture articles, asks one warm-up question, three single questions, then eight at once,
and prints time to first visible token, total time and answers per minute (docs/scale.md)."""
import os, subprocess, sys, time, tempfile, statistics
from concurrent.futures import ThreadPoolExecutor
import requests
from gradio_client import Client

code, port = sys.argv[1], int(sys.argv[2])
py = sys.executable
fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "articles")
env = {**os.environ, "PYTHONPATH": code, "GRADIO_ANALYTICS_ENABLED": "False"}
folder = tempfile.mkdtemp(prefix="load-")
index = f"{folder}/index"
subprocess.run([py, "-m", "assistant.cli", "--index", index, "ingest", "-q", fixtures], env=env, check=True, cwd=code)
proc = subprocess.Popen([py, "-m", "assistant.cli", "--index", index, "serve", "--port", str(port)], env=env, cwd=code,
                        stdout=open(f"{folder}/serve.log", "w"), stderr=subprocess.STDOUT)
url = f"http://127.0.0.1:{port}/"
for _ in range(240):
    try:
        if requests.get(url, timeout=2).ok: break
    except Exception: time.sleep(0.5)
questions = ["Who leads the Quds Force now?", "How many lanterns will be released?", "What was the council vote on the chip plant?",
             "Which river will the plant draw water from?", "What are the lanterns made of?", "Who did Rouhani speak with?",
             "How much will the chip plant cost?", "Who organises the lantern festival?"]

def text(m):
    c = m.get("content") if isinstance(m, dict) else m
    if isinstance(c, list): return " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in c)
    return str(c)

def one(q):
    client = Client(url, verbose=False)
    t0 = time.perf_counter(); first = None
    job = client.submit(q, [], [], "", "", api_name="/respond")
    for update in job:
        chat = update[0]
        if first is None and chat and text(chat[-1]).strip() not in ("", "…"):
            first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    return first or total, total, text(job.outputs()[-1][0][-1])[:80]

try:
    one("Who is Qaani?")  # warm the model
    singles = [one(q) for q in questions[:3]]
    print(f"{code}: 1 user: first token p50 {statistics.median(s[0] for s in singles):.1f} s, total p50 {statistics.median(s[1] for s in singles):.1f} s")
    t0 = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        res = list(pool.map(one, questions))
    wall = time.perf_counter() - t0
    firsts = sorted(r[0] for r in res); totals = sorted(r[1] for r in res)
    print(f"{code}: 8 users: first token p50 {statistics.median(firsts):.1f} s, total p50 {statistics.median(totals):.1f} s, "
          f"max {totals[-1]:.1f} s, {8 / wall * 60:.1f} answers/min; serial-equivalent 1-user total x8 = {8*statistics.median(s[1] for s in singles):.0f} s")
    for q, r in zip(questions, res): print(f"  {r[0]:5.1f} {r[1]:5.1f}  {q} -> {r[2]!r}")
finally:
    proc.terminate()
