"""Line numbers for manifests read from YAML, computed only when a finding needs one.

Loading tracks no lines (that keeps ``kubegen lint`` at libyaml speed): the reader
keeps each document's own text (and the line it starts on) with its manifests. When
a finding asks where a field is, that document is composed once more (nodes carry
their marks) and the field's path is walked; the composed document is cached, so a
document with many findings is composed once. An object's own line needs no
composing at all.
"""

from __future__ import annotations

from typing import Any

import yaml  # type: ignore[import-untyped]
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode  # type: ignore[import-untyped]

from kubegen.location import Location, Path
from kubegen.reader_scalars import implicit_resolvers, json_key, scalar_value


class _ComposeLoader(yaml.CSafeLoader):  # type: ignore[misc]
    """Composes only (no construction), so no tag is ever acted on."""

    yaml_implicit_resolvers = implicit_resolvers()


class FileLines:
    """Line lookup for one document of a file, composing it only when asked.

    ``text`` is the document's own text, starting at the beginning of line
    ``first_line`` of the file (the line its root node starts on). The reader keeps
    no other text: once the manifests of a document are dropped, so is its text.
    """

    __slots__ = ("file", "first_line", "_text", "_root")

    def __init__(self, file: str, text: str, first_line: int = 1) -> None:
        self.file = file
        self.first_line = first_line
        self._text = text
        self._root: Node | None | bool = False  # False: not composed yet

    def document(self) -> Node | None:
        """The document's composed root node (None when it cannot be composed)."""
        if self._root is False:
            self._root = _compose(self._text)
        root = self._root
        return root if isinstance(root, Node) else None

    def locate(self, path: Path) -> Location:
        """The line of the field at ``path`` (or of its nearest ancestor)."""
        if not path:  # the object's own line needs no composing
            return Location(self.file, self.first_line)
        line, _ = self._walk(path)
        return Location(self.file, line)

    def scalar_text(self, path: Path) -> str | None:
        """The field at ``path`` as written, if it is an unquoted scalar (``yes``, ``0755``)."""
        _, node = self._walk(path)
        if isinstance(node, ScalarNode) and not node.style:  # plain: None, or "" from libyaml
            return str(node.value)
        return None

    def _walk(self, path: Path) -> tuple[int, Node | None]:
        """(line of the deepest field found, its node if the whole path was found)."""
        node: Any = self.document()
        if node is None:
            return self.first_line, None
        shift = self.first_line
        line = node.start_mark.line + shift
        for step in path:
            if isinstance(node, MappingNode):
                wanted = str(step)
                for key_node, value_node in node.value:
                    if _key_text(key_node) == wanted:
                        line = key_node.start_mark.line + shift
                        node = value_node
                        break
                else:
                    return line, None
            elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + shift
            else:
                return line, None
        return line, node


def _compose(text: str) -> Node | None:
    """Compose the first document of ``text`` (None if there is none or it does not compose)."""
    loader = _ComposeLoader(text)
    try:
        if not loader.check_node():
            return None
        node = loader.get_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return node


def _key_text(key_node: Node) -> str | None:
    """The key as the reader stored it (``yes`` -> ``"true"``, ``0x1F`` -> ``"31"``)."""
    if not isinstance(key_node, ScalarNode):
        return None
    try:
        return json_key(scalar_value(key_node.tag, key_node.value))
    except ValueError:
        return None


class YamlOrigin:
    """Where a manifest read from YAML came from: a file's document, maybe a ``List`` item.

    Implements :class:`kubegen.location.Origin`.
    """

    __slots__ = ("file", "lines", "prefix")

    def __init__(self, lines: FileLines, prefix: tuple[str | int, ...] = ()) -> None:
        self.file = lines.file
        self.lines = lines
        self.prefix = prefix

    def locate(self, path: Path = ()) -> Location:
        """file:line of the field at ``path`` (the object's first line for ``()``)."""
        return self.lines.locate((*self.prefix, *path))

    def scalar_text(self, path: Path) -> str | None:
        """The field at ``path`` as written, if unquoted (for messages: ``write canary: "yes"``)."""
        return self.lines.scalar_text((*self.prefix, *path))

    def __repr__(self) -> str:
        return f"YamlOrigin({self.file!r}, line {self.lines.first_line}, prefix={self.prefix!r})"
