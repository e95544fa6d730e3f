"""A YAML file as its exact text plus ruamel.yaml's composed nodes, and span edits on it.

``lint --fix`` must keep every byte it does not mean to change: comments, blank
lines, key order, quoting, indentation, ``---`` lines, CRLF line ends, a missing
final newline. Dumping a round-trip-loaded document again would not (ruamel.yaml
re-indents lists, writes ``yes`` as ``true`` and ``0755`` as ``0o755``: only about
half of the corpus files come back byte-identical). So ruamel.yaml's round-trip
composer is used for what it does exactly, finding where every key and value
starts and ends, and each fix replaces just the span it changes.

Edits are :class:`Edit` spans (start and end offsets into the text and the new
text); :func:`apply_edits` applies a set of them. Everything here raises
:class:`Unfixable` when the text is not laid out in a way it can edit safely.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kubegen.location import Path
from kubegen.reader_scalars import json_key, plain_scalar
from kubegen.writer import quote_string
from kubegen.writer import scalar as yaml_scalar


class Unfixable(Exception):
    """The text cannot be edited safely here; the message says why."""


class Edit(NamedTuple):
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str


def compose(text: str) -> list[Node]:
    """The root node of every document (ruamel.yaml's round-trip composer, YAML 1.1)."""
    loader = YAML(typ="rt", pure=True)
    loader.version = (1, 1)
    # ruamel.yaml's scanner refuses a tab where libyaml (kubectl's parser, and kubegen's
    # reader) takes it as a blank: after a value, before a comment, in a flow collection.
    # Only positions are read from these nodes, and a tab and a space are one character
    # each; every changed text is read back by kubegen's own reader before it counts.
    try:
        return list(loader.compose_all(text.replace("\t", " ")))
    except (YAMLError, ValueError) as exc:
        raise Unfixable(f"ruamel.yaml cannot read it for editing ({_reason(exc)})") from None


def _reason(exc: Exception) -> str:
    """``line 3: found character '\\t' that cannot start any token`` from a ruamel.yaml error."""
    problem, mark = getattr(exc, "problem", None), getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"line {mark.line + 1}: {problem}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def key_text(node: Node) -> str | None:
    """A mapping key as kubectl reads it (``yes`` -> ``"true"``), None if not a scalar."""
    if not isinstance(node, ScalarNode):
        return None
    if node.style:
        return str(node.value)
    try:
        return json_key(plain_scalar(str(node.value)))
    except ValueError:
        return None


def is_flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


def document_of(origin: object, roots: Sequence[Node]) -> int | None:
    """Which of ``roots`` holds the document a manifest's origin names: by its index when
    the origin keeps one, else by the line its root node starts on."""
    doc = getattr(origin, "doc", None)
    if isinstance(doc, int):
        return doc if doc < len(roots) else None
    first = getattr(getattr(origin, "lines", None), "first_line", None)
    for index, root in enumerate(roots):
        if root.start_mark.line + 1 == first:
            return index
    return None


class YamlText:
    """One file's text and documents, with the helpers fixes edit it through."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.docs = compose(text)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self._steps: dict[int, int] = {}

    # --- finding things -------------------------------------------------------

    def node(self, doc: int, path: Path) -> Node:
        """The node at ``path`` in document ``doc``."""
        return self.entry(doc, path)[1]

    def entry(self, doc: int, path: Path) -> tuple[Node | None, Node, Node | None]:
        """(key node, value node, parent node) at ``path``; the key is None for a list item
        or the document root."""
        if doc >= len(self.docs):
            raise Unfixable(f"document {doc + 1} is not in the text")
        node: Node = self.docs[doc]
        key: Node | None = None
        parent: Node | None = None
        for step in path:
            parent = node
            if isinstance(node, MappingNode):
                for k, v in node.value:
                    if key_text(k) == str(step):
                        key, node = k, v
                        break
                else:
                    raise Unfixable(f"{step!r} is not in the text where expected")
            elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                key, node = None, node.value[step]
            else:
                raise Unfixable(f"{step!r} is not in the text where expected")
        return key, node, parent

    def source(self, node: Node) -> str:
        """The node's text as written."""
        return self.text[node.start_mark.index:self.content_end(node)]

    def content_end(self, node: Node) -> int:
        """Offset just after the node's last character of content (trailing blank lines,
        comments and the line break of block collections and block scalars excluded)."""
        if isinstance(node, ScalarNode):
            end = int(node.end_mark.index)
            if node.style in ("|", ">"):
                while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
                    end -= 1
            return end
        if is_flow(node):
            return int(node.end_mark.index)
        if isinstance(node, MappingNode) and node.value:
            key, value = node.value[-1]
            if isinstance(value, ScalarNode) and value.value == "" and not value.style:
                return self.content_end(key)  # `key:` with nothing after it
            return self.content_end(value)
        if isinstance(node, SequenceNode) and node.value:
            return self.content_end(node.value[-1])
        return int(node.end_mark.index)

    def line_start(self, offset: int) -> int:
        return self.text.rfind("\n", 0, offset) + 1

    def line_end(self, offset: int) -> tuple[int, str]:
        """Where the line holding ``offset`` ends (before its line break) and that break."""
        nl = self.text.find("\n", offset)
        if nl < 0:
            return len(self.text), self.newline
        if nl > 0 and self.text[nl - 1] == "\r":
            return nl - 1, "\r\n"
        return nl, "\n"

    def alone_on_line(self, node: Node) -> bool:
        """Whether only indentation precedes ``node`` on its line."""
        start = int(node.start_mark.index)
        return self.text[self.line_start(start):start].strip(" ") == ""

    def indent_step(self, doc: int) -> int:
        """How far this document indents a nested mapping (2 unless it shows otherwise)."""
        if doc not in self._steps:
            self._steps[doc] = _first_step(self.docs[doc]) or 2
        return self._steps[doc]

    def json_like(self, doc: int) -> bool:
        """Whether the document is written in flow style (JSON): new text must be JSON too."""
        return is_flow(self.docs[doc])


def _first_step(root: Node) -> int | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode) and not is_flow(node):
            for k, v in node.value:
                if isinstance(v, MappingNode) and not is_flow(v) and v.value:
                    step = int(v.value[0][0].start_mark.column) - int(k.start_mark.column)
                    if step > 0:
                        return step
                stack.append(v)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return None


