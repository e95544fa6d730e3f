"""``kubegen explain``: text and JSON through the CLI, for an APP and for YAML files."""

from __future__ import annotations

import ipaddress
import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from kubegen.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NODEPORT = str(EXAMPLES / "nodeport.py")
SHOP = str(EXAMPLES / "shop.py")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_nodeport_example_text() -> None:
    code, out, err = run("explain", NODEPORT)
    assert code == 0, err
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("NAME "))
    assert header.split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)"]
    row = lines[lines.index(header) + 1].split()
    assert row[0:2] == ["myapp-service", "NodePort"] and row[3:] == ["<none>", "80:30008/TCP"]
    cluster_ip = ipaddress.ip_address(row[2])
    assert cluster_ip in ipaddress.ip_network("10.96.0.0/12") and str(cluster_ip) != "10.96.0.1"
    assert "selector {app: myapp, type: frontend} → Pod myapp-pod (1 replica)" in out
    assert "10.244.0.2:80   myapp-pod   on node-0" in out
    assert "in cluster    myapp-service.default.svc.cluster.local:80" in out
    assert f"cluster IP    {cluster_ip}:80" in out
    assert "node port     192.168.49.2:30008" in out and "node port     192.168.49.3:30008" in out


def test_app_and_its_rendered_yaml_explain_the_same(tmp_path: Path) -> None:
    code, yaml_text, err = run("render", SHOP)
    assert code == 0, err
    (tmp_path / "shop.yaml").write_text(yaml_text)
    from_app = json.loads(run("explain", SHOP, "--format", "json")[1])
    code, out, err = run("explain", str(tmp_path), "--format", "json")
    assert code == 0, err
    from_yaml = json.loads(out)
    for doc in (from_app, from_yaml):
        for item in doc["services"] + doc["workloads"] + doc["ingresses"]:
            item.pop("source")
    assert from_app == from_yaml


