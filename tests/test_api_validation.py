"""The ``invalid-value`` rule: for each check, a manifest that trips it (rule id, message
text and the line of the offending field asserted) and a near miss that passes.

The oracle for what is rejected is the API server's validation as documented in the
Kubernetes API reference and ``pkg/apis/{core,apps,batch,networking}/validation``
(facts, e.g. "successThreshold must be 1 for liveness and startup probes"); the line
oracle is a ``#<`` marker written by hand on the offending line of each case.
"""

from __future__ import annotations

import textwrap
from fractions import Fraction

import pytest

from kubegen.checks import RULES, Finding, run_checks
from kubegen.facts import cron_schedule_problem, parse_quantity
from kubegen.reader import read_text

RULE = "invalid-value"
MARK = "#<"


def findings(text: str) -> list[Finding]:
    result = read_text(text, "x.yaml")
    assert result.problems == [], [p.format() for p in result.problems]
    return run_checks(result.manifests)


def pod(body: str, kind_header: str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n") -> str:
    return kind_header + textwrap.indent(textwrap.dedent(body), "  ")


def workload(kind: str, spec: str, pod_spec: str, api: str = "apps/v1") -> str:
    """A controller whose selector matches its template; ``spec`` and ``pod_spec`` dedented."""
    head = (
        f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: w\nspec:\n"
        + textwrap.indent(textwrap.dedent(spec), "  ")
        + "  selector:\n    matchLabels: {app: w}\n"
        + "  template:\n    metadata:\n      labels: {app: w}\n    spec:\n"
    )
    return head + textwrap.indent(textwrap.dedent(pod_spec), "      ")


def marked_line(text: str) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if MARK in line]
    assert len(lines) == 1, "a case marks exactly one line"
    return lines[0]


def assert_trips(text: str, fragment: str) -> Finding:
    """Exactly one invalid-value finding, at the marked line; the shapes are right (no schema finding)."""
    all_found = findings(text)
    assert [f.format() for f in all_found if f.rule == "schema"] == []
    found = [f for f in all_found if f.rule == RULE]
    assert len(found) == 1, [f.format() for f in findings(text)]
    f = found[0]
    assert fragment in f.message, f.message
    assert f.severity == "error"
    assert f.location.file == "x.yaml" and f.location.line == marked_line(text), f.format()
    return f


def assert_passes(text: str) -> None:
    bad = [f.format() for f in findings(text) if f.rule in (RULE, "schema")]
    assert bad == []


C = "containers:\n- name: app\n  image: nginx\n"  # a valid container list for pod specs


# --- pod spec ----------------------------------------------------------------

