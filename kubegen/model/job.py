"""Job and CronJob: pods that run to completion, once or on a schedule."""

from __future__ import annotations

from typing import Any

import attrs

from kubegen import apidata, facts
from kubegen.errors import BuilderError
from kubegen.model._base import (
    EMPTY,
    FrozenDict,
    check_choice,
    frozen_any_map,
    merge_extra,
    plain,
    str_tuple,
    typed_fields,
)
from kubegen.model.container import Container, Resources
from kubegen.model.workload import _Controller

_JOB_RESTART = ("OnFailure", "Never")


def _count(owner: str, field: str, value: Any, minimum: int) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < minimum):
        raise BuilderError(f"{owner}: {field} must be an int >= {minimum} (got {value!r})")


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class _JobFields(_Controller):
    """What a Job's spec holds (a CronJob's job template holds the same)."""

    restart_policy: str | None = "Never"
    completions: int | None = None
    parallelism: int | None = None
    backoff_limit: int | None = None
    active_deadline_seconds: int | None = None
    ttl_seconds_after_finished: int | None = None
    completion_mode: str | None = None

    api_version = "batch/v1"
    generated_selector = True

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        owner = self.label
        if self.restart_policy not in _JOB_RESTART:
            raise BuilderError(
                f"{owner}: restart_policy must be OnFailure or Never (got {self.restart_policy!r}); "
                "a pod that always restarts would never complete"
            )
        for field, minimum in (("completions", 0), ("parallelism", 0), ("backoff_limit", 0),
                               ("active_deadline_seconds", 1), ("ttl_seconds_after_finished", 0)):
            _count(owner, field, getattr(self, field), minimum)
        check_choice(owner, "completion_mode", self.completion_mode, apidata.enum("batch.v1.JobSpec", "completionMode"))
        if self.completion_mode == "Indexed" and self.completions is None:
            raise BuilderError(f"{owner}: an Indexed Job needs completions=N (one index per completion)")

    def job_spec(self, extra: FrozenDict) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        for key, value in (
            ("completions", self.completions), ("parallelism", self.parallelism),
            ("backoffLimit", self.backoff_limit), ("activeDeadlineSeconds", self.active_deadline_seconds),
            ("ttlSecondsAfterFinished", self.ttl_seconds_after_finished), ("completionMode", self.completion_mode),
        ):
            if value is not None:
                spec[key] = value
        if self.selector:  # a hand-written selector: the API then wants manualSelector
            spec["manualSelector"] = True
            spec["selector"] = {"matchLabels": dict(self.selector)}
        spec["template"] = self.template()
        if extra:
            merge_extra(f"{self.kind} {self.name!r}", spec, extra)
        return spec


