"""Shared pieces of the builders: read-only collections, converters, validators."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn, TypeVar

import attrs

from kubegen import facts, hooks
from kubegen.errors import BuilderError, BuilderTypeError, collecting, reject
from kubegen.facts import no_such as no_such
from kubegen.location import Location, caller_location
from kubegen.record import Record

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


class Builder(Record):
    """Base of every frozen builder: value equality, hashing and repr over the attrs
    fields (``source`` excluded), written once (:class:`kubegen.record.Record`) instead
    of generated per class, which keeps every CLI run fast."""

    __slots__ = ()


def owner_of(obj: object) -> str:
    """How messages name a builder being constructed: ``Container 'web'`` (or the class alone)."""
    name = getattr(obj, "name", None)
    kind = type(obj).__name__.lstrip("_")
    return f"{kind} {name!r}" if isinstance(name, str) else kind


def _a(value: object) -> str:
    """``'80', a str``: a value and its type, as type messages show them."""
    kind = type(value).__name__
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:56] + " ..."
    return f"{shown}, {_article(kind)} {kind}"


class Invalid:
    """What a converter returns for a value it cannot take as given: the problems
    (messages with ``{owner}`` and ``{field}`` still to fill in, and whether each is a
    type error) and the best-effort value to go on with. The field's validator
    (see :func:`typed_fields`) reports them, naming the builder and the field, and
    puts ``fallback`` in the field's place."""

    __slots__ = ("fallback", "problems")

    def __init__(self, problems: list[tuple[str, bool]], fallback: Any) -> None:
        self.problems = problems
        self.fallback = fallback


def invalid(fallback: Any, message: str, *, type_error: bool = True) -> Invalid:
    """One problem: ``invalid((), "{owner}: {field} must be a list ...")``."""
    return Invalid([(message, type_error)], fallback)


def resolve(value: Any, owner: str, field: str) -> Any:
    """Report the problems of an :class:`Invalid` (raise, or record when collecting) and
    return the value to go on with; any other value as is."""
    if type(value) is not Invalid:
        return value
    for text, type_error in value.problems:
        message = text.replace("{owner}", owner).replace("{field}", field)
        reject(BuilderTypeError(message) if type_error else BuilderError(message))
    return value.fallback


def frozen_str_map(value: Mapping[str, str] | None) -> Any:
    """Converter: labels, annotations, selectors, node selectors."""
    if value is None:
        return EMPTY
    if isinstance(value, FrozenDict):
        return value
    if isinstance(value, Invalid):  # a default taken from a field that was refused (reported there)
        return value.fallback
    if not isinstance(value, Mapping):
        return invalid(EMPTY, f"{{owner}}: {{field}} must be a mapping of strings to strings (got {_a(value)}); "
                              "write {field}={'app': 'web'}")
    return FrozenDict(value)


def frozen_any_map(value: Mapping[str, Any] | None) -> Any:
    """Converter: raw API fields (``extra=``, ``spec_extra=``, probe handlers, ...)."""
    if value is None:
        return EMPTY
    if isinstance(value, FrozenDict):
        return value
    if isinstance(value, Invalid):  # a default taken from a refused field (reported there)
        return value.fallback
    if not isinstance(value, Mapping):
        return invalid(EMPTY, f"{{owner}}: {{field}} must be a mapping (got {_a(value)}); write {{field}}={{...}}")
    return FrozenDict(value)


def as_mapping(value: Any, what: str, example: str) -> Any:
    """For the converters of mapping fields: ``EMPTY`` for an empty value, the
    :class:`Invalid` saying how to write it for a value that is not a mapping, else the
    mapping itself (to convert): ``if is_done(mapping): return mapping``."""
    if not value:
        return EMPTY
    if not isinstance(value, Mapping):
        return invalid(EMPTY, f"{{owner}}: {{field}} must be a mapping of {what} (got {value!r}); "
                              f"write {{field}}={example}")
    return value


def is_done(value: Any) -> bool:
    """Whether :func:`as_mapping` already answered (empty, or refused)."""
    return value is EMPTY or type(value) is Invalid


