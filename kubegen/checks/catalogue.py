"""The catalogue: every object of the stack by identity, kept small enough for a million.

Cross-object rules ask two kinds of questions. Most objects they only need to know
*exist* (a ConfigMap a pod reads, its keys, a Role a binding names); a few they read
whole (workloads, Services, Ingresses, ...). Lint streams its input, so it cannot
keep every object: it keeps the few whole (:data:`kubegen.checks.KEEP`) and, for all
of them, one entry here (about 150 bytes: a string key and a packed location), which
is also where the ``duplicate`` rule learns that a name was seen before.

Identities are those of :class:`kubegen.checks.references.Known`: (kind, namespace,
name), the namespace ``""`` for cluster-scoped kinds and ``default`` when not written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubegen import facts
from kubegen.checks.validation.base import dicts
from kubegen.location import Location
from kubegen.manifest import Manifest

DEFAULT_NAMESPACE = "default"
_SEP = "\0"
_VARIANT_BITS = 24  # distinct (API group, namespace) pairs told apart: 16 million
_VARIANT = (1 << _VARIANT_BITS) - 1


def space_of(kind: str, namespace: str | None) -> str:
    """The namespace part of an identity: "" for cluster-scoped kinds, else the namespace
    (``default`` when none is written)."""
    return "" if kind in facts.CLUSTER_SCOPED else namespace or DEFAULT_NAMESPACE


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# Keys a controller writes into a Secret of this type (the token controller fills a
# service-account token Secret the manifest leaves empty).
_CONTROLLER_KEYS = {"kubernetes.io/service-account-token": frozenset({"token", "ca.crt", "namespace"})}


def data_keys(m: Manifest) -> frozenset[str]:
    fields = ("data", "binaryData") if m.kind == "ConfigMap" else ("data", "stringData")
    keys = frozenset(k for f in fields if isinstance(m.obj.get(f), dict) for k in m.obj[f] if isinstance(k, str))
    kind = m.obj.get("type") if m.kind == "Secret" else None
    return keys | _CONTROLLER_KEYS[kind] if isinstance(kind, str) and kind in _CONTROLLER_KEYS else keys


_CERTIFICATE_KEYS = frozenset({"tls.crt", "tls.key", "ca.crt"})
_SHIM_ANNOTATIONS = ("cert-manager.io/issuer", "cert-manager.io/cluster-issuer")


def _shimmed(m: Manifest) -> bool:
    """An Ingress cert-manager's ingress-shim issues certificates for: an issuer
    annotation, or ``kubernetes.io/tls-acme: "true"`` (the default issuer)."""
    annotations = m.metadata.get("annotations")
    if not isinstance(annotations, dict):
        return False
    return any(_text(annotations.get(a)) for a in _SHIM_ANNOTATIONS) or annotations.get(
        "kubernetes.io/tls-acme") == "true"


_DERIVING = frozenset({"Ingress", "Certificate", "SealedSecret", "ExternalSecret"})
"""The kinds :func:`derived_secrets` knows to make Secrets."""


def derived_secrets(m: Manifest) -> Iterator[tuple[str, frozenset[str] | None]]:
    """Secrets other controllers make from ``m``: cert-manager (Certificates and annotated
    Ingresses), sealed-secrets, external-secrets."""
    kind = m.kind
    spec = m.obj.get("spec")
    if not isinstance(spec, dict):
        return
    group = m.api_version.partition("/")[0]
    if kind == "Ingress" and _shimmed(m):
        # cert-manager's ingress-shim makes a Certificate (so a Secret) per tls entry
        for _, tls in dicts(spec.get("tls")):
            if _text(tls.get("secretName")):
                yield tls["secretName"], _CERTIFICATE_KEYS
    elif kind == "Certificate" and group == "cert-manager.io" and _text(spec.get("secretName")):
        yield spec["secretName"], _CERTIFICATE_KEYS
    elif kind == "SealedSecret" and group == "bitnami.com":
        encrypted = spec.get("encryptedData")
        yield m.name, frozenset(k for k in encrypted if isinstance(k, str)) if isinstance(encrypted, dict) else None
    elif kind == "ExternalSecret" and group == "external-secrets.io":
        target = spec.get("target")
        name = _text(target.get("name")) if isinstance(target, dict) else None
        data = [d.get("secretKey") for _, d in dicts(spec.get("data"))]
        keys = None if spec.get("dataFrom") else frozenset(k for k in data if isinstance(k, str))
        yield name or m.name, keys


class Catalogue:
    """Every object added: its identity, where it was first seen, its data keys."""

    def __init__(self) -> None:
        # identity -> where its first object is: a packed int (location, and which
        # (API group, namespace as written) it had), or a list of them when objects of
        # the same identity differ in those (not duplicates for the API server)
        self._first: dict[str, Any] = {}
        self._keys: dict[str, frozenset[str] | None] = {}  # ConfigMaps, Secrets, derived Secrets
        self._derived: set[str] = set()  # Secrets other tools make from the stack's objects
        self.namespaces: set[str] = set()
        self._files: list[str] = []
        self._file_ids: dict[str, int] = {}
        self._variants: list[tuple[str, str]] = []  # (API group, namespace as written)
        self._variant_ids: dict[tuple[str, str], int] = {}
        self._keysets: dict[frozenset[str], frozenset[str]] = {}
        self._names: dict[tuple[str, str], list[str]] | None = None

    # --- adding ---------------------------------------------------------------------

    def add(self, m: Manifest) -> Location | None:
        """Record ``m``; if an object of the same group, kind, namespace and name came
        before, return where (``m`` is then a duplicate)."""
        kind, name = m.kind, m.name
        if not kind or not name:
            return None
        self._names = None
        namespace = m.namespace
        space = space_of(kind, namespace)
        if space:
            self.namespaces.add(space)
        key = _SEP.join((kind, space, name))
        variant = self._variant((m.api_version.rpartition("/")[0], namespace or ""))
        first = self._first.get(key)
        if first is None:
            self._first[key] = self._pack(m, variant)
        else:
            firsts = first if isinstance(first, list) else [first]
            for packed in firsts:
                if packed & _VARIANT == variant:
                    return self._unpack(packed)
            firsts.append(self._pack(m, variant))
            self._first[key] = firsts
        if kind in ("ConfigMap", "Secret") and key not in self._keys:
            self._keys[key] = self._shared(data_keys(m))
        for derived, keys in derived_secrets(m) if kind in _DERIVING else ():
            derived_key = _SEP.join(("Secret", space, derived))
            self._derived.add(derived_key)
            self._keys.setdefault(derived_key, self._shared(keys) if keys is not None else None)
        return None

    def _variant(self, variant: tuple[str, str]) -> int:
        found = self._variant_ids.get(variant)
        if found is None:
            found = self._variant_ids[variant] = len(self._variants)
            self._variants.append(variant)
        return found

    def _pack(self, m: Manifest, variant: int) -> int:
        where = m.locate()
        file_id = self._file_ids.get(where.file)
        if file_id is None:
            file_id = self._file_ids[where.file] = len(self._files)
            self._files.append(where.file)
        return (((file_id << 32) | where.line) << _VARIANT_BITS) | (variant & _VARIANT)

    def _unpack(self, packed: int) -> Location:
        where = packed >> _VARIANT_BITS
        return Location(self._files[where >> 32], where & 0xFFFFFFFF)

    def _shared(self, keys: frozenset[str]) -> frozenset[str]:
        return self._keysets.setdefault(keys, keys)  # a million ConfigMaps share a few key sets

    # --- asking ---------------------------------------------------------------------

    def has(self, kind: str, namespace: str, name: str) -> bool:
        """Whether the stack defines (or derives) ``kind/name`` in ``namespace``."""
        key = _SEP.join((kind, space_of(kind, namespace), name))
        return key in self._first or key in self._derived

    def keys(self, kind: str, namespace: str, name: str) -> frozenset[str] | None:
        """The data keys of a ConfigMap or Secret of the stack (None: unknown or not one)."""
        return self._keys.get(_SEP.join((kind, space_of(kind, namespace), name)))

    def names(self, kind: str, namespace: str) -> list[str]:
        """The names of ``kind`` in ``namespace`` (for "did you mean"), sorted."""
        if self._names is None:
            names: dict[tuple[str, str], list[str]] = {}
            for key in (*self._first, *self._derived):
                k, space, name = key.split(_SEP, 2)
                names.setdefault((k, space), []).append(name)
            self._names = {where: sorted(set(found)) for where, found in names.items()}
        return self._names.get((kind, space_of(kind, namespace)), [])
