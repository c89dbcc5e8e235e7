"""Run under ``mpiexec -n 2`` (by test_mpi.py): DistributedDataParallel against one process, on 2 ranks.

Usage: ``mpi_ddp.py CHECKPOINT_DIR``.  Each rank prints ``OK ddp rank R: <facts>``; a failure raises (and so
aborts the job).
"""
import os
import sys

import numpy as np

import ember
import ember.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DistributedSampler

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
assert world == 2
ckpt_dir = sys.argv[1]
facts = []

B, STEPS = 16, 5
data_rng = np.random.default_rng(1234)               # the same data on every rank
X = ember.tensor(data_rng.standard_normal((STEPS, B, 8)).astype(np.float32))
Y = ember.tensor(data_rng.standard_normal((STEPS, B, 4)).astype(np.float32))


def mlp():
    return nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 4))


def flat_params(module):
    return np.concatenate([p.detach()._host().reshape(-1) for p in module.parameters()])


def same_on_all_ranks(arr):
    everyone = [None] * world
    dist.all_gather_object(everyone, arr)
    return all(np.array_equal(everyone[0], a) for a in everyone)


def train(model, opt, xs, ys, steps):
    for s in range(steps):
        opt.zero_grad()
        nn.functional.mse_loss(model(xs[s]), ys[s]).backward()
        opt.step()


# ---- 1. parameters that differ at start are equalised; 2 ranks x B/2 == 1 process x B ----
ember.manual_seed(100 + rank)                        # a different initialisation on each rank
local = mlp()
assert not same_on_all_ranks(flat_params(local))
ddp = DDP(local, bucket_cap_mb=0.0005)                # ~0.5 KB buckets: several of them
assert same_on_all_ranks(flat_params(ddp.module)), "construction did not broadcast rank 0's parameters"
assert len(ddp._buckets) >= 3, len(ddp._buckets)
reference = mlp()
reference.load_state_dict(ddp.module.state_dict())   # rank 0's start, trained alone on the full batch
half = slice(rank * B // 2, (rank + 1) * B // 2)
train(ddp, ember.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9), X[:, half], Y[:, half], STEPS)
train(reference, ember.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9), X, Y, STEPS)
diff = float(np.abs(flat_params(ddp.module) - flat_params(reference)).max())
assert diff <= 1e-6, f"DDP differs from one process by {diff}"
assert same_on_all_ranks(flat_params(ddp.module)), "parameters differ across ranks after training"
facts.append(f"equivalence max|diff|={diff:.1e}")

# ---- 2. bucketing: reductions start during backward (hook order, not time) ----
events = []


def logging_allreduce(state, bucket):
    events.append(("launch", bucket.index()))
    work = dist.all_reduce(bucket.buffer(), async_op=True)
    return work.get_future().then(lambda fut: fut.value()[0] / world)


first_weight = ddp.module[0].weight
first_weight.register_hook(lambda g: events.append(("grad", "0.weight")))
ddp.register_comm_hook(None, logging_allreduce)
nn.functional.mse_loss(ddp(X[0, half]), Y[0, half]).backward()
launches = [i for kind, i in events if kind == "launch"]
assert launches == list(range(len(ddp._buckets))), events
first_grad = events.index(("grad", "0.weight"))
assert first_grad > 0 and events[0][0] == "launch", f"no bucket started before the first layer's grad: {events}"
facts.append(f"{len(launches)} buckets, {first_grad} started before the first layer's gradient")

# ---- 3. no_sync: k micro-batches accumulated locally, then one synced step == one big batch ----
ember.manual_seed(7)
start = mlp()
ddp = DDP(mlp(), bucket_cap_mb=0.0005)
ddp.module.load_state_dict(start.state_dict())
k = 3
micro = X[0, :12].reshape(world, k, 2, 8)             # (rank, micro-batch, 2, 8)
micro_y = Y[0, :12].reshape(world, k, 2, 4)
for j in range(k):
    if j < k - 1:
        with ddp.no_sync():
            (nn.functional.mse_loss(ddp(micro[rank, j]), micro_y[rank, j]) / k).backward()
    else:
        (nn.functional.mse_loss(ddp(micro[rank, j]), micro_y[rank, j]) / k).backward()
start.zero_grad()
nn.functional.mse_loss(start(X[0, :12]), Y[0, :12]).backward()
gdiff = max(float(np.abs(a.grad._host() - b.grad._host()).max())
            for a, b in zip(ddp.module.parameters(), start.parameters()))
