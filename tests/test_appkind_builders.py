"""The app-kind builders (Job, CronJob, PersistentVolumeClaim, ServiceAccount, RBAC, HPA,
PDB, NetworkPolicy, External) and their wiring helpers: what they write is valid for the
official schemas, what one object can know alone is refused at construction, and the
helpers take selectors, ports and names from the objects they wire."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import assert_valid_k8s

import kubegen
from kubegen import (
    BuilderError,
    ClusterRole,
    ClusterRoleBinding,
    ConfigMap,
    Container,
    CronJob,
    Deployment,
    External,
    HorizontalPodAutoscaler,
    Job,
    Metric,
    NetworkPolicy,
    NetworkPolicyPeer,
    NetworkPolicyPort,
    NetworkPolicyRule,
    PersistentVolumeClaim,
    PodDisruptionBudget,
    PolicyRule,
    Resources,
    Role,
    RoleBinding,
    Secret,
    ServiceAccount,
    Stack,
    StatefulSet,
    Subject,
    Volume,
    VolumeMount,
)


def web(**fields: Any) -> Deployment:
    container = Container(name="web", image="nginx:1.27", ports={"http": 8080, "metrics": 9090},
                          resources=Resources(requests={"cpu": "100m", "memory": "64Mi"}))
    return Deployment(name="web", replicas=3, containers=[container], **fields)


def rendered(*objects: Any, namespace: str = "shop") -> list[dict[str, Any]]:
    return kubegen.render_dicts(Stack(namespace=namespace, objects=list(objects)))


# --- every builder writes objects the official schema accepts --------------------------


def every_builder() -> list[Any]:
    """One of every app-kind builder (and helper), with most of their fields set."""
    app = web()
    robot = ServiceAccount(name="robot", automount_service_account_token=False, image_pull_secrets=["regcred"])
    regcred = Secret(name="regcred", type="kubernetes.io/dockerconfigjson", string_data={".dockerconfigjson": "{}"})
    data = PersistentVolumeClaim(name="data", storage="10Gi", storage_class_name="fast", volume_mode="Filesystem")
    reader = Role(name="reader", rules=[PolicyRule.read("pods", "configmaps"),
                                        PolicyRule(verbs=["get"], resources=["secrets"], resource_names=["db"])])
    aggregated = ClusterRole(name="monitoring", aggregate_from=[{"rbac.example.com/aggregate-to-monitoring": "true"}])
    job = Job(name="migrate", containers=[Container(name="m", image="app:1", command=["migrate"])],
              backoff_limit=2, ttl_seconds_after_finished=600, completions=3, parallelism=1,
              completion_mode="Indexed", active_deadline_seconds=300, service_account_name=robot)
    cron = CronJob(name="report", schedule="0 3 * * *", time_zone="Europe/Berlin", concurrency_policy="Forbid",
                   successful_jobs_history_limit=1, containers=[Container(name="r", image="app:1")],
                   volumes=[data.volume()], image_pull_secrets=[regcred])
    db = StatefulSet(name="db", service_name="db", volume_claim_templates=[PersistentVolumeClaim(name="pg",
                                                                                                  storage="1Gi")],
                     containers=[Container(name="pg", image="postgres:16", ports={"pg": 5432},
                                           volume_mounts=[VolumeMount(name="pg", mount_path="/var/lib/pg")])])
    objects = [
        app, robot, regcred, data, reader, aggregated, reader.bind(robot), aggregated.bind(robot), job, cron, db,
        ClusterRole(name="view").bind_in_namespace(Subject.group("devs"), name="devs-view"),
        app.autoscale(min=2, max=10, cpu=70, memory=80, metrics=[
            Metric.pods("requests_per_second", average_value="100"),
            Metric.external("queue", average_value="30", selector={"queue": "jobs"}),
            Metric.object("hits", described=("Service", "web"), value="10k", api_version="v1"),
            Metric.container_resource("cpu", container="web", utilization=60)],
            behavior={"scaleDown": {"stabilizationWindowSeconds": 300}}),
        app.budget(max_unavailable=1),
        NetworkPolicy.deny_all(egress=True),
        NetworkPolicy.allow(to=app, from_=[job, NetworkPolicyPeer.namespaces(name="ingress-nginx"),
                                           NetworkPolicyPeer.block("10.0.0.0/8", except_=["10.1.0.0/16"])],
                            port="http"),
        NetworkPolicy(name="egress", pod_selector=app.match_labels, egress=[
            NetworkPolicyRule(peers=[NetworkPolicyPeer.namespaces()], ports=[NetworkPolicyPort(port=53, protocol="UDP")]),
            NetworkPolicyRule(ports=[NetworkPolicyPort(port=30000, end_port=32767)])]),
    ]
    return objects


def test_every_builder_writes_valid_objects() -> None:
    assert_valid_k8s(rendered(*every_builder()))


def test_every_builder_passes_the_schema_rules_it_skips_when_typed() -> None:
    """The schema rules skip typed manifests; the same objects marked untyped (as YAML
    would be) get no api-version or schema finding."""
    from kubegen.checks import run_checks
    from kubegen.manifest import Manifest

    typed = kubegen.compile_stacks(Stack(namespace="shop", objects=every_builder()))
    untyped = [Manifest(m.obj, m.origin, typed=False) for m in typed]
    assert [f.format() for f in run_checks(untyped) if f.rule in ("api-version", "schema")] == []


# --- Job and CronJob ---------------------------------------------------------------


def test_job_defaults_and_labels() -> None:
    job = Job(name="migrate", containers=[Container(name="m", image="app:1")]).to_dict()
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["template"]["metadata"] == {"labels": {"app": "migrate"}}
    assert "selector" not in job["spec"]  # the API server generates a Job's selector
    manual = Job(name="m", selector={"app": "m"}, containers=[Container(name="m", image="app:1")]).to_dict()
    assert manual["spec"]["manualSelector"] is True and manual["spec"]["selector"] == {"matchLabels": {"app": "m"}}
    cron = CronJob(name="c", schedule="@daily", containers=[Container(name="c", image="app:1")]).to_dict()
    assert cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"


@pytest.mark.parametrize(("make", "message"), [
    (lambda c: Job(name="j", containers=c, restart_policy="Always"), "restart_policy must be OnFailure or Never"),
    (lambda c: Job(name="j", containers=c, completion_mode="Indexed"), "an Indexed Job needs completions=N"),
    (lambda c: Job(name="j", containers=c, backoff_limit=-1), "backoff_limit must be an int >= 0"),
    (lambda c: Job(name="j", containers=c, active_deadline_seconds=0), "active_deadline_seconds must be an int >= 1"),
    (lambda c: CronJob(name="c", containers=c, schedule="*/5 * * *"), "has 4 fields; a schedule has 5"),
    (lambda c: CronJob(name="c", containers=c, schedule="0 25 * * *"), "has hour 25, outside 0-23"),
    (lambda c: CronJob(name="c", containers=c, schedule="TZ=UTC 0 3 * * *"), "use spec.timeZone instead"),
    (lambda c: CronJob(name="c", containers=c), "schedule= is required"),
    (lambda c: CronJob(name="c" * 53, containers=c, schedule="@daily"), "no more than 52 characters"),
    (lambda c: CronJob(name="c", containers=c, schedule="@daily", concurrency_policy="forbid"),
     "did you mean 'Forbid'"),
])
def test_jobs_refuse_what_the_api_would(make: Any, message: str) -> None:
    with pytest.raises(BuilderError, match=message):
        make([Container(name="c", image="app:1")])


# --- volumes, claims and mount() ---------------------------------------------------


def test_mount_helpers_declare_their_volumes() -> None:
    data = PersistentVolumeClaim(name="data", storage="5Gi")
    settings = ConfigMap(name="settings", data={"app.yaml": "x: 1"})
    creds = Secret(name="creds", string_data={"token": "t"})
    container = Container(name="app", image="app:1", volume_mounts=[
        data.mount("/data"), settings.mount("/etc/app", items={"app.yaml": "config.yaml"}),
        creds.mount("/run/secrets", read_only=True), Volume.empty_dir("tmp").mount("/tmp")])
    pod = Deployment(name="app", containers=[container]).to_dict()["spec"]["template"]["spec"]
    assert pod["volumes"] == [
        {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
        {"name": "settings", "configMap": {"name": "settings", "items": [{"key": "app.yaml", "path": "config.yaml"}]}},
        {"name": "creds", "secret": {"secretName": "creds"}},
        {"name": "tmp", "emptyDir": {}},
    ]
    assert pod["containers"][0]["volumeMounts"][2] == {"name": "creds", "mountPath": "/run/secrets", "readOnly": True}


def test_a_volume_mounted_twice_is_declared_once_and_clashes_are_refused() -> None:
    data = PersistentVolumeClaim(name="data", storage="5Gi")
    a = Container(name="a", image="app:1", volume_mounts=[data.mount("/data")])
    b = Container(name="b", image="app:1", volume_mounts=[data.mount("/srv", read_only=True)])
    pod = Deployment(name="app", containers=[a, b]).to_dict()["spec"]["template"]["spec"]
    assert [v["name"] for v in pod["volumes"]] == ["data"]
    other = Container(name="c", image="app:1", volume_mounts=[Volume.empty_dir("data").mount("/x")])
    with pytest.raises(BuilderError, match="two different volumes are called 'data'.*pass volume_name="):
        Deployment(name="app", containers=[a, other]).to_dict()


def test_claim_templates_give_statefulset_pods_their_own_volume() -> None:
    pg = PersistentVolumeClaim(name="pg", storage="1Gi", access_modes=["ReadWriteOncePod"])
    db = StatefulSet(name="db", service_name="db", volume_claim_templates=[pg],
                     containers=[Container(name="pg", image="postgres:16", volume_mounts=[pg.mount("/var/lib/pg")])])
    spec = db.to_dict()["spec"]
    assert spec["volumeClaimTemplates"] == [{"metadata": {"name": "pg"}, "spec": {
        "accessModes": ["ReadWriteOncePod"], "resources": {"requests": {"storage": "1Gi"}}}}]
    assert "volumes" not in spec["template"]["spec"]  # the template provides it


@pytest.mark.parametrize(("make", "message"), [
    (lambda: PersistentVolumeClaim(name="d", storage="0"), "must be more than 0"),
    (lambda: PersistentVolumeClaim(name="d", storage="10GB"), "must be a quantity"),
    (lambda: PersistentVolumeClaim(name="d", storage="1Gi", access_modes=["ReadWriteOne"]),
     "did you mean 'ReadWriteOnce'"),
    (lambda: PersistentVolumeClaim(name="d", storage="1Gi", access_modes=["ReadWriteOncePod", "ReadOnlyMany"]),
     "ReadWriteOncePod cannot be combined"),
    (lambda: PersistentVolumeClaim(name="d.e", storage="1Gi").mount("/d", volume_name="bad.name"),
     "must consist of lower case"),
    (lambda: Container(name="c", image="i", volume_mounts=[VolumeMount(name="v", mount_path="")]), "must be a path"),
    (lambda: Volume.config_map("v", "cm", items={"k": "/abs"}), "must be a relative path"),
])
def test_claims_and_volumes_refuse_bad_values(make: Any, message: str) -> None:
    with pytest.raises(BuilderError, match=message):
        make()


def test_a_dotted_claim_name_becomes_a_valid_volume_name() -> None:
    claim = PersistentVolumeClaim(name="data.v2", storage="1Gi")
    assert claim.mount("/d").name == "data-v2"


# --- ServiceAccount and RBAC ---------------------------------------------------------


def test_run_as_sets_the_account_and_bind_references_the_role() -> None:
    robot = ServiceAccount(name="robot")
    app = web().run_as(robot)
    assert app.to_dict()["spec"]["template"]["spec"]["serviceAccountName"] == "robot"
    binding = Role(name="reader", rules=[PolicyRule.read("pods")]).bind(robot)
    assert binding.to_dict()["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"}
    assert binding.to_dict()["subjects"] == [{"kind": "ServiceAccount", "name": "robot"}]


def test_a_clusterrolebinding_subject_takes_the_stacks_namespace() -> None:
    binding = ClusterRole(name="view").bind(ServiceAccount(name="robot"))
    [obj] = [o for o in rendered(binding) if o["kind"] == "ClusterRoleBinding"]
    assert obj["subjects"] == [{"kind": "ServiceAccount", "name": "robot", "namespace": "shop"}]
    assert "namespace" not in obj["metadata"]


@pytest.mark.parametrize(("make", "message"), [
    (lambda: PolicyRule(verbs=["lsit"], resources=["pods"]), "did you mean 'list'"),
    (lambda: PolicyRule(verbs=["get"], resources=["pod"]), "did you mean 'pods'"),
    (lambda: PolicyRule(verbs=["get"], resources=["Pods"]), "lower-case plural"),
    (lambda: PolicyRule(verbs=[], resources=["pods"]), "at least one verb"),
    (lambda: PolicyRule(verbs=["get"]), "give resources= or non_resource_urls="),
    (lambda: Role(name="r", rules=[PolicyRule(verbs=["get"], non_resource_urls=["/healthz"])]),
     "put them in a ClusterRole"),
    (lambda: RoleBinding(name="b", role="reader"), "say which kind with role_kind="),
    (lambda: RoleBinding(name="b", role=Role(name="r", namespace="a"), namespace="b"), "a RoleBinding can only grant"),
    (lambda: ClusterRoleBinding(name="b", role=Role(name="r")), "not one of ClusterRole"),
    (lambda: Subject(kind="user", name="jane"), "did you mean 'User'"),
    (lambda: RoleBinding(name="b", role=Role(name="r"), subjects=["jane"]), "a subject must be a ServiceAccount"),
    (lambda: ClusterRole(name="c", namespace="x"), "is cluster-wide"),
])
def test_rbac_refuses_what_grants_nothing_or_the_api_rejects(make: Any, message: str) -> None:
    with pytest.raises((BuilderError, TypeError), match=message):
        make()


def test_a_verb_the_authorizer_does_not_know_but_no_typo_passes() -> None:
    assert PolicyRule(verbs=["mutate"], resources=["widgets.example.com"]).to_dicts()[0]["verbs"] == ["mutate"]


# --- HorizontalPodAutoscaler ---------------------------------------------------------


def test_autoscale_takes_the_target_and_refuses_utilisation_without_requests() -> None:
    hpa = web().autoscale(min=2, max=10, cpu=70)
    assert hpa.to_dict()["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    bare = Deployment(name="bare", containers=[Container(name="app", image="app:1")])
    with pytest.raises(BuilderError, match=r"cpu utilisation target .* 'app' request\(s\) no cpu"):
        bare.autoscale(max=5, cpu=70)
    with pytest.raises(BuilderError, match="no metric given: the autoscaler then follows CPU"):
        bare.autoscale(max=5)
    limited = Deployment(name="lim", containers=[Container(name="a", image="a:1",
                                                           resources=Resources(limits={"memory": "1Gi"}))])
    assert limited.autoscale(max=3, memory=80).max_replicas == 3  # a limit alone becomes the request
    assert bare.autoscale(max=5, metrics=[Metric.pods("rps", average_value="10")]).max_replicas == 5


@pytest.mark.parametrize(("make", "message"), [
    (lambda: HorizontalPodAutoscaler(name="h", target="Deployment/web", min_replicas=5, max_replicas=2),
     "min_replicas 5 is more than max_replicas 2"),
    (lambda: HorizontalPodAutoscaler(name="h", target="Deployment/web", max_replicas=0), "max_replicas must be"),
    (lambda: HorizontalPodAutoscaler(name="h", target="web", max_replicas=2), "must be 'Kind/name'"),
    (lambda: HorizontalPodAutoscaler(name="h", target="DaemonSet/agent", max_replicas=2),
     "has no scale subresource kubegen knows"),
    (lambda: Metric.cpu(0), "utilization must be a percentage >= 1"),
    (lambda: Metric.resource("cpu"), "give exactly one of utilization=, average_value="),
    (lambda: Metric.pods("rps", average_value="lots"), "must be a quantity"),
    (lambda: web().autoscale(max=3, metrics=[Metric.container_resource("cpu", container="sidecar",
                                                                         utilization=50)]),
     "no container is called 'sidecar'"),
])
def test_autoscalers_refuse_bad_values(make: Any, message: str) -> None:
    with pytest.raises(BuilderError, match=message):
        make()


# --- PodDisruptionBudget ------------------------------------------------------------


def test_budget_selects_the_workloads_pods() -> None:
    pdb = web(selector={"app": "web"}, pod_labels={"app": "web", "track": "stable"}).budget(max_unavailable=1)
    assert pdb.to_dict()["spec"] == {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "web"}}}


@pytest.mark.parametrize("fields", [{"max_unavailable": 0}, {"max_unavailable": "0%"}, {"min_available": 3},
                                    {"min_available": "100%"}])
def test_budget_refuses_a_budget_that_blocks_every_drain(fields: dict[str, Any]) -> None:
    with pytest.raises(BuilderError, match="allows no pod to be evicted"):
        web().budget(**fields)


@pytest.mark.parametrize(("fields", "message"), [
    ({"selector": {"app": "w"}}, "exactly one of max_unavailable= and min_available="),
    ({"selector": {"app": "w"}, "min_available": 1, "max_unavailable": 1}, "exactly one"),
    ({"selector": {}, "min_available": 1}, "selector is empty"),
    ({"selector": {"app": "w"}, "min_available": "150%"}, "at most 100%"),
    ({"selector": {"app": "w"}, "min_available": "1.5"}, "an integer or a percentage"),
    ({"selector": {"app": "w"}, "min_available": 1, "unhealthy_pod_eviction_policy": "Always"},
     "did you mean 'AlwaysAllow'"),
])
def test_pdb_refuses_bad_values(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(BuilderError, match=message):
        PodDisruptionBudget(name="p", **fields)


# --- NetworkPolicy ---------------------------------------------------------------


def test_allow_takes_selectors_and_ports_from_the_workloads() -> None:
    api = Deployment(name="api", containers=[Container(name="api", image="api:1", ports={"http": 8080})])
    front = web()
    policy = NetworkPolicy.allow(to=api, from_=[front], port="http").to_dict()
    assert policy["metadata"]["name"] == "api-from-web"
    assert policy["spec"] == {
        "podSelector": {"matchLabels": {"app": "api"}},
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": "http"}]}],
        "policyTypes": ["Ingress"],
    }
    every = NetworkPolicy.allow(to=front).to_dict()["spec"]["ingress"]  # from anywhere, to the declared ports
    assert every == [{"ports": [{"port": "http"}, {"port": "metrics"}]}]
    elsewhere = Deployment(name="probe", namespace="monitoring", containers=[Container(name="p", image="p:1")])
    peer = NetworkPolicy.allow(to=api, from_=elsewhere).to_dict()["spec"]["ingress"][0]["from"][0]
    assert peer["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}
    with pytest.raises(BuilderError, match="port 'htttp' is not a port name 'api' declares; did you mean 'http'"):
        NetworkPolicy.allow(to=api, from_=front, port="htttp")


def test_deny_all_and_policy_types() -> None:
    assert NetworkPolicy.deny_all().to_dict()["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    both = NetworkPolicy.deny_all("lockdown", egress=True).to_dict()["spec"]
    assert both == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert NetworkPolicy(name="p").types == ("Ingress",)  # a policy without rules denies ingress


@pytest.mark.parametrize(("make", "message"), [
    (lambda: NetworkPolicyPeer.block("10.0.0.0/33"), "is not a CIDR"),
    (lambda: NetworkPolicyPeer.block("10.0.0.1/8"), "is not a CIDR"),
    (lambda: NetworkPolicyPeer.block("10.0.0.0/8", except_=["192.168.0.0/16"]), "strict subnet"),
    (lambda: NetworkPolicyPeer(), "give pod/namespace selectors or a cidr"),
    (lambda: NetworkPolicyPort(port="http", end_port=90), "end_port needs a numeric port"),
    (lambda: NetworkPolicyPort(port=90, end_port=80), "must not be below it"),
    (lambda: NetworkPolicyPort(port=80, protocol="tcp"), "did you mean 'TCP'"),
    (lambda: NetworkPolicy(name="p", egress=[NetworkPolicyRule()], policy_types=["Ingress"]),
     "they would be ignored"),
    (lambda: NetworkPolicy.deny_all(ingress=False), "needs ingress=True or egress=True"),
])
def test_network_policies_refuse_bad_values(make: Any, message: str) -> None:
    with pytest.raises(BuilderError, match=message):
        make()


# --- External ---------------------------------------------------------------------


def test_external_is_never_rendered_and_a_declared_namespace_is_not_created() -> None:
    stack = Stack(namespace="shop", objects=[External(kind="Secret", name="tls"), External(kind="Namespace",
                                                                                         name="shop")])
    assert kubegen.render_dicts(stack) == []
    with pytest.raises(BuilderError, match="keys= is for ConfigMaps and Secrets"):
        External(kind="ServiceAccount", name="x", keys=["a"])
    with pytest.raises(BuilderError, match="must be a Kubernetes kind"):
        External(kind="secret", name="x")
