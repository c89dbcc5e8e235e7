"""Layer kernels, ember vs torch, forward + backward at 2 threads (``harness.compare``: alternating timed rounds,
medians): BatchNorm2d, LayerNorm, GELU (erf and tanh), softmax / log-softmax and cross-entropy on (4096, 1000),
and the small shapes the Transformer workload uses.  Targets: within 1.5x of torch.

    python benchmarks/bench_layers.py [--threads N] [name filter ...]

``--threads 1`` runs both libraries on one thread (BLAS, torch's intra-op pool and ember's block pool): on a
loaded machine that comparison is far steadier than the 2-thread one.
"""
from __future__ import annotations

import os
import sys

import numpy as np


def _threads_from_argv(argv):
    """Remove ``--threads N`` from argv and set the thread environment before torch and ember load."""
    if "--threads" not in argv:
        return None
    i = argv.index("--threads")
    n = argv[i + 1]
    del argv[i:i + 2]
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = n
    return int(n)


THREADS = _threads_from_argv(sys.argv)

from harness import compare, table, torch  # noqa: E402

if THREADS:
    torch.set_num_threads(THREADS)

BIG = (4096, 1000)


def _arrays(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(np.float32), rng.standard_normal(shape).astype(np.float32)


def layer_case(build, shape=BIG):
    """``build(torch)`` returns a function of one tensor; the step runs it forward and backward."""
    def setup(torch):
        x, g = _arrays(shape)
        x, g = torch.tensor(x, requires_grad=True), torch.tensor(g)
        fn = build(torch)

        def step():
            x.grad = None
            fn(x).backward(g)
        return step
    return setup


def loss_case(label_smoothing=0.0, shape=BIG):
    def setup(torch):
        x, _ = _arrays(shape)
        x = torch.tensor(x, requires_grad=True)
        target = torch.tensor(np.random.default_rng(2).integers(0, shape[1], shape[0]))

        def step():
            x.grad = None
            torch.nn.functional.cross_entropy(x, target, label_smoothing=label_smoothing).backward()
        return step
    return setup


CASES = [
    ("BatchNorm2d(64) on (32, 64, 32, 32)", layer_case(lambda t: t.nn.BatchNorm2d(64), (32, 64, 32, 32))),
    ("BatchNorm2d(32) on (32, 32, 32, 32)", layer_case(lambda t: t.nn.BatchNorm2d(32), (32, 32, 32, 32))),
    ("LayerNorm(1000) on (4096, 1000)", layer_case(lambda t: t.nn.LayerNorm(1000))),
    ("LayerNorm(128) on (16, 64, 128)", layer_case(lambda t: t.nn.LayerNorm(128), (16, 64, 128))),
    ("GELU on (4096, 1000)", layer_case(lambda t: t.nn.GELU())),
    ("GELU on (16, 64, 512)", layer_case(lambda t: t.nn.GELU(), (16, 64, 512))),
    ("GELU tanh on (4096, 1000)", layer_case(lambda t: t.nn.GELU("tanh"))),
    ("x.softmax(1) on (4096, 1000)", layer_case(lambda t: (lambda x: x.softmax(1)))),
    ("F.softmax(dim=-1) on (4096, 1000)", layer_case(lambda t: (lambda x: t.nn.functional.softmax(x, -1)))),
    ("F.softmax(dim=-1) on (16, 4, 64, 64)", layer_case(lambda t: (lambda x: t.nn.functional.softmax(x, -1)),
                                                          (16, 4, 64, 64))),
    ("F.log_softmax(dim=1) on (4096, 1000)", layer_case(lambda t: (lambda x: t.nn.functional.log_softmax(x, 1)))),
    ("cross_entropy on (4096, 1000)", loss_case()),
    ("cross_entropy ls=0.1 on (4096, 1000)", loss_case(0.1)),
    ("cross_entropy on (64, 10)", loss_case(shape=(64, 10))),
]


def main(argv=None):
    only = [a.lower() for a in (argv if argv is not None else sys.argv[1:])]
    results = []
    for name, setup in CASES:
        if only and not any(o in name.lower() for o in only):
            continue
        results.append(compare(name + ", fwd+bwd", setup, target=1.5, rounds=7))
        print(f"{name}: {results[-1]['ratio']:.2f}x", flush=True)
    threads = THREADS or 2
    out = table(results, f"Layer kernels (median time per forward + backward, {threads} thread(s))")
    print(out)
    return out


if __name__ == "__main__":
    main()
