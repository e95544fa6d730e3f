"""The reference rules (kubegen.checks.references and kubegen.checks.policies): for each
rule a stack built in Python and the same objects as YAML that trip it (message and line
asserted), and near misses that must pass; --partial makes them warnings; External and
--assume declare what the cluster has."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import kubegen
from kubegen import (
    ClusterRole,
    ConfigMap,
    ConfigMapKeyRef,
    Container,
    CronJob,
    DaemonSet,
    Deployment,
    EnvFrom,
    External,
    HorizontalPodAutoscaler,
    Ingress,
    IngressTLS,
    Job,
    Metric,
    NetworkPolicy,
    NetworkPolicyPeer,
    NetworkPolicyRule,
    PersistentVolumeClaim,
    Pod,
    PodDisruptionBudget,
    Resources,
    Role,
    RoleBinding,
    Secret,
    SecretKeyRef,
    ServiceAccount,
    Stack,
    StatefulSet,
    Subject,
    Volume,
)
from kubegen.appload import load_stacks
from kubegen.checks import Assumed, CheckOptions, Finding, run_checks
from kubegen.cli import main
from kubegen.reader import read_text


def typed(*objects: object, options: CheckOptions | None = None) -> list[Finding]:
    return kubegen.check_stack(Stack(namespace="shop", objects=list(objects)), options)


def yaml_findings(text: str, options: CheckOptions | None = None) -> list[Finding]:
    return run_checks(read_text(textwrap.dedent(text), "k8s.yaml").manifests, options)


def of(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def one(findings: list[Finding], rule: str) -> Finding:
    found = of(findings, rule)
    assert len(found) == 1, [f.format() for f in findings]
    return found[0]


def app(*containers: Container, **fields: object) -> Deployment:
    return Deployment(name="app", containers=list(containers) or [Container(name="app", image="app:1")],
                      **fields)  # type: ignore[arg-type]


# --- config-ref / config-key ---------------------------------------------------------

DB = Secret(name="db", string_data={"password": "x", "user": "app"})
SETTINGS = ConfigMap(name="settings", data={"LOG_LEVEL": "info", "app.yaml": "x: 1"})


def test_env_reading_a_missing_key_or_object(tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    source.write_text(textwrap.dedent("""\
        from kubegen import *
        stack = Stack(namespace="shop")
        db = stack.add(Secret(name="db", string_data={"password": "x"}))
        stack.add(Deployment(name="api", containers=[Container(name="api", image="api:1", env={
            "PASSWORD": SecretKeyRef(secret=db, key="pasword"),
            "LEVEL": ConfigMapKeyRef(config_map="settings", key="LOG_LEVEL"),
        })]))
    """))
    found = kubegen.check_stack(load_stacks(str(source)))
    key = one(found, "config-key")
    assert key.location.line == 4 and key.severity == "error"
    assert key.message == (
        "Deployment 'api': container 'api' env 'PASSWORD' reads key 'pasword' of Secret 'db', which has no such key "
        "(keys: password); did you mean 'password'?; the container would not start (CreateContainerConfigError)")
    ref = one(found, "config-ref")
    assert "env 'LEVEL' names ConfigMap 'settings', which the stack does not define in namespace 'shop'" in ref.message
    assert "External(kind='ConfigMap', name='settings') or --assume ConfigMap/settings" in ref.message


def test_every_place_a_pod_names_config_is_checked() -> None:
    container = Container(name="app", image="app:1", env={"A": ConfigMapKeyRef(config_map=SETTINGS, key="LOG_LEVEL")},
                          env_from=[EnvFrom(secret="missing-env")], volume_mounts=[
                              SETTINGS.mount("/etc/app", items={"app.yml": "app.yaml"}),
                              Secret(name="gone", string_data={"k": "v"}).mount("/s")])
    projected = Volume(name="all", source={"projected": {"sources": [
        {"secret": {"name": "db", "items": [{"key": "pass", "path": "p"}]}},
        {"configMap": {"name": "nope"}}, {"serviceAccountToken": {"path": "token"}}]}})
    pod = app(container, volumes=[projected], image_pull_secrets=["regcred"])
    found = typed(SETTINGS, DB, pod)
    refs = sorted(f.message.split(": ", 1)[1].split(",")[0] for f in of(found, "config-ref"))
    assert refs == ["container 'app' envFrom names Secret 'missing-env'", "imagePullSecrets names Secret 'regcred'",
                    "volume 'all' names ConfigMap 'nope'", "volume 'gone' names Secret 'gone'"]
    keys = sorted(f.message.split(": ", 1)[1].split(",")[0] for f in of(found, "config-key"))
    assert keys == ["volume 'all' reads key 'pass' of Secret 'db'", "volume 'settings' reads key 'app.yml' of "
                    "ConfigMap 'settings'"]


def test_optional_references_and_objects_every_namespace_has_pass() -> None:
    container = Container(name="app", image="app:1", env={
        "A": ConfigMapKeyRef(config_map="maybe", key="x", optional=True),
        "B": SecretKeyRef(secret=DB, key="password")}, env_from=[EnvFrom(config_map=SETTINGS)])
    ca = Volume(name="ca", source={"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt",
                                                                                       "path": "ca.crt"}]}})
    assert typed(SETTINGS, DB, app(container, volumes=[ca], service_account_name="default")) == []


YAML_APP = """\
    apiVersion: v1
    kind: Secret
    metadata: {name: db}
    stringData: {password: x}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api}
    spec:
      selector: {matchLabels: {app: api}}
      template:
        metadata: {labels: {app: api}}
        spec:
          serviceAccountName: api-robot
          containers:
          - name: api
            image: api:1
            env:
            - name: PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: pasword}}
            envFrom:
            - configMapRef: {name: settings}
          volumes:
          - name: data
            persistentVolumeClaim: {claimName: api-data}
    """


def test_the_same_rules_on_yaml_with_file_lines() -> None:
    found = yaml_findings(YAML_APP)
    assert [(f.rule, f.location.line) for f in found] == [
        ("service-account", 14), ("config-key", 20), ("config-ref", 22), ("pvc-ref", 25)]
    assert all(f.location.file == "k8s.yaml" and f.severity == "error" for f in found)
    assert "did you mean 'password'?" in found[1].message


def test_partial_makes_reference_findings_warnings() -> None:
    """What the file lacks may be in another file (a warning); the key its own Secret lacks
    is a mistake whatever else the app holds (an error)."""
    found = yaml_findings(YAML_APP, CheckOptions(partial=True))
    assert [(f.rule, f.severity) for f in found] == [
        ("service-account", "warning"), ("config-key", "error"), ("config-ref", "warning"), ("pvc-ref", "warning")]


def test_assumptions_declare_what_the_cluster_has() -> None:
    assume = frozenset({Assumed("ConfigMap", "settings"), Assumed("PersistentVolumeClaim", "api-data"),
                        Assumed("ServiceAccount", "api-robot", "default")})
    assert [f.rule for f in yaml_findings(YAML_APP, CheckOptions(assume=assume))] == ["config-key"]
    # keys declared: checked like the stack's own
    keyed = frozenset({Assumed("Secret", "tls", None, frozenset({"tls.crt", "tls.key"}))})
    ingress = Ingress(name="web", tls=[IngressTLS(hosts=["a.example.com"], secret_name="tls")], default_backend=None,
                      paths={"/": ("web", 80)})
    assert of(typed(ingress, options=CheckOptions(assume=keyed)), "config-ref") == []
    wrong_ns = frozenset({Assumed("Secret", "tls", "other")})
    assert of(typed(ingress, options=CheckOptions(assume=wrong_ns)), "config-ref")


def test_external_in_the_stack_is_an_assumption() -> None:
    container = Container(name="app", image="app:1", env={"P": SecretKeyRef(secret="vault-db", key="password")})
    assert of(typed(app(container)), "config-ref")
    assert typed(app(container), External(kind="Secret", name="vault-db")) == []
    found = typed(app(container), External(kind="Secret", name="vault-db", keys=["pass"]))
    assert "reads key 'password' of Secret 'vault-db', which has no such key (keys: pass)" in one(
        found, "config-key").message


@pytest.mark.parametrize(("args", "code"), [([], 1), (["--assume", "Secret/db"], 0), (["--assume", "Secret/shop/db"], 1),
                                            (["--assume", "Secret/default/db"], 0)])
def test_lint_assume_on_the_command_line(tmp_path: Path, args: list[str], code: int) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n"
                    "    image: i:1\n    envFrom: [{secretRef: {name: db}}]\n")
    result = CliRunner().invoke(main, ["lint", str(path), *args])
    assert result.exit_code == code, result.output


def test_a_malformed_assume_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    result = CliRunner().invoke(main, ["lint", str(path), "--assume", "secret-db"])
    assert result.exit_code == 2 and "expected KIND/NAME or KIND/NAMESPACE/NAME" in result.output


def test_ingress_tls_and_pull_secrets_must_hold_their_keys() -> None:
    opaque = Secret(name="cert", string_data={"crt": "x"})
    ingress = Ingress(name="web", tls=[IngressTLS(hosts=["a.example.com"], secret_name=opaque)],
                      paths={"/": ("web", 80)})
    assert "has no tls.crt and tls.key key" in one(typed(opaque, ingress), "config-key").message
    pull = app(image_pull_secrets=[opaque])
    assert "which has no .dockerconfigjson key; the kubelet ignores it" in one(typed(opaque, pull), "config-key").message
    robot = ServiceAccount(name="robot", image_pull_secrets=["missing"])
    assert "ServiceAccount 'robot': imagePullSecrets names Secret 'missing'" in one(typed(robot), "config-ref").message


def test_secrets_other_controllers_make_count_as_defined() -> None:
    found = yaml_findings("""\
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata: {name: web}
        spec: {secretName: web-tls, dnsNames: [a.example.com], issuerRef: {name: le}}
        ---
        apiVersion: bitnami.com/v1alpha1
        kind: SealedSecret
        metadata: {name: db}
        spec: {encryptedData: {password: AgB}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: c
            image: i:1
            env:
            - {name: P, valueFrom: {secretKeyRef: {name: db, key: password}}}
            - {name: U, valueFrom: {secretKeyRef: {name: db, key: user}}}
            volumeMounts: [{name: tls, mountPath: /tls}]
          volumes:
          - {name: tls, secret: {secretName: web-tls, items: [{key: tls.crt, path: crt}]}}
        """)
    assert [f.rule for f in found] == ["config-key"]
    assert "reads key 'user' of Secret 'db'" in found[0].message


# --- pvc-ref, service-account -----------------------------------------------------


def test_claims_and_accounts() -> None:
    data = PersistentVolumeClaim(name="data", storage="1Gi")
    robot = ServiceAccount(name="robot")
    good = app(Container(name="app", image="app:1", volume_mounts=[data.mount("/d")])).run_as(robot)
    assert typed(data, robot, good) == []
    found = typed(good)
    assert one(found, "pvc-ref").message.startswith(
        "Deployment 'app': volume 'data' names PersistentVolumeClaim 'data', which the stack does not define")
    assert "its pods would never be created (serviceaccount 'robot' not found)" in one(found, "service-account").message
    typo = typed(robot, app().run_as("robt"))
    assert "did you mean 'robot'?" in one(typo, "service-account").message


def test_statefulset_claim_templates_are_not_missing_claims() -> None:
    pg = PersistentVolumeClaim(name="pg", storage="1Gi")
    db = StatefulSet(name="db", service_name="db", volume_claim_templates=[pg],
                     containers=[Container(name="pg", image="pg:16", volume_mounts=[pg.mount("/var/lib/pg")])])
    assert typed(db) == []


# --- role-ref ----------------------------------------------------------------------


def test_bindings_must_name_existing_roles() -> None:
    reader = Role(name="reader")
    robot = ServiceAccount(name="robot")
    assert typed(reader, robot, reader.bind(robot), ClusterRole(name="view").bind(robot)) == []
    missing = RoleBinding(name="b", role="reader", role_kind="Role", subjects=[robot])
    f = one(typed(robot, missing), "role-ref")
    assert f.message.startswith("RoleBinding 'b': roleRef names Role 'reader', which the stack does not define in "
                                "namespace 'shop'; the binding grants nothing")
    builtin = [RoleBinding(name=f"c{i}", role=name, role_kind="ClusterRole", subjects=[robot])
               for i, name in enumerate(("admin", "edit", "system:auth-delegator"))]
    assert typed(robot, *builtin) == []
    ghost = one(typed(reader, reader.bind(Subject.service_account("robt"))), "role-ref")
    assert ghost.severity == "warning" and "did you mean" not in ghost.message
    assert "names ServiceAccount 'robt'" in ghost.message and "grant reaches nobody" in ghost.message


def test_role_in_another_namespace_yaml() -> None:
    found = yaml_findings("""\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: reader, namespace: a}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: reader, namespace: b}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
        subjects: [{kind: ServiceAccount, name: robot, namespace: kube-system}]
        """)
    assert [(f.rule, f.location.line) for f in found] == [("role-ref", 8)]


# --- hpa-target ---------------------------------------------------------------------


def requesting(**requests: str) -> Container:
    return Container(name="app", image="app:1", resources=Resources(requests=requests))


def test_hpa_target_must_exist_and_be_scalable() -> None:
    web = app(requesting(cpu="100m"), replicas=None)
    assert typed(web, web.autoscale(max=4, cpu=70)) == []
    missing = HorizontalPodAutoscaler(name="h", target="Deployment/ap", max_replicas=3, metrics=[Metric.pods(
        "rps", average_value="1")])
    assert "scaleTargetRef names Deployment 'ap', which the stack does not define in namespace 'shop'; did you " \
           "mean 'app'?; it would scale nothing" in one(typed(web, missing), "hpa-target").message


def test_hpa_utilisation_needs_requests_in_yaml() -> None:
    found = yaml_findings("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - {name: web, image: web:1, resources: {requests: {cpu: 100m}}}
              - {name: sidecar, image: proxy:1}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          maxReplicas: 5
          metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
          - type: Resource
            resource: {name: memory, target: {type: AverageValue, averageValue: 500Mi}}
        ---
        apiVersion: autoscaling/v1
        kind: HorizontalPodAutoscaler
        metadata: {name: legacy}
        spec:
          scaleTargetRef: {apiVersion: extensions/v1beta1, kind: Deployment, name: web}
          maxReplicas: 5
          targetCPUUtilizationPercentage: 50
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: agent}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: DaemonSet, name: agent}
          maxReplicas: 5
        """)
    by_line = {(f.location.line, f.severity): f.message for f in found}
    assert sorted(by_line) == [(21, "error"), (28, "error"), (29, "error"), (29, "warning"), (37, "error")]
    assert {f.rule for f in found} == {"hpa-target"}
    assert "container(s) 'sidecar' request no cpu: the autoscaler cannot compute it and never scales" in by_line[
        (21, "error")]
    assert "(no metrics" not in by_line[(21, "error")] and "'sidecar'" in by_line[(28, "error")]
    assert "apiVersion extensions/v1beta1, whose API group has no Deployment" in by_line[(29, "error")]
    assert "two autoscalers fight over its replica count" in by_line[(29, "warning")]
    assert "DaemonSet 'agent', which has no replica count to set" in by_line[(37, "error")]


