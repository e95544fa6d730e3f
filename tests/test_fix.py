"""`kubegen lint --fix`: each fix, on real YAML text, byte for byte.

Every test writes files, runs the fixer, and compares the whole new text with what
a careful person would have typed: the fixed spans changed, everything else kept.
Safety (what is left alone, symlinks, atomic writes) is in tests/test_fix_safety.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml
from conftest import assert_valid_k8s

from kubegen.checks import CheckOptions
from kubegen.fix import FixResult, fix_paths
from kubegen.lint import lint


def fix(tmp_path: Path, text: str, *others: str, name: str = "app.yaml", partial: bool = False) -> tuple[FixResult, str]:
    """Write ``text`` (and ``others`` as other files of the stack), fix, return the result and
    the new text of ``name``."""
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).encode())
    for i, other in enumerate(others):
        (tmp_path / f"other{i}.yaml").write_text(textwrap.dedent(other))
    result = fix_paths([str(tmp_path)], CheckOptions(partial=partial))
    return result, path.read_bytes().decode()


def rules_left(result: FixResult) -> list[str]:
    return [f.rule for f in result.left]


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  selector:
    matchLabels: {app: frontend}
  template:
    metadata:
      labels: {app: frontend, tier: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - {name: http, containerPort: 8080}
        - {name: metrics, containerPort: 9090, hostPort: 19090}
"""


# --- apiVersion and kind ------------------------------------------------------------


def test_service_under_apps_v1_gets_v1_and_the_report_line(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        # the public face
        apiVersion: apps/v1   # copied from the Deployment
        kind: Service
        metadata:
          name: frontend
        spec:
          selector: {app: frontend}
          ports:
          - port: 80
            targetPort: http
        """, DEPLOYMENT)
    assert text == textwrap.dedent("""\
        # the public face
        apiVersion: v1   # copied from the Deployment
        kind: Service
        metadata:
          name: frontend
        spec:
          selector: {app: frontend}
          ports:
          - port: 80
            targetPort: http
        """)
    assert [f.describe() for f in result.applied] == [
        f"{tmp_path}/app.yaml:2: fixed api-version: Service 'frontend': apiVersion apps/v1 -> v1"
    ]
    assert result.left == [] and not result.failed()


def test_kind_in_the_wrong_case(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: configmap
        metadata: {name: settings}
        data: {mode: fast}
        """)
    assert "kind: ConfigMap\n" in text
    assert [f.summary for f in result.applied] == ["kind configmap -> ConfigMap"]


def test_removed_daemonset_version_keeps_its_selector_and_rollout(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: extensions/v1beta1
        kind: DaemonSet
        metadata:
          name: agent
        spec:
          template:
            metadata:
              labels:
                app: agent
            spec:
              containers:
              - name: agent
                image: agent:1
        """)
    assert text == textwrap.dedent("""\
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: agent
        spec:
          selector:
            matchLabels:
              app: agent
          updateStrategy:
            type: OnDelete
          template:
            metadata:
              labels:
                app: agent
            spec:
              containers:
              - name: agent
                image: agent:1
        """)
    assert result.applied[0].summary == (
        "apiVersion extensions/v1beta1 -> apps/v1 (selector from the template labels; "
        "updateStrategy: {type: OnDelete} kept (extensions/v1beta1's default))"
    )
    assert_valid_k8s(yaml.safe_load(text))


def test_pod_disruption_budget_without_selector_is_not_converted(tmp_path: Path) -> None:
    # policy/v1beta1: an empty selector selects no pods; policy/v1: every pod of the namespace
    result, text = fix(tmp_path, """\
        apiVersion: policy/v1beta1
        kind: PodDisruptionBudget
        metadata: {name: budget}
        spec: {minAvailable: 1}
        """)
    assert result.applied == [] and "policy/v1beta1" in text
    assert rules_left(result) == ["api-version"]


def test_conversion_that_would_bring_a_new_finding_is_refused_with_the_reason(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: autoscaling/v2beta1
        kind: HorizontalPodAutoscaler
        metadata: {name: web}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: frontend}
          maxReplicas: 5
          metrics:
          - type: Resource
            resource: {name: cpu, targetAverageUtilization: 80}
        """, DEPLOYMENT)
    assert result.applied == [] and "autoscaling/v2beta1" in text
    (refused, reason) = result.refused[0]
    assert refused.rule == "api-version"
    assert reason == (
        "the change would bring schema: HorizontalPodAutoscaler 'web': spec.metrics[0].resource.target "
        "is missing; ResourceMetricSource requires target"
    )


