"""The package's shape, read from its source: imports run one way (no cycles, lazy imports included), only the
command line and the edges build a speech engine, open the program log's database or read the clock, functions stay
short and narrow, the live command stays a thin adapter, and the version is the same wherever it is stated."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from coach import __version__

PACKAGE = Path(__file__).resolve().parent.parent / "coach"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text("utf-8")) for name, path in MODULES.items()}


def imports(name: str) -> set[str]:
    """The package's modules that a module imports, anywhere in it: at the top, in functions, for type checking."""
    found: set[str] = set()
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: from the module's package, up a level for each dot past the first
                package = name.split(".") if MODULES[name].name == "__init__.py" else name.split(".")[:-1]
                module = ".".join([*package[: len(package) - node.level + 1], *([module] if module else [])])
            for alias in node.names:  # `from a import b` imports the module a.b where there is one, else a
                found.add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in MODULES else module)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imports(name) for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other, directly or round a loop (Tarjan's strongly connected
    components, keeping those of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_loops_of_any_length():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": {"a"}}
    assert cycles(graph) == [["a", "b", "c"], ["d", "e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_walk_sees_top_level_lazy_and_type_checking_imports():
    assert "coach.audio" in GRAPH["coach.mixer"]  # at the top
    assert "coach.practice" in GRAPH["coach.cli.play"]  # inside a function
    assert "coach.speech.espeak" in GRAPH["coach.speech.factory"]  # inside a method
    assert "coach.speech.piper" in GRAPH["coach.speech.factory"]
    assert "coach.output.playback" in GRAPH["coach.cli.deps"]  # for type checking only
    assert "coach.cli.play" in GRAPH["coach.cli.app"]  # `from coach.cli.play import ...`


def test_imports_run_one_way():
    assert cycles(GRAPH) == []


def test_the_shared_audio_facts_and_the_choices_are_leaves():
    for leaf in ("coach.audio", "coach.kinds", "coach.timefmt", "coach.errors", "coach.defaults", "coach.quoting"):
        assert GRAPH[leaf] == set(), leaf
    assert "coach.mixer" not in GRAPH["coach.speech.cache"] and "coach.report" not in GRAPH["coach.control"]
    assert GRAPH["coach.cli.shared"] <= {"coach.catalog", "coach.cli.deps", "coach.errors", "coach.quoting"}


# what builds an engine, opens the log's database or reads (or sleeps by) the clock
REACHING = {
    ("datetime", "now"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
    ("time", "sleep"),
    ("sqlite3", "connect"),
    ("subprocess", "run"),
    ("subprocess", "Popen"),
}
BUILDERS = {"ProgramLog", "Pyttsx3Engine", "PiperEngine", "SimpleaudioBackend", "PortAudioOutput", "MessageBus"}
EDGES = {
    "coach.programlog": "the log's database",
    "coach.desktop.bus": "connects to the session bus",
    "coach.speech.espeak": "the engine waits for its own output",
    "coach.speech.factory": "builds the engine it names",
    "coach.workers": "export's workers look for their parent",
    "coach.picture.render": "a user's picture is drawn in a process of its own, with a time limit",
}


def reaches(name: str) -> set[str]:
    found = set()
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in REACHING:
                found.add(f"{node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime", "sqlite3", "subprocess"):
            found.update(f"{node.module}.{a.name}" for a in node.names if (node.module, a.name) in REACHING)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BUILDERS:
            found.add(f"{node.func.id}()")
    return found


def test_only_the_command_line_and_the_edges_build_engines_open_the_log_or_read_the_clock():
    reaching = {name: sorted(reaches(name)) for name in MODULES if reaches(name)}
    assert reaching["coach.programlog"] == ["sqlite3.connect"]  # the walk finds what it looks for
    assert {name for name in reaching if not name.startswith("coach.cli")} == set(EDGES)
    # the one real clock, audio output, way to run another program and image viewer; the commands open the log for
    # as long as they need it
    assert reaching["coach.cli.deps"] == [
        "PortAudioOutput()",
        "SimpleaudioBackend()",
        "datetime.now",
        "subprocess.Popen",
        "subprocess.run",
        "time.monotonic",
        "time.sleep",
    ]
    assert set(reaching) == {
        *EDGES,
        "coach.cli.deps",
        "coach.cli.program",
        "coach.cli.paper",
        "coach.cli.play",
        "coach.cli.write",
        "coach.cli.remind",
    }


# -- size -----------------------------------------------------------------------------------------------------------

MOST_LINES = 60  # a function's lines, from its `def` to its last line (docstring included)
MOST_PARAMETERS = 8  # every parameter, *args and **kwargs included, but a method's self or cls


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    given = function.args
    names = [a.arg for a in (*given.posonlyargs, *given.args, *given.kwonlyargs, given.vararg, given.kwarg) if a]
    return len(names) - (1 if names[:1] in (["self"], ["cls"]) else 0)


def functions() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method in the package, nested and async ones included, with the file it is in."""
    return [
        (str(MODULES[name].relative_to(PACKAGE.parent)), node)
        for name, tree in TREES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def test_the_size_scan_counts_lines_and_parameters_as_the_rules_mean():
    (owner,) = ast.parse("class A:\n    def f(self, a, /, b, *c, d, **e):\n        pass\n\n        return 1\n").body
    assert isinstance(owner, ast.ClassDef) and isinstance(owner.body[0], ast.FunctionDef)
    assert (parameters(owner.body[0]), owner.body[0].end_lineno - owner.body[0].lineno + 1) == (5, 4)
    found = {(path, node.name): parameters(node) for path, node in functions()}
    assert found["coach/cli/options.py", "with_session"] == 8  # nested in session_options
    assert found["coach/desktop/mpris.py", "serve"] == 3  # async


def test_no_function_in_the_package_is_over_60_lines_or_8_parameters():
    sizes = [(f"{path}:{node.lineno} {node.name}", node.end_lineno - node.lineno + 1, parameters(node))
             for path, node in functions() if node.end_lineno is not None]  # fmt: skip
    assert [(where, lines) for where, lines, _ in sizes if lines > MOST_LINES] == []
    assert [(where, count) for where, _, count in sizes if count > MOST_PARAMETERS] == []


def test_the_live_command_is_a_thin_adapter():
    """cli/play.py parses options and prints; the live session itself is coach/practice.py's."""
    lines = (PACKAGE / "cli" / "play.py").read_text("utf-8").count("\n")
    assert lines <= 150


def test_the_version_is_the_same_in_pyproject_and_the_package():
    """A release sets both (CONTRIBUTING.md, "How to release")."""
    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["version"] == __version__