# --- pdb-selector, pdb-eviction ------------------------------------------------------


def test_pdb_selector_and_blocked_evictions() -> None:
    web = app(replicas=2)
    assert typed(web, web.budget(max_unavailable=1)) == []
    stray = PodDisruptionBudget(name="stray", selector={"app": "ap"}, min_available=1)
    f = one(typed(web, stray), "pdb-selector")
    assert "selector {app: ap} matches no pod template in the stack" in f.message and "did you mean app=app?" in f.message
    assert f.message.endswith("the budget protects nothing")
    stuck = PodDisruptionBudget(name="stuck", selector={"app": "app"}, min_available=2)
    warning = one(typed(web, stuck), "pdb-eviction")
    assert warning.severity == "warning"
    assert "minAvailable 2 is at least the 2 pod(s) of Deployment 'app', so no pod may ever be evicted" in warning.message
    assert typed(app(replicas=3), stuck) == []


def test_pdb_counts_the_autoscalers_minimum_and_sees_two_budgets() -> None:
    web = app(requesting(cpu="1"), replicas=None)
    budget = PodDisruptionBudget(name="b", selector={"app": "app"}, min_available=2)
    assert of(typed(web, budget, web.autoscale(min=2, max=9, cpu=60)), "pdb-eviction")
    assert typed(web, budget, web.autoscale(min=3, max=9, cpu=60)) == []
    second = PodDisruptionBudget(name="c", selector={"app": "app"}, max_unavailable="10%")
    five = app(requesting(cpu="1"), replicas=5)
    assert "covered by 2 budgets" in one(typed(five, budget, second), "pdb-eviction").message


