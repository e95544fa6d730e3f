"""Line numbers for manifests read from YAML, computed only when a finding needs one.

Loading tracks no lines (that keeps ``kubegen lint`` at libyaml speed). When a
finding asks where a field is, the file's documents are composed once more
(nodes carry their marks) and the field's path is walked; the result is cached
per file, so a file with many findings is composed once.
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
    """Line lookup for one file's documents, composing a document only when asked.

    While the reader loads (without lines), it records where each document starts
    (:meth:`add_document`); a lookup then composes just that document's slice of
    the text, so a 50 MB file with a few findings is not composed as a whole.
    """

    __slots__ = ("file", "_text", "_offset", "_starts", "_docs")

    def __init__(self, file: str, text: str, first_line: int = 1) -> None:
        self.file = file
        self._text = text
        self._offset = first_line - 1  # ``text`` is a slice of the file starting at first_line
        self._starts: list[tuple[int, int]] = []  # per document: (index of its first line, line - 1)
        self._docs: dict[int, tuple[Node | None, int]] = {}  # doc -> (root, lines before its slice)

    def add_document(self, root: Node) -> None:
        """Record where the next document's root node starts (its mark from the fast load)."""
        mark = root.start_mark
        self._starts.append((self._text.rfind("\n", 0, mark.index) + 1, mark.line))

    def document(self, doc: int) -> tuple[Node | None, int]:
        """Document ``doc``'s composed root node (None when it cannot be composed) and how
        many lines of the text precede the slice it was composed from."""
        if doc not in self._docs:
            if doc < len(self._starts):
                start, line = self._starts[doc]
                end = self._starts[doc + 1][0] if doc + 1 < len(self._starts) else len(self._text)
                self._docs[doc] = (_compose(self._text[start:end], 0), line)
            else:
                self._docs[doc] = (_compose(self._text, doc), 0)
        return self._docs[doc]

    def locate(self, doc: int, path: Path) -> Location:
        """The line of the field at ``path`` in document ``doc`` (or its nearest ancestor)."""
        line, _ = self._walk(doc, path)
        return Location(self.file, line)

    def scalar_text(self, doc: int, path: Path) -> str | None:
        """The field at ``path`` as written, if it is an unquoted scalar (``yes``, ``0755``)."""
        _, node = self._walk(doc, path)
        if isinstance(node, ScalarNode) and not node.style:  # plain: None, or "" from libyaml
            return str(node.value)
        return None

    def _walk(self, doc: int, path: Path) -> tuple[int, Node | None]:
        """(line of the deepest field found, its node if the whole path was found)."""
        node: Any
        node, before = self.document(doc)
        if node is None:
            return 0, None
        shift = 1 + self._offset + before
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


def _compose(text: str, doc: int) -> Node | None:
    """Compose document ``doc`` of ``text`` (None if it is not there or does not compose)."""
    loader = _ComposeLoader(text)
    try:
        for _ in range(doc + 1):
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

    def scalar_text(self, path: Path) -> str | None:
        """The field at ``path`` as written, if unquoted (for messages: ``write canary: "yes"``)."""
        return self.lines.scalar_text(self.doc, (*self.prefix, *path))

    def __repr__(self) -> str:
        return f"YamlOrigin({self.file!r}, doc={self.doc}, prefix={self.prefix!r})"
