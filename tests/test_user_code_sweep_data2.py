"""More ordinary ``torch.utils.data`` user code (workers, pipelines from tutorials, extension points), run under
``import torch`` and under ``import ember as torch``; the harness is test_user_code_sweep_data's."""
import pytest

from test_user_code_sweep_data import check

SNIPPETS = {
"worker_info_repr": """
import re
from torch.utils.data import DataLoader, Dataset, get_worker_info
class D(Dataset):
    def __len__(self): return 2
    def __getitem__(self, i):
        w = get_worker_info()
        return re.sub(r'seed=\\d+', 'seed=S', re.sub(r' at 0x[0-9a-f]+', '', repr(w))), torch.initial_seed() == w.seed, w.dataset is self
print(list(DataLoader(D(), batch_size=None, num_workers=2)))
""",
"worker_init_fn_error": """
from torch.utils.data import DataLoader
def init(wid):
    raise RuntimeError('init failed in %d' % wid)
try:
    list(DataLoader(range(4), num_workers=1, worker_init_fn=init))
except Exception as e:
    print(type(e).__name__, str(e).split(chr(10))[0])
""",
"worker_timeout": """
import time
from torch.utils.data import DataLoader, Dataset
class Slow(Dataset):
    def __len__(self): return 2
    def __getitem__(self, i):
        time.sleep(3); return i
try:
    list(DataLoader(Slow(), num_workers=1, timeout=0.5))
except Exception as e:
    print(type(e).__name__, str(e).split(chr(10))[0])
""",
"workers_iterable_overrun_warning": """
from torch.utils.data import DataLoader, IterableDataset
class S(IterableDataset):
    def __iter__(self): return iter(range(3))
    def __len__(self): return 3
    def __repr__(self): return 'S()'
dl = DataLoader(S(), batch_size=None, num_workers=2)
print(len(dl))
R = list(dl)
""",
"workers_strings_dicts": """
from torch.utils.data import DataLoader
data = [{'text': 'w%d' % i, 'ids': list(range(i, i + 2)), 'np': np.arange(2) + i} for i in range(5)]
for b in DataLoader(data, batch_size=2, num_workers=2): print(b)
""",
"batch_sampler_generator_no_len": """
from torch.utils.data import BatchSampler
bs = BatchSampler((i for i in range(5)), 2, False)
print(list(bs))
try:
    len(bs)
except Exception as e:
    print(type(e).__name__, e)
try:
    BatchSampler(range(4), np.int64(2), False)
except Exception as e:
    print(type(e).__name__, e)
""",
"numpy_int_batch_size": """
from torch.utils.data import DataLoader
for bs in [np.int64(2), 2.0, True]:
    try:
        print(len(DataLoader(range(4), batch_size=bs)))
    except Exception as e:
        print(type(e).__name__, e)
""",
"image_like_pipeline": """
from torch.utils.data import Dataset, DataLoader
class Images(Dataset):
    def __init__(self, n, transform=None):
        self.n, self.transform = n, transform
    def __len__(self): return self.n
    def __getitem__(self, idx):
        if torch.is_tensor(idx): idx = idx.tolist()
        img = np.full((4, 4, 3), idx, dtype=np.uint8)
        sample = {'image': img, 'landmarks': np.array([[idx, idx + 1.5]])}
        if self.transform: sample = self.transform(sample)
        return sample
class ToTensor:
    def __call__(self, sample):
        image, landmarks = sample['image'], sample['landmarks']
        return {'image': torch.from_numpy(image.transpose((2, 0, 1))).float() / 255, 'landmarks': torch.from_numpy(landmarks)}
ds = Images(5, transform=ToTensor())
for i_batch, sb in enumerate(DataLoader(ds, batch_size=2, shuffle=False, num_workers=0)):
    print(i_batch, sb['image'].size(), sb['landmarks'].size(), sb['landmarks'].dtype, sb['image'].dtype)
raw = Images(2)
print(DataLoader(raw, batch_size=2).__iter__().__next__()['image'].dtype)
""",
"text_classification_pipeline": """
from torch.utils.data import DataLoader
from torch.nn.utils.rnn import pad_sequence
data = [(1, 'a b c'), (0, 'd e'), (1, 'f'), (0, 'g h i j')]
vocab = {w: i + 1 for i, w in enumerate('abcdefghij')}
def collate_batch(batch):
    labels, texts, offsets = [], [], [0]
    for lab, txt in batch:
        labels.append(lab)
        t = torch.tensor([vocab[w] for w in txt.split()], dtype=torch.int64)
        texts.append(t); offsets.append(t.size(0))
    return torch.tensor(labels, dtype=torch.int64), torch.cat(texts), torch.tensor(offsets[:-1]).cumsum(dim=0)
for lab, txt, off in DataLoader(data, batch_size=2, shuffle=False, collate_fn=collate_batch): print(lab, txt, off)
bag = torch.nn.EmbeddingBag(11, 2, mode='mean')
with torch.no_grad(): bag.weight.copy_(torch.arange(22.).view(11, 2))
print(bag(txt, off).detach())
""",
"sequence_padding_collate": """
from torch.utils.data import DataLoader, Dataset
from torch.nn.utils.rnn import pad_sequence, pack_padded_sequence
class Seqs(Dataset):
    def __init__(self): self.s = [torch.arange(1., n + 1) for n in [3, 5, 2, 4]]
    def __len__(self): return len(self.s)
    def __getitem__(self, i): return self.s[i], len(self.s[i])
def pad_collate(batch):
    xs, lens = zip(*batch)
    return pad_sequence(xs, batch_first=True), torch.tensor(lens)
for x, l in DataLoader(Seqs(), batch_size=2, collate_fn=pad_collate):
    p = pack_padded_sequence(x.unsqueeze(-1), l, batch_first=True, enforce_sorted=False)
    print(x, l, p.batch_sizes)
""",
"kfold_subsets": """
from torch.utils.data import TensorDataset, Subset, DataLoader, SubsetRandomSampler
ds = TensorDataset(torch.arange(10.), torch.arange(10) % 2)
k = 5; fold = len(ds) // k
for f in range(k):
    val_idx = list(range(f * fold, (f + 1) * fold)); tr_idx = [i for i in range(len(ds)) if i not in val_idx]
    tl = DataLoader(Subset(ds, tr_idx), batch_size=4); vl = DataLoader(ds, batch_size=4, sampler=SubsetRandomSampler(val_idx))
    print(f, len(tl), len(vl), [b[0].tolist() for b in tl][-1], sorted(sum([b[0].tolist() for b in vl], [])))
""",
"dataset_len_via_loader_dataset": """
from torch.utils.data import DataLoader, TensorDataset
ds = TensorDataset(torch.arange(10.).view(5, 2), torch.arange(5))
dl = DataLoader(ds, batch_size=2)
correct = 0
for x, y in dl:
    correct += (x.sum(1).long() % 2 == y % 2).sum().item()
print(correct, len(dl.dataset), 100. * correct / len(dl.dataset), f'{correct / len(dl.dataset):.2%}')
""",
"stack_dataset_getitems": """
from torch.utils.data import StackDataset, Dataset, DataLoader
class G(Dataset):
    def __len__(self): return 3
    def __getitem__(self, i): return i
    def __getitems__(self, idx): return [i * 10 for i in idx]
class Bad(G):
    def __getitems__(self, idx): return [0]
print(list(DataLoader(StackDataset(G(), list('abc')), batch_size=2)))
try:
    list(DataLoader(StackDataset(a=Bad(), b=list('abc')), batch_size=2))
except Exception as e:
    print(type(e).__name__, e)
""",
"subset_getitem_override": """
from torch.utils.data import Subset
class MySub(Subset):
    def __getitem__(self, i): return self.dataset[self.indices[i]] * 2
try:
    s = MySub(list(range(5)), [1, 2]); print(s[0])
except Exception as e:
    print(type(e).__name__, str(e).split(chr(10))[0])
""",
"concat_mixed_types": """
from torch.utils.data import ConcatDataset, DataLoader
c = ConcatDataset([[1, 2, 3], (4.0, 5.0), range(6, 8)])
print(len(c), c.cumulative_sizes, [c[i] for i in range(len(c))])
print(list(DataLoader(c, batch_size=3)))
R = c.cummulative_sizes
""",
"tensordataset_non_tensors": """
from torch.utils.data import TensorDataset
for args in [([1, 2, 3], [4, 5, 6]), (np.arange(3), np.arange(3)), (torch.arange(3), [1, 2, 3])]:
    try:
        ds = TensorDataset(*args); print(len(ds), ds[0])
    except Exception as e:
        print(type(e).__name__, e)
""",
"empty_datasets": """
from torch.utils.data import DataLoader, TensorDataset
dl = DataLoader([], batch_size=2); print(len(dl), list(dl))
dl = DataLoader(TensorDataset(torch.zeros(0, 3)), batch_size=2); print(len(dl), list(dl))
dl = DataLoader(range(3), batch_size=5, drop_last=True); print(len(dl), list(dl))
try:
    DataLoader([], shuffle=True)
except Exception as e:
    print(type(e).__name__, e)
""",
"weighted_sampler_bad_weights": """
from torch.utils.data import WeightedRandomSampler
for w in [[0., 0.]]:
    try:
        print(len(list(WeightedRandomSampler(w, 3))))
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
print(WeightedRandomSampler(np.array([1, 2]), 2).weights.dtype)
""",
"iterable_worker_init_split": """
import math
from torch.utils.data import IterableDataset, DataLoader, get_worker_info
class MyIterableDataset(IterableDataset):
    def __init__(self, start, end):
        super().__init__()
        assert end > start, "this example code only works with end >= start"
        self.start = start; self.end = end
    def __iter__(self):
        return iter(range(self.start, self.end))
ds = MyIterableDataset(start=3, end=7)
print(list(DataLoader(ds, num_workers=0)))
print(list(DataLoader(ds, num_workers=2)))
def worker_init_fn(worker_id):
    worker_info = get_worker_info()
    dataset = worker_info.dataset
    overall_start = dataset.start; overall_end = dataset.end
    per_worker = int(math.ceil((overall_end - overall_start) / float(worker_info.num_workers)))
    worker_id = worker_info.id
    dataset.start = overall_start + worker_id * per_worker
    dataset.end = min(dataset.start + per_worker, overall_end)
print(list(DataLoader(ds, num_workers=2, worker_init_fn=worker_init_fn)))
print(list(DataLoader(ds, num_workers=3, worker_init_fn=worker_init_fn)))
print(ds.start, ds.end)
""",
"iterable_uneven_workers_batches": """
from torch.utils.data import IterableDataset, DataLoader, get_worker_info
class Uneven(IterableDataset):
    def __iter__(self):
        w = get_worker_info()
        n = 5 if w is None or w.id == 0 else 2
        return iter([(w.id if w else -1) * 100 + i for i in range(n)])
print([b.tolist() for b in DataLoader(Uneven(), batch_size=2, num_workers=2)])
print([b.tolist() for b in DataLoader(Uneven(), batch_size=2, num_workers=2, drop_last=True)])
print([b.tolist() for b in DataLoader(Uneven(), batch_size=2, num_workers=2, persistent_workers=True)])
""",
"iterable_dict_samples": """
from torch.utils.data import IterableDataset, DataLoader
class Stream(IterableDataset):
    def __iter__(self):
        for i in range(5):
            yield {'x': torch.tensor([i, i + 1.]), 'y': i % 2, 'id': 's%d' % i}
for b in DataLoader(Stream(), batch_size=2): print(b)
for b in DataLoader(Stream(), batch_size=None): print(b); break
""",
"iterable_generator_function": """
from torch.utils.data import IterableDataset, DataLoader
class Lines(IterableDataset):
    def __init__(self, lines): self.lines = lines
    def parse(self, line): return [int(t) for t in line.split(',')]
    def __iter__(self):
        for line in self.lines:
            yield torch.tensor(self.parse(line))
dl = DataLoader(Lines(['1,2', '3,4', '5,6']), batch_size=2)
for epoch in range(2): print(epoch, list(dl))
""",
"subset_numpy_indices": """
from torch.utils.data import Subset, DataLoader
s = Subset(list(range(10, 20)), np.array([3, 1, 4]))
print(len(s), s[0], type(s[0]).__name__, list(DataLoader(s, batch_size=2)))
s2 = Subset(torch.arange(10, 20), [3, 1])
print(s2[0], list(DataLoader(s2, batch_size=2)))
""",
"random_split_tensor_dataset": """
from torch.utils.data import random_split
a, b = random_split(torch.arange(10), [6, 4], generator=torch.Generator().manual_seed(0))
print(len(a), len(b), type(a[0]).__name__, a[0].dtype, sorted(int(x) for x in list(a) + list(b)))
print(torch.default_generator is not None)
a, b = random_split(range(4), [2, 2], generator=torch.default_generator); print(len(a), len(b))
""",
"distributed_sampler_small": """
from torch.utils.data import DistributedSampler
for n, reps, drop in [(3, 4, False), (3, 4, True), (1, 3, False), (8, 3, False), (8, 3, True), (7, 7, True)]:
    print(n, reps, drop, [list(DistributedSampler(range(n), num_replicas=reps, rank=r, shuffle=False, drop_last=drop)) for r in range(reps)])
""",
"distributed_sampler_epochs_loader": """
from torch.utils.data import DistributedSampler, DataLoader, TensorDataset
ds = TensorDataset(torch.arange(12.))
sampler = DistributedSampler(ds, num_replicas=2, rank=1, seed=7)
dl = DataLoader(ds, batch_size=4, sampler=sampler)
for epoch in range(3):
    sampler.set_epoch(epoch)
    print(epoch, [b[0].tolist() for b in dl])
print(sampler.epoch, sampler.seed, sampler.shuffle, sampler.num_replicas, sampler.rank)
""",
"loader_shuffle_false_explicit_sampler": """
from torch.utils.data import DataLoader, SequentialSampler, RandomSampler
ds = list(range(6))
dl = DataLoader(ds, sampler=SequentialSampler(ds), shuffle=False, batch_size=4); print(list(dl))
dl = DataLoader(ds, sampler=RandomSampler(ds, generator=torch.Generator().manual_seed(3)), batch_size=4)
print([len(b) for b in dl], sorted(sum((b.tolist() for b in dl), [])))
""",
"collate_dict_of_lists_of_tensors": """
from torch.utils.data import default_collate
batch = [{'boxes': [torch.tensor([0., 0., 1., 1.])], 'meta': {'h': 10, 'w': 20.5, 'name': 'a'}},
         {'boxes': [torch.tensor([1., 1., 2., 2.])], 'meta': {'h': 11, 'w': 21.5, 'name': 'b'}}]
print(default_collate(batch))
print(default_collate([[np.array([1.]), 'x'], [np.array([2.]), 'y']]))
""",
"detection_style_collate": """
from torch.utils.data import DataLoader, Dataset
class Det(Dataset):
    def __len__(self): return 3
    def __getitem__(self, i):
        return torch.zeros(3, 4, 4) + i, {'boxes': torch.ones(i + 1, 4), 'labels': torch.arange(i + 1)}
def collate_fn(batch): return tuple(zip(*batch))
for imgs, targets in DataLoader(Det(), batch_size=2, collate_fn=collate_fn):
    print(type(imgs).__name__, len(imgs), [t['boxes'].shape for t in targets], [t['labels'].tolist() for t in targets])
try:
    list(DataLoader(Det(), batch_size=2))
except Exception as e:
    print(type(e).__name__, str(e).split(chr(10))[0])
""",
"collate_odd_sequences": """
from torch.utils.data import default_collate
class L(list): pass
print(default_collate([torch.Size([2, 3]), torch.Size([4, 5])]))
print(default_collate([range(2), range(2)]))
r = default_collate([L([1, 2]), L([3, 4])]); print(type(r).__name__, r)
print(default_collate([[torch.ones(2, 2).t()[0], torch.tensor(5)], [torch.zeros(2), torch.tensor(6)]]))
print(default_collate([torch.tensor(1, dtype=torch.int32), torch.tensor(2, dtype=torch.int32)]))
t = torch.arange(6.).view(2, 3)
print(default_collate([t.T, t.T + 1]).shape, default_collate([t[:, 1], t[:, 2]]))
""",
"dataset_combo_errors": """
from torch.utils.data import IterableDataset, Dataset, TensorDataset
class I(IterableDataset):
    def __iter__(self): yield torch.tensor(1)
m = TensorDataset(torch.arange(2))
for f in [lambda: list(I() + m), lambda: m + I(), lambda: list(I() + I())]:
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__, e)
""",
"iterator_len_pickle": """
import pickle
from torch.utils.data import DataLoader
dl = DataLoader(range(5), batch_size=2)
it = iter(dl); print(len(it)); next(it); print(len(it))
try:
    pickle.dumps(it)
except Exception as e:
    print(type(e).__name__, e)
dl2 = pickle.loads(pickle.dumps(dl)); print(list(dl2), dl2.batch_size)
""",
"pin_memory_device_warning": """
from torch.utils.data import DataLoader
dl = DataLoader(range(2), pin_memory=True, pin_memory_device='cuda')
R = [b.tolist() for b in dl]
""",
"pin_memory_device_no_pin": """
from torch.utils.data import DataLoader
dl = DataLoader(range(2), pin_memory_device='cuda')
R = [b.tolist() for b in dl], dl.pin_memory_device
""",
"generic_annotations": """
from typing import Tuple, List
from torch.utils.data import Dataset, DataLoader, Sampler, IterableDataset
class D(Dataset[Tuple[torch.Tensor, int]]):
    def __len__(self) -> int: return 2
    def __getitem__(self, i: int) -> Tuple[torch.Tensor, int]: return torch.ones(1) * i, i
class S(Sampler[int]):
    def __iter__(self): return iter([1, 0])
    def __len__(self): return 2
class I(IterableDataset[int]):
    def __iter__(self): return iter([1])
def make(ds: Dataset) -> DataLoader[Tuple[torch.Tensor, int]]:
    return DataLoader(ds, sampler=S(), batch_size=2)
R = list(make(D())), list(I())
""",
"batch_sampler_drop_last_print": """
from torch.utils.data import BatchSampler, SequentialSampler, RandomSampler
print(list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False)))
print(list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=True)))
print(list(BatchSampler([5, 3, 1], batch_size=2, drop_last=False)))
b = BatchSampler(RandomSampler(range(7), generator=torch.Generator().manual_seed(0)), 3, False)
print(len(b), [len(x) for x in b], sorted(sum(list(b), [])))
print(b.batch_size, b.drop_last, type(b.sampler).__name__)
""",
"sequential_sampler_loader_indexes": """
from torch.utils.data import DataLoader, Dataset
class D(Dataset):
    def __init__(self): self.seen = []
    def __len__(self): return 5
    def __getitem__(self, i):
        self.seen.append(i); return i
d = D(); list(DataLoader(d, batch_size=2)); print(d.seen, [type(i).__name__ for i in d.seen])
d = D(); list(DataLoader(d, batch_size=None)); print(d.seen)
d = D(); list(DataLoader(d, batch_sampler=[[4, 0], [2]])); print(d.seen)
""",
"dict_index_dataset": """
from torch.utils.data import DataLoader, Sampler
data = {'a': 1.0, 'b': 2.0, 'c': 3.0}
class Keys(Sampler):
    def __init__(self, keys): self.keys = keys
    def __iter__(self): return iter(self.keys)
    def __len__(self): return len(self.keys)
print(list(DataLoader(data, sampler=Keys(['c', 'a', 'b']), batch_size=2)))
""",
"random_sampler_num_samples_bigger": """
from torch.utils.data import RandomSampler, DataLoader
s = RandomSampler(range(3), num_samples=7, generator=torch.Generator().manual_seed(0))
l = list(s); print(len(l), sorted(set(l)), sorted(l[:3]), sorted(l[3:6]))
dl = DataLoader(range(3), batch_size=2, sampler=s); print(len(dl), [len(b) for b in dl])
""",
"worker_error_position": """
from torch.utils.data import DataLoader, Dataset
class D(Dataset):
    def __len__(self): return 8
    def __getitem__(self, i):
        if i == 5: raise IndexError('index %d is bad' % i)
        return i
for nw in [0, 2]:
    got = []
    try:
        for b in DataLoader(D(), batch_size=2, num_workers=nw): got.append(b.tolist())
    except IndexError as e:
        print(nw, got, str(e).split(chr(10))[0])
""",
"worker_custom_exceptions": """
from torch.utils.data import DataLoader, Dataset
import json
class D(Dataset):
    def __init__(self, exc): self.exc = exc
    def __len__(self): return 2
    def __getitem__(self, i): raise self.exc
for exc in [json.JSONDecodeError('Expecting value', 'x', 0), UnicodeDecodeError('utf-8', b'\\xff', 0, 1, 'invalid start byte'), OSError(2, 'No such file'), FileNotFoundError('x.png'), AssertionError(), ZeroDivisionError('division by zero')]:
    try:
        list(DataLoader(D(exc), num_workers=1))
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
"worker_collate_error": """
from torch.utils.data import DataLoader
try:
    list(DataLoader([torch.ones(2), torch.ones(3)], batch_size=2, num_workers=1))
except Exception as e:
    print(type(e).__name__, str(e).split(chr(10))[0])
try:
    list(DataLoader([None, None], batch_size=2, num_workers=1))
except Exception as e:
    print(type(e).__name__, str(e).split(chr(10))[0])
""",
"worker_iterable_error": """
from torch.utils.data import DataLoader, IterableDataset
class S(IterableDataset):
    def __iter__(self):
        yield 1
        raise ValueError('stream broke')
for nw in [0, 1]:
    got = []
    try:
        for x in DataLoader(S(), num_workers=nw): got.append(x.item())
    except ValueError as e:
        print(nw, got, str(e).split(chr(10))[0])
""",
"single_process_error_is_raw": """
from torch.utils.data import DataLoader, Dataset
class D(Dataset):
    def __len__(self): return 2
    def __getitem__(self, i): return {'a': 1}['b']
try:
    list(DataLoader(D()))
except KeyError as e:
    print(repr(e))
""",
"stop_iteration_in_getitem_main": """
from torch.utils.data import DataLoader, Dataset
class D(Dataset):
    def __len__(self): return 4
    def __getitem__(self, i):
        if i == 2: raise StopIteration
        return i
print([b.tolist() for b in DataLoader(D(), batch_size=1)])
""",
"old_next_api": """
from torch.utils.data import DataLoader
dataiter = iter(DataLoader(torch.arange(4.), batch_size=2))
try:
    images = dataiter.next()
except AttributeError as e:
    print(e)
images = next(dataiter); print(images)
""",
"sampler_len_for_average": """
from torch.utils.data import DataLoader, SubsetRandomSampler, TensorDataset
ds = TensorDataset(torch.arange(10.), torch.arange(10.) * 2)
idx = list(range(10)); split = 7
train_sampler = SubsetRandomSampler(idx[:split]); valid_sampler = SubsetRandomSampler(idx[split:])
tl = DataLoader(ds, batch_size=3, sampler=train_sampler); vl = DataLoader(ds, batch_size=3, sampler=valid_sampler)
loss = 0.
for x, y in vl: loss += ((y - 2 * x) ** 2).sum().item()
print(len(tl), len(vl), len(tl.sampler), len(vl.sampler), len(tl.dataset), loss / len(vl.sampler))
""",
"tensordataset_requires_grad": """
from torch.utils.data import TensorDataset, DataLoader
x = torch.arange(4., requires_grad=True); ds = TensorDataset(x * 1, torch.arange(4))
print(ds[1]); b = next(iter(DataLoader(ds, batch_size=2))); print(b)
b[0].sum().backward(); print(x.grad)
""",
"dataset_transform_pipeline": """
from torch.utils.data import Dataset, DataLoader
class Normalize:
    def __init__(self, mean, std): self.mean, self.std = mean, std
    def __call__(self, x): return (x - self.mean) / self.std
class Compose:
    def __init__(self, ts): self.ts = ts
    def __call__(self, x):
        for t in self.ts: x = t(x)
        return x
class Data(Dataset):
    def __init__(self, n, transform=None, target_transform=None):
        self.x = torch.linspace(0, 1, n * 4).view(n, 1, 2, 2); self.y = torch.arange(n) % 3
        self.transform, self.target_transform = transform, target_transform
    def __len__(self): return len(self.y)
    def __getitem__(self, idx):
        x, y = self.x[idx], self.y[idx]
        if self.transform: x = self.transform(x)
        if self.target_transform: y = self.target_transform(y)
        return x, y
one_hot = lambda y: torch.zeros(3, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
ds = Data(5, transform=Compose([Normalize(0.5, 0.25), lambda t: t.clamp(-1, 1)]), target_transform=one_hot)
for X, y in DataLoader(ds, batch_size=2):
    print(f"Shape of X [N, C, H, W]: {X.shape}")
    print(f"Shape of y: {y.shape} {y.dtype}")
    print(X.flatten()[:4], y)
""",
"quickstart_loop": """
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
X = torch.linspace(-1, 1, 24).view(12, 2); y = (X[:, 0] > X[:, 1]).long()
train_dataloader = DataLoader(TensorDataset(X, y), batch_size=5)
model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2))
with torch.no_grad():
    for p in model.parameters(): p.copy_(torch.linspace(-0.5, 0.5, p.numel()).view_as(p))
