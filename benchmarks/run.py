"""``make bench``: every workload of the benchmark suite, ember vs torch in one run, written to results.md.

Each workload is written once against the torch API (the module is passed in as ``torch``) and timed with
ember and torch alternately (``harness.compare``).  Memory figures come from child processes so that each
measures one library alone.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import compare, machine_line, table  # noqa: E402


# ---- workloads ------------------------------------------------------------------------------------------

def mlp_step(torch, batch):
    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.randn(batch, 784), torch.randint(0, 10, (batch,))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def lenet_step(torch):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84),
                          nn.ReLU(), nn.Linear(84, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return step


def _resnet(torch):
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(c)

        def forward(self, x):
            return torch.relu(self.bn(self.conv(x)) + x)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
            self.blocks = nn.Sequential(*[Block(32) for _ in range(4)])
            self.head = nn.Linear(32, 10)

        def forward(self, x):
            x = self.blocks(self.stem(x))                 # (B, 32, 32, 32)
            return self.head(x.mean(dim=(2, 3)))           # (B, 10)
    return Net()


def resnet_step(torch):
    model = _resnet(torch)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(32, 3, 32, 32), torch.randint(0, 10, (32,))

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return step


def resnet_infer(torch):
    model = _resnet(torch).eval()
    x = torch.randn(1, 3, 32, 32)

    def step():
        with torch.no_grad():
            model(x)
    return step


def transformer_step(torch):
    nn, F = torch.nn, torch.nn.functional
    d, h, ff, T, B = 128, 4, 512, 64, 16

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.ff1, self.ff2 = nn.Linear(d, ff), nn.Linear(ff, d)

        def forward(self, x):
            q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)                    # (B, T, d) each
            q, k, v = (t.view(B, T, h, d // h).transpose(1, 2) for t in (q, k, v))  # (B, h, T, d/h)
            att = F.softmax(q @ k.transpose(-2, -1) * (d // h) ** -0.5, dim=-1)  # (B, h, T, T)
            y = (att @ v).transpose(1, 2).reshape(B, T, d)                       # (B, T, d)
            x = x + self.proj(y)
            return x + self.ff2(F.gelu(self.ff1(self.ln2(x))))

    model = Layer()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randn(B, T, d)

    def step():
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
    return step


def rnn_step(torch):
    nn = torch.nn
    cell_in, cell_h, head = nn.Linear(32, 64), nn.Linear(64, 64), nn.Linear(64, 10)
    params = list(cell_in.parameters()) + list(cell_h.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.01)
    xs = torch.randn(32, 32, 32)        # (T, B, features)
    y = torch.randint(0, 10, (32,))

    def step():
        opt.zero_grad()
        h = torch.zeros(32, 64)
        for t in range(32):
            h = torch.tanh(cell_in(xs[t]) + cell_h(h))
        torch.nn.functional.cross_entropy(head(h), y).backward()
        opt.step()
    return step


def op_chain(torch, grad=True):
    x = torch.ones(16, requires_grad=grad)

    def step():
        with torch.set_grad_enabled(grad):
            y = x
            for _ in range(500):
                y = y * 1.0001
                y = y + 0.001
            if grad:
                y.sum().backward()
    return step


def linear_calls(torch):
    m = torch.nn.Linear(8, 8)
    x = torch.randn(1, 8)

    def step():
        with torch.no_grad():
            for _ in range(10000):
                m(x)
    return step


WORKLOADS = [
    ("MLP 784-512-512-10 step, batch 64", lambda t: mlp_step(t, 64), 0.9),
    ("MLP 784-512-512-10 step, batch 1024", lambda t: mlp_step(t, 1024), 1.15),
    ("LeNet-5 step, batch 64", lenet_step, 1.5),
    ("ResNet-style (4 blocks, 32 ch) step, batch 32", resnet_step, 1.5),
    ("Transformer encoder layer step (d 128, T 64, B 16)", transformer_step, 1.3),
    ("RNN from Linear+tanh, 32 steps, batch 32", rnn_step, 1.0),
    ("ResNet-style inference, batch 1, no_grad", resnet_infer, 1.0),
    ("1,000 chained small ops, fwd+bwd", op_chain, 0.75),
    ("1,000 chained small ops, no_grad", lambda t: op_chain(t, False), None),
    ("10,000 calls of Linear(8, 8), no_grad", linear_calls, 1.0),
]


# ---- import cost and memory (child processes: one library each) -------------------------------------------

_CHILD = r"""
import json, sys, time


