"""Where a TOML text says each of its keys (pure): key paths mapped to the line they start on, for error messages.

tomllib gives a document's values but no positions, so the positions come from tree-sitter's TOML syntax tree.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from coach.errors import RoutineError

if TYPE_CHECKING:
    from tree_sitter import Node

KeyPath = tuple[str | int, ...]  # ("phases", 1, "lines", 2): a key, a table or an array element, from the top
BOM = "\ufeff"  # a byte-order mark, as some editors start a UTF-8 file


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map key paths, such as ("phases", 1, "lines", 2), to the line they start on.

    Positions come from tree-sitter's TOML syntax tree (tomllib gives the values but no positions): table headers,
    arrays of tables (nested too), keys (quoted and dotted), array elements and inline tables, with strings,
    comments and multi-line arrays read as TOML reads them. They are used only to point at a line in error
    messages: should the grammar find an error in a document tomllib accepted, the map is empty, and messages go
    without a line rather than with a wrong one.
    """
    import tree_sitter_toml
    from tree_sitter import Language, Parser

    root = Parser(Language(tree_sitter_toml.language())).parse(text.encode("utf-8")).root_node
    if root.has_error:
        return {}
    walk = _Walk()
    try:
        for node in root.named_children:
            walk.top(node)
    except RecursionError:  # values nested deeper than the walk can follow: no lines rather than a traceback
        return {}
    return walk.lines


def error_at(file: str, text: str, path: KeyPath, problem: str) -> RoutineError:
    """The error for a problem at a key path of a file's text, at the line of the key or of the nearest table or
    array holding it. Lines are looked up only here: a text that loads never pays for them."""
    lines = key_lines(text)
    line = None
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            break
    return RoutineError(file, problem, key=dotted(path) or None, line=line)


def dotted(path: Iterable[str | int]) -> str:
    """A key path as messages show it: ("phases", 1, "lines") is phases[1].lines."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Walk:
    """The key paths of a document and their lines, gathered from its top-level nodes in order."""

    def __init__(self) -> None:
        self.lines: dict[KeyPath, int] = {}
        self.counts: dict[KeyPath, int] = {}  # arrays of tables: how many elements so far

    def top(self, node: Node) -> None:
        """A top-level pair, table or array-of-tables element, with the pairs under its header."""
        line = node.start_point.row + 1
        if node.type == "pair":
            self.assign(node, ())
        elif node.type in ("table", "table_array_element"):
            header = next(child for child in node.named_children if child.type.endswith("key"))
            *outer, last = _key_parts(header)
            if node.type == "table":
                table = self.resolve([*outer, last], line)
            else:
                name = (*self.resolve(outer, line), last)
                self.lines.setdefault(name, line)
                self.counts[name] = self.counts.get(name, 0) + 1
                table = (*name, self.counts[name] - 1)
                self.lines.setdefault(table, line)
            for pair in node.named_children:
                if pair.type == "pair":
                    self.assign(pair, table)

    def resolve(self, parts: list[str], line: int) -> KeyPath:
        """A header's key path, each array of tables on the way standing for its newest element."""
        path: KeyPath = ()
        for part in parts:
            path = (*path, part)
            self.lines.setdefault(path, line)
            if path in self.counts:
                path = (*path, self.counts[path] - 1)
        return path

    def value(self, node: Node, path: KeyPath) -> None:
        if node.type == "array":
            items = [child for child in node.named_children if child.type != "comment"]
            for index, item in enumerate(items):
                self.lines.setdefault((*path, index), item.start_point.row + 1)
                self.value(item, (*path, index))
        elif node.type == "inline_table":
            for pair in node.named_children:
                if pair.type == "pair":
                    self.assign(pair, path)

    def assign(self, pair: Node, table: KeyPath) -> None:
        key, content = (child for child in pair.named_children if child.type != "comment")
        path = table
        for part in _key_parts(key):
            path = (*path, part)
            self.lines.setdefault(path, key.start_point.row + 1)
        self.value(content, path)


def _key_parts(node: Node) -> list[str]:
    """The parts of a key node as TOML reads them: a dotted key's parts, quoted ones unescaped."""
    if node.type == "dotted_key":
        return [part for child in node.named_children for part in _key_parts(child)]
    raw = node.text.decode("utf-8") if node.text is not None else ""
    if node.type == "quoted_key":
        return list(tomllib.loads(f"{raw} = 0"))  # one key: tomllib undoes the escapes exactly as it did for values
    return [raw]
