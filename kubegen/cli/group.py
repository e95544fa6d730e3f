"""The click group: ``kubegen`` and its lazily imported subcommands (``kubegen.cli.main``)."""

from __future__ import annotations

import copy
import importlib
from typing import Any, NoReturn

import click

from kubegen.cli import COMMANDS
from kubegen.cli.params import Command


class LazyGroup(click.Group):
    # name -> command to use instead of COMMANDS' (see finish_in_click)
    stand_ins: dict[str, click.Command] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.stand_ins:
            return self.stand_ins[name]
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, _, attr = target.partition(":")
        command: click.Command | Command = getattr(importlib.import_module(module_name), attr)
        return command.to_click() if isinstance(command, Command) else command


def _group(stand_ins: dict[str, click.Command] | None = None) -> click.Group:
    @click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
    @click.version_option(package_name="kubegen-dsl", prog_name="kubegen")
    def main() -> None:
        """kubegen: typed Python for Kubernetes manifests whose traffic reaches the pods.

        Write your app with kubegen's builders (Deployment, Service, Ingress, ...) in
        app.py, then `kubegen render app.py > out.yaml`. Every Service selector,
        target port and Ingress backend is checked against the whole stack before
        anything is written; each problem names the line of app.py that made it.

        APP is path/to/app.py, path/to/app.py:NAME or package.module:NAME, naming a
        Stack, a list of Stacks, or a function returning one (see --set).

        Exit codes: 0 clean (warnings allowed), 1 findings or user error, 2 usage error.
        """

    if stand_ins:
        main.stand_ins = stand_ins  # type: ignore[attr-defined]
    return main


main = _group()


def finish_in_click(command: Command, exc: BaseException, args: list[str]) -> NoReturn:
    """End a run the fast path started (:func:`kubegen.cli.run_parsed`) as the click path
    ends it when the command raises ``exc``: click parses ``args`` again (the fast parser
    read them as click does) and invokes a copy of the command whose callback raises
    ``exc``, so usage errors show the same usage line, exit codes and messages."""

    def callback(**_: Any) -> None:
        raise exc

    stand_in = copy.copy(command.to_click())
    stand_in.callback = callback
    _group({command.name: stand_in}).main(args=args, prog_name="kubegen")
    raise AssertionError("click's standalone mode always exits")  # pragma: no cover
