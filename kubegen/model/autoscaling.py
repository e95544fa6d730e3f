"""HorizontalPodAutoscaler (autoscaling/v2): replicas that follow CPU, memory or custom metrics.

``web.autoscale(min=2, max=10, cpu=70)`` makes one for a Deployment or StatefulSet and
checks at once that every container requests the resource a utilisation target is a
percentage of (without a request the autoscaler cannot compute utilisation and does
nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from kubegen import facts
from kubegen.errors import BuilderError, BuilderTypeError
from kubegen.location import Location
from kubegen.model._base import (
    EMPTY,
    Builder,
    FrozenDict,
    check,
    check_choice,
    check_meta,
    frozen_any_map,
    frozen_str_map,
    plain,
    source_field,
    to_tuple,
    typed_fields,
)
from kubegen.model.meta import ObjectBuilder

if TYPE_CHECKING:
    from kubegen.model.workload import _Workload

_TARGET_TYPES = ("Utilization", "AverageValue", "Value")


def _target(owner: str, utilization: int | None, average_value: str | int | None, value: str | int | None,
            allowed: tuple[str, ...]) -> dict[str, Any]:
    given = {k: v for k, v in (("Utilization", utilization), ("AverageValue", average_value),
                               ("Value", value)) if v is not None}
    if len(given) != 1 or not set(given) <= set(allowed):
        names = {"Utilization": "utilization=", "AverageValue": "average_value=", "Value": "value="}
        raise BuilderError(f"{owner}: give exactly one of {', '.join(names[a] for a in allowed)}")
    (kind, amount), = given.items()
    if kind == "Utilization":
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            raise BuilderError(f"{owner}: utilization must be a percentage >= 1 (got {amount!r})")
        return {"type": "Utilization", "averageUtilization": amount}
    text = amount if isinstance(amount, str) else str(amount)
    if isinstance(amount, bool) or not isinstance(amount, (str, int)):
        raise BuilderTypeError(f"{owner}: a target value must be a quantity such as '500m' or 100 (got {amount!r})")
    check(owner, "target", text, facts.quantity_problems)
    key = "averageValue" if kind == "AverageValue" else "value"
    return {"type": kind, key: text}


def _metric_selector(selector: Mapping[str, str] | None) -> dict[str, Any]:
    return {"selector": {"matchLabels": dict(selector)}} if selector else {}


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Metric(Builder):
    """One metric an autoscaler follows; build it with a constructor:

    - ``Metric.cpu(70)`` / ``Metric.memory(80)``: average utilisation (percent of the
      pods' requests); ``Metric.resource("cpu", average_value="500m")`` for an absolute value;
    - ``Metric.container_resource("cpu", container="app", utilization=60)``;
    - ``Metric.pods("requests_per_second", average_value="100")``: a per-pod custom metric;
    - ``Metric.object("requests", described=("Ingress", "main"), value="10k")``;
    - ``Metric.external("queue_messages", average_value="30", selector={"queue": "jobs"})``.
    """

    spec: FrozenDict = attrs.field(converter=frozen_any_map)

    @classmethod
    def resource(cls, name: str, *, utilization: int | None = None, average_value: str | int | None = None) -> Metric:
        owner = f"Metric.resource({name!r})"
        target = _target(owner, utilization, average_value, None, ("Utilization", "AverageValue"))
        return cls(spec={"type": "Resource", "resource": {"name": name, "target": target}})

    @classmethod
    def cpu(cls, utilization: int) -> Metric:
        return cls.resource("cpu", utilization=utilization)

    @classmethod
    def memory(cls, utilization: int) -> Metric:
        return cls.resource("memory", utilization=utilization)

    @classmethod
    def container_resource(cls, name: str, *, container: str, utilization: int | None = None,
                           average_value: str | int | None = None) -> Metric:
        target = _target(f"Metric.container_resource({name!r})", utilization, average_value, None,
                         ("Utilization", "AverageValue"))
        return cls(spec={"type": "ContainerResource",
                         "containerResource": {"name": name, "container": container, "target": target}})

    @classmethod
    def pods(cls, name: str, *, average_value: str | int, selector: Mapping[str, str] | None = None) -> Metric:
        target = _target(f"Metric.pods({name!r})", None, average_value, None, ("AverageValue",))
        return cls(spec={"type": "Pods", "pods": {"metric": {"name": name, **_metric_selector(selector)},
                                                   "target": target}})

    @classmethod
    def object(cls, name: str, *, described: tuple[str, str] | Any, value: str | int | None = None,
               average_value: str | int | None = None, api_version: str | None = None) -> Metric:
        """A metric of one object (``described``: ``(kind, name)`` or a kubegen object)."""
        kind, obj_name = described if isinstance(described, tuple) else (described.kind, described.name)
        ref: dict[str, Any] = {"kind": kind, "name": obj_name}
        if api_version is not None:
            ref = {"apiVersion": api_version, **ref}
        target = _target(f"Metric.object({name!r})", None, average_value, value, ("Value", "AverageValue"))
        return cls(spec={"type": "Object", "object": {"describedObject": ref, "metric": {"name": name},
                                                       "target": target}})

    @classmethod
    def external(cls, name: str, *, value: str | int | None = None, average_value: str | int | None = None,
                 selector: Mapping[str, str] | None = None) -> Metric:
        target = _target(f"Metric.external({name!r})", None, average_value, value, ("Value", "AverageValue"))
        return cls(spec={"type": "External", "external": {"metric": {"name": name, **_metric_selector(selector)},
                                                           "target": target}})

    @property
    def utilization_of(self) -> tuple[str, str | None] | None:
        """``(resource, container)`` when this metric is a utilisation percentage (which
        needs the containers to request that resource), else None."""
        for key, container_key in (("resource", None), ("containerResource", "container")):
            body = self.spec.get(key)
            if isinstance(body, Mapping) and isinstance(body.get("target"), Mapping) \
                    and body["target"].get("type") == "Utilization":
                return str(body.get("name")), None if container_key is None else str(body.get(container_key))
        return None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self.spec)
        return result


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ScaleTarget(Builder):
    """What an autoscaler scales: ``kind``, ``name`` and the ``api_version`` it is served at
    (default: the one kubegen knows for the kind: ``apps/v1`` for a Deployment)."""

    kind: str
    name: str
    api_version: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.api_version is None and self.kind not in facts.SCALABLE_KINDS:
            raise BuilderError(
                f"ScaleTarget: {self.kind} has no scale subresource kubegen knows (scalable: "
                f"{', '.join(facts.SCALABLE_KINDS)}); give api_version= for a custom resource"
            )

    def to_dict(self) -> dict[str, Any]:
        return {"apiVersion": self.api_version or facts.SCALABLE_KINDS[self.kind], "kind": self.kind,
                "name": self.name}


def _scale_target(value: Any) -> ScaleTarget:
    """A workload object, ``"Deployment/web"`` or a :class:`ScaleTarget`."""
    if isinstance(value, ScaleTarget):
        return value
    if isinstance(value, str):
        kind, slash, name = value.partition("/")
        if not slash or not kind or not name:
            raise BuilderError(f"HorizontalPodAutoscaler: target {value!r} must be 'Kind/name', e.g. 'Deployment/web'")
        return ScaleTarget(kind=kind, name=name)
    target_kind, target_name = getattr(value, "kind", None), getattr(value, "name", None)
    if not isinstance(target_kind, str) or not isinstance(target_name, str):
        raise BuilderTypeError(f"HorizontalPodAutoscaler: target must be a workload or 'Kind/name' (got {value!r})")
    if target_kind not in facts.SCALABLE_KINDS:
        raise BuilderError(
            f"HorizontalPodAutoscaler: {target_kind} {target_name!r} cannot be autoscaled (it has no replica "
            f"count to set); scalable: {', '.join(facts.SCALABLE_KINDS)}"
        )
    return ScaleTarget(kind=target_kind, name=target_name)


def _metrics(value: Any) -> tuple[Metric, ...]:
    metrics: tuple[Metric, ...] = to_tuple()(value)
    for metric in metrics:
        if not isinstance(metric, Metric):
            raise BuilderTypeError(f"metrics must be Metric objects such as Metric.cpu(70) (got {metric!r})")
    return metrics


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class HorizontalPodAutoscaler(ObjectBuilder):
    """Scales a Deployment or StatefulSet between ``min_replicas`` and ``max_replicas``;
    usually made by ``workload.autoscale(...)``.

    - ``name``: DNS-1123 subdomain (required).
    - ``target``: the workload, ``"Deployment/web"`` or a :class:`ScaleTarget` (required).
    - ``max_replicas``: (required, >= 1).
    - ``min_replicas``: Default: none (the API's 1).
    - ``metrics``: ``[Metric.cpu(70), ...]``. Default: none (the controller then holds
      CPU utilisation at 80%).
    - ``behavior``: the API's ``behavior`` (scale-up/-down policies) as a mapping. Default: none.
    - ``labels`` / ``annotations`` / ``namespace``: Default: none / none / the Stack's.
    """

    name: str = ""
    target: ScaleTarget = attrs.field(converter=_scale_target)
    max_replicas: int
    min_replicas: int | None = None
    metrics: tuple[Metric, ...] = attrs.field(default=(), converter=_metrics)
    behavior: FrozenDict = attrs.field(default=EMPTY, converter=frozen_any_map)
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    annotations: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    source: Location = source_field()

    kind = "HorizontalPodAutoscaler"

    def __attrs_post_init__(self) -> None:
        owner = check_meta("HorizontalPodAutoscaler", self)
        for field, value in (("max_replicas", self.max_replicas), ("min_replicas", self.min_replicas)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise BuilderError(f"{owner}: {field} must be an int >= 1 (got {value!r})")
        if self.min_replicas is not None and self.min_replicas > self.max_replicas:
            raise BuilderError(
                f"{owner}: min_replicas {self.min_replicas} is more than max_replicas {self.max_replicas}"
            )
        for metric in self.metrics:
            check_choice(owner, "metric type", str(metric.spec.get("type")),
                         ("Resource", "ContainerResource", "Pods", "Object", "External"))

    def to_dict(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"scaleTargetRef": self.target.to_dict()}
        if self.min_replicas is not None:
            spec["minReplicas"] = self.min_replicas
        spec["maxReplicas"] = self.max_replicas
        if self.metrics:
            spec["metrics"] = [m.to_dict() for m in self.metrics]
        if self.behavior:
            spec["behavior"] = plain(self.behavior)
        return {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": self.object_meta(),
            "spec": spec,
        }


def requested(workload: _Workload, resource: str, container: str | None) -> list[str]:
    """The containers of ``workload`` (or just ``container``) that request no ``resource``
    (a limit alone counts: the API server copies it into the request). Sidecars (init
    containers with ``restartPolicy: Always``) count: the autoscaler sums their requests too."""
    sidecars = [c for c in workload.init_containers if c.extra.get("restartPolicy") == "Always"]
    found = [c for c in (*workload.containers, *sidecars) if container is None or c.name == container]
    return [c.name for c in found
            if c.resources is None or (resource not in c.resources.requests and resource not in c.resources.limits)]


def autoscale(
    workload: _Workload, *, max: int, min: int | None = None, cpu: int | None = None, memory: int | None = None,
    metrics: list[Metric] | None = None, name: str | None = None, **fields: Any,
) -> HorizontalPodAutoscaler:
    """A HorizontalPodAutoscaler for ``workload`` (name, namespace and labels from it).

    ``cpu=70`` / ``memory=80``: target average utilisation in percent of the containers'
    requests; ``metrics=[...]`` adds any other :class:`Metric`. Refuses a utilisation
    target when a container requests none of that resource (the autoscaler could not
    compute it and would never scale).
    """
    chosen = [Metric.cpu(cpu)] if cpu is not None else []
    if memory is not None:
        chosen.append(Metric.memory(memory))
    chosen.extend(metrics or [])
    owner = f"autoscale({workload.kind} {workload.name!r})"
    for metric in chosen or [Metric.cpu(80)]:
        wanted = metric.utilization_of
        if wanted is None:
            continue
        resource, container = wanted
        if container is not None and container not in [c.name for c in workload.containers]:
            raise BuilderError(f"{owner}: no container is called {container!r} "
                               f"(containers: {[c.name for c in workload.containers]})")
        missing = requested(workload, resource, container)
        if missing:
            default = "" if chosen else " (no metric given: the autoscaler then follows CPU utilisation)"
            raise BuilderError(
                f"{owner}: a {resource} utilisation target{default} is a percentage of the containers' "
                f"{resource} requests, but {', '.join(repr(c) for c in missing)} request(s) no {resource}; add "
                f"resources=Resources(requests={{{resource!r}: ...}}) (if a LimitRange of the namespace gives "
                "containers default requests, build HorizontalPodAutoscaler(...) itself: the checks count it)"
            )
    values: dict[str, Any] = {"labels": workload.labels, "namespace": workload.namespace}
    values.update(fields)
    return HorizontalPodAutoscaler(name=name or workload.name, target=workload, min_replicas=min,
                                   max_replicas=max, metrics=chosen, **values)
