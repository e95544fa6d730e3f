"""Pod volumes and persistent volume claim specs (core validation's ValidateVolumes,
validateVolumeSource and the per-source rules, ValidatePersistentVolumeClaimSpec)."""

from __future__ import annotations

from typing import Any

from kubegen import apidata, facts, names
from kubegen.checks.k8sdata import Definition, api_data
from kubegen.checks.validation import envs, sources
from kubegen.checks.validation.base import Ctx, P, dicts, empty, ival, mapping, sval
from kubegen.checks.validation.meta import check_annotations, check_label_selector, check_labels
from kubegen.checks.validation.paths import Key
from kubegen.finding import yaml_value

VOLUME_SOURCES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi",
    "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc",
    "flexVolume", "configMap", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk",
    "storageos", "projected", "scaleIO", "csi", "ephemeral", "image",
)
# String fields a source must not leave empty (the OpenAPI document requires most of
# them to be present; the API server also refuses them empty).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "hostPath": ("path",), "gitRepo": ("repository",), "gcePersistentDisk": ("pdName",),
    "awsElasticBlockStore": ("volumeID",), "secret": ("secretName",), "nfs": ("server", "path"),
    "iscsi": ("targetPortal", "iqn"), "glusterfs": ("endpoints", "path"), "persistentVolumeClaim": ("claimName",),
    "rbd": ("monitors", "image"), "cinder": ("volumeID",), "cephfs": ("monitors",), "quobyte": ("registry", "volume"),
    "flexVolume": ("driver",), "configMap": ("name",), "azureFile": ("secretName", "shareName"),
    "vsphereVolume": ("volumePath",), "photonPersistentDisk": ("pdID",), "portworxVolume": ("volumeID",),
    "azureDisk": ("diskName", "diskURI"), "storageos": ("volumeName",), "scaleIO": ("gateway", "system", "volumeName"),
    "csi": ("driver",),
}
MODE_MAX = 0o777


def local_path_problems(value: str, *, reserved: bool) -> list[str]:
    """validateLocalDescendingPath (+ ValidateLocalNonReservedPath when ``reserved``)."""
    problems = []
    if value.startswith("/"):
        problems.append(f"must be a relative path (try {value.lstrip('/')!r})" if value.strip("/") else
                        "must be a relative path")
    if ".." in value.split("/"):  # the API server splits at '/' only (filepath.ToSlash on Linux)
        problems.append("must not contain '..'")
    elif reserved and value.startswith(".."):
        problems.append("must not start with '..'")
    return problems


class Volumes:
    """The volumes of one pod: which are valid (mounts may use them) and what they are."""

    __slots__ = ("valid", "invalid", "declared")

    def __init__(self) -> None:
        self.valid: dict[str, str] = {}  # name -> source field ("secret", "persistentVolumeClaim", ...)
        self.invalid: dict[str, int] = {}  # name -> index of the invalid volume
        self.declared: list[str] = []

    def check_mount_name(self, ctx: Ctx, name: str, path: P, container: Any) -> None:
        if name in self.valid:
            return
        who = f"container {container!r}" if isinstance(container, str) else "the container"
        if name in self.invalid:
            ctx.add(path, f"{who} mounts volume {name!r}, which is declared but invalid (see volumes"
                    f"[{self.invalid[name]}]), so the API server does not find it", rule="volume-mount")
            return
        declared = sorted(self.declared)
        close = facts.suggest(name, declared)
        hint = facts.no_such("volumes", name, declared,
                             f"declare it in the pod's volumes: [{{name: {yaml_value(name)}, ...}}]")
        ctx.add(path, f"{who} mounts volume {name!r}, which the pod does not declare{hint}", rule="volume-mount",
                suggestion=close)

    def check_device_name(self, ctx: Ctx, name: str, path: P) -> None:
        source = self.valid.get(name)
        if source is None:
            ctx.add(path, f"{name!r} is not found: no volume of the pod has that name", rule="volume-mount")
        elif source not in ("persistentVolumeClaim", "ephemeral"):
            ctx.invalid(path, name, "can only use a volume of type persistentVolumeClaim or ephemeral "
                        "(block mode)")