loss_fn = nn.CrossEntropyLoss(); optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)
def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X); loss = loss_fn(pred, y)
        loss.backward(); optimizer.step(); optimizer.zero_grad()
        if batch % 2 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")
def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset); num_batches = len(dataloader)
    model.eval(); test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches; correct /= size
    print(f"Test Error: Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f}")
for t in range(2):
    print(f"Epoch {t+1}")
    train(train_dataloader, model, loss_fn, optimizer)
    test(train_dataloader, model, loss_fn)
""",
"tensor_and_array_samplers": """
from torch.utils.data import DataLoader, TensorDataset
ds = TensorDataset(torch.arange(10.).view(5, 2), torch.arange(5))
perm = torch.tensor([4, 2, 0, 1, 3])
dl = DataLoader(ds, sampler=perm, batch_size=2); print(len(dl), list(dl))
dl = DataLoader(list('abcde'), sampler=perm, batch_size=2); print(list(dl))
dl = DataLoader(list('abcde'), sampler=np.array([3, 1]), batch_size=None); print(list(dl))
dl = DataLoader(ds, batch_sampler=[torch.tensor([0, 1]), np.array([3, 4])]); print(list(dl))
""",
"sampler_iter_types": """
from torch.utils.data import SequentialSampler, RandomSampler, BatchSampler, SubsetRandomSampler, WeightedRandomSampler, DistributedSampler
print(type(iter(SequentialSampler(range(3)))).__name__, type(iter(RandomSampler(range(3)))).__name__,
      type(iter(BatchSampler(range(3), 2, False))).__name__, type(iter(SubsetRandomSampler([1]))).__name__,
      type(iter(WeightedRandomSampler([1.], 1))).__name__,
      type(iter(DistributedSampler(range(3), num_replicas=1, rank=0))).__name__)