POD_CASES = {
    "containers-empty": (
        "containers: []  #<\n",
        "Pod 'p': spec.containers: is required: a pod needs at least one container",
    ),
    "duplicate-container-name": (
        "initContainers:\n- name: app  #<\n  image: busybox\n"
        "containers:\n- name: app\n  image: nginx\n",
        "Pod 'p': spec.initContainers[0].name: 'app' is already the name of containers[0]; "
        "container names must be unique in a pod",
    ),
    "duplicate-volume-name": (
        C + "volumes:\n- name: data\n  emptyDir: {}\n- name: data  #<\n  emptyDir: {}\n",
        "spec.volumes[1].name: 'data' is already the name of another volume; volume names must be unique",
    ),
    "duplicate-port-name": (
        C + "  ports:\n  - {name: http, containerPort: 80}\n  - name: http  #<\n    containerPort: 81\n",
        "spec.containers[0].ports[1].name: 'http' is already the name of ports[0]; port names must be unique",
    ),
    "container-port-range": (
        C + "  ports:\n  - containerPort: 70000  #<\n",
        "spec.containers[0].ports[0].containerPort: 70000 must be between 1 and 65535, inclusive",
    ),
    "host-port-range": (
        C + "  ports:\n  - containerPort: 80\n    hostPort: 70000  #<\n",
        "spec.containers[0].ports[0].hostPort: 70000 must be between 1 and 65535, inclusive",
    ),
    "mount-path-empty": (
        C + "  volumeMounts:\n  - name: v\n    mountPath: ''  #<\nvolumes:\n- {name: v, emptyDir: {}}\n",
        "spec.containers[0].volumeMounts[0].mountPath: is required: the directory to mount the volume at",
    ),
    "mount-path-duplicate": (
        C + "  volumeMounts:\n  - {name: v, mountPath: /data}\n  - name: w\n    mountPath: /data  #<\n"
        "volumes:\n- {name: v, emptyDir: {}}\n- {name: w, emptyDir: {}}\n",
        "mountPath: '/data' is already mounted by volumeMounts[0]; each mountPath must be unique",
    ),
    "env-value-and-value-from": (
        C + "  env:\n  - name: A\n    value: x\n    valueFrom:  #<\n      fieldRef: {fieldPath: metadata.name}\n",
        "spec.containers[0].env[0].valueFrom: may not be specified when value is not empty (value 'x')",
    ),
    "env-value-from-empty": (
        C + "  env:\n  - name: A\n    valueFrom: {}  #<\n",
        "env[0].valueFrom: must specify one of: fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef",
    ),
    "env-value-from-two": (
        C + "  env:\n  - name: A\n    valueFrom:  #<\n      fieldRef: {fieldPath: metadata.name}\n"
        "      secretKeyRef: {name: s, key: k}\n",
        "may not have more than one field specified at a time (has fieldRef, secretKeyRef); keep one",
    ),
    "request-above-limit-cpu": (
        C + "  resources:\n    limits: {cpu: '0.25'}\n    requests:\n      cpu: 500m  #<\n",
        "spec.containers[0].resources.requests[cpu]: '500m' must be less than or equal to the cpu limit of 0.25",
    ),
    "request-above-limit-memory-binary": (
        C + "  resources:\n    limits: {memory: 1G}\n    requests:\n      memory: 1Gi  #<\n",
        "requests[memory]: '1Gi' must be less than or equal to the memory limit of 1G",
    ),
    "negative-quantity": (
        C + "  resources:\n    requests:\n      cpu: '-1'  #<\n",
        "requests[cpu]: '-1' must be greater than or equal to 0",
    ),
    "probe-no-handler": (
        C + "  livenessProbe:  #<\n    periodSeconds: 5\n",
        "spec.containers[0].livenessProbe: must specify a handler type: one of exec, httpGet, tcpSocket, grpc",
    ),
    "probe-two-handlers": (
        C + "  readinessProbe:\n    tcpSocket: {port: 80}  #<\n    httpGet: {port: 80, path: /}\n",
        "readinessProbe.tcpSocket: may not be set: readinessProbe already uses httpGet and may specify only one",
    ),
    "probe-negative-period": (
        C + "  readinessProbe:\n    tcpSocket: {port: 80}\n    periodSeconds: -1  #<\n",
        "readinessProbe.periodSeconds: -1 must be greater than or equal to 0",
    ),
    "liveness-success-threshold": (
        C + "  livenessProbe:\n    tcpSocket: {port: 80}\n    successThreshold: 2  #<\n",
        "livenessProbe.successThreshold: 2 must be 1 for a livenessProbe",
    ),
    "readiness-grace-period": (
        C + "  readinessProbe:\n    tcpSocket: {port: 80}\n    terminationGracePeriodSeconds: 5  #<\n",
        "terminationGracePeriodSeconds: must not be set for a readinessProbe",
    ),
    "init-container-probe": (
        "initContainers:\n- name: init\n  image: busybox\n  readinessProbe:  #<\n    tcpSocket: {port: 80}\n" + C,
        "spec.initContainers[0].readinessProbe: may not be set on an init container unless it is a sidecar",
    ),
    "init-container-lifecycle": (
        "initContainers:\n- name: init\n  image: busybox\n  lifecycle:  #<\n    preStop: {sleep: {seconds: 1}}\n" + C,
        "spec.initContainers[0].lifecycle: may not be set on an init container unless it is a sidecar",
    ),
    "lifecycle-hook-no-handler": (
        C + "  lifecycle:\n    preStop: {}  #<\n",
        "spec.containers[0].lifecycle.preStop: must specify a handler type: one of exec, httpGet, tcpSocket, sleep",
    ),
    "lifecycle-hook-two-handlers": (
        C + "  lifecycle:\n    postStart:\n      exec: {command: [true]}\n      sleep: {seconds: 1}  #<\n",
        "lifecycle.postStart.sleep: may not be set: postStart already uses exec",
    ),
    "host-network-port-mismatch": (
        "hostNetwork: true\n" + C + "  ports:\n  - containerPort: 80\n    hostPort: 8080  #<\n",
        "ports[0].hostPort: 8080 must match containerPort (80) when hostNetwork is true",
    ),
    "host-port-twice": (
        "containers:\n- name: a\n  image: nginx\n  ports: [{containerPort: 80, hostPort: 8080}]\n"
        "- name: b\n  image: nginx\n  ports:\n  - containerPort: 81\n    hostPort: 8080  #<\n",
        "spec.containers[1].ports[0].hostPort: 8080 (TCP) is already claimed by spec.containers[0].ports[0].hostPort",
    ),
    "image-pull-policy": (
        C + "  imagePullPolicy: always  #<\n",
        "imagePullPolicy: 'always' is not supported; supported values: Always, IfNotPresent, Never; did you mean 'Always'?",
    ),
    "pod-restart-policy": (
        C + "restartPolicy: Sometimes  #<\n",
        "spec.restartPolicy: 'Sometimes' is not supported; supported values: Always, Never, OnFailure",
    ),
    "dns-policy": (
        C + "dnsPolicy: ClusterFirstWithHostnet  #<\n",
        "dnsPolicy: 'ClusterFirstWithHostnet' is not supported; supported values:",
    ),
    "active-deadline": (
        C + "activeDeadlineSeconds: 0  #<\n",
        "spec.activeDeadlineSeconds: 0 must be between 1 and 2147483647, inclusive",
    ),
}

