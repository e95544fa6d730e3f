"""Pods and the workloads that run them (Deployment, StatefulSet, DaemonSet)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from kubegen import facts
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
    frozen_any_map,
    frozen_str_map,
    merge_extra,
    metadata,
    no_such,
    source_field,
    typed_fields,
)
from kubegen.model.container import Container, ContainerPort, Resources

if TYPE_CHECKING:
    from kubegen.model.service import Service, ServicePort



@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Volume(Builder):
    """A pod volume; build it with ``Volume.config_map``, ``Volume.secret``,
    ``Volume.empty_dir`` or ``Volume.pvc`` (or give the raw ``source`` mapping)."""

    name: str
    source: FrozenDict = attrs.field(converter=frozen_any_map)

    def __attrs_post_init__(self) -> None:
        check("Volume", "name", self.name, facts.dns1123_label_problems)

    @classmethod
    def config_map(cls, name: str, config_map: Any) -> Volume:
        return cls(name=name, source={"configMap": {"name": getattr(config_map, "name", config_map)}})

    @classmethod
    def secret(cls, name: str, secret: Any) -> Volume:
        return cls(name=name, source={"secret": {"secretName": getattr(secret, "name", secret)}})

    @classmethod
    def empty_dir(cls, name: str) -> Volume:
        return cls(name=name, source={"emptyDir": {}})

    @classmethod
    def pvc(cls, name: str, claim_name: str) -> Volume:
        return cls(name=name, source={"persistentVolumeClaim": {"claimName": claim_name}})

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **{k: _plain(v) for k, v in self.source.items()}}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _to_containers(value: Iterable[Container] | None) -> Any:
    return as_list(value, (Container,), "[Container(name=..., image=...)]")


def _to_volumes(value: Iterable[Volume] | None) -> Any:
    return as_list(value, (Volume,), "[Volume.empty_dir('cache'), ...]")


def _default_labels(self: Any) -> FrozenDict:
    return FrozenDict({"app": self.name})


_RESTART = ("Always", "OnFailure", "Never")


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class _Workload(Builder):
    """Fields every object that runs pods has."""

    name: str
    containers: tuple[Container, ...] = attrs.field(converter=_to_containers)
    namespace: str | None = None
    labels: FrozenDict = attrs.field(
        default=attrs.Factory(_default_labels, takes_self=True), converter=frozen_str_map
    )
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    init_containers: tuple[Container, ...] = attrs.field(default=(), converter=_to_containers)
    volumes: tuple[Volume, ...] = attrs.field(default=(), converter=_to_volumes)
    node_selector: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    service_account_name: str | None = None
    restart_policy: str | None = None
    pod_extra: FrozenDict = attrs.field(default=EMPTY, converter=frozen_any_map)
    source: Location = source_field()

    kind = "Pod"

    def __attrs_post_init__(self) -> None:
        owner = f"{self.kind} {self.name!r}"
        check(self.kind, "name", self.name, facts.dns1123_subdomain_problems)
        if self.namespace is not None:
            check(owner, "namespace", self.namespace, facts.dns1123_label_problems)
        check_labels(owner, "labels", self.labels)
        check_labels(owner, "annotations key", {k: "" for k in self.annotations})
        check_choice(owner, "restart_policy", self.restart_policy, _RESTART)
        if not self.containers:
            reject(BuilderError(f"{owner}: needs at least one container (containers=[Container(...)])"))
        names = [c.name for c in self.init_containers + self.containers]
        for name in sorted({n for n in names if names.count(n) > 1}):
            reject(BuilderError(f"{owner}: container name {name!r} is used twice"))
        volumes = sorted({v.name for v in self.volumes} | self._claim_template_names())
        for container in self.init_containers + self.containers:
            for mount in container.volume_mounts:
                if mount.name not in volumes:
                    reject(BuilderError(
                        f"{owner}: container {container.name!r} mounts volume {mount.name!r}, which the pod "
                        "does not declare" + no_such("volumes", mount.name, volumes, "add it to volumes=[...]")
                    ))

    @property
    def pod_labels(self) -> FrozenDict:
        """The labels of the pods this workload runs (what Service selectors match)."""
        return self.labels

    def _claim_template_names(self) -> set[str]:
        """Volumes a StatefulSet creates per pod from ``volumeClaimTemplates``."""
        extra = getattr(self, "spec_extra", EMPTY)
        claims = extra.get("volumeClaimTemplates") if isinstance(extra, Mapping) else None
        if not isinstance(claims, (list, tuple)):
            return set()
        return {
            c["metadata"]["name"] for c in claims
            if isinstance(c, Mapping) and isinstance(c.get("metadata"), Mapping)
            and isinstance(c["metadata"].get("name"), str)
        }

    def find_port(self, port: int | str) -> tuple[Container, ContainerPort] | None:
        """The container port with this number or name, if a container declares it."""
        for container in self.containers:
            for declared in container.ports:
                if declared.name == port or declared.container_port == port:
                    return container, declared
        return None

    def pod_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        if self.init_containers:
            spec["initContainers"] = [c.to_dict() for c in self.init_containers]
        spec["containers"] = [c.to_dict() for c in self.containers]
        if self.volumes:
            spec["volumes"] = [v.to_dict() for v in self.volumes]
        if self.node_selector:
            spec["nodeSelector"] = dict(self.node_selector)
        if self.service_account_name is not None:
            spec["serviceAccountName"] = self.service_account_name
        if self.restart_policy is not None:
            spec["restartPolicy"] = self.restart_policy
        if self.pod_extra:
            merge_extra(f"{self.kind} {self.name!r}", spec, self.pod_extra)
        return spec

    def expose(
        self,
        port: int | None = None,
        *,
        target_port: int | str | None = None,
        type: str | None = None,
        node_port: int | None = None,
        name: str | None = None,
        protocol: str | None = None,
        ports: list[ServicePort] | None = None,
        **service_fields: Any,
    ) -> Service:
        """A Service that selects this workload's pods (see :func:`kubegen.expose`)."""
        from kubegen.model.service import expose

        return expose(
            self, port, target_port=target_port, type=type, node_port=node_port, name=name,
            protocol=protocol, ports=ports, **service_fields,
        )


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Pod(_Workload):
    """A single Pod. Prefer a Deployment for anything that should survive a node.

    - ``name``: DNS-1123 subdomain (required).
    - ``containers``: at least one :class:`Container` (required).
    - ``labels``: pod labels, what Service selectors match. Default: ``{"app": name}``.
    - ``namespace``: Default: the Stack's namespace.
    - ``annotations``, ``init_containers``, ``volumes``, ``node_selector``,
      ``service_account_name``, ``restart_policy``: as in the API. Default: none.
    - ``pod_extra``: raw pod-spec fields kubegen does not model. Default: none.
    """

    kind = "Pod"

    def to_dict(self) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": metadata(self.name, self.namespace, self.labels, self.annotations),
            "spec": self.pod_spec(),
        }