# --- Ingress of a removed version --------------------------------------------------------

SERVICES = """\
apiVersion: v1
kind: Service
metadata: {name: frontend}
spec:
  selector: {app: frontend}
  ports:
  - {name: http, port: 80, targetPort: http}
"""


def test_v1beta1_ingress_becomes_v1_with_backends_and_path_types(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: extensions/v1beta1
        kind: Ingress
        metadata:
          name: edge
        spec:
          backend:
            serviceName: frontend   # everything else
            servicePort: 80
          rules:
          - host: shop.example.com
            http:
              paths:
              - path: /
                backend:
                  serviceName: frontend
                  servicePort: http   # by name
              - path: /static
                pathType: Prefix
                backend: {serviceName: frontend, servicePort: 80}
        """, SERVICES, DEPLOYMENT)
    assert text == textwrap.dedent("""\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: edge
        spec:
          defaultBackend:
            service:
              name: frontend   # everything else
              port:
                number: 80
          rules:
          - host: shop.example.com
            http:
              paths:
              - path: /
                pathType: ImplementationSpecific
                backend:
                  service:
                    name: frontend
                    port:
                      name: http   # by name
              - path: /static
                pathType: Prefix
                backend: {service: {name: frontend, port: {number: 80}}}
        """)
    assert result.left == []
    assert result.applied[0].summary == (
        "apiVersion extensions/v1beta1 -> networking.k8s.io/v1 (backends as service: {name, port}; "
        "pathType: ImplementationSpecific (v1beta1's default) added; spec.backend -> spec.defaultBackend)"
    )
    assert_valid_k8s(yaml.safe_load(text))


def test_networking_v1beta1_ingress_with_a_resource_backend(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: networking.k8s.io/v1beta1
        kind: Ingress
        metadata: {name: assets}
        spec:
          rules:
          - http:
              paths:
              - path: /img
                backend:
                  resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: images}
        """)
    assert "apiVersion: networking.k8s.io/v1\n" in text
    assert "        pathType: ImplementationSpecific\n" in text
    assert "resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: images}" in text
    assert result.left == []


# --- enumerations --------------------------------------------------------------------


def test_service_type_casing(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: Service
        metadata: {name: frontend}
        spec:
          type: Loadbalancer # cloud LB
          selector: {app: frontend}
          ports: [{port: 80, targetPort: http}]
        """, DEPLOYMENT)
    assert "  type: LoadBalancer # cloud LB\n" in text
    assert [f.summary for f in result.applied] == ["spec.type Loadbalancer -> LoadBalancer"]


def test_a_type_that_is_no_near_miss_is_left(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: Service
        metadata: {name: frontend}
        spec:
          type: Public
          selector: {app: frontend}
          ports: [{port: 80, targetPort: http}]
        """, DEPLOYMENT)
    assert result.applied == [] and rules_left(result) == ["service-type"]


# --- YAML 1.1 values where strings are wanted ----------------------------------------------


def test_booleans_and_numbers_are_quoted_as_written(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          labels:
            canary: yes
          annotations:
            mode: 0755
        data:
          debug: on
          version: 1.10
          list: [a, no]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: job}
        spec:
          containers:
          - name: main
            image: busybox:1.36
            args: [--verbose, y]
            env:
            - name: FEATURE
              value: true   # really a string
        """)
    assert text == textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          labels:
            canary: "yes"
          annotations:
            mode: "0755"
        data:
          debug: "on"
          version: "1.10"
          list: [a, no]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: job}
        spec:
          containers:
          - name: main
            image: busybox:1.36
            args: [--verbose, "y"]
            env:
            - name: FEATURE
              value: "true"   # really a string
        """)
    assert "data.version: 1.10 -> \"1.10\"" in [f.summary for f in result.applied]
    # `list: [a, no]` is a list where a string belongs: a shape problem, not a quoting one
    assert rules_left(result) == ["schema"]


