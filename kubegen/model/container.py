"""Containers and what they carry: ports, env, resources, probes, volume mounts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kubegen import apidata, facts
from kubegen.errors import BuilderError, BuilderTypeError
from kubegen.model._base import (
    EMPTY,
    Builder,
    FrozenDict,
    any_tuple,
    check,
    check_choice,
    check_port,
    frozen_any_map,
    int_or,
    merge_extra,
    str_tuple,
    to_tuple,
)
from kubegen.model.env import EnvFrom, to_env
from kubegen.model.volume import VolumeMount


@attrs.frozen(kw_only=True, eq=False, repr=False)
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


def _to_ports(value: Any) -> tuple[ContainerPort, ...]:
    """``[8080]``, ``{"http": 8080}`` or ``[ContainerPort(...)]``."""
    if value is None:
        return ()
    if isinstance(value, Mapping):
        return tuple(ContainerPort(name=k, container_port=v) for k, v in value.items())
    return to_tuple(_to_port)(value)


_to_port = int_or(ContainerPort, lambda number: ContainerPort(container_port=number), "a container port")


def _quantities(owner: str) -> Any:
    def convert(value: Mapping[str, str | int] | None) -> FrozenDict:
        if not value:
            return EMPTY
        out = {}
        for resource, amount in value.items():
            if isinstance(amount, bool) or not isinstance(amount, (str, int, float)):
                raise BuilderTypeError(f"{owner}[{resource!r}]: expected a quantity (got {amount!r})")
            text = amount if isinstance(amount, str) else str(amount)
            check(owner, f"[{resource!r}]", text, facts.quantity_problems)
            out[resource] = text
        return FrozenDict(out)

    return convert


def _requests(value: Mapping[str, str | int] | None) -> FrozenDict:
    result: FrozenDict = _quantities("requests")(value)
    return result


def _limits(value: Mapping[str, str | int] | None) -> FrozenDict:
    result: FrozenDict = _quantities("limits")(value)
    return result


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Resources(Builder):
    """CPU/memory requests and limits, e.g. ``Resources(requests={"cpu": "100m"})``.

    - ``requests``: what the scheduler reserves. Default: none.
    - ``limits``: the most the container may use. Default: none.
    ``Resources()`` renders as ``resources: {}``.
    """

    requests: FrozenDict = attrs.field(default=EMPTY, converter=_requests)
    limits: FrozenDict = attrs.field(default=EMPTY, converter=_limits)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.limits:
            d["limits"] = dict(self.limits)
        if self.requests:
            d["requests"] = dict(self.requests)
        return d


@attrs.frozen(kw_only=True, eq=False, repr=False)
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
        return cls(handler={"exec": {"command": list(str_tuple(command))}}, **timing)

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




@attrs.frozen(kw_only=True, eq=False, repr=False)
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
    command: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    args: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    ports: tuple[ContainerPort, ...] = attrs.field(default=(), converter=_to_ports)
    env: FrozenDict = attrs.field(default=EMPTY, converter=to_env)
    env_from: tuple[EnvFrom, ...] = attrs.field(default=(), converter=any_tuple)
    resources: Resources | None = None
    liveness_probe: Probe | None = None
    readiness_probe: Probe | None = None
    startup_probe: Probe | None = None
    volume_mounts: tuple[VolumeMount, ...] = attrs.field(default=(), converter=any_tuple)
    image_pull_policy: str | None = None
    working_dir: str | None = None
    extra: FrozenDict = attrs.field(default=EMPTY, converter=frozen_any_map)

    def __attrs_post_init__(self) -> None:
        check("Container", "name", self.name, facts.dns1123_label_problems)
        if not isinstance(self.image, str) or not self.image.strip():
            raise BuilderError(f"Container {self.name!r}: image must be a non-empty string")
        check_choice(f"Container {self.name!r}", "image_pull_policy", self.image_pull_policy,
                     apidata.enum("core.v1.Container", "imagePullPolicy"))
        seen: dict[str, int] = {}
        for port in self.ports:
            if port.name is not None:
                if port.name in seen:
                    raise BuilderError(
                        f"Container {self.name!r}: port name {port.name!r} is used twice "
                        f"({seen[port.name]} and {port.container_port})"
                    )
                seen[port.name] = port.container_port
        for field, probe in (
            ("liveness_probe", self.liveness_probe),
            ("readiness_probe", self.readiness_probe),
            ("startup_probe", self.startup_probe),
        ):
            if probe is not None and isinstance(probe.port, str) and probe.port not in seen:
                raise BuilderError(
                    f"Container {self.name!r}: {field} uses port name {probe.port!r}, which the container "
                    f"does not declare (ports: {sorted(seen) or 'none named'}); the kubelet could never "
                    f"reach it: add ports={{{probe.port!r}: ...}} or use the number"
                )

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