def plain(value: Any) -> Any:
    """A FrozenDict/tuple tree as plain dicts and lists (for ``to_dict``)."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def as_list(
    value: Any, kinds: tuple[type, ...] | Callable[[], tuple[type, ...]], form: str | Callable[[Any], str],
    item: Callable[[Any], Any] | None = None, expected: str = "",
) -> Any:
    """A list (any iterable but a string or mapping) as a tuple of ``kinds``: for the
    converters of list fields.

    ``item`` converts each element first (e.g. a bare port number to a ContainerPort).
    A single element where a list belongs, a string, or an element of the wrong type
    is refused with the field named and ``form``, the way to write it
    (``containers=[Container(...)]``).
    """
    if value is None or (value.__class__ is tuple and not value):  # the default (attrs converts it too)
        return ()
    if callable(kinds):
        kinds = kinds()
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        single = value if item is None else item(value)
        shown = form(value) if callable(form) else form
        if kinds:
            fallback = (single,) if isinstance(single, kinds) else ()
        else:
            fallback = (single,) if isinstance(single, str) else ()
        return invalid(fallback, f"{{owner}}: {{field}} must be a list (got {_a(value)}); write {{field}}={shown}")
    items = tuple(value) if item is None else tuple(item(v) for v in value)
    if kinds:
        for index, element in enumerate(items):
            if not isinstance(element, kinds):
                original = element if item is None else tuple(value)[index]
                shown = form(original) if callable(form) else form
                expected = expected or " or ".join(f"{_article(k.__name__)} {k.__name__}" for k in kinds)
                return invalid(
                    tuple(e for e in items if isinstance(e, kinds)),
                    f"{{owner}}: {{field}}[{index}] must be {expected} (got {_a(original)}); write {{field}}={shown}",
                )
    return items


def to_tuple(convert_item: Callable[[Any], T] | None = None) -> Callable[[Any], tuple[T, ...]]:
    """Converter factory: any list (not a string or mapping) to a tuple, each item
    converted; raises at once (for code that uses the result; field converters
    should prefer :func:`as_list`, whose messages name the field)."""

    def convert(value: Iterable[Any] | None) -> tuple[T, ...]:
        if value is None:
            return ()
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            raise BuilderTypeError(f"expected a list (got {_a(value)}); write [...]")
        if convert_item is None:
            return tuple(value)
        return tuple(convert_item(v) for v in value)

    return convert


def any_tuple(value: Iterable[Any] | None) -> tuple[Any, ...]:
    """Converter: any list (not a string or mapping) to a tuple."""
    return to_tuple()(value)


def str_tuple(value: Iterable[str] | str | None) -> tuple[str, ...]:
    """Converter for lists of strings where one string means a list of one (hosts,
    names); command lines use :func:`str_list`, which refuses a bare string."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise BuilderTypeError(f"expected a list of strings (got {_a(item)}); write it as {str(item)!r}")
    return items