POD_NEAR_MISSES = {
    "init-and-container-names-differ": "initContainers:\n- name: init\n  image: busybox\n" + C,
    "same-port-name-in-two-containers": (
        "containers:\n- name: a\n  image: nginx\n  ports: [{name: http, containerPort: 80}]\n"
        "- name: b\n  image: nginx\n  ports: [{name: http, containerPort: 81}]\n"
    ),
    "host-port-zero": C + "  ports:\n  - {containerPort: 80, hostPort: 0}\n",
    "same-mount-path-in-two-containers": (
        "containers:\n- name: a\n  image: nginx\n  volumeMounts: [{name: v, mountPath: /data}]\n"
        "- name: b\n  image: nginx\n  volumeMounts: [{name: v, mountPath: /data}]\n"
        "volumes:\n- {name: v, emptyDir: {}}\n"
    ),
    "empty-value-with-value-from": (
        C + "  env:\n  - name: A\n    value: ''\n    valueFrom:\n      fieldRef: {fieldPath: metadata.name}\n"
    ),
    "request-equal-limit-other-spelling": (
        C + "  resources:\n    limits: {cpu: '1', memory: 1Gi, ephemeral-storage: 1k}\n"
        "    requests: {cpu: 1000m, memory: 1G, ephemeral-storage: 1e3}\n"
    ),
    "request-without-limit": C + "  resources:\n    requests: {cpu: '64'}\n    limits: {memory: 1Mi}\n",
    "readiness-success-threshold-and-zero-defaults": (
        C + "  readinessProbe:\n    grpc: {port: 9090}\n    successThreshold: 3\n    periodSeconds: 0\n"
        "    timeoutSeconds: 0\n  livenessProbe:\n    exec: {command: [true]}\n    successThreshold: 1\n"
        "    terminationGracePeriodSeconds: 10\n"
    ),
    "sidecar-init-container-probe": (
        "initContainers:\n- name: proxy\n  image: envoy\n  restartPolicy: Always\n"
        "  readinessProbe:\n    tcpSocket: {port: 80}\n" + C
    ),
    "host-network-same-port": "hostNetwork: true\n" + C + "  ports:\n  - {containerPort: 80, hostPort: 80}\n",
    "host-port-without-host-network": C + "  ports:\n  - {containerPort: 80, hostPort: 8080}\n",
    "host-port-other-protocol": (
        "containers:\n- name: a\n  image: nginx\n  ports: [{containerPort: 53, hostPort: 53}]\n"
        "- name: b\n  image: nginx\n  ports: [{containerPort: 53, hostPort: 53, protocol: UDP}]\n"
    ),
    "lifecycle-sleep": C + "  lifecycle:\n    preStop: {sleep: {seconds: 5}}\n",
    "pod-restart-never": C + "restartPolicy: Never\ndnsPolicy: None\ndnsConfig: {nameservers: [1.1.1.1]}\n",
}


@pytest.mark.parametrize("case", sorted(POD_CASES))
def test_pod_spec_value_trips(case: str) -> None:
    body, fragment = POD_CASES[case]
    assert_trips(pod(body), fragment)


@pytest.mark.parametrize("case", sorted(POD_NEAR_MISSES))
def test_pod_spec_near_miss_passes(case: str) -> None:
    assert_passes(pod(POD_NEAR_MISSES[case]))


def test_negative_termination_grace_period_is_a_warning() -> None:
    """The API server accepts it (old objects hold such values), warns, and treats it as 1."""
    text = pod(C + "terminationGracePeriodSeconds: -1  #<\n")
    found = [f for f in findings(text) if f.rule == RULE]
    assert [(f.severity, f.location.line) for f in found] == [("warning", marked_line(text))]
    assert "Pod 'p': spec.terminationGracePeriodSeconds: -1 is negative: the API server warns and treats a " \
        "negative grace period as 1 second" in found[0].message
    assert_passes(pod(C + "terminationGracePeriodSeconds: 0\n"))


def test_pod_spec_checks_run_in_every_template_kind() -> None:
    text = workload("StatefulSet", "serviceName: w\n", C + "  imagePullPolicy: Sometimes  #<\n")
    assert_trips(text, "StatefulSet 'w': spec.template.spec.containers[0].imagePullPolicy: 'Sometimes' is not supported")
    cron = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: '@daily'\n"
        "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n"
        "          containers:\n          - name: a\n            image: busybox\n"
        "            livenessProbe: {}  #<\n"
    )
    assert_trips(cron, "CronJob 'c': spec.jobTemplate.spec.template.spec.containers[0].livenessProbe: must specify a handler type")


# --- restart policies of controllers -------------------------------------------

