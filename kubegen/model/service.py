"""Services: a stable virtual IP and DNS name in front of the pods a selector picks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

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
    check_port,
    frozen_any_map,
    frozen_str_map,
    int_or,
    merge_extra,
    no_such,
    source_field,
    typed_fields,
)
from kubegen.model.meta import ObjectBuilder

if TYPE_CHECKING:
    from kubegen.model.workload import _Workload



_SPEC = "core.v1.ServiceSpec"  # where the API data keeps the Service enumerations


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ServicePort(Builder):
    """One port of a Service.

    - ``port``: the port clients connect to on the Service's IP (required).
    - ``target_port``: the pod's port, a number or a container port *name*.
      Default: the same number as ``port``.
    - ``node_port``: for NodePort/LoadBalancer, the port opened on every node
      (30000-32767 by default). Default: the cluster picks one.
    - ``name``: required (DNS-1123 label) when the Service has several ports. Default: none.
    - ``protocol``: ``TCP`` (default), ``UDP`` or ``SCTP``.
    - ``app_protocol``: e.g. ``http``, ``kubernetes.io/h2c``. Default: none.
    """

    port: int
    target_port: int | str | None = None
    node_port: int | None = None
    name: str | None = None
    protocol: str = "TCP"
    app_protocol: str | None = None

    def __attrs_post_init__(self) -> None:
        check_port("ServicePort", "port", self.port)
        check_port("ServicePort", "node_port", self.node_port)
        if isinstance(self.target_port, str):
            check("ServicePort", "target_port", self.target_port, facts.port_name_problems)
        else:
            check_port("ServicePort", "target_port", self.target_port)
        if self.name is not None:
            check("ServicePort", "name", self.name, facts.dns1123_label_problems)
        check_choice("ServicePort", "protocol", self.protocol, apidata.enum("core.v1.ServicePort", "protocol"))

    @classmethod
    def parse(cls, spec: str, *, node_port: int | None = None) -> ServicePort:
        """A port as kubectl's ``--tcp`` takes it, named as kubectl names it.

        ``"80:8080"``: port 80 to target 8080, named ``80-8080``; ``"80:http"``: to the
        container port named ``http``, named ``80-http``; ``"443"``: port and target 443,
        named ``443``.
        """
        port_text, colon, target_text = spec.partition(":") if isinstance(spec, str) else ("", "", "")
        if not port_text.isascii() or not port_text.isdigit() or ":" in target_text or (colon and not target_text):
            reject(BuilderError(
                f"--tcp style port {spec!r} must be PORT or PORT:TARGET (PORT a number, TARGET a number "
                "or a container port name), e.g. '80:8080'"
            ))
            return cls(port=1, node_port=node_port)
        port = int(port_text)
        target: int | str = port
        if target_text:
            target = int(target_text) if target_text.isascii() and target_text.isdigit() else target_text
        return cls(port=port, target_port=target, node_port=node_port, name=spec.replace(":", "-"))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.name is not None:
            d["name"] = self.name
        if self.app_protocol is not None:
            d["appProtocol"] = self.app_protocol
        d["port"] = self.port
        d["protocol"] = self.protocol
        if self.target_port is not None:
            d["targetPort"] = self.target_port
        if self.node_port is not None:
            d["nodePort"] = self.node_port
        return d


_bare_port = int_or(ServicePort, lambda number: ServicePort(port=number))


def _to_ports(value: Iterable[int | ServicePort] | None) -> Any:
    return as_list(
        value, (ServicePort,), "[80] or ports=[ServicePort(port=80, target_port='http')]", _bare_port,
        "an int or a ServicePort",
    )


def _to_strings(value: Iterable[str] | None) -> Any:
    return as_list(value, (str,), "['10.0.0.0/8']")


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Service(ObjectBuilder):
    """A Service. ``type`` is ``ClusterIP`` (default), ``NodePort``, ``LoadBalancer`` or
    ``ExternalName``; build one from a workload with ``workload.expose(...)`` so its
    selector and target ports cannot drift from the pods.

    - ``name``: DNS-1123 label: it becomes the DNS name ``NAME.NAMESPACE.svc`` (required).
      Kubernetes before 1.36 also wants it to start with a letter; ``check --kube-version``
      reports that for older targets.
    - ``ports``: ``[80]`` or ``[ServicePort(...)]``. Default: none (only valid for
      headless or ExternalName Services).
    - ``selector``: the pod labels to route to. Default: none (endpoints managed by hand).
    - ``type``: Default: ``"ClusterIP"``; ``None`` omits the field (the API then
      defaults to ClusterIP, as ``kubectl expose`` does).
    - ``cluster_ip``: ``"None"`` makes a headless Service. Default: allocated by the cluster.
    - ``external_name``: for ``ExternalName`` Services. Default: none.
    - ``labels`` / ``annotations`` / ``namespace``: Default: none / none / the Stack's.
    - ``external_traffic_policy``, ``session_affinity``, ``load_balancer_source_ranges``,
      ``publish_not_ready_addresses``: as in the API. Default: none.
    - ``spec_extra``: raw Service-spec fields kubegen does not model. Default: none.
    """

    name: str = ""
    ports: tuple[ServicePort, ...] = attrs.field(default=(), converter=_to_ports)
    selector: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    type: str | None = "ClusterIP"
    cluster_ip: str | None = None
    external_name: str | None = None
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    external_traffic_policy: str | None = None
    session_affinity: str | None = None
    load_balancer_source_ranges: tuple[str, ...] = attrs.field(default=(), converter=_to_strings)
    publish_not_ready_addresses: bool | None = None
    spec_extra: FrozenDict = attrs.field(default=EMPTY, converter=frozen_any_map)
    source: Location = source_field()

    kind = "Service"

    def __attrs_post_init__(self) -> None:
        owner = f"Service {self.name!r}"
        check_name("Service", self, facts.dns1123_label_problems)
        if self.namespace is not None:
            check(owner, "namespace", self.namespace, facts.dns1123_label_problems)
        check_labels(owner, "labels", self.labels)
        check_labels(owner, "selector", self.selector)
        check_choice(owner, "type", self.type, apidata.enum(_SPEC, "type"))
        check_choice(owner, "external_traffic_policy", self.external_traffic_policy,
                     apidata.enum(_SPEC, "externalTrafficPolicy"))
        check_choice(owner, "session_affinity", self.session_affinity, apidata.enum(_SPEC, "sessionAffinity"))
        if self.type == "ExternalName" and not self.external_name:
            reject(BuilderError(f"{owner}: an ExternalName Service needs external_name= (a DNS name)"))
        for port in self.ports:
            if port.node_port is not None and self.type not in ("NodePort", "LoadBalancer"):
                reject(BuilderError(
                    f"{owner}: port {port.port} sets node_port={port.node_port}, but only NodePort "
                    f"and LoadBalancer Services open node ports (type is {self.type or 'ClusterIP'}); "
                    "use type='NodePort' or drop node_port"
                ))
        if len(self.ports) > 1:
            unnamed = [p.port for p in self.ports if p.name is None]
            if unnamed:
                reject(BuilderError(
                    f"{owner}: has {len(self.ports)} ports, so every port needs a name "
                    f"(unnamed: {unnamed}); e.g. ServicePort(name='http', port=...)"
                ))
        seen: set[tuple[int, str]] = set()
        for port in self.ports:
            key = (port.port, port.protocol)
            if key in seen:
                reject(BuilderError(f"{owner}: port {port.port}/{port.protocol} is declared twice"))
            seen.add(key)

    # -- constructors with kubectl's meaning ---------------------------------

    # Each takes the remaining Service fields as keywords: ``selector=web.pod_labels``
    # keeps kubectl's port naming while selecting the pods you actually run.

    @classmethod
    def clusterip(cls, name: str, *, tcp: Sequence[str] = (), cluster_ip: str | None = None,
                  **fields: Any) -> Service:
        """Same as ``kubectl create service clusterip NAME --tcp=P:T [--clusterip=IP]``."""
        return cls._kubectl(name, "ClusterIP", tcp, None, cluster_ip=cluster_ip, **fields)

    @classmethod
    def nodeport(cls, name: str, *, tcp: Sequence[str], node_port: int | None = None, **fields: Any) -> Service:
        """Same as ``kubectl create service nodeport NAME --tcp=P:T [--node-port=N]``."""
        return cls._kubectl(name, "NodePort", tcp, node_port, **fields)

    @classmethod
    def loadbalancer(cls, name: str, *, tcp: Sequence[str], **fields: Any) -> Service:
        """Same as ``kubectl create service loadbalancer NAME --tcp=P:T``."""
        return cls._kubectl(name, "LoadBalancer", tcp, None, **fields)

    @classmethod
    def headless(cls, name: str, *, tcp: Sequence[str] = (), **fields: Any) -> Service:
        """Same as ``kubectl create service clusterip NAME --clusterip=None [--tcp=P:T]``."""
        return cls._kubectl(name, "ClusterIP", tcp, None, cluster_ip="None", **fields)

    @classmethod
    def _kubectl(
        cls, name: str, type: str, tcp: Sequence[str], node_port: int | None, **fields: Any
    ) -> Service:
        if isinstance(tcp, str):
            tcp = [tcp]
        ports = [ServicePort.parse(spec, node_port=node_port) for spec in tcp]
        if not ports and fields.get("cluster_ip") != "None":
            reject(BuilderError(
                f"Service {name!r}: at least one tcp port specifier must be provided, e.g. tcp=['80:8080']"
            ))
        fields.setdefault("labels", {"app": name})
        fields.setdefault("selector", {"app": name})
        return cls(name=name, type=type, ports=ports, **fields)

    def port_for(self, port: int | str | None) -> ServicePort:
        """The port a client means: a number, a port name, or ``None`` for the only one."""
        if port is None:
            if len(self.ports) != 1:
                names = ", ".join(str(p.name or p.port) for p in self.ports)
                reject(BuilderError(
                    f"Service {self.name!r} has {len(self.ports)} ports ({names or 'none'}); say which one "
                    "with port=NAME or NUMBER"
                ))
                return self.ports[0] if self.ports else ServicePort(port=1)
            return self.ports[0]
        for candidate in self.ports:
            if candidate.port == port or (candidate.name is not None and candidate.name == port):
                return candidate
        existing = [p.name for p in self.ports if p.name] if isinstance(port, str) else [p.port for p in self.ports]
        reject(BuilderError(
            f"Service {self.name!r} has no port {port!r}"
            + no_such("ports", port, existing, f"add it: ServicePort(name={port!r}, port=...)" if isinstance(port, str)
                      else f"add it: ports=[{port}]")
        ))
        return self.ports[0] if self.ports else ServicePort(port=1)

    def to_dict(self) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if self.type is not None:
            spec["type"] = self.type
        if self.cluster_ip is not None:
            spec["clusterIP"] = self.cluster_ip
        if self.external_name is not None:
            spec["externalName"] = self.external_name
        if self.selector:
            spec["selector"] = dict(self.selector)
        if self.ports:
            spec["ports"] = [p.to_dict() for p in self.ports]
        if self.external_traffic_policy is not None:
            spec["externalTrafficPolicy"] = self.external_traffic_policy
        if self.session_affinity is not None:
            spec["sessionAffinity"] = self.session_affinity
        if self.load_balancer_source_ranges:
            spec["loadBalancerSourceRanges"] = list(self.load_balancer_source_ranges)
        if self.publish_not_ready_addresses is not None:
            spec["publishNotReadyAddresses"] = self.publish_not_ready_addresses
        if self.spec_extra:
            merge_extra(f"Service {self.name!r}", spec, self.spec_extra)
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": self.object_meta(),
            "spec": spec,
        }


def _expose_ports(
    workload: _Workload, port: int | None, target_port: int | str | None, node_port: int | None,
    protocol: str | None, owner: str,
) -> list[ServicePort]:
    """The ports ``kubectl expose`` would give the Service (see :func:`expose`)."""
    declared: dict[int, list[str]] = {}
    for container in workload.containers:
        for declared_port in container.ports:
            protocols = declared.setdefault(declared_port.container_port, [])
            if declared_port.protocol not in protocols:
                protocols.append(declared_port.protocol)
    numbers = [port] if port is not None else list(declared)
    if not numbers:
        reject(BuilderError(f"{owner}: no port given and its containers declare none; pass port=..."))
    if node_port is not None and len(numbers) > 1:
        reject(BuilderError(
            f"{owner}: node_port={node_port} is for one port, but this exposes ports {numbers}; "
            "pass port=... or ports=[ServicePort(..., node_port=...), ...]"
        ))
        node_port = None
    several = len(numbers) > 1
    ports = []
    for index, number in enumerate(numbers, start=1):
        protocols = [protocol] if protocol is not None else declared.get(number) or ["TCP"]
        for proto in protocols:
            port_name = f"port-{index}" if several else None
            if len(protocols) > 1:
                port_name = f"port-{index}-{proto.lower()}"
            ports.append(ServicePort(
                port=number, target_port=number if target_port is None else target_port,
                node_port=node_port, protocol=proto, name=port_name,
            ))
    return ports


def expose(
    workload: _Workload,
    port: int | None = None,
    *,
    target_port: int | str | None = None,
    type: str | None = None,
    node_port: int | None = None,
    name: str | None = None,
    protocol: str | None = None,
    ports: Sequence[ServicePort] | None = None,
    **service_fields: Any,
) -> Service:
    """A Service in front of ``workload``'s pods, with ``kubectl expose``'s meaning.

    - selector: the workload's own selector (a Deployment's ``matchLabels``; for a
      Pod, its identity labels by the same rule, :mod:`kubegen.model.identity`), never
      retyped by hand; labels: copied from the workload; name: the
      workload's unless ``name=`` is given; ``type``: omitted unless given (ClusterIP).
    - ``port``: the Service port. Default: every port number the containers declare,
      named ``port-1``, ``port-2``, ... when there are several.
    - ``target_port``: a number or a container port *name* (``"http"``) the workload
      declares; applies to every port. Default: the port's own number.
    - ``protocol``: Default: the protocol(s) the containers declare for that port
      number (a port declared for UDP and TCP gives two Service ports, named
      ``port-1-udp``, ``port-1-tcp``), else TCP.
    - ``node_port``: for NodePort/LoadBalancer Services exposing one port number.
    - ``ports``: full control: ``[ServicePort(...)]`` instead of the above.

    Unlike kubectl, a port number declared twice with the same protocol (by two
    containers) gives one Service port, not two the API would reject.
    """
    owner = f"expose({workload.kind} {workload.name!r})"
    if ports is None:
        ports = _expose_ports(workload, port, target_port, node_port, protocol, owner)
    else:
        ports = list(ports)
    for service_port in ports:
        target = service_port.target_port
        if isinstance(target, str) and workload.find_port(target) is None:
            declared_names = sorted({p.name for c in workload.containers for p in c.ports if p.name})
            reject(BuilderError(
                f"{owner}: target_port {target!r} is not a port name any container declares"
                + no_such("declared port names", target, declared_names,
                          f"name the container port: ports={{{target!r}: 8080}}")
            ))
    fields: dict[str, Any] = {"labels": workload.labels, "namespace": workload.namespace}
    fields.update(service_fields)
    return Service(name=name or workload.name, type=type, ports=ports, selector=workload.match_labels, **fields)