def check_volumes(ctx: Ctx, spec: dict[str, Any], path: P, claim_templates: list[str], pod: bool) -> Volumes:
    """Validate ``spec.volumes``; the result tells the containers which names they may mount.

    A StatefulSet's ``claim_templates`` are volumes too; one takes precedence over a template
    volume of the same name (the controller replaces it), so sharing a name is no duplicate."""
    volumes = Volumes()
    for template in claim_templates:
        volumes.valid[template] = "persistentVolumeClaim"
        volumes.declared.append(template)
    seen: set[str] = set()
    for i, volume in dicts(spec.get("volumes")):
        here = (*path, "volumes", i)
        before = len(ctx.report.findings)
        name = volume.get("name")
        if name == "":
            ctx.required((*here, "name"), "give the volume a name (a lowercase RFC 1123 label)")
        elif isinstance(name, str):
            volumes.declared.append(name)
            ctx.problems((*here, "name"), name, names.dns1123_label_problems(name),
                         fix=names.fix_dns_label)
            if name in seen:
                ctx.invalid((*here, "name"), name, "is already the name of another volume; volume names must be "
                            "unique in a pod (rename one)")
            seen.add(name)
        source = _check_source(ctx, volume, here, pod)
        if isinstance(name, str):
            if len(ctx.report.findings) == before and source is not None:
                volumes.valid.setdefault(name, source)
            else:
                volumes.invalid.setdefault(name, i)
    return volumes


def _check_source(ctx: Ctx, volume: dict[str, Any], path: P, pod: bool) -> str | None:
    given = [s for s in VOLUME_SOURCES if volume.get(s) is not None]
    if not given:
        ctx.add(path, f"must specify a volume type (one of {', '.join(VOLUME_SOURCES[:8])}, ...)")
        return None
    for extra in given[1:]:
        ctx.add((*path, extra), f"may not be set: the volume already has type {given[0]} and may specify only one")
    kind = given[0]
    source = mapping(volume.get(kind))
    if source is None:
        return kind
    here = (*path, kind)
    schema_required = _schema_required(ctx, kind)
    for field in _REQUIRED.get(kind, ()):
        value = source.get(field)
        if value == "" or value == [] or (value is None and field not in schema_required):
            ctx.required((*here, field), f"a {kind} volume needs {field}")
    _check_modes(ctx, source, here)
    if kind in ("secret", "configMap"):
        _check_items(ctx, source.get("items"), (*here, "items"))
    elif kind == "emptyDir":
        amount = facts.parse_quantity(source.get("sizeLimit"))
        if amount is not None and amount < 0:
            ctx.invalid((*here, "sizeLimit"), source.get("sizeLimit"), "must not be negative")
    elif kind == "hostPath" and sval(source.get("path")):
        if ".." in str(source["path"]).split("/"):
            ctx.invalid((*here, "path"), source["path"], "must not contain '..'")
    elif kind == "gitRepo" and sval(source.get("directory")):
        ctx.problems((*here, "directory"), source["directory"], local_path_problems(source["directory"],
                                                                                     reserved=False))
    elif kind == "nfs" and sval(source.get("path")) and not str(source["path"]).startswith("/"):
        ctx.invalid((*here, "path"), source["path"], "must be an absolute path")
    elif kind == "downwardAPI":
        _check_downward_items(ctx, source.get("items"), here)
    elif kind == "projected":
        _check_projected(ctx, source, here)
    elif kind == "ephemeral":
        template = mapping(source.get("volumeClaimTemplate"))
        if template is None:
            ctx.required((*here, "volumeClaimTemplate"), "the claim to create for the pod")
        else:
            _check_template_meta(ctx, mapping(template.get("metadata")), (*here, "volumeClaimTemplate", "metadata"))
            spec = mapping(template.get("spec"))
            check_claim_spec(ctx, spec if spec is not None else {}, (*here, "volumeClaimTemplate", "spec"))
    elif kind == "image" and pod and not source.get("reference"):
        ctx.required((*here, "reference"), "the image to mount")
    elif kind in sources.CHECKS:
        sources.CHECKS[kind](ctx, source, here, sval(volume.get("name")) or "")
    return kind


