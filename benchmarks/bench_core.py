"""Foundation benchmarks: per-op overhead, a large elementwise op, a 1024x1024 matmul (issue 2)."""
from __future__ import annotations

import sys

from harness import compare, table


def op_chain(torch, grad=True, n=1000):
    x = torch.ones(16, requires_grad=grad)

    def step():
        if grad:
            y = x
            for _ in range(n // 2):
                y = y * 1.0001
                y = y + 0.001
            y.sum().backward()
        else:
            with torch.no_grad():
                y = x
                for _ in range(n // 2):
                    y = y * 1.0001
                    y = y + 0.001
    return step


def large_elementwise(torch):
    a = torch.rand(4 * 1024 * 1024)
    b = torch.rand(4 * 1024 * 1024)

    def step():
        return a * b + a
    return step


def matmul_fwd_bwd(torch):
    a = torch.rand(1024, 1024, requires_grad=True)
    b = torch.rand(1024, 1024, requires_grad=True)

    def step():
        a.grad = b.grad = None
        (a @ b).sum().backward()
    return step


def main():
    results = [
        compare("op chain, 1000 small ops, fwd+bwd (per step)", op_chain, target=0.75),
        compare("op chain, 1000 small ops, no_grad", lambda t: op_chain(t, grad=False), target=1.0),
        compare("elementwise a*b+a, 4M float32", large_elementwise, target=1.3),
        compare("matmul 1024x1024 fwd+bwd", matmul_fwd_bwd, target=1.3, rounds=5),
    ]
    out = table(results, "Foundation: per-op overhead and large ops")
    print(out)
    for r in results[:2]:
        print(f"  {r['name']}: ember {r['ember'] / 1000 * 1e6:.2f} us/op, torch {r['torch'] / 1000 * 1e6:.2f} us/op")
    return out


if __name__ == "__main__":
    sys.exit(main() is None)
