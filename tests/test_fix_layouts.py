"""`kubegen lint --fix` over a matrix of layouts: each fixable document (flow and block
style, indented and non-indented lists, JSON, quoted keys, comments everywhere) in each
wrapping (CRLF, BOM without a final newline, `---`/`...` lines with comments, after
another document, as a `kind: List` item, tabs before comments).

For every case, independently of what the fixer says it did:
- the same fixes are made whatever the layout;
- every changed line belongs to a field whose data changed (the differ below reads the
  original with PyYAML's composer, not with ruamel.yaml or the fixer's own records);
- `--fix` twice is `--fix` once, and `--diff` after `--fix` is empty;
- the `--diff` taken before, applied by `git apply`, gives exactly the fixed file.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubegen.checks import CheckOptions
from kubegen.fix import fix_paths
from kubegen.reader import read_text

DOCS: dict[str, tuple[str, int]] = {  # name -> (text, fixes expected)
    "service in flow style": ("""\
apiVersion: apps/v1   # wrong group
kind: Service
metadata: {name: web, labels: {canary: yes}}
spec: {type: ClusterIp, selector: {app: web}, ports: {port: 80, targetPort: http, protocol: udp}}
""", 5),
    "service, list not indented": ("""\
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    # why
    enabled: true
spec:
  type: nodeport
  selector:
    app: web
  ports:
  # first
  - port: 80
    targetPort: "8080"
  - port: 443   # tls
    targetPort: 8443
""", 5),
    "service indented by four": ("""\
apiVersion: v1
kind: Service
metadata:
    name: web
spec:
    type: LoadBalancer
    selector:
        "app": web
    ports:
        port: 80
        'name': http
        protocol: tcp
""", 2),
    "deployment": ("""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "3"   # three
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
        canary: no
    spec:
      containers:
      - name: web
        image: nginx:1.27
        imagePullPolicy: always
        env:
        - {name: A, value: yes}
        - name: B
          value: 0755
        ports:
          containerPort: 8080
          name: http
        livenessProbe:
          gRPC: {port: 8080}
        command:
        - sh
        - -c
        - |
          echo {{ not a template }}
""", 7),
    "v1beta1 ingress": ("""\
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: edge
  annotations: {kubernetes.io/ingress.class: nginx}
spec:
  backend: {serviceName: web, servicePort: 80}
  tls:
  - hosts: [a.example.com]
    secretName: tls
  rules:
  - host: a.example.com
    http:
      paths:
      - path: /
        backend:
          serviceName: web   # main
          servicePort: http
      - backend:
          serviceName: web
          servicePort: 80
""", 1),
    "extensions daemonset": ("""\
apiVersion: extensions/v1beta1
kind: DaemonSet
metadata:
  name: agent
spec:
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: agent:1
""", 1),
    "pod without apiVersion": ("""\
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: busybox:1.36
    ports:
    - containerPort: "80"
      protocol: Tcp
""", 3),
    "wiring": ("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend}
spec:
  selector: {matchLabels: {app: frontend}}
  template:
    metadata: {labels: {app: frontend}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: frontend}
spec:
  selector:
    app: frontned   # typo
  ports:
  - name: http
    port: 80
    targetPort: htpp
  - name: metrics
    port: 9090
    targetPort: metrcs
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: edge}
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: frontent
            port: {number: 8080}
""", 5),
}

JSON_DOC = """\
{"apiVersion": "apps/v1", "kind": "Service",
 "metadata": {"name": "cfg", "labels": {"on": "1"}},
 "spec": {"type": "nodePort", "ports": {"port": 80, "protocol": "udp"}, "sessionAffinity": "clientip"}}
"""


def wrapped(how: str, text: str) -> str:
    if how == "plain":
        return text
    if how == "crlf":
        return text.replace("\n", "\r\n")
    if how == "bom, no final newline":
        return "\ufeff" + text.rstrip("\n")
    if how == "separators with comments":
        return "# Source: chart/templates/x.yaml\n--- # the document\n" + text + "...\n# the end\n"
    if how == "after another document":
        return 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: {x: "1"}\n---\n' + text + "---\n"
    if how == "list item":
        body = "".join(f"  {line}\n" if line else "\n" for line in text.rstrip("\n").split("\n"))
        return "apiVersion: v1\nkind: List\nitems:\n-" + body[1:]
    assert how == "tabs before comments"
    return re.sub(r"(?m)(\S) +#", "\\1\t#", text)


WRAPS = ["plain", "crlf", "bom, no final newline", "separators with comments", "after another document",
         "list item", "tabs before comments"]
