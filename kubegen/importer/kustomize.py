"""A kustomize base read as plain files: what its ``kustomization.yaml`` would change.

``kubegen import DIR`` (like ``kubegen lint DIR``) reads the YAML files of a directory as
written and skips kustomize's own ``kustomization.yaml``. For a base that only lists its
resources that is the app Argo CD or ``kubectl apply -k`` deploys; a kustomization that
*transforms* them (``namePrefix``, ``commonLabels``, ``images``, ``configMapGenerator``,
``patches``, a ``namespace`` the files do not state, resources from ``../base``) makes
another app. Import does not apply kustomize; it says, in the generated app's header,
which fields it left unapplied and how to import what kustomize builds
(``kubectl kustomize DIR | kubegen import -``).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence

from kubegen.manifest import Manifest
from kubegen.reader_kustomize import load

# What only names the base's own objects: applying them changes nothing.
_NEUTRAL = {"apiVersion", "kind", "metadata", "resources", "sortOptions", "openapi", "buildMetadata"}


def unapplied(path: str, manifests: Sequence[Manifest]) -> list[str]:
    """The fields of the kustomization at ``path`` that would change the objects read
    from its directory (``["namePrefix", "configMapGenerator"]``); ``["?"]`` when it
    cannot be read as a kustomization."""
    data = load(path)
    if data is None:
        return ["?"]
    fields = sorted(str(k) for k in data if k not in _NEUTRAL)
    base = os.path.dirname(os.path.abspath(path))
    if "namespace" in fields:
        mine = [m for m in manifests if os.path.abspath(m.origin.file).startswith(base + os.sep)]
        if all(m.namespace == data["namespace"] for m in mine if m.kind != "Namespace"):
            fields.remove("namespace")  # every object already states it
    resources = data.get("resources")
    for item in resources if isinstance(resources, list) else []:
        target = os.path.normpath(os.path.join(base, str(item)))
        if not (target + os.sep).startswith(base + os.sep) or "://" in str(item) or not os.path.exists(target):
            fields.append(f"resources: {item}")  # a base elsewhere or a remote one (a subdirectory is read too)
    return fields


def note(kustomizations: Sequence[str], manifests: Sequence[Manifest]) -> str | None:
    """The header's words on ``kustomizations`` (the files the reader found) whose
    transformations import did not apply."""
    parts = []
    for path in kustomizations:
        fields = unapplied(path, manifests)
        if fields:
            what = "cannot be read as a kustomization" if fields == ["?"] else f"sets {', '.join(fields)}"
            parts.append((path, what))
    if not parts:
        return None
    listed = "; ".join(f"{path} {what}" for path, what in parts)
    directory = os.path.dirname(parts[0][0]) or "."
    return (f"Not what kustomize builds: {listed}, which import does not apply (it read the files as "
            f"written). To import the app kustomize makes: kubectl kustomize {shlex.quote(directory)} | kubegen "
            "import -")


__all__ = ["note", "unapplied"]
