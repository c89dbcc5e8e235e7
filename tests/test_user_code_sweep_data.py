"""Sweep of ordinary ``torch.utils.data`` user code, run as source snippets under ``import torch`` and under
``import ember as torch``: printed output, results, errors and warnings must match.

Each snippet sees ``torch`` (the library under test) and ``np``; it prints and/or sets ``R``.  Snippets avoid
random values (seeded generators differ between the libraries) unless only shapes, lengths or membership are
compared.
"""
import builtins
import contextlib
import importlib
import io
import warnings

import numpy as np
import pytest
import torch

import ember


def _norm(v):
    """A value both libraries' results can be compared as: tensors become (dtype, shape, values, grad)."""
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        a = v.detach()
        a = a.float() if str(a.dtype).endswith("bfloat16") else a
        return ("T", str(v.dtype).replace("ember.", "torch."), tuple(v.shape), np.asarray(a.numpy()).tolist(),
                v.requires_grad)
    if isinstance(v, (list, tuple)):
        return type(v).__name__, [_norm(x) for x in v]
    if isinstance(v, dict):
        return type(v).__name__, {k: _norm(x) for k, x in v.items()}
    if isinstance(v, (torch.dtype, ember.dtype, torch.Size, ember.Size)):
        return str(v).replace("ember.", "torch.")
    if isinstance(v, float):
        return round(v, 6)
    return v


def _importer(lib):
    """``__import__`` for snippets: ``import torch.x`` / ``from torch.x import y`` reach ``lib`` instead."""
    def imp(name, globals=None, locals=None, fromlist=(), level=0):
        if lib is ember and level == 0 and (name == "torch" or name.startswith("torch.")):
            name = "ember" + name[5:]
            importlib.import_module(name)
        return builtins.__import__(name, globals, locals, fromlist, level)
    return imp


def run_snippet(src, lib):
    out = io.StringIO()
    env = {"torch": lib, "np": np, "__name__": "__main__",
           "__builtins__": dict(vars(builtins), __import__=_importer(lib))}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(out):
                exec(src, env)
            res = _norm(env.get("R"))
        except Exception as e:  # noqa: BLE001 - the error is part of what is compared
            res = ("raised", type(e).__name__, str(e).split("\n")[0])
    msgs = [(w.category.__name__, str(w.message).split(" (Triggered internally")[0]) for w in caught]
    return out.getvalue(), res, msgs


def check(src):
    got, want = run_snippet(src, ember), run_snippet(src, torch)
    assert got[0] == want[0], "printed output differs"
    assert got[1] == want[1]
    assert got[2] == want[2], "warnings differ"


