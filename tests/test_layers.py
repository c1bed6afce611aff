"""The import layers: every import points down the stack, and no chain of imports comes back.

Read from the source with `ast`, so a new module is checked the day it is added. Imports inside
functions count as well (they run, only later); imports under `if TYPE_CHECKING:` do not (they
never run). A layer may import from its own layer and from any layer below it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simulator"

# Bottom to top. A module belongs to the longest prefix listed.
LAYERS: list[tuple[str, ...]] = [
    ("simulator", "simulator.errors", "simulator.files"),  # what every layer may use
    ("simulator.audio",),  # devices, files, recording, frame-level voice activity; SAMPLE_RATE
    ("simulator.transcribe",),  # words with times (TimedWord), knows nothing of sessions
    ("simulator.llm",),  # the person's own model server: address check, JSON within a budget, grounding
    ("simulator.config",),  # saved defaults; checks engine names against transcribe, llm_url's form
    ("simulator.delivery",),  # metrics from audio and words, then the judge
    ("simulator.pipeline",),  # transcribe and delivery run together on one answer
    ("simulator.evaluation", "simulator.bench"),  # accuracy and speed suites: nothing ships on them
    ("simulator.store",),  # typed sessions in SQLite, the recordings folder
    ("simulator.recovery",),  # sessions a killed process left behind
    ("simulator.report",),  # views: terminal, JSON, HTML, history; read results, never judge
    ("simulator.interview",),  # questions, plan, follow-ups, the voice, the interview loop
    ("simulator.doctor", "simulator.app"),  # the application layer: policy, typed entry points
    ("simulator.cli", "simulator.commands", "simulator.__main__", "simulator.web"),  # front ends
]

# Front ends start an interview and reach the sessions through the application layer only:
# what they may not import although it lies below them. One engine (simulator.app.practice)
# then decides an interview's settings for the terminal and the browser alike.
FRONT_ENDS = ("simulator.cli", "simulator.web", "simulator.__main__")
BEHIND_APP = ("simulator.interview", "simulator.store")

# Known violations in modules this check's author does not own (being rewritten elsewhere):
# (importer, imported). Listed so the check guards everything else today; an entry that is no
# longer needed fails the test, so the list only shrinks.
KNOWN: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(name: str) -> str | None:
    """The module an import names (a submodule when `from package import submodule`)."""
    if not name.startswith("simulator"):
        return None
    path = ROOT.joinpath(*name.split("."))
    if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
        return name
    return None


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def imports_of(path: Path) -> set[str]:
    """Every simulator module `path` imports, at module level or inside functions."""
    me = module_name(path)
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (target := resolve(alias.name)) is not None:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the importer's package
                package = me.split(".")[: len(me.split(".")) - node.level + (1 if path.name == "__init__.py" else 0)]
                base = ".".join(package + ([base] if base else []))
            for alias in node.names:
                target = resolve(f"{base}.{alias.name}") or resolve(base)
                if target is not None:
                    found.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    found.discard(me)
    return found


def layer(module: str) -> int:
    best, level = -1, None
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            # The bare package name is the package's own __init__ only: a new top-level module
            # must be given its layer, not fall to the bottom.
            inside = module.startswith(prefix + ".") and prefix != "simulator"
            if (module == prefix or inside) and len(prefix) > best:
                best, level = len(prefix), number
    assert level is not None, f"{module} is in no layer: add it to LAYERS"
    return level


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_import_points_down_the_stack():
    upward = {(a, b) for a, targets in graph().items() for b in targets if layer(b) > layer(a)}
    new = sorted(upward - KNOWN)
    assert not new, "imports that point up the stack:\n" + "\n".join(
        f"  {a} ({LAYERS[layer(a)][0]}) imports {b} ({LAYERS[layer(b)][0]})" for a, b in new)
    assert not KNOWN - upward, f"fixed, remove from KNOWN: {sorted(KNOWN - upward)}"


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_front_ends_reach_the_interview_and_the_store_only_through_app():
    direct = sorted((a, b) for a, targets in graph().items() if _within(a, FRONT_ENDS)
                    for b in targets if _within(b, BEHIND_APP))
    assert not direct, "front ends importing past the application layer (go through simulator.app):\n" + "\n".join(
        f"  {a} imports {b}" for a, b in direct)


def test_no_import_cycles():
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            walk(node)
    known = {tuple(c) for c in KNOWN_CYCLES}
    new = [c for c in cycles if tuple(c) not in known]
    assert not new, "import cycles:\n" + "\n".join("  " + " -> ".join(c) for c in new)


KNOWN_CYCLES: list[list[str]] = []


def test_the_front_end_rule_sees_a_front_end_importing_the_store():
    probe = PACKAGE / "web" / "_layers_probe.py"
    probe.write_text("def f():\n    from simulator.store import Store\n    from simulator.app import practice\n",
                     encoding="utf-8")
    try:
        with pytest.raises(AssertionError, match="simulator.web._layers_probe imports simulator.store"):
            test_front_ends_reach_the_interview_and_the_store_only_through_app()
    finally:
        probe.unlink()


def test_the_check_sees_imports_inside_functions_and_skips_type_checking(tmp_path):
    """The parser itself: a function-level import counts, a TYPE_CHECKING one does not."""
    probe = PACKAGE / "audio" / "_layers_probe.py"
    probe.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from simulator.store import Store\n"
                     "def f():\n    from simulator.report import terminal\n", encoding="utf-8")
    try:
        assert imports_of(probe) == {"simulator.report.terminal"}
        assert layer("simulator.report.terminal") > layer("simulator.audio._layers_probe")
    finally:
        probe.unlink()
