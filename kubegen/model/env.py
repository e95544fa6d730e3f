"""Environment variables of a container: values read from ConfigMaps, Secrets, the pod's
own fields and resources, and whole ConfigMaps or Secrets imported at once (``EnvFrom``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kubegen import facts
from kubegen.errors import BuilderError, BuilderTypeError, reject
from kubegen.model._base import (
    Builder,
    FrozenDict,
    Invalid,
    as_mapping,
    check,
    frozen_any_map,
    is_done,
    name_of,
    plain,
    typed_fields,
)


def _check_target(owner: str, field: str, target: Any, kind: str) -> None:
    """A reference names its target: the object or its name (whether the stack has it, and
    the key, is the ``config-ref`` / ``config-key`` rules' business)."""
    if not isinstance(getattr(target, "name", target), str):
        reject(BuilderTypeError(f"{owner}: {field} must be a {kind} or its name (got {target!r})"))


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ConfigMapKeyRef(Builder):
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
class SecretKeyRef(Builder):
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
class FieldRef(Builder):
    """Env value from the pod's own fields, e.g. ``FieldRef(field_path="status.podIP")``."""

    field_path: str

    def to_dict(self) -> dict[str, Any]:
        return {"fieldRef": {"fieldPath": self.field_path}}


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ResourceFieldRef(Builder):
    """Env value from a container's own requests or limits, e.g.
    ``ResourceFieldRef(resource="limits.memory", divisor="1Mi")``.

    - ``resource``: ``limits.cpu``, ``limits.memory``, ``requests.cpu``, ... (required).
    - ``container_name``: whose resources (required in a pod with several containers).
      Default: none (this container).
    - ``divisor``: the unit of the value, a quantity. Default: none (``1``).
    """

    resource: str
    container_name: str | None = None
    divisor: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.divisor is not None:
            check("ResourceFieldRef", "divisor", self.divisor, facts.quantity_problems)

    def to_dict(self) -> dict[str, Any]:
        ref: dict[str, Any] = {}
        if self.container_name is not None:
            ref["containerName"] = self.container_name
        if self.divisor is not None:
            ref["divisor"] = self.divisor
        ref["resource"] = self.resource
        return {"resourceFieldRef": ref}


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ValueFrom(Builder):
    """Any other env value source, in the API's shape: ``ValueFrom(source={"fileKeyRef":
    {...}})``: the per-variable escape hatch (the other variables stay typed)."""

    source: FrozenDict = attrs.field(converter=frozen_any_map)

    def __attrs_post_init__(self) -> None:
        if len(self.source) != 1:
            reject(BuilderError(f"ValueFrom: source must hold exactly one value source (got {dict(self.source)})"))

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self.source)
        return result


EnvValue = str | int | float | ConfigMapKeyRef | SecretKeyRef | FieldRef | ResourceFieldRef | ValueFrom
_ENV_SOURCES = (ConfigMapKeyRef, SecretKeyRef, FieldRef, ResourceFieldRef, ValueFrom)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class EnvFrom(Builder):
    """Import every key of a ConfigMap or a Secret as env vars (give exactly one).

    - ``config_map`` / ``secret``: the object or its name. Default: none.
    - ``prefix``: put in front of every variable name. Default: none.
    - ``optional``: start the container even if the object does not exist. Default:
      none (the API's false: the container waits for it, CreateContainerConfigError).
    """

    config_map: Any = None
    secret: Any = None
    prefix: str | None = None
    optional: bool | None = None

    def __attrs_post_init__(self) -> None:
        if (self.config_map is None) == (self.secret is None):
            reject(BuilderError("EnvFrom: give exactly one of config_map= or secret="))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.prefix is not None:
            d["prefix"] = self.prefix
        ref: dict[str, Any] = {"name": name_of(self.config_map if self.config_map is not None else self.secret)}
        if self.optional is not None:
            ref["optional"] = self.optional
        d["configMapRef" if self.config_map is not None else "secretRef"] = ref
        return d


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
        elif not isinstance(item, (str, int, float, *_ENV_SOURCES)):
            problems.append((
                f"{{owner}}: env[{name!r}]: expected a string, ConfigMapKeyRef, SecretKeyRef, FieldRef, "
                f"ResourceFieldRef or ValueFrom (got {item!r})", True,
            ))
        else:
            env[name] = str(item) if isinstance(item, (int, float)) else item
    return Invalid(problems, FrozenDict(env)) if problems else FrozenDict(env)