# --- shapes and quoted numbers --------------------------------------------------------------


def test_ports_written_as_a_mapping_become_a_list(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: Service
        metadata: {name: frontend}
        spec:
          selector: {app: frontend}
          ports:
            port: 80          # the only port
            # by name
            targetPort: http
        """, DEPLOYMENT)
    assert text.endswith(
        "  ports:\n"
        "    - port: 80          # the only port\n"
        "      # by name\n"
        "      targetPort: http\n"
    )
    assert result.left == []


def test_a_one_item_list_where_a_mapping_belongs_is_unwrapped(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: Pod
        metadata: {name: job}
        spec:
          securityContext:
          - runAsUser: 1000
            runAsGroup: 3000
          containers:
          - name: main
            image: busybox:1.36
            resources:
              - limits: {memory: 64Mi}
        """)
    assert text == textwrap.dedent("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: job}
        spec:
          securityContext:
            runAsUser: 1000
            runAsGroup: 3000
          containers:
          - name: main
            image: busybox:1.36
            resources:
              limits: {memory: 64Mi}
        """)
    assert result.left == []


def test_quoted_numbers_and_booleans_where_the_api_wants_them_bare(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: frontend}
        spec:
          replicas: "3"
          selector:
            matchLabels: {app: frontend}
          template:
            metadata:
              labels: {app: frontend}
            spec:
              hostNetwork: 'false'
              containers:
              - name: web
                image: nginx:1.27
                ports:
                - containerPort: "8080"
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: frontend}
        spec:
          selector: {app: frontend}
          ports:
          - port: 80
            targetPort: "8080"
        """)
    assert '  replicas: 3\n' in text
    assert "      hostNetwork: false\n" in text
    assert "        - containerPort: 8080\n" in text
    assert "    targetPort: 8080\n" in text
    assert result.left == []


def test_a_misspelt_field_name_with_one_near_match(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: Pod
        metadata: {name: etcd}
        spec:
          containers:
          - name: etcd
            image: etcd:3.5
            livenessProbe:
              gRPC: {port: 2379}
            imagePullPolcy: Always
        """)
    assert "      grpc: {port: 2379}\n" in text and "    imagePullPolicy: Always\n" in text
    assert sorted(f.summary for f in result.applied) == [
        "spec.containers[0].imagePullPolcy -> imagePullPolicy",
        "spec.containers[0].livenessProbe.gRPC -> grpc",
    ]
    assert result.left == []


def test_missing_api_version_of_a_kind_served_once(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        # a pod
        kind: Pod
        metadata: {name: job}
        spec:
          containers: [{name: main, image: "busybox:1.36"}]
        """)
    assert text.startswith("# a pod\napiVersion: v1\nkind: Pod\n")
    assert result.left == []


# --- ports and selectors -----------------------------------------------------------------


