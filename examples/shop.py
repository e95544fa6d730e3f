"""The whole shop: a frontend users reach, a backend, and replicated Form and Report
services, each behind its own ClusterIP Service, with an Ingress routing /form and
/report, all in the `shop` namespace.

    kubegen render examples/shop.py
"""

from kubegen import (
    ConfigMap,
    ConfigMapKeyRef,
    Container,
    Deployment,
    Ingress,
    Probe,
    Resources,
    Stack,
)

stack = Stack(namespace="shop", labels={"app.kubernetes.io/part-of": "shop"})

settings = stack.add(ConfigMap(name="shop-settings", data={"LOG_LEVEL": "info", "FEATURE_REPORTS": "yes"}))


def service(name: str, image: str, replicas: int, port: int = 8080) -> Deployment:
    """A replicated HTTP service with probes, resources and shared settings."""
    return Deployment(
        name=name,
        replicas=replicas,
        labels={"app": name, "tier": "backend" if name != "frontend" else "frontend"},
        containers=[
            Container(
                name=name,
                image=image,
                ports={"http": port},
                env={
                    "LOG_LEVEL": ConfigMapKeyRef(config_map=settings, key="LOG_LEVEL"),
                    "PORT": port,
                },
                resources=Resources(requests={"cpu": "100m", "memory": "128Mi"}, limits={"memory": "256Mi"}),
                readiness_probe=Probe.http("/healthz", port="http", period_seconds=5),
                liveness_probe=Probe.http("/healthz", port="http", initial_delay_seconds=10),
            )
        ],
    )


frontend = stack.add(service("frontend", "ghcr.io/example/shop-frontend:1.4.2", replicas=3, port=3000))
backend = stack.add(service("backend", "ghcr.io/example/shop-backend:2.0.1", replicas=2))
form = stack.add(service("form", "ghcr.io/example/shop-form:1.1.0", replicas=3))
report = stack.add(service("report", "ghcr.io/example/shop-report:1.0.7", replicas=3))

# Users reach the frontend on port 30080 of any node; everything else stays in-cluster.
stack.add(frontend.expose(80, target_port="http", type="NodePort", node_port=30080))
stack.add(backend.expose(80, target_port="http", type="ClusterIP"))
form_svc = stack.add(form.expose(80, target_port="http", type="ClusterIP"))
report_svc = stack.add(report.expose(80, target_port="http", type="ClusterIP"))

stack.add(
    Ingress(
        name="shop",
        ingress_class_name="nginx",
        paths={"/form": form_svc, "/report": report_svc},
    )
)