def test_json_schema_and_usable_addresses() -> None:
    code, out, err = run("explain", SHOP, "--set", "env=prod", "--nodes", "3", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["schema"] == "kubegen.explain/v1"
    assert [n["ip"] for n in doc["cluster"]["nodes"]] == ["192.168.49.2", "192.168.49.3", "192.168.49.4"]
    frontend = next(s for s in doc["services"] if s["name"] == "frontend")
    assert frontend["type"] == "LoadBalancer" and frontend["externalIP"].startswith("192.168.49.")
    port = frontend["ports"][0]
    assert port["endpoints"][0]["workload"] == "Deployment/frontend"
    assert len(port["endpoints"][0]["addresses"]) == 6
    assert all(a.endswith(":3000") for a in port["endpoints"][0]["addresses"])
    for svc in doc["services"]:
        for p in svc["ports"]:
            for reach in p["reach"]:
                host = reach["address"].rsplit(":", 1)[0]
                if reach["via"] == "dns":
                    assert host == f"{svc['name']}.shop.svc.cluster.local"
                    continue
                ip = ipaddress.ip_address(host)
                assert not ip.is_unspecified and host.rsplit(".", 1)[1] not in ("0", "255")
    form = next(s for s in doc["services"] if s["name"] == "form")
    assert form["ports"][0]["ingress"] == [
        {"ingress": "shop", "host": None, "path": "/form", "pathType": "Prefix", "tls": False, "blocked": False,
         "blockedBy": []}]


def test_output_is_deterministic() -> None:
    first = run("explain", SHOP, "--nodes", "3")[1]
    assert first == run("explain", SHOP, "--nodes", "3")[1]
    assert first != run("explain", SHOP, "--nodes", "2")[1]


BROKEN = """\
    apiVersion: v1
    kind: Pod
    metadata: {name: web, labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27", ports: [{name: http, containerPort: 8080}]}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      type: NodePort
      selector: {app: web}
      ports: [{port: 80, targetPort: htttp, nodePort: 30010}]
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: site}
    spec:
      defaultBackend: {service: {name: webb, port: {number: 80}}}
    """


def test_broken_routes_show_their_findings_inline(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(textwrap.dedent(BROKEN))
    code, out, err = run("explain", str(path))
    assert code == 1
    lines = out.splitlines()
    port_line = lines.index("  port 80/TCP → targetPort htttp")
    assert lines[port_line + 1] == "    Pod web: no container port named 'htttp', no traffic reaches its pods"
    assert lines[port_line + 2].startswith(f"    ✗ error target-port ({path}:12): Service 'web': port 80 targets")
    assert "did you mean 'http'?" in lines[port_line + 2]
    route = lines.index("  any request no rule matches → Service webb port 80   BROKEN")
    assert lines[route + 1].startswith(f"    ✗ error ingress-backend ({path}:18): Ingress 'site' routes to Service 'webb'")
    assert "2 errors, 0 warnings" in err


def test_app_and_yaml_together_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("")
    code, _, err = run("explain", NODEPORT, str(tmp_path / "x.yaml"))
    assert code == 2
    assert "is an APP but" in err and "give one APP, or YAML files only" in err


def test_bad_cidr_is_a_usage_error() -> None:
    code, out, err = run("explain", NODEPORT, "--pod-cidr", "10.244.0.0/26")
    assert code == 2 and out == ""
    assert "Error: --pod-cidr 10.244.0.0/26: too small to give each of 2 nodes a /24" in err


KINDS = """\
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent, namespace: ops}
    spec:
      selector: {matchLabels: {app: agent}}
      template:
        metadata: {labels: {app: agent}}
        spec:
          hostNetwork: true
          containers: [{name: a, image: agent, ports: [{name: metrics, containerPort: 9100}]}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: agent, namespace: ops}
    spec:
      type: NodePort
      externalTrafficPolicy: Local
      selector: {app: agent}
      ports: [{port: 9100, targetPort: metrics, nodePort: 30100}]
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: data}
    spec:
      serviceName: db
      replicas: 2
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec: {containers: [{name: pg, image: postgres, ports: [{name: pg, containerPort: 5432}]}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: db, namespace: data}
    spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432, targetPort: pg}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: payments, namespace: data}
    spec: {type: ExternalName, externalName: api.payments.example.com}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: legacy, namespace: data}
    spec: {ports: [{port: 80, targetPort: 8080}], externalIPs: [203.0.113.10]}
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: web, namespace: data, annotations: {kubernetes.io/ingress.class: traefik}}
    spec:
      tls: [{hosts: [db.example.com], secretName: tls}]
      rules:
      - host: db.example.com
        http:
          paths: [{path: /admin, pathType: Exact, backend: {service: {name: db, port: {number: 5432}}}}]
    """


def test_every_service_kind(tmp_path: Path) -> None:
    path = tmp_path / "kinds.yaml"
    path.write_text(textwrap.dedent(KINDS))
    code, out, err = run("explain", str(path), "--nodes", "3")
    assert code == 1 and "error config-ref: Ingress 'web': tls[0] names Secret 'tls'" in err
    # The TLS Secret is made outside the stack (cert-manager, say): declared, not switched off.
    code, out, err = run("explain", str(path), "--nodes", "3", "--assume", "Secret/data/tls")
    assert code == 0, err
    table = [line.split() for line in out.splitlines() if line.startswith(("NAMESPACE", "data ", "ops "))]
    assert table[0] == ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)"]
    assert table[1] == ["data", "db", "ClusterIP", "None", "<none>", "5432/TCP"]
    assert table[2][:2] == ["data", "legacy"] and table[2][4:] == ["203.0.113.10", "80/TCP"]
    assert table[3] == ["data", "payments", "ExternalName", "<none>", "api.payments.example.com", "<none>"]
    assert table[4][:3] == ["ops", "agent", "NodePort"] and table[4][4:] == ["<none>", "9100:30100/TCP"]
    assert "headless: db.data.svc.cluster.local resolves to the pod IPs themselves" in out
    assert "10.244.1.2:5432   db-1   on node-1" in out
    assert "Ingress       https://db.example.com/admin   (Ingress web, class traefik)" in out
    assert "no selector: its endpoints are managed outside this stack" in out
    assert "external IP   203.0.113.10:80" in out
    assert "is an alias (CNAME) for api.payments.example.com" in out
    # hostNetwork pods use their node's IP, one DaemonSet pod per node
    for k in range(3):
        assert f"192.168.49.{k + 2}:9100   agent-" in out and f"   on node-{k}" in out
    assert "(externalTrafficPolicy: Local: only nodes running one of its pods answer)" in out


OVERLAP = """\
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web, track: stable}}
      template:
        metadata: {labels: {app: web, track: stable}}
        spec: {containers: [{name: web, image: web:1, ports: [{name: http, containerPort: 8080}]}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: admin}
    spec:
      selector: {matchLabels: {app: web, track: admin}}
      template:
        metadata: {labels: {app: web, track: admin}}
        spec: {containers: [{name: admin, image: admin:1, ports: [{name: http, containerPort: 9090}]}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      selector: {app: web}
      ports: [{port: 80, targetPort: http}]
    """


def test_overlapping_selector_warning_sits_on_the_service(tmp_path: Path) -> None:
    path = tmp_path / "overlap.yaml"
    path.write_text(textwrap.dedent(OVERLAP))
    code, out, err = run("explain", str(path))
    assert code == 0 and err == ""  # a warning: shown inline, not failing
    lines = out.splitlines()
    at = lines.index("  selector {app: web} → Deployment admin (1 replica), Deployment web (1 replica)")
    assert lines[at + 1].startswith(f"  ✗ warning selector-overlap ({path}:23): Service 'web': selector {{app: web}}")
    assert "    Deployment admin: containerPort 9090, 1 endpoint" in lines
    assert "    Deployment web: containerPort 8080, 1 endpoint" in lines