def test_unnamed_port_of_a_multi_port_service_gets_a_name(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: Service
        metadata: {name: frontend}
        spec:
          selector: {app: frontend}
          ports:
          - port: 80
            targetPort: http
          - name: metrics
            port: 9090
        """, DEPLOYMENT)
    assert text.endswith(
        "  ports:\n"
        "  - name: http\n"
        "    port: 80\n"
        "    targetPort: http\n"
        "  - name: metrics\n"
        "    port: 9090\n"
    )
    assert result.left == []


def test_workload_without_selector_gets_its_template_labels(tmp_path: Path) -> None:
    result, text = fix(tmp_path, DEPLOYMENT.replace("  selector:\n    matchLabels: {app: frontend}\n", ""))
    assert "spec:\n  selector:\n    matchLabels:\n      app: frontend\n      tier: web\n  template:" in text
    assert result.left == []


SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: frontend}
spec:
  selector:
    app: {app}
  ports:
  - port: 80
    targetPort: {target}
"""


def service(app: str = "frontend", target: str = "http") -> str:
    return SERVICE.replace("{app}", app).replace("{target}", target)


def test_dangling_selector_with_one_close_match(tmp_path: Path) -> None:
    result, text = fix(tmp_path, service(app="frontned"), DEPLOYMENT)
    assert "    app: frontend\n" in text
    assert [f.summary for f in result.applied] == ["spec.selector app=frontned -> app=frontend"]
    assert result.applied[0].cross_object


def test_dangling_selector_with_two_close_matches_is_left(tmp_path: Path) -> None:
    other = DEPLOYMENT.replace("frontend", "frontenf")
    result, text = fix(tmp_path, service(app="frontenb"), DEPLOYMENT, other)
    assert result.applied == [] and rules_left(result) == ["selector-dangling"]


def test_numbered_names_are_not_typos(tmp_path: Path) -> None:
    result, _ = fix(tmp_path, service(app="frontend-2"), DEPLOYMENT.replace("app: frontend,", "app: frontend-1,"))
    assert result.applied == [] and "selector-dangling" in rules_left(result)


def test_partial_never_fixes_across_objects(tmp_path: Path) -> None:
    result, _ = fix(tmp_path, service(app="frontned"), DEPLOYMENT, partial=True)
    assert result.applied == [] and [f.severity for f in result.left] == ["warning"]


def test_target_port_name_with_one_close_match(tmp_path: Path) -> None:
    result, text = fix(tmp_path, service(target="metrcs"), DEPLOYMENT)
    assert "    targetPort: metrics\n" in text
    assert result.left == []


def test_target_port_at_the_host_port_goes_to_the_container_port(tmp_path: Path) -> None:
    result, text = fix(tmp_path, service(target="19090"), DEPLOYMENT)
    assert "    targetPort: 9090\n" in text
    assert [f.summary for f in result.applied] == ["spec.ports[0].targetPort 19090 (a hostPort) -> 9090 (its containerPort)"]


INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: edge}
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: {name}
            port: {port}
"""


def test_ingress_backend_service_name_and_port(tmp_path: Path) -> None:
    ingress = INGRESS.replace("{name}", "frontent").replace("{port}", "{number: 8080}")
    result, text = fix(tmp_path, ingress, SERVICES.replace("targetPort: http", "targetPort: 8080"), DEPLOYMENT)
    assert "            name: frontend\n" in text and "            port: {number: 80}\n" in text
    assert sorted(f.summary for f in result.applied) == [
        "spec.rules[0].http.paths[0].backend.service.name frontent -> frontend",
        "spec.rules[0].http.paths[0].backend.service.port.number 8080 (the targetPort) -> 80 (the Service port)",
    ]
    assert result.left == []


def test_ingress_backend_port_name_typo(tmp_path: Path) -> None:
    ingress = INGRESS.replace("{name}", "frontend").replace("{port}", "{name: metrcs}")
    services = SERVICES.replace("  - {name: http, port: 80, targetPort: http}", "  - {name: http, port: 80, targetPort: http}\n  - {name: metrics, port: 9090, targetPort: metrics}")
    result, text = fix(tmp_path, ingress, services, DEPLOYMENT)
    assert "            port: {name: metrics}\n" in text and result.left == []


def test_ingress_backend_with_no_close_service_is_left(tmp_path: Path) -> None:
    ingress = INGRESS.replace("{name}", "payments").replace("{port}", "{number: 80}")
    result, _ = fix(tmp_path, ingress, SERVICES, DEPLOYMENT)
    assert result.applied == [] and rules_left(result) == ["ingress-backend"]


# --- several fixes, several passes ------------------------------------------------------


def test_fixes_that_depend_on_each_other_take_two_passes(tmp_path: Path) -> None:
    # the backend can only be judged (and fixed) once the Ingress is v1
    result, text = fix(tmp_path, """\
        apiVersion: networking.k8s.io/v1beta1
        kind: Ingress
        metadata: {name: edge}
        spec:
          rules:
          - http:
              paths:
              - path: /
                backend:
                  serviceName: frontedn
                  servicePort: 80
        """, SERVICES, DEPLOYMENT)
    assert [f.rule for f in result.applied] == ["api-version", "ingress-backend"]
    assert "            name: frontend\n" in text and result.left == []
    # the second fix's finding was on line 12 of the converted text: reported where it was read
    assert result.applied[1].finding.location.line == 12
    assert [result.describe(f) for f in result.applied] == [
        f"{tmp_path}/app.yaml:1: fixed api-version: Ingress 'edge': apiVersion networking.k8s.io/v1beta1 -> "
        "networking.k8s.io/v1 (backends as service: {name, port}; pathType: ImplementationSpecific (v1beta1's "
        "default) added)",
        f"{tmp_path}/app.yaml:10: fixed ingress-backend: Ingress 'edge': "
        "spec.rules[0].http.paths[0].backend.service.name frontedn -> frontend",
    ]
    assert lint([str(tmp_path)]).findings == []


def test_a_misspelt_field_is_restored_rather_than_a_new_one_added(tmp_path: Path) -> None:
    # `selectr` is also a missing `selector` (workload-selector): renaming it is the fix
    result, text = fix(tmp_path, DEPLOYMENT.replace("  selector:\n", "  selectr:\n"))
    assert text == DEPLOYMENT
    assert [f.summary for f in result.applied] == ["spec.selectr -> selector"]


def test_unwrapping_keeps_a_comment_that_sits_further_left(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: Pod
        metadata: {name: job}
        spec:
          securityContext:
            - runAsUser: 1000
        # the group too
              runAsGroup: 3000
          containers: [{name: main, image: "busybox:1.36"}]
        """)
    assert "  securityContext:\n    runAsUser: 1000\n# the group too\n    runAsGroup: 3000\n" in text
    assert result.left == []