def _check_selector(owner: str, selector: Mapping[str, str], labels: Mapping[str, str]) -> None:
    check_labels(owner, "selector", selector)
    missing = {k: v for k, v in selector.items() if labels.get(k) != v}
    if missing:
        hints = [f"{k}={labels[k]!r}" for k in missing if k in labels]
        for key in (k for k in missing if k not in labels):
            close = facts.suggest(key, list(labels))
            if close is not None:
                hints.append(f"{close!r} (instead of {key!r})")
        hint = f"; did you mean {', '.join(hints)}?" if hints else "; add these labels to pod_labels="
        reject(BuilderError(
            f"{owner}: selector {dict(missing)} does not match the pod labels {dict(labels)}; "
            f"the API server rejects a workload whose selector misses its own pods{hint}"
        ))


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class _Controller(_Workload):
    """A workload that manages pods from a template."""

    selector: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    pod_labels: FrozenDict = attrs.field(  # type: ignore[assignment]
        default=attrs.Factory(lambda self: self.labels, takes_self=True), converter=frozen_str_map
    )
    pod_annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    spec_extra: FrozenDict = attrs.field(default=EMPTY, converter=frozen_any_map)

    api_version = "apps/v1"

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        owner = f"{self.kind} {self.name!r}"
        if self.pod_labels is not self.labels:
            check_labels(owner, "pod_labels", self.pod_labels)
        if not (self.selector or self.pod_labels):
            reject(BuilderError(f"{owner}: its pods need labels (pod_labels=) for the selector to match"))
        if self.selector:
            _check_selector(owner, self.selector, self.pod_labels)

    def template(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"labels": dict(self.pod_labels)}
        if self.pod_annotations:
            meta["annotations"] = dict(self.pod_annotations)
        return {"metadata": meta, "spec": self.pod_spec()}

    def controller_spec(self) -> dict[str, Any]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        spec = self.controller_spec()
        spec["selector"] = {"matchLabels": dict(self.selector or self.pod_labels)}
        spec["template"] = self.template()
        if self.spec_extra:
            merge_extra(f"{self.kind} {self.name!r}", spec, self.spec_extra)
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "metadata": metadata(self.name, self.namespace, self.labels, self.annotations),
            "spec": spec,
        }


