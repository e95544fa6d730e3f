"""Line numbers for manifests read from YAML, computed only when a finding needs one.

Loading tracks no lines (that keeps ``kubegen lint`` at libyaml speed). When a
finding asks where a field is, the file's documents are composed once more
(nodes carry their marks) and the field's path is walked; the result is cached
per file, so a file with many findings is composed once.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from kubegen.location import Location, Path


class _ComposeLoader(yaml.CSafeLoader):
    """Composes only (no construction), so no tag is ever acted on."""


class FileLines:
    """The composed documents of one file, built on first use."""

    __slots__ = ("file", "_text", "_docs")

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self._text: str | None = text
        self._docs: list[Node | None] | None = None

    def documents(self) -> list[Node | None]:
        if self._docs is None:
            docs: list[Node | None] = []
            loader = _ComposeLoader(self._text or "")
            try:
                while loader.check_node():
                    docs.append(loader.get_node())
            except yaml.YAMLError:
                pass  # keep what composed before the error
            finally:
                loader.dispose()
            self._docs = docs
            self._text = None
        return self._docs

    def locate(self, doc: int, path: Path) -> Location:
        """The line of the field at ``path`` in document ``doc`` (or its nearest ancestor)."""
        docs = self.documents()
        if doc >= len(docs) or docs[doc] is None:
            return Location(self.file, 0)
        node: Any = docs[doc]
        line = node.start_mark.line + 1
        for step in path:
            if isinstance(node, MappingNode):
                wanted = str(step)
                for key_node, value_node in node.value:
                    if _key_text(key_node) == wanted:
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:
                    break
            elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                break
        return Location(self.file, line)


_KEY_WORDS = {"yes": "true", "on": "true", "true": "true", "no": "false", "off": "false", "false": "false"}


def _key_text(key_node: Node) -> Any:
    value = key_node.value
    if isinstance(value, str) and key_node.tag == "tag:yaml.org,2002:bool":
        return _KEY_WORDS.get(value.lower(), value)
    return value


class YamlOrigin:
    """Where a manifest read from YAML came from: a file, a document, maybe a ``List`` item.

    Implements :class:`kubegen.location.Origin`.
    """

    __slots__ = ("file", "lines", "doc", "prefix")

    def __init__(self, lines: FileLines, doc: int, prefix: tuple[str | int, ...] = ()) -> None:
        self.file = lines.file
        self.lines = lines
        self.doc = doc
        self.prefix = prefix

    def locate(self, path: Path = ()) -> Location:
        """file:line of the field at ``path`` (the object's first line for ``()``)."""
        return self.lines.locate(self.doc, (*self.prefix, *path))

    def __repr__(self) -> str:
        return f"YamlOrigin({self.file!r}, doc={self.doc}, prefix={self.prefix!r})"