def test_items_of_a_list_document_are_fixed_in_place(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: List
        items:
        - apiVersion: apps/v1
          kind: Service
          metadata: {name: frontend, labels: {canary: yes}}
          spec:
            type: nodeport
            selector: {app: frontend}
            ports: [{port: 80, targetPort: http}]
        """, DEPLOYMENT)
    assert text == textwrap.dedent("""\
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Service
          metadata: {name: frontend, labels: {canary: "yes"}}
          spec:
            type: NodePort
            selector: {app: frontend}
            ports: [{port: 80, targetPort: http}]
        """)
    assert result.left == []


def test_enumerations_from_the_api_data_take_their_case(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: Pod
        metadata: {name: job}
        spec:
          restartPolicy: never
          containers:
          - name: main
            image: busybox:1.36
            imagePullPolicy: if-not-present
            ports:
            - {containerPort: 514, protocol: udp}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: edge}
        spec:
          rules:
          - http:
              paths:
              - path: /
                pathType: prefix
                backend: {service: {name: syslog, port: {number: 514}}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: syslog}
        spec:
          type: clusterIP
          selector: {app: job}
          ports: [{port: 514, protocol: Udp}]
        """)
    assert "  restartPolicy: Never\n" in text and "    imagePullPolicy: IfNotPresent\n" in text
    assert "    - {containerPort: 514, protocol: UDP}\n" in text and "        pathType: Prefix\n" in text
    assert "  type: ClusterIP\n" in text and "  ports: [{port: 514, protocol: UDP}]\n" in text
    assert sorted(f.summary for f in result.applied) == [
        "spec.containers[0].imagePullPolicy if-not-present -> IfNotPresent",
        "spec.containers[0].ports[0].protocol udp -> UDP",
        "spec.ports[0].protocol Udp -> UDP",
        "spec.restartPolicy never -> Never",
        "spec.rules[0].http.paths[0].pathType prefix -> Prefix",
        "spec.type clusterIP -> ClusterIP",
    ]


def test_a_value_that_is_no_allowed_value_in_another_case_is_left(tmp_path: Path) -> None:
    result, text = fix(tmp_path, """\
        apiVersion: v1
        kind: Pod
        metadata: {name: job}
        spec:
          restartPolicy: Sometimes
          containers: [{name: main, image: busybox:1.36, ports: [{containerPort: 80, protocol: HTTP}]}]
        """)
    assert result.applied == [] and sorted(f.rule for f in result.left) == ["invalid-value", "invalid-value"]
