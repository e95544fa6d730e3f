"""Every key of a ConfigMap or a Secret as env vars: ``Container(env_from=[EnvFrom(config_map=settings)])``."""

from __future__ import annotations

from typing import Any

import attrs

from kubegen.errors import BuilderError, reject
from kubegen.model._base import Builder, name_of, typed_fields


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


__all__ = ["EnvFrom"]
