"""What the cluster has without the stack making it: ``External(...)`` in Python,
``--assume`` on the command line. The checks take these as existing.

Three forms:

- an object by name: ``Secret/registry-creds``, ``ClusterRole/operator``,
  ``Secret/NAMESPACE/NAME``; a ConfigMap or Secret with its keys
  (``ConfigMap/settings:LOG_LEVEL,PORT``), a Service with its ports
  (``Service/api:80,http=8080``: the port numbers and names an Ingress may route to);
- pods by their labels, for a Service (or budget, or policy) whose pods another file or
  tool runs: ``Pod/app=db,tier=backend``, optionally with the ports the pods declare
  (``Pod/app=db:postgres=5432,9187``), which ``target-port`` then checks; in a namespace:
  ``Pod/NAMESPACE/app=db``.

Ports are ``NUMBER``, ``NAME`` or ``NAME=NUMBER``; none given means any port.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from kubegen import facts
from kubegen.location import Location
from kubegen.record import Record

Port = tuple[str, int]  # (name or "", number or 0): what is known of one port
POD_KINDS = tuple(facts.POD_TEMPLATE_PATHS)


def show_ports(ports: Iterable[Port]) -> str:
    return ",".join(f"{n}={p}" if n and p else n or str(p) for n, p in ports)


@attrs.frozen(eq=False, repr=False)
class Assumed(Record):
    """An object the cluster has without the stack making it (``External(...)`` in
    Python, ``--assume KIND/NAME`` on the command line): references to it are fine.

    ``namespace`` None: in any namespace. ``keys`` None: any key of a ConfigMap/Secret.
    ``labels``: pods with these labels run there (a selector finds them; ``name`` may be
    empty). ``ports``: the ports of those pods, or of a Service (None: any).
    """

    kind: str
    name: str
    namespace: str | None = None
    keys: frozenset[str] | None = None
    labels: tuple[tuple[str, str], ...] | None = None
    ports: tuple[Port, ...] | None = None
    source: Location | None = attrs.field(default=None, eq=False, hash=False, repr=False)

    @property
    def label(self) -> str:
        """How messages name it: ``External Secret 'db'``, ``External pods {app: db}``."""
        if self.labels is not None:
            shown = "{" + ", ".join(f"{k}: {v}" for k, v in self.labels) + "}"
            named = f" {self.kind} {self.name!r}" if self.name else " pods"
            return f"External{named} {shown}"
        return f"External {self.kind} {self.name!r}"

    def names(self, kind: str, space: str, name: str) -> bool:
        """Whether this is ``kind/name`` in the namespace ``space`` ("" for cluster-scoped)."""
        return self.kind == kind and bool(name) and self.name == name and (
            self.namespace is None or self.namespace == space or not space)

    def text(self) -> str:
        """The ``--assume`` spelling."""
        space = f"{self.namespace}/" if self.namespace else ""
        head = ",".join(f"{k}={v}" for k, v in self.labels) if self.labels is not None else self.name
        tail = ""
        if self.keys is not None:
            tail = ":" + ",".join(sorted(self.keys))
        elif self.ports is not None:
            tail = ":" + show_ports(self.ports)
        return f"{self.kind}/{space}{head}{tail}"

    def python(self) -> str:
        """The ``External(...)`` spelling (for messages)."""
        if self.labels is not None and not self.name and self.kind == "Pod":
            labels = "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in self.labels) + "}"
            return f"External.pods({labels})"
        return f"External(kind={self.kind!r}, name={self.name!r})"

    @classmethod
    def parse(cls, text: str) -> Assumed:
        """``KIND/NAME``, ``KIND/NAMESPACE/NAME`` or ``Pod/[NAMESPACE/]KEY=VALUE,...``, with
        ``:KEY,KEY`` for the keys of a ConfigMap or Secret and ``:PORT,...`` for the ports of
        a Service or of pods (see the module's documentation)."""
        head, colon, tail = text.partition(":")
        kind, slash, rest = head.partition("/")
        if not slash or not kind[:1].isupper() or not kind.isalnum() or not rest or (colon and not tail):
            raise ValueError(_usage(text))
        if "=" in rest:
            return cls._pods(text, kind, rest, tail if colon else None)
        parts = rest.split("/")
        if len(parts) > 2 or not all(parts):
            raise ValueError(_usage(text))
        namespace, name = (None, parts[0]) if len(parts) == 1 else (parts[0], parts[1])
        if not colon:
            return cls(kind, name, namespace)
        items = [item for item in tail.split(",") if item]
        if kind in ("ConfigMap", "Secret"):
            return cls(kind, name, namespace, frozenset(items))
        if kind == "Service":
            return cls(kind, name, namespace, ports=_ports(text, items))
        raise ValueError(f"{text!r}: ':...' lists the keys of a ConfigMap or Secret or the ports of a Service "
                         f"or of pods, not of a {kind}")

    @classmethod
    def _pods(cls, text: str, kind: str, rest: str, tail: str | None) -> Assumed:
        if kind not in POD_KINDS:
            raise ValueError(f"{text!r}: KEY=VALUE labels describe pods: write Pod/{rest} (or a kind that runs "
                             f"pods: {', '.join(POD_KINDS)})")
        namespace = None
        first = rest.split("/", 1)[0]
        if "/" in rest and "=" not in first and "." not in first:  # NAMESPACE/labels, not a key's prefix
            namespace, rest = rest.split("/", 1)
        labels = []
        for pair in rest.split(","):
            key, eq, value = pair.partition("=")
            if not eq or not key:
                raise ValueError(f"{text!r}: {pair!r} is not KEY=VALUE; write pod labels as app=db,tier=backend")
            labels.append((key, value))
        ports = None if tail is None else _ports(text, [item for item in tail.split(",") if item])
        return cls(kind, "", namespace, labels=tuple(labels), ports=ports)


def _ports(text: str, items: list[str]) -> tuple[Port, ...]:
    found: list[Port] = []
    for item in items:
        name, eq, number = item.partition("=")
        if not eq:
            name, number = ("", name) if name.isdigit() else (name, "0")
        if not number.isdigit() or not (name or int(number)):
            raise ValueError(f"{text!r}: port {item!r} is not NUMBER, NAME or NAME=NUMBER")
        found.append((name, int(number)))
    return tuple(found)


def _py(text: str) -> str:
    """A Python string literal in double quotes, as ruff formats code (``"app"``)."""
    import json

    return json.dumps(text)


def _usage(text: str) -> str:
    return (f"{text!r}: expected KIND/NAME or KIND/NAMESPACE/NAME (e.g. Secret/registry-creds), optionally "
            ":KEY,KEY for the keys of a ConfigMap or Secret or :PORT,... for the ports of a Service; or "
            "Pod/KEY=VALUE,... for pods another file runs (e.g. Pod/app=db:5432)")


def selected_pods(assume: Iterable[Assumed]) -> list[Assumed]:
    """The assumptions that are pods by labels."""
    return [a for a in assume if a.labels is not None]


__all__ = ["POD_KINDS", "Assumed", "Port", "selected_pods", "show_ports"]