def int_or(cls: type[T], build: Callable[[int], T]) -> Callable[[Any], Any]:
    """Element converter for port lists: a bare int through ``build``; anything else as is
    (:func:`as_list` refuses what is neither)."""

    def convert(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return build(value)
        return value

    return convert


def split_hint(text: str) -> str:
    """``['sleep', '10']`` for ``"sleep 10"``: how a command line is written as a list."""
    import shlex

    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    return repr(words or [text])


def str_list(value: Iterable[str] | None) -> Any:
    """Converter for command/args: a list of strings (a bare string is refused with the split form)."""
    if value is None or (value.__class__ is tuple and not value):  # the default (attrs converts it too)
        return ()
    if isinstance(value, str):
        return invalid(tuple(value.split()), (
            f"{{owner}}: {{field}} must be a list of strings, one per argument (got {value!r}, a str); "
            f"write {{field}}={split_hint(value)} (one string is one argument: the container would look "
            f"for a program called {value!r})"
        ))
    if isinstance(value, (bytes, Mapping)) or not hasattr(value, "__iter__"):
        return invalid((), f"{{owner}}: {{field}} must be a list of strings (got {_a(value)}); write {{field}}=[...]")
    items = tuple(value)
    for index, element in enumerate(items):
        if not isinstance(element, str):
            return invalid(tuple(str(e) for e in items), (
                f"{{owner}}: {{field}}[{index}] must be a string (got {_a(element)}); write it as {str(element)!r}"
            ))
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


def optional_name(target: Any) -> Any:
    """Converter: ``None``, a name, or a kubegen object (its ``name``)."""
    if target is None:
        return None
    name = getattr(target, "name", target)
    if not isinstance(name, str):
        return invalid(None, f"{{owner}}: {{field}} must be a name or a kubegen object with a name (got {_a(target)})")
    return name


def name_tuple(value: Iterable[Any] | None) -> Any:
    """Converter: a list of names or kubegen objects (their ``name``s)."""
    items = as_list(value, (), "['name', ...]")
    if type(items) is Invalid:
        return items
    names = tuple(getattr(v, "name", v) for v in items)
    for index, name in enumerate(names):
        if not isinstance(name, str):
            return invalid(tuple(n for n in names if isinstance(n, str)),
                           f"{{owner}}: {{field}}[{index}] must be a name or a kubegen object with a name "
                           f"(got {_a(items[index])})")
    return names


# -- plain fields: the annotated type is checked ------------------------------------

_SIMPLE = {"str": str, "int": int, "bool": bool, "float": float, "None": type(None)}


def _public_builder(name: str) -> Any:
    """The builder ``kubegen.model`` exports as ``name`` (imported now), or None: a field
    may be annotated with a builder its module imports only for type checking, because
    that builder's module is loaded only by an app that uses it (start-up time)."""
    from kubegen import model

    return getattr(model, name) if name in model.__all__ else None


def builders(*names: str) -> Callable[[], tuple[type, ...]]:
    """``kinds`` for :func:`as_list` that names builders instead of holding them: they are
    imported when the field is given a list, so an app that leaves it empty never loads
    their modules (``volume_mounts=``, ``env_from=``, ``volumes=``)."""
    return lambda: tuple(_public_builder(name) for name in names)


def _type_validator(annotation: str, module: str) -> Callable[[Any, Any, Any], None] | None:
    """A validator for an annotation that names only classes (``int``, ``str | None``,
    ``Probe | None``, ...); names are looked up in ``module`` on first use (they may be
    defined further down). None for anything else (``Any``, generics)."""
    names = [part.strip() for part in annotation.split("|")]
    if not all(n.isidentifier() and n != "Any" for n in names):
        return None
    resolved: list[tuple[type, ...]] = []
    exact: set[type] = set()  # the allowed classes themselves: most values pass by one set lookup

    def allowed() -> tuple[type, ...]:
        if not resolved:
            space = vars(sys.modules[module])
            kinds = tuple(_SIMPLE.get(n) or space.get(n) or _public_builder(n) for n in names)
            resolved.append(kinds if all(isinstance(k, type) for k in kinds) else ())  # type: ignore[arg-type]
            if float in kinds:
                resolved[0] += (int,)
            exact.update(resolved[0])
        return resolved[0]

    def validate(obj: Any, attribute: Any, value: Any) -> None:
        if type(value) in exact:
            return
        kinds = allowed()
        if not kinds or (isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)):
            return
        field = attribute.name
        hint = ""
        if int in kinds and isinstance(value, str) and value.strip().isdigit():
            hint = f"; write {field}={int(value)}"
        elif str in kinds and isinstance(value, bool):
            hint = f"; write {field}={str(value).lower()!r}"
        elif str in kinds and isinstance(value, (int, float)):
            hint = f"; write {field}={str(value)!r}"
        else:
            built = [k for k in kinds if isinstance(k, type) and issubclass(k, Builder)]
            if built:
                hint = f"; write {field}={built[0].__name__}(...)"
        described = " or ".join("None" if k is type(None) else f"{_article(k.__name__)} {k.__name__}" for k in kinds
                                if not (k is int and float in kinds))
        reject(BuilderTypeError(f"{owner_of(obj)}: {field} must be {described} (got {_a(value)}){hint}"))

    return validate


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


