"""The changes a fix is made of, each done twice: on the data (what the fixed file must read
back as) and on the text (the spans that change, see :mod:`kubegen.fix.yamltext`).

Paths are relative to the manifest; in the text they are found below the manifest's
place in its document (a ``List`` item has a prefix such as ``("items", 3)``). All
paths name the data as it is *before* the fix: a fix lists its inner changes before
the structural ones that move them (a value set inside ``backend`` before ``backend``
is renamed).
"""

from __future__ import annotations

import json
from typing import Any

import attrs
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kubegen.fix.yamltext import Edit, Unfixable, YamlText, block_entry, flow_key, flow_value, is_flow, key_text
from kubegen.writer import quote_string
from kubegen.writer import scalar as yaml_scalar

P = tuple[str | int, ...]


def _get(obj: Any, path: P) -> Any:
    node = obj
    for step in path:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            raise Unfixable(f"{step!r} is not in the data where expected")
    return node


def _mapping(obj: Any, path: P) -> dict[str, Any]:
    node = _get(obj, path)
    if not isinstance(node, dict):
        raise Unfixable("expected a mapping")
    return node


def _in_order(mapping: dict[str, Any], items: list[tuple[str, Any]]) -> None:
    mapping.clear()
    mapping.update(items)


@attrs.frozen
class Set:
    """Set the scalar at ``path`` to ``value``, written as ``text`` (default: YAML for it)."""

    path: P
    value: Any
    text: str | None = None

    structural = False

    def apply(self, obj: dict[str, Any]) -> None:
        parent = _get(obj, self.path[:-1])
        parent[self.path[-1]] = self.value

    def edits(self, yt: YamlText, doc: int, prefix: P) -> list[Edit]:
        _, node, parent = yt.entry(doc, (*prefix, *self.path))
        if not isinstance(node, ScalarNode) or (node.value == "" and not node.style):
            raise Unfixable("the value to change is not a plain value in the text")
        if yt.json_like(doc):
            text = json.dumps(self.value, ensure_ascii=False)
        elif parent is not None and is_flow(parent):
            text = self.text if self.text is not None else flow_value(self.value, False)
        else:
            text = self.text if self.text is not None else yaml_scalar(self.value)
        return [Edit(int(node.start_mark.index), yt.content_end(node), text)]


@attrs.frozen
class Rename:
    """Rename the key at ``path`` to ``new`` (its value and place stay)."""

    path: P
    new: str

    structural = True

    def apply(self, obj: dict[str, Any]) -> None:
        parent = _mapping(obj, self.path[:-1])
        if self.new in parent:
            raise Unfixable(f"{self.new!r} is already there")
        _in_order(parent, [(self.new if k == self.path[-1] else k, v) for k, v in parent.items()])

    def edits(self, yt: YamlText, doc: int, prefix: P) -> list[Edit]:
        key, _, _ = yt.entry(doc, (*prefix, *self.path))
        if not isinstance(key, ScalarNode):
            raise Unfixable("the key is not a plain key in the text")
        text = json.dumps(self.new) if yt.json_like(doc) else quote_string(self.new)
        return [Edit(int(key.start_mark.index), yt.content_end(key), text)]


@attrs.frozen
class Insert:
    """Add ``key: value`` to the mapping at ``path``: after the key ``after``, first, or last."""

    path: P
    key: str
    value: Any
    after: str | None = None
    first: bool = False

    structural = False

    def apply(self, obj: dict[str, Any]) -> None:
        mapping = _mapping(obj, self.path)
        if self.key in mapping:
            raise Unfixable(f"{self.key!r} is already there")
        items = list(mapping.items())
        at = len(items)
        if self.first:
            at = 0
        elif self.after is not None and self.after in mapping:
            at = list(mapping).index(self.after) + 1
        items.insert(at, (self.key, self.value))
        _in_order(mapping, items)

    def edits(self, yt: YamlText, doc: int, prefix: P) -> list[Edit]:
        node = yt.node(doc, (*prefix, *self.path))
        if not isinstance(node, MappingNode) or not node.value:
            raise Unfixable("the mapping to add to is empty or not a mapping in the text")
        if is_flow(node):
            json_only = yt.json_like(doc)
            entry = f"{flow_key(self.key, json_only)}: {flow_value(self.value, json_only)}"
            end = yt.content_end(node.value[-1][1])
            return [Edit(end, end, ", " + entry)]
        first_key = node.value[0][0]
        column = int(first_key.start_mark.column)
        lines = block_entry(self.key, self.value, column, yt.indent_step(doc))
        if self.first:  # in the first key's place (after a "- " too), the first key one line down
            at = int(first_key.start_mark.index)
            _, nl = yt.line_end(at)
            return [Edit(at, at, nl.join(lines)[column:] + nl + " " * column)]
        anchor = node.value[-1]
        if self.after is not None:
            anchor = next((kv for kv in node.value if key_text(kv[0]) == self.after), anchor)
        end, nl = yt.line_end(_entry_end(yt, anchor))
        return [Edit(end, end, nl + nl.join(lines))]