def test_deployment_pods_must_restart_always() -> None:
    text = workload("Deployment", "replicas: 1\n", C + "restartPolicy: OnFailure  #<\n")
    assert_trips(text, "Deployment 'w': spec.template.spec.restartPolicy: 'OnFailure' is not supported for a "
                 "Deployment's pods (remove restartPolicy); supported values: Always")
    assert_passes(workload("Deployment", "replicas: 1\n", C + "restartPolicy: Always\n"))


def job(spec: str, pod_spec: str) -> str:
    return (
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n"
        + textwrap.indent(textwrap.dedent(spec), "  ")
        + "  template:\n    spec:\n" + textwrap.indent(pod_spec, "      ")
    )


def test_job_pods_need_on_failure_or_never() -> None:
    missing = job("", C).replace("    spec:\n", "    spec:  #<\n")
    assert_trips(missing, "Job 'j': spec.template.spec.restartPolicy: is required: a Job's pods must set "
                 "restartPolicy OnFailure or Never")
    assert_trips(job("", C + "restartPolicy: Always  #<\n"), "restartPolicy: is required: a Job's pods must "
                 "set restartPolicy OnFailure or Never (the default Always is not allowed)")
    assert_passes(job("backoffLimit: 0\ncompletions: 0\n", C + "restartPolicy: OnFailure\n"))


@pytest.mark.parametrize("field", ["parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished"])
def test_job_counts_must_not_be_negative(field: str) -> None:
    assert_trips(job(f"{field}: -1  #<\n", C + "restartPolicy: Never\n"),
                 f"Job 'j': spec.{field}: -1 must be greater than or equal to 0")


def test_indexed_job_needs_completions_once_parallelism_is_set() -> None:
    """The server defaults completions and parallelism to 1 when both are unset, so an
    Indexed Job with neither passes; with parallelism alone completions is required."""
    [found] = [f for f in findings(job("completionMode: Indexed\nparallelism: 2\n", C + "restartPolicy: Never\n"))
               if f.rule == RULE]
    assert found.message.startswith("Job 'j': spec.completions: is required when completionMode is Indexed")
    assert found.location.line == 5, "at spec:, where completions belongs"
    assert_passes(job("completionMode: Indexed\n", C + "restartPolicy: Never\n"))
    assert_passes(job("completionMode: Indexed\ncompletions: 3\n", C + "restartPolicy: Never\n"))


# --- workloads -----------------------------------------------------------------

WORKLOAD_CASES = {
    "replicas-negative": ("Deployment", "replicas: -1  #<\n", "Deployment 'w': spec.replicas: -1 must be greater than or equal to 0"),
    "min-ready-negative": ("StatefulSet", "serviceName: w\nminReadySeconds: -5  #<\n", "spec.minReadySeconds: -5 must be greater than or equal to 0"),
    "history-negative": ("DaemonSet", "revisionHistoryLimit: -1  #<\n", "spec.revisionHistoryLimit: -1 must be greater than or equal to 0"),
    "recreate-with-rolling-update": (
        "Deployment", "strategy:\n  type: Recreate\n  rollingUpdate:  #<\n    maxSurge: 1\n",
        "spec.strategy.rollingUpdate: may not be specified when strategy type is Recreate",
    ),
    "both-zero": (
        "Deployment", "strategy:\n  rollingUpdate:\n    maxSurge: 0\n    maxUnavailable: 0%  #<\n",
        "spec.strategy.rollingUpdate.maxUnavailable: '0%' may not be 0 when maxSurge is 0",
    ),
    "daemonset-default-surge-zero": (
        "DaemonSet", "updateStrategy:\n  type: RollingUpdate\n  rollingUpdate:\n    maxUnavailable: 0  #<\n",
        "DaemonSet 'w': spec.updateStrategy.rollingUpdate.maxUnavailable: cannot be 0 when maxSurge is 0",
    ),
    "daemonset-both-non-zero": (
        "DaemonSet", "updateStrategy:\n  rollingUpdate:\n    maxSurge: 10%  #<\n",
        "DaemonSet 'w': spec.updateStrategy.rollingUpdate.maxSurge: '10%' may not be set when maxUnavailable is non-zero",
    ),
    "daemonset-surge-over-100": (
        "DaemonSet", "updateStrategy:\n  rollingUpdate:\n    maxUnavailable: 0\n    maxSurge: 101%  #<\n",
        "maxSurge: '101%' must not be greater than 100%",
    ),
    "percent-without-sign": (
        "Deployment", "strategy:\n  rollingUpdate:\n    maxSurge: '25'  #<\n",
        "maxSurge: '25' must be an integer or a percentage such as '25%'; did you mean '25%'?",
    ),
    "unavailable-over-100": (
        "Deployment", "strategy:\n  rollingUpdate:\n    maxUnavailable: 150%  #<\n",
        "maxUnavailable: '150%' must not be greater than 100%",
    ),
    "strategy-type": (
        "Deployment", "strategy:\n  type: rollingupdate  #<\n",
        "spec.strategy.type: 'rollingupdate' is not supported; supported values: Recreate, RollingUpdate; did you mean 'RollingUpdate'?",
    ),
    "progress-deadline": (
        "Deployment", "minReadySeconds: 30\nprogressDeadlineSeconds: 30  #<\n",
        "spec.progressDeadlineSeconds: 30 must be greater than minReadySeconds (30)",
    ),
    "statefulset-on-delete-rolling": (
        "StatefulSet", "serviceName: w\nupdateStrategy:\n  type: OnDelete\n  rollingUpdate:  #<\n    partition: 1\n",
        "spec.updateStrategy.rollingUpdate: is only allowed for updateStrategy type RollingUpdate",
    ),
    "pod-management-policy": (
        "StatefulSet", "serviceName: w\npodManagementPolicy: parallel  #<\n",
        "podManagementPolicy: 'parallel' is not supported; supported values: OrderedReady, Parallel",
    ),
}

