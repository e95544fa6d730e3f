"""What a write would change: the files render produces versus what the directory holds."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kubegen.errors import KubegenError
from kubegen.gitops.layout import (
    KUSTOMIZATION_NAME,
    RECORD_NAME,
    LayoutError,
    header,
    kustomization_text,
    object_path,
    object_text,
    parse_record,
    record_text,
)
from kubegen.location import Location
from kubegen.manifest import Manifest
from kubegen.order import apply_order

_LIBRARY = Location("<library>")


@attrs.frozen(kw_only=True)
class Plan:
    """The files render would write into ``directory`` and what is there now.

    - ``files``: path -> bytes, objects in apply order, then the kustomization (if
      asked for), then the ownership record.
    - ``objects``: path -> the object each object file holds.
    - ``owned``: path -> sha256 from the directory's existing ownership record.
    - ``current``: path -> bytes on disk now (``None``: missing) for every path in
      ``files`` or ``owned``.
    """

    directory: str
    files: dict[str, bytes]
    objects: dict[str, dict[str, Any]]
    owned: dict[str, str]
    current: dict[str, bytes | None]

    @property
    def changed(self) -> list[str]:
        """Paths whose bytes render would write (new or different)."""
        return [p for p, data in self.files.items() if self.current.get(p) != data]

    @property
    def stale(self) -> list[str]:
        """Owned paths render no longer produces that are still on disk (to remove)."""
        return sorted(p for p in self.owned if p not in self.files and self.current.get(p) is not None)

    @property
    def conflicts(self) -> list[str]:
        """Paths render would write that hold a file kubegen does not own."""
        return [
            p for p in self.files
            if p != RECORD_NAME and p not in self.owned and self.current.get(p) not in (None, self.files[p])
        ]

    def show(self, path: str) -> str:
        """``path`` as users should see it: below the directory they named."""
        return os.path.join(self.directory, path)


def as_manifests(items: Iterable[Manifest | Mapping[str, Any]]) -> list[Manifest]:
    """Accept kubegen manifests or plain dicts (deploy scripts)."""
    return [m if isinstance(m, Manifest) else Manifest(dict(m), _LIBRARY) for m in items]


def expected_files(
    manifests: Iterable[Manifest | Mapping[str, Any]], source: str, kustomization: bool
) -> tuple[dict[str, bytes], dict[str, dict[str, Any]]]:
    """The bytes of every file render writes, and the object behind each object file."""
    head = header(source)
    files: dict[str, bytes] = {}
    objects: dict[str, dict[str, Any]] = {}
    for manifest in apply_order(as_manifests(manifests)):
        path = object_path(manifest.obj)
        if path in objects:
            other = objects[path]
            raise LayoutError(
                f"{manifest.label} and {other.get('kind')} {other.get('metadata', {}).get('name')!r} would both be "
                f"written to {path}; rename one of them",
                location=manifest.locate(),
            )
        objects[path] = manifest.obj
        files[path] = object_text(manifest.obj, head).encode("utf-8")
    if kustomization:
        files[KUSTOMIZATION_NAME] = kustomization_text(list(objects), head).encode("utf-8")
    files[RECORD_NAME] = record_text(source, files).encode("utf-8")
    return files, objects


def read_bytes(path: str) -> bytes | None:
    """The file's bytes, ``None`` when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise KubegenError(f"{path} is a directory where kubegen writes a file; move it away") from None
    except OSError as exc:
        raise KubegenError(f"cannot read {path}: {exc.strerror}") from None


def make_plan(
    manifests: Iterable[Manifest | Mapping[str, Any]], directory: str, *, source: str = "",
    kustomization: bool = False,
) -> Plan:
    """Compare what render would write into ``directory`` with what is there."""
    files, objects = expected_files(manifests, source, kustomization)
    if not os.path.isdir(directory):
        if os.path.exists(directory):
            raise KubegenError(f"--output-dir {directory}: exists and is not a directory")
        nothing: dict[str, bytes | None] = dict.fromkeys(files)
        return Plan(directory=directory, files=files, objects=objects, owned={}, current=nothing)
    record = read_bytes(os.path.join(directory, RECORD_NAME))
    owned: dict[str, str] = {}
    if record is not None:
        where = os.path.join(directory, RECORD_NAME)
        owned = parse_record(record.decode("utf-8", "replace"), where)
    _refuse_symlinked_folders(directory, [*files, *owned])
    current = {path: read_bytes(os.path.join(directory, path)) for path in {**files, **owned}}
    return Plan(directory=directory, files=files, objects=objects, owned=owned, current=current)


def _refuse_symlinked_folders(directory: str, paths: Iterable[str]) -> None:
    folders = {p.split("/", 1)[0] for p in paths if "/" in p}
    for folder in sorted(folders):
        full = os.path.join(directory, folder)
        if os.path.islink(full):
            raise KubegenError(
                f"{full} is a symbolic link; kubegen does not write or remove files through links "
                "(replace it with a real directory)"
            )