def _entry_end(yt: YamlText, entry: tuple[Node, Node]) -> int:
    key, value = entry
    if isinstance(value, ScalarNode) and value.value == "" and not value.style:
        return yt.content_end(key)
    return yt.content_end(value)


@attrs.frozen
class Wrap:
    """Make the mapping at ``path`` the one item of a list (``ports:`` written as a mapping)."""

    path: P

    structural = True

    def apply(self, obj: dict[str, Any]) -> None:
        parent = _get(obj, self.path[:-1])
        parent[self.path[-1]] = [parent[self.path[-1]]]

    def edits(self, yt: YamlText, doc: int, prefix: P) -> list[Edit]:
        _, node, _ = yt.entry(doc, (*prefix, *self.path))
        if not isinstance(node, MappingNode) or not node.value:
            raise Unfixable("the value is not a mapping in the text")
        if is_flow(node):
            start, end = int(node.start_mark.index), yt.content_end(node)
            return [Edit(start, start, "["), Edit(end, end, "]")]
        first_key = node.value[0][0]
        if not yt.alone_on_line(first_key):
            raise Unfixable("the mapping does not start on a line of its own")
        start = yt.line_start(int(first_key.start_mark.index))
        end, _ = yt.line_end(yt.content_end(node))
        column = int(first_key.start_mark.column)
        lines = yt.text[start:end].split("\n")
        out = [lines[0][:column] + "- " + lines[0][column:]]
        out += ["  " + line if line.strip() else line for line in lines[1:]]
        return [Edit(start, end, "\n".join(out))]


@attrs.frozen
class Unwrap:
    """Replace the one-item list at ``path`` by its item (a mapping written as a list)."""

    path: P

    structural = True

    def apply(self, obj: dict[str, Any]) -> None:
        parent = _get(obj, self.path[:-1])
        parent[self.path[-1]] = parent[self.path[-1]][0]

    def edits(self, yt: YamlText, doc: int, prefix: P) -> list[Edit]:
        key, node, _ = yt.entry(doc, (*prefix, *self.path))
        if not isinstance(node, SequenceNode) or len(node.value) != 1 or key is None:
            raise Unfixable("the value is not a one-item list in the text")
        item = node.value[0]
        if is_flow(node):
            return [Edit(int(node.start_mark.index), yt.content_end(node), yt.source(item))]
        if not isinstance(item, MappingNode) or is_flow(item) or not yt.alone_on_line(node):
            raise Unfixable("the list item is not laid out as '- key: value' lines")
        first_key = item.value[0][0]
        if first_key.start_mark.line != node.start_mark.line:
            raise Unfixable("the list item does not start on the '-' line")
        dash, column = int(node.start_mark.column), int(first_key.start_mark.column)
        parent_column = int(key.start_mark.column)
        new_column = dash if dash > parent_column else parent_column + yt.indent_step(doc)
        shift = new_column - column
        start = yt.line_start(int(node.start_mark.index))
        end, _ = yt.line_end(yt.content_end(node))
        lines = yt.text[start:end].split("\n")
        out = [" " * new_column + lines[0][column:]]
        for line in lines[1:]:
            if not line.strip():
                out.append(line)
            elif shift >= 0:
                out.append(" " * shift + line)
            elif line[:-shift].strip(" "):
                if not line.lstrip().startswith("#"):
                    raise Unfixable("a line of the item is indented less than the item")
                out.append(line)  # a comment further left than the item: it stays where it is
            else:
                out.append(line[-shift:])
        return [Edit(start, end, "\n".join(out))]