WORKLOAD_NEAR_MISSES = {
    "replicas-zero": ("Deployment", "replicas: 0\nminReadySeconds: 0\nrevisionHistoryLimit: 0\n"),
    "surge-zero-unavailable-default": ("Deployment", "strategy:\n  rollingUpdate:\n    maxSurge: 0\n"),
    "recreate-alone": ("Deployment", "strategy:\n  type: Recreate\n"),
    "deployment-surge-over-100": ("Deployment", "strategy:\n  rollingUpdate:\n    maxSurge: 200%\n"),
    "percentages": ("Deployment", "strategy:\n  rollingUpdate:\n    maxSurge: 0%\n    maxUnavailable: 100%\n"),
    "daemonset-surge-one": (
        "DaemonSet", "updateStrategy:\n  rollingUpdate:\n    maxUnavailable: 0\n    maxSurge: 1\n"
    ),
    "daemonset-on-delete-ignores-rolling": (
        "DaemonSet", "updateStrategy:\n  type: OnDelete\n  rollingUpdate:\n    maxUnavailable: 0\n"
    ),
    "statefulset-rolling-partition": (
        "StatefulSet", "serviceName: w\nupdateStrategy:\n  type: RollingUpdate\n  rollingUpdate: {partition: 2}\n"
    ),
    "progress-deadline-later": ("Deployment", "minReadySeconds: 30\nprogressDeadlineSeconds: 31\n"),
}


@pytest.mark.parametrize("case", sorted(WORKLOAD_CASES))
def test_workload_value_trips(case: str) -> None:
    kind, spec, fragment = WORKLOAD_CASES[case]
    assert_trips(workload(kind, spec, C), fragment)


@pytest.mark.parametrize("case", sorted(WORKLOAD_NEAR_MISSES))
def test_workload_near_miss_passes(case: str) -> None:
    kind, spec = WORKLOAD_NEAR_MISSES[case]
    assert_passes(workload(kind, spec, C))


# --- Services ------------------------------------------------------------------

def service(spec: str) -> str:
    return "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n" + textwrap.indent(spec, "  ")


SERVICE_CASES = {
    "headless-node-port": (
        "type: NodePort\nclusterIP: None  #<\nports: [{port: 80}]\n",
        "Service 's': spec.clusterIP: 'None' (spec.clusterIPs[0]) may not be set for NodePort Services",
    ),
    "external-name-missing": (
        "type: ExternalName\n", "Service 's': spec.externalName: is required: a DNS name such as db.example.com (type is "
        "ExternalName)",
    ),
    "external-name-invalid": (
        "type: ExternalName\nexternalName: Db_Host  #<\n", "spec.externalName: 'Db_Host' must be a lowercase RFC 1123 subdomain",
    ),
    "external-name-with-cluster-ip": (
        "type: ExternalName\nexternalName: db.example.com\nclusterIP: None  #<\n",
        "spec.clusterIP: 'None' (spec.clusterIPs) may not be set for an ExternalName Service",
    ),
    "session-affinity": (
        "sessionAffinity: clientIP  #<\nports: [{port: 80}]\n",
        "spec.sessionAffinity: 'clientIP' is not supported; supported values: ClientIP, None; did you mean 'ClientIP'?",
    ),
    "external-policy-on-cluster-ip": (
        "externalTrafficPolicy: Local  #<\nports: [{port: 80}]\n",
        "spec.externalTrafficPolicy: 'Local' may only be set for externally-accessible Services (NodePort, LoadBalancer",
    ),
    "external-policy-value": (
        "type: LoadBalancer\nexternalTrafficPolicy: Global  #<\nports: [{port: 80}]\n",
        "spec.externalTrafficPolicy: 'Global' is not supported; supported values: Cluster, Local",
    ),
    "internal-policy-value": (
        "internalTrafficPolicy: local  #<\nports: [{port: 80}]\n",
        "spec.internalTrafficPolicy: 'local' is not supported; supported values: Cluster, Local; did you mean 'Local'?",
    ),
}

