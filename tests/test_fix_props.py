"""Property tests for `lint --fix` over generated YAML: random mistakes (each with one safe
fix) in a Service next to its Deployment, written in random layouts (indent 2 or 4, list
dashes indented or not, CRLF, no final newline) with comments and blank lines anywhere.

Whatever is generated: every mistake is fixed, the file reads back as the intended
objects, every comment survives in order, only the lines the fixes edited change, the
line ends stay, a second run finds nothing to do, and a file without mistakes is never
touched.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fix_corpus import changed_lines_only

from kubegen.fix import fix_paths
from kubegen.reader import read_text

Entries = list[tuple[str, Any]]  # key -> raw scalar text | Entries (mapping) | ("seq", [Entries])


@dataclass
class Layout:
    step: int
    dash: int  # columns between a key and its list's dashes
    newline: str
    final: bool
    notes: list[bool]  # per line: a full-line comment before it?
    eols: list[bool]  # per line: an end-of-line comment?
    written: list[str] = field(default_factory=list)

    def comment_before(self, out: list[str], indent: int) -> None:
        i = len(out)
        if i < len(self.notes) and self.notes[i]:
            text = f"# note {i}"
            self.written.append(text)
            out.append(" " * indent + text)

    def eol(self, line: str, i: int) -> str:
        if i < len(self.eols) and self.eols[i]:
            text = f"# eol {i}"
            self.written.append(text)
            return f"{line}  {text}"
        return line


def emit(entries: Entries, indent: int, layout: Layout, out: list[str]) -> None:
    for key, value in entries:
        layout.comment_before(out, indent)
        if isinstance(value, str):
            out.append(layout.eol(" " * indent + f"{key}: {value}", len(out)))
        elif isinstance(value, tuple):
            out.append(layout.eol(" " * indent + f"{key}:", len(out)))
            dash = indent + layout.dash
            for item in value[1]:
                for n, (k, v) in enumerate(item):
                    lead = "- " if n == 0 else "  "
                    out.append(layout.eol(" " * dash + f"{lead}{k}: {v}", len(out)))
        else:
            out.append(layout.eol(" " * indent + f"{key}:", len(out)))
            emit(value, indent + layout.step, layout, out)


def document(entries: Entries, layout: Layout) -> list[str]:
    out: list[str] = []
    emit(entries, 0, layout, out)
    return out


def text_of(docs: list[Entries], layout: Layout) -> str:
    lines: list[str] = []
    for n, doc in enumerate(docs):
        if n:
            lines.append("---")
        lines.extend(document(doc, layout))
    text = layout.newline.join(lines)
    return text + layout.newline if layout.final else text


DEPLOYMENT: Entries = [
    ("apiVersion", "apps/v1"), ("kind", "Deployment"), ("metadata", [("name", "checkout")]),
    ("spec", [
        ("selector", [("matchLabels", [("app", "checkout")])]),
        ("template", [
            ("metadata", [("labels", [("app", "checkout")])]),
            ("spec", [("containers", ("seq", [[
                ("name", "web"), ("image", "nginx:1.27"), ("ports", "[{containerPort: 8080}, {containerPort: 9090}]"),
            ]]))]),
        ]),
    ]),
]


def miscase(word: str, flips: list[bool]) -> str:
    out = "".join(c.swapcase() if f else c for c, f in zip(word, flips + [False] * len(word), strict=False))
    return out if out != word else word.lower()


@st.composite
def service_case(draw: st.DrawFn) -> tuple[list[Entries], dict[str, Any], bool]:
    """(documents, the Service as it must read after fixing, whether any mistake was made)."""
    wrong_api = draw(st.booleans())
    stype = draw(st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"]))
    wrong_type = draw(st.booleans())
    flag = draw(st.sampled_from([None, "yes", "on", "y", "off", "true"]))
    number = draw(st.sampled_from([None, "0755", "1.10", "1e3", "42"]))
    shape = draw(st.sampled_from(["list", "mapping", "two-unnamed"]))
    slip = draw(st.sampled_from([None, "chekout", "checkuot", "Checkout", "checkoutt"]))
    meta: Entries = [("name", "checkout")]
    want_meta: dict[str, Any] = {"name": "checkout"}
    if flag:
        meta.append(("labels", [("canary", flag)]))
        want_meta["labels"] = {"canary": flag}
    if number:
        meta.append(("annotations", [("build", number)]))
        want_meta["annotations"] = {"build": number}
    port = [("port", "80"), ("targetPort", "8080")]
    want_ports: list[dict[str, Any]] = [{"port": 80, "targetPort": 8080}]
    spec: Entries = [("type", miscase(stype, draw(st.lists(st.booleans(), max_size=12))) if wrong_type else stype)]
    spec.append(("selector", [("app", slip or "checkout")]))
    if shape == "mapping":
        spec.append(("ports", port))
    elif shape == "list":
        spec.append(("ports", ("seq", [port])))
    else:
        spec.append(("ports", ("seq", [port, [("name", "admin"), ("port", "9090")]])))
        want_ports = [{"name": "http", "port": 80, "targetPort": 8080}, {"name": "admin", "port": 9090}]
    service: Entries = [
        ("apiVersion", "apps/v1" if wrong_api else "v1"), ("kind", "Service"), ("metadata", meta), ("spec", spec),
    ]
    want = {
        "apiVersion": "v1", "kind": "Service", "metadata": want_meta,
        "spec": {"type": stype, "selector": {"app": "checkout"}, "ports": want_ports},
    }
    mistakes = wrong_api or wrong_type or bool(flag) or bool(number) or shape != "list" or bool(slip)
    return [service, DEPLOYMENT], want, mistakes


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    return Layout(
        step=draw(st.sampled_from([2, 4])), dash=draw(st.sampled_from([0, 2])),
        newline=draw(st.sampled_from(["\n", "\r\n"])), final=draw(st.booleans()),
        notes=draw(st.lists(st.booleans(), min_size=60, max_size=60)),
        eols=draw(st.lists(st.booleans(), min_size=60, max_size=60)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(service_case(), layouts())
def test_fixed_text_is_intended_and_everything_else_is_kept(case: tuple[list[Entries], dict[str, Any], bool],
                                                            layout: Layout) -> None:
    docs, want, mistakes = case
    text = text_of(docs, layout)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "app.yaml"
        path.write_bytes(text.encode())
        result = fix_paths([str(path)])
        fixed = path.read_bytes().decode()
        assert result.left == [], [f.format() for f in result.left]
        assert bool(result.applied) == mistakes
        if not mistakes:
            assert fixed == text
            return
        service = read_text(fixed, str(path)).manifests[0].obj
        assert service == want
        # comments survive, in order
        at = 0
        for comment in layout.written:
            at = fixed.index(comment, at) + len(comment)
        # only the edited lines change; line ends and the final newline stay
        assert changed_lines_only(text, fixed, result.sources[0].changed) == []
        assert fixed.endswith(layout.newline) == layout.final
        if layout.newline == "\r\n":
            assert fixed.count("\n") == fixed.count("\r\n")
        assert fix_paths([str(path)]).applied == []
