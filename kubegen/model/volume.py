"""Pod volumes and where containers mount them.

A :class:`VolumeMount` made by a ``mount()`` helper (``config.mount("/etc/app")``,
``claim.mount("/data")``, ``Volume.secret(...).mount(...)``) carries its volume, so the
workload declares it by itself: the mount and the volume cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kubegen import facts
from kubegen.errors import BuilderError, BuilderTypeError
from kubegen.model._base import Builder, FrozenDict, check, frozen_any_map, name_of, plain, typed_fields


def volume_name_for(owner: str, name: str) -> str:
    """The default volume name for an object called ``name`` (a volume name is a DNS-1123
    label: no dots, at most 63 characters)."""
    candidate = name.replace(".", "-")
    if facts.dns1123_label_problems(candidate):
        raise BuilderError(
            f"{owner}: {name!r} cannot be a volume name (a DNS-1123 label, at most 63 characters); "
            "pass volume_name=..."
        )
    return candidate


def _items(owner: str, items: Mapping[str, str] | None) -> list[dict[str, str]] | None:
    """``{"key": "relative/path"}`` as the API's ``items`` list (None: every key)."""
    if items is None:
        return None
    if not isinstance(items, Mapping) or not items:
        raise BuilderTypeError(f"{owner}: items must be a non-empty mapping of key to file path (got {items!r})")
    out = []
    for key, path in items.items():
        check(owner, "items key", key, facts.config_key_problems)
        if not isinstance(path, str) or not path or path.startswith("/") or ".." in path.split("/"):
            raise BuilderError(
                f"{owner}: items[{key!r}] path {path!r} must be a relative path without '..' "
                "(the file's name inside the mount)"
            )
        out.append({"key": key, "path": path})
    return out


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Volume(Builder):
    """A pod volume; build it with ``Volume.config_map``, ``Volume.secret``,
    ``Volume.empty_dir`` or ``Volume.pvc`` (or give the raw ``source`` mapping).

    - ``name``: DNS-1123 label, unique in the pod (required).
    - ``source``: the volume source in the API's shape, e.g. ``{"emptyDir": {}}`` (required).
    """

    name: str
    source: FrozenDict = attrs.field(converter=frozen_any_map)

    def __attrs_post_init__(self) -> None:
        check("Volume", "name", self.name, facts.dns1123_label_problems)

    @classmethod
    def config_map(
        cls, name: str, config_map: Any, *, items: Mapping[str, str] | None = None, optional: bool | None = None,
        default_mode: int | None = None,
    ) -> Volume:
        """The keys of a ConfigMap (the object or its name) as files; ``items={"key": "file"}``
        picks keys and names their files (default: every key, named as the key)."""
        source: dict[str, Any] = {"name": name_of(config_map)}
        return cls(name=name, source={"configMap": _source(source, f"Volume {name!r}", items, optional, default_mode)})

    @classmethod
    def secret(
        cls, name: str, secret: Any, *, items: Mapping[str, str] | None = None, optional: bool | None = None,
        default_mode: int | None = None,
    ) -> Volume:
        """The keys of a Secret (the object or its name) as files (``items`` as for ``config_map``)."""
        source: dict[str, Any] = {"secretName": name_of(secret)}
        return cls(name=name, source={"secret": _source(source, f"Volume {name!r}", items, optional, default_mode)})

    @classmethod
    def empty_dir(cls, name: str) -> Volume:
        return cls(name=name, source={"emptyDir": {}})

    @classmethod
    def pvc(cls, name: str, claim: Any, *, read_only: bool | None = None) -> Volume:
        """A PersistentVolumeClaim (the object or its name)."""
        source: dict[str, Any] = {"claimName": name_of(claim)}
        if read_only is not None:
            source["readOnly"] = read_only
        return cls(name=name, source={"persistentVolumeClaim": source})

    def mount(self, mount_path: str, *, read_only: bool | None = None, sub_path: str | None = None) -> VolumeMount:
        """A mount of this volume at ``mount_path``; the workload declares the volume by itself."""
        return VolumeMount(name=self.name, mount_path=mount_path, read_only=read_only, sub_path=sub_path, volume=self)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **{k: plain(v) for k, v in self.source.items()}}


def _source(
    source: dict[str, Any], owner: str, items: Mapping[str, str] | None, optional: bool | None,
    default_mode: int | None,
) -> dict[str, Any]:
    listed = _items(owner, items)
    if listed is not None:
        source["items"] = listed
    if default_mode is not None:
        if isinstance(default_mode, bool) or not isinstance(default_mode, int) or not 0 <= default_mode <= 0o777:
            raise BuilderError(f"{owner}: default_mode must be a file mode between 0 and 0o777 (got {default_mode!r})")
        source["defaultMode"] = default_mode
    if optional is not None:
        source["optional"] = optional
    return source


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class VolumeMount(Builder):
    """Mount volume ``name`` (declared on the pod) at ``mount_path``.

    - ``name``: the volume's name (required).
    - ``mount_path``: where in the container, e.g. ``/data`` (required).
    - ``read_only``, ``sub_path``: as in the API. Default: none.
    - ``volume``: the :class:`Volume` itself, set by the ``mount()`` helpers; the workload
      then declares it without ``volumes=[...]``. Default: none.
    """

    name: str
    mount_path: str
    read_only: bool | None = None
    sub_path: str | None = None
    volume: Volume | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.mount_path, str) or not self.mount_path:
            raise BuilderError(
                f"VolumeMount {self.name!r}: mount_path {self.mount_path!r} must be a path such as /data"
            )
        if self.volume is not None and self.volume.name != self.name:
            raise BuilderError(f"VolumeMount {self.name!r}: its volume is called {self.volume.name!r}")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "mountPath": self.mount_path}
        if self.read_only is not None:
            d["readOnly"] = self.read_only
        if self.sub_path is not None:
            d["subPath"] = self.sub_path
        return d
