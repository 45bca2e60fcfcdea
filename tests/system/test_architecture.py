"""The import picture: no cycles, rooms that do not look back up, and no floor added.

Read from the source with ``ast`` (imports inside functions count too), so nothing is imported.
`python tests/system/test_architecture.py` prints the floors and one longest chain.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_ROOT = ROOT / "assistant"
# Floors = modules on the longest import chain (cli -> web -> services -> ... -> records). A ratchet: the
# figure as measured (issue 22 aims at 8); lower it whenever a chain is cut (13 -> 11 in the round that merged
# lexicon.py into language.py and handed the claims route to the answer chain; 11 -> 10 when the CLI's context
# became the one place its commands get their services, so no module under the app imports services.py; 10 -> 9
# when ingest split reading (ingest/sources) from indexing (ingest/indexer.py), AnswerResult moved to qa/result.py,
# and the page and the eval run took the caller's services and briefing writer; 9 -> 8 when the app moved into
# cli/__main__.py, whose one-line re-export of the package's app had been a floor of its own).
MAX_FLOORS = 8
# Rooms that other rooms build on: what each must never import.
FORBIDDEN_IMPORTS: dict[str, tuple[str, ...]] = {
    "assistant.grounding": ("assistant.qa", "assistant.summaries", "assistant.briefing", "assistant.web", "assistant.cli"),
    "assistant.retrieval": ("assistant.qa", "assistant.summaries", "assistant.briefing", "assistant.web", "assistant.cli"),
    "assistant.models": ("assistant.qa", "assistant.retrieval", "assistant.grounding", "assistant.web"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each assistant module and the assistant modules it imports anywhere in its body."""
    modules = {module_name(p): p for p in PACKAGE_ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assistant"):
                candidates = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names if alias.name.startswith("assistant")]
            else:
                continue
            targets.update(c for c in candidates if c in modules and c != name)
        graph[name] = {t for t in targets if t != "assistant"}
    return graph


def floors(graph: dict[str, set[str]]) -> dict[str, int]:
    @cache
    def floor(name: str, trail: tuple[str, ...] = ()) -> int:
        assert name not in trail, f"import cycle: {' -> '.join(trail + (name,))}"
        return 1 + max((floor(dep, trail + (name,)) for dep in graph[name]), default=0)

    return {name: floor(name) for name in graph}


def longest_chain(graph: dict[str, set[str]]) -> list[str]:
    """One longest import chain, top to ground (ties broken by name, so the same chain every run)."""
    heights = floors(graph)
    chain = [min(name for name in heights if heights[name] == max(heights.values()))]
    while graph[chain[-1]]:
        chain.append(min(graph[chain[-1]], key=lambda dep: (-heights[dep], dep)))
    return chain


def test_no_cycles_and_no_new_floor():
    graph = import_graph()
    chain = longest_chain(graph)
    assert len(chain) <= MAX_FLOORS, f"{len(chain)} floors: {' -> '.join(chain)}"


def test_lower_rooms_do_not_import_upper_ones():
    graph = import_graph()
    wrong = [
        f"{name} imports {target}"
        for name, targets in graph.items()
        for room, forbidden in FORBIDDEN_IMPORTS.items()
        if name.startswith(room)
        for target in targets
        if target.startswith(forbidden)
    ]
    assert not wrong, wrong


def test_the_graph_reads_real_imports():
    graph = import_graph()
    assert "assistant.retrieval.bm25" in graph["assistant.retrieval.hybrid"]


if __name__ == "__main__":
    found = longest_chain(import_graph())
    print(f"{len(found)} floors: {' -> '.join(name.removeprefix('assistant.') for name in found)}")
