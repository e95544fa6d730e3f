"""Namespace, ConfigMap, Secret, and the raw-manifest escape hatch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from kubegen import facts
from kubegen.errors import BuilderError, reject
from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    Builder,
    FrozenDict,
    Invalid,
    as_mapping,
    check_labels,
    check_name,
    frozen_str_map,
    invalid,
    is_done,
    source_field,
    typed_fields,
)
from kubegen.model.meta import ObjectBuilder
from kubegen.values import copy_data, plain_data

if TYPE_CHECKING:
    from kubegen.model.volume import Volume, VolumeMount


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Namespace(ObjectBuilder):
    """A Namespace (a Stack with ``namespace=`` creates its own; add this one to set labels).

    - ``name``: DNS-1123 label (required).
    - ``labels`` / ``annotations``: Default: none.
    """

    name: str = ""
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "Namespace"
    namespace = None

    def __attrs_post_init__(self) -> None:
        check_name("Namespace", self, facts.dns1123_label_problems)
        check_labels(f"Namespace {self.name!r}", "labels", self.labels)

    def to_dict(self) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": self.object_meta(cluster_scoped=True),
        }


def _to_string_data(value: Mapping[str, str] | None) -> Any:
    value = as_mapping(value, "key to text", "{'key': 'text'}")
    if is_done(value):
        return value
    problems = _key_problems(value)
    for key, item in value.items():
        if not isinstance(item, str):
            hint = f"{str(item).lower()!r}" if isinstance(item, bool) else f"{str(item)!r}"
            problems.append((
                f"{{owner}}: {{field}}[{key!r}]: values are strings in Kubernetes, got {item!r} "
                f"({type(item).__name__}); write {hint}", True,
            ))
    return Invalid(problems, FrozenDict(value)) if problems else FrozenDict(value)


def _to_bytes_data(value: Mapping[str, bytes] | None) -> Any:
    value = as_mapping(value, "key to bytes", "{'key': b'...'}")
    if is_done(value):
        return value
    problems = _key_problems(value)
    for key, item in value.items():
        if not isinstance(item, bytes):
            problems.append((
                f"{{owner}}: {{field}}[{key!r}] must be bytes (got {type(item).__name__}); write b'...' "
                "(text goes in data= of a ConfigMap, string_data= of a Secret)", True,
            ))
    return Invalid(problems, FrozenDict(value)) if problems else FrozenDict(value)


def _key_problems(value: Mapping[str, Any]) -> list[tuple[str, bool]]:
    problems: list[tuple[str, bool]] = []
    for key in value:
        if not isinstance(key, str):
            problems.append((f"{{owner}}: {{field}} keys must be strings (got {key!r})", True))
            continue
        wrong = facts.config_key_problems(key)
        if wrong:
            problems.append((f"{{owner}}: {{field}} key {key!r} " + "; ".join(wrong), False))
    return problems


def _b64(data: Mapping[str, bytes]) -> dict[str, str]:
    import base64  # only for binary data

    return {k: base64.b64encode(v).decode("ascii") for k, v in data.items()}


class _Mountable:
    """``volume()`` and ``mount()`` for the objects whose keys a pod can read as files."""

    __slots__ = ()
    name: str
    kind: str

    def volume(self, name: str | None = None, *, items: Mapping[str, str] | None = None,
               optional: bool | None = None, default_mode: int | None = None) -> Volume:
        """The pod volume with this object's keys as files (``items={"key": "file"}`` picks
        some); called ``name`` (default: the object's name)."""
        from kubegen.model.volume import Volume, volume_name_for

        volume_name = name or volume_name_for(f"{self.kind} {self.name!r}", self.name)
        make = Volume.config_map if self.kind == "ConfigMap" else Volume.secret
        return make(volume_name, self, items=items, optional=optional, default_mode=default_mode)

    def mount(self, mount_path: str, *, volume_name: str | None = None, items: Mapping[str, str] | None = None,
              optional: bool | None = None, default_mode: int | None = None, read_only: bool | None = None,
              sub_path: str | None = None) -> VolumeMount:
        """Mount the keys as files at ``mount_path``; the pod declares the volume by itself:
        ``Container(volume_mounts=[config.mount("/etc/app")])``."""
        volume = self.volume(volume_name, items=items, optional=optional, default_mode=default_mode)
        return volume.mount(mount_path, read_only=read_only, sub_path=sub_path)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ConfigMap(_Mountable, ObjectBuilder):
    """Configuration as key/value strings.

    - ``name``: DNS-1123 subdomain (required).
    - ``data``: ``{"key": "text"}``; values must be strings. Default: none.
    - ``binary_data``: ``{"key": b"bytes"}``, base64-encoded on output. Default: none.
    - ``immutable``: Default: none (mutable).
    - ``labels`` / ``annotations`` / ``namespace``: Default: none / none / the Stack's.
    """

    name: str = ""
    data: FrozenDict = attrs.field(default=EMPTY, converter=_to_string_data)
    binary_data: FrozenDict = attrs.field(default=EMPTY, converter=_to_bytes_data)
    immutable: bool | None = None
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "ConfigMap"

    def __attrs_post_init__(self) -> None:
        check_name("ConfigMap", self, facts.dns1123_subdomain_problems)
        check_labels(f"ConfigMap {self.name!r}", "labels", self.labels)
        both = set(self.data) & set(self.binary_data)
        if both:
            reject(BuilderError(f"ConfigMap {self.name!r}: keys {sorted(both)} are in data and binary_data"))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": self.object_meta(),
        }
        if self.data:
            d["data"] = dict(self.data)
        if self.binary_data:
            d["binaryData"] = _b64(self.binary_data)
        if self.immutable is not None:
            d["immutable"] = self.immutable
        return d


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Secret(_Mountable, ObjectBuilder):
    """A Secret. Values in ``string_data`` are written as given (the API encodes them);
    ``data`` takes bytes and writes them base64-encoded.

    - ``name``: DNS-1123 subdomain (required).
    - ``string_data``: ``{"password": "..."}``. Default: none.
    - ``data``: ``{"tls.crt": b"..."}``. Default: none.
    - ``type``: Default: ``"Opaque"``.
    - ``immutable``, ``labels``, ``annotations``, ``namespace``: as for ConfigMap.
    """

    name: str = ""
    string_data: FrozenDict = attrs.field(default=EMPTY, converter=_to_string_data)
    data: FrozenDict = attrs.field(default=EMPTY, converter=_to_bytes_data)
    type: str = "Opaque"
    immutable: bool | None = None
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "Secret"

    def __attrs_post_init__(self) -> None:
        check_name("Secret", self, facts.dns1123_subdomain_problems)
        check_labels(f"Secret {self.name!r}", "labels", self.labels)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": self.object_meta(),
            "type": self.type,
        }
        if self.data:
            d["data"] = _b64(self.data)
        if self.string_data:
            d["stringData"] = dict(self.string_data)
        if self.immutable is not None:
            d["immutable"] = self.immutable
        return d


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