def _kubectl_containers(name: str, image: str, command: Any) -> list[Container]:
    return [Container(name=name, image=image, command=str_tuple(command), resources=Resources())]


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Job(_JobFields):
    """Pods that run until ``completions`` of them succeed.

    - ``name`` and ``containers``: required.
    - ``restart_policy``: ``Never`` (default: a failed pod is replaced) or ``OnFailure``.
    - ``completions``, ``parallelism``: Default: none (the API's 1 and 1).
    - ``backoff_limit``: retries before the Job fails. Default: none (the API's 6).
    - ``active_deadline_seconds``, ``ttl_seconds_after_finished``: Default: none.
    - ``completion_mode``: ``NonIndexed`` or ``Indexed`` (needs ``completions``). Default: none.
    - ``labels``: labels of the Job and its pods. Default: ``{"app": name}``.
    - ``selector``: only for a hand-managed selector (writes ``manualSelector: true``).
      Default: none (the API server generates one).
    - ``spec_extra``: raw Job-spec fields kubegen does not model (``podFailurePolicy``, ...).
    - plus every pod field of :class:`Pod` (``volumes``, ``service_account_name``, ...).
    """

    kind = "Job"

    @classmethod
    def create(cls, name: str, *, image: str, command: list[str] | None = None, **fields: Any) -> Job:
        """Same as ``kubectl create job NAME --image=I [-- COMMAND...]``."""
        fields.setdefault("labels", {})
        return cls(name=name, containers=_kubectl_containers(name, image, command), **fields)

    def to_dict(self) -> dict[str, Any]:
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": self.object_meta(),
            "spec": self.job_spec(self.spec_extra),
        }


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class CronJob(_JobFields):
    """A Job created on a schedule.

    - ``name``, ``containers`` and ``schedule`` (cron syntax, ``"*/5 * * * *"`` or
      ``"@hourly"``): required.
    - ``restart_policy``: ``OnFailure`` (default) or ``Never``.
    - ``time_zone``: e.g. ``"Europe/Berlin"``. Default: none (the controller's).
    - ``concurrency_policy``: ``Allow``, ``Forbid`` or ``Replace``. Default: none (Allow).
    - ``starting_deadline_seconds``, ``successful_jobs_history_limit``,
      ``failed_jobs_history_limit``, ``suspend``: Default: none (the API's).
    - ``job_metadata``: the Job template's metadata (labels and annotations each Job gets).
      Default: none.
    - ``job_extra``: raw fields of the Job template's spec. Default: none.
    - ``spec_extra``: raw CronJob-spec fields. Default: none.
    - plus every field of :class:`Job` (they describe each Job it creates).
    """

    schedule: str = ""
    restart_policy: str | None = "OnFailure"
    time_zone: str | None = None
    concurrency_policy: str | None = None
    starting_deadline_seconds: int | None = None
    successful_jobs_history_limit: int | None = None
    failed_jobs_history_limit: int | None = None
    suspend: bool | None = None
    job_metadata: FrozenDict = attrs.field(default=EMPTY, converter=frozen_any_map)
    job_extra: FrozenDict = attrs.field(default=EMPTY, converter=frozen_any_map)

    kind = "CronJob"

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        owner = f"CronJob {self.name!r}"
        if not isinstance(self.schedule, str) or not self.schedule.strip():
            raise BuilderError(f"{owner}: schedule= is required, e.g. '*/5 * * * *' or '@hourly'")
        problem = facts.cron_schedule_problem(self.schedule)
        if problem:
            raise BuilderError(f"{owner}: schedule {self.schedule!r} {problem}")
        check_choice(owner, "concurrency_policy", self.concurrency_policy,
                     apidata.enum("batch.v1.CronJobSpec", "concurrencyPolicy"))
        for field in ("starting_deadline_seconds", "successful_jobs_history_limit", "failed_jobs_history_limit"):
            _count(owner, field, getattr(self, field), 0)
        if len(self.name) > 52:
            raise BuilderError(f"{owner}: name must be no more than 52 characters (the controller appends "
                               "11 characters to name each Job)")

    @classmethod
    def create(cls, name: str, *, image: str, schedule: str, command: list[str] | None = None,
               **fields: Any) -> CronJob:
        """Same as ``kubectl create cronjob NAME --image=I --schedule=S [-- COMMAND...]``."""
        fields.setdefault("labels", {})
        return cls(name=name, schedule=schedule, containers=_kubectl_containers(name, image, command), **fields)

    def to_dict(self) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        for key, value in (
            ("schedule", self.schedule), ("timeZone", self.time_zone), ("concurrencyPolicy", self.concurrency_policy),
            ("startingDeadlineSeconds", self.starting_deadline_seconds),
            ("successfulJobsHistoryLimit", self.successful_jobs_history_limit),
            ("failedJobsHistoryLimit", self.failed_jobs_history_limit), ("suspend", self.suspend),
        ):
            if value is not None:
                spec[key] = value
        template: dict[str, Any] = {"metadata": plain(self.job_metadata)} if self.job_metadata else {}
        template["spec"] = self.job_spec(self.job_extra)
        spec["jobTemplate"] = template
        if self.spec_extra:
            merge_extra(f"CronJob {self.name!r}", spec, self.spec_extra)
        return {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": self.object_meta(),
            "spec": spec,
        }
