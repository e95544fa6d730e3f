"""The API server's rules through the typed builders: a value the server would reject is
either refused when the builder is made (naming the field) or reported by render at the
line of the app that made the object. A sample of rules per kind of value."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

import kubegen
from kubegen import (
    ConfigMap,
    Container,
    ContainerPort,
    Deployment,
    EnvFrom,
    Ingress,
    IngressPath,
    IngressTLS,
    Probe,
    Resources,
    Secret,
    Service,
    ServicePort,
    StatefulSet,
    Volume,
    VolumeMount,
)
from kubegen.checks import CheckOptions, Finding


def _line() -> int:
    return sys._getframe(1).f_lineno


def C(**kw: object) -> Container:
    return Container(name="c", image="nginx", **kw)  # type: ignore[arg-type]


def D(**kw: object) -> Deployment:
    kw.setdefault("containers", [C()])
    return Deployment(name="web", **kw)  # type: ignore[arg-type]


def error_of(obj: object) -> Finding:
    # partial: references to objects the one-object stack lacks are warnings
    found = [f for f in kubegen.check_stack(kubegen.Stack(objects=[obj]), CheckOptions(partial=True))  # type: ignore[list-item]
             if f.severity == "error"]
    assert found, "render reported nothing"
    return found[0]


REFUSED: list[tuple[Callable[[], object], str]] = [
    (lambda: C(ports=[ContainerPort(container_port=80, protocol="tcp")]),
     "ContainerPort: protocol 'tcp' is not one of SCTP, TCP, UDP — did you mean 'TCP'?"),
    (lambda: Service(name="web", ports=[80], type="Loadbalancer"), "type 'Loadbalancer' is not one of ClusterIP, "
     "ExternalName, LoadBalancer, NodePort — did you mean 'LoadBalancer'?"),
    (lambda: IngressPath(path="/", service="web", port=80, path_type="prefix"),
     "path_type 'prefix' is not one of Exact, ImplementationSpecific, Prefix — did you mean 'Prefix'?"),
    (lambda: C(image_pull_policy="always"), "image_pull_policy 'always' is not one of Always, IfNotPresent, Never"),
    (lambda: D(volumes=[Volume(name="Data", source={"emptyDir": {}})]),
     "Volume: name 'Data' must be a lowercase RFC 1123 label"),
    (lambda: D(labels={"app": "a/b"}), "labels['app'] value 'a/b' must be empty or consist of alphanumeric"),
    (lambda: C(ports={"5432": 5432}), "ContainerPort: name '5432' must contain at least one letter (a-z)"),
    (lambda: Service(name="web", ports=[70000]), "ServicePort: port 70000 must be between 1 and 65535, inclusive"),
    (lambda: ConfigMap(name="cm", data={"bad key": "x"}), "ConfigMap 'cm': data key 'bad key' must consist of"),
    (lambda: Ingress(name="web", host="Example.com", paths=[IngressPath(path="/", service="web", port=80)]),
     "Ingress 'web': host 'Example.com' must be a lowercase RFC 1123 subdomain"),
    (lambda: Secret(name="s", string_data={"bad key": "x"}), "Secret 's': string_data key 'bad key' must consist of"),
]


@pytest.mark.parametrize(("make", "message"), REFUSED, ids=[m for _, m in REFUSED])
def test_refused_at_construction_naming_the_field(make: Callable[[], object], message: str) -> None:
    with pytest.raises(kubegen.BuilderError) as caught:
        make()
    assert message in str(caught.value)


def test_reported_by_render_at_the_apps_line() -> None:
    cases = [
        (Deployment(name="web", containers=[C(env_from=[EnvFrom(config_map="cm", prefix="A=")])]), _line(),
         "spec.template.spec.containers[0].envFrom[0].prefix: 'A=' must consist only of printable ASCII"),
        (Deployment(name="web", containers=[C(resources=Resources(requests={"memory": "256Mi"}, limits={"memory": "128Mi"}))]), _line(),
         "containers[0].resources.requests[memory]: '256Mi' must be less than or equal to the memory limit"),
        (Deployment(name="web", containers=[C(resources=Resources(requests={"cpus": "1"}))]), _line(),
         "containers[0].resources.requests[cpus]: 'cpus' is not a resource name"),
        (Deployment(name="web", containers=[C(liveness_probe=Probe(handler={"tcpSocket": {"port": 80}}, period_seconds=-1))]), _line(),
         "livenessProbe.periodSeconds: -1 must be greater than or equal to 0"),
        (Deployment(name="web", containers=[C(startup_probe=Probe(handler={"tcpSocket": {"port": 80}}, success_threshold=2))]), _line(),
         "startupProbe.successThreshold: 2 must be 1"),
        (Deployment(name="web", containers=[C(volume_mounts=[VolumeMount(name="d", mount_path="/d", sub_path="/abs")])],
           volumes=[Volume(name="d", source={"emptyDir": {}})]), _line() - 1,
         "containers[0].volumeMounts[0].subPath: '/abs' must be a relative path"),
        (Deployment(name="web", containers=[C()], volumes=[Volume(name="d", source={"secret": {"secretName": "s", "defaultMode": 1000}})]), _line(),
         "spec.template.spec.volumes[0].secret.defaultMode: 1000 must be a number between 0 and 0777"),
        (Deployment(name="web", containers=[C()], restart_policy="Never"), _line(), "spec.template.spec.restartPolicy: 'Never' is not supported"),
        (Deployment(name="web", containers=[C()], node_selector={"a b": "x"}), _line(), "spec.template.spec.nodeSelector[a b]: label key 'a b'"),
        (Deployment(name="web", containers=[C()], service_account_name="Bad_SA"), _line(), "spec.template.spec.serviceAccountName: 'Bad_SA' must be"),
        (StatefulSet(name="db", service_name="DB", containers=[C()]), _line(), "spec.serviceName: 'DB' must be a "
         "lowercase RFC 1123 label"),
        (Service(name="web", ports=[80], type="LoadBalancer", load_balancer_source_ranges=["300.1.1.0/24"]), _line(),
         "spec.loadBalancerSourceRanges[0]: '300.1.1.0/24' must be a valid CIDR value"),
        (Service(name="web", ports=[80], type="NodePort", cluster_ip="None"), _line(),
         "may not be set for NodePort Services"),
        (Service(name="web", type="ExternalName", external_name="Bad_Name"), _line(),
         "spec.externalName: 'Bad_Name' must be a lowercase RFC 1123 subdomain"),
        (Service(name="web", ports=[ServicePort(port=80, node_port=40000)], type="NodePort"), _line(),
         "spec.ports[0].nodePort: 40000 is outside the node-port range 30000-32767"),
        (Ingress(name="web", ingress_class_name="Bad_Class", paths=[IngressPath(path="/", service="web", port=80)]),
         _line() - 1, "spec.ingressClassName: 'Bad_Class' must be a lowercase RFC 1123 subdomain"),
        (Ingress(name="web", host="a.com", paths=[IngressPath(path="/", service="web", port=80)],
                 tls=[IngressTLS(hosts=["A..com"], secret_name="t")]), _line() - 1,
         "spec.tls[0].hosts[0]: 'A..com' must be a lowercase RFC 1123 subdomain"),
        # raw fields (extra=, spec_extra=) are checked against the API data like YAML
        (Deployment(name="web", containers=[C(extra={"terminationMessagePolicy": "Always"})]), _line(),
         "containers[0].terminationMessagePolicy: 'Always' is not supported; supported values: FallbackToLogsOnError, "
         "File"),
        (Service(name="web", ports=[80], spec_extra={"ipFamilyPolicy": "Maybe"}), _line(),
         "spec.ipFamilyPolicy: 'Maybe' is not supported; supported values: PreferDualStack, RequireDualStack, "
         "SingleStack"),
        (Deployment(name="web", containers=[C(extra={"securityContext": {"runAsUser": -5}})]), _line(),
         "containers[0].securityContext.runAsUser: -5 must be between 0 and 2147483647, inclusive"),
    ]
    for obj, line, fragment in cases:
        finding = error_of(obj)
        assert fragment in finding.message, finding.format()
        where = finding.format().split(": error ")[0]
        assert where.endswith(f"test_builder_validation.py:{line}"), (finding.format(), line)
