"""Jobs, CronJobs, PersistentVolumeClaims, ServiceAccounts and RBAC as builder calls.

Helpers first where the objects they wire are typed in the app: ``role.bind(robot)``,
``cluster_role.bind_in_namespace(...)``; else the plain builder. HPA, PDB and
NetworkPolicy are in :mod:`kubegen.importer.policies`.
"""

from __future__ import annotations

from typing import Any

from kubegen.importer.kinds import template_parts
from kubegen.importer.objects import Context, metadata, object_name, top
from kubegen.importer.pods import Unsupported, dig, is_int, is_str_list, is_str_map, kwargs_of, pod_spec, pull_secrets
from kubegen.importer.pysource import Call, Var, call

RBAC_GROUP = "rbac.authorization.k8s.io"


def _is_count(value: Any) -> bool:
    return is_int(value)


_JOB_FIELDS = (
    ("completions", "completions", _is_count), ("parallelism", "parallelism", _is_count),
    ("backoffLimit", "backoff_limit", _is_count), ("activeDeadlineSeconds", "active_deadline_seconds", _is_count),
    ("ttlSecondsAfterFinished", "ttl_seconds_after_finished", _is_count),
    ("completionMode", "completion_mode", lambda v: isinstance(v, str)),
)
_CRON_FIELDS = (
    ("schedule", "schedule", lambda v: isinstance(v, str)), ("timeZone", "time_zone", lambda v: isinstance(v, str)),
    ("concurrencyPolicy", "concurrency_policy", lambda v: isinstance(v, str)),
    ("startingDeadlineSeconds", "starting_deadline_seconds", _is_count),
    ("successfulJobsHistoryLimit", "successful_jobs_history_limit", _is_count),
    ("failedJobsHistoryLimit", "failed_jobs_history_limit", _is_count),
    ("suspend", "suspend", lambda v: isinstance(v, bool)),
)


def _job_spec(spec: dict[str, Any], labels: Any, ctx: Context) -> dict[str, Any]:
    """Builder arguments for a Job spec (a Job's, or a CronJob's job template)."""
    spec = dict(spec)
    kwargs = kwargs_of(spec, _JOB_FIELDS)
    template_meta, template_spec = template_parts(spec)
    pod_labels = template_meta.get("labels") or {}
    if pod_labels != labels:
        kwargs["pod_labels"] = pod_labels
    if template_meta.get("annotations"):
        kwargs["pod_annotations"] = template_meta["annotations"]
    if spec.get("manualSelector") is True:
        selector = spec.pop("selector", None)
        spec.pop("manualSelector")
        if not isinstance(selector, dict) or set(selector) != {"matchLabels"} or not is_str_map(
                selector["matchLabels"]):
            raise Unsupported("a manual selector other than matchLabels")
        kwargs["selector"] = selector["matchLabels"]
    kwargs.update(pod_spec(template_spec, ctx.refs))
    return {"rest": spec, **kwargs}


