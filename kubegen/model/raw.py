"""Raw: the escape hatch for any manifest kubegen does not model, passed through as given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kubegen.errors import BuilderError, reject
from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    Builder,
    FrozenDict,
    invalid,
    source_field,
    typed_fields,
)
from kubegen.values import copy_data, plain_data


def _copy_manifest(value: Mapping[str, Any]) -> Any:
    if not isinstance(value, Mapping):
        return invalid(EMPTY, f"Raw: manifest must be a mapping (got {type(value).__name__}); "
                              "write manifest={'apiVersion': ..., 'kind': ..., 'metadata': {'name': ...}}")
    return FrozenDict(plain_data(dict(value)))


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Raw(Builder):
    """Any manifest kubegen does not model (CRDs, RBAC, ...), passed through as given.

    ``manifest`` is the object in the API's JSON shape (``apiVersion``, ``kind``,
    ``metadata.name``, ...). It is deep-copied, and checked like every other object
    (``api-version``, ``schema``, wiring rules when it runs pods); values a manifest
    cannot hold (a set, bytes, NaN, a lone surrogate, a ``None`` key, nesting deeper
    than :data:`kubegen.values.MAX_DEPTH`) are ``schema`` findings at your line.
    """

    manifest: FrozenDict = attrs.field(converter=_copy_manifest)
    source: Location = source_field()

    def __attrs_post_init__(self) -> None:
        if self.manifest is EMPTY:
            return  # not a mapping: said so already
        missing = [
            k for k in ("apiVersion", "kind") if not isinstance(self.manifest.get(k), str) or not self.manifest[k]
        ]
        meta = self.manifest.get("metadata")
        if not isinstance(meta, Mapping) or not (
                isinstance(meta.get("name"), str) or isinstance(meta.get("generateName"), str)):
            missing.append("metadata.name")
        if missing:
            kind = self.manifest.get("kind")
            reject(BuilderError(
                f"Raw{' ' + kind if isinstance(kind, str) and kind else ''}: invalid resource definition, "
                f"{'key' if len(missing) == 1 else 'keys'} {', '.join(repr(k) for k in missing)} missing"
            ))

    @property
    def kind(self) -> str:
        kind: str = self.manifest["kind"]
        return kind

    @property
    def name(self) -> str:
        """``metadata.name`` ("" for an object with only a ``generateName``)."""
        meta = self.manifest.get("metadata")
        name = meta.get("name") if isinstance(meta, Mapping) else None
        return name if isinstance(name, str) else ""

    @property
    def namespace(self) -> str | None:
        ns: str | None = self.manifest["metadata"].get("namespace")
        return ns

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = copy_data(dict(self.manifest))
        return result


__all__ = ["Raw"]