SERVICE_NEAR_MISSES = {
    "headless-cluster-ip": "clusterIP: None\nports: [{port: 80}]\n",
    "external-name-fqdn": "type: ExternalName\nexternalName: db.example.com.\n",
    "node-port-local": "type: NodePort\nexternalTrafficPolicy: Local\nsessionAffinity: ClientIP\nports: [{port: 80}]\n",
    "cluster-ip-with-external-ips": (
        "externalIPs: [192.0.2.10]\nexternalTrafficPolicy: Cluster\ninternalTrafficPolicy: Local\nports: [{port: 80}]\n"
    ),
}


@pytest.mark.parametrize("case", sorted(SERVICE_CASES))
def test_service_value_trips(case: str) -> None:
    spec, fragment = SERVICE_CASES[case]
    text = service(spec)
    if MARK not in text:  # the finding is on spec itself
        text = text.replace("spec:\n", "spec:  #<\n")
    assert_trips(text, fragment)


@pytest.mark.parametrize("case", sorted(SERVICE_NEAR_MISSES))
def test_service_near_miss_passes(case: str) -> None:
    assert_passes(service(SERVICE_NEAR_MISSES[case]))


# --- Ingress -------------------------------------------------------------------

def ingress(rule: str) -> str:
    return (
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  rules:\n"
        + textwrap.indent(rule, "  ")
    )


BACKEND = "  backend:\n    service:\n      name: web\n      port: {number: 80}\n"


def paths(entry: str) -> str:
    return "- http:\n    paths:\n" + textwrap.indent(entry, "    ")


INGRESS_CASES = {
    "prefix-not-absolute": (
        paths("- path: api  #<\n  pathType: Prefix\n" + BACKEND),
        "Ingress 'i': spec.rules[0].http.paths[0].path: 'api' must be an absolute path; did you mean '/api'?",
    ),
    "exact-double-slash": (
        paths("- path: /api//v1  #<\n  pathType: Exact\n" + BACKEND), "path: '/api//v1' must not contain '//'",
    ),
    "path-type-value": (
        paths("- path: /\n  pathType: prefix  #<\n" + BACKEND),
        "pathType: 'prefix' is not supported; supported values: Exact, ImplementationSpecific, Prefix; did you mean 'Prefix'?",
    ),
    "backend-both": (
        paths("- path: /\n  pathType: Prefix\n  backend:  #<\n    service: {name: web, port: {number: 80}}\n"
              "    resource: {apiGroup: k8s.example.com, kind: Bucket, name: b}\n"),
        "spec.rules[0].http.paths[0].backend: cannot set both resource and service backends; keep one",
    ),
    "backend-neither": (
        paths("- path: /\n  pathType: Prefix\n  backend: {}  #<\n"),
        "backend: is required: a service or resource backend",
    ),
    "port-name-and-number": (
        paths("- path: /\n  pathType: Prefix\n  backend:\n    service:\n      name: web\n"
              "      port: {name: http, number: 80}  #<\n"),
        "backend.service.port: cannot set both port name ('http') and number (80); keep one",
    ),
    "port-neither": (
        paths("- path: /\n  pathType: Prefix\n  backend:\n    service:\n      name: web\n      port: {}  #<\n"),
        "backend.service.port: is required: a port name or number",
    ),
    "host-ip": (
        "- host: 192.0.2.1  #<\n" + textwrap.indent(paths("- path: /\n  pathType: Prefix\n" + BACKEND)[2:], "  "),
        "spec.rules[0].host: '192.0.2.1' must be a DNS name, not an IP address",
    ),
    "host-inner-wildcard": (
        "- host: foo.*.example.com  #<\n"
        + textwrap.indent(paths("- path: /\n  pathType: Prefix\n" + BACKEND)[2:], "  "),
        "'foo.*.example.com' must be a wildcard DNS name: '*.' followed by a lowercase RFC 1123 subdomain",
    ),
}

INGRESS_NEAR_MISSES = {
    "prefix-absolute": paths("- path: /api\n  pathType: Prefix\n" + BACKEND),
    "implementation-specific-regex": paths("- path: /api(/|$)(.*)\n  pathType: ImplementationSpecific\n" + BACKEND),
    "wildcard-first-label": (
        "- host: '*.example.com'\n" + textwrap.indent(paths("- path: /\n  pathType: Exact\n" + BACKEND)[2:], "  ")
    ),
    "named-port": paths("- path: /\n  pathType: Prefix\n  backend:\n    service: {name: web, port: {name: http}}\n"),
}


@pytest.mark.parametrize("case", sorted(INGRESS_CASES))
def test_ingress_value_trips(case: str) -> None:
    rule, fragment = INGRESS_CASES[case]
    assert_trips(ingress(rule), fragment)


