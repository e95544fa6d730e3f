"""One file being fixed: whether kubegen understands it fully enough to edit it, the
fixes tried on its text, and the check that the new text reads back as intended.

A file is left alone (with the reason) when it cannot be rewritten (stdin, a
symlink), has YAML errors, looks like a template (``{{`` outside a block scalar:
Helm, Jinja; in ``helm template`` output, outside a quoted one too), uses anchors,
aliases or explicit tags, is not UTF-8, holds a stream of JSON objects, or changed
since it was linted.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

import yaml  # type: ignore[import-untyped]
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kubegen.errors import OutputError
from kubegen.fix import files
from kubegen.fix.ops import on_one_path, touched
from kubegen.fix.plan import Fix
from kubegen.fix.yamltext import Edit, Unfixable, YamlText, apply_edits, document_of, overlaps
from kubegen.manifest import Manifest
from kubegen.reader import ReadResult, read_text

_BOM = b"\xef\xbb\xbf"


class Attempt:
    """The outcome of trying fixes on a file's text: the new text, what it reads as, the
    fixes in it with their edits, the fixes refused (with why) and those left for later."""

    def __init__(self) -> None:
        self.text = ""
        self.read: ReadResult | None = None
        self.applied: list[tuple[Fix, list[Edit]]] = []
        self.refused: list[tuple[Fix, str]] = []


class Source:
    """A file's original bytes, its current text and manifests, and the edits made so far."""

    def __init__(self, path: str, data: bytes, text: str, manifests: list[Manifest]) -> None:
        self.path = path
        self.original = data
        self.bom = data.startswith(_BOM)
        self.original_text = text
        self.text = text
        self.manifests = manifests
        self.passes: list[list[Edit]] = []
        self.changed: set[int] = set()  # 1-based lines of the original text that were edited
        self._yt: YamlText | None = None

    @classmethod
    def load(cls, path: str, manifests: list[Manifest], unwritable: str | None, broken: str | None) -> Source | str:
        """The source for ``path``, or why it must be left alone."""
        if path == "<stdin>":
            return "stdin cannot be fixed in place; pass the file instead"
        if unwritable is not None:
            return unwritable
        if broken is not None:
            return broken
        try:
            data = files.read_regular(path)
        except OutputError as exc:
            return str(exc).removeprefix(f"{path}: ")
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return "is UTF-16; kubegen fixes UTF-8 files only"
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return "is not UTF-8 text"
        again = read_text(text, path)
        if again.problems or not _same_objects([m.obj for m in again.manifests], [m.obj for m in manifests]):
            return "changed since it was read; run again"
        marker = _unsupported(text)
        if marker is not None:
            return marker
        source = cls(path, data, text, manifests)
        try:
            yt = source.yt
        except Unfixable as exc:
            if text.lstrip().startswith("{"):
                return "is a stream of separate JSON objects; kubegen fixes YAML and single JSON documents"
            return str(exc)
        template = _template_line(yt)
        if template:
            return (
                f"looks like a template ('{{{{' on line {template}); kubegen fixes plain manifests, "
                "not Helm or other templates"
            )
        return source

    @property
    def yt(self) -> YamlText:
        if self._yt is None or self._yt.text != self.text:
            self._yt = YamlText(self.text)
        return self._yt

    def attempt(self, fixes: Sequence[Fix]) -> tuple[Attempt, list[Fix]]:
        """Try ``fixes`` together; returns the attempt and the fixes deferred to a later pass
        (they touch what another fix of this pass changes)."""
        result = Attempt()
        deferred: list[Fix] = []
        for fix in fixes:
            try:
                doc, prefix = self._where(fix.manifest)
                edits = [e for op in fix.ops for e in op.edits(self.yt, doc, prefix)]
            except Unfixable as exc:
                result.refused.append((fix, str(exc)))
                continue
            if any(_interfere(fix, other) or overlaps(edits, e) for other, e in result.applied):
                deferred.append(fix)
                continue
            result.applied.append((fix, edits))
        if not result.applied:
            return result, deferred
        if self._verify(result, [f for f, _ in result.applied]):
            return result, deferred
        # Something reads back wrong: keep the fixes that are right on their own.
        good: list[tuple[Fix, list[Edit]]] = []
        for fix, edits in result.applied:
            trial = Attempt()
            trial.applied = [*good, (fix, edits)]
            if self._verify(trial, [f for f, _ in trial.applied]):
                good.append((fix, edits))
            else:
                result.refused.append((fix, "the changed text would not read back as intended"))
        result.applied = good
        if good:
            self._verify(result, [f for f, _ in good])
        return result, deferred

    def _where(self, m: Manifest) -> tuple[int, tuple[str | int, ...]]:
        """The manifest's document in the text and its place in it (a List item)."""
        doc = document_of(m.origin, self.yt.docs)
        if doc is None:
            raise Unfixable("the object's document is not where the reader found it")
        return doc, tuple(getattr(m.origin, "prefix", ()))

    def _verify(self, result: Attempt, fixes: list[Fix]) -> bool:
        """Apply the edits and check the text reads back as the data with the fixes made."""
        edits = [e for _, es in result.applied for e in es]
        try:
            text = apply_edits(self.text, edits)
        except Unfixable:
            return False
        read = read_text(text, self.path)
        if read.problems or len(read.manifests) != len(self.manifests):
            return False
        intended = [copy.deepcopy(m.obj) for m in self.manifests]
        for fix in fixes:
            index = next(i for i, m in enumerate(self.manifests) if m is fix.manifest)
            try:
                for op in fix.ops:
                    op.apply(intended[index])
            except Unfixable:
                return False
        if not _same_objects([m.obj for m in read.manifests], intended):
            return False
        result.text, result.read = text, read
        return True

    def commit(self, result: Attempt) -> None:
        """Make an attempt's text current, remembering which original lines it edited."""
        assert result.read is not None
        edits = [e for _, es in result.applied for e in es]
        for edit in edits:
            first, last = self._original_lines(edit)
            self.changed.update(range(first, last + 1))
        self.passes.append(edits)
        self.text = result.text
        self.manifests = result.read.manifests

    def original_line(self, line: int) -> int:
        """Line ``line`` of the current text, as a line of the file as it was read."""
        offset = 0
        for _ in range(max(line - 1, 0)):
            offset = self.text.find("\n", offset) + 1
            if offset == 0:
                return line
        for earlier in reversed(self.passes):
            offset = _map_back(offset, earlier)
        return self.original_text.count("\n", 0, offset) + 1

    def _original_lines(self, edit: Edit) -> tuple[int, int]:
        start, end = edit.start, edit.end
        for earlier in reversed(self.passes):
            start, end = _map_back(start, earlier), _map_back(end, earlier, end=True)
        text = self.original_text
        first = text.count("\n", 0, start) + 1
        last = text.count("\n", 0, max(end - 1, start)) + 1 if end > start else first
        return first, last

    def data(self) -> bytes:
        """The current text as the file's bytes (UTF-8, with the BOM if it had one)."""
        return (_BOM if self.bom else b"") + self.text.encode("utf-8")


