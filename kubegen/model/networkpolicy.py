"""NetworkPolicy: which pods may talk to which, on which ports.

Once any policy selects a pod for a direction (ingress or egress), only the traffic some
policy's rule allows still flows in that direction. ``NetworkPolicy.deny_all()`` isolates
every pod of the namespace; ``NetworkPolicy.allow(to=api, from_=[web], port="http")``
then opens one route, with selectors and ports taken from the workloads themselves.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from kubegen import apidata, facts
from kubegen.errors import BuilderError, BuilderTypeError
from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    Builder,
    FrozenDict,
    check,
    check_choice,
    check_labels,
    check_meta,
    check_port,
    frozen_str_map,
    source_field,
    str_tuple,
    to_tuple,
    typed_fields,
)
from kubegen.model.meta import ObjectBuilder
from kubegen.model.selector import LabelExpression, expressions, label_selector

if TYPE_CHECKING:
    from typing import TypeAlias

    from kubegen.model.workload import _Workload

    # what a rule may name as the other end: a workload (its pods) or any peer
    Source: TypeAlias = "_Workload | NetworkPolicyPeer"

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def _optional_labels(value: Mapping[str, str] | None) -> FrozenDict | None:
    return None if value is None else frozen_str_map(value)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class NetworkPolicyPeer(Builder):
    """A set of pods (or addresses) a rule allows traffic from or to:
    ``NetworkPolicyPeer.pods(web)``, ``.namespaces({"team": "a"})``, ``.cidr("10.0.0.0/8")``.

    - ``pod_selector``: pod labels; ``{}`` is every pod. Default: none (not set).
    - ``namespace_selector``: namespace labels; with ``pod_selector``, those pods in those
      namespaces; ``{}`` is every namespace. Default: none (the policy's own namespace).
    - ``pod_selector_expressions`` / ``namespace_selector_expressions``: set-based
      requirements (``[LabelExpression.in_("team", ["ops"])]``) beside those labels (a
      selector with expressions only needs no labels). Default: none.
    - ``cidr`` / ``except_``: an IP block instead of selectors. Default: none.
    """

    pod_selector: FrozenDict | None = attrs.field(default=None, converter=_optional_labels)
    namespace_selector: FrozenDict | None = attrs.field(default=None, converter=_optional_labels)
    cidr: str | None = None
    except_: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    pod_selector_expressions: tuple[LabelExpression, ...] = attrs.field(default=(), converter=expressions)
    namespace_selector_expressions: tuple[LabelExpression, ...] = attrs.field(default=(), converter=expressions)

    def __attrs_post_init__(self) -> None:
        selectors = self.pod_selector is not None or self.namespace_selector is not None or bool(
            self.pod_selector_expressions or self.namespace_selector_expressions)
        if selectors == (self.cidr is not None):
            raise BuilderError("NetworkPolicyPeer: give pod/namespace selectors or a cidr (exactly one kind)")
        for field, labels in (("pod_selector", self.pod_selector), ("namespace_selector", self.namespace_selector)):
            if labels is not None:
                check_labels("NetworkPolicyPeer", field, labels)
        if self.cidr is not None:
            network = _network(self.cidr)
            for item in self.except_:
                inner = _network(item)
                if inner.version != network.version or not inner.subnet_of(network) or inner == network:  # type: ignore[arg-type]
                    raise BuilderError(f"NetworkPolicyPeer: except {item!r} must be a strict subnet of {self.cidr!r}")
        elif self.except_:
            raise BuilderError("NetworkPolicyPeer: except_ belongs to a cidr")

    @classmethod
    def pods(cls, workload: _Workload | Mapping[str, str], *, namespace: str | None = None) -> NetworkPolicyPeer:
        """The pods of ``workload`` (a workload object, or a mapping of labels), in its
        namespace when that is given and differs from the policy's (``namespace=``)."""
        labels = workload if isinstance(workload, Mapping) else _labels_of(workload)
        space = namespace if namespace is not None else getattr(workload, "namespace", None)
        selector = {NAMESPACE_NAME_LABEL: space} if space is not None else None
        return cls(pod_selector=labels, namespace_selector=selector)

    @classmethod
    def namespaces(cls, labels: Mapping[str, str] | None = None, *, name: str | None = None) -> NetworkPolicyPeer:
        """Every pod of the namespaces with ``labels`` (or the one called ``name``); no
        argument: every namespace."""
        selector = dict(labels or {})
        if name is not None:
            selector[NAMESPACE_NAME_LABEL] = name
        return cls(namespace_selector=selector)

    @classmethod
    def block(cls, cidr: str, *, except_: Sequence[str] = ()) -> NetworkPolicyPeer:
        """Addresses in ``cidr`` (minus ``except_``), e.g. clients outside the cluster."""
        return cls(cidr=cidr, except_=except_)

    def to_dict(self) -> dict[str, Any]:
        if self.cidr is not None:
            block: dict[str, Any] = {"cidr": self.cidr}
            if self.except_:
                block["except"] = list(self.except_)
            return {"ipBlock": block}
        d: dict[str, Any] = {}
        if self.namespace_selector is not None or self.namespace_selector_expressions:
            d["namespaceSelector"] = label_selector(self.namespace_selector or {}, self.namespace_selector_expressions)
        if self.pod_selector is not None or self.pod_selector_expressions:
            d["podSelector"] = label_selector(self.pod_selector or {}, self.pod_selector_expressions)
        return d


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text, strict=True)
    except (ValueError, TypeError) as exc:
        raise BuilderError(f"NetworkPolicyPeer: {text!r} is not a CIDR such as 10.0.0.0/8 ({exc})") from None