@attrs.frozen
class Replace:
    """In the mapping at ``path``, replace the entries ``remove`` by one entry ``key: value``
    where the first of them was; ``carry`` moves an end-of-line comment of a removed key to
    a key of the new value (``{"serviceName": "service.name"}``)."""

    path: P
    remove: tuple[str, ...]
    key: str
    value: Any
    carry: tuple[tuple[str, str], ...] = ()

    structural = True

    def apply(self, obj: dict[str, Any]) -> None:
        mapping = _mapping(obj, self.path)
        if self.key in mapping and self.key not in self.remove:
            raise Unfixable(f"{self.key!r} is already there")
        items: list[tuple[str, Any]] = []
        placed = False
        for k, v in mapping.items():
            if k in self.remove:
                if not placed:
                    items.append((self.key, self.value))
                    placed = True
            else:
                items.append((k, v))
        if not placed:
            raise Unfixable("nothing to replace")
        _in_order(mapping, items)

    def edits(self, yt: YamlText, doc: int, prefix: P) -> list[Edit]:
        node = yt.node(doc, (*prefix, *self.path))
        if not isinstance(node, MappingNode):
            raise Unfixable("not a mapping in the text")
        gone = [(k, v) for k, v in node.value if key_text(k) in self.remove]
        if not gone:
            raise Unfixable("nothing to replace in the text")
        if is_flow(node):
            json_only = yt.json_like(doc)
            parts: list[str] = []
            removed = {id(k) for k, _ in gone}
            for k, v in node.value:
                if k is gone[0][0]:
                    parts.append(f"{flow_key(self.key, json_only)}: {flow_value(self.value, json_only)}")
                elif id(k) not in removed:
                    parts.append(yt.text[k.start_mark.index:_entry_end(yt, (k, v))])
            return [Edit(int(node.start_mark.index), int(node.end_mark.index), "{" + ", ".join(parts) + "}")]
        comments = {f"{self.key}.{new}": c for old, new in self.carry if (c := _eol_comment(yt, gone, old))}
        column = int(node.value[0][0].start_mark.column)
        first_key, first_value = gone[0]
        end, nl = yt.line_end(_entry_end(yt, (first_key, first_value)))
        lines = block_entry(self.key, self.value, column, yt.indent_step(doc), comments)
        lines[0] = lines[0][column:]
        edits = [Edit(int(first_key.start_mark.index), end, nl.join(lines))]
        for k, v in gone[1:]:
            if not yt.alone_on_line(k):
                raise Unfixable("an entry to remove shares its line")
            start = yt.line_start(int(k.start_mark.index))
            stop, brk = yt.line_end(_entry_end(yt, (k, v)))
            if stop + len(brk) <= len(yt.text):
                edits.append(Edit(start, stop + len(brk), ""))
            else:  # the last line, without a line break: take the break before it instead
                before = 2 if yt.text[max(start - 2, 0):start] == "\r\n" else 1
                edits.append(Edit(start - before, stop, ""))
        return edits


def _eol_comment(yt: YamlText, entries: list[tuple[Node, Node]], key: str) -> str | None:
    for k, v in entries:
        if key_text(k) == key:
            end = _entry_end(yt, (k, v))
            stop, _ = yt.line_end(end)
            rest = yt.text[end:stop].rstrip()
            return rest if rest.lstrip().startswith("#") else None
    return None


Op = Set | Rename | Insert | Wrap | Unwrap | Replace


def on_one_path(p: P, q: P) -> bool:
    """Whether one of two field paths is the other or inside it."""
    n = min(len(p), len(q))
    return p[:n] == q[:n]


def touched(op: Op) -> list[P]:
    """The paths an op changes (for telling which fixes of one pass interfere)."""
    if isinstance(op, Insert):
        return [(*op.path, op.key)]
    if isinstance(op, Rename):
        return [op.path, (*op.path[:-1], op.new)]
    if isinstance(op, Replace):
        return [op.path, (*op.path, op.key)]
    return [op.path]
