"""Ingress: HTTP(S) routes from hosts and paths to Services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kubegen import apidata, facts
from kubegen.errors import BuilderError, reject
from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    Builder,
    FrozenDict,
    as_list,
    check,
    check_choice,
    check_labels,
    check_name,
    frozen_str_map,
    optional_name,
    source_field,
    typed_fields,
)
from kubegen.model.meta import ObjectBuilder
from kubegen.model.service import Service


def check_host(owner: str, host: str | None) -> None:
    """An Ingress host: a lower-case DNS name, optionally ``*.`` wildcarded."""
    if isinstance(host, str):
        check(owner, "host", host.removeprefix("*."), facts.dns1123_subdomain_problems)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class IngressPath(Builder):
    """Route ``path`` to a Service.

    - ``path``: must start with ``/`` (required).
    - ``service``: a :class:`Service` (preferred: the port is checked now) or its name.
    - ``port``: the Service's port number or port name. Default: the Service's only port.
    - ``path_type``: ``Prefix`` (default), ``Exact`` or ``ImplementationSpecific``.
    """

    path: str
    service: Service | str
    port: int | str | None = None
    path_type: str = "Prefix"

    def __attrs_post_init__(self) -> None:
        if isinstance(self.path, str) and not self.path.startswith("/"):
            reject(BuilderError(f"IngressPath: path {self.path!r} must start with '/'; write {'/' + self.path!r}"))
        check_choice("IngressPath", "path_type", self.path_type,
                     apidata.enum("networking.v1.HTTPIngressPath", "pathType"))
        if isinstance(self.service, Service):
            self.service.port_for(self.port)  # reports a port the Service does not have
        elif isinstance(self.service, str) and self.port is None:
            reject(BuilderError(
                f"IngressPath {self.path!r}: give port= when naming the Service {self.service!r} "
                "by string (or pass the Service object)"
            ))

    def backend(self) -> dict[str, Any]:
        if isinstance(self.service, Service):
            chosen = self.service.port_for(self.port)
            name = self.service.name
            port: dict[str, Any] = (
                {"name": self.port} if isinstance(self.port, str) else {"number": chosen.port}
            )
        else:
            name = self.service
            port = {"name": self.port} if isinstance(self.port, str) else {"number": self.port}
        return {"service": {"name": name, "port": port}}

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "pathType": self.path_type, "backend": self.backend()}


PathTarget = Service | str | tuple[Service | str, int | str]


def _to_paths(value: Mapping[str, PathTarget] | Iterable[IngressPath] | None) -> Any:
    """``[IngressPath(...)]`` or ``{"/form": form_service, "/api": (api, "http")}``."""
    if isinstance(value, Mapping):
        paths = []
        for path, target in value.items():
            if isinstance(target, tuple) and len(target) == 2:
                service, port = target
                paths.append(IngressPath(path=path, service=service, port=port))
            else:
                paths.append(IngressPath(path=path, service=target))  # type: ignore[arg-type]
        return tuple(paths)
    return as_list(value, (IngressPath,), "{'/form': form_service} or paths=[IngressPath(...)]")


def _to_hosts(value: Iterable[str] | None) -> Any:
    return as_list(value, (str,), "['shop.example.com']")


def _to_rules(value: Iterable[IngressRule] | None) -> Any:
    return as_list(value, (IngressRule,), "[IngressRule(host=..., paths=...)]")


def _to_tls(value: Iterable[IngressTLS] | None) -> Any:
    return as_list(value, (IngressTLS,), "[IngressTLS(hosts=[...], secret_name=...)]")


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class IngressRule(Builder):
    """The paths served for one host (``host=None``: any host)."""

    host: str | None = None
    paths: tuple[IngressPath, ...] = attrs.field(converter=_to_paths)

    def __attrs_post_init__(self) -> None:
        check_host("IngressRule", self.host)
        if not self.paths:
            reject(BuilderError(f"IngressRule {self.host or '*'}: needs at least one path"))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.host is not None:
            d["host"] = self.host
        d["http"] = {"paths": [p.to_dict() for p in self.paths]}
        return d


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class IngressTLS(Builder):
    """TLS for ``hosts`` with the certificate in Secret ``secret_name`` (a Secret or its
    name; default: none, the controller's default certificate)."""

    hosts: tuple[str, ...] = attrs.field(converter=_to_hosts)
    secret_name: str | None = attrs.field(default=None, converter=optional_name)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"hosts": list(self.hosts)}
        if self.secret_name is not None:
            d["secretName"] = self.secret_name
        return d


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Ingress(ObjectBuilder):
    """HTTP routing into the cluster.

    Give either ``rules=[IngressRule(...)]`` or the one-host shortcut ``host=`` +
    ``paths=`` (``{"/form": form_service}`` or ``[IngressPath(...)]``).

    - ``name``: DNS-1123 subdomain (required).
    - ``ingress_class_name``: which controller serves it (``nginx``, ...). Default: the
      cluster's default class.
    - ``tls``: ``[IngressTLS(...)]``. Default: none.
    - ``default_backend``: an :class:`IngressPath`-like target for unmatched requests
      (its ``path`` is ignored). Default: none.
    - ``labels`` / ``annotations`` / ``namespace``: Default: none / none / the Stack's.
    """

    name: str = ""
    rules: tuple[IngressRule, ...] = attrs.field(default=(), converter=_to_rules)
    host: str | None = None
    paths: tuple[IngressPath, ...] = attrs.field(default=(), converter=_to_paths)
    ingress_class_name: str | None = None
    tls: tuple[IngressTLS, ...] = attrs.field(default=(), converter=_to_tls)
    default_backend: IngressPath | None = None
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "Ingress"

    def __attrs_post_init__(self) -> None:
        owner = f"Ingress {self.name!r}"
        check_name("Ingress", self, facts.dns1123_subdomain_problems)
        check_labels(owner, "labels", self.labels)
        check_host(owner, self.host)
        if self.rules and (self.paths or self.host is not None):
            reject(BuilderError(f"{owner}: give rules= or host=/paths=, not both"))
        elif self.host is not None and not self.paths:
            reject(BuilderError(f"{owner}: host= needs paths= (the routes for that host)"))
        if not (self.paths or self.rules or self.default_backend):
            reject(BuilderError(f"{owner}: needs paths=, rules= or default_backend="))

    def all_rules(self) -> tuple[IngressRule, ...]:
        if self.paths:
            return (IngressRule(host=self.host, paths=self.paths),)
        return self.rules

    def to_dict(self) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if self.ingress_class_name is not None:
            spec["ingressClassName"] = self.ingress_class_name
        if self.default_backend is not None:
            spec["defaultBackend"] = self.default_backend.backend()
        if self.tls:
            spec["tls"] = [t.to_dict() for t in self.tls]
        rules = self.all_rules()
        if rules:
            spec["rules"] = [r.to_dict() for r in rules]
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": self.object_meta(),
            "spec": spec,
        }