def test_pdb_match_expressions_in_yaml() -> None:
    found = yaml_findings("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p, labels: {tier: db}}
        spec: {containers: [{name: c, image: i:1}]}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: a}
        spec:
          maxUnavailable: 0
          selector: {matchExpressions: [{key: tier, operator: In, values: [db]}]}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: b}
        spec:
          maxUnavailable: 1
          selector: {matchExpressions: [{key: tier, operator: NotIn, values: [db]}]}
        """)
    assert [(f.rule, f.location.line) for f in found] == [("pdb-eviction", 10), ("pdb-selector", 18)]


# --- netpol-selector, netpol-port ------------------------------------------------------


def test_network_policy_selectors_and_named_ports() -> None:
    api = Deployment(name="api", containers=[Container(name="api", image="api:1", ports={"http": 8080})])
    web = app()
    assert typed(api, web, NetworkPolicy.deny_all(), NetworkPolicy.allow(to=api, from_=web, port="http")) == []
    typo = NetworkPolicy(name="p", pod_selector={"app": "apii"}, ingress=[
        NetworkPolicyRule(peers=[NetworkPolicyPeer.pods({"app": "wbe"})], ports=["htttp"])])
    found = typed(api, web, typo)
    assert [f.path[:2] for f in of(found, "netpol-selector")] == [("spec", "podSelector"), ("spec", "ingress")]
    assert "did you mean app=api?" in of(found, "netpol-selector")[0].message
    ports = NetworkPolicy(name="q", pod_selector={"app": "api"}, ingress=[NetworkPolicyRule(ports=["htttp"])])
    assert "no pod it selects declares a port of that name; did you mean 'http'?" in one(
        typed(api, ports), "netpol-port").message


def test_peers_in_namespaces_the_stack_does_not_hold_are_not_judged() -> None:
    api = Deployment(name="api", containers=[Container(name="api", image="api:1", ports={"http": 8080})])
    policy = NetworkPolicy.allow(to=api, from_=NetworkPolicyPeer(pod_selector={"app": "nginx"},
                                                                 namespace_selector={}), port="http")
    assert typed(api, policy) == []


# --- every workload kind's pods are checked -------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda c: Pod(name="p", containers=[c]),
    lambda c: Job(name="j", containers=[c]),
    lambda c: CronJob(name="c", schedule="@daily", containers=[c]),
    lambda c: DaemonSet(name="d", containers=[c]),
    lambda c: StatefulSet(name="s", service_name="s", containers=[c]),
])
def test_references_of_every_kind_of_workload(make: object) -> None:
    container = Container(name="c", image="i:1", env_from=[EnvFrom(config_map="absent")])
    assert one(typed(make(container)), "config-ref")  # type: ignore[operator]


def test_a_live_dump_is_not_reported_twice() -> None:
    found = yaml_findings("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, uid: d1}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: c, image: i:1, envFrom: [{secretRef: {name: gone}}]}]}
        ---
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata:
          name: web-5d8
          uid: r1
          ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true}]
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: c, image: i:1, envFrom: [{secretRef: {name: gone}}]}]}
        """)
    assert [f.location.line for f in found] == [8]


