"""Render benchmark: kubegen's whole render against floors measured in the same run.

    python bench/bench_render.py                 # N = 10, 100, 1000, 10000
    python bench/bench_render.py --sizes 1000    # one size

For each N it builds a stack of N microservices (a Deployment and a Service each,
with probes, env and resources; every 10th Service a NodePort), then times, best
of ``--repeat`` runs in this process:

- kubegen: build + compile + checks + order + YAML (the whole ``render``), as
  ``kubegen render`` runs it: the cyclic garbage collector off from the app's first
  line to the last byte written (kubegen.cli turns it off before running the app);
- PyYAML's C dumper on the same dicts, under the same collector setting (floor 2, the
  target's yardstick; "ratio");
- "library": the same two with the collector on, as a deploy script calling
  ``kubegen.render`` has it (the library pauses the collector for its own part only,
  so the script's building of the stack pays for the collector's scans);
- json.dumps of the same dicts (floor 1).

Targets: kubegen / PyYAML-C <= 1.3 at N = 1,000 (issue 2), and at 10,000 kubegen stays
ahead of PyYAML's C dumper alone, < 1.0 (issue 11; ``--cpu`` gives the steadier
figure). The start-up of a whole ``kubegen render`` process is bench_startup.py's.
Machines here are noisy, so targets are ratios to floors measured in the same run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

import kubegen  # noqa: E402
from kubegen import (  # noqa: E402
    ConfigMap,
    ConfigMapKeyRef,
    Container,
    Deployment,
    Probe,
    Resources,
    Stack,
)


def build_stack(n: int) -> Stack:
    """N microservices: Deployment + Service each, probes, env, resources; every 10th NodePort
    (as long as the node-port range lasts: the first 27,680 services); one ConfigMap their
    env reads."""
    stack = Stack(namespace="bench", labels={"app.kubernetes.io/part-of": "bench"})
    stack.add(ConfigMap(name="shared-config", data={"db-url": "postgres://db.bench:5432/app"}))
    for i in range(n):
        name = f"svc-{i:05d}"
        deployment = stack.add(
            Deployment(
                name=name,
                replicas=2 + i % 3,
                labels={"app": name, "tier": "backend"},
                containers=[
                    Container(
                        name="app",
                        image=f"registry.example.com/team/{name}:1.{i % 7}.0",
                        ports={"http": 8080, "metrics": 9090},
                        env={
                            "LOG_LEVEL": "info",
                            "SERVICE_NAME": name,
                            "DB_URL": ConfigMapKeyRef(config_map="shared-config", key="db-url"),
                        },
                        resources=Resources(
                            requests={"cpu": "100m", "memory": "128Mi"}, limits={"memory": "256Mi"}
                        ),
                        readiness_probe=Probe.http("/ready", port="http", period_seconds=5),
                        liveness_probe=Probe.http("/healthz", port="http", initial_delay_seconds=10),
                    )
                ],
            )
        )
        if i % 10 == 0 and i < 27_680:  # the node-port range holds 2,768 ports
            stack.add(deployment.expose(80, target_port="http", type="NodePort", node_port=30000 + i // 10))
        else:
            stack.add(deployment.expose(80, target_port="http", type="ClusterIP"))
    return stack


def kubegen_render(n: int) -> str:
    return kubegen.render(build_stack(n))


def best_of(repeat: int, fn: Callable[[], Any], clock: Callable[[], float] = time.perf_counter) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


def best_cpu(repeat: int, fn: Callable[[], Any]) -> float:
    """Best CPU time (user + system) of ``repeat`` runs: what the work costs, without the
    time spent waiting for a CPU on a loaded machine."""
    return best_of(repeat, fn, time.process_time)


def peak_memory(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def collector_off(fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` run as ``kubegen render`` runs an app: the cyclic garbage collector off from
    start to end (kubegen.cli turns it off before the app's code builds the stack; the
    library's ``render`` pauses it only for its own part)."""
    def run() -> Any:
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()

    return run


def run_size(n: int, repeat: int, cpu: bool = False) -> dict[str, float]:
    dicts = kubegen.render_dicts(build_stack(n))
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    measure = best_cpu if cpu else best_of

    def pyyaml() -> str:
        return str(yaml.dump_all(dicts, Dumper=dumper, sort_keys=False))

    # interleaved, so that load from other processes hits kubegen and its floors alike
    t_kubegen = measure(repeat, collector_off(lambda: kubegen_render(n)))
    t_pyyaml = measure(repeat, collector_off(pyyaml))
    t_library = measure(repeat, lambda: kubegen_render(n))
    t_pyyaml_on = measure(repeat, pyyaml)
    t_json = measure(repeat, lambda: json.dumps(dicts))
    memory = peak_memory(lambda: kubegen_render(n))
    objects = len(dicts)
    return {
        "n": n,
        "objects": objects,
        "kubegen_s": t_kubegen,
        "json_s": t_json,
        "pyyaml_c_s": t_pyyaml,
        "ratio_pyyaml": t_kubegen / t_pyyaml,
        "library_ratio": t_library / t_pyyaml_on,
        "objects_per_s": objects / t_kubegen,
        "peak_mib": memory,
    }


def process_time(cmd: list[str], repeat: int) -> float:
    """Median wall time of a whole process (bench_gitops.py uses it)."""
    times = []
    env = dict(os.environ)
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpu", action="store_true",
                        help="time CPU (user + system) instead of wall clock: steadier on a loaded machine")
    args = parser.parse_args()

    print(f"{'N':>6} {'objects':>8} {'kubegen s':>10} {'json s':>8} {'PyYAML-C s':>11} "
          f"{'ratio':>6} {'library':>8} {'obj/s':>9} {'peak MiB':>9}")
    ok = True
    for n in args.sizes:
        r = run_size(n, args.repeat if n < 10000 else max(1, args.repeat - 1), args.cpu)
        flag = ""
        if n >= 10000 and r["ratio_pyyaml"] >= 1.0:
            flag, ok = "  >= 1.0 target (behind PyYAML's C dumper)", False
        elif n >= 1000 and r["ratio_pyyaml"] > 1.3:
            flag, ok = "  > 1.3 target", False
        print(f"{n:>6} {r['objects']:>8} {r['kubegen_s']:>10.3f} {r['json_s']:>8.3f} {r['pyyaml_c_s']:>11.3f} "
              f"{r['ratio_pyyaml']:>6.2f} {r['library_ratio']:>8.2f} {r['objects_per_s']:>9.0f} "
              f"{r['peak_mib']:>9.1f}{flag}")

    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
