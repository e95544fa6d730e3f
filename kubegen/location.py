"""Source locations: where the user created an object (app.py line or YAML file:line)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Protocol

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_ATTRS_MARKERS = ("<attrs generated", "attrs/_make.py", "attr/_make.py")

Path = Sequence["str | int"]
"""A path into a manifest: keys and list indexes, e.g. ``("spec", "ports", 0, "port")``."""


class Location:
    """A file and a 1-based line (``line`` 0 means unknown)."""

    __slots__ = ("file", "line")

    def __init__(self, file: str, line: int = 0) -> None:
        self.file = file
        self.line = line

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def __repr__(self) -> str:
        return f"Location({self.file!r}, {self.line})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Location) and (self.file, self.line) == (other.file, other.line)

    def __hash__(self) -> int:
        return hash((self.file, self.line))

    def locate(self, path: Path = ()) -> Location:
        """Objects built in Python point at their creation line whatever the field."""
        return self


class Origin(Protocol):
    """Where a manifest came from; ``locate`` maps a field path to a file:line."""

    file: str

    def locate(self, path: Path = ()) -> Location: ...


_internal: dict[str, bool] = {}


def _is_internal(filename: str) -> bool:
    known = _internal.get(filename)
    if known is None:
        known = filename.startswith(_PACKAGE_DIR) or filename.startswith("<attrs generated") \
            or any(marker in filename for marker in _ATTRS_MARKERS)
        if len(_internal) < 10_000:
            _internal[filename] = known
    return known


_UNKNOWN = Location("<unknown>", 0)


def caller_location() -> Location:
    """The first stack frame outside kubegen (and attrs): the user's line."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not _is_internal(filename):
            return Location(_display_path(filename), frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return _UNKNOWN


_display_cache: dict[str, str] = {}


def _display_path(filename: str) -> str:
    """Relative to the working directory when below it, as users typed it."""
    shown = _display_cache.get(filename)
    if shown is None:
        shown = filename
        if os.path.isabs(filename):
            try:
                rel = os.path.relpath(filename)
            except ValueError:
                rel = filename
            if not rel.startswith(".."):
                shown = rel
        _display_cache[filename] = shown
    return shown
