"""ember.distributed without MPI: the world of one process, DDP on it, DistributedSampler against torch, the
launcher's pieces.  Nothing here needs mpi4py or mpiexec."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember
import ember.distributed as dist
from ember import nn
from ember.distributed import ReduceOp
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.nn.parallel.distributed import _assign_buckets
from ember.utils.data import DistributedSampler

_LAUNCH_VARS = ("PMI_SIZE", "PMI_RANK", "PMI_FD", "PMI_PORT", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK",
                "MPI_LOCALNRANKS", "EMBER_WORLD_SIZE", "WORLD_SIZE")


@pytest.fixture
def world(monkeypatch):
    for var in _LAUNCH_VARS:
        monkeypatch.delenv(var, raising=False)
    dist.init_process_group("mpi")       # not launched by MPI: the world of one
    yield
    if dist.is_initialized():
        dist.destroy_process_group()


def test_import_ember_starts_no_mpi():
    code = "import sys, ember, ember.distributed, ember.nn.parallel; print('mpi4py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_process_group_lifecycle(monkeypatch):
    for var in _LAUNCH_VARS:
        monkeypatch.delenv(var, raising=False)
    assert dist.is_available() and not dist.is_initialized()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.get_rank()
    dist.init_process_group()
    try:
        assert (dist.get_rank(), dist.get_world_size(), dist.get_backend()) == (0, 1, "local")
        assert dist.group.WORLD is not None and dist.group.WORLD.size() == 1
        with pytest.raises(ValueError, match="twice"):
            dist.init_process_group()
    finally:
        dist.destroy_process_group()
    assert not dist.is_initialized() and dist.group.WORLD is None
    with pytest.raises(ValueError, match="Invalid backend"):
        dist.init_process_group("tcp")


def test_asking_for_company_without_a_launcher_fails(monkeypatch):
    for var in _LAUNCH_VARS:
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(RuntimeError, match="not started by an MPI launcher"):
        dist.init_process_group(world_size=2)
    monkeypatch.setenv("WORLD_SIZE", "4")
    with pytest.raises(RuntimeError, match="WORLD_SIZE variable asks for 4"):
        dist.init_process_group("gloo")
    assert not dist.is_initialized()


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.float16, ember.bfloat16, ember.int64])
def test_collectives_in_a_world_of_one(world, dtype):
    x = ember.tensor([1, 2, 3], dtype=dtype)
    ops = [ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.PRODUCT]
    ops += [ReduceOp.AVG] if dtype.is_floating_point else []
    for op in ops:
        t = x.clone()
        dist.all_reduce(t, op=op)
        assert t.tolist() == x.tolist() and t.dtype is dtype
        work = dist.all_reduce(t, op=op, async_op=True)
        assert work.wait() and work.is_completed() and work.result()[0] is t
    out = [ember.zeros(3, dtype=dtype)]
    dist.all_gather(out, x)
    assert out[0].tolist() == x.tolist()
    flat = ember.zeros(3, dtype=dtype)
    dist.all_gather_into_tensor(flat, x)
    assert flat.tolist() == x.tolist()
    got = ember.zeros(3, dtype=dtype)
    dist.scatter(got, [x], src=0)
    assert got.tolist() == x.tolist()
    gl = [ember.zeros(3, dtype=dtype)]
    dist.gather(x, gl, dst=0)
    assert gl[0].tolist() == x.tolist()
    t = x.clone()
    dist.broadcast(t, src=0)
    dist.reduce(t, dst=0)
    assert t.tolist() == x.tolist()
    dist.send(x * 2, dst=0, tag=5)
    got = ember.zeros(3, dtype=dtype)
    assert dist.recv(got, src=0, tag=5) == 0 and got.tolist() == (x * 2).tolist()
    dist.barrier()


def test_errors_say_what_is_wrong(world):
    with pytest.raises(RuntimeError, match="no matching send"):
        dist.recv(ember.zeros(2), src=0)
    with pytest.raises(ValueError, match="Invalid source rank 1"):
        dist.broadcast(ember.zeros(2), src=1)
    with pytest.raises(ValueError, match="one tensor per rank"):
        dist.all_gather([ember.zeros(2), ember.zeros(2)], ember.zeros(2))
    with pytest.raises(ValueError, match="AVG needs a floating-point"):
        dist.all_reduce(ember.tensor([1, 2]), op=ReduceOp.AVG)


def test_objects_and_futures(world):
    objs = [None]
    dist.all_gather_object(objs, {"a": [1, 2]})
    assert objs == [{"a": [1, 2]}]
    lst = [1, "two"]
    dist.broadcast_object_list(lst, src=0)
    assert lst == [1, "two"]
    gathered = [None]
    dist.gather_object(3, gathered, dst=0)
    out = [None]
    dist.scatter_object_list(out, ["mine"], src=0)
    assert gathered == [3] and out == ["mine"]
    fut = dist.all_reduce(ember.ones(2), async_op=True).get_future().then(lambda f: f.value()[0] + 1)
    assert fut.wait().tolist() == [2.0, 2.0]


def test_bf16_strided_in_place(world):
    base = ember.arange(6, dtype=ember.bfloat16).reshape(2, 3)
    col = base[:, 1]
    version = col._version
    dist.all_reduce(col, op=ReduceOp.AVG)
    assert base.tolist() == [[0, 1, 2], [3, 4, 5]] and col._version > version


# ---- DistributedDataParallel on one process --------------------------------------------------------------

def _mlp():
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3))


def test_ddp_alone_trains_like_the_plain_module(world):
    ember.manual_seed(0)
    plain = _mlp()
    wrapped = DDP(_mlp(), bucket_cap_mb=0.0002)
    wrapped.module.load_state_dict(plain.state_dict())
    assert len(wrapped._buckets) >= 2
    x, y = ember.randn(5, 8, 6), ember.randn(5, 8, 3)
    for model in (plain, wrapped):
        opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        for s in range(5):
            opt.zero_grad()
            nn.functional.mse_loss(model(x[s]), y[s]).backward()
            opt.step()
    for a, b in zip(plain.parameters(), wrapped.module.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    assert list(wrapped.state_dict()) == ["module." + k for k in plain.state_dict()]
    assert list(wrapped.state_dict()) == list(torch.nn.parallel.DistributedDataParallel.state_dict(
        _torch_ddp_like(plain)))


def _torch_ddp_like(module):
    """A torch Module laid out as torch's DDP (``module`` submodule) with ember's parameter names."""
    holder = torch.nn.Module()
    holder.module = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    return holder


def test_buckets_start_during_backward_in_order(world):
    ember.manual_seed(0)
    model = DDP(_mlp(), bucket_cap_mb=0.0001)    # 105 B: the head's parameters, then the first layer's
    events = []

    def hook(state, bucket):
        events.append(("launch", bucket.index(), [tuple(p.shape) for p in bucket.parameters()]))
        fut = dist.Future()
        fut.set_result(bucket.buffer())
        return fut

    model.register_comm_hook(None, hook)
    model.module[0].weight.register_hook(lambda g: events.append(("grad", "0.weight")))
    model(ember.randn(4, 6)).sum().backward()
    kinds = [e[0] for e in events]
    first = kinds.index("grad")
    assert kinds[:first] == ["launch"] * first and first >= 1, events
    assert [e[1] for e in events if e[0] == "launch"] == list(range(len(model._buckets)))
    assert events[0][2][0] == (3,)           # the last parameter (head bias) is in the first bucket
    with pytest.raises(RuntimeError, match="only be called once"):
        model.register_comm_hook(None, hook)


def test_bucket_assignment_reverse_order_per_dtype():
    params = [ember.zeros(100), ember.zeros(100, dtype=ember.float64), ember.zeros(300), ember.zeros(10)]
    # float32 tensors in reverse: 40 B -> with 1200 B = 1240 >= 1000 closes the first bucket; 400 B stays open
    assert _assign_buckets(params, cap_bytes=1000, first_bytes=1000) == [[3, 2], [1], [0]]
    assert _assign_buckets(params, cap_bytes=10 ** 9, first_bytes=30) == [[3], [1], [2, 0]]


def test_no_sync_and_unused_parameters(world):
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.used, self.unused = nn.Linear(3, 3), nn.Linear(3, 3)

        def forward(self, x):
            return self.used(x)

    ember.manual_seed(0)
    x = ember.randn(4, 3)
    model = DDP(Two(), find_unused_parameters=True)
    with model.no_sync():
        model(x[:2]).sum().backward()
    model(x[2:]).sum().backward()
    ref = Two()
    ref.load_state_dict(model.module.state_dict())
    ref(x).sum().backward()
    assert np.allclose(model.module.used.weight.grad.numpy(), ref.used.weight.grad.numpy(), atol=1e-6)
    assert model.module.unused.weight.grad is None

    strict = DDP(Two())
    strict(x).sum().backward()
    with pytest.raises(RuntimeError, match="Expected to have finished reduction.*unused.weight, unused.bias"):
        strict(x)
    strict(x).sum().backward()               # after the error the next iteration starts afresh

    with pytest.raises(RuntimeError, match="doesn't have any parameter that requires a gradient"):
        DDP(nn.ReLU())


def test_gradient_as_bucket_view(world):
    ember.manual_seed(0)
    model = DDP(_mlp(), gradient_as_bucket_view=True)
    ref = _mlp()
    ref.load_state_dict(model.module.state_dict())
    x = ember.randn(4, 6)
    for _ in range(2):                       # accumulate twice: the second writes into the views
        model(x).sum().backward()
        ref(x).sum().backward()
    for a, b in zip(model.module.parameters(), ref.parameters()):
        assert np.allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-6)


# ---- DistributedSampler against torch ---------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 7, 10, 101])
@pytest.mark.parametrize("world_size", [1, 2, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sampler_matches_torch(n, world_size, drop_last):
    from torch.utils.data import DistributedSampler as TorchSampler
    if drop_last and n < world_size:
        return
    shards = []
    for rank in range(world_size):
        for shuffle, seed, epoch in [(True, 0, 0), (True, 3, 5), (False, 0, 0)]:
            ours = DistributedSampler(range(n), world_size, rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
            theirs = TorchSampler(range(n), world_size, rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
            ours.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(ours) == list(theirs) and len(ours) == len(theirs)
        shards.append(list(DistributedSampler(range(n), world_size, rank, seed=1, drop_last=drop_last)))
    everything = [i for shard in shards for i in shard]
    assert len({len(s) for s in shards}) == 1
    if drop_last:
        assert len(set(everything)) == len(everything) == n - n % world_size
    else:
        assert set(everything) == set(range(n))


def test_sampler_reads_the_process_group(monkeypatch):
    for var in _LAUNCH_VARS:
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedSampler(range(4))
    dist.init_process_group()
    try:
        s = DistributedSampler(range(4))
        assert (s.num_replicas, s.rank, len(s)) == (1, 0, 4)
    finally:
        dist.destroy_process_group()


# ---- the launcher's pieces ---------------------------------------------------------------------------------

def test_launcher_command(tmp_path, monkeypatch):
    from ember.distributed import run
    fake = tmp_path / "mpiexec"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert run.find_mpiexec(str(fake)) == str(fake)
    monkeypatch.setenv("EMBER_MPIEXEC", str(fake))
    assert run.find_mpiexec() == str(fake)
    args = run.parse(["-n", "3", "train.py", "--lr", "0.1"])
    assert run.build_command(args, "/x/mpiexec", "MPICH") == ["/x/mpiexec", "-n", "3", sys.executable, "-u",
                                                                "train.py", "--lr", "0.1"]
    args = run.parse(["--nproc-per-node", "2", "-m", "pkg.train"])
    assert run.build_command(args, "m", "MPICH")[-2:] == ["-m", "pkg.train"]
    assert run._family("mpiexec (Open MPI) 5.0.11") == "Open MPI"
    assert run._family("HYDRA build details:") == "MPICH"
    with pytest.raises(SystemExit):
        run.parse(["-n", "0", "train.py"])


def test_docstring_example(world):
    dist.destroy_process_group()
    import doctest
    import ember.nn.parallel.distributed as mod
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
    assert os.environ.get("PMI_SIZE") is None
