"""A character-level GPT (nanoGPT-style) trained on the Python standard library's own source code, then sampled.

    python examples/gpt.py                 # a few minutes on 2 cores with ember
    python examples/gpt.py --torch         # the same program on real PyTorch
    python examples/gpt.py --compare       # ember and torch from the same weights and batches: first 20 losses

The model: token and position embeddings, ``n_layer`` pre-norm blocks (causal self-attention through
``F.scaled_dot_product_attention``, a GELU MLP), a final LayerNorm and an output head tied to the token
embedding.  Training: AdamW with weight decay on the matrices only, linear warmup then cosine decay, gradient
clipping.  Batches are drawn with NumPy's RNG, so ember and torch see the same data.
"""
from __future__ import annotations

import argparse
import math
import os
import time
from dataclasses import dataclass

import numpy as np

# text every machine has: modules of the standard library (stable across Python 3 versions)
_STDLIB_FILES = ["textwrap.py", "argparse.py", "collections/__init__.py", "functools.py", "heapq.py",
                 "bisect.py", "fractions.py", "shlex.py", "string.py", "contextlib.py", "dataclasses.py", "enum.py",
                 "glob.py", "fnmatch.py", "calendar.py", "difflib.py", "pprint.py", "random.py", "statistics.py"]
_VOCAB = "\n" + "".join(chr(c) for c in range(32, 127))            # 96 symbols; anything else reads as '?'


def import_library(use_torch):
    if use_torch:
        import torch
    else:
        import ember as torch
    return torch


@dataclass
class GPTConfig:
    vocab_size: int = len(_VOCAB)
    block_size: int = 64
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.1
    bias: bool = True


# ----------------------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------------------

def load_text(max_chars=None):
    """The concatenated source of ``_STDLIB_FILES`` (those present), as one string."""
    root = os.path.dirname(os.__file__)
    parts = []
    for name in _STDLIB_FILES:
        path = os.path.join(root, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                parts.append(f.read())
    text = "\n".join(parts)
    return text if max_chars is None else text[:max_chars]


def encode(text):
    lookup = np.full(0x110000 if max(map(ord, text), default=0) > 255 else 256, _VOCAB.index("?"), np.int64)
    for i, ch in enumerate(_VOCAB):
        lookup[ord(ch)] = i
    return lookup[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]


def decode(ids):
    return "".join(_VOCAB[int(i)] for i in ids)


def get_batch(torch, data, batch_size, block_size, rng):
    """(x, y): ``batch_size`` windows of ``block_size`` tokens from ``data`` and the same shifted by one."""
    ix = rng.integers(0, len(data) - block_size - 1, batch_size)
    x = np.stack([data[i:i + block_size] for i in ix])                 # (B, T)
    y = np.stack([data[i + 1:i + 1 + block_size] for i in ix])         # (B, T)
    return torch.from_numpy(x.astype(np.int64)), torch.from_numpy(y.astype(np.int64))


# ----------------------------------------------------------------------------------------------------------
# the model, built from whichever library is passed
# ----------------------------------------------------------------------------------------------------------

_CLASSES = {}


def GPT(torch, config):
    """A GPT model in ``torch`` (ember or real torch)."""
    if torch.__name__ not in _CLASSES:
        _CLASSES[torch.__name__] = _define(torch)
    return _CLASSES[torch.__name__](config)


def _define(torch):
    nn = torch.nn
    F = torch.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
            self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
            self.resid_dropout = nn.Dropout(config.dropout)
            self.n_head, self.n_embd, self.dropout = config.n_head, config.n_embd, config.dropout

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.c_attn(x).split(self.n_embd, dim=2)                     # 3 x (B, T, C)
            q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)        # (B, nh, T, hs)
            k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0,
                                               is_causal=True)                     # (B, nh, T, hs)
            y = y.transpose(1, 2).contiguous().view(B, T, C)                       # (B, T, C)
            return self.resid_dropout(self.c_proj(y))

    class MLP(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
            self.dropout = nn.Dropout(config.dropout)

        def forward(self, x):
            return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))             # (B, T, C)

    class Block(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
            self.attn = CausalSelfAttention(config)
            self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
            self.mlp = MLP(config)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPTModel(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.config = config
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(config.vocab_size, config.n_embd),
                wpe=nn.Embedding(config.block_size, config.n_embd),
                drop=nn.Dropout(config.dropout),
                h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
                ln_f=nn.LayerNorm(config.n_embd, bias=config.bias),
            ))
            self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
            self.transformer.wte.weight = self.lm_head.weight                      # weight tying
            self.apply(self._init_weights)
            for name, p in self.named_parameters():                                # GPT-2's scaled residual init
                if name.endswith("c_proj.weight"):
                    torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

        @staticmethod
        def _init_weights(module):
            if isinstance(module, nn.Linear):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    torch.nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets=None):
            B, T = idx.shape
            pos = torch.arange(0, T, dtype=torch.long)                             # (T,)
            x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))   # (B, T, C)
            for block in self.transformer.h:
                x = block(x)
            logits = self.lm_head(self.transformer.ln_f(x))                        # (B, T, vocab)
            if targets is None:
                return logits, None
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
            return logits, loss

        @torch.no_grad()
        def generate(self, idx, max_new_tokens, rng, temperature=0.8, top_k=20):
            """Extend ``idx`` (B, T) by sampling; the draws use NumPy's ``rng`` (the same in both libraries)."""
            for _ in range(max_new_tokens):
                ctx = idx[:, -self.config.block_size:]
                logits, _ = self(ctx)
                logits = logits[:, -1, :] / temperature                           # (B, vocab)
                if top_k is not None:
                    kth = torch.topk(logits, min(top_k, logits.size(-1))).values[:, [-1]]
                    logits = logits.masked_fill(logits < kth, float("-inf"))
                probs = F.softmax(logits, dim=-1).double().numpy()
                nxt = [rng.choice(len(p), p=p / p.sum()) for p in probs]
                idx = torch.cat([idx, torch.tensor(nxt, dtype=torch.long).view(-1, 1)], dim=1)
            return idx

    return GPTModel


