"""The builders' own field checks, and why a field left at its default needs none.

Every builder checks the type of each of its fields after ``__init__`` (one validator
per class, :func:`kubegen.model._base.typed_fields`), but skips a field that holds its
plain default itself: sound only if every such default passes its field's own check,
which this file holds for every builder class kubegen has.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import attrs
import pytest

import kubegen.model
from kubegen import Container, Deployment, Service
from kubegen.errors import BuilderTypeError
from kubegen.model._base import _Named, _type_validator


def builder_classes() -> list[type]:
    found: dict[str, type] = {}
    for info in pkgutil.iter_modules(kubegen.model.__path__, "kubegen.model."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and attrs.has(value) and value.__module__ == module.__name__:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def plain_defaults(cls: type) -> list[tuple[str, Any, str]]:
    """(field, default, annotation) of the fields with a plain (not a factory) default."""
    return [(f.name, f.default, f.type) for f in attrs.fields(cls)
            if f.init and f.default is not attrs.NOTHING and not isinstance(f.default, attrs.Factory)
            and isinstance(f.type, str)]


CLASSES = builder_classes()


def test_every_builder_module_is_seen() -> None:
    names = {cls.__name__ for cls in CLASSES}
    assert {"Deployment", "Service", "Container", "Ingress", "ConfigMap", "Raw", "Stack"} <= names
    assert sum(len(plain_defaults(cls)) for cls in CLASSES) > 100


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_plain_default_passes_its_field_s_own_type_check(cls: type) -> None:
    for name, default, annotation in plain_defaults(cls):
        check = _type_validator(annotation, cls.__module__)
        if check is not None:
            check(object(), _Named(name), default)  # raises BuilderTypeError when it does not pass


def test_a_value_that_is_not_the_default_object_is_still_checked() -> None:
    with pytest.raises(BuilderTypeError, match="replicas must be an int or None"):
        Deployment(name="web", replicas="2", containers=[Container(name="web", image="nginx:1.27")])  # type: ignore[arg-type]
    with pytest.raises(BuilderTypeError, match="restart_policy must be a str or None"):
        Deployment(name="web", restart_policy=1, containers=[Container(name="web", image="nginx:1.27")])  # type: ignore[arg-type]
    with pytest.raises(BuilderTypeError, match="cluster_ip must be"):
        Service(name="web", selector={"app": "web"}, ports=[80], cluster_ip=False)  # type: ignore[arg-type]
    # The default written out is the default: accepted, as when left out.
    web = Deployment(name="web", replicas=1, restart_policy=None, containers=[Container(name="web", image="nginx:1.27")])
    assert web.to_dict()["spec"]["replicas"] == 1


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_plainly_typed_field_resolves_to_classes(cls: type) -> None:
    """A field annotated with classes only (``int | None``, ``Hook | None``) is type-checked;
    its names resolve in the builder's module or, for a builder that module imports only
    for type checking (it is loaded by an app that uses it), through kubegen.model. A
    name that resolved to nothing would drop the field's check without a word."""
    for field in attrs.fields(cls):
        if field.converter is not None or not field.init or not isinstance(field.type, str):
            continue
        check = _type_validator(field.type, cls.__module__)
        if check is None:
            continue  # Any, generics: not checked by design
        sentinel = object()  # no field takes a bare object: a resolved check refuses it
        with pytest.raises(BuilderTypeError, match=f"{field.name} must be"):
            check(sentinel, _Named(field.name), sentinel)
