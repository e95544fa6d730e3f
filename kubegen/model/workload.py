"""Pods and the workloads that run them (Deployment, DaemonSet; StatefulSet in its own module)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from kubegen import apidata, facts
from kubegen.errors import BuilderError, reject
from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    FrozenDict,
    as_list,
    builders,
    check,
    check_choice,
    check_labels,
    check_name,
    frozen_any_map,
    frozen_str_map,
    merge_extra,
    name_of,
    name_tuple,
    no_such,
    optional_name,
    source_field,
    typed_fields,
)
from kubegen.model.container import Container, ContainerPort, Resources
from kubegen.model.identity import default_selector
from kubegen.model.meta import ObjectBuilder

if TYPE_CHECKING:
    from kubegen.model.autoscaling import HorizontalPodAutoscaler, Metric
    from kubegen.model.disruption import PodDisruptionBudget
    from kubegen.model.service import Service, ServicePort
    from kubegen.model.serviceaccount import ServiceAccount
    from kubegen.model.volume import Volume



_W = TypeVar("_W", bound="_Workload")


def _to_containers(value: Iterable[Container] | None) -> Any:
    return as_list(value, (Container,), "[Container(name=..., image=...)]")


def _to_volumes(value: Iterable[Volume] | None) -> Any:
    return as_list(value, builders("Volume"), "[Volume.empty_dir('cache'), ...]")


def _default_labels(self: Any) -> FrozenDict:
    """``{"app": name}`` (for a ``generate_name``, the prefix without its trailing ``-``)."""
    return FrozenDict({"app": self.name or (self.generate_name or "").rstrip("-")})



def claim_template_names(workload: Any) -> set[str]:
    """The volumes a StatefulSet gets per pod from its claim templates (typed, or raw in
    ``spec_extra``)."""
    names = {c.name for c in getattr(workload, "volume_claim_templates", ())}
    extra = getattr(workload, "spec_extra", None)
    claims = extra.get("volumeClaimTemplates") if isinstance(extra, Mapping) else None
    if isinstance(claims, (list, tuple)):
        names |= {
            c["metadata"]["name"] for c in claims
            if isinstance(c, Mapping) and isinstance(c.get("metadata"), Mapping)
            and isinstance(c["metadata"].get("name"), str)
        }
    return names


def pod_volumes(workload: Any) -> tuple[Volume, ...]:
    """A workload's ``volumes``, then those its containers' ``mount()`` helpers carry."""
    found = {v.name: v for v in workload.volumes}
    templates = claim_template_names(workload)
    extra: list[Volume] = []
    for container in workload.init_containers + workload.containers:
        for mount in container.volume_mounts:
            volume = mount.volume
            if volume is None or volume.name in templates:
                continue
            known = found.get(volume.name)
            if known is None:
                found[volume.name] = volume
                extra.append(volume)
            elif known.source != volume.source:
                raise BuilderError(
                    f"{workload.kind} {workload.name!r}: two different volumes are called {volume.name!r} "
                    f"({dict(known.source)} and {dict(volume.source)}); pass volume_name= to mount()"
                )
    result: tuple[Volume, ...] = workload.volumes + tuple(extra)
    return result


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class _Workload(ObjectBuilder):
    """Fields every object that runs pods has."""

    name: str = ""
    containers: tuple[Container, ...] = attrs.field(converter=_to_containers)
    namespace: str | None = None
    labels: FrozenDict = attrs.field(
        default=attrs.Factory(_default_labels, takes_self=True), converter=frozen_str_map
    )
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    init_containers: tuple[Container, ...] = attrs.field(default=(), converter=_to_containers)
    volumes: tuple[Volume, ...] = attrs.field(default=(), converter=_to_volumes)
    node_selector: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    service_account_name: str | None = attrs.field(default=None, converter=optional_name)
    image_pull_secrets: tuple[str, ...] = attrs.field(default=(), converter=name_tuple)
    restart_policy: str | None = None
    pod_extra: FrozenDict = attrs.field(default=EMPTY, converter=frozen_any_map)
    source: Location = source_field()

    kind = "Pod"

    def __attrs_post_init__(self) -> None:
        owner = check_name(self.kind, self, facts.dns1123_subdomain_problems)
        if self.namespace is not None:
            check(owner, "namespace", self.namespace, facts.dns1123_label_problems)
        check_labels(owner, "labels", self.labels)
        check_labels(owner, "annotations key", {k: "" for k in self.annotations})
        check_choice(owner, "restart_policy", self.restart_policy, apidata.enum("core.v1.PodSpec", "restartPolicy"))
        if not self.containers:
            reject(BuilderError(f"{owner}: needs at least one container (containers=[Container(...)])"))
        containers = self.init_containers + self.containers
        names = [c.name for c in containers]
        for name in sorted({n for n in names if names.count(n) > 1}):
            reject(BuilderError(f"{owner}: container name {name!r} is used twice"))
        if not any(c.volume_mounts for c in containers):
            return  # nothing to mount (and no mount() helper's volume that could clash)
        volumes = sorted({v.name for v in self.pod_volumes()} | self._claim_template_names())
        for container in containers:
            for mount in container.volume_mounts:
                if mount.name not in volumes:
                    reject(BuilderError(
                        f"{owner}: container {container.name!r} mounts volume {mount.name!r}, which the pod "
                        "does not declare" + no_such(
                            "volumes", mount.name, volumes,
                            "add it to volumes=[...] or mount with a helper such as config.mount(path)",
                        )
                    ))

    @property
    def pod_labels(self) -> FrozenDict:
        """The labels of the pods this workload runs (what Service selectors match)."""
        return self.labels

    @property
    def match_labels(self) -> FrozenDict:
        """The labels that select exactly this workload's pods: its own selector's
        ``matchLabels`` (by default its identity labels, see :mod:`kubegen.model.identity`).
        Every selector kubegen derives from a workload (``expose()``, ``budget()``,
        ``NetworkPolicy.allow()``, ...) is this one."""
        return FrozenDict(default_selector(self.pod_labels, f"{self.kind} {self.name!r}", immutable=False))

    def _claim_template_names(self) -> set[str]:
        """Volumes a StatefulSet creates per pod from ``volumeClaimTemplates``."""
        return claim_template_names(self)

    def pod_volumes(self) -> tuple[Volume, ...]:
        """``volumes`` and then the volumes that ``mount()`` helpers brought along (in
        container order), each once; a StatefulSet's claim templates provide their own."""
        return pod_volumes(self)

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
        volumes = self.pod_volumes()
        if volumes:
            spec["volumes"] = [v.to_dict() for v in volumes]
        if self.node_selector:
            spec["nodeSelector"] = dict(self.node_selector)
        if self.service_account_name is not None:
            spec["serviceAccountName"] = self.service_account_name
        if self.image_pull_secrets:
            spec["imagePullSecrets"] = [{"name": name} for name in self.image_pull_secrets]
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

    def budget(
        self, *, max_unavailable: int | str | None = None, min_available: int | str | None = None,
        name: str | None = None, **fields: Any,
    ) -> PodDisruptionBudget:
        """A PodDisruptionBudget for this workload's pods (see :func:`kubegen.budget`)."""
        from kubegen.model.disruption import budget

        return budget(self, max_unavailable=max_unavailable, min_available=min_available, name=name, **fields)

    def run_as(self: _W, service_account: ServiceAccount | str) -> _W:
        """A copy of this workload whose pods run as ``service_account`` (the object or
        its name): ``stack.add(Deployment(...).run_as(robot))``."""
        return attrs.evolve(self, service_account_name=name_of(service_account))


