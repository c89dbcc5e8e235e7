"""Data-parallel scaling on this machine: the MLP 784-512-512-10 training step at a global batch of 1024 on 1 and
2 ranks (strong scaling: each of N ranks takes 1024/N), and the cost of one all-reduce of 10M float32.

Run: ``.venv/bin/python benchmarks/bench_distributed.py`` (it launches its workers through
``python -m ember.distributed.run``; needs ``pip install mpi4py mpich``).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GLOBAL_BATCH = 1024


def _median(fn, repeats, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker():
    import numpy as np

    import ember
    import ember.distributed as dist
    from ember import nn
    from ember.nn.parallel import DistributedDataParallel as DDP

    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    ember.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    model = DDP(mlp)
    opt = ember.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(rank)
    x = ember.tensor(rng.standard_normal((GLOBAL_BATCH // world, 784)).astype(np.float32))  # (B/N, 784)
    y = ember.tensor(rng.integers(0, 10, GLOBAL_BATCH // world))                             # (B/N,)

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    def timed_step():
        dist.barrier()                     # every rank starts each timed step together
        step()

    result = {"world": world, "threads": os.environ.get("OMP_NUM_THREADS"),
              "step_s": _median(timed_step, repeats=30), "buckets": len(model._buckets)}
    big = ember.ones(10_000_000)           # 40 MB

    def allreduce():
        dist.barrier()
        dist.all_reduce(big)
    if world > 1:
        result["allreduce_10M_s"] = _median(allreduce, repeats=10, warmup=2)
    if rank == 0:
        print("RESULT " + json.dumps(result), flush=True)
    dist.destroy_process_group()


def launch(n, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-m", "ember.distributed.run", "-n", str(n), __file__, "--worker"],
                         capture_output=True, text=True, env=env, timeout=600, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"worker failed (n={n}):\n{out.stderr}")
    line = next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def main():
    one_1t = launch(1, 1)
    one_2t = launch(1, 2)
    two = launch(2, 1)
    t1, t1b, t2 = one_1t["step_s"], one_2t["step_s"], two["step_s"]
    ms = 1e3
    print(f"MLP 784-512-512-10, global batch {GLOBAL_BATCH}, SGD step (median of 30), {os.cpu_count()} cores")
    print(f"  1 rank  x 1 thread : {t1 * ms:8.2f} ms/step")
    print(f"  1 rank  x 2 threads: {t1b * ms:8.2f} ms/step")
    print(f"  2 ranks x 1 thread : {t2 * ms:8.2f} ms/step   ({two['buckets']} gradient buckets)")
    print(f"  speedup 1->2 ranks (vs 1 rank x 1 thread): {t1 / t2:.2f}x, efficiency {t1 / t2 / 2:.0%}")
    print(f"  vs 1 rank x 2 threads (same cores):       {t1b / t2:.2f}x")
    ar = two["allreduce_10M_s"]
    print(f"all_reduce of 10M float32 (40 MB) on 2 ranks: {ar * ms:.1f} ms ({40e6 / ar / 1e9:.2f} GB/s algorithm "
          "bandwidth)")


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker()
    else:
        main()
