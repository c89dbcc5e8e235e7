"""DataLoader throughput, ember vs torch side by side.

A dataset of 2,000 items whose ``__getitem__`` does about 1 ms of CPU work (pure Python, holding the GIL,
as decoding and augmentation code often does) and returns a 3x32x32 float32 image and an int label;
batches of 32.  One epoch per measurement, worker start-up included; best of ``--repeats``.

Targets (issue 6): ``num_workers=2`` at least 1.6x faster than ``num_workers=0`` on 2 cores, and ember's
loader within 1.2x of torch's with the same dataset.

    python benchmarks/bench_dataloader.py [--items 2000] [--batch-size 32] [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ember  # noqa: E402
import ember.utils.data  # noqa: E402

try:
    import torch
    import torch.utils.data
except ImportError:  # the benchmark still measures ember alone
    torch = None


def busy(n):
    """Deterministic CPU work that holds the GIL; returns a value so it cannot be skipped."""
    acc = 0
    for i in range(n):
        acc = (acc * 31 + i) & 0xFFFF
    return acc


def calibrate(target_s=1e-3):
    """Loop count for ``busy`` that takes about ``target_s`` on this machine."""
    n = 1000
    while True:
        start = time.perf_counter()
        busy(n)
        took = time.perf_counter() - start
        if took > 0.02:
            return max(1, int(n * target_s / took))
        n *= 2


def make_dataset(lib, base, n_items, loops):
    """The same dataset class for either library: only the tensor constructor differs."""
    class Work(base):
        def __len__(self):
            return n_items

        def __getitem__(self, i):
            seed = busy(loops) + i
            image = np.full((3, 32, 32), seed % 255, np.float32)
            return lib.from_numpy(image), i % 10

    return Work()


def epoch_time(loader_cls, dataset, batch_size, workers, repeats):
    best = float("inf")
    for _ in range(repeats):
        loader = loader_cls(dataset, batch_size=batch_size, shuffle=False, num_workers=workers)
        start = time.perf_counter()
        count = 0
        for images, labels in loader:
            count += len(labels)
        best = min(best, time.perf_counter() - start)
        assert count == len(dataset), (count, len(dataset))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    loops = calibrate()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"dataset: {args.items} items, ~1 ms each ({loops} loop steps), batch {args.batch_size}, "
          f"{cores} cores, best of {args.repeats}")

    libs = [("ember", ember, ember.utils.data)]
    if torch is not None:
        libs.append(("torch", torch, torch.utils.data))
    results = {}
    for name, lib, data in libs:
        dataset = make_dataset(lib, data.Dataset, args.items, loops)
        for workers in (0, 2):
            results[name, workers] = epoch_time(data.DataLoader, dataset, args.batch_size, workers, args.repeats)

    print(f"\n{'workers':>8} {'ember s':>9} {'torch s':>9} {'ember/torch':>12}")
    for workers in (0, 2):
        ours = results["ember", workers]
        theirs = results.get(("torch", workers))
        ratio = f"{ours / theirs:11.2f}x" if theirs else "n/a"
        theirs_s = f"{theirs:9.3f}" if theirs else "n/a"
        print(f"{workers:>8} {ours:9.3f} {theirs_s:>9} {ratio:>12}")
    speedup = results["ember", 0] / results["ember", 2]
    print(f"\nember num_workers=2 speedup over num_workers=0: {speedup:.2f}x (target >= 1.6x)")
    if torch is not None:
        print(f"torch num_workers=2 speedup over num_workers=0: "
              f"{results['torch', 0] / results['torch', 2]:.2f}x")
        worst = max(results["ember", w] / results["torch", w] for w in (0, 2))
        print(f"worst ember/torch ratio: {worst:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    main()
