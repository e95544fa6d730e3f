"""A blog with everything a production app carries: a web frontend and an API that
autoscale and keep a disruption budget, PostgreSQL in a StatefulSet with a claim per
pod, uploads on a shared claim, a migration Job and a nightly backup CronJob, an API
identity with just the permissions it needs, and NetworkPolicies that deny everything
not wired on purpose. The TLS certificate and the registry credentials come from
outside the stack (cert-manager, the platform team): declared, not assumed.

    kubegen render examples/blog.py
    kubegen explain examples/blog.py          # which routes the NetworkPolicies open
"""

from kubegen import (
    ClusterRole,
    ConfigMap,
    ConfigMapKeyRef,
    Container,
    CronJob,
    Deployment,
    External,
    Ingress,
    IngressTLS,
    Job,
    Metric,
    NetworkPolicy,
    NetworkPolicyPeer,
    PersistentVolumeClaim,
    PolicyRule,
    Probe,
    Resources,
    Role,
    Secret,
    SecretKeyRef,
    ServiceAccount,
    Stack,
    StatefulSet,
)

API_IMAGE = "ghcr.io/example/blog-api:3.2.0"
DB_IMAGE = "postgres:16.4"


def http_container(name: str, image: str, **fields: object) -> Container:
    """An HTTP container with requests (the autoscaler needs them) and probes."""
    return Container(
        name=name,
        image=image,
        ports={"http": 8080},
        resources=Resources(requests={"cpu": "200m", "memory": "256Mi"}, limits={"memory": "512Mi"}),
        readiness_probe=Probe.http("/healthz", port="http"),
        **fields,  # type: ignore[arg-type]
    )


def stack() -> Stack:
    blog = Stack(namespace="blog", labels={"app.kubernetes.io/part-of": "blog"})
    # Made outside the stack: the certificate by cert-manager, pull credentials by the platform team.
    blog.add(External(kind="Secret", name="blog-tls", keys=["tls.crt", "tls.key"]))
    blog.add(External(kind="Secret", name="registry-creds"))

    settings = blog.add(ConfigMap(name="blog-settings",
                                  data={"LOG_LEVEL": "info", "nginx.conf": "worker_processes 2;\n"}))
    db_secret = blog.add(Secret(name="blog-db", string_data={"user": "blog", "password": "change-me"}))
    db_env = {
        "PGUSER": SecretKeyRef(secret=db_secret, key="user"),
        "PGPASSWORD": SecretKeyRef(secret=db_secret, key="password"),
        "PGHOST": "db",
    }

    # The API runs as its own account and may only read its settings and list pods.
    robot = blog.add(ServiceAccount(name="blog-api", image_pull_secrets=["registry-creds"]))
    reader = blog.add(Role(name="blog-api", rules=[PolicyRule.read("configmaps", "pods")]))
    blog.add(reader.bind(robot))
    nodes = blog.add(ClusterRole(name="blog-node-reader", rules=[PolicyRule.read("nodes")]))
    blog.add(nodes.bind(robot))

    # PostgreSQL: one claim per pod, from the claim template.
    data = PersistentVolumeClaim(name="data", storage="20Gi", storage_class_name="fast-ssd")
    db = blog.add(StatefulSet(
        name="db", service_name="db", replicas=1, volume_claim_templates=[data],
        containers=[Container(name="postgres", image=DB_IMAGE, ports={"postgres": 5432},
                              env={"POSTGRES_USER": db_env["PGUSER"], "POSTGRES_PASSWORD": db_env["PGPASSWORD"]},
                              resources=Resources(requests={"cpu": "500m", "memory": "1Gi"}),
                              volume_mounts=[data.mount("/var/lib/postgresql/data")])],
    ))
    blog.add(db.expose(5432, target_port="postgres", cluster_ip="None", name="db"))

    uploads = blog.add(PersistentVolumeClaim(name="uploads", storage="50Gi", access_modes=["ReadWriteMany"]))
    # replicas=None: the autoscalers below own the replica count (a count here would be
    # reset on every apply); they keep at least 2 pods each.
    api = blog.add(Deployment(
        name="api", replicas=None,
        containers=[http_container("api", API_IMAGE, env={
            **db_env, "LOG_LEVEL": ConfigMapKeyRef(config_map=settings, key="LOG_LEVEL")},
            volume_mounts=[uploads.mount("/srv/uploads")])],
    ).run_as(robot))
    web = blog.add(Deployment(
        name="web", replicas=None,
        containers=[http_container("web", "ghcr.io/example/blog-web:3.2.0", volume_mounts=[
            settings.mount("/etc/nginx/conf.d", items={"nginx.conf": "default.conf"}),
            uploads.mount("/srv/uploads", read_only=True),
        ])],
        image_pull_secrets=["registry-creds"],
    ))
    api_svc = blog.add(api.expose(80, target_port="http"))
    web_svc = blog.add(web.expose(80, target_port="http"))
    blog.add(Ingress(name="blog", host="blog.example.com", ingress_class_name="nginx",
                     paths={"/api": api_svc, "/": web_svc},
                     tls=[IngressTLS(hosts=["blog.example.com"], secret_name="blog-tls")]))

    # Scale on CPU and on requests per second; never drain more than one pod at a time.
    requests = Metric.pods("http_requests_per_second", average_value="50")
    blog.add(api.autoscale(min=2, max=10, cpu=70, metrics=[requests]))
    blog.add(web.autoscale(min=2, max=6, cpu=80))
    blog.add(api.budget(max_unavailable=1), web.budget(max_unavailable=1))

    # Schema migrations before a release, a dump every night.
    migrate = blog.add(Job(name="migrate", backoff_limit=2, ttl_seconds_after_finished=3600,
                           containers=[Container(name="migrate", image=API_IMAGE, command=["blog-api", "migrate"],
                                                 env=db_env)]).run_as(robot))
    backup = blog.add(CronJob(
        name="backup", schedule="15 3 * * *", time_zone="Europe/Berlin", concurrency_policy="Forbid",
        containers=[Container(name="pg-dump", image=DB_IMAGE, command=["sh", "-c", "pg_dump > /backup/blog.sql"],
                              env=db_env, volume_mounts=[uploads.mount("/backup", sub_path="backups")])],
    ))

    # Nothing talks to anything unless wired here.
    blog.add(NetworkPolicy.deny_all())
    blog.add(NetworkPolicy.allow(to=web, from_=NetworkPolicyPeer.namespaces(name="ingress-nginx"), port="http",
                                 name="web-from-ingress"))
    blog.add(NetworkPolicy.allow(to=api, from_=[web, NetworkPolicyPeer.namespaces(name="ingress-nginx")],
                                 port="http", name="api-from-web"))
    blog.add(NetworkPolicy.allow(to=db, from_=[api, migrate, backup], port="postgres"))
    return blog
