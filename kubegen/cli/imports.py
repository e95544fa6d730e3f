"""``kubegen import``: Kubernetes YAML in, an app.py of kubegen builders out."""

from __future__ import annotations

import click

from kubegen.cli import report_errors


@click.command("import")
@click.argument("paths", metavar="FILE|DIR|-", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "output", metavar="FILE", type=click.Path(),
              help="Write the app to FILE (atomically) instead of stdout.")
@report_errors
def import_(paths: tuple[str, ...], output: str | None) -> None:
    """Print an app.py that builds the objects in FILEs, DIRs or stdin (-) with kubegen.

    Every Pod, Deployment, StatefulSet, DaemonSet, Service, Ingress, ConfigMap,
    Secret and Namespace becomes its builder; a Service whose selector is a
    workload's is built from it (`web.expose(...)`); the namespace and labels all
    objects share go on the Stack. What kubegen does not model passes through its
    escape hatches (`extra=`, `pod_extra=`, `spec_extra=`, `Raw(manifest=...)`).

    `kubegen render app.py` gives the same objects back (up to the API's defaults,
    such as `type: ClusterIP`). Input that kubectl would not read (invalid YAML,
    duplicate keys, an object without apiVersion) is reported and nothing is
    printed; exit code 1.

    A file that is one part of a larger app (a lone Service, an Ingress, a
    Deployment mounting a ConfigMap of another file) renders on its own: what it
    refers to but does not contain is declared as External(...) (pods by their
    labels, Services, ConfigMaps, Secrets, ...), and the header says so. Importing
    the whole app (a kustomize base directory) needs no declaration. The files are
    read as written: a kustomization.yaml that transforms them (namePrefix,
    commonLabels, images, generators, patches) is not applied, and the header
    says so; `kubectl kustomize DIR | kubegen import -` imports what kustomize builds.
    `metadata.generateName` and the Argo CD / Helm hook annotations become
    `generate_name=`, `hook=Hook...(...)` and `sync_wave=`.

    Objects read from a cluster (`kubectl get -o yaml`) lose what the server wrote
    (uid, resourceVersion, status, managedFields, allocated clusterIPs, ...) and the
    API's defaults, and objects their controllers made (ReplicaSets, Pods) are left
    out; the header of the app says what was dropped. Allocated nodePorts are kept.

    \b
    Examples:
      kubegen import k8s/ > app.py
      kubectl get deploy,svc -o yaml | kubegen import - -o app.py
    """
    from kubegen.importer import import_paths
    from kubegen.output import resolve_output, write_text

    target = resolve_output(output)
    write_text(target, import_paths(paths), shown=output)
