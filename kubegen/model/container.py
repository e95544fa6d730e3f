"""Containers and what they carry: ports, env, resources, probes, volume mounts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from kubegen import apidata, facts
from kubegen.errors import BuilderError, reject
from kubegen.model._base import (
    EMPTY,
    Builder,
    FrozenDict,
    Invalid,
    as_list,
    as_mapping,
    builders,
    check,
    check_choice,
    check_port,
    frozen_any_map,
    int_or,
    is_done,
    merge_extra,
    no_such,
    owner_of,
    resolve,
    str_list,
    typed_fields,
)
from kubegen.model.env import to_env

if TYPE_CHECKING:
    from kubegen.model.envfrom import EnvFrom
    from kubegen.model.volume import VolumeMount


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ContainerPort(Builder):
    """A port the container listens on.

    - ``container_port``: the port number (1-65535).
    - ``name``: optional IANA service name (``http``, max 15 chars) that Services can
      target by name. Default: none.
    - ``protocol``: ``TCP`` (default), ``UDP`` or ``SCTP``.
    - ``host_port``: expose on the node's IP too (rarely what you want). Default: none.
    """

    container_port: int
    name: str | None = None
    protocol: str = "TCP"
    host_port: int | None = None

    def __attrs_post_init__(self) -> None:
        check_port("ContainerPort", "container_port", self.container_port)
        check_port("ContainerPort", "host_port", self.host_port)
        if self.name is not None:
            check("ContainerPort", "name", self.name, facts.port_name_problems)
        check_choice("ContainerPort", "protocol", self.protocol, apidata.enum("core.v1.ContainerPort", "protocol"))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.name is not None:
            d["name"] = self.name
        d["containerPort"] = self.container_port
        if self.host_port is not None:
            d["hostPort"] = self.host_port
        if self.protocol != "TCP":
            d["protocol"] = self.protocol
        return d


def _ports_form(value: Any) -> str:
    number = value if isinstance(value, int) and not isinstance(value, bool) else (
        int(value) if isinstance(value, str) and value.isdigit() else 8080)
    return f"[{number}] or ports={{'http': {number}}}"


_bare_port = int_or(ContainerPort, lambda number: ContainerPort(container_port=number))


def _to_ports(value: Iterable[int | ContainerPort] | Mapping[str, int] | None) -> Any:
    """``[8080]``, ``{"http": 8080}`` or ``[ContainerPort(...)]``."""
    if isinstance(value, Mapping):
        return tuple(ContainerPort(name=k, container_port=v) for k, v in value.items())
    return as_list(value, (ContainerPort,), _ports_form, _bare_port, "an int or a ContainerPort")


def _to_quantities(value: Mapping[str, str | int] | None) -> Any:
    value = as_mapping(value, "resource to quantity", "{'cpu': '100m', 'memory': '128Mi'}")
    if is_done(value):
        return value
    out = {}
    problems: list[tuple[str, bool]] = []
    for resource, amount in value.items():
        if isinstance(amount, bool) or not isinstance(amount, (str, int, float)):
            problems.append((
                f"{{owner}}: {{field}}[{resource!r}]: expected a quantity such as '100m' (got {amount!r})", True
            ))
            continue
        text = amount if isinstance(amount, str) else str(amount)
        wrong = facts.quantity_problems(text)
        if wrong:
            problems.append((f"{{owner}}: {{field}}[{resource!r}] {text!r} " + "; ".join(wrong), False))
        out[resource] = text
    return Invalid(problems, FrozenDict(out)) if problems else FrozenDict(out)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Resources(Builder):
    """CPU/memory requests and limits, e.g. ``Resources(requests={"cpu": "100m"})``.

    - ``requests``: what the scheduler reserves. Default: none.
    - ``limits``: the most the container may use. Default: none.
    ``Resources()`` renders as ``resources: {}``.
    """

    requests: FrozenDict = attrs.field(default=EMPTY, converter=_to_quantities)
    limits: FrozenDict = attrs.field(default=EMPTY, converter=_to_quantities)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.limits:
            d["limits"] = dict(self.limits)
        if self.requests:
            d["requests"] = dict(self.requests)
        return d


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Probe(Builder):
    """A liveness/readiness/startup probe; build it with ``Probe.http``, ``Probe.tcp``,
    ``Probe.exec`` or ``Probe.grpc``.

    ``port`` may be a number or a container port *name*. Timing fields default to the
    API's defaults when not given (period 10s, timeout 1s, failure threshold 3).
    """

    handler: FrozenDict = attrs.field(converter=frozen_any_map)
    initial_delay_seconds: int | None = None
    period_seconds: int | None = None
    timeout_seconds: int | None = None
    failure_threshold: int | None = None
    success_threshold: int | None = None

    @classmethod
    def http(cls, path: str = "/", *, port: int | str, scheme: str | None = None, **timing: int) -> Probe:
        get: dict[str, Any] = {"path": path, "port": port}
        if scheme is not None:
            get["scheme"] = scheme
        return cls(handler={"httpGet": get}, **timing)

    @classmethod
    def tcp(cls, *, port: int | str, **timing: int) -> Probe:
        return cls(handler={"tcpSocket": {"port": port}}, **timing)

    @classmethod
    def exec(cls, command: list[str], **timing: int) -> Probe:
        return cls(handler={"exec": {"command": list(resolve(str_list(command), "Probe.exec", "command"))}}, **timing)

    @classmethod
    def grpc(cls, *, port: int, service: str | None = None, **timing: int) -> Probe:
        grpc: dict[str, Any] = {"port": port}
        if service is not None:
            grpc["service"] = service
        return cls(handler={"grpc": grpc}, **timing)

    @property
    def port(self) -> int | str | None:
        """The port the probe connects to, if any."""
        for spec in self.handler.values():
            if isinstance(spec, Mapping) and "port" in spec:
                port: int | str = spec["port"]
                return port
        return None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {k: dict(v) if isinstance(v, Mapping) else v for k, v in self.handler.items()}
        for key, value in (
            ("initialDelaySeconds", self.initial_delay_seconds),
            ("periodSeconds", self.period_seconds),
            ("timeoutSeconds", self.timeout_seconds),
            ("failureThreshold", self.failure_threshold),
            ("successThreshold", self.success_threshold),
        ):
            if value is not None:
                d[key] = value
        return d


def _to_env_from(value: Iterable[EnvFrom] | None) -> Any:
    return as_list(value, builders("EnvFrom"), "[EnvFrom(config_map=...)]")


def _to_mounts(value: Iterable[VolumeMount] | None) -> Any:
    return as_list(value, builders("VolumeMount"), "[VolumeMount(name=..., mount_path=...)]")


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Container(Builder):
    """One container of a pod.

    - ``name``: DNS-1123 label, unique in the pod (required).
    - ``image``: the image reference (required).
    - ``command`` / ``args``: entrypoint and arguments. Default: the image's.
    - ``ports``: ``[8080]``, ``{"http": 8080}`` or ``[ContainerPort(...)]``. Default: none.
    - ``env``: ``{"NAME": "value" | ConfigMapKeyRef | SecretKeyRef | FieldRef |
      ResourceFieldRef | ValueFrom}``; numbers become strings, booleans are refused (quote
      them). Order is kept. Default: none.
    - ``env_from``: ``[EnvFrom(config_map=...)]``. Default: none.
    - ``resources``: ``Resources(...)``. Default: none (omitted).
    - ``liveness_probe`` / ``readiness_probe`` / ``startup_probe``: ``Probe``. Default: none.
    - ``volume_mounts``: ``[VolumeMount(...)]``. Default: none.
    - ``image_pull_policy``: ``Always``, ``IfNotPresent`` or ``Never``. Default: the API's.
    - ``working_dir``: Default: the image's.
    - ``extra``: raw API fields kubegen does not model (``securityContext``, ...). Default: none.
    """

    name: str
    image: str
    command: tuple[str, ...] = attrs.field(default=(), converter=str_list)
    args: tuple[str, ...] = attrs.field(default=(), converter=str_list)
    ports: tuple[ContainerPort, ...] = attrs.field(default=(), converter=_to_ports)
    env: FrozenDict = attrs.field(default=EMPTY, converter=to_env)
    env_from: tuple[EnvFrom, ...] = attrs.field(default=(), converter=_to_env_from)
    resources: Resources | None = None
    liveness_probe: Probe | None = None
    readiness_probe: Probe | None = None
    startup_probe: Probe | None = None
    volume_mounts: tuple[VolumeMount, ...] = attrs.field(default=(), converter=_to_mounts)
    image_pull_policy: str | None = None
    working_dir: str | None = None
    extra: FrozenDict = attrs.field(default=EMPTY, converter=frozen_any_map)

    def __attrs_post_init__(self) -> None:
        owner = owner_of(self)
        check("Container", "name", self.name, facts.dns1123_label_problems)
        if isinstance(self.image, str) and not self.image.strip():
            reject(BuilderError(f"{owner}: image must be a non-empty string such as 'nginx:1.27'"))
        check_choice(owner, "image_pull_policy", self.image_pull_policy,
                     apidata.enum("core.v1.Container", "imagePullPolicy"))
        seen: dict[str, int] = {}
        for port in self.ports:
            if port.name is not None:
                if port.name in seen:
                    reject(BuilderError(
                        f"{owner}: port name {port.name!r} is used twice "
                        f"({seen[port.name]} and {port.container_port})"
                    ))
                seen[port.name] = port.container_port
        for field, probe in (
            ("liveness_probe", self.liveness_probe),
            ("readiness_probe", self.readiness_probe),
            ("startup_probe", self.startup_probe),
        ):
            wanted = probe.port if isinstance(probe, Probe) else None
            if isinstance(wanted, str) and wanted not in seen:
                reject(BuilderError(
                    f"{owner}: {field} uses port name {wanted!r}, which the container does not declare, so "
                    "the kubelet could never reach it"
                    + no_such("declared port names", wanted, seen,
                              f"declare it (ports={{{wanted!r}: 8080}}) or use the number")
                ))

    def port_named(self, name: str) -> ContainerPort | None:
        """The declared port called ``name``, if any."""
        for port in self.ports:
            if port.name == name:
                return port
        return None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "image": self.image}
        if self.command:
            d["command"] = list(self.command)
        if self.args:
            d["args"] = list(self.args)
        if self.working_dir is not None:
            d["workingDir"] = self.working_dir
        if self.ports:
            d["ports"] = [p.to_dict() for p in self.ports]
        if self.env_from:
            d["envFrom"] = [e.to_dict() for e in self.env_from]
        if self.env:
            d["env"] = [
                {"name": k, "value": v} if isinstance(v, str) else {"name": k, "valueFrom": v.to_dict()}
                for k, v in self.env.items()
            ]
        if self.resources is not None:
            d["resources"] = self.resources.to_dict()
        if self.liveness_probe is not None:
            d["livenessProbe"] = self.liveness_probe.to_dict()
        if self.readiness_probe is not None:
            d["readinessProbe"] = self.readiness_probe.to_dict()
        if self.startup_probe is not None:
            d["startupProbe"] = self.startup_probe.to_dict()
        if self.volume_mounts:
            d["volumeMounts"] = [m.to_dict() for m in self.volume_mounts]
        if self.image_pull_policy is not None:
            d["imagePullPolicy"] = self.image_pull_policy
        return merge_extra(f"Container {self.name!r}", d, self.extra) if self.extra else d