print([type(i).__name__ for i in RandomSampler(range(3))], [type(i).__name__ for i in WeightedRandomSampler([1., 1.], 2)])
""",
"map_dataset_for_loop_fallback": """
from torch.utils.data import Dataset
class D(Dataset):
    def __init__(self): self.x = torch.arange(3)
    def __len__(self): return len(self.x)
    def __getitem__(self, i): return self.x[i] * 2
print([v.item() for v in D()])
print(list(iter(D()))[-1])
""",
"numpy_scalar_batch_none": """
from torch.utils.data import DataLoader
a = np.arange(3, dtype=np.float32)
print([(type(x).__name__, x.dtype, x.shape) for x in DataLoader(a, batch_size=None)])
print([(type(x).__name__, x) for x in DataLoader([1.5, 2], batch_size=None)])
""",
"docs_length_samplers": """
from typing import Iterator, List
from torch.utils.data import Sampler, DataLoader
class AccedingSequenceLengthSampler(Sampler[int]):
    def __init__(self, data: List[str]) -> None:
        self.data = data
    def __len__(self) -> int:
        return len(self.data)
    def __iter__(self) -> Iterator[int]:
        sizes = torch.tensor([len(x) for x in self.data])
        yield from torch.argsort(sizes).tolist()
class AccedingSequenceLengthBatchSampler(Sampler[List[int]]):
    def __init__(self, data: List[str], batch_size: int) -> None:
        self.data = data
        self.batch_size = batch_size
    def __len__(self) -> int:
        return (len(self.data) + self.batch_size - 1) // self.batch_size
    def __iter__(self) -> Iterator[List[int]]:
        sizes = torch.tensor([len(x) for x in self.data])
        for batch in torch.chunk(torch.argsort(sizes), len(self)):
            yield batch.tolist()
