"""What a write would change: the files render produces versus what the directory holds."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kubegen.errors import KubegenError
from kubegen.gitops.files import NotRegular, TreeReader
from kubegen.gitops.layout import (
    KUSTOMIZATION_NAME,
    RECORD_NAME,
    LayoutError,
    header,
    kustomization_text,
    object_path,
    object_text,
)
from kubegen.gitops.record import Recipe, read_record, record_text
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
    - ``current``: path -> bytes on disk now (``None``: missing, or not a regular
      file) for every path in ``files`` or ``owned``.
    - ``irregular``: path -> what is there instead of a regular file (``a symbolic
      link``, ``a directory``, ...), for those paths; kubegen never reads, replaces or
      removes these.
    - ``shown``: how messages name the directory (as the user typed it).
    """

    directory: str
    files: dict[str, bytes]
    objects: dict[str, dict[str, Any]]
    owned: dict[str, str]
    current: dict[str, bytes | None]
    irregular: dict[str, str] = attrs.field(factory=dict)
    shown: str = ""

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
        return os.path.join(self.shown or self.directory, path)

    def refuse_irregular(self) -> None:
        """Raise when a path render would write or remove is not a regular file."""
        if self.irregular:
            listing = "; ".join(f"{self.show(p)} is {what}" for p, what in sorted(self.irregular.items()))
            raise KubegenError(
                f"{listing}; kubegen writes regular files only, and never writes or removes through a "
                "link: remove it and render again. Nothing was written."
            )


def as_manifests(items: Iterable[Manifest | Mapping[str, Any]]) -> list[Manifest]:
    """Accept kubegen manifests or plain dicts (deploy scripts)."""
    return [m if isinstance(m, Manifest) else Manifest(dict(m), _LIBRARY) for m in items]


def expected_files(
    manifests: Iterable[Manifest | Mapping[str, Any]], recipe: Recipe
) -> tuple[dict[str, bytes], dict[str, dict[str, Any]]]:
    """The bytes of every file render writes, and the object behind each object file."""
    head = header(recipe.label)
    files: dict[str, bytes] = {}
    objects: dict[str, dict[str, Any]] = {}
    manifests_by_path: list[Manifest] = []
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
        manifests_by_path.append(manifest)
        files[path] = object_text(manifest.obj, head).encode("utf-8")
    if recipe.kustomization:
        _kustomizable(manifests_by_path)
        files[KUSTOMIZATION_NAME] = kustomization_text(list(objects), head).encode("utf-8")
    files[RECORD_NAME] = record_text(recipe, files).encode("utf-8")
    return files, objects


def _kustomizable(manifests: list[Manifest]) -> None:
    """kustomize builds no object without ``metadata.name`` (``missing metadata.name``)."""
    for manifest in manifests:
        if not manifest.name:
            raise LayoutError(
                f"{manifest.label} has only a generateName, and kustomize cannot build an object without "
                "metadata.name, so `kubectl apply -k` and Argo CD would fail on the kustomization: render without "
                "--kustomization (Argo CD syncs the plain directory and creates the hook), or give it a name",
                location=manifest.locate(),
            )


def make_plan(
    manifests: Iterable[Manifest | Mapping[str, Any]], directory: str, *, recipe: Recipe | None = None,
    shown: str | None = None,
) -> Plan:
    """Compare what render would write into ``directory`` with what is there.

    ``recipe`` is how the files are rendered (header label, kustomization, what the
    record remembers). Reads only regular files below ``directory``, never through
    a symbolic link (:func:`kubegen.gitops.files.read_regular`); ``shown`` names the
    directory in messages (default: ``directory``).
    """
    files, objects = expected_files(manifests, recipe or Recipe())
    label = shown or directory
    if not os.path.isdir(directory):
        if os.path.lexists(directory):
            raise KubegenError(f"--output-dir {label}: exists and is not a directory")
        nothing: dict[str, bytes | None] = dict.fromkeys(files)
        return Plan(directory=directory, files=files, objects=objects, owned={}, current=nothing, shown=label)
    record = read_record(directory, label)
    owned = record.owned if record is not None else {}
    _refuse_symlinked_folders(directory, label, [*files, *owned])
    current: dict[str, bytes | None] = {}
    irregular: dict[str, str] = {}
    with TreeReader(directory) as tree:
        for path in {**files, **owned}:
            try:
                current[path] = tree.read(path)
            except NotRegular as exc:
                current[path] = None
                irregular[path] = exc.what
    return Plan(
        directory=directory, files=files, objects=objects, owned=owned, current=current, irregular=irregular,
        shown=label,
    )


def _refuse_symlinked_folders(directory: str, label: str, paths: Iterable[str]) -> None:
    folders = {p.split("/", 1)[0] for p in paths if "/" in p}
    for folder in sorted(folders):
        if os.path.islink(os.path.join(directory, folder)):
            raise KubegenError(
                f"{os.path.join(label, folder)} is a symbolic link; kubegen does not write, read or remove "
                "files through links (replace it with a real directory)"
            )
