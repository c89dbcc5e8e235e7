"""Run one workload with ember and with torch, alternately, in one process; report medians and ratios.

A workload is written once against the torch API: ``def setup(torch): ... return step`` where ``step()`` runs
one iteration.  ``compare`` warms both up, then alternates timed rounds so machine noise hits both alike.
"""
from __future__ import annotations

import math
import os
import platform
import statistics
import time

# BENCH_THREADS=1 (with ``taskset -c 0``) gives the per-core comparison, steady on a shared machine
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(THREADS))
os.environ.setdefault("MKL_NUM_THREADS", str(THREADS))
# both libraries share this process: idle thread pools must sleep, not spin, or each steals the second core
# from the other (torch's OpenMP pool after its turn, OpenBLAS's after ember's)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import torch  # noqa: E402

import ember  # noqa: E402

torch.set_num_threads(THREADS)
ember.set_num_threads(THREADS)


def _time(step, inner):
    t = time.perf_counter()
    for _ in range(inner):
        step()
    return (time.perf_counter() - t) / inner


def compare(name, setup, rounds=7, inner=None, warmup=2, target=None):
    """Median seconds per step for ember and torch, and their ratio (ember / torch)."""
    steps = {"ember": setup(ember), "torch": setup(torch)}
    if inner is None:  # aim for ~50 ms per timed round
        one = max(_time(steps["torch"], 1), _time(steps["ember"], 1), 1e-7)
        inner = max(1, min(10000, int(0.05 / one)))
    for _ in range(warmup):
        for s in steps.values():
            _time(s, inner)
    times = {"ember": [], "torch": []}
    for _ in range(rounds):
        for lib in ("ember", "torch"):
            times[lib].append(_time(steps[lib], inner))
    e, t = statistics.median(times["ember"]), statistics.median(times["torch"])
    return {"name": name, "ember": e, "torch": t, "ratio": e / t, "target": target}


def _fmt(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def machine_line():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    blas = "unknown BLAS"
    try:
        from threadpoolctl import threadpool_info
        libs = [f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)"
                for i in threadpool_info() if i.get("user_api") == "blas"]
        blas = "; ".join(libs) or blas
    except ImportError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, NumPy {ember._np.__version__}, "
            f"torch {torch.__version__} ({THREADS} threads); BLAS: {blas}")


def table(results, title="ember vs torch"):
    lines = [f"### {title}", "", machine_line(), "",
             "| workload | ember | torch | ember/torch | target |", "|---|---|---|---|---|"]
    for r in results:
        tgt = f"<= {r['target']}" if r.get("target") else ""
        lines.append(f"| {r['name']} | {_fmt(r['ember'])} | {_fmt(r['torch'])} | {r['ratio']:.2f} | {tgt} |")
    ratios = [r["ratio"] for r in results]
    if ratios:
        gm = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
        lines.append(f"| geometric mean | | | {gm:.2f} | |")
    return "\n".join(lines)