# --- every rule: a failing and a passing stack, typed and as YAML ---------------------------


def _api(**fields: object) -> Deployment:
    return Deployment(name="api", containers=[Container(name="api", image="api:1", ports={"http": 8080},
                                                        resources=Resources(requests={"cpu": "100m"}))],
                      **fields)  # type: ignore[arg-type]


def _pair(rule: str) -> tuple[list[object], list[object]]:
    """(objects that trip ``rule``, the same objects fixed)."""
    api = _api()
    robot = ServiceAccount(name="robot")
    if rule == "config-ref":
        uses = Deployment(name="api", containers=[Container(name="api", image="api:1",
                                                            env_from=[EnvFrom(config_map="settings")])])
        return [uses], [uses, ConfigMap(name="settings", data={"A": "1"})]
    if rule == "config-key":
        uses = Deployment(name="api", containers=[Container(name="api", image="api:1", env={
            "A": ConfigMapKeyRef(config_map="settings", key="B")})])
        return [uses, ConfigMap(name="settings", data={"A": "1"})], [uses, ConfigMap(name="settings", data={"B": "1"})]
    if rule == "pvc-ref":
        uses = _api(volumes=[Volume.pvc("data", "data")])
        return [uses], [uses, PersistentVolumeClaim(name="data", storage="1Gi")]
    if rule == "service-account":
        return [api.run_as(robot)], [api.run_as(robot), robot]
    if rule == "hpa-target":
        hpa = HorizontalPodAutoscaler(name="api", target="Deployment/api", max_replicas=3)
        bare = Deployment(name="api", containers=[Container(name="api", image="api:1")])
        return [bare, hpa], [_api(replicas=None), hpa]
    if rule == "pdb-selector":
        return [api, PodDisruptionBudget(name="p", selector={"app": "api-x"}, max_unavailable=1)], [
            api, PodDisruptionBudget(name="p", selector={"app": "api"}, max_unavailable=1)]
    if rule == "pdb-eviction":
        return [api, PodDisruptionBudget(name="p", selector={"app": "api"}, max_unavailable=0)], [
            api, PodDisruptionBudget(name="p", selector={"app": "api"}, max_unavailable=1)]
    if rule == "netpol-selector":
        return [api, NetworkPolicy(name="p", pod_selector={"app": "apx"})], [api, NetworkPolicy(
            name="p", pod_selector={"app": "api"})]
    if rule == "netpol-port":
        bad = NetworkPolicy(name="p", pod_selector={"app": "api"}, ingress=[NetworkPolicyRule(ports=["web"])])
        return [api, bad], [api, NetworkPolicy.allow(to=api, port="http")]
    assert rule == "role-ref"
    reader = Role(name="reader")
    return [robot, RoleBinding(name="b", role="reader", role_kind="Role", subjects=[robot])], [
        robot, reader, reader.bind(robot, name="b")]


