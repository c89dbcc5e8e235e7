"""Run under ``mpiexec -n 2`` (by test_mpi.py): every collective, in both forms, across dtypes.

Each rank prints ``OK rank R/W <n> checks`` at the end; any failure raises, which aborts the job.
"""
import ml_dtypes
import numpy as np

import ember
import ember.distributed as dist
from ember.distributed import ReduceOp

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
assert world == 2 and dist.get_backend() == "mpi", (world, dist.get_backend())
checks = 0


def check(got, want):
    global checks
    got = got.detach()._host()
    if got.dtype.kind == "V":
        got = got.astype(np.float32)
    np.testing.assert_array_equal(got, np.asarray(want, dtype=got.dtype))
    checks += 1


def values(dtype, r):
    """Rank r's input: [r+1, r+2, r+3, r+4] (booleans: rank 0 [T, F, T, F], rank 1 [T, T, F, F])."""
    if dtype is ember.bool:
        return ember.tensor([[True, False, True, False], [True, True, False, False]][r])
    return ember.tensor([r + 1, r + 2, r + 3, r + 4], dtype=dtype)


NUMERIC = [ember.float32, ember.float64, ember.float16, ember.bfloat16, ember.int64, ember.int32, ember.uint8,
           ember.int8, ember.complex64]
ranks = np.array([[1, 2, 3, 4], [2, 3, 4, 5]], dtype=np.float64)
expect = {ReduceOp.SUM: ranks.sum(0), ReduceOp.MAX: ranks.max(0), ReduceOp.MIN: ranks.min(0),
          ReduceOp.PRODUCT: ranks.prod(0), ReduceOp.AVG: ranks.mean(0)}

# ---- all_reduce: every op and dtype, blocking and async, contiguous and strided ----
for dtype in NUMERIC:
    for op, want in expect.items():
        if op is ReduceOp.AVG and not (dtype.is_floating_point or dtype.is_complex):
            continue
        if op in (ReduceOp.MAX, ReduceOp.MIN) and dtype.is_complex:
            continue
        t = values(dtype, rank)
        dist.all_reduce(t, op=op)
        check(t, want)
        t = values(dtype, rank)
        work = dist.all_reduce(t, op=op, async_op=True)
        assert work.wait() is True and work.is_completed()
        check(t, want)
big = ember.arange(12, dtype=ember.float32).reshape(3, 4) * (rank + 1)
column = big[:, 1]                       # a strided view: reduced through a staging copy, written back
dist.all_reduce(column)
check(big[:, 1], [3, 15, 27])
check(big[:, 0], np.array([0, 4, 8]) * (rank + 1))
for op, want in [(ReduceOp.SUM, [True, True, True, False]), (ReduceOp.MIN, [True, False, False, False]),
                 (ReduceOp.MAX, [True, True, True, False])]:
    t = values(ember.bool, rank)
    dist.all_reduce(t, op=op)
    check(t, want)
for op, want in [(ReduceOp.BAND, 1 & 2), (ReduceOp.BOR, 1 | 2), (ReduceOp.BXOR, 1 ^ 2)]:
    t = ember.tensor([rank + 1])
    dist.all_reduce(t, op=op)
    check(t, [want])

# bfloat16 is reduced in float32: 1 + 2**-8 on both ranks sums to 2 + 2**-7, exact in bf16
t = ember.full((5,), 1 + 2 ** -7, dtype=ember.bfloat16)
dist.all_reduce(t)
assert t.dtype is ember.bfloat16
check(t, np.full(5, 2 + 2 ** -6))
# many bf16 values whose rank-wise sum rounds once (the upcast) and not twice
bf = np.linspace(-3, 3, 101).astype(ml_dtypes.bfloat16)
t = ember.from_numpy(bf.copy() if rank == 0 else (bf.astype(np.float32) * 3).astype(ml_dtypes.bfloat16))
dist.all_reduce(t)
want = (bf.astype(np.float32) + (bf.astype(np.float32) * 3).astype(ml_dtypes.bfloat16).astype(np.float32))
check(t, want.astype(ml_dtypes.bfloat16).astype(np.float32))