@pytest.mark.parametrize("case", sorted(INGRESS_NEAR_MISSES))
def test_ingress_near_miss_passes(case: str) -> None:
    assert_passes(ingress(INGRESS_NEAR_MISSES[case]))


def test_ingress_without_path_type_is_reported_once() -> None:
    text = ingress(paths("- path: /  #<\n" + BACKEND))
    assert_trips(text, "spec.rules[0].http.paths[0].pathType: is required; add pathType: Prefix (or Exact, or ImplementationSpecific)")


def test_ingress_needs_rules_or_default_backend() -> None:
    text = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\nspec:  #<\n  ingressClassName: x\n"
    assert_trips(text, "Ingress 'i': spec: either defaultBackend or rules must be specified")


# --- ConfigMaps and Secrets ------------------------------------------------------

def test_config_key_invalid() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  app/config.yaml: x  #<\n"
    assert_trips(text, "ConfigMap 'c': data[app/config.yaml]: 'app/config.yaml' must consist of alphanumeric")
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  'my key': x  #<\n"
    assert_trips(secret, "Secret 's': stringData[my key]: 'my key' is not a valid data key (stringData is merged "
                 "into data[my key])")


def test_config_key_in_data_and_binary_data() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  logo.png: x  #<\n"
        "binaryData:\n  logo.png: aGVsbG8=\n"
    )
    assert_trips(text, "data[logo.png]: 'logo.png' is also a key of binaryData; a key may appear in only one of data "
                 "and binaryData")
    assert_passes(text.replace("data:\n  logo.png", "data:\n  logo.txt"))


def test_config_over_one_mebibyte() -> None:
    head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:  #<\n"
    # The API sums the values' bytes (keys do not count): exactly 1 MiB fits.
    fits = head + f"  a: {'x' * (1024 * 1024 - 2)}\n  b: é\n"
    assert [f for f in findings(fits) if f.rule == RULE] == []
    over = head + f"  a: {'x' * (1024 * 1024 - 1)}\n  b: é\n"
    assert_trips(over, "ConfigMap 'c': data: holds 1048577 bytes; a ConfigMap may hold at most 1048576")


def test_secret_size_counts_decoded_bytes() -> None:
    import base64

    head = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:  #<\n"
    value = base64.b64encode(b"\0" * (1024 * 1024)).decode()  # 1 MiB decoded, ~1.33 MiB encoded
    assert [f for f in findings(head + f"  k: {value}\n") if f.rule == RULE] == []
    value = base64.b64encode(b"\0" * (1024 * 1024 + 1)).decode()
    assert_trips(head + f"  k: {value}\n", "data: holds 1048577 bytes; a Secret may hold at most 1048576")


@pytest.mark.parametrize(("stype", "data", "missing"), [
    ("kubernetes.io/tls", "tls.crt: x", "tls.key"),
    ("kubernetes.io/dockerconfigjson", "config.json: x", ".dockerconfigjson"),
    ("kubernetes.io/ssh-auth", "id_rsa: x", "ssh-privatekey"),
])
def test_typed_secret_needs_its_keys(stype: str, data: str, missing: str) -> None:
    text = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: {stype}  #<\nstringData:\n  {data}\n"
    assert_trips(text, f"Secret 's': type: {stype} requires data[{missing}]")
    assert_trips(text, f"add {missing} under data (base64) or stringData")


def test_basic_auth_secret_needs_username_or_password() -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: kubernetes.io/basic-auth\nstringData:\n  user: x\n"
    found = [f.message for f in findings(text) if f.rule == RULE]
    assert found == [
        "Secret 's': type: kubernetes.io/basic-auth requires data[password]: a Secret of this type must hold "
        "username or password; add password under data (base64) or stringData",
        "Secret 's': type: kubernetes.io/basic-auth requires data[username]: a Secret of this type must hold "
        "username or password; add username under data (base64) or stringData",
    ]