# ----------------------------------------------------------------------------------------------------------
# training
# ----------------------------------------------------------------------------------------------------------

def configure_optimizer(torch, model, weight_decay, lr, betas=(0.9, 0.95)):
    """AdamW with weight decay on matrices and embeddings (dim >= 2) only."""
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=betas)


def lr_at(step, max_lr, warmup, max_steps, min_lr_ratio=0.1):
    """Linear warmup to ``max_lr`` over ``warmup`` steps, then cosine decay to ``min_lr_ratio * max_lr``."""
    if step < warmup:
        return max_lr * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, max_steps - warmup))
    return max_lr * (min_lr_ratio + (1 - min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def train_step(torch, model, optimizer, x, y, clip=1.0, lr=None):
    """One optimizer step; returns the loss as a float."""
    if lr is not None:
        for group in optimizer.param_groups:
            group["lr"] = lr
    _, loss = model(x, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    return loss.item()


def train(torch, model, data, steps, batch_size, lr=1e-3, warmup=50, seed=0, log_every=0, weight_decay=0.1):
    """Train for ``steps`` steps on batches from NumPy's RNG seeded with ``seed``; returns the losses."""
    rng = np.random.default_rng(seed)
    optimizer = configure_optimizer(torch, model, weight_decay, lr)
    model.train()
    losses = []
    t0 = time.perf_counter()
    for step in range(steps):
        x, y = get_batch(torch, data, batch_size, model.config.block_size, rng)
        losses.append(train_step(torch, model, optimizer, x, y, lr=lr_at(step, lr, warmup, steps)))
        if log_every and (step % log_every == 0 or step == steps - 1):
            print(f"step {step:5d}  loss {losses[-1]:.4f}  ({time.perf_counter() - t0:.1f} s)", flush=True)
    return losses


def compare(steps=20, config=None, batch_size=16, seed=0, max_chars=200_000):
    """Train ember and torch from the same initial weights on the same batches (dropout 0); both loss lists."""
    import torch as real_torch

    import ember
    config = config or GPTConfig(block_size=32, n_layer=2, n_head=2, n_embd=64, dropout=0.0)
    data = encode(load_text(max_chars))
    real_torch.manual_seed(seed)
    model_t = GPT(real_torch, config)
    model_e = GPT(ember, config)
    state = {k: ember.tensor(v.detach().numpy()) for k, v in model_t.state_dict().items()}
    model_e.load_state_dict(state, strict=True)
    losses_t = train(real_torch, model_t, data, steps, batch_size, warmup=5, seed=seed)
    losses_e = train(ember, model_e, data, steps, batch_size, warmup=5, seed=seed)
    return losses_e, losses_t


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--torch", action="store_true", help="run on real PyTorch instead of ember")
    p.add_argument("--compare", action="store_true", help="ember vs torch from the same weights: first losses")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--n-layer", type=int, default=4)
    p.add_argument("--n-embd", type=int, default=128)
    p.add_argument("--n-head", type=int, default=4)
    p.add_argument("--block-size", type=int, default=64)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--sample-chars", type=int, default=400)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.compare:
        losses_e, losses_t = compare()
        for i, (a, b) in enumerate(zip(losses_e, losses_t)):
            print(f"step {i:2d}  ember {a:.6f}  torch {b:.6f}  diff {abs(a - b):.2e}")
        return {"ember": losses_e, "torch": losses_t}
    torch = import_library(args.torch)
    torch.manual_seed(args.seed)
    data = encode(load_text())
    n_val = len(data) // 10
    train_data, val_data = data[:-n_val], data[-n_val:]
    config = GPTConfig(block_size=args.block_size, n_layer=args.n_layer, n_head=args.n_head, n_embd=args.n_embd,
                       dropout=args.dropout)
    model = GPT(torch, config)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{torch.__name__}: {n_params / 1e6:.2f}M parameters, {len(train_data):,} training characters")
    losses = train(torch, model, train_data, args.steps, args.batch_size, lr=args.lr,
                   warmup=max(1, args.steps // 20), seed=args.seed, log_every=max(1, args.steps // 15))
    model.eval()
    rng = np.random.default_rng(args.seed + 1)
    with torch.no_grad():
        val = [model(*get_batch(torch, val_data, args.batch_size, config.block_size, rng))[1].item()
               for _ in range(10)]
    print(f"validation loss {np.mean(val):.4f}")
    prompt = torch.tensor(encode("def ")[None, :], dtype=torch.long)
    out = model.generate(prompt, args.sample_chars, rng)
    text = decode(out[0].tolist())
    print("-" * 60 + "\n" + text + "\n" + "-" * 60)
    return {"losses": losses, "val_loss": float(np.mean(val)), "sample": text}


if __name__ == "__main__":
    main()
