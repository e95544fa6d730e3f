"""The rules of the storage-specific volume sources (core validation's
validateISCSIVolumeSource, validateFCVolumeSource, validateFlockerVolumeSource,
validateAzureDisk, validateQuobyteVolumeSource, validateStorageOSVolumeSource,
validateCSIVolumeSource, validateCinderVolumeSource, validateFlexVolumeSource, and the
partitions of cloud disks). Most of these drivers left the tree long ago, but the API
server still validates their fields, so a manifest that names one is judged as it would."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kubegen import names
from kubegen.checks.validation.base import Ctx, P, empty, ival, mapping, sval

_IQN = names.lazy_pattern(r"iqn\.\d{4}-\d{2}\.([A-Za-z0-9.-]+)(:[^,;*&$|\s]+)\Z")
_EUI = names.lazy_pattern(r"eui.[A-Za-z0-9]{16}\Z")
_NAA = names.lazy_pattern(r"naa.[A-Za-z0-9]{32}\Z")
_AZURE_CACHING = ("None", "ReadOnly", "ReadWrite")
_AZURE_KINDS = ("Dedicated", "Managed", "Shared")


def _lun(ctx: Ctx, source: dict[str, Any], path: P) -> None:
    lun = ival(source.get("lun"))
    if lun is not None and not 0 <= lun <= 255:
        ctx.invalid((*path, "lun"), lun, "must be between 0 and 255, inclusive")


def _partition(ctx: Ctx, source: dict[str, Any], path: P) -> None:
    partition = ival(source.get("partition"))
    if partition is not None and not 0 <= partition <= 255:
        ctx.invalid((*path, "partition"), partition, "must be between 0 and 255, inclusive")


def _iscsi_name_problems(value: str) -> list[str]:
    """An iSCSI qualified name: iqn.YYYY-MM.domain:name, eui.<16 hex>, naa.<32 hex>."""
    if not value.startswith(("iqn", "eui", "naa")):
        return ["must start with iqn, eui or naa (e.g. iqn.2001-04.com.example:storage)"]
    pattern = {"iqn": _IQN, "eui": _EUI, "naa": _NAA}[value[:3]]
    return [] if pattern.match(value) else [f"is not a valid {value[:3]} name (e.g. iqn.2001-04.com.example:storage)"]


def _iscsi(ctx: Ctx, source: dict[str, Any], path: P, volume: str) -> None:
    iqn = sval(source.get("iqn"))
    if iqn:
        ctx.problems((*path, "iqn"), iqn, _iscsi_name_problems(iqn))
    _lun(ctx, source, path)
    if (source.get("chapAuthDiscovery") is True or source.get("chapAuthSession") is True) \
            and source.get("secretRef") is None:
        ctx.required((*path, "secretRef"), "the CHAP secret (chapAuthDiscovery or chapAuthSession is on)")
    initiator = sval(source.get("initiatorName"))
    if initiator is not None:
        ctx.problems((*path, "initiatorName"), initiator, _iscsi_name_problems(initiator))
        portal = sval(source.get("targetPortal")) or ""
        if len(f"{volume}:{portal}") > 64:
            ctx.invalid((*path, "targetPortal"), portal, "with the volume name (<name>:<targetPortal>) must be under "
                        "64 characters when initiatorName is set")


def _fc(ctx: Ctx, source: dict[str, Any], path: P, volume: str) -> None:
    wwns, wwids = not empty(source.get("targetWWNs")), not empty(source.get("wwids"))
    if not wwns and not wwids:
        ctx.required((*path, "targetWWNs"), "either targetWWNs (with lun) or wwids")
    elif wwns and wwids:
        ctx.add((*path, "targetWWNs"), "and wwids can not be specified simultaneously; keep one")
    if wwns:
        if source.get("lun") is None:
            ctx.required((*path, "lun"), "lun is required if targetWWNs is specified")
        _lun(ctx, source, path)


def _flocker(ctx: Ctx, source: dict[str, Any], path: P, volume: str) -> None:
    name, uuid = sval(source.get("datasetName")) or "", sval(source.get("datasetUUID")) or ""
    if not name and not uuid:
        ctx.required(path, "one of datasetName and datasetUUID")
    elif name and uuid:
        ctx.add(path, "datasetName and datasetUUID can not be specified simultaneously; keep one")
    if "/" in name:
        ctx.invalid((*path, "datasetName"), name, "must not contain '/'")


def _azure_disk(ctx: Ctx, source: dict[str, Any], path: P, volume: str) -> None:
    # SetDefaults_AzureDiskVolumeSource: kind Shared, cachingMode ReadWrite
    kind, uri = source.get("kind") or "Shared", sval(source.get("diskURI"))
    for field, value, allowed in (("cachingMode", source.get("cachingMode"), _AZURE_CACHING),
                                  ("kind", source.get("kind"), _AZURE_KINDS)):
        if isinstance(value, str) and value not in allowed:
            ctx.unsupported((*path, field), value, allowed)
    if uri and kind == "Managed" and not uri.startswith("/subscriptions/"):
        ctx.invalid((*path, "diskURI"), uri, "must be a managed disk id (/subscriptions/{sub-id}/resourcegroups/"
                    "{group-name}/providers/microsoft.compute/disks/{disk-id}) when kind is Managed")
    elif uri and kind in _AZURE_KINDS and kind != "Managed" and not uri.startswith("https://"):
        ctx.invalid((*path, "diskURI"), uri, f"must be a blob URL (https://{{account}}.blob.core.windows.net/...) "
                    f"for kind {kind} (the default); set kind: Managed for a managed disk id")


def _quobyte(ctx: Ctx, source: dict[str, Any], path: P, volume: str) -> None:
    registry, tenant = sval(source.get("registry")), sval(source.get("tenant")) or ""
    if not registry:
        return
    if len(tenant) >= 65:
        ctx.invalid((*path, "tenant"), tenant, "must be a UUID and may not exceed 64 characters")
    elif any(not re.fullmatch(r"(\[[^\]]*\]|[^:\[\]]*):[^:]*", pair) for pair in registry.split(",")):
        ctx.invalid((*path, "registry"), registry, "must be a host:port pair or several separated by commas")


def _storageos(ctx: Ctx, source: dict[str, Any], path: P, volume: str) -> None:
    for field in ("volumeName", "volumeNamespace"):
        value = sval(source.get(field))
        if value:
            ctx.problems((*path, field), value, names.dns1123_label_problems(value))
    _secret_ref_name(ctx, source, path)


def _secret_ref_name(ctx: Ctx, source: dict[str, Any], path: P, field: str = "secretRef") -> None:
    ref = mapping(source.get(field))
    if ref is not None and not ref.get("name"):
        ctx.required((*path, field, "name"), "the Secret to use")


def _csi(ctx: Ctx, source: dict[str, Any], path: P, volume: str) -> None:
    driver = sval(source.get("driver"))
    if driver and (len(driver) > 63 or names.dns1123_subdomain_problems(driver.lower())):
        ctx.invalid((*path, "driver"), driver, "must be a CSI driver name: at most 63 characters, a DNS "
                    "subdomain such as csi.example.com")
    ref = mapping(source.get("nodePublishSecretRef"))
    if ref is not None:
        _secret_ref_name(ctx, source, path, "nodePublishSecretRef")
        name = sval(ref.get("name"))
        if name:
            ctx.problems((*path, "nodePublishSecretRef", "name"), name, names.dns1123_subdomain_problems(name))


def _flex(ctx: Ctx, source: dict[str, Any], path: P, volume: str) -> None:
    options = mapping(source.get("options")) or {}
    for key in options:
        prefix = str(key).split("/", 1)[0] if "/" in str(key) else str(key)
        if ("." + prefix.lower()).endswith((".kubernetes.io", ".k8s.io")):
            ctx.invalid((*path, "options", key), key, "is in a reserved namespace (kubernetes.io and k8s.io "
                        "option keys belong to Kubernetes)")


def _cinder(ctx: Ctx, source: dict[str, Any], path: P, volume: str) -> None:
    _secret_ref_name(ctx, source, path)


def _cloud_disk(ctx: Ctx, source: dict[str, Any], path: P, volume: str) -> None:
    _partition(ctx, source, path)


CHECKS: dict[str, Callable[[Ctx, dict[str, Any], P, str], None]] = {
    "iscsi": _iscsi, "fc": _fc, "flocker": _flocker, "azureDisk": _azure_disk, "quobyte": _quobyte,
    "storageos": _storageos, "csi": _csi, "flexVolume": _flex, "cinder": _cinder,
    "gcePersistentDisk": _cloud_disk, "awsElasticBlockStore": _cloud_disk,
}