@pytest.mark.parametrize(("stype", "data"), [
    ("kubernetes.io/tls", "stringData: {tls.crt: x, tls.key: y}"),
    ("kubernetes.io/basic-auth", "stringData: {password: ''}"),
    ("Opaque", "stringData: {}"),
    ("example.com/custom", "data: {}"),
])
def test_typed_secret_near_miss(stype: str, data: str) -> None:
    assert_passes(f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: {stype}\n{data}\n")


# --- CronJobs --------------------------------------------------------------------

def cronjob(spec: str) -> str:
    return (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n" + textwrap.indent(spec, "  ")
        + "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n"
        + textwrap.indent(C, "          ")
    )


@pytest.mark.parametrize(("schedule", "fragment"), [
    ("'*/5 * * *'", "has 4 fields; a schedule has 5 (minute hour day-of-month month day-of-week)"),
    ("'TZ=UTC 0 * * * *'", "sets a time zone; remove the TZ= prefix and use spec.timeZone instead"),
    ("'60 * * * *'", "has minute 60, outside 0-59"),
    ("'0 0 * * 7'", "has day of week 7, outside 0-6"),
    ("'@fortnightly'", "is not a known descriptor"),
    ("'0 0 * * $'", "has an invalid day of week field '$'"),
])
def test_cron_schedule_trips(schedule: str, fragment: str) -> None:
    assert_trips(cronjob(f"schedule: {schedule}  #<\n"), f"CronJob 'c': spec.schedule: {schedule[1:-1]!r} {fragment}")


@pytest.mark.parametrize("schedule", ["*/15 * * * *", "@hourly", "0 9-17/2 * JAN-MAR MON-FRI", "@every 1h", "0 0 ? * 0"])
def test_cron_schedule_near_miss(schedule: str) -> None:
    assert cron_schedule_problem(schedule) is None
    assert_passes(cronjob(f"schedule: '{schedule}'\n"))


@pytest.mark.parametrize("field", ["startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"])
def test_cronjob_counts_must_not_be_negative(field: str) -> None:
    assert_trips(cronjob(f"schedule: '@daily'\n{field}: -1  #<\n"), f"spec.{field}: -1 must be greater than or equal to 0")


def test_cronjob_concurrency_policy_and_job_spec() -> None:
    assert_trips(cronjob("schedule: '@daily'\nconcurrencyPolicy: forbid  #<\n"),
                 "spec.concurrencyPolicy: 'forbid' is not supported; supported values: Allow, Forbid, Replace")
    text = cronjob("schedule: '@daily'\n").replace("    spec:\n      template", "    spec:\n      backoffLimit: -2  #<\n      template")
    assert_trips(text, "spec.jobTemplate.spec.backoffLimit: -2 must be greater than or equal to 0")


# --- quantities and the rule itself ------------------------------------------------

@pytest.mark.parametrize(("text", "amount"), [
    ("100m", Fraction(1, 10)), ("0.5", Fraction(1, 2)), ("1Gi", Fraction(2**30)), ("1G", Fraction(10**9)),
    ("1e3", Fraction(1000)), ("1E", Fraction(10**18)), ("1.5Ki", Fraction(1536)), (".5", Fraction(1, 2)),
    ("250u", Fraction(1, 4000)), ("+2n", Fraction(2, 10**9)), ("-1", Fraction(-1)), (" 2 ", Fraction(2)),
    (3, Fraction(3)), (0.1, Fraction(1, 10)),
])
def test_parse_quantity_is_exact(text: object, amount: Fraction) -> None:
    assert parse_quantity(text) == amount


@pytest.mark.parametrize("text", ["", "abc", "1e", "1Gb", "1 Gi", "1.2.3", True, None, [], float("nan"), "1e99999"])
def test_parse_quantity_rejects_non_quantities(text: object) -> None:
    assert parse_quantity(text) is None


def test_rule_is_listed_and_ignorable() -> None:
    from kubegen.checks import CheckOptions

    assert RULE in RULES
    result = read_text(pod("containers: []\n"), "x.yaml")
    assert [f.rule for f in run_checks(result.manifests) if f.rule == RULE] == [RULE]
    assert run_checks(result.manifests, CheckOptions(ignore=frozenset({RULE}))) == []


MALFORMED = [
    "containers: 3\nvolumes: {a: 1}\ninitContainers: [1, x]\n",
    "containers:\n- name: [x]\n  ports: {a: b}\n  env: [{valueFrom: 3}, {valueFrom: [1]}]\n"
    "  resources: {requests: [1], limits: 3}\n  livenessProbe: [1]\n  volumeMounts: [{mountPath: 3}]\n",
    "containers:\n- name: a\n  resources: {requests: {cpu: {x: 1}}, limits: {cpu: [1]}}\n"
    "  readinessProbe: {periodSeconds: x, successThreshold: true}\n",
]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_pod_specs_never_raise(body: str) -> None:
    findings(pod(body))  # no exception; shapes are the schema rule's


def test_malformed_objects_never_raise() -> None:
    docs = [
        service("type: [x]\nexternalTrafficPolicy: 3\nclusterIP: [None]\n"),
        service("type: ExternalName\nexternalName: 5\n"),
        ingress("- host: 5\n  http: {paths: [{backend: {service: 3}}, {path: 5, pathType: Prefix}, 1]}\n"),
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec: {tls: [{hosts: 3}], rules: 1}\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: [1]\nbinaryData: {1: 2}\n",
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {schedule: 5, jobTemplate: {spec: 3}}\n",
        workload("Deployment", "strategy: {type: Recreate, rollingUpdate: 3}\nreplicas: x\n", C),
        workload("Deployment", "strategy: {rollingUpdate: {maxSurge: [1], maxUnavailable: 1.5}}\n", C),
        workload("DaemonSet", "updateStrategy: {rollingUpdate: {maxSurge: null}}\n", C),
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec: 3\n",
    ]
    for doc in docs:
        findings(doc)
