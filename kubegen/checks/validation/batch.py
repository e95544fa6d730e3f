"""Jobs and CronJobs (batch validation's ValidateJob, validateJobSpec,
ValidateCronJobCreate): counts, completion modes, pod failure and success policies, the
generated selector, schedules and time zones."""

from __future__ import annotations

import functools
import re
from typing import Any

from kubegen import facts, names
from kubegen.checks.validation import pods
from kubegen.checks.validation.base import Ctx, P, dicts, ival, mapping, non_negative, required_text, show, sval
from kubegen.checks.validation.meta import check_label_selector, selector_matches
from kubegen.checks.validation.paths import Key

MAX_INDEXED_PARALLELISM = 100_000
MAX_FAILED_INDEXES = 100_000
LARGE_INDEX_LIMIT = 10_000
MAX_RULES = 20
MAX_EXIT_CODES = 255
CRONJOB_NAME_MAX = 52
_COUNTS = ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished",
           "backoffLimitPerIndex", "maxFailedIndexes")
_CONDITION_STATUSES = ("True", "False", "Unknown")
_JOB_NAME_LABELS = ("job-name", "batch.kubernetes.io/job-name")
_UID_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid")
LABEL_VALUE_MAX = 63
_TIME_ZONE_PART = names.lazy_pattern(r"[A-Za-z.\-_0-9+]{1,14}\Z")


def check_job(ctx: Ctx, spec: dict[str, Any]) -> None:
    path: P = ("spec",)
    defaulted = spec.get("completions") is None and spec.get("parallelism") is None  # both become 1
    _check_job_spec(ctx, spec, path, completions_defaulted=defaulted)
    template = mapping(spec.get("template")) or {}
    labels = mapping((mapping(template.get("metadata")) or {}).get("labels")) or {}
    selector = spec.get("selector")
    if spec.get("manualSelector") is True:
        if selector is None:
            ctx.add((*path, "selector"), "is required when manualSelector is true")
        elif isinstance(selector, dict):
            check_label_selector(ctx, selector, (*path, "selector"))
            if not selector_matches(selector, labels):
                ctx.add((*path, "template", "metadata", "labels"), "do not match spec.selector; the API server "
                        "rejects this (`selector` does not match template `labels`)", rule="workload-selector")
    else:
        if selector is not None:
            ctx.add((*path, "selector"), "must not be set unless manualSelector is true: the Job controller generates "
                    "the selector (and the template's controller-uid labels, spec.template.metadata.labels) itself; "
                    "remove selector")
        _check_generated_labels(ctx, labels, path)
    name, completions = ctx.m.name, ival(spec.get("completions"))
    if spec.get("completionMode") == "Indexed" and name and completions and completions > 0:
        hostname = f"{name}-{completions - 1}"
        if names.dns1123_label_problems(hostname):
            ctx.invalid(("metadata", "name"), name, f"is too long or not a DNS label for an Indexed Job: its pods get "
                        f"host names such as {hostname!r}, which must be a lowercase RFC 1123 label (at most 63 "
                        "characters)", rule="name")


def _check_generated_labels(ctx: Ctx, labels: dict[str, Any], path: P) -> None:
    """The Job strategy's generateSelector puts job-name/controller-uid labels on the pod
    template before validation (validateGeneratedSelector then checks their values): the
    Job's name becomes a label value (at most 63 characters), and a template label of the
    same key must carry the value the server generates."""
    name = ctx.m.name
    where = (*path, "template", "metadata", "labels")
    for key in _JOB_NAME_LABELS:
        value = labels.get(key, name)
        if isinstance(value, str) and value != name and name:
            ctx.invalid((*where, Key(key)), value, f"must be {name!r} (the Job's name): the API server sets this label "
                        "itself; remove it from the template")
    for key in _UID_LABELS:
        if key in labels:
            ctx.invalid((*where, Key(key)), labels[key], "must be the Job's uid, which the API server generates: "
                        "remove this label from the template (or set manualSelector: true with your own selector)")
    if name and _adds_name_labels(labels) and len(name) > LABEL_VALUE_MAX:
        ctx.invalid(("metadata", "name"), name, f"must be no more than {LABEL_VALUE_MAX} characters for a Job without "
                    "manualSelector: the API server labels its pods job-name=<name> (a label value, at most 63 "
                    "characters)", rule="name")


def _adds_name_labels(labels: dict[str, Any]) -> bool:
    """Whether the server adds the job-name labels (it keeps a template label already set)."""
    return any(key not in labels for key in _JOB_NAME_LABELS)


