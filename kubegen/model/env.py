"""Environment variables of a container: values read from ConfigMaps and Secrets, and any
other value source (``ValueFrom``). The pod's own fields and resources are in
:mod:`kubegen.model.downward`, whole ConfigMaps or Secrets imported at once in
:mod:`kubegen.model.envfrom`: each module is loaded by an app that uses it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from kubegen.errors import BuilderError, BuilderTypeError, reject
from kubegen.model._base import (
    Builder,
    FrozenDict,
    Invalid,
    as_mapping,
    frozen_any_map,
    is_done,
    name_of,
    plain,
    typed_fields,
)

if TYPE_CHECKING:
    from kubegen.model.downward import FieldRef, ResourceFieldRef


def _check_target(owner: str, field: str, target: Any, kind: str) -> None:
    """A reference names its target: the object or its name (whether the stack has it, and
    the key, is the ``config-ref`` / ``config-key`` rules' business)."""
    if not isinstance(getattr(target, "name", target), str):
        reject(BuilderTypeError(f"{owner}: {field} must be a {kind} or its name (got {target!r})"))


class EnvSource(Builder):
    """Base of the env value sources (:class:`ConfigMapKeyRef`, :class:`SecretKeyRef`,
    :class:`ValueFrom`, and the downward API's ``FieldRef`` and ``ResourceFieldRef`` in
    :mod:`kubegen.model.downward`): what ``env={"NAME": ...}`` takes besides text and
    numbers. Each renders the API's ``valueFrom`` with ``to_dict()``."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ConfigMapKeyRef(EnvSource):
    """Env value read from key ``key`` of ConfigMap ``config_map`` (a name or a ConfigMap)."""

    config_map: Any
    key: str
    optional: bool | None = None

    def __attrs_post_init__(self) -> None:
        _check_target("ConfigMapKeyRef", "config_map", self.config_map, "ConfigMap")

    def to_dict(self) -> dict[str, Any]:
        ref: dict[str, Any] = {"name": name_of(self.config_map), "key": self.key}
        if self.optional is not None:
            ref["optional"] = self.optional
        return {"configMapKeyRef": ref}


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class SecretKeyRef(EnvSource):
    """Env value read from key ``key`` of Secret ``secret`` (a name or a Secret)."""

    secret: Any
    key: str
    optional: bool | None = None

    def __attrs_post_init__(self) -> None:
        _check_target("SecretKeyRef", "secret", self.secret, "Secret")

    def to_dict(self) -> dict[str, Any]:
        ref: dict[str, Any] = {"name": name_of(self.secret), "key": self.key}
        if self.optional is not None:
            ref["optional"] = self.optional
        return {"secretKeyRef": ref}


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ValueFrom(EnvSource):
    """Any other env value source, in the API's shape: ``ValueFrom(source={"fileKeyRef":
    {...}})``: the per-variable escape hatch (the other variables stay typed)."""

    source: FrozenDict = attrs.field(converter=frozen_any_map)

    def __attrs_post_init__(self) -> None:
        if len(self.source) != 1:
            reject(BuilderError(f"ValueFrom: source must hold exactly one value source (got {dict(self.source)})"))

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self.source)
        return result


EnvValue: TypeAlias = "str | int | float | ConfigMapKeyRef | SecretKeyRef | FieldRef | ResourceFieldRef | ValueFrom"


def to_env(value: Mapping[str, EnvValue] | None) -> Any:
    """Converter: ``{"NAME": value}``; numbers become strings, booleans are refused."""
    value = as_mapping(value, "NAME to value", "{'LOG_LEVEL': 'info'}")
    if is_done(value):
        return value
    env = {}
    problems: list[tuple[str, bool]] = []
    for name, item in value.items():
        if not isinstance(name, str) or not name or "=" in name:
            problems.append((f"{{owner}}: env variable name {name!r} must be a non-empty string without '='", False))
        elif isinstance(item, bool) or item is None:
            problems.append((
                f"{{owner}}: env[{name!r}]: {item!r} is not a string; env values are strings in Kubernetes "
                f"(write {str(item).lower()!r} if that is what the program expects)", True,
            ))
        elif not isinstance(item, (str, int, float, EnvSource)):
            problems.append((
                f"{{owner}}: env[{name!r}]: expected a string, ConfigMapKeyRef, SecretKeyRef, FieldRef, "
                f"ResourceFieldRef or ValueFrom (got {item!r})", True,
            ))
        else:
            env[name] = str(item) if isinstance(item, (int, float)) else item
    return Invalid(problems, FrozenDict(env)) if problems else FrozenDict(env)
