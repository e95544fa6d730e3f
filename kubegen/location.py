"""Source locations: where the user created an object (app.py line or YAML file:line).

An object built in Python remembers the chain of the user's own frames that made
it, so a finding can name the line that made *this* object and how it got there:
``shop.py:52 (via service() at shop.py:25)`` for a Deployment a helper builds.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_STDLIB_DIR = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
_MAX_FRAMES = 8

Path = Sequence["str | int"]
"""A path into a manifest: keys and list indexes, e.g. ``("spec", "ports", 0, "port")``."""

Frame = tuple[str, str, int]
"""One user frame: ``(function, file, line)``."""


class Location:
    """A file and a 1-based line (``line`` 0 means unknown).

    ``via`` lists the helper functions the object was made in, outermost first:
    ``Location("shop.py", 52, via=(("service", "shop.py", 25),))`` reads
    ``shop.py:52 (via service() at shop.py:25)``. ``function`` is the function the
    line itself is in (used to compare chains; not shown).
    """

    __slots__ = ("file", "function", "line", "via")

    def __init__(self, file: str, line: int = 0, via: tuple[Frame, ...] = (), function: str = "") -> None:
        self.file = file
        self.line = line
        self.via = via
        self.function = function

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} ({self.via_text()})" if self.via else where

    def via_text(self) -> str:
        """``via service() at shop.py:25, ...`` (empty without helpers)."""
        if not self.via:
            return ""
        steps = (f"{fn}() at {file}:{line}" if not fn.startswith("<") else f"{file}:{line}"
                 for fn, file, line in self.via)
        return "via " + ", ".join(steps)

    def __repr__(self) -> str:
        via = f", via={self.via!r}" if self.via else ""
        return f"Location({self.file!r}, {self.line}{via})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Location) and (self.file, self.line, self.via) == (other.file, other.line, other.via)

    def __hash__(self) -> int:
        return hash((self.file, self.line, self.via))

    def locate(self, path: Path = ()) -> Location:
        """Objects built in Python point at their creation line whatever the field."""
        return self

    def frames(self) -> list[Frame]:
        """The whole chain, outermost first: this line, then each helper's."""
        return [(self.function, self.file, self.line), *self.via]

    def relative_to(self, anchor: Location) -> Location:
        """This chain without the outer frames it shares with ``anchor``'s.

        Objects remember every frame of the user's code up to kubegen's loader; a
        deploy script or a test that calls the app adds its own frames above the
        app's. Those are the same for the Stack and for its objects, so dropping
        what an object's chain shares with its Stack's leaves the app's own lines.
        """
        mine, theirs = self.frames(), anchor.frames()
        shared = 0
        while shared < len(mine) - 1 and shared < len(theirs) and mine[shared] == theirs[shared]:
            shared += 1
        if not shared:
            return self
        function, file, line = mine[shared]
        return Location(file, line, tuple(mine[shared + 1:]), function)


class Origin(Protocol):
    """Where a manifest came from; ``locate`` maps a field path to a file:line."""

    file: str

    def locate(self, path: Path = ()) -> Location: ...


_INTERNAL, _SYSTEM, _USER = 0, 1, 2
_kinds: dict[str, int] = {}


def _kind(filename: str) -> int:
    """kubegen or attrs itself (skipped), other libraries / the standard library /
    pseudo-files (where the user's chain stops), or the user's own code."""
    kind = _kinds.get(filename)
    if kind is None:
        path = os.path.abspath(filename) if not filename.startswith("<") else filename
        if path.startswith(_PACKAGE_DIR) or filename.startswith("<attrs generated"):
            kind = _INTERNAL
        elif os.path.basename(os.path.dirname(path)) in ("attr", "attrs") and "-packages" in path:
            kind = _INTERNAL
        elif filename.startswith("<") or path.startswith(_STDLIB_DIR) or "-packages" + os.sep in path:
            kind = _SYSTEM
        else:
            kind = _USER
        if len(_kinds) < 10_000:  # an app exec'ing code under ever new names must not grow it forever
            _kinds[filename] = kind
    return kind


_UNKNOWN = Location("<unknown>", 0)


def is_user_file(filename: str) -> bool:
    """True for the user's own code (not kubegen, attrs, other libraries or the standard library)."""
    return _kind(filename) == _USER


def is_internal_file(filename: str) -> bool:
    """True for kubegen's own code and attrs (generated methods included)."""
    return _kind(filename) == _INTERNAL


def chain_location(frames: Iterable[Frame], *, user_first: bool = False) -> Location:
    """The Location of a chain of frames given innermost first (``(function, file, line)``).

    The first frame outside kubegen and attrs (``user_first``: the first frame of
    the user's own code) is where it happened; the chain goes on outwards through
    the user's own frames and stops at the first frame of kubegen (its loader),
    another library or the standard library.
    """
    chain: list[Frame] = []
    for function, filename, line in frames:
        kind = _kind(filename)
        if not chain:
            if kind == _USER or (kind != _INTERNAL and not user_first):
                chain.append((function, _display_path(filename), line))
            continue
        if kind != _USER or len(chain) >= _MAX_FRAMES:
            break
        chain.append((function, _display_path(filename), line))
    if not chain:
        return _UNKNOWN
    function, file, line = chain[-1]
    return Location(file, line, tuple(chain[-2::-1]), function)


_fixed: contextvars.ContextVar[Location | None] = contextvars.ContextVar("kubegen_fixed_location", default=None)


def caller_location() -> Location:
    """Where the user's code called into kubegen, with the helpers it went through
    (or the location :func:`built_at` fixed)."""
    fixed = _fixed.get()
    if fixed is not None:
        return fixed
    return chain_location(_stack_frames(sys._getframe(1)))


@contextlib.contextmanager
def built_at(location: Location) -> Iterator[None]:
    """Builders made inside record ``location`` without looking for the user's line, for
    code kubegen runs itself: ``kubegen import`` builds every object it writes to check
    it, and walking the stack for a user frame that is not there costs most of a
    builder's construction."""
    token = _fixed.set(location)
    try:
        yield
    finally:
        _fixed.reset(token)


def _stack_frames(frame: object) -> Iterable[Frame]:
    while frame is not None:
        code = frame.f_code  # type: ignore[attr-defined]
        yield code.co_name, code.co_filename, frame.f_lineno  # type: ignore[attr-defined]
        frame = frame.f_back  # type: ignore[attr-defined]


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
        if len(_display_cache) < 10_000:
            _display_cache[filename] = shown
    return shown
