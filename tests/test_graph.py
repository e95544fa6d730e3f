"""``kubegen graph``: Mermaid checked by mermaid's own parser (when node and the mermaid
package are installed), DOT by Graphviz (when installed), SVG by an XML parser and by
librsvg (when installed), and the SVG layout's geometry for a 30-Service stack."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

import pytest
from click.testing import CliRunner

from kubegen.cli import main
from kubegen.graph import Graph, build_graph
from kubegen.graph.dot import to_dot
from kubegen.graph.layout import CHAR_W, PAD, Layout, Rect, layout
from kubegen.graph.mermaid import to_mermaid
from kubegen.graph.svg import to_svg
from kubegen.network import build_network
from kubegen.reader import read_text

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SHOP = str(EXAMPLES / "shop.py")
SVG_NS = "{http://www.w3.org/2000/svg}"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def big_stack(n: int = 30) -> str:
    """n Deployments+Services (every third a NodePort, one a LoadBalancer), an Ingress
    routing to all of them, and two broken routes."""
    docs = []
    paths = []
    for i in range(n):
        kind = "LoadBalancer" if i == 1 else "NodePort" if i % 3 == 0 else "ClusterIP"
        docs.append(f"""\
            apiVersion: apps/v1
            kind: Deployment
            metadata: {{name: service-number-{i:02d}, namespace: big}}
            spec:
              replicas: {1 + i % 4}
              selector: {{matchLabels: {{app: s{i}}}}}
              template:
                metadata: {{labels: {{app: s{i}}}}}
                spec: {{containers: [{{name: c, image: nginx, ports: [{{name: http, containerPort: {8000 + i}}}]}}]}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {{name: service-number-{i:02d}, namespace: big}}
            spec:
              type: {kind}
              selector: {{app: s{i}}}
              ports: [{{port: 80, targetPort: {"htp" if i == 7 else "http"}}}]
            """)
        paths.append(f"{{path: /s{i}, pathType: Prefix, backend: {{service: {{name: service-number-{i:02d}, "
                     "port: {number: 80}}}}")
    paths.append("{path: /gone, pathType: Prefix, backend: {service: {name: gone, port: {number: 80}}}}")
    docs.append(f"""\
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {{name: site, namespace: big}}
        spec:
          rules:
          - host: big.example.com
            http:
              paths: [{", ".join(paths)}]
        """)
    return "---\n".join(textwrap.dedent(d) for d in docs)


def graph_of(text: str, nodes: int = 2) -> Graph:
    from kubegen.network import NetworkOptions

    result = read_text(text, "big.yaml")
    assert result.problems == []
    return build_graph(build_network(result.manifests, NetworkOptions(nodes=nodes)))


def segment_hits(p: tuple[int, int], q: tuple[int, int], r: Rect) -> bool:
    """Liang-Barsky: does the segment p-q pass through the inside of r?"""
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for edge_p, edge_q in ((-dx, p[0] - r.x), (dx, r.right - p[0]), (-dy, p[1] - r.y), (dy, r.bottom - p[1])):
        if edge_p == 0:
            if edge_q <= 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 >= t1:
            return False
    return True


def check_geometry(placed: Layout) -> None:
    canvas = Rect(0, 0, placed.width, placed.height)
    boxes = [b.rect for b in placed.boxes]
    labels = [label.rect for label in placed.labels]
    titles = [f.title_rect for f in placed.frames]
    for a, b in combinations(boxes + labels + titles, 2):
        assert not a.overlaps(b), (a, b)
    for rect in boxes + labels + titles + [f.rect for f in placed.frames]:
        assert canvas.contains(rect), rect
    for box in placed.boxes:
        assert max(len(line) for line in box.node.lines) * CHAR_W <= box.rect.w - 2 * PAD + 1
    node_frames = {f.title: f.rect for f in placed.frames if f.kind == "node"}
    for a, b in combinations(node_frames.values(), 2):
        assert not a.overlaps(b)
    for path in placed.paths:
        for p, q in zip(path.points, path.points[1:], strict=False):
            for rect in labels + titles:
                assert not segment_hits(p, q, rect), (path.edge, rect)


def test_thirty_services_lay_out_without_overlaps() -> None:
    graph = graph_of(big_stack(30), nodes=3)
    placed = layout(graph)
    assert len([b for b in placed.boxes if b.node.kind == "service"]) == 30
    assert len(placed.labels) == len([e for e in graph.edges if e.label])
    check_geometry(placed)
    pods = [b for b in placed.boxes if b.node.kind == "pod"]
    frames = {f.title.split()[0]: f.rect for f in placed.frames if f.kind == "node"}
    assert set(frames) == {"node-0", "node-1", "node-2"}
    groups = {g.id: g.title.split()[0] for g in graph.groups}
    for pod in pods:
        assert frames[groups[pod.node.group]].contains(pod.rect)  # type: ignore[index]


def test_svg_matches_its_layout_and_is_well_formed() -> None:
    graph = graph_of(big_stack(30), nodes=3)
    svg = to_svg(graph)
    root = ET.fromstring(svg.encode())
    assert root.tag == f"{SVG_NS}svg"
    placed = layout(graph)
    assert (root.get("width"), root.get("height")) == (str(placed.width), str(placed.height))
    drawn = [
        Rect(*(int(g.find(f"{SVG_NS}rect").get(k)) for k in ("x", "y", "width", "height")))  # type: ignore[union-attr]
        for g in root.iter(f"{SVG_NS}g")
    ]
    assert drawn == [b.rect for b in placed.boxes]
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert "80 → http(8000)" in texts and "80 → htp (missing)" in texts
    assert svg == to_svg(graph_of(big_stack(30), nodes=3))


def test_svg_renders_with_librsvg(tmp_path: Path) -> None:
    if shutil.which("rsvg-convert") is None:
        pytest.skip("rsvg-convert (librsvg2-bin) is not installed")
    path = tmp_path / "shop.svg"
    code, _, err = run("graph", SHOP, "--format", "svg", "-o", str(path))
    assert code == 0, err
    done = subprocess.run(["rsvg-convert", "-o", str(tmp_path / "shop.png"), str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    assert (tmp_path / "shop.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_broken_routes_are_drawn_broken() -> None:
    graph = graph_of(big_stack(10))
    broken = {(e.source, e.target, e.label) for e in graph.edges if e.broken}
    labels = {label for _, _, label in broken}
    # Service 7's targetPort names no container port; the Ingress routes /gone to no Service.
    # The Ingress path to Service 7 itself is fine: the break is drawn where it happens.
    assert labels == {"80 → htp (missing)", "big.example.com/gone → 80"}
    missing = [n for n in graph.nodes if n.kind == "missing"]
    assert [n.lines for n in missing] == [("Service gone", "not in the stack")] and missing[0].broken
    svg = to_svg(graph)
    assert svg.count('class="edge broken"') == len(broken)
    mermaid = to_mermaid(graph)
    assert mermaid.count(" -.->") == len(broken)
    style = re.search(r"^  linkStyle ([\d,]+) stroke:#c53030", mermaid, re.M)
    assert style is not None and len(style.group(1).split(",")) == len(broken)
    dot = to_dot(graph)
    assert dot.count("style=dashed, penwidth=1.6") == len(broken)


def test_entry_points_come_from_outside_the_cluster() -> None:
    code, out, err = run("graph", str(EXAMPLES / "loadbalancer.py"))
    assert code == 0, err
    assert 'n0(["outside the cluster"])' in out
    assert re.search(r'n\d+\[/"load balancer<br/>192\.168\.49\.\d+"/\]', out)
    assert 'node port 30008<br/>192.168.49.2, 192.168.49.3' in out
    assert '-->|":30008 → 80"|' in out and '-->|":80 → 80"|' in out
    assert out.index('n0(["outside the cluster"])') < out.index('subgraph cluster[')


MERMAID_EDGE = re.compile(r'^  (n\d+) (-->|-\.->)(\|"[^"|]*"\|)? (n\d+)$')
MERMAID_NODE = re.compile(r'^\s+(n\d+)(\(\["|\[/"|\[\["|\("|\[")[^"]*("\]\)|"/\]|"\]\]|"\)|"\])(:::broken)?$')


def test_mermaid_syntax_by_hand() -> None:
    text = to_mermaid(graph_of(big_stack(30)))
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    defined: set[str] = set()
    depth = 0
    for line in lines[1:]:
        if line.strip().startswith(("classDef ", "direction ", "linkStyle ")):
            continue
        if line.strip().startswith("subgraph "):
            assert re.fullmatch(r'\s+subgraph \w+\["[^"]*"\]', line), line
            depth += 1
        elif line.strip() == "end":
            depth -= 1
        elif (edge := MERMAID_EDGE.match(line)) is not None:
            assert edge.group(1) in defined and edge.group(4) in defined, line
        else:
            node = MERMAID_NODE.match(line)
            assert node is not None, line
            defined.add(node.group(1))
        assert depth >= 0
    assert depth == 0


def _mermaid_root() -> Path | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None
    done = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, timeout=60)
    root = Path(done.stdout.strip())
    ok = (root / "mermaid" / "dist" / "mermaid.core.mjs").is_file() and (root / "jsdom").is_dir()
    return root if ok else None


CHECK_MJS = """\
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import fs from "node:fs";
const root = process.argv[2];
const { JSDOM } = createRequire(root + "/")("jsdom");
const dom = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(root + "/mermaid/dist/mermaid.core.mjs"));
mermaid.initialize({ startOnLoad: false });
const results = [];
for (const file of process.argv.slice(3)) {
  try {
    results.push({ file, type: (await mermaid.parse(fs.readFileSync(file, "utf8"))).diagramType });
  } catch (e) {
    results.push({ file, error: String(e.message || e) });
  }
}
console.log(JSON.stringify(results));
"""


def test_mermaid_parser_accepts_the_output(tmp_path: Path) -> None:
    root = _mermaid_root()
    if root is None:
        pytest.skip("needs node and the mermaid and jsdom npm packages installed globally (npm i -g mermaid jsdom)")
    files = []
    for name, text in [("shop", to_mermaid(build_graph(build_network(_shop())))), ("big", to_mermaid(
            graph_of(big_stack(30)))), ("bad", "flowchart LR\n  a[[\"x\"] --> b\n")]:
        files.append(tmp_path / f"{name}.mmd")
        files[-1].write_text(text)
    (tmp_path / "check.mjs").write_text(CHECK_MJS)
    done = subprocess.run(["node", str(tmp_path / "check.mjs"), str(root), *map(str, files)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert [r.get("type") for r in results[:2]] == ["flowchart-v2", "flowchart-v2"], results
    assert "Parse error" in results[2]["error"]  # the parser does reject bad input


def _shop():  # type: ignore[no-untyped-def]
    from kubegen.api import compile_stacks
    from kubegen.appload import load_stacks

    return compile_stacks(load_stacks(SHOP))


def test_graphviz_accepts_the_dot(tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed (apt-get install graphviz)")
    graph = graph_of(big_stack(30))
    done = subprocess.run(["dot", "-Tsvg"], input=to_dot(graph), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    root = ET.fromstring(done.stdout.encode())
    titles = [t.text for t in root.iter(f"{SVG_NS}title")]
    assert sum(1 for t in titles if t and "->" in t) == len(graph.edges)
    assert sum(1 for t in titles if t and t.startswith("cluster_node")) == len(graph.groups)


def test_cli_writes_all_formats_deterministically(tmp_path: Path) -> None:
    for fmt in ("mermaid", "dot", "svg"):
        out = tmp_path / f"shop.{fmt}"
        code, stdout, err = run("graph", SHOP, "--format", fmt, "-o", str(out))
        assert code == 0 and stdout == "", err
        assert out.read_text() == run("graph", SHOP, "--format", fmt)[1]
    code, _, err = run("graph", SHOP, "--format", "png")
    assert code == 2 and "'png' is not one of 'mermaid', 'dot', 'svg'" in err


def test_docs_picture_is_current() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs" / "shop-graph.svg"
    code, out, err = run("graph", SHOP, "--format", "svg")
    assert code == 0, err
    assert out == docs.read_text(), (
        "docs/shop-graph.svg is stale: regenerate it (from the repository root) with\n"
        "  kubegen graph examples/shop.py --format svg -o docs/shop-graph.svg && "
        "rsvg-convert -o docs/shop-graph.png docs/shop-graph.svg"
    )


def test_an_empty_stack_still_draws(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("# nothing here\n")
    for fmt in ("svg", "dot", "mermaid"):
        code, out, err = run("graph", str(tmp_path / "empty.yaml"), "--format", fmt)
        assert code == 0 and err == "", err
    assert ET.fromstring(run("graph", str(tmp_path / "empty.yaml"), "--format", "svg")[1].encode()) is not None
    code, out, _ = run("explain", str(tmp_path / "empty.yaml"))
    assert code == 0 and "No Services in this stack." in out


def test_same_port_number_over_two_protocols_draws_two_labelled_edges() -> None:
    text = textwrap.dedent("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: dns, labels: {app: dns}}
        spec:
          containers: [{name: d, image: coredns, ports: [{name: dns, containerPort: 53, protocol: UDP},
                                                         {name: dns-tcp, containerPort: 53}]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: dns}
        spec:
          selector: {app: dns}
          ports: [{name: dns, port: 53, protocol: UDP, targetPort: dns}, {name: tcp, port: 53, targetPort: dns-tcp}]
        """)
    graph = graph_of(text)
    assert sorted(e.label for e in graph.edges if e.label) == ["53 → dns-tcp(53)", "53/UDP → dns(53)"]
    placed = layout(graph)
    assert sorted(label.text for label in placed.labels) == ["53 → dns-tcp(53)", "53/UDP → dns(53)"]
    check_geometry(placed)