class Pod(_Workload):
    """A single Pod. Prefer a Deployment for anything that should survive a node.

    - ``name``: DNS-1123 subdomain (required).
    - ``containers``: at least one :class:`Container` (required).
    - ``labels``: pod labels, what Service selectors match. Default: ``{"app": name}``.
    - ``namespace``: Default: the Stack's namespace.
    - ``annotations``, ``init_containers``, ``node_selector``, ``restart_policy``: as in
      the API. Default: none.
    - ``volumes``: ``[Volume...]``; volumes that ``mount()`` helpers carry are added by
      themselves. Default: none.
    - ``service_account_name``: a :class:`ServiceAccount` or its name (``run_as()`` sets it).
      Default: none (the namespace's ``default`` account).
    - ``image_pull_secrets``: Secrets (objects or names) for pulling private images.
      Default: none.
    - ``pod_extra``: raw pod-spec fields kubegen does not model. Default: none.
    """

    # No fields of its own: a plain subclass (no attrs class to build at import time)
    # keeps its base's generated __init__ and checks.
    __slots__ = ()

    kind = "Pod"

    def to_dict(self) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": self.object_meta(),
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
    generated_selector = False  # Jobs: the API server writes the selector itself

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        owner = self.label
        if self.pod_labels is not self.labels:
            check_labels(owner, "pod_labels", self.pod_labels)
        if not (self.selector or self.pod_labels or self.generated_selector):
            reject(BuilderError(f"{owner}: its pods need labels (pod_labels=) for the selector to match"))
        if self.selector:
            _check_selector(owner, self.selector, self.pod_labels)
        elif not self.generated_selector:
            default_selector(self.pod_labels, owner)  # refuses labels that are all per-release

    @property
    def match_labels(self) -> FrozenDict:
        immutable = not self.generated_selector  # a Job's own selector is the API server's
        return self.selector or FrozenDict(
            default_selector(self.pod_labels, f"{self.kind} {self.name!r}", immutable=immutable)
        )

    def template(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"labels": dict(self.pod_labels)} if self.pod_labels else {}
        if self.pod_annotations:
            meta["annotations"] = dict(self.pod_annotations)
        return {"metadata": meta, "spec": self.pod_spec()}

    def controller_spec(self) -> dict[str, Any]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        spec = self.controller_spec()
        spec["selector"] = {"matchLabels": dict(self.match_labels)}
        spec["template"] = self.template()
        if self.spec_extra:
            merge_extra(f"{self.kind} {self.name!r}", spec, self.spec_extra)
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "metadata": self.object_meta(),
            "spec": spec,
        }




