"""Generate ``kubegen/data/k8s_schema.json`` from the schemas bundled by kubernetes-validate.

Usage: ``python tools/gen_schema.py [--check]`` (``--check`` exits 1 when the
committed file differs from what would be generated).

kubernetes-validate is a test dependency only; kubegen ships the compact file this
script writes. The file holds:

- ``version``: the Kubernetes release the schemas describe (e.g. ``v1.37.0``);
- ``kinds``: every built-in kind -> the apiVersions that serve it, preferred first
  (GA before beta before alpha, higher major first, core group first);
- ``roots``: ``"<apiVersion> <kind>"`` -> definition name, for the kinds checked deeply;
- ``defs``: definition name -> ``{"p": {field: TYPE}, "r": [required fields]}``.

A TYPE is a primitive name (``string``, ``integer``, ``number``, ``boolean``,
``int-or-string``, ``quantity``, ``bytes``, ``any``), a definition name (always
contains a dot, e.g. ``core.v1.Container``), ``["list", TYPE]`` or ``["map", TYPE]``.
Output is deterministic: sorted keys, compact separators.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "kubegen" / "data" / "k8s_schema.json"

# Kinds checked deeply (their definitions and everything they reference).
DEEP_KINDS = (
    "Pod", "Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet",
    "Job", "CronJob", "Service", "Ingress", "IngressClass", "ConfigMap", "Secret", "Namespace",
    "ServiceAccount", "PersistentVolumeClaim", "HorizontalPodAutoscaler", "PodDisruptionBudget",
    "NetworkPolicy", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
    "ResourceQuota", "LimitRange", "PriorityClass", "StorageClass", "PersistentVolume",
    "Endpoints", "EndpointSlice", "PodTemplate", "ControllerRevision", "Lease", "RuntimeClass",
    "CSIDriver", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService",
    "CustomResourceDefinition",
)

PREFIXES = (
    ("io.k8s.api.", ""),
    ("io.k8s.apimachinery.pkg.apis.", ""),
    ("io.k8s.apimachinery.pkg.", ""),
    ("io.k8s.kube-aggregator.pkg.apis.", ""),
    ("io.k8s.apiextensions-apiserver.pkg.apis.", ""),
)

# Definitions that are a scalar or free-form value rather than an object with fields.
SPECIAL = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "int-or-string",
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "quantity",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "string",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "string",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "any",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "any",
}


def schema_dir() -> Path:
    """The newest ``v*-local-strict`` folder bundled by kubernetes-validate."""
    import kubernetes_validate

    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"

    def version_key(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", p.name.split("-")[0]))

    candidates = sorted(base.glob("v*-local-strict"), key=version_key)
    if not candidates:
        raise SystemExit(f"no *-local-strict schemas under {base}")
    return candidates[-1]


def short(ref: str) -> str:
    name = ref.rsplit("/", 1)[-1]
    for prefix, repl in PREFIXES:
        if name.startswith(prefix):
            return repl + name[len(prefix):]
    return name


def version_priority(api_version: str) -> tuple[int, int, int, int, str]:
    """Kubernetes' version order: GA, then beta, then alpha; higher numbers first; core first."""
    group, _, version = api_version.rpartition("/")
    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not m:
        return (3, 0, 0, 1, api_version)
    stage = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    return (stage, -int(m.group(1)), -int(m.group(3) or 0), 0 if not group else 1, group)


def primitive(schema: dict[str, Any]) -> str:
    types = schema.get("type", [])
    if isinstance(types, str):
        types = [types]
    types = [t for t in types if t != "null"]
    if not types:
        return "any"
    t = types[0]
    if t == "string" and schema.get("format") == "byte":
        return "bytes"
    if t == "object":
        return "any"
    return str(t)


def convert(schema: dict[str, Any], defs: dict[str, Any], needed: set[str]) -> Any:
    """One property schema -> a compact TYPE; referenced definitions go to ``needed``."""
    if "$ref" in schema:
        full = schema["$ref"].rsplit("/", 1)[-1]
        if full in SPECIAL:
            return SPECIAL[full]
        target = defs[full]
        if "properties" not in target:
            return primitive(target) if "type" in target else "any"
        needed.add(full)
        return short(full)
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    if "array" in types:
        return ["list", convert(schema.get("items", {}), defs, needed)]
    if "object" in types and isinstance(schema.get("additionalProperties"), dict):
        return ["map", convert(schema["additionalProperties"], defs, needed)]
    return primitive(schema)


def generate(folder: Path) -> dict[str, Any]:
    defs: dict[str, Any] = json.loads((folder / "_definitions.json").read_text())["$defs"]
    kinds: dict[str, set[str]] = {}
    roots: dict[str, str] = {}
    for full, schema in defs.items():
        if full.startswith("io.k8s.apimachinery.pkg.apis.meta.v1."):
            continue  # DeleteOptions, WatchEvent, Status...: not objects users create
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            kinds.setdefault(gvk["kind"], set()).add(api_version)
            if gvk["kind"] in DEEP_KINDS:
                roots[f"{api_version} {gvk['kind']}"] = full
    kinds.setdefault("List", set()).add("v1")  # kubectl's client-side list of objects
    out_defs: dict[str, Any] = {}
    todo = set(roots.values())
    while todo:
        full = todo.pop()
        if short(full) in out_defs:
            continue
        schema = defs[full]
        needed: set[str] = set()
        props = {
            name: convert(prop, defs, needed) for name, prop in schema.get("properties", {}).items()
        }
        entry: dict[str, Any] = {"p": props}
        if schema.get("required"):
            entry["r"] = sorted(schema["required"])
        out_defs[short(full)] = entry
        todo |= {n for n in needed if short(n) not in out_defs}
    return {
        "version": folder.name.split("-")[0],
        "kinds": {k: sorted(v, key=version_priority) for k, v in kinds.items()},
        "roots": {k: short(v) for k, v in roots.items()},
        "defs": out_defs,
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed file is out of date")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = render(generate(schema_dir()))
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run python tools/gen_schema.py", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"wrote {args.output} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
