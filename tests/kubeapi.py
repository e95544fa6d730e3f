"""A fake Kubernetes API server on 127.0.0.1, so the real kubectl can run in tests.

It serves what kubectl asks before it sends anything: API discovery, and OpenAPI v3
documents that only say each kind's PATCH takes ``fieldValidation`` (so kubectl
leaves validation to the server, as with a real one). Server-side apply requests
(``kubectl apply --server-side``) are recorded and answered with the applied object.
It validates nothing: tests compare what kubectl sent with what kubegen rendered.

    with FakeAPIServer() as server:
        config = server.kubeconfig(tmp_path)
        subprocess.run(["kubectl", "--kubeconfig", str(config), "apply", "--server-side", ...])
        server.applied  # [Applied(path=..., query=..., content_type=..., obj=...)]
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

import yaml


def _resource(name: str, kind: str, short: list[str], namespaced: bool = True) -> dict[str, Any]:
    return {"name": name, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind, "shortNames": short,
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}


def _group(name: str, version_name: str = "v1") -> dict[str, Any]:
    version = {"groupVersion": f"{name}/{version_name}", "version": version_name}
    return {"name": name, "versions": [version], "preferredVersion": version}


def _resources(group_version: str, *resources: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": list(resources)}


DISCOVERY: dict[str, dict[str, Any]] = {
    "/version": {"major": "1", "minor": "32", "gitVersion": "v1.32.0"},
    "/api": {"kind": "APIVersions", "versions": ["v1"],
             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        _resource("pods", "Pod", ["po"]), _resource("services", "Service", ["svc"]),
        _resource("replicationcontrollers", "ReplicationController", ["rc"]),
        _resource("configmaps", "ConfigMap", ["cm"]), _resource("secrets", "Secret", []),
        _resource("serviceaccounts", "ServiceAccount", ["sa"]),
        _resource("persistentvolumeclaims", "PersistentVolumeClaim", ["pvc"]),
        _resource("namespaces", "Namespace", ["ns"], namespaced=False)]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        _group("apps"), _group("networking.k8s.io"), _group("batch"), _group("rbac.authorization.k8s.io"),
        _group("policy"), _group("autoscaling", "v2")]},
    "/apis/batch/v1": _resources("batch/v1", _resource("jobs", "Job", []), _resource("cronjobs", "CronJob", ["cj"])),
    "/apis/rbac.authorization.k8s.io/v1": _resources(
        "rbac.authorization.k8s.io/v1", _resource("roles", "Role", []), _resource("rolebindings", "RoleBinding", []),
        _resource("clusterroles", "ClusterRole", [], namespaced=False),
        _resource("clusterrolebindings", "ClusterRoleBinding", [], namespaced=False)),
    "/apis/policy/v1": _resources("policy/v1", _resource("poddisruptionbudgets", "PodDisruptionBudget", ["pdb"])),
    "/apis/autoscaling/v2": _resources(
        "autoscaling/v2", _resource("horizontalpodautoscalers", "HorizontalPodAutoscaler", ["hpa"])),
    "/apis/apps/v1": {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "apps/v1", "resources": [
        _resource("deployments", "Deployment", ["deploy"]), _resource("replicasets", "ReplicaSet", ["rs"]),
        {"name": "deployments/scale", "singularName": "", "namespaced": True, "group": "autoscaling",
         "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]},
        _resource("statefulsets", "StatefulSet", ["sts"]), _resource("daemonsets", "DaemonSet", ["ds"])]},
    "/apis/networking.k8s.io/v1": {"kind": "APIResourceList", "apiVersion": "v1",
                                   "groupVersion": "networking.k8s.io/v1",
                                   "resources": [_resource("ingresses", "Ingress", ["ing"]),
                                                 _resource("networkpolicies", "NetworkPolicy", ["netpol"])]},
}


def _openapi_v3() -> dict[str, dict[str, Any]]:
    """Per group version: a PATCH operation per kind that takes ``fieldValidation``."""
    docs: dict[str, dict[str, Any]] = {}
    for path, listing in DISCOVERY.items():
        if listing.get("kind") != "APIResourceList":
            continue
        group, _, version = listing["groupVersion"].rpartition("/")
        paths = {}
        for resource in listing["resources"]:
            if "/" in resource["name"]:
                continue  # a subresource (deployments/scale)
            scope = "/namespaces/{namespace}" if resource["namespaced"] else ""
            paths[f"{path}{scope}/{resource['name']}/{{name}}"] = {"patch": {
                "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": resource["kind"]},
                "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "OK"}},
            }}
        docs[path.lstrip("/")] = {"openapi": "3.0.0", "info": {"title": "fake", "version": version}, "paths": paths}
    return docs


OPENAPI_V3 = _openapi_v3()


class Applied(NamedTuple):
    """One server-side apply request."""

    path: str
    query: dict[str, list[str]]
    content_type: str
    obj: Any


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _reply(self, status: int, doc: Any) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _not_found(self, path: str) -> None:
        self._reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                          "code": 404, "message": f"the fake API server does not serve {path}"})

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = urlsplit(self.path).path
        self.server.requests.append(path)
        if path in DISCOVERY:
            self._reply(200, DISCOVERY[path])
        elif path == "/openapi/v3":
            self._reply(200, {"paths": {gv: {"serverRelativeURL": f"/openapi/v3/{gv}?hash=fake"} for gv in OPENAPI_V3}})
        elif path.startswith("/openapi/v3/") and path.removeprefix("/openapi/v3/") in OPENAPI_V3:
            self._reply(200, OPENAPI_V3[path.removeprefix("/openapi/v3/")])
        else:
            self._not_found(path)

    def do_PATCH(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        self.server.requests.append(parts.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        obj = yaml.safe_load(body)
        self.server.applied.append(Applied(parts.path, parse_qs(parts.query), self.headers.get("Content-Type", ""), obj))
        self._reply(200, obj)

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    requests: list[str]
    applied: list[Applied]


class FakeAPIServer:
    """Serve on a free port of 127.0.0.1 while the ``with`` block runs."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.requests = []
        self._server.applied = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def requests(self) -> list[str]:
        """Paths requested, in order."""
        return self._server.requests

    @property
    def applied(self) -> list[Applied]:
        return self._server.applied

    def kubeconfig(self, directory: Path) -> Path:
        """A kubeconfig pointing at this server (kubectl's cache goes to ``directory/cache``)."""
        host, port = self._server.server_address[:2]
        path = directory / "kubeconfig"
        path.write_text(
            "apiVersion: v1\nkind: Config\n"
            f"clusters:\n- name: fake\n  cluster:\n    server: http://{host!s}:{port}\n"
            "contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\n"
            "current-context: fake\nusers:\n- name: fake\n  user: {}\n"
        )
        return path

    def __enter__(self) -> FakeAPIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
