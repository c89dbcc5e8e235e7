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
dl = DataLoader(S(), batch_size=None, num_workers=2)
print(len(dl))
R = sorted(x.item() for x in dl)
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
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_data_user_code_more(name):
    check(SNIPPETS[name])
