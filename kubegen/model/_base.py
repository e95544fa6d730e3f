"""Shared pieces of the builders: read-only collections, converters, validators."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn, TypeVar

import attrs

from kubegen import facts, hooks
from kubegen.errors import BuilderError, BuilderTypeError
from kubegen.location import Location, caller_location

T = TypeVar("T")


class FrozenDict(dict):  # type: ignore[type-arg]
    """A dict that cannot be changed after creation (labels, selectors, data).

    Builders are frozen; their mappings are too, so a Service's selector cannot
    drift from the workload it was taken from.
    """

    __slots__ = ()

    def _readonly(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError(
            "kubegen builders are immutable: use attrs.evolve(obj, field=new_value) "
            "or the builder's with_* method to get a changed copy"
        )

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]
    __ior__ = _readonly  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"


EMPTY: FrozenDict = FrozenDict()


_FIELDS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _compared_fields(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names of the fields equality/hash and repr use, read once per class."""
    names = _FIELDS.get(cls)
    if names is None:
        fields = attrs.fields(cls)
        names = tuple(a.name for a in fields if a.eq), tuple(a.name for a in fields if a.repr)
        _FIELDS[cls] = names
    return names


class Builder:
    """Base of every frozen builder: value equality, hashing and repr over the attrs
    fields (``source`` excluded), written once here instead of generated per class,
    which keeps ``import kubegen`` (and so every CLI run) fast."""

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


def frozen_str_map(value: Mapping[str, str] | None) -> FrozenDict:
    """Converter: labels, annotations, selectors, node selectors."""
    if value is None:
        return EMPTY
    if isinstance(value, FrozenDict):
        return value
    if not isinstance(value, Mapping):
        raise BuilderTypeError(
            f"expected a mapping of strings such as {{'app': 'web'}} (got {value!r})"
        )
    return FrozenDict(value)


def frozen_any_map(value: Mapping[str, Any] | None) -> FrozenDict:
    if value is None:
        return EMPTY
    if isinstance(value, FrozenDict):
        return value
    if not isinstance(value, Mapping):
        raise BuilderTypeError(f"expected a mapping (got {value!r})")
    return FrozenDict(value)


def to_tuple(convert_item: Callable[[Any], T] | None = None) -> Callable[[Any], tuple[T, ...]]:
    """Converter: any iterable (not a string) to a tuple, converting each item."""

    def convert(value: Iterable[Any] | None) -> tuple[T, ...]:
        if value is None:
            return ()
        if isinstance(value, (str, bytes, Mapping)):
            raise BuilderTypeError(f"expected a list (got {value!r})")
        if convert_item is None:
            return tuple(value)
        return tuple(convert_item(v) for v in value)

    return convert


def int_or(cls: type[T], build: Callable[[int], T], what: str) -> Callable[[Any], T]:
    """Converter for port lists: a builder instance as is, a bare int through ``build``."""

    def convert(value: Any) -> T:
        if isinstance(value, cls):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return build(value)
        raise BuilderTypeError(f"{what} must be an int or {cls.__name__} (got {value!r})")

    return convert


def any_tuple(value: Iterable[Any] | None) -> tuple[Any, ...]:
    """Converter: any list (not a string or mapping) to a tuple."""
    return to_tuple()(value)


def str_tuple(value: Iterable[str] | str | None) -> tuple[str, ...]:
    """Converter for command/args: a list of strings (a single string is one item)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise BuilderTypeError(
                f"expected a list of strings (got {item!r}, a {type(item).__name__}); "
                f"write it as {str(item)!r}"
            )
    return items


def name_of(target: Any) -> str:
    """The name a reference field takes: a kubegen object's ``name``, or the name itself."""
    name = getattr(target, "name", target)
    if not isinstance(name, str):
        raise BuilderTypeError(f"expected a name or a kubegen object with a name (got {target!r})")
    if not name and getattr(target, "generate_name", None):
        raise BuilderError(f"{target.label} has only a generate_name: the API server names it when it is created, "
                           "so nothing can refer to it by name; give it name=")
    return name


