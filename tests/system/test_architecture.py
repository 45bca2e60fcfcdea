"""The import picture: no cycles, rooms that do not look back up, and no floor added.

Read from the source with ``ast`` (imports inside functions count too), so nothing is imported.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from conftest import ROOT

PACKAGE_ROOT = ROOT / "assistant"
# Floors = modules on the longest import chain (cli -> web -> services -> ... -> records). A ratchet: the
# figure as measured (issue 22 aims at 8); lower it whenever a chain is cut.
MAX_FLOORS = 13
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


def test_no_cycles_and_no_new_floor():
    heights = floors(import_graph())
    tallest = max(heights, key=heights.get)
    assert heights[tallest] <= MAX_FLOORS, f"{tallest} stands on {heights[tallest]} floors"


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
