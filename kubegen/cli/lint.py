"""``kubegen lint``: read YAML manifests (any tool's output) and run render's checks."""

from __future__ import annotations

import json

import click

from kubegen.cli import fail, report_errors
from kubegen.cli.render import ASSUME_HELP, check_options


@click.command()
@click.argument("paths", metavar="FILE|DIR|-...", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per finding and a summary; json: one object {findings: [{file, line, "
                   "severity, rule, message, object: {kind, name, namespace}, path}], summary: {errors, "
                   "warnings, objects, files}}.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any finding).")
@click.option("--partial", is_flag=True,
              help="The files are not the whole stack (pods may live elsewhere): report cross-object "
                   "findings (selectors, target ports, Ingress backends, references) as warnings.")
@click.option("--node-port-range", metavar="A-B", help="The cluster's node-port range [default: 30000-32767].")
@click.option("--ignore", multiple=True, metavar="RULE", help="Do not report RULE (repeatable).")
@click.option("--assume", multiple=True, metavar="KIND/NAME", help=ASSUME_HELP)
@report_errors
def lint(
    paths: tuple[str, ...], fmt: str, strict: bool, partial: bool,
    node_port_range: str | None, ignore: tuple[str, ...], assume: tuple[str, ...],
) -> None:
    """Check Kubernetes manifests in YAML or JSON files, directories or stdin (-).

    Directories are read recursively (*.yaml, *.yml, *.json, in sorted order);
    every file may hold several documents and `kind: List` objects. All objects
    are checked together as one stack, with the same rules `kubegen render` runs:
    what the API server would reject, and wiring that traffic would not survive.

    Each finding is printed as `file:line: severity rule-id: message`, sorted by
    file and line, followed by a summary line. Exit codes: 0 clean (warnings
    allowed unless --strict), 1 findings, 2 usage error.

    Input files over 64 MiB are refused (raise with KUBEGEN_MAX_INPUT_MB).

    \b
    Examples:
      kubegen lint k8s/
      helm template chart | kubegen lint -
      kubegen lint --partial --format json service.yaml
      kubegen lint k8s/ --assume Secret/registry-creds   # made by another tool
    """
    from kubegen.lint import lint as run_lint
    from kubegen.output import data_out

    options = check_options(node_port_range, ignore, partial, assume)
    result = run_lint(paths, options)
    out = data_out()
    if fmt == "json":
        out.write(json.dumps(result.to_json(), indent=2, sort_keys=False) + "\n")
    else:
        for finding in result.findings:
            out.write(finding.format() + "\n")
        out.write(result.summary() + "\n")
    if result.failed(strict=strict):
        fail(1)