_STRATEGIES = ("RollingUpdate", "Recreate")


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Deployment(_Controller):
    """Replicated, rolling-updated pods: the usual way to run a stateless service.

    - ``name`` and ``containers``: required.
    - ``replicas``: how many pods. Default: 1.
    - ``labels``: labels of the Deployment and its pods. Default: ``{"app": name}``.
    - ``pod_labels``: labels of the pods only, when they differ from the Deployment's
      own (what Services select). Default: ``labels``.
    - ``selector``: which pod labels the Deployment owns; must be a subset of
      ``pod_labels``. Default: all of ``pod_labels``.
    - ``strategy``: ``RollingUpdate`` or ``Recreate``; ``""`` renders ``strategy: {}``
      (as kubectl does). Default: none (the API default, RollingUpdate).
    - ``pod_annotations``: annotations on the pod template. Default: none.
    - ``spec_extra``: raw Deployment-spec fields kubegen does not model. Default: none.
    - plus every field of :class:`Pod`.
    """

    replicas: int = 1
    strategy: str | None = None
    kind = "Deployment"

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if isinstance(self.replicas, int) and self.replicas < 0:
            reject(BuilderError(f"Deployment {self.name!r}: replicas must be an int >= 0 (got {self.replicas!r})"))
        if self.strategy:
            check_choice(f"Deployment {self.name!r}", "strategy", self.strategy, _STRATEGIES)

    @classmethod
    def create(
        cls, name: str, *, image: str | list[str], replicas: int = 1, port: int | None = None, **fields: Any
    ) -> Deployment:
        """Same meaning as ``kubectl create deployment NAME --image=I --replicas=R --port=P``."""
        images = [image] if isinstance(image, str) else list(image)
        containers = []
        for index, ref in enumerate(images):
            # kubectl's container name: the last path part without tag or digest, '_' and
            # '.' made '-' (kubectl then adds a random suffix; kubegen stays deterministic).
            base = ref.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0].replace("_", "-").replace(".", "-")
            ports = [ContainerPort(container_port=port)] if port is not None and index == 0 else []
            containers.append(Container(name=base, image=ref, ports=ports, resources=Resources()))
        return cls(name=name, replicas=replicas, containers=containers, strategy="", **fields)

    def controller_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"replicas": self.replicas}
        if self.strategy is not None:
            spec["strategy"] = {"type": self.strategy} if self.strategy else {}
        return spec


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class StatefulSet(_Controller):
    """Pods with stable names and storage (``name-0``, ``name-1``, ...).

    - ``service_name``: the headless Service that gives the pods DNS names (required).
    - ``replicas``: Default: 1.
    - plus every field of :class:`Deployment` except ``strategy``.
    """

    service_name: str = ""
    replicas: int = 1
    kind = "StatefulSet"

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if not self.service_name:
            reject(BuilderError(
                f"StatefulSet {self.name!r}: service_name= is required (the headless Service "
                "that gives its pods stable DNS names)"
            ))

    def controller_spec(self) -> dict[str, Any]:
        return {"replicas": self.replicas, "serviceName": self.service_name}


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class DaemonSet(_Controller):
    """One pod on every node (log shippers, node agents). Fields as :class:`Deployment`
    without ``replicas``."""

    kind = "DaemonSet"