def check_cronjob(ctx: Ctx, spec: dict[str, Any]) -> None:
    path: P = ("spec",)
    name = ctx.m.name
    if len(name) > CRONJOB_NAME_MAX:
        ctx.invalid(("metadata", "name"), name, f"must be no more than {CRONJOB_NAME_MAX} characters (has "
                    f"{len(name)}): the Jobs it creates append an 11-character suffix", rule="name")
    schedule = required_text(ctx, spec, "schedule", path, "a cron schedule such as '*/5 * * * *'")
    if schedule is not None:
        problem = facts.cron_schedule_problem(schedule)
        if problem:
            ctx.add((*path, "schedule"), f"{schedule!r} {problem}")
        elif "TZ" in schedule:
            ctx.add((*path, "schedule"), f"{schedule!r} cannot use TZ or CRON_TZ; set spec.timeZone instead")
    _check_time_zone(ctx, spec, path)
    for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        non_negative(ctx, spec, field, path)
    job = spec.get("jobTemplate")
    if job is None:
        job = {}
    if not isinstance(job, dict):
        return
    job_spec = job.get("spec")
    if job_spec is None:
        job_spec = {}
    if not isinstance(job_spec, dict):
        return
    here = (*path, "jobTemplate", "spec")
    _check_job_spec(ctx, job_spec, here, completions_defaulted=False)
    if job_spec.get("selector") is not None:
        ctx.add((*here, "selector"), "must not be set: the selector of a CronJob's Jobs is generated; remove it")
    if job_spec.get("manualSelector") is True:
        ctx.add((*here, "manualSelector"), "true is not supported in a jobTemplate (the selector is generated)")


def _check_time_zone(ctx: Ctx, spec: dict[str, Any], path: P) -> None:
    zone = spec.get("timeZone")
    if not isinstance(zone, str):
        return
    where = (*path, "timeZone")
    if zone == "":
        ctx.add(where, "must be unset or a non-empty IANA time zone such as Europe/Berlin")
    elif any(part in (".", "..") or part.startswith("-") or not _TIME_ZONE_PART.match(part) for part in
             zone.split("/")):
        ctx.invalid(where, zone, "is an unknown time zone; use an IANA name such as America/New_York")
    elif zone.lower() == "local":
        ctx.invalid(where, zone, "must be an explicit IANA time zone (e.g. Etc/UTC), not Local")
    elif not _known_time_zone(zone):
        ctx.invalid(where, zone, "is an unknown time zone; use an IANA name such as America/New_York")


@functools.cache
def _known_time_zone(zone: str) -> bool:
    """Whether the time zone database knows ``zone`` (True when this system has none to ask)."""
    import zoneinfo  # on first use: only CronJobs with a timeZone ask

    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return not _has_time_zone_database()
    return True