def job(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``Job(...)`` and ``CronJob(...)``."""
    kind = obj["kind"]
    spec = top(obj, "spec")
    name = object_name(obj)
    meta = metadata(obj, {"app": name})
    head: dict[str, Any] = {"name": meta.pop("name")}
    if "namespace" in meta:
        head["namespace"] = meta.pop("namespace")
    labels = meta.get("labels", {"app": name})
    if kind == "Job":
        kwargs = _job_spec(spec, labels, ctx)
        if kwargs.get("restart_policy") == "Never":  # the builder's default
            del kwargs["restart_policy"]
        rest = kwargs.pop("rest")
        if rest:
            kwargs["spec_extra"] = rest
        return [call("Job", **head, **meta, **kwargs)]
    cron = kwargs_of(spec, _CRON_FIELDS)
    template = spec.pop("jobTemplate", None)
    if not isinstance(template, dict) or not set(template) <= {"metadata", "spec"} or not isinstance(
            template.get("spec"), dict):
        raise Unsupported("a jobTemplate other than metadata and spec")
    kwargs = _job_spec(template["spec"], labels, ctx)
    if kwargs.get("restart_policy") == "OnFailure":  # the builder's default
        del kwargs["restart_policy"]
    job_rest = kwargs.pop("rest")
    template_meta = {k: v for k, v in (template.get("metadata") or {}).items()
                     if not (k == "creationTimestamp" and v is None)}
    if template_meta:
        kwargs["job_metadata"] = template_meta
    if job_rest:
        kwargs["job_extra"] = job_rest
    if spec:
        kwargs["spec_extra"] = spec
    return [call("CronJob", **head, **cron, **meta, **kwargs)]


# --- storage -----------------------------------------------------------------------


def claim_kwargs(spec: Any) -> dict[str, Any]:
    """``PersistentVolumeClaim`` arguments for a claim spec (a claim's or a template's)."""
    if not isinstance(spec, dict):
        raise Unsupported("a claim spec that is not a mapping")
    rest = dict(spec)
    resources = rest.pop("resources", None)
    storage = dig(resources, "requests", "storage")
    if not isinstance(resources, dict) or set(resources) != {"requests"} or set(resources["requests"]) != {
            "storage"} or not isinstance(storage, (str, int)) or isinstance(storage, bool):
        raise Unsupported("resources other than requests.storage")
    kwargs: dict[str, Any] = {"storage": storage}
    modes = rest.pop("accessModes", None)
    if not is_str_list(modes):
        raise Unsupported("no accessModes")
    if modes != ["ReadWriteOnce"]:
        kwargs["access_modes"] = modes
    selector = rest.get("selector")
    if selector is not None:
        if not isinstance(selector, dict) or set(selector) != {"matchLabels"} or not is_str_map(
                selector["matchLabels"]):
            raise Unsupported("a claim selector other than matchLabels")
        kwargs["selector"] = rest.pop("selector")["matchLabels"]
    kwargs.update(kwargs_of(rest, (
        ("storageClassName", "storage_class_name", lambda v: isinstance(v, str)),
        ("volumeMode", "volume_mode", lambda v: isinstance(v, str)),
        ("volumeName", "volume_name", lambda v: isinstance(v, str)),
    )))
    if rest:
        kwargs["spec_extra"] = rest
    return kwargs


def claim(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``PersistentVolumeClaim(...)``."""
    spec = top(obj, "spec")
    kwargs = metadata(obj, None)
    head = {"name": kwargs.pop("name")}
    return [call("PersistentVolumeClaim", **head, **claim_kwargs(spec), **kwargs)]


def claim_template(item: Any) -> Call:
    """One of a StatefulSet's ``volumeClaimTemplates`` as ``PersistentVolumeClaim(...)``."""
    if not isinstance(item, dict) or not set(item) <= {"metadata", "spec", "apiVersion", "kind", "status"}:
        raise Unsupported("a claim template with fields other than metadata and spec")
    meta = item.get("metadata")
    if not isinstance(meta, dict):
        raise Unsupported("a claim template without metadata")
    meta = {k: v for k, v in meta.items() if not (k == "creationTimestamp" and v is None)}
    if not set(meta) <= {"name", "labels", "annotations"} or not isinstance(meta.get("name"), str):
        raise Unsupported("claim template metadata other than name, labels and annotations")
    kwargs = {k: v for k, v in meta.items() if k != "name" and v}
    return call("PersistentVolumeClaim", name=meta["name"], **claim_kwargs(item.get("spec")), **kwargs)


# --- ServiceAccount and RBAC ---------------------------------------------------------


def service_account(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``ServiceAccount(...)``."""
    top(obj, "automountServiceAccountToken", "imagePullSecrets")
    kwargs = metadata(obj, None)
    head = {"name": kwargs.pop("name")}
    automount = obj.get("automountServiceAccountToken")
    if automount is not None:
        head["automount_service_account_token"] = automount
    if "imagePullSecrets" in obj:
        secrets = pull_secrets(obj["imagePullSecrets"], ctx.refs)
        if secrets is None:
            raise Unsupported("imagePullSecrets other than a list of names")
        head["image_pull_secrets"] = secrets
    return [call("ServiceAccount", **head, **kwargs)]


def _rule(rule: Any) -> Call:
    if not isinstance(rule, dict):
        raise Unsupported("a rule that is not a mapping")
    fields = {"apiGroups", "resources", "resourceNames", "verbs", "nonResourceURLs"}
    if not set(rule) <= fields or not all(is_str_list(v) or v == [] for v in rule.values()):
        raise Unsupported("a rule with fields other than lists of strings")
    kwargs: dict[str, Any] = {"verbs": rule.get("verbs", [])}
    groups, resources = rule.get("apiGroups"), rule.get("resources")
    if resources:
        if groups is not None and len(groups) == 1 and not any("." in r for r in resources):
            group = groups[0]
            kwargs["resources"] = [r if not group else _dotted(r, group) for r in resources]
        else:
            kwargs["resources"] = resources
            kwargs["api_groups"] = groups if groups is not None else []
    for key, arg in (("resourceNames", "resource_names"), ("nonResourceURLs", "non_resource_urls")):
        if rule.get(key):
            kwargs[arg] = rule[key]
    return call("PolicyRule", **kwargs)


def _dotted(resource: str, group: str) -> str:
    head, slash, sub = resource.partition("/")
    return f"{head}.{group}{slash}{sub}"


def role(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``Role(...)`` / ``ClusterRole(...)``."""
    kind = obj["kind"]
    top(obj, "rules", *(("aggregationRule",) if kind == "ClusterRole" else ()))
    kwargs = metadata(obj, None)
    head: dict[str, Any] = {"name": kwargs.pop("name")}
    rules = obj.get("rules")
    if rules:
        if not isinstance(rules, list):
            raise Unsupported("rules that are not a list")
        head["rules"] = [_rule(r) for r in rules]
    aggregation = obj.get("aggregationRule")
    if aggregation is not None:
        selectors = aggregation.get("clusterRoleSelectors") if isinstance(aggregation, dict) else None
        if not isinstance(selectors, list) or set(aggregation) != {"clusterRoleSelectors"} or not all(
                isinstance(s, dict) and set(s) == {"matchLabels"} and is_str_map(s["matchLabels"]) for s in selectors):
            raise Unsupported("an aggregationRule other than matchLabels selectors")
        head["aggregate_from"] = [s["matchLabels"] for s in selectors]
    return [call(kind, **head, **kwargs)]


def _subject(subject: Any, ctx: Context, binding_namespace: str | None) -> Any:
    if not isinstance(subject, dict) or not isinstance(subject.get("name"), str):
        raise Unsupported("a subject without a name")
    kind, name = subject.get("kind"), subject["name"]
    if kind in ("User", "Group"):
        if set(subject) != {"kind", "name", "apiGroup"} or subject["apiGroup"] != RBAC_GROUP:
            raise Unsupported(f"a {kind} subject with fields other than kind, name and apiGroup")
        return call(f"Subject.{kind.lower()}", name)
    if kind != "ServiceAccount" or not set(subject) <= {"kind", "name", "namespace", "apiGroup"} or subject.get(
            "apiGroup", "") != "":
        raise Unsupported("a subject that is not a ServiceAccount, User or Group")
    namespace = subject.get("namespace")
    ref = ctx.refs("ServiceAccount", name) if namespace in (None, binding_namespace) else name
    if isinstance(ref, Var) and namespace is None:
        return ref
    return call("Subject.service_account", name, **({"namespace": namespace} if namespace is not None else {}))


def binding(obj: dict[str, Any], ctx: Context) -> list[Call]:
    """``role.bind(...)``, ``cluster_role.bind_in_namespace(...)`` when the role is typed in
    the app, else ``RoleBinding(...)`` / ``ClusterRoleBinding(...)``."""
    kind = obj["kind"]
    top(obj, "roleRef", "subjects")
    kwargs = metadata(obj, None)
    ref = obj.get("roleRef")
    if not isinstance(ref, dict) or set(ref) != {"apiGroup", "kind", "name"} or ref["apiGroup"] != RBAC_GROUP:
        raise Unsupported("a roleRef other than apiGroup, kind and name")
    role_kind, role_name = ref["kind"], ref["name"]
    namespace = dig(obj, "metadata", "namespace")
    subjects = [_subject(s, ctx, namespace) for s in obj.get("subjects") or []]
    name = kwargs.pop("name")
    candidates = []
    found = ctx.find(role_kind, role_name) if isinstance(role_kind, str) and isinstance(role_name, str) else None
    if found is not None:
        var, _ = found
        method = "bind_in_namespace" if kind == "RoleBinding" and role_kind == "ClusterRole" else "bind"
        extra = {} if name == role_name else {"name": name}
        candidates.append(call(method, *subjects, receiver=var, **extra, **kwargs))
    role_arg: Any = found[0] if found is not None else role_name
    fields: dict[str, Any] = {} if found is not None or kind == "ClusterRoleBinding" else {"role_kind": role_kind}
    if subjects:
        fields["subjects"] = subjects
    candidates.append(call(kind, name=name, role=role_arg, **fields, **kwargs))
    return candidates