class _Named:
    """Stands in for an ``attrs.Attribute`` when a check is called by hand (it reads ``name``)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


_NO_DEFAULT = object()


def _class_checker(
    checks: list[tuple[str, Callable[[Any, Any, Any], None] | None, Any]],
) -> Callable[[Any, Any, Any], None]:
    """One validator for all of a class's own fields (one call in the generated ``__init__``
    instead of one per field: class creation is start-up time). A field that holds its
    plain default itself (``None``, ``EMPTY``, ``()``: the same object) is not checked
    again: the default passes its own field's check (tests/test_builder_types.py holds
    that for every builder), and a builder leaves most of its fields at their default."""
    named = [(name, _Named(name), check, default) for name, check, default in checks]

    def check_all(obj: Any, attribute: Any, value: Any) -> None:
        for name, field, check, default in named:
            current = getattr(obj, name)
            if current is default:
                continue
            if check is None:  # a converted field: report what its converter refused
                if type(current) is Invalid:
                    object.__setattr__(obj, name, current.fallback)
                    resolve(current, owner_of(obj), name)
            else:
                check(obj, field, current)

    return check_all


_CONVERTERS: dict[Callable[[Any], Any], attrs.Converter[Any, Any]] = {}


def _shared_converter(function: Callable[[Any], Any]) -> attrs.Converter[Any, Any]:
    """One ``attrs.Converter`` per converter function, for every field that uses it: attrs
    would wrap the function anew (reading its signature) for each field of each class."""
    converter = _CONVERTERS.get(function)
    if converter is None:
        converter = _CONVERTERS[function] = attrs.Converter(function)
    return converter


def typed_fields(cls: type, fields: list[Any]) -> list[Any]:
    """attrs ``field_transformer`` of every builder: a converted field reports what its
    converter refused (:class:`Invalid`); a plainly typed field (``int``, ``str | None``,
    ``Probe | None``) refuses a value of another type. Messages name the builder and the
    field, and say how to write it. One validator, on the class's last own field, checks
    all its own fields after ``__init__`` has set them (a base class's fields are checked by
    the base's)."""
    checks: list[tuple[str, Callable[[Any, Any, Any], None] | None, Any]] = []
    last = None
    for field in fields:
        if field.inherited:
            continue
        if field.converter is not None and not isinstance(field.converter, attrs.Converter):
            object.__setattr__(field, "converter", _shared_converter(field.converter))
        if not field.init:
            continue
        last = field
        default = _NO_DEFAULT if isinstance(field.default, attrs.Factory) else field.default  # type: ignore[arg-type]
        if field.converter is not None:
            checks.append((field.name, None, default))
        elif isinstance(field.type, str):
            check = _type_validator(field.type, cls.__module__)
            if check is not None:
                checks.append((field.name, check, default))
    if checks and last is not None:
        checker = _class_checker(checks)
        validator = checker if last.validator is None else attrs.validators.and_(last.validator, checker)
        # This Attribute is the class's own, just made by attrs: set in place (no evolve()).
        object.__setattr__(last, "validator", validator)
    return fields


def source_field(*, init: bool = False) -> Any:
    """The ``source`` field every top-level builder has: where your code made the object
    (with the helpers it went through), filled in automatically, also for
    ``attrs.evolve`` copies (they carry the line of the ``evolve`` call). ``init``: it
    may also be given (a Stack built by kubegen itself says where it comes from)."""
    return attrs.field(factory=caller_location, init=init, eq=False, repr=False, kw_only=True)


def fail(owner: str, field: str, value: object, problems: list[str]) -> None:
    reject(BuilderError(f"{owner}: {field} {value!r} " + "; ".join(problems)))


def check(owner: str, field: str, value: str, rule: Callable[[str], list[str]]) -> None:
    if not isinstance(value, str):
        if not collecting():  # when collecting, the field's type check has recorded it
            reject(BuilderTypeError(f"{owner}: {field} must be a string (got {_a(value)})"))
        return
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
            reject(BuilderTypeError(
                f"{owner}: {field} must map strings to strings; {key!r}: {value!r} is a "
                f"{type(value).__name__}{hint}"
            ))
            continue
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
    if isinstance(generate, str) and generate and not obj.name:
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
        hint = f"; write {field}={int(value)}" if isinstance(value, str) and value.strip().isdigit() else ""
        reject(BuilderTypeError(f"{owner}: {field} must be an int (got {_a(value)}){hint}"))
        return
    problems = facts.port_number_problems(value)
    if problems:
        fail(owner, field, value, problems)


def check_choice(owner: str, field: str, value: str | None, choices: Iterable[str]) -> None:
    choices = tuple(choices)
    if value is None or value in choices:
        return
    close = facts.suggest(str(value), choices)
    hint = f" — did you mean {close!r}?" if close else ""
    reject(BuilderError(f"{owner}: {field} {value!r} is not one of {', '.join(choices)}{hint}"))


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