def _map_back(offset: int, edits: list[Edit], *, end: bool = False) -> int:
    """An offset in the text after ``edits`` as an offset in the text before them."""
    delta = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        new_start = edit.start + delta
        new_end = new_start + len(edit.new)
        if offset < new_start or (offset == new_start and not end):
            return offset - delta
        if offset <= new_end:
            return edit.end if end else edit.start
        delta += len(edit.new) - (edit.end - edit.start)
    return offset - delta


def _interfere(a: Fix, b: Fix) -> bool:
    """Two fixes of one object whose changes lie on one path (one inside what the other
    restructures): the second must wait for the text the first makes."""
    if a.manifest is not b.manifest:
        return False
    for x in a.ops:
        for y in b.ops:
            for px in touched(x):
                for py in touched(y):
                    if on_one_path(px, py) and (x.structural or y.structural or px == py):
                        return True
    return False


def _same_objects(a: list[Any], b: list[Any]) -> bool:
    return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))


def _same(a: Any, b: Any) -> bool:
    """Equal, with exact types (``True`` is not ``1``, ``1`` is not ``1.0``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _unsupported(text: str) -> str | None:
    """Why the text uses YAML kubegen will not edit (anchors, aliases, tags), or None."""
    if "&" not in text and "*" not in text and "!" not in text:
        return None
    try:
        for token in yaml.scan(text, Loader=yaml.CSafeLoader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                return (
                    f"uses YAML anchors or aliases (line {token.start_mark.line + 1}); kubegen edits "
                    "only plain YAML, where a change is made in one place"
                )
            if isinstance(token, yaml.TagToken):
                return f"uses a YAML tag (line {token.start_mark.line + 1}); kubegen edits only plain YAML"
    except yaml.YAMLError:
        return "cannot be scanned as YAML"
    return None


_HELM_RENDERED = re.compile(r"^# Source: \S", re.MULTILINE)


def _template_line(yt: YamlText) -> int | None:
    """The line of a ``{{`` that is not inside a block scalar (``|``, ``>``), if any; in
    ``helm template`` output (its ``# Source:`` lines), not inside a quoted one either:
    Helm has rendered it, and what is left is data (Prometheus or Alertmanager text)."""
    start = yt.text.find("{{")
    if start < 0:
        return None
    styles = ("|", ">", '"', "'") if _HELM_RENDERED.search(yt.text) else ("|", ">")
    spans: list[tuple[int, int]] = []
    stack: list[Node] = list(yt.docs)
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode) and node.style in styles:
            spans.append((int(node.start_mark.index), int(node.end_mark.index)))
        elif isinstance(node, MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    while start >= 0:
        if not any(s <= start < e for s, e in spans):
            return yt.text.count("\n", 0, start) + 1
        start = yt.text.find("{{", start + 2)
    return None
