"""The whole shop: a frontend users reach, a backend, and replicated Form and Report
services, each behind its own ClusterIP Service, with an Ingress routing /form and
/report, all in the `shop` namespace.

    kubegen render examples/shop.py                       # dev (the defaults)
    kubegen render examples/shop.py --set env=prod        # prod: LoadBalancer, more replicas
"""

from typing import Literal

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


def service(name: str, image: str, replicas: int, settings: ConfigMap, port: int = 8080) -> Deployment:
    """A replicated HTTP service with probes, resources and the shared settings."""
    return Deployment(
        name=name,
        replicas=replicas,
        labels={"app": name, "tier": "frontend" if name == "frontend" else "backend"},
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


def stack(env: Literal["dev", "prod"] = "dev", replicas: int = 3) -> Stack:
    """The shop for one environment: dev exposes the frontend on a NodePort,
    prod behind a cloud LoadBalancer with more replicas everywhere."""
    prod = env == "prod"
    shop = Stack(namespace="shop", labels={"app.kubernetes.io/part-of": "shop", "environment": env})
    settings = shop.add(
        ConfigMap(name="shop-settings", data={"LOG_LEVEL": "warn" if prod else "debug", "FEATURE_REPORTS": "yes"})
    )
    scale = 2 if prod else 1
    frontend = shop.add(service("frontend", "ghcr.io/example/shop-frontend:1.4.2", replicas * scale, settings, 3000))
    backend = shop.add(service("backend", "ghcr.io/example/shop-backend:2.0.1", 2 * scale, settings))
    form = shop.add(service("form", "ghcr.io/example/shop-form:1.1.0", replicas * scale, settings))
    report = shop.add(service("report", "ghcr.io/example/shop-report:1.0.7", replicas * scale, settings))

    # Users reach the frontend from outside; everything else stays in-cluster.
    if prod:
        shop.add(frontend.expose(80, target_port="http", type="LoadBalancer"))
    else:
        shop.add(frontend.expose(80, target_port="http", type="NodePort", node_port=30080))
    shop.add(backend.expose(80, target_port="http", type="ClusterIP"))
    form_svc = shop.add(form.expose(80, target_port="http", type="ClusterIP"))
    report_svc = shop.add(report.expose(80, target_port="http", type="ClusterIP"))
    shop.add(
        Ingress(
            name="shop",
            ingress_class_name="nginx",
            paths={"/form": form_svc, "/report": report_svc},
        )
    )
    return shop
