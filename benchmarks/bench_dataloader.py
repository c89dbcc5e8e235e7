"""DataLoader throughput, ember vs torch (issue 6).

A dataset of 2,000 items whose ``__getitem__`` does about 1 ms of CPU work (pure Python holding the GIL, as
decoding and augmentation code often does) and returns a 3x32x32 float32 image and an int label; batch 32.
One step is one whole epoch, worker start-up included.

Targets: ``num_workers=2`` at least 1.6x faster than ``num_workers=0`` on 2 cores, and ember's loader
within 1.2x of torch's with the same dataset.

    python benchmarks/bench_dataloader.py
"""
from __future__ import annotations

import time

import numpy as np

from harness import compare, table

ITEMS, BATCH = 2000, 32


def busy(n):
    """Deterministic CPU work that holds the GIL; returns a value so it cannot be skipped."""
    acc = 0
    for i in range(n):
        acc = (acc * 31 + i) & 0xFFFF
    return acc


def calibrate(target_s=1e-3):
    """The loop count for which ``busy`` takes about ``target_s`` here."""
    n = 1000
    while True:
        start = time.perf_counter()
        busy(n)
        took = time.perf_counter() - start
        if took > 0.02:
            return max(1, int(n * target_s / took))
        n *= 2


LOOPS = calibrate()


def epoch(workers):
    def setup(torch):
        class Work(torch.utils.data.Dataset):
            def __len__(self):
                return ITEMS

            def __getitem__(self, i):
                seed = busy(LOOPS) + i
                return torch.from_numpy(np.full((3, 32, 32), seed % 255, np.float32)), i % 10

        dataset = Work()

        def step():
            count = 0
            for images, labels in torch.utils.data.DataLoader(dataset, batch_size=BATCH, num_workers=workers):
                count += len(labels)
            assert count == ITEMS
        return step
    return setup


def main():
    import ember.utils.data  # noqa: F401  (loads the subpackage the workload reaches through ``torch.utils``)
    import torch.utils.data  # noqa: F401

    results = [
        compare(f"epoch, {ITEMS} items x ~1 ms, batch {BATCH}, num_workers=0", epoch(0), rounds=3, inner=1,
                warmup=1, target=1.2),
        compare(f"epoch, {ITEMS} items x ~1 ms, batch {BATCH}, num_workers=2", epoch(2), rounds=3, inner=1,
                warmup=1, target=1.2),
    ]
    out = table(results, "Data loading: DataLoader epochs")
    print(out)
    for lib in ("ember", "torch"):
        speedup = results[0][lib] / results[1][lib]
        print(f"  {lib}: num_workers=2 is {speedup:.2f}x faster than num_workers=0 (target >= 1.6x)")
    return out


if __name__ == "__main__":
    main()
