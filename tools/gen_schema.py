"""Compile a Kubernetes release's OpenAPI v3 documents into the data kubegen ships.

Usage::

    python tools/gen_schema.py [tools/openapi/vX.Y] [--check]

Reads every ``*.json.gz`` (or ``*.json``) under the directory (default: the newest
``tools/openapi/v*``), as the API server serves them at ``/openapi/v3/...``, and writes
``kubegen/data/k8s-X.Y.json``. ``--check`` exits 1 when the shipped file differs from
what would be generated. Output is deterministic: sorted keys, compact separators.

For the newest release it also writes ``kubegen/apidata_enums.py``: the enumerations
alone, as a Python module, so a builder that checks a choice (``type="NodePort"``)
reads a few tuples instead of parsing the whole file (start-up time).

The file holds:

- ``version``: the release (``1.36``);
- ``kinds``: every served kind -> its apiVersions, preferred first (GA before beta
  before alpha, higher versions first, the core group first);
- ``roots``: ``"<apiVersion> <kind>"`` -> definition name, for the kinds checked deeply;
- ``defs``: definition name -> ``{"p": {field: TYPE}, "r": [required], "e": {field:
  [enum values]}, "d": {field: default}, "k": {field: [list-map keys]}, "f": {field:
  format}}`` (``r``, ``e``, ``d``, ``k`` and ``f`` only when not empty). ``f`` names the
  formats the API server's decoder holds a scalar to: ``int32`` (a Go int32 field) and
  ``date-time`` (a metav1.Time, RFC 3339).

A TYPE is a primitive name (``string``, ``integer``, ``number``, ``boolean``,
``int-or-string``, ``quantity``, ``bytes``, ``any``), a definition name (always
contains a dot, e.g. ``core.v1.Container``), ``["list", TYPE]`` or ``["map", TYPE]``.
An enum or list-map key of a list field applies to its items.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OPENAPI = ROOT / "tools" / "openapi"
DATA = ROOT / "kubegen" / "data"

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
    "io.k8s.api.",
    "io.k8s.apimachinery.pkg.apis.",
    "io.k8s.apimachinery.pkg.",
    "io.k8s.kube-aggregator.pkg.apis.",
    "io.k8s.apiextensions-apiserver.pkg.apis.",
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


def newest_dir() -> Path:
    def key(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", p.name))

    dirs = sorted((p for p in OPENAPI.glob("v*") if p.is_dir()), key=key)
    if not dirs:
        raise SystemExit(f"no OpenAPI directories under {OPENAPI}")
    return dirs[-1]


def release(folder: Path) -> str:
    match = re.fullmatch(r"v(\d+)\.(\d+)", folder.name)
    if match is None:
        raise SystemExit(f"{folder}: expected a directory named vMAJOR.MINOR")
    return f"{match.group(1)}.{match.group(2)}"


def read_documents(folder: Path) -> dict[str, Any]:
    """Every schema of every group/version document, by full name."""
    schemas: dict[str, Any] = {}
    files = sorted(folder.glob("*.json.gz")) or sorted(folder.glob("*.json"))
    for path in files:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        doc = json.loads(raw)
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(name, schema)
    if not schemas:
        raise SystemExit(f"{folder}: no OpenAPI v3 schemas found")
    return schemas


def short(name: str) -> str:
    for prefix in PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def version_priority(api_version: str) -> tuple[int, int, int, int, str]:
    """Kubernetes' version order: GA, then beta, then alpha; higher numbers first; core first."""
    group, _, version = api_version.rpartition("/")
    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not m:
        return (3, 0, 0, 1, api_version)
    stage = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    return (stage, -int(m.group(1)), -int(m.group(3) or 0), 0 if not group else 1, group)


def _ref(schema: dict[str, Any]) -> str | None:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for part in schema.get("allOf", ()):
        if "$ref" in part:
            return str(part["$ref"]).rsplit("/", 1)[-1]
    return None


def primitive(schema: dict[str, Any]) -> str:
    t = schema.get("type")
    if t == "string" and schema.get("format") == "byte":
        return "bytes"
    if t in ("string", "integer", "number", "boolean"):
        return str(t)
    return "any"


def convert(schema: dict[str, Any], schemas: dict[str, Any], needed: set[str]) -> Any:
    """One property schema -> a compact TYPE; referenced definitions go to ``needed``."""
    full = _ref(schema)
    if full is not None:
        if full in SPECIAL:
            return SPECIAL[full]
        target = schemas[full]
        if "properties" not in target:
            return primitive(target)
        needed.add(full)
        return short(full)
    t = schema.get("type")
    if t == "array":
        return ["list", convert(schema.get("items", {}), schemas, needed)]
    if t == "object" and isinstance(schema.get("additionalProperties"), dict):
        return ["map", convert(schema["additionalProperties"], schemas, needed)]
    return primitive(schema)


