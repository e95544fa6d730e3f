"""A tiny code model for generated Python: calls, variable references and literals.

The same tree is *evaluated* (to build the real kubegen objects and check that they
render back to the input) and *printed* as source laid out the way ``ruff format``
lays it out: an expression stays on one line when it fits, otherwise every bracket
that does not fit is exploded one item per line with a trailing comma (a "magic
trailing comma", which ruff keeps exploded).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kubegen.escape import escape

LINE_LENGTH = 88
INDENT = "    "


@dataclass(frozen=True)
class Var:
    """A reference to a variable of the generated module (``web``)."""

    name: str


@dataclass(frozen=True)
class Call:
    """``func(*args, **kwargs)``; ``receiver`` makes it a method call (``web.expose(...)``).

    ``func`` may be dotted (``Probe.http``); its first part is what must be imported.
    """

    func: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    receiver: Var | None = field(default=None)

    @property
    def import_name(self) -> str | None:
        return None if self.receiver is not None else self.func.split(".", 1)[0]


@dataclass(frozen=True)
class Commented:
    """``node`` with comment lines written above it (as an argument, item or dict entry)."""

    node: Any
    comments: tuple[str, ...]


def call(func: str, *args: Any, receiver: Var | None = None, **kwargs: Any) -> Call:
    """Build a :class:`Call`; keyword order is kept."""
    return Call(func, tuple(args), tuple(kwargs.items()), receiver)


# --- evaluation --------------------------------------------------------------

_LEAVES = frozenset({str, int, float, bool, type(None), bytes})


def evaluate(node: Any, env: Mapping[str, Any], names: Mapping[str, Any]) -> Any:
    """Run the tree: ``env`` holds the variables, ``names`` the importable builders."""
    if type(node) in _LEAVES:  # most nodes: a value as it is
        return node
    if isinstance(node, Commented):
        return evaluate(node.node, env, names)
    if isinstance(node, Var):
        return env[node.name]
    if isinstance(node, Call):
        if node.receiver is not None:
            fn: Callable[..., Any] = getattr(env[node.receiver.name], node.func)
        else:
            head, *rest = node.func.split(".")
            fn = names[head]
            for part in rest:
                fn = getattr(fn, part)
        args = [evaluate(a, env, names) for a in node.args]
        kwargs = {k: evaluate(v, env, names) for k, v in node.kwargs}
        return fn(*args, **kwargs)
    if isinstance(node, list):
        return [evaluate(v, env, names) for v in node]
    if isinstance(node, tuple):
        return tuple(evaluate(v, env, names) for v in node)
    if isinstance(node, dict):
        return {k: evaluate(v, env, names) for k, v in node.items()}
    return node


def imports(node: Any, found: set[str]) -> set[str]:
    """The names the tree needs from ``kubegen`` (added to ``found``)."""
    if isinstance(node, Commented):
        imports(node.node, found)
    elif isinstance(node, Call):
        if node.import_name is not None:
            found.add(node.import_name)
        for child in node.args:
            imports(child, found)
        for _, child in node.kwargs:
            imports(child, found)
    elif isinstance(node, (list, tuple)):
        for child in node:
            imports(child, found)
    elif isinstance(node, dict):
        for child in node.values():
            imports(child, found)
    return found


# --- literals ----------------------------------------------------------------

_SIMPLE_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(text: str, quote: str) -> str:
    if text.isprintable() and "\\" not in text and quote not in text:
        return text  # the common case, at C speed
    out = []
    for ch in text:
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ch == quote:
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return "".join(out)


def _triple_ok(text: str) -> bool:
    """Whether ``text`` reads best (and round-trips exactly) as a ``\"\"\"`` block."""
    body = text[:-1] if text.endswith("\n") else text
    if "\n" not in body or '"""' in text or text.endswith('"'):
        return False
    return all(line.isprintable() and line == line.rstrip() for line in text.split("\n"))


def string_literal(text: str) -> str:
    """A Python literal for ``text`` in ruff's preferred style (double quotes unless
    that needs more escapes; multi-line text as a triple-quoted block)."""
    if _triple_ok(text):
        return '"""' + text.replace("\\", "\\\\") + '"""'
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + _escape(text, quote) + quote


def bytes_literal(data: bytes) -> str:
    out = []
    for byte in data:
        ch = chr(byte)
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ch == '"':
            out.append('\\"')
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\x{byte:02x}")
    return 'b"' + "".join(out) + '"'