class _Scalable(_Controller):
    """A controller with a replica count an autoscaler can set."""

    # No fields of its own: a plain subclass (no attrs class to build at import time)
    # keeps its base's generated __init__ and checks.
    __slots__ = ()

    def autoscale(
        self, *, max: int, min: int | None = None, cpu: int | None = None, memory: int | None = None,
        metrics: list[Metric] | None = None, name: str | None = None, **fields: Any,
    ) -> HorizontalPodAutoscaler:
        """A HorizontalPodAutoscaler for this workload (see :func:`kubegen.autoscale`)."""
        from kubegen.model.autoscaling import autoscale

        return autoscale(self, max=max, min=min, cpu=cpu, memory=memory, metrics=metrics, name=name, **fields)


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Deployment(_Scalable):
    """Replicated, rolling-updated pods: the usual way to run a stateless service.

    - ``name`` and ``containers``: required.
    - ``replicas``: how many pods; ``None`` leaves the count out of the manifest, for a
      Deployment an autoscaler scales (a count in the manifest would reset it on every
      apply). Default: 1.
    - ``labels``: labels of the Deployment and its pods. Default: ``{"app": name}``.
    - ``pod_labels``: labels of the pods only, when they differ from the Deployment's
      own (what Services select). Default: ``labels``.
    - ``selector``: which pod labels the Deployment owns (immutable once applied); must
      be a subset of ``pod_labels``. Default: the identity labels of ``pod_labels``,
      never a version or environment (see :mod:`kubegen.model.identity`).
    - ``strategy``: ``RollingUpdate`` or ``Recreate``; ``""`` renders ``strategy: {}``
      (as kubectl does). Default: none (the API default, RollingUpdate).
    - ``pod_annotations``: annotations on the pod template. Default: none.
    - ``spec_extra``: raw Deployment-spec fields kubegen does not model. Default: none.
    - plus every field of :class:`Pod`.
    """

    replicas: int | None = 1
    strategy: str | None = None
    kind = "Deployment"

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if isinstance(self.replicas, int) and self.replicas < 0:
            reject(BuilderError(f"Deployment {self.name!r}: replicas must be an int >= 0 (got {self.replicas!r})"))
        if self.strategy:
            check_choice(f"Deployment {self.name!r}", "strategy", self.strategy,
                         apidata.enum("apps.v1.DeploymentStrategy", "type"))

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
        spec: dict[str, Any] = {} if self.replicas is None else {"replicas": self.replicas}
        if self.strategy is not None:
            spec["strategy"] = {"type": self.strategy} if self.strategy else {}
        return spec


class DaemonSet(_Controller):
    """One pod on every node (log shippers, node agents). Fields as :class:`Deployment`
    without ``replicas``."""

    # No fields of its own: a plain subclass (no attrs class to build at import time)
    # keeps its base's generated __init__ and checks.
    __slots__ = ()

    kind = "DaemonSet"