# --- new text ------------------------------------------------------------------

_FLOW_SAFE = re.compile(r"[A-Za-z0-9_./-]+\Z")


def flow_value(value: Any, json_only: bool) -> str:
    """``value`` as flow YAML (or JSON): for insertion inside ``{...}`` or ``[...]``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{flow_key(k, json_only)}: {flow_value(v, json_only)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow_value(v, json_only) for v in value) + "]"
    if isinstance(value, str) and (json_only or not _FLOW_SAFE.match(value) or quote_string(value) != value):
        return json.dumps(value, ensure_ascii=False)
    return yaml_scalar(value)


def flow_key(key: str, json_only: bool) -> str:
    return json.dumps(key, ensure_ascii=False) if json_only or not _FLOW_SAFE.match(key) else key


def block_entry(key: str, value: Any, column: int, step: int, comments: dict[str, str] | None = None) -> list[str]:
    """Lines (without line breaks) of ``key: value`` in block style, the key at ``column``.

    ``comments`` maps a dotted key path inside the entry (``"service.name"``) to an end-of-line
    comment as written, with the blanks before it (``"   # the api"``), put after that key's line.
    """
    lines: list[str] = []
    _block(key, value, column, step, lines, key, comments or {})
    return lines


def _block(key: str, value: Any, column: int, step: int, out: list[str], dotted: str, comments: dict[str, str]) -> None:
    pad = " " * column
    head = f"{pad}{quote_string(key)}:"
    tail = comments.get(dotted, "")
    if isinstance(value, dict) and value:
        out.append(head + tail)
        for k, v in value.items():
            _block(k, v, column + step, step, out, f"{dotted}.{k}", comments)
    elif isinstance(value, (dict, list)):
        out.append(f"{head} {flow_value(value, False)}{tail}")
    else:
        out.append(f"{head} {yaml_scalar(value)}{tail}")


# --- applying edits ------------------------------------------------------------


def overlaps(a: Sequence[Edit], b: Sequence[Edit]) -> bool:
    """Whether any edit of ``a`` touches the span of any edit of ``b`` (insertions at the same
    point count as touching: their order would be arbitrary)."""
    for x in a:
        for y in b:
            if x.start < y.end and y.start < x.end:
                return True
            if x.start == y.start or (x.start == x.end and y.start <= x.start <= y.end) or (
                y.start == y.end and x.start <= y.start <= x.end
            ):
                return True
    return False


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with every (non-overlapping) edit applied."""
    out: list[str] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < pos:
            raise Unfixable("two changes overlap")
        out.append(text[pos:edit.start])
        out.append(edit.new)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)
