"""An Ingress of a removed API version (``extensions/v1beta1``, ``networking.k8s.io/v1beta1``)
converted to ``networking.k8s.io/v1``, the way the API server converts a stored one:

- ``serviceName``/``servicePort`` become ``service: {name, port: {number}}`` (a string
  port is a port name: ``port: {name}``);
- ``spec.backend`` becomes ``spec.defaultBackend``;
- a path without ``pathType`` gets ``ImplementationSpecific``: v1beta1 defaulted it to
  exactly that (pkg/apis/networking/v1beta1 defaults.go), so the controller keeps
  matching it as before; v1 has no default and rejects the path without it.
"""

from __future__ import annotations

from typing import Any

from kubegen.checks.k8sdata import REMOVED
from kubegen.finding import Finding
from kubegen.fix.ops import Insert, Op, Rename, Replace, Set
from kubegen.fix.plan import Context, Fix, P, planner

V1 = "networking.k8s.io/v1"
OLD_DEFAULT_PATH_TYPE = "ImplementationSpecific"


@planner("api-version")
def convert(f: Finding, ctx: Context) -> Fix | None:
    m = f.manifest
    assert m is not None
    old = m.api_version
    if m.kind != "Ingress" or f.path != ("apiVersion",) or REMOVED.get((old, "Ingress"), ("", None))[1] != V1:
        return None
    spec = m.obj.get("spec")
    ops: list[Op] = []
    notes: list[str] = []
    if isinstance(spec, dict):
        rules = spec.get("rules")
        for ri, rule in enumerate(rules if isinstance(rules, list) else []):
            http = rule.get("http") if isinstance(rule, dict) else None
            paths = http.get("paths") if isinstance(http, dict) else None
            for pi, entry in enumerate(paths if isinstance(paths, list) else []):
                if not isinstance(entry, dict):
                    return None
                here: P = ("spec", "rules", ri, "http", "paths", pi)
                ok, backend = _backend(entry.get("backend"), (*here, "backend"))
                if not ok:
                    return None
                if backend is not None:
                    ops.append(backend)
                if "pathType" not in entry:
                    # after `path`, or first: never after the backend, whose old keys go
                    has_path = "path" in entry
                    ops.append(Insert(here, "pathType", OLD_DEFAULT_PATH_TYPE,
                                      after="path" if has_path else None, first=not has_path))
                    if "pathType" not in notes:
                        notes.append("pathType")
        if "backend" in spec:
            ok, backend = _backend(spec["backend"], ("spec", "backend"))
            if not ok or "defaultBackend" in spec:
                return None
            if backend is not None:
                ops.append(backend)
            ops.append(Rename(("spec", "backend"), "defaultBackend"))
            notes.append("defaultBackend")
    ops.append(Set(("apiVersion",), V1))
    said = ["backends as service: {name, port}"]
    if "pathType" in notes:
        said.append(f"pathType: {OLD_DEFAULT_PATH_TYPE} (v1beta1's default) added")
    if "defaultBackend" in notes:
        said.append("spec.backend -> spec.defaultBackend")
    return Fix(finding=f, manifest=m, ops=tuple(ops), summary=f"apiVersion {old} -> {V1} ({'; '.join(said)})")


def _backend(backend: Any, path: P) -> tuple[bool, Op | None]:
    """Whether the v1beta1 backend at ``path`` converts, and the op that does it (None for a
    resource backend, which needs none); half a service reference does not convert."""
    if not isinstance(backend, dict):
        return False, None
    if "serviceName" not in backend and "servicePort" not in backend:
        return "resource" in backend, None
    name, port = backend.get("serviceName"), backend.get("servicePort")
    if not isinstance(name, str) or isinstance(port, bool) or not isinstance(port, (int, str)):
        return False, None
    which = "number" if isinstance(port, int) else "name"
    value = {"name": name, "port": {which: port}}
    carry = (("serviceName", "name"), ("servicePort", f"port.{which}"))
    return True, Replace(path, ("serviceName", "servicePort"), "service", value, carry)