def atom(value: Any) -> str | None:
    """Source text of a scalar, or None for containers and calls."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, bytes):
        return bytes_literal(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Var):
        return value.name
    if isinstance(value, (Call, list, tuple, dict)):
        return None
    raise TypeError(f"cannot write a {type(value).__name__} value ({value!r}) as Python")


# --- layout ------------------------------------------------------------------


def _parts(node: Any) -> tuple[str, list[tuple[str, Any]], str]:
    """Opening text, (prefix, child) items, closing text of a bracketed node."""
    if isinstance(node, Call):
        head = f"{node.receiver.name}." if node.receiver is not None else ""
        items = [("", a) for a in node.args] + [(f"{k}=", v) for k, v in node.kwargs]
        return f"{head}{node.func}(", items, ")"
    if isinstance(node, list):
        return "[", [("", v) for v in node], "]"
    if isinstance(node, tuple):
        return "(", [("", v) for v in node], ",)" if len(node) == 1 else ")"
    if isinstance(node, dict):
        items = []
        for key, value in node.items():
            key_text = atom(key)
            if key_text is None:
                raise TypeError(f"cannot write a {type(key).__name__} key ({key!r}) as Python")
            items.append((f"{key_text}: ", value))
        return "{", items, "}"
    raise TypeError(f"not a bracketed node: {node!r}")


def flat(node: Any) -> str:
    """The one-line form (may contain newlines only inside triple-quoted strings)."""
    return _Layout().flat(node)


class _Layout:
    """Lays out one statement. A subtree's one-line form and whether it holds a comment
    are worked out once (memoized by identity: the tree is immutable and alive while it
    is laid out), not again at every level above it that does not fit on a line.
    ``comments``: whether the tree may hold :class:`Commented` nodes at all (False: it
    was built without them, so no subtree is searched for one)."""

    def __init__(self, comments: bool = True) -> None:
        self._flat: dict[int, str] = {}
        self._parts: dict[int, tuple[str, list[tuple[str, Any]], str]] = {}  # bracketed nodes only
        self._commented: dict[int, bool] = {}
        self._comments = comments

    def flat(self, node: Any) -> str:
        key = id(node)
        text = self._flat.get(key)
        if text is None:
            text = atom(node)
            if text is None:
                opening, items, closing = self._parts[key] = _parts(node)
                text = opening + ", ".join([prefix + self.flat(child) for prefix, child in items]) + closing
            self._flat[key] = text
        return text

    def commented(self, node: Any) -> bool:
        """Whether the tree holds a comment (then it cannot be written on one line)."""
        if not self._comments:
            return False
        if isinstance(node, Commented):
            return True
        if not isinstance(node, (Call, list, tuple, dict)):
            return False
        found = self._commented.get(id(node))
        if found is not None:
            return found
        if isinstance(node, Call):
            children: Any = (*node.args, *(v for _, v in node.kwargs))
        else:
            children = node.values() if isinstance(node, dict) else node
        found = self._commented[id(node)] = any(self.commented(child) for child in children)
        return found

    def _one_line(self, node: Any, width: int) -> str | None:
        """``node`` on one line if it goes there: it holds no comment, and it fits in
        ``width`` or is a scalar (a long string stays one literal)."""
        if self.commented(node):
            return None
        text = self.flat(node)
        if ("\n" not in text and len(text) <= width) or id(node) not in self._parts:
            return text
        return None

    def lines(self, node: Any, depth: int, head: str, tail: str) -> list[str]:
        """Lines of ``head + node + tail`` at ``depth`` indents, exploded where too long."""
        indent = INDENT * depth
        if isinstance(node, Commented):
            return [indent + comment_line(c) for c in node.comments] + self.lines(node.node, depth, head, tail)
        one_line = self._one_line(node, LINE_LENGTH - len(indent) - len(head) - len(tail))
        if one_line is not None:
            return [indent + head + one_line + tail]
        opening, items, closing = self._parts.get(id(node)) or _parts(node)
        if not items:
            return [indent + head + self.flat(node) + tail]
        lines = [indent + head + opening]
        inner = indent + INDENT
        for prefix, child in items:  # a child that goes on one line is written here, without a call
            text = None if isinstance(child, Commented) else self._one_line(child, LINE_LENGTH - len(inner)
                                                                            - len(prefix) - 1)
            if text is not None:
                lines.append(inner + prefix + text + ",")
            else:
                lines.extend(self.lines(child, depth + 1, prefix, ","))
        lines.append(indent + closing + tail)
        return lines


def comment_line(text: str) -> str:
    """``# text``, escaped so that nothing in it can end the comment line (:func:`escape`)."""
    return f"# {escape(text)}".rstrip()


def layout(node: Any, depth: int = 0, head: str = "", tail: str = "", comments: bool = True) -> list[str]:
    """Lines of ``head + node + tail`` at ``depth`` indents, exploded where too long
    (``comments=False``: the tree holds no :class:`Commented`, none is looked for)."""
    return _Layout(comments).lines(node, depth, head, tail)


def assignment(name: str, node: Any, comments: bool = True) -> str:
    """``name = <node>`` laid out as ruff would."""
    return "\n".join(layout(node, 0, f"{name} = ", comments=comments))


def import_line(module: str, names: list[str]) -> str:
    """``from module import A, B`` (exploded when too long), names sorted as isort does."""
    ordered = sorted(set(names))
    line = f"from {module} import {', '.join(ordered)}"
    if len(line) <= LINE_LENGTH:
        return line
    return "\n".join([f"from {module} import ("] + [f"{INDENT}{n}," for n in ordered] + [")"])


# --- identifiers -------------------------------------------------------------


_NOT_NAME = re.compile(r"[^a-z0-9]+")


def identifier(text: str) -> str:
    """A valid, lower-case Python identifier made from an object name."""
    out = _NOT_NAME.sub("_", text.lower()).strip("_")  # runs of anything else: one "_"
    if not out:
        out = "obj"
    if out[0].isdigit():
        out = "_" + out
    if keyword.iskeyword(out) or keyword.issoftkeyword(out):
        out += "_"
    return out