data = ['aaaa', 'b', 'ccc', 'dd', 'eeeee', 'ffffff', 'g']
print(list(AccedingSequenceLengthSampler(data)))
print(list(AccedingSequenceLengthBatchSampler(data, 3)))
print(list(DataLoader(data, batch_sampler=AccedingSequenceLengthBatchSampler(data, 3))))
print(list(DataLoader(data, sampler=AccedingSequenceLengthSampler(data), batch_size=4)))
""",
"bucket_by_length_stable": """
lengths = torch.tensor([3, 1, 3, 2, 1, 3, 2, 2, 1, 3])
print(torch.argsort(lengths, stable=True).tolist(), torch.sort(lengths, stable=True).indices.tolist())
print(torch.sort(lengths, descending=True, stable=True))
""",
"worker_dies": """
import os, re, signal
from torch.utils.data import DataLoader, Dataset
class D(Dataset):
    def __init__(self, how): self.how = how
    def __len__(self): return 4
    def __getitem__(self, i):
        if i == 1:
            if self.how == 'exit': os._exit(3)
            os.kill(os.getpid(), signal.SIGKILL)
        return i
for how in ['exit', 'kill']:
    try:
        list(DataLoader(D(how), num_workers=1))
    except Exception as e:
        print(type(e).__name__, re.sub(r'pid(\\(s\\))? \\d+', 'pid N', str(e).split(chr(10))[0]))