def optional_name(target: Any) -> str | None:
    """Converter: ``None``, a name, or a kubegen object (its ``name``)."""
    return None if target is None else name_of(target)


def name_tuple(value: Iterable[Any] | None) -> tuple[str, ...]:
    """Converter: a list of names or kubegen objects (their ``name``s)."""
    return to_tuple(name_of)(value)


def source_field() -> Any:
    """The ``source`` field every builder has: the user's file:line, filled in automatically."""
    return attrs.field(factory=caller_location, eq=False, repr=False, kw_only=True)


def fail(owner: str, field: str, value: object, problems: list[str]) -> NoReturn:
    raise BuilderError(f"{owner}: {field} {value!r} " + "; ".join(problems))


def check(owner: str, field: str, value: str, rule: Callable[[str], list[str]]) -> None:
    problems = rule(value)
    if problems:
        fail(owner, field, value, problems)


def check_labels(owner: str, field: str, labels: Mapping[str, str]) -> None:
    """Label keys and values, with the same rules the ``name`` check applies to manifests."""
    for key, value in labels.items():
        if not isinstance(key, str) or not isinstance(value, str):
            hint = ""
            if isinstance(value, bool):
                hint = f" (write {str(value).lower()!r}: YAML would otherwise read a boolean)"
            elif value is not None and not isinstance(value, str):
                hint = f" (write {str(value)!r})"
            raise BuilderTypeError(
                f"{owner}: {field} must map strings to strings; {key!r}: {value!r} is a "
                f"{type(value).__name__}{hint}"
            )
        problems = facts.label_key_problems(key)
        if problems:
            fail(owner, f"{field} key", key, problems)
        problems = facts.label_value_problems(value)
        if problems:
            fail(owner, f"{field}[{key!r}] value", value, problems)


def check_name(kind: str, obj: Any, rule: Callable[[str], list[str]] = facts.dns1123_subdomain_problems) -> str:
    """An object builder's ``name`` (or ``generate_name``, a prefix: a trailing ``-`` is
    fine) by ``rule``; returns how messages name the object (``Job 'migrate-*'``)."""
    generate = getattr(obj, "generate_name", None)
    if generate and not obj.name:
        problems = rule(hooks.mask_trailing_dash(generate))
        if problems:
            fail(kind, "generate_name", generate, problems)
        return f"{kind} {generate + '*'!r}"
    check(kind, "name", obj.name, rule)
    return f"{kind} {obj.name!r}"


def check_meta(kind: str, obj: Any, name_rule: Callable[[str], list[str]] = facts.dns1123_subdomain_problems) -> str:
    """An object builder's name, namespace and labels, with the rules the ``name`` check
    applies to manifests; returns how messages name the object (``Role 'reader'``)."""
    owner = check_name(kind, obj, name_rule)
    namespace = getattr(obj, "namespace", None)
    if namespace is not None:
        check(owner, "namespace", namespace, facts.dns1123_label_problems)
    check_labels(owner, "labels", obj.labels)
    return owner


def check_port(owner: str, field: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise BuilderTypeError(f"{owner}: {field} must be an int (got {value!r})")
    problems = facts.port_number_problems(value)
    if problems:
        fail(owner, field, value, problems)


def check_choice(owner: str, field: str, value: str | None, choices: Iterable[str]) -> None:
    choices = tuple(choices)
    if value is None or value in choices:
        return
    close = facts.suggest(str(value), choices)
    hint = f" — did you mean {close!r}?" if close else ""
    raise BuilderError(f"{owner}: {field} {value!r} is not one of {', '.join(choices)}{hint}")


def metadata(
    name: str,
    namespace: str | None,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def merge_extra(owner: str, target: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """The field-level escape hatch: add API fields kubegen does not model."""
    for key, value in extra.items():
        if key in target:
            raise BuilderError(
                f"{owner}: extra field {key!r} is already set by a builder argument; "
                "set it in one place only"
            )
        target[key] = value
    return target


__all__ = ["EMPTY", "Builder", "FrozenDict", "Location"]