def _has_time_zone_database() -> bool:
    """Whether this system has a time zone database to ask. Asked only for a zone that
    was not found, and by way of UTC first: ``zoneinfo.available_timezones()`` reads every
    zone file's name (about 10 ms), which only a database without UTC (a pruned one) needs."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo("UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return bool(zoneinfo.available_timezones())
    return True


def _check_job_spec(ctx: Ctx, spec: dict[str, Any], path: P, *, completions_defaulted: bool) -> None:
    for field in _COUNTS:
        non_negative(ctx, spec, field, path)
    indexed = spec.get("completionMode") == "Indexed"
    completions, parallelism = ival(spec.get("completions")), ival(spec.get("parallelism"))
    max_failed, per_index = ival(spec.get("maxFailedIndexes")), spec.get("backoffLimitPerIndex")
    if spec.get("maxFailedIndexes") is not None and per_index is None:
        ctx.add((*path, "backoffLimitPerIndex"), "is required when maxFailedIndexes is specified")
    if indexed:
        if spec.get("completions") is None and not completions_defaulted:
            ctx.add((*path, "completions"), "is required when completionMode is Indexed (the indexes run from 0 to "
                    "completions-1; a Job without parallelism gets completions: 1); add completions: N")
        if completions is not None and completions > MAX_INDEXED_PARALLELISM and per_index is not None:
            _check_large_per_index(ctx, spec, path, parallelism, max_failed)
        if parallelism is not None and parallelism > MAX_INDEXED_PARALLELISM:
            ctx.invalid((*path, "parallelism"), parallelism, f"must be at most {MAX_INDEXED_PARALLELISM} for an "
                        "Indexed Job")
        if max_failed is not None and completions is not None and max_failed > completions:
            ctx.invalid((*path, "maxFailedIndexes"), max_failed, "must be less than or equal to completions")
        if max_failed is not None and max_failed > MAX_FAILED_INDEXES:
            ctx.invalid((*path, "maxFailedIndexes"), max_failed, f"must be at most {MAX_FAILED_INDEXES}")
    else:
        for field in ("backoffLimitPerIndex", "maxFailedIndexes"):
            if spec.get(field) is not None:
                ctx.add((*path, field), "requires completionMode: Indexed")
        if spec.get("successPolicy") is not None:
            ctx.add((*path, "successPolicy"), "requires completionMode: Indexed")
    managed = sval(spec.get("managedBy"))
    if managed is not None:
        _check_managed_by(ctx, managed, (*path, "managedBy"))
    failure = mapping(spec.get("podFailurePolicy"))
    template = mapping(spec.get("template")) or {}
    pod_spec = mapping(template.get("spec")) or {}
    if failure is not None:
        _check_pod_failure_policy(ctx, failure, (*path, "podFailurePolicy"), spec, pod_spec)
        restart = pod_spec.get("restartPolicy")
        if restart == "OnFailure":
            ctx.invalid((*path, "template", "spec", "restartPolicy"), restart, "is not supported with a "
                        "podFailurePolicy: only Never is", suggestion="Never")
        replacement = spec.get("podReplacementPolicy")
        if isinstance(replacement, str) and replacement != "Failed":
            ctx.unsupported((*path, "podReplacementPolicy"), replacement, ("Failed",), why=" with a podFailurePolicy")
    success = mapping(spec.get("successPolicy"))
    if success is not None and indexed:
        _check_success_policy(ctx, success, (*path, "successPolicy"), completions)
    template_raw = spec.get("template")
    if template_raw is None:
        template_raw = {}
    if isinstance(template_raw, dict):
        pods.check_template(ctx, template_raw, (*path, "template"))


def _check_large_per_index(ctx: Ctx, spec: dict[str, Any], path: P, parallelism: int | None,
                           max_failed: int | None) -> None:
    """More than 100000 completions with backoffLimitPerIndex: the controller tracks failed
    indexes, so both their number and the parallelism are capped at 10000."""
    why = "when completions are above 100000 and used with backoffLimitPerIndex"
    if spec.get("maxFailedIndexes") is None:
        ctx.add((*path, "maxFailedIndexes"), f"is required {why}")
    elif max_failed is not None and max_failed > LARGE_INDEX_LIMIT:
        ctx.invalid((*path, "maxFailedIndexes"), max_failed, f"must be less than or equal to {LARGE_INDEX_LIMIT} {why}")
    if parallelism is not None and parallelism > LARGE_INDEX_LIMIT:
        ctx.invalid((*path, "parallelism"), parallelism, f"must be less than or equal to {LARGE_INDEX_LIMIT} {why}")


def _check_managed_by(ctx: Ctx, value: str, path: P) -> None:
    if len(value) > 63:
        ctx.invalid(path, value, "must be no more than 63 characters")
    ctx.problems(path, value, names.domain_prefixed_path_problems(value))


def _check_pod_failure_policy(ctx: Ctx, policy: dict[str, Any], path: P, spec: dict[str, Any],
                              pod_spec: dict[str, Any]) -> None:
    rules = dicts(policy.get("rules"))
    if len(rules) > MAX_RULES:
        ctx.add((*path, "rules"), f"must have at most {MAX_RULES} rules (has {len(rules)})")
    containers = {sval(c.get("name")) for f in ("containers", "initContainers") for _, c in dicts(pod_spec.get(f))}
    for i, rule in rules:
        here = (*path, "rules", i)
        action = rule.get("action")
        if action == "":
            ctx.add((*here, "action"), "is required: one of Count, FailIndex, FailJob, Ignore")
        elif action == "FailIndex" and spec.get("backoffLimitPerIndex") is None:
            ctx.invalid((*here, "action"), action, "requires backoffLimitPerIndex to be set")
        exit_codes, conditions = mapping(rule.get("onExitCodes")), rule.get("onPodConditions")
        if exit_codes is not None:
            _check_exit_codes(ctx, exit_codes, (*here, "onExitCodes"), containers)
        for j, pattern in dicts(conditions):
            where = (*here, "onPodConditions", j)
            kind = sval(pattern.get("type"))
            if kind is not None:
                ctx.problems((*where, "type"), kind, names.qualified_name_problems(kind))
            status = pattern.get("status")  # absent or "": defaulted to True
            if isinstance(status, str) and status and status not in _CONDITION_STATUSES:
                ctx.unsupported((*where, "status"), status, _CONDITION_STATUSES)
        has_conditions = isinstance(conditions, list) and bool(conditions)
        if exit_codes is not None and has_conditions:
            ctx.add(here, "may specify only one of onExitCodes and onPodConditions")
        elif exit_codes is None and not has_conditions:
            ctx.add(here, "must specify one of onExitCodes and onPodConditions")


def _check_exit_codes(ctx: Ctx, codes: dict[str, Any], path: P, containers: set[Any]) -> None:
    operator = codes.get("operator")
    if operator == "":
        ctx.add((*path, "operator"), "is required: In or NotIn")
    name = codes.get("containerName")
    if isinstance(name, str) and name not in containers:
        ctx.invalid((*path, "containerName"), name, "must be one of the container or initContainer names in the pod "
                    "template")
    values = codes.get("values")
    if not isinstance(values, list):
        return
    if not values:
        ctx.add((*path, "values"), "must hold at least one exit code")
    elif len(values) > MAX_EXIT_CODES:
        ctx.add((*path, "values"), f"must hold at most {MAX_EXIT_CODES} exit codes")
    numbers = [ival(v) for v in values]
    seen: set[int] = set()
    for j, number in enumerate(numbers):
        if number is None:
            continue
        if operator == "In" and number == 0:
            ctx.invalid((*path, "values", j), 0, "must not be 0 for the In operator (0 means success)")
        if number in seen:
            ctx.invalid((*path, "values", j), number, "is listed twice")
        seen.add(number)
    known = [n for n in numbers if n is not None]
    if known != sorted(known):
        ctx.invalid((*path, "values"), values, f"must be ordered (e.g. {show(sorted(set(known)))})")


def _check_success_policy(ctx: Ctx, policy: dict[str, Any], path: P, completions: int | None) -> None:
    """validateSuccessPolicy: 1-20 rules, each with succeededIndexes (ordered intervals
    below completions, validateIndexesFormat) and/or succeededCount (at most completions
    and at most the number of indexes listed)."""
    rules = policy.get("rules")
    if not rules:
        ctx.add((*path, "rules"), "is required: at least one rule when successPolicy is set")
        return
    if isinstance(rules, list) and len(rules) > MAX_RULES:
        ctx.add((*path, "rules"), f"must have at most {MAX_RULES} rules")
    for i, rule in dicts(rules):
        here = (*path, "rules", i)
        count, indexes = rule.get("succeededCount"), rule.get("succeededIndexes")
        if count is None and indexes is None:
            ctx.add(here, "must specify succeededCount or succeededIndexes (or both)")
        listed: int | None = None
        if isinstance(indexes, str) and completions is not None:
            listed, problem = _count_indexes(indexes, completions)
            if problem:
                ctx.invalid((*here, "succeededIndexes"), indexes, f"is not a valid index list: {problem} (write "
                            "ordered indexes and ranges below completions, e.g. '0,2-4')")
        number = ival(count)
        if number is not None:
            if number < 0:
                ctx.invalid((*here, "succeededCount"), number, "must be greater than or equal to 0")
            elif completions is not None and number > completions:
                ctx.invalid((*here, "succeededCount"), number, f"must be at most completions ({completions})")
            elif listed is not None and number > listed:
                ctx.invalid((*here, "succeededCount"), number, f"must be at most the number of indexes in "
                            f"succeededIndexes ({listed})")


def _count_indexes(text: str, completions: int) -> tuple[int | None, str]:
    """(how many indexes, problem) of a succeededIndexes value such as ``0,2-4``."""
    total, last = 0, -1
    for part in text.split(","):
        if not part:
            continue
        bounds = part.split("-")
        if len(bounds) > 2:
            return None, f"{part!r} has more than one '-'"
        numbers = []
        for bound in bounds:
            if not re.fullmatch(r"[+-]?\d+", bound):
                return None, f"{bound!r} is not an index"
            numbers.append(int(bound))
        if any(n >= completions for n in numbers):
            return None, f"index {max(numbers)} is not below completions ({completions})"
        first, end = numbers[0], numbers[-1]
        if first <= last or (len(numbers) == 2 and first >= end):
            return None, f"{part!r} is not in increasing order"
        total += end - first + 1
        last = end
    return total, ""
