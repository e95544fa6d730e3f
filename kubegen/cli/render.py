"""``kubegen render``: compile, check, order and write a stack."""

from __future__ import annotations

import click

from kubegen.cli import parse_node_port_range, print_findings, report_errors


def parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    sets: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r}: expected NAME=VALUE", param_hint="--set")
        sets[name.strip()] = value
    return sets


def check_options(node_port_range: str | None, ignore: tuple[str, ...], partial: bool = False):  # type: ignore[no-untyped-def]
    from kubegen.checks import RULES, CheckOptions
    from kubegen.facts import DEFAULT_NODE_PORT_RANGE

    unknown = [r for r in ignore if r not in RULES]
    if unknown:
        raise click.BadParameter(
            f"unknown rule {unknown[0]!r} (rules: {', '.join(sorted(RULES))})", param_hint="--ignore"
        )
    return CheckOptions(
        node_port_range=parse_node_port_range(node_port_range) or DEFAULT_NODE_PORT_RANGE,
        partial=partial,
        ignore=frozenset(ignore),
    )


@click.command()
@click.argument("app", metavar="APP")
@click.option("-o", "--output", "output", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="yaml: documents separated by ---; json: one object, or a List of them.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Pass NAME=VALUE to the stack function APP names, converted by its type "
                   "annotations (repeatable).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--node-port-range", metavar="A-B", help="The cluster's node-port range [default: 30000-32767].")
@click.option("--ignore", multiple=True, metavar="RULE", help="Do not report RULE (repeatable).")
@report_errors
def render(
    app: str, output: str | None, fmt: str, sets: tuple[str, ...], strict: bool,
    node_port_range: str | None, ignore: tuple[str, ...],
) -> None:
    """Render APP's stack to YAML (or JSON), checked and in apply order.

    Nothing is written when a check finds an error: every finding is printed to
    stderr as `file:line: severity rule-id: message` and the exit code is 1.

    \b
    Examples:
      kubegen render app.py > out.yaml
      kubegen render app.py:stack --set env=prod --set replicas=5 -o prod.yaml
      kubegen render mypkg.deploy:stack --format json
    """
    from kubegen.api import checked_manifests, compile_stacks, write_manifests
    from kubegen.appload import load_stacks
    from kubegen.output import write_text

    options = check_options(node_port_range, ignore)
    stacks = load_stacks(app, parse_sets(sets))
    ordered, findings = checked_manifests(compile_stacks(stacks), options, strict=strict)
    print_findings(findings)
    write_text(output, write_manifests(ordered, fmt))  # type: ignore[arg-type]
