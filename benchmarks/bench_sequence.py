"""ember vs torch on sequence models, one training step each (forward, backward, optimizer step), 2 threads:
an LSTM (2 layers, hidden 256, sequence 64, batch 32), the same LSTM built from per-step LSTMCells (the
composed version the fused recurrent node replaces, ember only), a TransformerEncoderLayer (d_model 256), and the
GPT of ``examples/gpt.py``.

    python benchmarks/bench_sequence.py
"""
from __future__ import annotations

import os
import statistics
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples"))

import numpy as np  # noqa: E402

from harness import compare, table  # noqa: E402

warnings.filterwarnings("ignore", message="enable_nested_tensor")


def _data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def lstm_step(torch):
    torch.manual_seed(0)
    model = torch.nn.LSTM(128, 256, num_layers=2)
    head = torch.nn.Linear(256, 10)
    opt = torch.optim.SGD(list(model.parameters()) + list(head.parameters()), lr=0.01)
    x = torch.tensor(_data((64, 32, 128)))
    y = torch.tensor(np.random.default_rng(1).integers(0, 10, 32))

    def step():
        opt.zero_grad()
        out, _ = model(x)                                   # (T, B, H)
        loss = torch.nn.functional.cross_entropy(head(out[-1]), y)
        loss.backward()
        opt.step()
    return step


def lstm_cells_step(torch):
    """The composed version: one LSTMCell per layer, stepped in Python (a graph node per op per step)."""
    torch.manual_seed(0)
    cells = [torch.nn.LSTMCell(128, 256), torch.nn.LSTMCell(256, 256)]
    head = torch.nn.Linear(256, 10)
    params = [p for c in cells for p in c.parameters()] + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.01)
    x = torch.tensor(_data((64, 32, 128)))
    y = torch.tensor(np.random.default_rng(1).integers(0, 10, 32))

    def step():
        opt.zero_grad()
        seq = list(x.unbind(0))
        for cell in cells:
            h = c = torch.zeros(32, 256)
            outs = []
            for xt in seq:
                h, c = cell(xt, (h, c))
                outs.append(h)
            seq = outs
        loss = torch.nn.functional.cross_entropy(head(seq[-1]), y)
        loss.backward()
        opt.step()
    return step


def encoder_step(torch):
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(256, 8, dim_feedforward=1024, dropout=0.0, batch_first=True)
    opt = torch.optim.AdamW(layer.parameters(), lr=1e-3)
    x = torch.tensor(_data((32, 64, 256)))

    def step():
        opt.zero_grad()
        loss = layer(x).pow(2).mean()
        loss.backward()
        opt.step()
    return step


def gpt_step(torch):
    import gpt
    cfg = gpt.GPTConfig(vocab_size=96, block_size=64, n_layer=4, n_head=4, n_embd=128, dropout=0.0)
    torch.manual_seed(0)
    model = gpt.GPT(torch, cfg)
    opt = gpt.configure_optimizer(torch, model, weight_decay=0.1, lr=1e-3)
    rng = np.random.default_rng(0)
    data = rng.integers(0, 96, 100000)

    def step():
        xb, yb = gpt.get_batch(torch, data, 32, cfg.block_size, rng)
        gpt.train_step(torch, model, opt, xb, yb, clip=1.0)
    return step


def fused_vs_composed(rounds=3):
    """ember's LSTM training step: the fused layer against the same LSTM stepped through LSTMCells, alternately."""
    import ember
    steps = {"fused": lstm_step(ember), "composed": lstm_cells_step(ember)}
    times = {k: [] for k in steps}
    for s in steps.values():
        s()
    for _ in range(rounds):
        for k, s in steps.items():
            t0 = time.perf_counter()
            s()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def main():
    results = [compare("LSTM 2x256, T=64, B=32: train step", lstm_step, target=1.5),
               compare("TransformerEncoderLayer d=256, (32, 64): train step", encoder_step, target=1.3),
               compare("GPT 4x128, block 64, B=32: train step", gpt_step, target=1.3)]
    print(table(results))
    t = fused_vs_composed()
    print(f"\nember LSTM training step: fused layer {t['fused'] * 1e3:.1f} ms, composed from LSTMCell steps "
          f"{t['composed'] * 1e3:.1f} ms ({t['composed'] / t['fused']:.1f}x slower)")


if __name__ == "__main__":
    main()