CASES = [(doc, how) for doc in DOCS for how in WRAPS if not (doc == "wiring" and how == "list item")]
CASES += [("json", how) for how in ["plain", "crlf", "bom, no final newline", "tabs before comments"]]


# --- the independent differ ---------------------------------------------------------------


def changed_paths(a: Any, b: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths where the data ``a`` and ``b`` differ (a mapping whose keys changed, a list
    whose length changed: the whole of it)."""
    if type(a) is not type(b):
        return [path]
    if isinstance(a, dict):
        if set(a) != set(b):
            return [path]
        return [p for k in a for p in changed_paths(a[k], b[k], (*path, k))]
    if isinstance(a, list):
        if len(a) != len(b):
            return [path]
        return [p for i, (x, y) in enumerate(zip(a, b, strict=True)) for p in changed_paths(x, y, (*path, i))]
    return [] if a == b else [path]


def field_lines(root: Any, path: tuple[Any, ...]) -> range:
    """The lines (0-based) of the field at ``path``: its key's line to its value's last."""
    node, first = root, root.start_mark.line
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == str(step)]
            if len(match) != 1:
                break
            first, node = match[0][0].start_mark.line, match[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            first = node.start_mark.line
        else:
            break
    end = node.end_mark
    last = end.line - 1 if end.column == 0 and end.line > first else end.line
    return range(first, last + 1)


def objects(text: str) -> list[tuple[dict[str, Any], int, tuple[Any, ...]]]:
    read = read_text(text.lstrip("\ufeff"), "x")
    assert not read.problems
    return [(m.obj, m.origin.lines.first_line, tuple(getattr(m.origin, "prefix", ()))) for m in read.manifests]


def stray_changes(before: str, after: str) -> list[str]:
    """Changed lines of ``after`` that no changed field of the data accounts for."""
    old, new = objects(before), objects(after)
    assert len(old) == len(new)
    text = before.lstrip("\ufeff")
    roots = [r for r in yaml.compose_all(text.replace("\t", " "), Loader=yaml.CSafeLoader) if r is not None]
    allowed: set[int] = set()
    for (a, first, prefix), (b, _, _) in zip(old, new, strict=True):
        root = max((r for r in roots if r.start_mark.line + 1 <= first), key=lambda r: r.start_mark.line)
        for path in changed_paths(a, b):
            allowed.update(field_lines(root, (*prefix, *path)))
    lines_a, lines_b = text.split("\n"), after.lstrip("\ufeff").split("\n")
    stray = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, lines_a, lines_b, autojunk=False).get_opcodes():
        inside = set(range(i1, i2)) <= allowed if i2 > i1 else bool({i1 - 1, i1} & allowed)
        if tag != "equal" and not inside:
            stray.append(f"{tag} {lines_a[i1:i2]} -> {lines_b[j1:j2]}")
    return stray


def test_the_differ_catches_a_change_outside_the_fixed_fields() -> None:
    before = "apiVersion: apps/v1\nkind: Service\nmetadata:\n  name: web  # the name\nspec:\n  ports: [{port: 80}]\n"
    honest = before.replace("apps/v1", "v1")
    assert stray_changes(before, honest) == []
    assert stray_changes(before, honest.replace("  # the name", "")) == ["replace ['  name: web  # the name'] -> ['  name: web']"]
    assert stray_changes(before, honest + "\n") != []


# --- the matrix -----------------------------------------------------------------------


@pytest.mark.parametrize(("doc", "how"), CASES, ids=[f"{d}/{h}" for d, h in CASES])
def test_fixes_are_the_same_and_confined_in_every_layout(tmp_path: Path, doc: str, how: str) -> None:
    text, expected = (JSON_DOC, 5) if doc == "json" else DOCS[doc]
    text = wrapped(how, text)
    name = "app.json" if doc == "json" else "app.yaml"
    path = tmp_path / name
    path.write_bytes(text.encode())
    options = CheckOptions(partial=doc != "wiring")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        patch = fix_paths([name], options, write=False).diff()
        result = fix_paths([name], options)
        fixed = path.read_bytes().decode()
        again = fix_paths([name], options)
        after = fix_paths([name], options, write=False).diff()
    finally:
        os.chdir(cwd)
    assert result.skipped == {} and result.refused == []
    assert len(result.applied) == expected, [f.summary for f in result.applied]
    assert not result.lint.failed()
    assert stray_changes(text, fixed) == []
    assert again.applied == [] and path.read_bytes().decode() == fixed and after == ""
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / name).write_bytes(text.encode())
    subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], cwd=clean, input=patch.encode(), check=True)
    assert (clean / name).read_bytes() == fixed.encode()