def status_mb(key):  # VmRSS / VmHWM of this process (ru_maxrss would include the parent's peak across exec)
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024


lib_name, what = sys.argv[1], sys.argv[2]
t = time.perf_counter()
lib = __import__(lib_name)
import_s = time.perf_counter() - t
out = {"import_s": import_s, "import_mb": status_mb("VmRSS")}
if what != "import":
    sys.path.insert(0, sys.argv[3])
    import run as bench
    if lib_name == "torch":
        lib.set_num_threads(2)
    step = {"mlp1024": lambda: bench.mlp_step(lib, 1024), "resnet": lambda: bench.resnet_step(lib),
            "leak": lambda: bench.mlp_step(lib, 64)}[what]()
    n = 2000 if what == "leak" else 5
    marks = []
    for i in range(n):
        step()
        if what == "leak" and i in (199, 1999):
            marks.append(status_mb("VmRSS"))
    out["peak_mb"] = status_mb("VmHWM")
    out["marks"] = marks
print(json.dumps(out))
"""


def child(lib, what):
    env = {**os.environ, "OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # measure imports as users see them: from compiled .pyc files
    res = subprocess.run([sys.executable, "-c", _CHILD, lib, what, HERE], capture_output=True, text=True, env=env)
    if res.returncode:
        raise RuntimeError(res.stderr)
    return json.loads(res.stdout.strip().splitlines()[-1])


def memory_section():
    lines = ["### Import and memory", "", "| measure | ember | torch | ember/torch |", "|---|---|---|---|"]
    import compileall
    import ember
    compileall.compile_dir(os.path.dirname(ember.__file__), quiet=1)
    imp = {lib: [child(lib, "import") for _ in range(3)] for lib in ("ember", "torch")}
    t_e = min(r["import_s"] for r in imp["ember"])
    t_t = min(r["import_s"] for r in imp["torch"])
    m_e, m_t = imp["ember"][0]["import_mb"], imp["torch"][0]["import_mb"]
    lines.append(f"| `import` time | {t_e:.3f} s | {t_t:.3f} s | {t_e / t_t:.2f} |")
    lines.append(f"| resident memory after import | {m_e:.0f} MB | {m_t:.0f} MB | {m_e / m_t:.2f} |")
    for what, label in (("mlp1024", "peak memory, MLP batch 1024 training"),
                        ("resnet", "peak memory, ResNet-style batch 32 training")):
        e, t = child("ember", what), child("torch", what)
        lines.append(f"| {label} | {e['peak_mb']:.0f} MB | {t['peak_mb']:.0f} MB | {e['peak_mb'] / t['peak_mb']:.2f} |")
    leak = child("ember", "leak")
    grow = leak["marks"][1] - leak["marks"][0]
    lines.append(f"| ember resident memory growth from step 200 to 2,000 (MLP b64) | {grow:.1f} MB | | |")
    return "\n".join(lines)


def main(argv=None):
    only = set(argv or sys.argv[1:])
    results = []
    for name, setup, target in WORKLOADS:
        if only and not any(o.lower() in name.lower() for o in only):
            continue
        print(f"running: {name} ...", flush=True)
        results.append(compare(name, setup, target=target, rounds=5))
    text = table(results, "Workloads (median time per step)")
    missed = [r for r in results if r.get("target") and r["ratio"] > r["target"]]
    if missed:
        text += ("\n\nMissed in this run: " + "; ".join(f"{r['name']} ({r['ratio']:.2f}, target {r['target']})"
                                                        for r in missed)
                 + ". Why, with profiles, and what would close each gap: benchmarks/README.md.")
    print(text)
    mem = memory_section() if not only else ""
    print(mem)
    if not only:
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        with open(os.path.join(HERE, "results.md"), "w") as f:
            f.write(f"# Benchmark results ({stamp})\n\n{text}\n\n{mem}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