def _check_template_meta(ctx: Ctx, meta: dict[str, Any] | None, path: P) -> None:
    """ValidateTemplateObjectMeta: an ephemeral volume's claim template takes labels and
    annotations only (the claim is named <pod>-<volume>)."""
    if meta is None:
        return
    check_labels(ctx, meta.get("labels"), (*path, "labels"))
    check_annotations(ctx, meta.get("annotations"), (*path, "annotations"))
    for field, value in meta.items():
        if field not in ("labels", "annotations") and not empty(value):
            ctx.add((*path, field), "cannot be set in an ephemeral volume's claim template (only labels and "
                    "annotations; the claim is named <pod name>-<volume name>)")


def _check_modes(ctx: Ctx, source: dict[str, Any], path: P) -> None:
    mode = ival(source.get("defaultMode"))
    if mode is not None and not 0 <= mode <= MODE_MAX:
        ctx.invalid((*path, "defaultMode"), mode, f"must be a number between 0 and 0777 (octal: 0 to {MODE_MAX} in "
                    f"decimal), both inclusive; YAML reads 0644 as octal, {mode} is {oct(mode)[2:]} in octal")


def _check_items(ctx: Ctx, items: Any, path: P, paths: set[str] | None = None) -> None:
    for i, item in dicts(items):
        here = (*path, i)
        if item.get("key") == "":
            ctx.required((*here, "key"), "the key to project")
        _check_item_path(ctx, item, here, paths)
        mode = ival(item.get("mode"))
        if mode is not None and not 0 <= mode <= MODE_MAX:
            ctx.invalid((*here, "mode"), mode, "must be a number between 0 and 0777 (octal), both inclusive")


def _check_item_path(ctx: Ctx, item: dict[str, Any], here: P, paths: set[str] | None) -> None:
    value = item.get("path")
    if value == "":
        ctx.required((*here, "path"), "the file name to project the key to")
    elif isinstance(value, str):
        ctx.problems((*here, "path"), value, local_path_problems(value, reserved=True))
        if paths is not None:
            if value in paths:
                ctx.invalid((*here, "path"), value, "conflicts with another projected file of the same path")
            paths.add(value)


def _check_downward_items(ctx: Ctx, items: Any, path: P, paths: set[str] | None = None) -> None:
    for i, item in dicts(items):
        here = (*path, "items", i)
        _check_item_path(ctx, item, here, paths)
        field_ref, resource_ref = mapping(item.get("fieldRef")), mapping(item.get("resourceFieldRef"))
        if field_ref is not None:
            envs.check_field_ref(ctx, field_ref, (*here, "fieldRef"), envs.VOLUME_FIELD_PATHS)
            if resource_ref is not None:
                ctx.add(here, "fieldRef and resourceFieldRef can not be specified simultaneously")
        elif resource_ref is not None:
            envs.check_resource_field_ref(ctx, resource_ref, (*here, "resourceFieldRef"), volume=True)
        else:
            ctx.required(here, "one of fieldRef and resourceFieldRef")
        mode = ival(item.get("mode"))
        if mode is not None and not 0 <= mode <= MODE_MAX:
            ctx.invalid((*here, "mode"), mode, "must be a number between 0 and 0777 (octal), both inclusive")


def _schema_required(ctx: Ctx, kind: str) -> tuple[str, ...]:
    """The fields the OpenAPI data marks required in a volume source (the ``schema`` rule
    reports those when absent)."""
    source = api_data(ctx.target).defs["core.v1.Volume"].props.get(kind)
    return source.required if isinstance(source, Definition) else ()


