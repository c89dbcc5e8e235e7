"""One Adam step over a 10M-parameter MLP's parameters: ember vs torch (2 threads), medians and ratio.

Run: ``.venv/bin/python benchmarks/bench_optim.py``"""
import time

import numpy as np
import torch

import ember

SHAPES = [(2048, 2048), (2048,), (2048, 2048), (2048,), (1024, 2048), (1024,)]   # 10.5M parameters


def _median_ms(fn, repeats=15):
    fn()                                              # warm up (state allocation)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def main():
    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    params_e = [ember.nn.Parameter(ember.tensor(w)) for w in weights]
    params_t = [torch.nn.Parameter(torch.tensor(w)) for w in weights]
    for p, g in zip(params_e, grads):
        p.grad = ember.tensor(g)
    for p, g in zip(params_t, grads):
        p.grad = torch.tensor(g)
    opt_e = ember.optim.Adam(params_e, lr=1e-3)
    opt_t = torch.optim.Adam(params_t, lr=1e-3)
    n = sum(w.size for w in weights)
    ember_ms = _median_ms(opt_e.step)
    torch_ms = _median_ms(opt_t.step)
    print(f"Adam step, {n / 1e6:.1f}M float32 parameters: ember {ember_ms:.1f} ms, torch {torch_ms:.1f} ms "
          f"(2 threads), ratio {ember_ms / torch_ms:.2f}x")


if __name__ == "__main__":
    main()