""",
"persistent_iterable_epochs": """
from torch.utils.data import DataLoader, IterableDataset, get_worker_info
class S(IterableDataset):
    def __init__(self): self.epoch = 0
    def __iter__(self):
        w = get_worker_info()
        return iter(range(w.id * 10, w.id * 10 + 3))
dl = DataLoader(S(), batch_size=2, num_workers=2, persistent_workers=True)
for e in range(3): print(e, [b.tolist() for b in dl])
""",
"persistent_break_midway": """
from torch.utils.data import DataLoader
dl = DataLoader(range(10), batch_size=2, num_workers=2, persistent_workers=True, prefetch_factor=1)
out = []
for e in range(3):
    for i, b in enumerate(dl):
        if i == e: break
        out.append(b.tolist())
print(out, [b.tolist() for b in dl])
""",
"two_iterators_same_loader": """
from torch.utils.data import DataLoader
dl = DataLoader(range(6), batch_size=2, num_workers=1)
a, b = iter(dl), iter(dl)
print(next(a), next(b), next(a), next(b), next(a), next(b))
dl = DataLoader(range(6), batch_size=2)
a, b = iter(dl), iter(dl)
print(next(a), next(b), next(a))
""",
"collate_numpy_scalar_mixes": """
from torch.utils.data import default_collate
for b in [[np.float32(1), np.float64(2)], [np.int64(1), np.float32(2.5)], [np.int32(1), np.int32(2)], [np.int8(1), np.int64(300)],
          [np.float16(1), np.float16(2)], [np.float16(1), np.int64(2)], [np.int32(1), 2.5], [np.uint8(3), np.uint8(4)], [np.float32(1.5), 2.5],
          [np.int64(1), 2], [np.complex64(1j), np.complex64(2)], [np.float64(0.1), np.float64(0.2)]]:
    try:
        r = default_collate(b); print(r.dtype, r.tolist())
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
"collate_default_dtype_float64": """
from torch.utils.data import default_collate
torch.set_default_dtype(torch.float64)
try:
    print(default_collate([1.5, 2.5]).dtype, default_collate([np.float32(1)]).dtype, default_collate([torch.ones(1)]).dtype)
finally:
    torch.set_default_dtype(torch.float32)
""",
"subset_list_index": """
from torch.utils.data import Subset, TensorDataset
ds = TensorDataset(torch.arange(10) * 10)
s = Subset(ds, [9, 1, 5])
print(s[[0, 2]], s[0], s[-1])
""",
"loader_over_subset_of_concat": """
from torch.utils.data import ConcatDataset, Subset, DataLoader, TensorDataset
a = TensorDataset(torch.arange(4.), torch.zeros(4)); b = TensorDataset(torch.arange(10., 13.), torch.ones(3))
c = ConcatDataset([a, b]); s = Subset(c, [6, 0, 4, 3])
for x, y in DataLoader(s, batch_size=3): print(x, y)
""",
"reproducibility_recipe": """
import random
from torch.utils.data import DataLoader, TensorDataset
def seed_worker(worker_id):
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)
g = torch.Generator()
g.manual_seed(0)
ds = TensorDataset(torch.arange(16.).view(8, 2), torch.arange(8))
dl = DataLoader(ds, batch_size=3, num_workers=2, worker_init_fn=seed_worker, generator=g, shuffle=True)
runs = []
for _ in range(2):
    g.manual_seed(0)
    runs.append([y.tolist() for _, y in dl])
print(runs[0] == runs[1], [len(b) for b in runs[0]], sorted(sum(runs[0], [])))
""",
"pin_memory_workers_warning": """
from torch.utils.data import DataLoader
dl = DataLoader(torch.arange(4.), batch_size=2, pin_memory=True, num_workers=1)
R = [b.tolist() for b in dl], [b.is_pinned() for b in dl]
""",
"shuffle_drop_last_len": """
from torch.utils.data import DataLoader, TensorDataset
ds = TensorDataset(torch.zeros(10, 3), torch.zeros(10))
for bs in [3, 4, 5]:
    dl = DataLoader(ds, batch_size=bs, shuffle=True, drop_last=True)
    print(bs, len(dl), [x.shape for x, _ in dl])
""",
"yolo_infinite_loader": """
from torch.utils.data import dataloader, TensorDataset
class _RepeatSampler:
    def __init__(self, sampler): self.sampler = sampler
    def __iter__(self):
        while True:
            yield from iter(self.sampler)
class InfiniteDataLoader(dataloader.DataLoader):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        object.__setattr__(self, 'batch_sampler', _RepeatSampler(self.batch_sampler))
        self.iterator = super().__iter__()
    def __len__(self):
        return len(self.batch_sampler.sampler)
    def __iter__(self):
        for _ in range(len(self)):
            yield next(self.iterator)
ds = TensorDataset(torch.arange(5.))
for nw in [0, 2]:
    dl = InfiniteDataLoader(ds, batch_size=2, num_workers=nw)
    print(len(dl), [b[0].tolist() for b in dl], [b[0].tolist() for b in dl])
""",
"dataloader_subclass_attrs": """
from torch.utils.data import DataLoader
class MyLoader(DataLoader):
    def __init__(self, dataset, **kw):
        self.extra = 'x'
        super().__init__(dataset, **kw)
        self.note = 'y'
dl = MyLoader(range(5), batch_size=2)
print(dl.extra, dl.note, len(dl), list(dl))
try:
    dl.batch_size = 3
except ValueError as e:
    print(e)
""",
"multi_epoch_shuffle_membership": """
from torch.utils.data import DataLoader
dl = DataLoader(list(range(9)), batch_size=4, shuffle=True)
seen = [sorted(sum((b.tolist() for b in dl), [])) for _ in range(3)]
print(seen[0], all(s == seen[0] for s in seen), [len(b) for b in dl])
""",
"loader_consumes_global_rng": """
from torch.utils.data import DataLoader
torch.manual_seed(0); list(DataLoader(range(3))); a = torch.rand(3)
torch.manual_seed(0); torch.empty((), dtype=torch.int64).random_(); b = torch.rand(3)
torch.manual_seed(0); c = torch.rand(3)
torch.manual_seed(0); it = iter(DataLoader(range(3), shuffle=True)); d = torch.rand(3)
torch.manual_seed(0); torch.empty((), dtype=torch.int64).random_(); list(it); e = torch.rand(3)
torch.manual_seed(0); torch.empty((), dtype=torch.int64).random_(); torch.empty((), dtype=torch.int64).random_(); f = torch.rand(3)
g = torch.Generator().manual_seed(5); torch.manual_seed(0); list(DataLoader(range(3), generator=g)); h = torch.rand(3)
R = torch.equal(a, b), torch.equal(a, c), torch.equal(d, b), torch.equal(e, f), torch.equal(h, c)
""",
"sampler_generator_state": """
from torch.utils.data import RandomSampler
g = torch.Generator().manual_seed(1)
s0 = g.get_state(); list(RandomSampler(range(5), generator=g)); s1 = g.get_state()
torch.manual_seed(3); t0 = torch.get_rng_state(); list(RandomSampler(range(5))); t1 = torch.get_rng_state()
R = torch.equal(s0, s1), torch.equal(t0, t1)
g.manual_seed(1); a = list(RandomSampler(range(5), generator=g)); g.manual_seed(1); b = list(RandomSampler(range(5), generator=g))
print(a == b)
""",
"batch_sampler_as_sampler": """
from torch.utils.data import DataLoader, BatchSampler, SequentialSampler, TensorDataset
ds = TensorDataset(torch.arange(10.).view(5, 2), torch.arange(5))
dl = DataLoader(ds, sampler=BatchSampler(SequentialSampler(ds), batch_size=2, drop_last=False), batch_size=None)
print(len(dl))
for x, y in dl: print(type(x).__name__, x.shape, y)
dl = DataLoader(ds, sampler=BatchSampler(SequentialSampler(ds), batch_size=2, drop_last=True), batch_size=1)
print(len(dl), [[t.shape for t in b] for b in dl])
""",
"concat_workers_shuffle_membership": """
from torch.utils.data import ConcatDataset, DataLoader, TensorDataset
c = ConcatDataset([TensorDataset(torch.arange(4)), TensorDataset(torch.arange(100, 103))])
dl = DataLoader(c, batch_size=3, shuffle=True, num_workers=2)
got = sorted(sum((b[0].tolist() for b in dl), []))
print(got, len(dl))
""",
"iterable_in_loop_with_model": """
from torch.utils.data import IterableDataset, DataLoader
class Synthetic(IterableDataset):
    def __init__(self, n): self.n = n
    def __iter__(self):
        for i in range(self.n):
            x = torch.full((3,), i / 10.)
            yield x, x.sum()
model = torch.nn.Linear(3, 1)
with torch.no_grad(): model.weight.fill_(1.); model.bias.zero_()
for x, y in DataLoader(Synthetic(5), batch_size=2):
    out = model(x).squeeze(1)
    print(x.shape, y.dtype, torch.allclose(out, y), out.detach())
""",
"batch_stats": """
from torch.utils.data import DataLoader, TensorDataset
import torch.nn.functional as F
X = torch.linspace(0, 1, 48).view(12, 1, 2, 2); y = torch.tensor([0, 1, 2, 1, 0, 2, 2, 1, 0, 1, 1, 2])
dl = DataLoader(TensorDataset(X, y), batch_size=5)
images, labels = next(iter(dl))
print(images.shape, labels.shape, images.mean().item(), images.std().item())
print(labels.bincount(), torch.unique(labels, return_counts=True), F.one_hot(labels, 3))
print(torch.cat([b[1] for b in dl]).tolist(), torch.stack([dl.dataset[i][0] for i in range(2)]).shape)
mean = 0.; std = 0.; n = 0
for imgs, _ in dl:
    b = imgs.size(0); imgs = imgs.view(b, imgs.size(1), -1)
    mean += imgs.mean(2).sum(0); std += imgs.std(2).sum(0); n += b
print(mean / n, std / n)
""",
"class_weights_from_dataset": """
from torch.utils.data import TensorDataset, WeightedRandomSampler, DataLoader
y = torch.tensor([0, 0, 0, 0, 1, 1, 2])
counts = torch.bincount(y); class_w = 1. / counts.float(); sample_w = class_w[y]
print(counts, class_w, sample_w)
sampler = WeightedRandomSampler(sample_w, num_samples=len(sample_w), replacement=True)
print(sampler.weights, len(sampler))
dl = DataLoader(TensorDataset(torch.arange(7), y), batch_size=3, sampler=sampler)
print(len(dl), [len(b[0]) for b in dl])
""",
"accumulate_predictions": """
from torch.utils.data import DataLoader, TensorDataset
X = torch.arange(20.).view(10, 2); y = (torch.arange(10) % 3)
model = torch.nn.Linear(2, 3)
with torch.no_grad(): model.weight.copy_(torch.tensor([[1., -1.], [0.5, 0.5], [-1., 1.]])); model.bias.zero_()
preds, targets = [], []
model.eval()
with torch.no_grad():
    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=4):
        out = model(xb)
        preds.append(out.argmax(dim=1)); targets.append(yb)
preds = torch.cat(preds); targets = torch.cat(targets)
acc = (preds == targets).float().mean()
print(preds, targets, acc, f'{acc.item():.4f}')
conf = torch.zeros(3, 3, dtype=torch.long)
for t, p in zip(targets, preds): conf[t, p] += 1
print(conf)
""",
"iterable_more_workers_than_items": """
import math
from torch.utils.data import IterableDataset, DataLoader, get_worker_info
class Shard(IterableDataset):
    def __init__(self, items): self.items = items
    def __iter__(self):
        w = get_worker_info()
        if w is None: return iter(self.items)
        return iter(self.items[w.id::w.num_workers])
ds = Shard(list(range(10, 13)))
print([x.tolist() for x in DataLoader(ds, num_workers=3)])
print([x.tolist() for x in DataLoader(ds, num_workers=3, batch_size=2)])
print([x.tolist() for x in DataLoader(Shard(list(range(7))), num_workers=2, batch_size=2)])
""",
"map_dataset_workers_ordering": """
from torch.utils.data import DataLoader, Dataset
import time
class Jitter(Dataset):
    def __len__(self): return 9
    def __getitem__(self, i):
        time.sleep(0.02 * (i % 3 == 0))
        return i
print([b.tolist() for b in DataLoader(Jitter(), batch_size=2, num_workers=2)])
print(sorted(sum((b.tolist() for b in DataLoader(Jitter(), batch_size=2, num_workers=2, in_order=False)), [])))
""",
"collate_return_types": """
from torch.utils.data import default_collate, default_convert
r1 = torch.max(torch.tensor([[1., 5.], [3., 2.]]), dim=1); r2 = torch.max(torch.tensor([[4., 0.], [1., 9.]]), dim=1)
c = default_collate([r1, r2]); print(type(c).__name__, c)
v = default_convert(r1); print(type(v).__name__)
""",
"random_split_length_types": """
from torch.utils.data import random_split
n = 10; tr = int(0.8 * n)
for lens in [(tr, n - tr), [np.int64(7), np.int64(3)], torch.tensor([6, 4]).tolist(), (0.8, 0.2)]:
    try:
        print([len(p) for p in random_split(list(range(n)), lens)])
    except Exception as e:
        print(type(e).__name__, str(e).split(chr(10))[0])
""",
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_data_user_code_more(name):
    check(SNIPPETS[name])