def _check_projected(ctx: Ctx, source: dict[str, Any], path: P) -> None:
    paths: set[str] = set()
    for i, item in dicts(source.get("sources")):
        here = (*path, "sources", i)
        given = [k for k in ("secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle",
                             "podCertificate") if item.get(k) is not None]
        if len(given) > 1:
            ctx.add(here, f"may not specify more than 1 volume type per source (has {', '.join(given)})")
        for kind in ("secret", "configMap"):
            ref = mapping(item.get(kind))
            if ref is not None:
                if ref.get("name") in (None, ""):
                    ctx.required((*here, kind, "name"), f"the {kind} to project")
                _check_items(ctx, ref.get("items"), (*here, kind, "items"), paths)
        downward = mapping(item.get("downwardAPI"))
        if downward is not None:
            _check_downward_items(ctx, downward.get("items"), (*here, "downwardAPI"), paths)
        token = mapping(item.get("serviceAccountToken"))
        if token is not None:
            seconds = ival(token.get("expirationSeconds"))
            if seconds is not None and not 600 <= seconds <= 2**32:
                ctx.invalid((*here, "serviceAccountToken", "expirationSeconds"), seconds,
                            "must be at least 600 (10 minutes) and at most 2^32")
            _check_item_path(ctx, token, (*here, "serviceAccountToken"), paths)
        bundle = mapping(item.get("clusterTrustBundle"))
        if bundle is not None:
            if bundle.get("name") is not None and bundle.get("signerName") is not None:
                ctx.add((*here, "clusterTrustBundle"), "only one of name and signerName may be used")
            elif bundle.get("name") is None and bundle.get("signerName") is None:
                ctx.required((*here, "clusterTrustBundle"), "either name or signerName")
            _check_item_path(ctx, bundle, (*here, "clusterTrustBundle"), paths)
    _check_modes(ctx, source, path)


def check_claim_spec(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    """ValidatePersistentVolumeClaimSpec: access modes, requested storage, class names, data sources."""
    modes = spec.get("accessModes")
    if modes is None or modes == []:
        ctx.required((*path, "accessModes"), "at least 1 access mode is required (e.g. accessModes: "
                     "[ReadWriteOnce])")
    elif isinstance(modes, list):
        known = apidata.enum("core.v1.PersistentVolumeClaimSpec", "accessModes")
        if "ReadWriteOncePod" in modes and any(m in known and m != "ReadWriteOncePod" for m in modes):
            ctx.add((*path, "accessModes"), "may not use ReadWriteOncePod with other access modes")
    resources = mapping(spec.get("resources")) or {}
    requests = resources.get("requests")
    requests = requests if isinstance(requests, dict) else {}
    storage = requests.get("storage")
    where = (*path, "resources", Key("storage"))
    if storage is None:
        ctx.add(where, "is required: the claim must request storage (resources: {requests: {storage: 1Gi}})")
    else:
        amount = facts.parse_quantity(storage)
        if amount is not None and amount <= 0:
            ctx.invalid(where, storage, "must be greater than zero")
    for field in ("storageClassName", "volumeAttributesClassName"):
        value = sval(spec.get(field))
        if value:
            ctx.problems((*path, field), value, names.dns1123_subdomain_problems(value))
    for field in ("dataSource", "dataSourceRef"):
        ref = mapping(spec.get(field))
        if ref is None:
            continue
        for required in ("name", "kind"):
            if ref.get(required) == "":
                ctx.required((*path, field, required), f"the {required} of the source")
        group = sval(ref.get("apiGroup")) or ""
        if not group and sval(ref.get("kind")) and ref.get("kind") != "PersistentVolumeClaim":
            ctx.invalid((*path, field), ref.get("kind"), "must be 'PersistentVolumeClaim' when referencing the "
                        "default apiGroup (set apiGroup, e.g. snapshot.storage.k8s.io for a VolumeSnapshot)")
        elif group:
            ctx.problems((*path, field, "apiGroup"), group, names.dns1123_subdomain_problems(group))
    _check_data_sources(ctx, mapping(spec.get("dataSource")), mapping(spec.get("dataSourceRef")), path)
    check_label_selector(ctx, spec.get("selector"), (*path, "selector"))


def _check_data_sources(ctx: Ctx, source: dict[str, Any] | None, ref: dict[str, Any] | None, path: P) -> None:
    """Both dataSource and dataSourceRef: they must name the same object, and a
    cross-namespace dataSourceRef (namespace set) takes no dataSource at all."""
    if ref is None:
        return
    namespace = sval(ref.get("namespace"))
    if namespace:
        ctx.problems((*path, "dataSourceRef", "namespace"), namespace, names.dns1123_label_problems(namespace))
        if source is not None:
            ctx.add((*path, "dataSource"), "may not be specified when dataSourceRef.namespace is specified; remove "
                    "dataSource")
    elif source is not None and any(source.get(k) != ref.get(k) for k in ("apiGroup", "kind", "name")):
        ctx.add((*path, "dataSource"), "must match dataSourceRef (apiGroup, kind and name) when both are set; keep "
                "one of them")