REFERENCE_RULES = ["config-ref", "config-key", "pvc-ref", "service-account", "hpa-target", "pdb-selector",
                   "pdb-eviction", "netpol-selector", "netpol-port", "role-ref"]


def _as_yaml(objects: list[object]) -> list[Finding]:
    from kubegen.api import write_manifests

    text = write_manifests(kubegen.compile_stacks(Stack(namespace="shop", objects=objects)),  # type: ignore[arg-type]
                           check=False)
    manifests = read_text(text, "stack.yaml").manifests
    assert not any(m.typed for m in manifests)
    return run_checks(manifests)


@pytest.mark.parametrize("rule", REFERENCE_RULES)
def test_each_rule_typed_and_yaml(rule: str) -> None:
    bad, good = _pair(rule)
    for found in (typed(*bad), _as_yaml(bad)):
        assert of(found, rule), (rule, [f.format() for f in found])
    yaml_found = _as_yaml(bad)
    assert all(f.location.file == "stack.yaml" and f.location.line > 0 for f in of(yaml_found, rule))
    assert typed(*good) == [] and _as_yaml(good) == []


def test_the_rule_table_lists_every_reference_rule() -> None:
    from kubegen.checks import CROSS_OBJECT_RULES, RULES

    assert set(REFERENCE_RULES) <= set(RULES) and set(REFERENCE_RULES) <= CROSS_OBJECT_RULES
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for rule in REFERENCE_RULES:
        assert f"| `{rule}` |" in readme, rule
