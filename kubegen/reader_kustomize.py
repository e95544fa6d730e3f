"""kustomize's files in a directory the reader walks: ``kustomization.yaml`` itself, and
the files it names that are *not* objects for the API server.

A kustomize base or overlay keeps, next to its resources, YAML that kustomize only
reads: strategic-merge and JSON patches (a Deployment with nothing but ``replicas``),
the files a ``configMapGenerator`` turns into data (an ``application.yaml``), replacement
and transformer configurations, CRD schemas. ``kubectl apply -k`` and Argo CD never send
them to the API server; read as objects they would be reported as broken ones. So when
a directory is walked, the files its kustomizations name in those fields are skipped,
like the kustomization files. A file named on the command line is always read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from kubegen.errors import KubegenError

# The names kustomize takes for a kustomization, in the order it looks for them.
KUSTOMIZE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUSTOMIZE_FILES = frozenset(KUSTOMIZE_NAMES)

# Fields whose entries are file paths, or items with a ``path``, that kustomize reads
# as patches, configuration or schema (never as resources).
_PATCHES = ("patchesStrategicMerge", "patches", "patchesJson6902")
_CONFIGURATION = ("replacements", "configurations", "crds", "transformers", "generators", "validators")
_GENERATORS = ("configMapGenerator", "secretGenerator")


def generated(kustomizations: Sequence[str]) -> list[tuple[str, str, str | None, str]]:
    """What ``kustomizations`` (the files :class:`kubegen.reader.Reading` found) generate, as (kind,
    name, namespace or None for any, the kustomization's path): the ConfigMaps and Secrets of ``configMapGenerator`` and
    ``secretGenerator``, which the resources refer to by that name (kustomize rewrites
    the references to the generated, hash-suffixed name)."""
    made = []
    for path in kustomizations:
        data = load(path) or {}
        moves = bool(data.get("namespace"))  # kustomize moves the resources and what it generates there together
        for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            items = data.get(key)
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]:
                    namespace = item.get("namespace") if isinstance(item.get("namespace"), str) else None
                    made.append((kind, item["name"], None if moves else namespace or None, path))
    return made


def load(path: str) -> dict[str, Any] | None:
    """The kustomization at ``path`` as a mapping, read as kubectl reads YAML (never
    through a symlink); None when it cannot be read as one."""
    import yaml  # type: ignore[import-untyped]

    from kubegen.reader_loader import KubeLoader
    from kubegen.safefs import read_input

    try:
        data = yaml.load(read_input(path, follow_links=False).decode("utf-8-sig"), Loader=KubeLoader)
    except (KubegenError, OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _paths(value: Any) -> Iterable[str]:
    """The file names in one field's value (strings, or items with a ``path``)."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("path")
        if isinstance(item, str) and "\n" not in item:  # an inline patch is no file
            yield item


def _generator_files(value: Any) -> Iterable[str]:
    for generator in value if isinstance(value, list) else []:
        if not isinstance(generator, dict):
            continue
        for entry in _paths(generator.get("files")):
            yield entry.partition("=")[2] or entry  # "KEY=path" or "path"
        yield from _paths(generator.get("envs"))
        yield from _paths(generator.get("env"))


def _files(path: str, names: Iterable[str]) -> set[str]:
    base = os.path.dirname(os.path.abspath(path))
    return {os.path.normpath(os.path.join(base, n)) for n in names}


def patch_files(path: str) -> set[str]:
    """The absolute paths of the patch files the kustomization at ``path`` names."""
    data = load(path) or {}
    return _files(path, (name for key in _PATCHES for name in _paths(data.get(key))))


def non_resources(path: str) -> set[str]:
    """The absolute paths of the files the kustomization at ``path`` reads as anything
    but resources (patches, generator inputs, configurations), minus its resources."""
    data = load(path)
    if data is None:
        return set()
    names = [name for key in (*_PATCHES, *_CONFIGURATION) for name in _paths(data.get(key))]
    names += _generator_files(data.get("configMapGenerator"))
    names += _generator_files(data.get("secretGenerator"))
    names += _paths((data.get("openapi") or {}).get("path") if isinstance(data.get("openapi"), dict) else None)
    return _files(path, names) - _files(path, _paths(data.get("resources")))


__all__ = ["KUSTOMIZE_FILES", "KUSTOMIZE_NAMES", "generated", "load", "non_resources", "patch_files"]