# ---- broadcast from rank 1, every dtype, blocking and async ----
for dtype in NUMERIC + [ember.bool]:
    t = values(dtype, rank)
    dist.broadcast(t, src=1)
    check(t, values(dtype, 1)._host())
    t = values(dtype, rank)
    dist.broadcast(t, src=1, async_op=True).wait()
    check(t, values(dtype, 1)._host())

# ---- all_gather / all_gather_into_tensor / gather / scatter / reduce / reduce_scatter ----
for dtype in [ember.float32, ember.float64, ember.int64, ember.float16, ember.bfloat16]:
    out = [ember.zeros(4, dtype=dtype) for _ in range(world)]
    dist.all_gather(out, values(dtype, rank))
    for r in range(world):
        check(out[r], ranks[r])
    out = [ember.zeros(4, dtype=dtype) for _ in range(world)]
    dist.all_gather(out, values(dtype, rank), async_op=True).wait()
    check(out[1], ranks[1])
    flat = ember.zeros(8, dtype=dtype)
    dist.all_gather_into_tensor(flat, values(dtype, rank))
    check(flat, ranks.reshape(-1))

    t = values(dtype, rank)
    dist.reduce(t, dst=1)
    check(t, ranks.sum(0) if rank == 1 else ranks[rank])

    gl = [ember.zeros(4, dtype=dtype) for _ in range(world)] if rank == 0 else None
    dist.gather(values(dtype, rank), gl, dst=0)
    if rank == 0:
        check(gl[0], ranks[0])
        check(gl[1], ranks[1])

    got = ember.zeros(4, dtype=dtype)
    sl = [values(dtype, 0) * 10, values(dtype, 1) * 10] if rank == 1 else None
    dist.scatter(got, sl, src=1, async_op=True).wait()
    check(got, ranks[rank] * 10)

    out = ember.zeros(4, dtype=dtype)
    dist.reduce_scatter(out, [values(dtype, rank), values(dtype, rank) * 2])
    check(out, ranks.sum(0) * (rank + 1))

# ---- point to point ----
for dtype in [ember.float32, ember.int64, ember.bfloat16]:
    if rank == 0:
        dist.send(values(dtype, 0) * 7, dst=1, tag=3)
        t = ember.zeros(4, dtype=dtype)
        assert dist.recv(t, src=None) == 1
        check(t, ranks[1])
    else:
        t = ember.zeros(4, dtype=dtype)
        assert dist.recv(t, src=0, tag=3) == 0
        check(t, ranks[0] * 7)
        dist.send(values(dtype, 1), dst=0)
peer = 1 - rank
out, into = ember.full((3,), float(rank)), ember.zeros(3)
works = [dist.isend(out, dst=peer), dist.irecv(into, src=peer)]
for w in works:
    w.wait()
check(into, [peer] * 3)

# ---- objects ----
objs = [None, None]
dist.all_gather_object(objs, {"rank": rank, "name": f"r{rank}"})
assert objs == [{"rank": 0, "name": "r0"}, {"rank": 1, "name": "r1"}], objs
lst = [rank, "x", None] if rank == 0 else [None, None, None]
dist.broadcast_object_list(lst, src=0)
assert lst == [0, "x", None], lst
gathered = [None, None] if rank == 1 else None
dist.gather_object(("g", rank), gathered, dst=1)
assert rank == 0 or gathered == [("g", 0), ("g", 1)], gathered
out = [None]
dist.scatter_object_list(out, [{"to": 0}, {"to": 1}] if rank == 0 else None, src=0)
assert out == [{"to": rank}], out
checks += 4

# ---- barrier, async handles, futures ----
dist.barrier()
dist.barrier(async_op=True).wait()
t = ember.ones(3)
fut = dist.all_reduce(t, async_op=True).get_future().then(lambda f: f.value()[0] * 10)
check(fut.wait(), [20, 20, 20])

dist.destroy_process_group()
assert not dist.is_initialized()
print(f"OK rank {rank}/{world} {checks} checks", flush=True)