SNIPPETS = {
"custom_dataset": """
from torch.utils.data import Dataset, DataLoader
class Sq(Dataset):
    def __init__(self, n): self.x = torch.arange(n, dtype=torch.float32).unsqueeze(1); self.y = self.x ** 2
    def __len__(self): return len(self.x)
    def __getitem__(self, i): return self.x[i], self.y[i]
ds = Sq(10)
dl = DataLoader(ds, batch_size=4)
for i, (xb, yb) in enumerate(dl):
    print(i, xb.shape, yb.dtype, xb.flatten().tolist())
R = len(dl), len(ds), ds[3]
""",
"tensordataset_mismatch": "torch.utils.data.TensorDataset(torch.ones(3), torch.ones(4))",
"tensordataset_basic": """
from torch.utils.data import TensorDataset, DataLoader
X = torch.arange(12.).view(6, 2); y = torch.tensor([0, 1, 0, 1, 1, 0])
ds = TensorDataset(X, y)
print(ds[0]); print(ds[1:3]); print(len(ds), len(ds.tensors))
dl = DataLoader(ds, batch_size=4, drop_last=True)
print(len(dl)); print(list(dl))
R = next(iter(DataLoader(ds, batch_size=3)))
""",
"tensordataset_empty": "torch.utils.data.TensorDataset()",
"len_combos": """
from torch.utils.data import DataLoader
for bs in [1, 3, 4, 10, 11]:
    for dl_ in [False, True]:
        print(bs, dl_, len(DataLoader(range(10), batch_size=bs, drop_last=dl_)))
print(len(DataLoader(range(10), batch_size=None)))
""",
"batch_size_none": """
from torch.utils.data import DataLoader, TensorDataset
ds = TensorDataset(torch.arange(4), torch.arange(4.) * 2)
for b in DataLoader(ds, batch_size=None): print(b)
for b in DataLoader([np.array([1, 2]), np.float64(3.5), 4, (np.int32(1), 'a')], batch_size=None): print(type(b).__name__, b)
""",
"mutual_exclusion": """
from torch.utils.data import DataLoader, SequentialSampler, BatchSampler
ds = range(10)
bs = BatchSampler(SequentialSampler(ds), 3, False)
for kw in [dict(batch_sampler=bs, batch_size=2), dict(batch_sampler=bs, shuffle=True), dict(batch_sampler=bs, drop_last=True),
           dict(batch_sampler=bs, sampler=SequentialSampler(ds)), dict(sampler=SequentialSampler(ds), shuffle=True),
           dict(batch_size=None, drop_last=True), dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
           dict(persistent_workers=True), dict(num_workers=1, prefetch_factor=-1)]:
    try:
        DataLoader(ds, **kw); print('ok', sorted(kw))
    except Exception as e:
        print(sorted(kw), type(e).__name__, str(e))
""",
"batch_sampler_loader": """
from torch.utils.data import DataLoader, SequentialSampler, BatchSampler
bs = BatchSampler(SequentialSampler(range(10)), 3, False)
dl = DataLoader(list(range(100, 110)), batch_sampler=bs)
print(len(dl), dl.batch_size, dl.drop_last, type(dl.sampler).__name__, dl.batch_sampler is bs)
R = list(dl)
""",
"batch_sampler_list": """
from torch.utils.data import DataLoader
dl = DataLoader(list('abcdefg'), batch_sampler=[[0, 2], [1, 3, 5], [6]])
R = list(dl), len(dl)
""",
"collate_dtypes": """
from torch.utils.data import default_collate
for b in [[1, 2, 3], [1.0, 2.5], [True, False], [np.float32(1), np.float32(2)], [np.int16(1), np.int16(2)],
          [np.array(1.5), np.array(2.5)], [np.array([1, 2], dtype=np.uint8), np.array([3, 4], dtype=np.uint8)],
          [torch.tensor(1), torch.tensor(2)], [np.bool_(True), np.bool_(False)], [1.0, 2], [1, 2.0]]:
    r = default_collate(b)
    print(type(r).__name__, r.dtype, r.shape, r.tolist())
""",
"collate_structures": """
from torch.utils.data import default_collate
from collections import namedtuple
P = namedtuple('P', ['x', 'y'])
print(default_collate([(1, 'a'), (2, 'b')]))
print(default_collate([[1, 2], [3, 4]]))
print(default_collate([{'a': 1, 'b': [1.0, 2.0]}, {'a': 2, 'b': [3.0, 4.0]}]))
print(default_collate([P(1, 2.0), P(3, 4.0)]))
print(default_collate(['x', 'y']))
print(default_collate([b'x', b'y']))
print(default_collate([({'k': torch.ones(2)}, [1, (2, 3)]), ({'k': torch.zeros(2)}, [4, (5, 6)])]))
""",
"collate_errors": """
from torch.utils.data import default_collate
for b in [[None, None], [object(), object()], [[1, 2], [1]], [torch.ones(2), torch.ones(3)],
          [np.array(['a']), np.array(['b'])], [{1, 2}, {3}], [torch.ones(2, 2), torch.ones(2, 3)], []]:
    try:
        r = default_collate(b); print('ok', r)
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
"default_convert": """
from torch.utils.data import default_convert
from collections import namedtuple
P = namedtuple('P', 'a b')
for x in [np.array([1, 2]), np.float64(1.5), 3, 2.5, 'str', (np.array([1.]), 2), [np.int32(4)], {'a': np.zeros(2)},
          P(np.ones(1), 'z'), torch.ones(2), np.array(['a', 'b'])]:
    r = default_convert(x)
    print(type(r).__name__, r)
""",
"iterable_dataset_len": """
from torch.utils.data import IterableDataset, DataLoader
class S(IterableDataset):
    def __init__(self, n): self.n = n
    def __iter__(self): return iter(range(self.n))
dl = DataLoader(S(7), batch_size=3)
print(list(dl))
try:
    len(dl)
except Exception as e:
    print(type(e).__name__, e)
dl2 = DataLoader(S(5), batch_size=None); print(list(dl2))
print(list(DataLoader(S(7), batch_size=3, drop_last=True)))
""",
"iterable_dataset_with_len": """
from torch.utils.data import IterableDataset, DataLoader
class S(IterableDataset):
    def __iter__(self): return iter(range(7))
    def __len__(self): return 7
R = len(DataLoader(S(), batch_size=3)), len(DataLoader(S(), batch_size=3, drop_last=True)), len(DataLoader(S(), batch_size=None))
""",
"worker_info_main": """
from torch.utils.data import get_worker_info
R = get_worker_info()
""",
"samplers_basic": """
from torch.utils.data import SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler
print(list(SequentialSampler(range(5))), len(SequentialSampler([1, 2, 3])))
g = torch.Generator().manual_seed(0)
rs = RandomSampler(range(10), generator=g); l = list(rs); print(len(rs), sorted(l))
rs = RandomSampler(range(10), replacement=True, num_samples=25, generator=g); l = list(rs); print(len(rs), len(l), all(0 <= i < 10 for i in l))
rs = RandomSampler(range(4), num_samples=10); l = list(rs); print(len(l), sorted(set(l)))
s = SubsetRandomSampler([3, 5, 7]); print(len(s), sorted(s))
w = WeightedRandomSampler([0.1, 0.0, 0.9], num_samples=20); l = list(w); print(len(w), len(l), 1 in l)
w = WeightedRandomSampler([1., 2., 3.], 3, replacement=False); print(sorted(w))
print(list(BatchSampler(range(10), 3, False))); print(list(BatchSampler(range(10), 3, True)))
print(len(BatchSampler(range(10), 3, False)), len(BatchSampler(range(10), 3, True)))
""",
"sampler_errors": """
from torch.utils.data import RandomSampler, WeightedRandomSampler, BatchSampler
for f in [lambda: RandomSampler(range(3), replacement=1), lambda: RandomSampler(range(3), num_samples=0),
          lambda: RandomSampler([], ), lambda: RandomSampler(range(3), num_samples=2.5),
          lambda: WeightedRandomSampler([1., 2.], 0), lambda: WeightedRandomSampler([1., 2.], 2, replacement=0),
          lambda: WeightedRandomSampler([[1., 2.]], 2), lambda: BatchSampler(range(3), 0, False),
          lambda: BatchSampler(range(3), 2, 1), lambda: BatchSampler(range(3), True, False),
          lambda: list(WeightedRandomSampler([1., 2.], 5, replacement=False))]:
    try:
        f(); print('ok')
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
"subset_concat": """
from torch.utils.data import Subset, ConcatDataset, TensorDataset
a = TensorDataset(torch.arange(5)); b = TensorDataset(torch.arange(10, 13))
c = ConcatDataset([a, b])
print(len(c), c.cumulative_sizes, c[0], c[5], c[-1], c[-8])
s = Subset(c, [0, 6, 7]); print(len(s), s[1], s.indices)
d = a + b; print(type(d).__name__, len(d))
for i in [8, -9, 100]:
    try:
        c[i]
    except Exception as e:
        print(type(e).__name__, e)
""",
"concat_errors": """
from torch.utils.data import ConcatDataset, IterableDataset
class I(IterableDataset):
    def __iter__(self): yield 1
for f in [lambda: ConcatDataset([]), lambda: ConcatDataset([I()]), lambda: ConcatDataset([[1, 2], [3]])[2]]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__, e)
""",
"chain_dataset": """
from torch.utils.data import ChainDataset, IterableDataset, DataLoader
class I(IterableDataset):
    def __init__(self, a, b): self.a, self.b = a, b
    def __iter__(self): return iter(range(self.a, self.b))
    def __len__(self): return self.b - self.a
c = ChainDataset([I(0, 3), I(10, 12)])
print(list(c), len(c))
print(list(DataLoader(c, batch_size=2)))
print(list(I(0, 2) + I(5, 7)))
""",
"stack_dataset": """
from torch.utils.data import StackDataset, TensorDataset, DataLoader
x = torch.arange(6.).view(3, 2); y = torch.tensor([1, 0, 1])
s = StackDataset(x, y); print(len(s), s[1])
d = StackDataset(inp=x, lab=y); print(d[2])
print(list(DataLoader(d, batch_size=2)))
for f in [lambda: StackDataset(), lambda: StackDataset(x, lab=y), lambda: StackDataset(x, torch.ones(2))]:
    try:
        f()
    except Exception as e:
        print(type(e).__name__, e)
""",
"random_split": """
from torch.utils.data import random_split, TensorDataset
ds = TensorDataset(torch.arange(10))
a, b = random_split(ds, [7, 3], generator=torch.Generator().manual_seed(42))
print(len(a), len(b), type(a).__name__, sorted(a.indices + b.indices))
parts = random_split(range(10), [0.5, 0.3, 0.2]); print([len(p) for p in parts])
parts = random_split(range(11), [0.5, 0.5]); print([len(p) for p in parts])
parts = random_split(range(7), [0.33, 0.33, 0.34]); print([len(p) for p in parts])
for lens in [[5, 4], [0.5, 0.6], [1.5, -0.5], [5, 6]]:
    try:
        random_split(range(10), lens)
    except Exception as e:
        print(type(e).__name__, e)
""",
"random_split_zero_warning": """
from torch.utils.data import random_split
parts = random_split(range(3), [0.9, 0.1, 0.0])
R = [len(p) for p in parts]
""",
"workers_map": """
from torch.utils.data import DataLoader, Dataset, get_worker_info
class D(Dataset):
    def __len__(self): return 10
    def __getitem__(self, i):
        info = get_worker_info()
        return torch.tensor([i, info.id if info else -1, info.num_workers if info else 0])
def init(wid):
    info = get_worker_info(); assert info.id == wid
dl = DataLoader(D(), batch_size=3, num_workers=2, worker_init_fn=init)
for epoch in range(2):
    for b in dl: print(epoch, b.tolist())
print(len(dl))
""",
"workers_persistent": """
from torch.utils.data import DataLoader, TensorDataset
ds = TensorDataset(torch.arange(8.), torch.arange(8))
dl = DataLoader(ds, batch_size=2, num_workers=2, persistent_workers=True)
for epoch in range(3):
    print([b[0].tolist() for b in dl])
it1 = iter(dl); print(next(it1)[1])
""",
"workers_iterable_split": """
import math
from torch.utils.data import DataLoader, IterableDataset, get_worker_info
class Rng(IterableDataset):
    def __init__(self, start, end): self.start, self.end = start, end
    def __iter__(self):
        w = get_worker_info()
        if w is None:
            s, e = self.start, self.end
        else:
            per = int(math.ceil((self.end - self.start) / float(w.num_workers)))
            s = self.start + w.id * per; e = min(s + per, self.end)
        return iter(range(s, e))
ds = Rng(3, 7)
print(list(DataLoader(ds, num_workers=0)))
print(list(DataLoader(ds, num_workers=2)))
print(list(DataLoader(Rng(3, 20), num_workers=2, batch_size=3)))
""",
"workers_iterable_duplicate": """
from torch.utils.data import DataLoader, IterableDataset
class Rng(IterableDataset):
    def __iter__(self): return iter(range(3))
print(sorted(x.item() for x in DataLoader(Rng(), num_workers=2)))
""",
"worker_info_fields": """
from torch.utils.data import DataLoader, Dataset, get_worker_info
class D(Dataset):
    def __len__(self): return 4
    def __getitem__(self, i):
        w = get_worker_info()
        return (w.id, w.num_workers, w.dataset is not None, type(w.seed).__name__, repr(w).split('(')[0])
print(list(DataLoader(D(), batch_size=None, num_workers=2)))
""",
"worker_exception": """
from torch.utils.data import DataLoader, Dataset
class D(Dataset):
    def __len__(self): return 4
    def __getitem__(self, i):
        if i == 2: raise ValueError('bad index %d' % i)
        return i
try:
    list(DataLoader(D(), num_workers=2))
except Exception as e:
    print(type(e).__name__, str(e).split(chr(10))[0])
try:
    list(DataLoader(D()))
except Exception as e:
    print(type(e).__name__, str(e).split(chr(10))[0])
""",
"worker_key_error": """
from torch.utils.data import DataLoader
class D(torch.utils.data.Dataset):
    def __len__(self): return 2
    def __getitem__(self, i): return {}['x']
try:
    list(DataLoader(D(), num_workers=1))
except Exception as e:
    print(type(e).__name__, repr(str(e).split(chr(10))[0]))
""",
"distributed_sampler": """
from torch.utils.data import DistributedSampler, DataLoader
ds = list(range(10))
for r in range(3):
    s = DistributedSampler(ds, num_replicas=3, rank=r, shuffle=False)
    print(r, list(s), len(s), s.num_samples, s.total_size)
for r in range(3):
    s = DistributedSampler(ds, num_replicas=3, rank=r, shuffle=False, drop_last=True)
    print(r, list(s), len(s))
s = DistributedSampler(ds, num_replicas=4, rank=1, shuffle=True, seed=3)
e0 = list(s); s.set_epoch(1); e1 = list(s); s.set_epoch(0)
print(e0, e1, list(s) == e0)
dl = DataLoader(ds, batch_size=2, sampler=DistributedSampler(ds, num_replicas=2, rank=0, shuffle=False))
print(list(dl), len(dl))
""",
"distributed_sampler_errors": """
from torch.utils.data import DistributedSampler
for kw in [dict(num_replicas=2, rank=2), dict(num_replicas=2, rank=-1), dict()]:
    try:
        DistributedSampler(range(4), **kw)
    except Exception as e:
        print(type(e).__name__, e)
""",
"pin_memory_cpu": """
from torch.utils.data import DataLoader
dl = DataLoader(torch.arange(4.), batch_size=2, pin_memory=True)
R = list(dl), dl.pin_memory
""",
"timeout_single": """
from torch.utils.data import DataLoader
dl = DataLoader(range(4), timeout=5)
R = dl.timeout
list(dl)
""",
"loader_attrs": """
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler
ds = torch.utils.data.TensorDataset(torch.zeros(6, 2))
dl = DataLoader(ds, batch_size=4, shuffle=True)
print(dl.dataset is ds, dl.batch_size, dl.drop_last, type(dl.sampler).__name__, type(dl.batch_sampler).__name__,
      dl.num_workers, dl.pin_memory, dl.timeout, dl.worker_init_fn, dl.prefetch_factor, dl.persistent_workers,
      dl.collate_fn.__name__, dl.generator, dl.multiprocessing_context, dl.batch_sampler.batch_size)
dl2 = DataLoader(ds, batch_size=None); print(dl2.batch_sampler, dl2.collate_fn.__name__, type(dl2.sampler).__name__)
dl3 = DataLoader(ds, num_workers=2); print(dl3.prefetch_factor)
for name in ['batch_size', 'dataset', 'sampler', 'drop_last']:
    try:
        setattr(dl, name, 3)
    except Exception as e:
        print(type(e).__name__, e)
dl.num_workers = 0; dl.collate_fn = None; print(dl.num_workers)
""",
"iterate_twice": """
from torch.utils.data import DataLoader
dl = DataLoader(list(range(5)), batch_size=2)
a = [b.tolist() for b in dl]; b_ = [b.tolist() for b in dl]
it = iter(dl); first = next(it); second = next(it)
print(a == b_, first, second, len(it))
R = a
""",
"next_iter_exhaust": """
from torch.utils.data import DataLoader
it = iter(DataLoader([1, 2, 3], batch_size=2))
print(next(it), next(it))
try:
    next(it)
except StopIteration as e:
    print('stop', repr(e))
print(type(it).__name__)
""",
"training_loop": """
from torch.utils.data import DataLoader, TensorDataset
X = torch.linspace(-1, 1, 20).unsqueeze(1); y = 3 * X + 1
loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=False)
model = torch.nn.Linear(1, 1)
with torch.no_grad(): model.weight.fill_(0.5); model.bias.fill_(0.)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = torch.nn.MSELoss()
for epoch in range(3):
    total = 0.
    for batch_idx, (xb, yb) in enumerate(loader):
        opt.zero_grad(); loss = loss_fn(model(xb), yb); loss.backward(); opt.step()
        total += loss.item() * xb.size(0)
        if epoch == 0: print(batch_idx, xb.shape, yb.dtype)
    print(epoch, round(total / len(loader.dataset), 5))
R = round(model.weight.item(), 5), round(model.bias.item(), 5)
""",
"collate_fn_custom": """
from torch.utils.data import DataLoader
from torch.nn.utils.rnn import pad_sequence
seqs = [torch.arange(n) for n in [3, 1, 4, 2]]
def collate(batch):
    lengths = torch.tensor([len(s) for s in batch])
    return pad_sequence(batch, batch_first=True, padding_value=-1), lengths
for padded, lens in DataLoader(seqs, batch_size=2, collate_fn=collate): print(padded, lens)
print(list(DataLoader(seqs, batch_size=3, collate_fn=lambda b: b)))
print(list(DataLoader(['a', 'bb', 'ccc'], batch_size=2)))
""",
"dict_dataset": """
from torch.utils.data import DataLoader, Dataset
class D(Dataset):
    def __len__(self): return 5
    def __getitem__(self, i): return {'image': torch.full((2, 2), float(i)), 'label': i % 2, 'name': f'img{i}', 'w': i / 2}
for b in DataLoader(D(), batch_size=2):
    print(b['image'].shape, b['label'], b['name'], b['w'])
""",
"numpy_dataset": """
from torch.utils.data import DataLoader, Dataset
class D(Dataset):
    def __init__(self): self.x = np.arange(12, dtype=np.float32).reshape(6, 2); self.y = np.array([0, 1, 2, 0, 1, 2])
    def __len__(self): return len(self.x)
    def __getitem__(self, i): return self.x[i], self.y[i]
for x, y in DataLoader(D(), batch_size=4): print(x, x.dtype, y, y.dtype)
""",
"sampler_in_loader": """
from torch.utils.data import DataLoader, SubsetRandomSampler, WeightedRandomSampler, RandomSampler
ds = list(range(10))
dl = DataLoader(ds, batch_size=3, sampler=SubsetRandomSampler([1, 3, 5, 7]))
print(len(dl), sorted(sum([b.tolist() for b in dl], [])))
dl = DataLoader(ds, batch_size=4, sampler=WeightedRandomSampler([1.] * 10, 9))
print(len(dl), [len(b) for b in dl])
dl = DataLoader(ds, batch_size=4, sampler=RandomSampler(ds, replacement=True, num_samples=6), drop_last=True)
print(len(dl), [len(b) for b in dl])
dl = DataLoader(ds, sampler=[9, 8, 7], batch_size=2); print(list(dl), len(dl))
""",
"shuffle_generator": """
from torch.utils.data import DataLoader
g = torch.Generator(); g.manual_seed(0)
dl = DataLoader(range(10), batch_size=4, shuffle=True, generator=g)
e1 = sum([b.tolist() for b in dl], []); e2 = sum([b.tolist() for b in dl], [])
print(sorted(e1), sorted(e2), len(dl), dl.generator is g)
g.manual_seed(0); e3 = sum([b.tolist() for b in dl], []); print(e3 == e1)
torch.manual_seed(1); a = sum([b.tolist() for b in DataLoader(range(10), shuffle=True)], [])
torch.manual_seed(1); b = sum([b.tolist() for b in DataLoader(range(10), shuffle=True)], [])
print(a == b)
""",
"import_paths": """
from torch.utils.data.dataloader import default_collate, DataLoader
from torch.utils.data.dataset import Dataset, TensorDataset, Subset, ConcatDataset, random_split
from torch.utils.data.sampler import Sampler, SequentialSampler, RandomSampler, BatchSampler
from torch.utils.data.distributed import DistributedSampler
from torch.utils.data._utils.collate import default_collate as dc2, default_convert, collate, default_collate_fn_map
import torch.utils.data as tud
print(default_collate([1, 2]), dc2([3, 4]), tud.DataLoader is DataLoader)
""",
"collate_fn_map_extend": """
from torch.utils.data._utils.collate import collate, default_collate_fn_map
class Point:
    def __init__(self, x): self.x = x
def collate_point(batch, *, collate_fn_map=None):
    return torch.tensor([p.x for p in batch])
m = {**default_collate_fn_map, Point: collate_point}
print(collate([(Point(1), 2.0), (Point(3), 4.0)], collate_fn_map=m))
""",
"iterate_dataset_directly": """
from torch.utils.data import TensorDataset
ds = TensorDataset(torch.arange(3), torch.arange(3) * 10)
for x, y in ds: print(x, y)
print(list(torch.utils.data.Subset(list('abcde'), [4, 0])))
""",
"loader_over_tensor_and_numpy": """
from torch.utils.data import DataLoader
print(list(DataLoader(torch.arange(7), batch_size=3)))
print(list(DataLoader(np.arange(6).reshape(3, 2), batch_size=2)))
print(list(DataLoader(np.linspace(0, 1, 3), batch_size=2)))
print(list(DataLoader([(1, 2.5, 'a'), (3, 4.5, 'b')], batch_size=2)))
print(list(DataLoader([[1, 2], [3, 4], [5, 6]], batch_size=2)))
print(list(DataLoader(range(3))))
""",
"collate_mixed": """
from torch.utils.data import default_collate
from collections import OrderedDict, defaultdict
for b in [[torch.tensor([1, 2]), torch.tensor([1., 2.])], [torch.tensor(1), 2], [1, torch.tensor(2)],
          [np.array([1, 2]), np.array([1, 2, 3])], [np.array(['a']), np.array(['b'])],
          [torch.ones(2, requires_grad=True), torch.zeros(2)], [(1,), (2, 3)],
          [OrderedDict(b=1, a=2), OrderedDict(b=3, a=4)], [np.array([1., 2.]), np.array([3, 4])]]:
    try:
        r = default_collate(b); print(type(r).__name__, r)
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
d = defaultdict(list); d['x'] = 1
print(default_collate([d, d]))
""",
"custom_sampler": """
from torch.utils.data import Sampler, DataLoader
class Evens(Sampler):
    def __init__(self, n): self.n = n
    def __iter__(self): return iter(range(0, self.n, 2))
    def __len__(self): return (self.n + 1) // 2
dl = DataLoader(list(range(100, 110)), sampler=Evens(10), batch_size=2)
print(len(dl), list(dl))
class NoLen(Sampler):
    def __iter__(self): return iter([0, 1, 2])
dl = DataLoader(list(range(3)), sampler=NoLen(), batch_size=2)
print(list(dl))
try:
    len(dl)
except Exception as e:
    print(type(e).__name__, e)
""",
"custom_batch_sampler": """
from torch.utils.data import Sampler, DataLoader
class Buckets(Sampler):
    def __init__(self, lengths, bs): self.lengths, self.bs = lengths, bs
    def __iter__(self):
        order = sorted(range(len(self.lengths)), key=lambda i: self.lengths[i])
        for i in range(0, len(order), self.bs): yield order[i:i + self.bs]
    def __len__(self): return (len(self.lengths) + self.bs - 1) // self.bs
lens = [5, 2, 8, 1, 3]
data = [torch.ones(n) for n in lens]
dl = DataLoader(data, batch_sampler=Buckets(lens, 2), collate_fn=lambda b: [len(x) for x in b])
print(len(dl), list(dl))
""",
"dataset_no_len": """
from torch.utils.data import Dataset, DataLoader
class D(Dataset):
    def __getitem__(self, i): return i
try:
    DataLoader(D())
    print('made')
    len(DataLoader(D()))
except Exception as e:
    print(type(e).__name__, e)
try:
    len(D())
except Exception as e:
    print(type(e).__name__, e)
try:
    list(DataLoader(D()))
except Exception as e:
    print(type(e).__name__, e)
""",
"dataset_base_errors": """
from torch.utils.data import Dataset, IterableDataset
for f in [lambda: Dataset()[0], lambda: iter(IterableDataset()), lambda: list(IterableDataset())]:
    try:
        f()
    except Exception as e:
        print(type(e).__name__, repr(str(e)))
""",
"getitems_dataset": """
from torch.utils.data import Dataset, DataLoader
class D(Dataset):
    def __len__(self): return 5
    def __getitem__(self, i): raise RuntimeError('not used')
    def __getitems__(self, idx): return [torch.tensor(i * 2) for i in idx]
print(list(DataLoader(D(), batch_size=2)))
""",
"iterable_overrun_warning": """
from torch.utils.data import IterableDataset, DataLoader
class S(IterableDataset):
    def __iter__(self): return iter(range(5))
    def __len__(self): return 3
    def __repr__(self): return 'S()'
dl = DataLoader(S(), batch_size=None)
print(len(dl))
R = list(dl), len(DataLoader(S(), batch_size=2)), [b.tolist() for b in DataLoader(S(), batch_size=2)]
""",
"iterable_errors": """
from torch.utils.data import IterableDataset, DataLoader, SequentialSampler
class S(IterableDataset):
    def __iter__(self): return iter(range(5))
for kw in [dict(shuffle=True), dict(sampler=[0, 1]), dict(batch_sampler=[[0]]), dict(shuffle=False)]:
    try:
        DataLoader(S(), **kw); print('ok', kw)
    except Exception as e:
        print(type(e).__name__, e)
""",
"subset_features": """
from torch.utils.data import Subset, TensorDataset, random_split
ds = TensorDataset(torch.arange(10.))
s = Subset(ds, range(2, 8)); print(len(s), s[0], s[-1], s.dataset is ds)
ss = Subset(s, [0, 1]); print(ss[1])
s2 = Subset(ds, torch.tensor([1, 3])); print(s2[0], s2[1])
tr, va = random_split(ds, [8, 2], generator=torch.Generator().manual_seed(0))
print(type(tr.indices).__name__, tr.dataset is ds, len(tr + va))
""",
"weighted_sampler_attrs": """
from torch.utils.data import WeightedRandomSampler, RandomSampler
w = WeightedRandomSampler(torch.tensor([1, 2, 3]), 4)
print(w.weights, w.num_samples, w.replacement)
w = WeightedRandomSampler([0.5, 0.5], 3); print(w.weights)
r = RandomSampler(range(5)); print(r.num_samples, r.replacement, r.generator)
class_counts = [8, 2]; labels = [0] * 8 + [1] * 2
weights = [1.0 / class_counts[l] for l in labels]
s = WeightedRandomSampler(weights, num_samples=len(weights), replacement=True)
print(len(s), len(list(s)))
""",
"collate_namedtuple_loader": """
from collections import namedtuple
from torch.utils.data import DataLoader
Sample = namedtuple('Sample', ['x', 'y'])
data = [Sample(torch.tensor([float(i)]), i) for i in range(5)]
for b in DataLoader(data, batch_size=2): print(type(b).__name__, b.x.shape, b.y)
""",
"loader_in_order_false": """
from torch.utils.data import DataLoader
dl = DataLoader(range(10), batch_size=2, num_workers=2, in_order=False)
print(sorted(sum([b.tolist() for b in dl], [])))
""",
"worker_seed_numpy": """
from torch.utils.data import DataLoader, Dataset
def init(worker_id):
    seed = torch.initial_seed()
    np.random.seed(seed % 2 ** 32)
class D(Dataset):
    def __len__(self): return 4
    def __getitem__(self, i): return np.random.rand() < 2, type(torch.initial_seed()).__name__
print(list(DataLoader(D(), batch_size=2, num_workers=2, worker_init_fn=init)))
""",
"prefetch_and_timeout_workers": """
from torch.utils.data import DataLoader
dl = DataLoader(range(6), batch_size=2, num_workers=2, prefetch_factor=4, timeout=10)
print(dl.prefetch_factor, dl.timeout, [b.tolist() for b in dl])
""",
"generator_with_workers": """
from torch.utils.data import DataLoader
g = torch.Generator().manual_seed(0)
dl = DataLoader(range(8), batch_size=4, shuffle=True, num_workers=2, generator=g)
print(sorted(sum([b.tolist() for b in dl], [])), len(dl))
""",
"loader_arg_errors": """
from torch.utils.data import DataLoader
for kw in [dict(batch_size=0), dict(batch_size=-1), dict(batch_size=2.0), dict(drop_last=1), dict(batch_size='2'),
           dict(multiprocessing_context='fork'), dict(num_workers=1, multiprocessing_context='nope'),
           dict(num_workers=1, multiprocessing_context=3), dict(shuffle='yes')]:
    try:
        dl = DataLoader(range(5), **kw); print('ok', sorted(kw), len(dl))
    except Exception as e:
        print(sorted(kw), type(e).__name__, str(e).split(chr(10))[0])
""",
"too_many_workers_warning": """
import os
from torch.utils.data import DataLoader
n = len(os.sched_getaffinity(0)) + 2
dl = DataLoader(range(4), batch_size=2, num_workers=n)
R = [b.tolist() for b in dl]
""",
"tensordataset_index_errors": """
from torch.utils.data import TensorDataset
ds = TensorDataset(torch.arange(6).view(3, 2), torch.arange(3))
for i in [3, -4, 1.5]:
    try:
        ds[i]
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
print(ds[-1], ds[torch.tensor([0, 2])], ds[[True, False, True]])
""",
"collate_more_types": """
from torch.utils.data import default_collate
for b in [[np.str_('a'), np.str_('b')], [1 + 2j, 3j], [torch.tensor(1.5, dtype=torch.bfloat16)] * 2,
          [torch.ones(2, dtype=torch.float16), torch.zeros(2, dtype=torch.float16)],
          [np.array([1, 2], dtype=np.int32)] * 2, [np.array(True), np.array(False)], [np.uint16(1), np.uint16(2)],
          [np.array([1.5], dtype=np.float16)] * 2, [np.array([], dtype=np.float32)] * 3, [torch.tensor([[1, 2]])] * 2,
          [torch.tensor(3j)] * 2, [(1, 'a', [2.0]), (2, 'b', [3.0])]]:
    try:
        r = default_collate(b); print(type(r).__name__, r)
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
"custom_sampler_super_init": """
from torch.utils.data import Sampler, DataLoader
class Rev(Sampler):
    def __init__(self, data_source):
        super().__init__(data_source)
        self.data_source = data_source
    def __iter__(self): return iter(range(len(self.data_source) - 1, -1, -1))
    def __len__(self): return len(self.data_source)
ds = list('abcd')
R = list(DataLoader(ds, sampler=Rev(ds), batch_size=3))
""",
"custom_sampler_no_super_arg": """
from torch.utils.data import Sampler
class S(Sampler):
    def __init__(self):
        super().__init__()
    def __iter__(self): yield 1
R = list(S())
""",
"subset_random_sampler_types": """
from torch.utils.data import SubsetRandomSampler, DataLoader
s = SubsetRandomSampler([4, 2], generator=torch.Generator().manual_seed(0))
print(sorted(type(i).__name__ for i in s))
s = SubsetRandomSampler(torch.tensor([4, 2]))
print(sorted(type(i).__name__ for i in s), sorted(int(i) for i in s))
s = SubsetRandomSampler(range(3, 6)); print(sorted(s), s.indices)
print(sorted(sum([b.tolist() for b in DataLoader(list(range(10)), sampler=SubsetRandomSampler(np.array([1, 5])))], [])))
""",
"random_split_fractions_more": """
from torch.utils.data import random_split
for fr in [[0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.6, 0.2, 0.2], [0.9, 0.1], [1.0], [0.25] * 4, [1/3] * 3]:
    for n in [7, 10, 101]:
        print(fr[:2], n, [len(p) for p in random_split(range(n), fr)])
""",
"random_split_tensor_indices_dataset": """
from torch.utils.data import random_split, DataLoader, TensorDataset
X = torch.arange(20.).view(10, 2); y = torch.arange(10)
train, val = random_split(TensorDataset(X, y), [0.8, 0.2], generator=torch.Generator().manual_seed(1))
tl = DataLoader(train, batch_size=3, shuffle=True); vl = DataLoader(val, batch_size=3)
print(len(train), len(val), len(tl), len(vl))
for xb, yb in vl: print(xb.shape, yb.shape, xb.dtype, yb.dtype)
xs = torch.cat([xb for xb, _ in tl]); print(xs.shape, sorted(xs[:, 0].tolist()) == sorted(X[train.indices, 0].tolist()))
""",
"worker_info_setattr": """
from torch.utils.data import DataLoader, Dataset, get_worker_info
class D(Dataset):
    def __len__(self): return 1
    def __getitem__(self, i):
        w = get_worker_info()
        try:
            w.id = 5
        except Exception as e:
            return type(e).__name__ + ': ' + str(e)
        return 'no error'
print(list(DataLoader(D(), num_workers=1)))
""",
"break_and_reiterate_workers": """
from torch.utils.data import DataLoader
dl = DataLoader(range(20), batch_size=2, num_workers=2)
for i, b in enumerate(dl):
    if i == 2: break
print(b)
print([b.tolist() for b in dl][:3])
pl = DataLoader(range(20), batch_size=2, num_workers=2, persistent_workers=True)
for i, b in enumerate(pl):
    if i == 1: break
print([b.tolist() for b in pl][-2:])
""",
"zip_and_enumerate_start": """
from torch.utils.data import DataLoader
a = DataLoader(range(5), batch_size=2); b = DataLoader(list('vwxyz'), batch_size=2)
for i, (x, y) in enumerate(zip(a, b), 1): print(i, x, y)
import itertools
print([t.tolist() for t in itertools.islice(itertools.cycle(a), 5)])
""",
"explicit_default_collate": """
from torch.utils.data import DataLoader, default_collate
dl = DataLoader([(torch.ones(2) * i, i) for i in range(4)], batch_size=2, collate_fn=default_collate)
print(list(dl))
def coll(batch):
    x, y = default_collate(batch)
    return x.float(), y.float()
print(next(iter(DataLoader([(i, i) for i in range(4)], batch_size=4, collate_fn=coll))))
""",
"worker_init_not_called_main": """
from torch.utils.data import DataLoader
calls = []
dl = DataLoader(range(3), worker_init_fn=lambda w: calls.append(w))
R = [x.item() for x in dl], calls
""",
"chain_errors": """
from torch.utils.data import ChainDataset, IterableDataset
class I(IterableDataset):
    def __iter__(self): yield 1
for f in [lambda: list(ChainDataset([I(), [1, 2]])), lambda: len(ChainDataset([I()])), lambda: len(ChainDataset([[1]]))]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__, e)
""",
"iterable_subclass_missing_iter": """
from torch.utils.data import IterableDataset
class Bad(IterableDataset):
    def __len__(self): return 3
try:
    Bad()
except TypeError as e:
    print(e)
import collections.abc
class Good(IterableDataset):
    def __iter__(self): yield from range(2)
print(isinstance(Good(), collections.abc.Iterable), list(Good()))
""",
"dataset_add": """
from torch.utils.data import TensorDataset, Subset
a = TensorDataset(torch.arange(3)); b = Subset(TensorDataset(torch.arange(10, 15)), [0, 4])
c = a + b + a
print(type(c).__name__, len(c), c.cumulative_sizes, [c[i][0].item() for i in range(len(c))], len(c.datasets))
""",
"loader_sampler_attrs_list": """
from torch.utils.data import DataLoader
dl = DataLoader(list(range(7)), batch_size=3, drop_last=True)
print(list(dl.sampler), list(dl.batch_sampler), dl.batch_sampler.drop_last, dl.batch_sampler.sampler is dl.sampler)
print(dl.sampler.data_source)
dl2 = DataLoader(list(range(7)), batch_size=None, shuffle=False)
print(list(dl2.sampler), dl2.batch_sampler, len(dl2))
""",
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_data_user_code(name):
    check(SNIPPETS[name])
