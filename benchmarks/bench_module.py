"""Module call overhead (issue 3): ``nn.Linear(8, 8)`` on a 1x8 input under ``no_grad``, ember vs torch.

One step is 10,000 calls.  Rows: no hooks (the fast path straight to ``forward``), one forward hook, and a
full backward hook on a forward+backward call.  Target: ember at or below torch per call without hooks.

    python benchmarks/bench_module.py
"""
from __future__ import annotations

import sys

from harness import compare, table

CALLS = 10_000


def linear_calls(torch, hook=False):
    layer = torch.nn.Linear(8, 8)
    x = torch.ones(1, 8)
    if hook:
        layer.register_forward_hook(lambda module, args, output: None)

    def step():
        with torch.no_grad():
            for _ in range(CALLS):
                layer(x)
    return step


def backward_hook_call(torch):
    layer = torch.nn.Linear(8, 8)
    layer.register_full_backward_hook(lambda module, grad_input, grad_output: None)
    x = torch.ones(1, 8, requires_grad=True)

    def step():
        layer(x).sum().backward()
    return step


def main():
    results = [
        compare(f"Linear(8, 8) on 1x8, no_grad, no hooks ({CALLS:,} calls)", linear_calls, target=1.0, rounds=5),
        compare(f"Linear(8, 8) on 1x8, no_grad, one forward hook ({CALLS:,} calls)",
                lambda t: linear_calls(t, hook=True), rounds=5),
        compare("Linear(8, 8) fwd+bwd with a full backward hook (per call)", backward_hook_call),
    ]
    out = table(results, "nn.Module call overhead")
    print(out)
    for r in results[:2]:
        print(f"  {r['name']}: ember {r['ember'] / CALLS * 1e6:.2f} us/call, "
              f"torch {r['torch'] / CALLS * 1e6:.2f} us/call")
    return out


if __name__ == "__main__":
    sys.exit(main() is None)
