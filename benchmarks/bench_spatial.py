"""Spatial benchmarks (issue 4): Conv2d and MaxPool2d forward+backward, ember vs torch side by side, 2 threads.

Conv2d 3x3, 32 -> 64 channels, 32x32, batch 32 (target: within 2x of torch); MaxPool2d 2x2 stride 2 on the
conv's output shape (target: within 1.5x).  Also a strided conv (the im2col path with stride 2) for reference.

    python benchmarks/bench_spatial.py [--threads N]
"""
from __future__ import annotations

import sys

from bench_layers import THREADS  # noqa: F401 -- handles --threads before torch and ember load
from harness import compare, table  # noqa: E402


def conv2d_fwd_bwd(torch, stride=1):
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(32, 64, 3, stride=stride, padding=1)
    x = torch.randn(32, 32, 32, 32, requires_grad=True)

    def step():
        x.grad = None
        conv.zero_grad()
        conv(x).sum().backward()
    return step


def maxpool2d_fwd_bwd(torch):
    pool = torch.nn.MaxPool2d(2)
    x = torch.randn(32, 64, 32, 32, requires_grad=True)

    def step():
        x.grad = None
        pool(x).sum().backward()
    return step


def main():
    results = [
        compare("Conv2d 3x3 32->64, 32x32, batch 32, fwd+bwd", conv2d_fwd_bwd, target=2.0, rounds=7),
        compare("Conv2d 3x3 stride 2 32->64, 32x32, batch 32, fwd+bwd", lambda t: conv2d_fwd_bwd(t, 2), target=2.0,
                rounds=7),
        compare("MaxPool2d 2x2 on (32, 64, 32, 32), fwd+bwd", maxpool2d_fwd_bwd, target=1.5, rounds=7),
    ]
    out = table(results, f"Spatial: convolution and pooling ({THREADS or 2} thread(s))")
    print(out)
    return out


if __name__ == "__main__":
    sys.exit(main() is None)
