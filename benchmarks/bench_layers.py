"""ember vs torch, forward + backward, side by side at 2 threads: BatchNorm2d, LayerNorm, GELU, softmax and
cross-entropy on (4096, 1000) logits.  Prints medians (ms) and the ember/torch ratio.

    python benchmarks/bench_layers.py [--repeat 15]
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
os.environ.setdefault("MKL_NUM_THREADS", "2")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402

torch.set_num_threads(2)


def _median_ms(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3


def _case(name, shape, build_e, build_t, repeat):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    xe = ember.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    fe, ft = build_e(), build_t()
    ge = ember.tensor(np.random.default_rng(1).standard_normal(shape).astype(np.float32))
    gt = torch.tensor(ge.numpy())

    def run_e():
        out = fe(xe)
        out.backward(ge if out.ndim else None)
        xe.grad = None

    def run_t():
        out = ft(xt)
        out.backward(gt if out.ndim else None)
        xt.grad = None
    te, tt = _median_ms(run_e, repeat), _median_ms(run_t, repeat)
    print(f"{name:<34} {te:9.2f} {tt:9.2f} {te / tt:7.2f}x")
    return name, te, tt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    r = args.repeat
    target = np.random.default_rng(2).integers(0, 1000, 4096)
    te_, tt_ = ember.tensor(target), torch.tensor(target)
    print(f"{'case (forward + backward)':<34} {'ember ms':>9} {'torch ms':>9} {'ratio':>8}")
    _case("BatchNorm2d(64) (32,64,32,32)", (32, 64, 32, 32), lambda: ember.nn.BatchNorm2d(64),
          lambda: torch.nn.BatchNorm2d(64), r)
    _case("LayerNorm(1000) (4096,1000)", (4096, 1000), lambda: ember.nn.LayerNorm(1000),
          lambda: torch.nn.LayerNorm(1000), r)
    _case("GELU (4096,1000)", (4096, 1000), lambda: ember.nn.GELU(), lambda: torch.nn.GELU(), r)
    _case("GELU tanh (4096,1000)", (4096, 1000), lambda: ember.nn.GELU("tanh"), lambda: torch.nn.GELU("tanh"), r)
    _case("softmax dim=1 (4096,1000)", (4096, 1000), lambda: (lambda x: x.softmax(1)),
          lambda: (lambda x: x.softmax(1)), r)
    _case("cross_entropy (4096,1000)", (4096, 1000),
          lambda: (lambda x: ember.nn.functional.cross_entropy(x, te_)),
          lambda: (lambda x: torch.nn.functional.cross_entropy(x, tt_)), r)
    _case("cross_entropy ls=0.1 (4096,1000)", (4096, 1000),
          lambda: (lambda x: ember.nn.functional.cross_entropy(x, te_, label_smoothing=0.1)),
          lambda: (lambda x: torch.nn.functional.cross_entropy(x, tt_, label_smoothing=0.1)), r)


if __name__ == "__main__":
    main()