def _facts(prop: dict[str, Any]) -> tuple[list[Any] | None, Any, list[str] | None]:
    """(enum, default, list-map keys) of one property (enums of list items count)."""
    items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
    enum = prop.get("enum") or items.get("enum")
    default = prop.get("default")
    if isinstance(default, (dict, list)) or default in ("", 0, False):
        default = None  # the zero value: no information
    keys = prop.get("x-kubernetes-list-map-keys") if prop.get("x-kubernetes-list-type") == "map" else None
    return (sorted(enum) if enum else None), default, keys


_DECODED_FORMATS = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "date-time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "date-time",
}


def decoded_format(prop: dict[str, Any]) -> str | None:
    """The format a scalar field's Go type enforces when the server decodes it."""
    full = _ref(prop)
    if full is not None:
        return _DECODED_FORMATS.get(full)
    if prop.get("type") == "integer" and prop.get("format") == "int32":
        return "int32"
    return None


def compile_definition(schema: dict[str, Any], schemas: dict[str, Any], needed: set[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"p": {}}
    for field, prop in schema.get("properties", {}).items():
        entry["p"][field] = convert(prop, schemas, needed)
        fmt = decoded_format(prop)
        if fmt:
            entry.setdefault("f", {})[field] = fmt
        enum, default, keys = _facts(prop)
        if enum:
            entry.setdefault("e", {})[field] = enum
        if default is not None:
            entry.setdefault("d", {})[field] = default
        if keys:
            entry.setdefault("k", {})[field] = keys
    if schema.get("required"):
        entry["r"] = sorted(schema["required"])
    return entry


def generate(folder: Path) -> dict[str, Any]:
    schemas = read_documents(folder)
    kinds: dict[str, set[str]] = {}
    roots: dict[str, str] = {}
    for full, schema in schemas.items():
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
        needed: set[str] = set()
        out_defs[short(full)] = compile_definition(schemas[full], schemas, needed)
        todo |= {n for n in needed if short(n) not in out_defs}
    return {
        "version": release(folder),
        "kinds": {k: sorted(v, key=version_priority) for k, v in kinds.items()},
        "roots": {k: short(v) for k, v in roots.items()},
        "defs": out_defs,
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"


def output_for(folder: Path) -> Path:
    return DATA / f"k8s-{release(folder)}.json"


ENUMS_MODULE = ROOT / "kubegen" / "apidata_enums.py"


def render_enums(data: dict[str, Any]) -> str:
    """``kubegen/apidata_enums.py``: every enumeration of ``data`` (the newest release's)."""
    lines = [
        f'"""The enumerations of the Kubernetes {data["version"]} API data',
        f"(``kubegen/data/k8s-{data['version']}.json``) for :func:`kubegen.apidata.enum`.",
        "Generated by tools/gen_schema.py: do not edit.\"\"\"",
        "",
        f"VERSION = {tuple(int(x) for x in data['version'].split('.'))!r}",
        "",
        "ENUMS: dict[str, dict[str, tuple[str, ...]]] = {",
    ]
    for name in sorted(data["defs"]):
        enums = data["defs"][name].get("e")
        if not enums:
            continue
        lines.append(f"    {name!r}: {{")
        for field in sorted(enums):
            line = f"        {field!r}: {tuple(enums[field])!r},"
            if len(line) <= 120:
                lines.append(line)
            else:  # one value a line
                lines += [f"        {field!r}: (", *(f"            {v!r}," for v in enums[field]), "        ),"]
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, help="tools/openapi/vX.Y (default: the newest)")
    parser.add_argument("--check", action="store_true", help="fail if the shipped file is out of date")
    args = parser.parse_args(argv)
    folder = args.folder or newest_dir()
    data = generate(folder)
    outputs = {output_for(folder): render(data)}
    if folder.resolve() == newest_dir().resolve():
        outputs[ENUMS_MODULE] = render_enums(data)
    if args.check:
        stale = [out for out, text in outputs.items()
                 if (out.read_text(encoding="utf-8") if out.exists() else "") != text]
        for out in stale:
            print(f"{out} is out of date; run python tools/gen_schema.py {folder}", file=sys.stderr)
        return 1 if stale else 0
    for out, text in outputs.items():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