def _labels_of(workload: Any) -> FrozenDict:
    labels = getattr(workload, "match_labels", None)
    if not isinstance(labels, Mapping):
        raise BuilderTypeError(f"expected a workload (Deployment, Pod, ...) or a mapping of labels (got {workload!r})")
    return FrozenDict(labels)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class NetworkPolicyPort(Builder):
    """A port a rule allows: a number or a container port *name* (resolved on the
    destination pods), with ``end_port`` for a range.

    - ``port``: Default: none (every port of ``protocol``).
    - ``protocol``: ``TCP``, ``UDP`` or ``SCTP``. Default: none (the API's TCP).
    - ``end_port``: last port of a range starting at ``port`` (a number). Default: none.
    """

    port: int | str | None = None
    protocol: str | None = None
    end_port: int | None = None

    def __attrs_post_init__(self) -> None:
        check_choice("NetworkPolicyPort", "protocol", self.protocol,
                     apidata.enum("networking.v1.NetworkPolicyPort", "protocol"))
        if isinstance(self.port, str):
            check("NetworkPolicyPort", "port", self.port, facts.port_name_problems)
        else:
            check_port("NetworkPolicyPort", "port", self.port)
        check_port("NetworkPolicyPort", "end_port", self.end_port)
        if self.end_port is not None and (not isinstance(self.port, int) or self.end_port < self.port):
            raise BuilderError("NetworkPolicyPort: end_port needs a numeric port and must not be below it")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.protocol is not None:
            d["protocol"] = self.protocol
        if self.port is not None:
            d["port"] = self.port
        if self.end_port is not None:
            d["endPort"] = self.end_port
        return d


def _port(value: Any) -> NetworkPolicyPort:
    if isinstance(value, NetworkPolicyPort):
        return value
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return NetworkPolicyPort(port=value)
    raise BuilderTypeError(f"a NetworkPolicy port is a number, a port name or NetworkPolicyPort (got {value!r})")


def _peer(value: Any) -> NetworkPolicyPeer:
    if isinstance(value, NetworkPolicyPeer):
        return value
    return NetworkPolicyPeer.pods(value)


def _peers(value: Any) -> tuple[NetworkPolicyPeer, ...]:
    return to_tuple(_peer)(value)


def _ports(value: Any) -> tuple[NetworkPolicyPort, ...]:
    return to_tuple(_port)(value)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class NetworkPolicyRule(Builder):
    """One rule: traffic from (ingress) or to (egress) any of ``peers`` on any of ``ports``.

    - ``peers``: workloads or :class:`NetworkPolicyPeer`. Default: none (every source or
      destination).
    - ``ports``: numbers, port names or :class:`NetworkPolicyPort`. Default: none (every port).
    """

    peers: tuple[NetworkPolicyPeer, ...] = attrs.field(default=(), converter=_peers)
    ports: tuple[NetworkPolicyPort, ...] = attrs.field(default=(), converter=_ports)

    def to_dict(self, direction: str) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.peers:
            d["from" if direction == "ingress" else "to"] = [p.to_dict() for p in self.peers]
        if self.ports:
            d["ports"] = [p.to_dict() for p in self.ports]
        return d


def _rules(value: Any) -> tuple[NetworkPolicyRule, ...] | None:
    if value is None:
        return None
    rules: tuple[NetworkPolicyRule, ...] = to_tuple()(value)
    for rule in rules:
        if not isinstance(rule, NetworkPolicyRule):
            raise BuilderTypeError(f"rules must be NetworkPolicyRule(...) objects (got {rule!r})")
    return rules




