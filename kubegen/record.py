"""Value methods written once for kubegen's attrs classes.

attrs generates ``__eq__``, ``__hash__`` and ``__repr__`` as source text and compiles
it for every class when the class is made, which every ``kubegen`` process pays for
at start-up (issue 12). The classes here are declared with ``eq=False, repr=False``
and inherit these methods instead: the same meaning as attrs' (equality and hash over
the fields with ``eq=True``, the repr over those with ``repr=True``, in field order),
with the field names read once per class.
"""

from __future__ import annotations

import attrs

_FIELDS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _compared_fields(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names of the fields equality/hash and repr use, read once per class."""
    names = _FIELDS.get(cls)
    if names is None:
        fields = attrs.fields(cls)
        names = tuple(a.name for a in fields if a.eq), tuple(a.name for a in fields if a.repr)
        _FIELDS[cls] = names
    return names


class Record:
    """Base of a frozen attrs class (``@attrs.frozen(eq=False, repr=False)``): value
    equality and hashing over its ``eq`` fields, a repr over its ``repr`` fields."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = _compared_fields(type(self))[0]
        return all(getattr(self, n) == getattr(other, n) for n in names)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        names = _compared_fields(type(self))[0]
        return hash((type(self).__name__, *(getattr(self, n) for n in names)))

    def __repr__(self) -> str:
        names = _compared_fields(type(self))[1]
        return f"{type(self).__name__}(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in names) + ")"


class MutableRecord(Record):
    """:class:`Record` for a mutable attrs class (``@attrs.define(eq=False, repr=False)``):
    equal by value, so unhashable, as attrs makes a mutable class with ``eq=True``."""

    __slots__ = ()

    __hash__ = None  # type: ignore[assignment]


__all__ = ["MutableRecord", "Record"]
