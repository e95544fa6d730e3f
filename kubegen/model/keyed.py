"""What ConfigMaps and Secrets share: their key/value data converters, base64 output,
and ``volume()``/``mount()`` for reading their keys as files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kubegen import facts
from kubegen.model._base import (
    FrozenDict,
    Invalid,
    as_mapping,
    is_done,
)

if TYPE_CHECKING:
    from kubegen.model.volume import Volume, VolumeMount


def to_string_data(value: Mapping[str, str] | None) -> Any:
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


def to_bytes_data(value: Mapping[str, bytes] | None) -> Any:
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


def b64(data: Mapping[str, bytes]) -> dict[str, str]:
    import base64  # only for binary data

    return {k: base64.b64encode(v).decode("ascii") for k, v in data.items()}


class Mountable:
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


__all__ = ["Mountable", "b64", "to_bytes_data", "to_string_data"]