def _types(value: Any) -> tuple[str, ...] | None:
    return None if value is None else str_tuple(value)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class NetworkPolicy(ObjectBuilder):
    """Which traffic the pods ``pod_selector`` picks may receive (``ingress``) and send (``egress``).

    - ``name``: DNS-1123 subdomain (required).
    - ``pod_selector``: the pods it applies to; ``{}`` is every pod of the namespace.
      Default: ``{}``.
    - ``pod_selector_expressions``: set-based requirements on their labels
      (``[LabelExpression.not_in("tier", ["db"])]``). Default: none.
    - ``ingress``: ``[NetworkPolicyRule(...)]``: what may come in; ``[]`` denies all.
      Default: none; if ``egress`` is none too, the policy denies all ingress (the API's
      meaning of a policy without rules).
    - ``egress``: what may go out, as ``ingress``; ``[]`` denies all. Default: none (egress
      untouched).
    - ``policy_types``: Default: from ``ingress``/``egress`` (written out explicitly).
    - ``labels`` / ``annotations`` / ``namespace``: Default: none / none / the Stack's.
    """

    name: str = ""
    pod_selector: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    pod_selector_expressions: tuple[LabelExpression, ...] = attrs.field(default=(), converter=expressions)
    ingress: tuple[NetworkPolicyRule, ...] | None = attrs.field(default=None, converter=_rules)
    egress: tuple[NetworkPolicyRule, ...] | None = attrs.field(default=None, converter=_rules)
    policy_types: tuple[str, ...] | None = attrs.field(default=None, converter=_types)
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "NetworkPolicy"

    def __attrs_post_init__(self) -> None:
        owner = check_meta("NetworkPolicy", self)
        check_labels(owner, "pod_selector", self.pod_selector)
        for kind in self.policy_types or ():
            check_choice(owner, "policy_types", kind, apidata.enum("networking.v1.NetworkPolicySpec", "policyTypes"))
        if self.policy_types is not None:
            for field, rules, kind in (("ingress", self.ingress, "Ingress"), ("egress", self.egress, "Egress")):
                if rules and kind not in self.policy_types:
                    raise BuilderError(f"{owner}: has {field} rules but policy_types leaves out {kind}: "
                                       "they would be ignored")

    @property
    def types(self) -> tuple[str, ...]:
        """The directions this policy isolates."""
        if self.policy_types is not None:
            return self.policy_types
        found = tuple(t for t, rules in (("Ingress", self.ingress), ("Egress", self.egress)) if rules is not None)
        return found or ("Ingress",)

    @classmethod
    def deny_all(cls, name: str = "default-deny", *, ingress: bool = True, egress: bool = False,
                 **fields: Any) -> NetworkPolicy:
        """Isolate every pod of the namespace: no traffic in (and, ``egress=True``, none out)
        unless another policy allows it."""
        if not (ingress or egress):
            raise BuilderError(f"NetworkPolicy {name!r}: deny_all needs ingress=True or egress=True")
        return cls(name=name, ingress=() if ingress else None, egress=() if egress else None, **fields)

    @classmethod
    def allow(cls, *, to: _Workload, from_: Source | Sequence[Source] | None = None, port: int | str | None = None,
              ports: Sequence[int | str | NetworkPolicyPort] | None = None, name: str | None = None,
              **fields: Any) -> NetworkPolicy:
        """Allow traffic into ``to``'s pods from ``from_`` (workloads or peers; default:
        from anywhere) on ``port`` (a container port number or name ``to`` declares) or
        ``ports``; default: every port ``to``'s containers declare (all ports if none).
        Selects ``to`` by its own selector, in its namespace."""
        owner = f"NetworkPolicy.allow(to={to.kind} {to.name!r})"
        sources = [] if from_ is None else (list(from_) if isinstance(from_, (list, tuple)) else [from_])
        peers = [_peer_from(source, to) for source in sources]
        chosen = [port] if port is not None else list(ports) if ports is not None else _declared(to)
        for item in chosen:
            wanted = item.port if isinstance(item, NetworkPolicyPort) else item
            if isinstance(wanted, str) and to.find_port(wanted) is None:
                declared = sorted({p.name for c in to.containers for p in c.ports if p.name})
                close = facts.suggest(wanted, declared)
                hint = f"did you mean {close!r}?" if close else f"declared names: {declared or 'none'}"
                raise BuilderError(f"{owner}: port {wanted!r} is not a port name {to.name!r} declares; {hint}")
        default = f"{to.name}-from-{'-'.join(_source_name(s) for s in sources)}" if sources else f"{to.name}-ingress"
        values: dict[str, Any] = {"namespace": to.namespace, "labels": to.labels}
        values.update(fields)
        return cls(name=name or default[:253].rstrip("-."), pod_selector=to.match_labels,
                   ingress=[NetworkPolicyRule(peers=peers, ports=chosen)], **values)

    def to_dict(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"podSelector": label_selector(self.pod_selector, self.pod_selector_expressions)}
        if self.ingress:
            spec["ingress"] = [r.to_dict("ingress") for r in self.ingress]
        if self.egress:
            spec["egress"] = [r.to_dict("egress") for r in self.egress]
        spec["policyTypes"] = list(self.types)
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": self.object_meta(),
            "spec": spec,
        }


def _peer_from(source: Any, to: _Workload) -> NetworkPolicyPeer:
    if isinstance(source, NetworkPolicyPeer):
        return source
    space = getattr(source, "namespace", None)
    return NetworkPolicyPeer.pods(source, namespace=space if space is not None and space != to.namespace else None)


def _source_name(source: Any) -> str:
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "peers"


def _declared(to: _Workload) -> list[int | str | NetworkPolicyPort]:
    ports: list[int | str | NetworkPolicyPort] = []
    for container in to.containers:
        for declared in container.ports:
            number: int | str = declared.name or declared.container_port
            item: int | str | NetworkPolicyPort = number
            if declared.protocol != "TCP":
                item = NetworkPolicyPort(port=number, protocol=declared.protocol)
            if item not in ports:
                ports.append(item)
    return ports