assert gdiff <= 1e-6, f"no_sync accumulation differs from one big batch by {gdiff}"
facts.append(f"no_sync max|diff|={gdiff:.1e}")


# ---- 4. find_unused_parameters: a branch unused on rank 1, a parameter unused everywhere ----
class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Linear(4, 4)
        self.branch = nn.Linear(4, 4)
        self.never = nn.Linear(4, 4)

    def forward(self, x, use_branch):
        y = self.trunk(x)
        return y + self.branch(x) if use_branch else y


ember.manual_seed(3)
model = DDP(Branchy(), find_unused_parameters=True)
x = ember.ones(2, 4) * (rank + 1)
model(x, use_branch=(rank == 0)).sum().backward()
assert model.module.never.weight.grad is None, "a parameter unused on every rank must keep grad None"
branch = model.module.branch.weight.grad
assert branch is not None and same_on_all_ranks(branch._host())
np.testing.assert_allclose(branch._host(), np.full((4, 4), 2 * 1 / world))   # rank 0's grad (2 rows of 1s) / 2
assert same_on_all_ranks(model.module.trunk.weight.grad._host())
model(x, use_branch=True).sum().backward()           # the next iteration works too
facts.append("find_unused ok")

# ---- 5. an unused parameter without the flag: a clear error at the next forward, on every rank ----
model = DDP(Branchy())
model(x, use_branch=True).sum().backward()
try:
    model(x, use_branch=True)
except RuntimeError as exc:
    assert "find_unused_parameters=True" in str(exc) and "never.weight" in str(exc), str(exc)
else:
    raise AssertionError("an unfinished reduction must raise at the next forward")
facts.append("unused error ok")

# ---- 6. mismatched models across ranks: an error at construction on every rank ----
try:
    DDP(nn.Linear(3, 4 + rank))
except RuntimeError as exc:
    assert "DDP expects same model across all ranks" in str(exc), str(exc)
else:
    raise AssertionError("mismatched shapes must raise")

# ---- 7. broadcast_buffers: rank 0's running statistics before each synced forward ----
bn_model = DDP(nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4)))
if rank == 1:
    bn_model.module[1].running_mean.fill_(123.0)
bn_model(ember.ones(6, 4) + ember.arange(6.).reshape(6, 1)).sum().backward()
assert same_on_all_ranks(bn_model.module[1].running_mean._host())
assert float(bn_model.module[1].running_mean.abs().max()) < 10

# ---- 8. DistributedSampler reads the world from the process group ----
sampler = DistributedSampler(range(11), shuffle=True, seed=5)
shards = [None] * world
dist.all_gather_object(shards, list(sampler))
assert sampler.num_replicas == 2 and sampler.rank == rank and len(shards[0]) == len(shards[1]) == 6
assert set(shards[0]) | set(shards[1]) == set(range(11))

# ---- 9. checkpoint under DDP: rank 0 writes atomically, the others wait; resuming continues exactly ----
path = os.path.join(ckpt_dir, "ddp.pth")


def fresh(seed):
    ember.manual_seed(seed)
    model = DDP(mlp(), bucket_cap_mb=0.0005)
    return model, ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


model, opt = fresh(11)
train(model, opt, X[:, half], Y[:, half], 2)
if rank == 0:
    ember.save({"model": model.state_dict(), "optim": opt.state_dict()}, path)
dist.barrier()
assert os.path.exists(path) and not [f for f in os.listdir(ckpt_dir) if f != "ddp.pth"], os.listdir(ckpt_dir)
train(model, opt, X[:, half][2:], Y[:, half][2:], 3)
uninterrupted = flat_params(model.module)

resumed, opt2 = fresh(99)                            # another start, replaced by the checkpoint
state = ember.load(path)
assert all(key.startswith("module.") for key in state["model"]), list(state["model"])
resumed.load_state_dict(state["model"])
opt2.load_state_dict(state["optim"])
train(resumed, opt2, X[:, half][2:], Y[:, half][2:], 3)
assert np.array_equal(flat_params(resumed.module), uninterrupted), "resuming from the checkpoint diverged"
assert same_on_all_ranks(uninterrupted)
facts.append("checkpoint resume bit-exact")

dist.destroy_process_group()
print(f"OK ddp rank {rank}: " + "; ".join(facts), flush=True)
