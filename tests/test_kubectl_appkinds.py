"""The app-kind builders against kubectl itself (``kubectl create ... --dry-run=client -o yaml``).

Every kind kubectl can create imperatively: job, cronjob, serviceaccount, role,
clusterrole, rolebinding, clusterrolebinding, poddisruptionbudget; and ``kubectl
autoscale`` for ``workload.autoscale(...)``. The comparison removes only kubectl's noise
(``creationTimestamp: null``, a ``status`` the server would fill in) and, where noted,
a field the API ignores. The fake discovery server of test_kubectl_oracle answers
kubectl's discovery (and, for ``autoscale``, serves the Deployment it reads).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import assert_valid_k8s
from test_kubectl_oracle import DISCOVERY, KUBECTL, TIMEOUT, from_kubegen, kubeconfig, normalize

from kubegen import (
    BuilderError,
    ClusterRole,
    Container,
    CronJob,
    Deployment,
    Job,
    PodDisruptionBudget,
    Resources,
    Role,
    ServiceAccount,
    Subject,
)

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
__all__ = ["kubeconfig"]  # the fake discovery server's fixture, shared with test_kubectl_oracle


def create(kubeconfig: Path, *args: str, command: tuple[str, ...] = ()) -> dict[str, Any]:
    """``kubectl ARGS --dry-run=client -o yaml [-- COMMAND]`` as a normalized object."""
    assert KUBECTL is not None
    argv = [KUBECTL, "--kubeconfig", str(kubeconfig), "--cache-dir", str(kubeconfig.parent / "cache"), *args,
            "--dry-run=client", "-o", "yaml"]
    if command:
        argv += ["--", *command]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, f"{' '.join(argv)} failed:\n{result.stderr}"
    obj: dict[str, Any] = normalize(yaml.safe_load(result.stdout))
    obj.pop("status", None)  # counters (expectedPods: 0, ...) the server owns
    return obj


def test_create_job(kubeconfig: Path) -> None:
    expected = create(kubeconfig, "create", "job", "pi", "--image=perl:5.34",
                      command=("perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"))
    built = Job.create("pi", image="perl:5.34", command=["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"])
    assert from_kubegen(built) == expected
    assert_valid_k8s(built.to_dict())


def test_create_job_without_a_command(kubeconfig: Path) -> None:
    assert from_kubegen(Job.create("migrate", image="app:1")) == create(kubeconfig, "create", "job", "migrate",
                                                                        "--image=app:1")


@pytest.mark.parametrize("schedule", ["*/1 * * * *", "@hourly", "0 3 * * 1-5"])
def test_create_cronjob(kubeconfig: Path, schedule: str) -> None:
    expected = create(kubeconfig, "create", "cronjob", "hello", "--image=busybox", f"--schedule={schedule}",
                      command=("date",))
    # kubectl writes jobTemplate.metadata.name; the CronJob controller ignores it (each Job
    # is named after the CronJob and the scheduled time).
    del expected["spec"]["jobTemplate"]["metadata"]
    built = CronJob.create("hello", image="busybox", schedule=schedule, command=["date"])
    assert from_kubegen(built) == expected
    assert_valid_k8s(built.to_dict())


def test_create_cronjob_restart_never(kubeconfig: Path) -> None:
    expected = create(kubeconfig, "create", "cronjob", "hello", "--image=busybox", "--schedule=@daily",
                      "--restart=Never", command=("date",))
    del expected["spec"]["jobTemplate"]["metadata"]
    built = CronJob.create("hello", image="busybox", schedule="@daily", command=["date"], restart_policy="Never")
    assert from_kubegen(built) == expected


def test_create_serviceaccount(kubeconfig: Path) -> None:
    built = ServiceAccount.create("build-robot")
    assert from_kubegen(built) == create(kubeconfig, "create", "serviceaccount", "build-robot")
    assert_valid_k8s(built.to_dict())


ROLE_CASES = [
    (["get", "list", "watch"], ["pods"], []),
    (["get,list"], ["pods", "deployments.apps", "replicasets.apps"], ["a"]),
    (["*"], ["pods/log", "statefulsets.apps/scale"], []),
    (["create", "delete"], ["jobs.batch", "cronjobs.batch", "configmaps"], ["x", "y"]),
]


@pytest.mark.parametrize(("verbs", "resources", "names"), ROLE_CASES)
def test_create_role(kubeconfig: Path, verbs: list[str], resources: list[str], names: list[str]) -> None:
    args = ["create", "role", "pod-reader", *(f"--verb={v}" for v in verbs),
            *(f"--resource={r}" for r in resources), *(f"--resource-name={n}" for n in names)]
    built = Role.create("pod-reader", verb=verbs, resource=resources, resource_name=names)
    assert from_kubegen(built) == create(kubeconfig, *args)
    assert_valid_k8s(built.to_dict())


def test_create_clusterrole(kubeconfig: Path) -> None:
    expected = create(kubeconfig, "create", "clusterrole", "reader", "--verb=get,list,watch",
                      "--resource=pods,deployments.apps")
    built = ClusterRole.create("reader", verb=["get,list,watch"], resource=["pods,deployments.apps"])
    assert from_kubegen(built) == expected
    urls = ClusterRole.create("logs", verb=["get"], non_resource_url=["/logs*", "/healthz"])
    assert from_kubegen(urls) == create(kubeconfig, "create", "clusterrole", "logs", "--verb=get",
                                        "--non-resource-url=/logs*", "--non-resource-url=/healthz")
    assert_valid_k8s([built.to_dict(), urls.to_dict()])


@pytest.mark.parametrize("rule", ["rbac.example.com/aggregate-to-monitoring=true", "a=true,b=x"])
def test_create_clusterrole_with_an_aggregation_rule(kubeconfig: Path, rule: str) -> None:
    expected = create(kubeconfig, "create", "clusterrole", "monitoring", f"--aggregation-rule={rule}")
    assert expected.pop("rules") is None  # kubectl writes rules: null; the controller fills them in
    built = ClusterRole.create("monitoring", aggregation_rule=rule)
    assert from_kubegen(built) == expected
    assert_valid_k8s(built.to_dict())


@pytest.mark.parametrize(("fields", "message"), [
    ({"aggregation_rule": "a=true", "verb": ["get"], "resource": ["pods"]}, "without verb="),
    ({}, "give verb="),
    ({"aggregation_rule": "a"}, "must be key=value"),
])
def test_clusterrole_create_refuses_what_kubectl_refuses(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(BuilderError, match=message):
        ClusterRole.create("monitoring", **fields)


def test_create_rolebinding(kubeconfig: Path) -> None:
    role = Role.create("pod-reader", verb=["get"], resource=["pods"])
    robot = ServiceAccount(name="robot", namespace="ns1")
    built = role.bind(Subject.user("jane"), Subject.group("devs"), robot, name="rb")
    expected = create(kubeconfig, "create", "rolebinding", "rb", "--role=pod-reader", "--user=jane",
                      "--group=devs", "--serviceaccount=ns1:robot")
    assert from_kubegen(built) == expected
    assert_valid_k8s(built.to_dict())


def test_clusterrole_bound_in_one_namespace_is_kubectls_rolebinding_to_a_clusterrole(kubeconfig: Path) -> None:
    view = ClusterRole(name="view")
    built = view.bind_in_namespace(Subject.service_account("robot", namespace="ci"), name="ci-view")
    expected = create(kubeconfig, "create", "rolebinding", "ci-view", "--clusterrole=view",
                      "--serviceaccount=ci:robot")
    assert from_kubegen(built) == expected


def test_create_clusterrolebinding(kubeconfig: Path) -> None:
    view = ClusterRole(name="view")
    built = view.bind(Subject.user("jane"), Subject.service_account("robot", namespace="ns1"), name="crb")
    expected = create(kubeconfig, "create", "clusterrolebinding", "crb", "--clusterrole=view",
                      "--serviceaccount=ns1:robot", "--user=jane")
    assert from_kubegen(built) == expected
    assert_valid_k8s(built.to_dict())


@pytest.mark.parametrize(("flag", "value"), [("min-available", "1"), ("min-available", "50%"),
                                             ("max-unavailable", "2"), ("max-unavailable", "25%")])
def test_create_pdb(kubeconfig: Path, flag: str, value: str) -> None:
    expected = create(kubeconfig, "create", "poddisruptionbudget", "my-pdb", "--selector=app=rails,tier=web",
                      f"--{flag}={value}")
    built = PodDisruptionBudget.create("my-pdb", selector="app=rails,tier=web", **{flag.replace("-", "_"): value})
    assert from_kubegen(built) == expected
    assert_valid_k8s(built.to_dict())


def v1_to_v2(hpa: dict[str, Any]) -> dict[str, Any]:
    """The API server's conversion of an autoscaling/v1 HPA (what ``kubectl autoscale``
    writes) to autoscaling/v2: targetCPUUtilizationPercentage becomes a CPU Resource metric."""
    spec = dict(hpa["spec"])
    cpu = spec.pop("targetCPUUtilizationPercentage", None)
    if cpu is not None:
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu",
                                                               "target": {"type": "Utilization",
                                                                          "averageUtilization": cpu}}}]
    return {**hpa, "apiVersion": "autoscaling/v2", "spec": spec}


def test_autoscale_matches_kubectl_autoscale(kubeconfig: Path) -> None:
    web = Deployment(name="web", labels={}, pod_labels={"app": "web"},
                     containers=[Container(name="web", image="nginx", resources=Resources(requests={"cpu": "100m"}))])
    served = web.to_dict()
    served["metadata"]["namespace"] = "default"
    DISCOVERY["/apis/apps/v1/namespaces/default/deployments/web"] = served  # what kubectl autoscale reads
    try:
        expected = v1_to_v2(create(kubeconfig, "autoscale", "deployment", "web", "--min=2", "--max=10",
                                   "--cpu-percent=70"))
    finally:
        del DISCOVERY["/apis/apps/v1/namespaces/default/deployments/web"]
    built = web.autoscale(min=2, max=10, cpu=70)
    assert from_kubegen(built) == expected
    assert_valid_k8s(built.to_dict())
