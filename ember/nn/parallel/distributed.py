"""DistributedDataParallel: one model replica per process, gradients averaged over the processes in buckets.

At construction the replicas are checked (same parameter names, shapes and dtypes on every rank) and rank 0's
parameters and buffers are broadcast to the others.  The parameters are grouped into buckets in reverse
order (the order backward produces their gradients); a post-accumulate-grad hook on each parameter marks it
ready, and a bucket whose parameters are all ready starts its all-reduce at once, while backward goes on
computing the gradients of earlier layers.  Buckets start in index order on every rank (collectives must
match across ranks).  When the last bucket has started, all are waited for and the averaged values are
written back into ``.grad``, so ``optimizer.step()`` sees the same gradients on every rank.
"""
from __future__ import annotations

import contextlib
import weakref

import numpy as np

from ... import distributed as dist
from ...distributed._collectives import _Staged
from ...distributed._work import Future
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_MB = 1024 * 1024
_DEFAULT_BUCKET_CAP_MB = 25
_DEFAULT_FIRST_BUCKET_BYTES = 1 * _MB
_BROADCAST_CHUNK_BYTES = 250 * _MB

_UNFINISHED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. This error indicates "
    "that your module has parameters that were not used in producing loss. You can enable unused parameter "
    "detection by passing the keyword argument `find_unused_parameters=True` to "
    "`ember.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function outputs participate "
    "in calculating loss. Parameters which did not receive grad for rank {rank}: {names}")


class GradBucket:
    """What a communication hook receives: one bucket's flat gradient buffer and its parameters."""

    def __init__(self, index, buffer, parameters, is_last):
        self._index, self._buffer, self._parameters, self._is_last = index, buffer, parameters, is_last

    def index(self) -> int:
        return self._index

    def buffer(self):
        """The flattened gradients of this bucket (a 1-d tensor; float32 for half-precision parameters)."""
        return self._buffer

    def parameters(self):
        return list(self._parameters)

    def gradients(self):
        return [p.grad for p in self._parameters]

    def is_last(self) -> bool:
        return self._is_last

    def set_buffer(self, tensor):
        self._buffer._data[...] = tensor._host().reshape(-1)


class _Bucket:
    """Parameters whose gradients travel together in one flat buffer."""
    __slots__ = ("index", "params", "offsets", "buf", "pending", "ready", "work", "future")

    def __init__(self, index, params):
        self.index = index
        self.params = params                 # [(position in DDP's parameter list, Parameter)]
        sizes = [p.numel() for _, p in params]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        dtype = params[0][1]._data.dtype
        wire = np.float32 if dtype.kind == "V" or dtype == np.float16 else dtype   # MPI has no bf16: upcast
        self.buf = np.zeros(int(self.offsets[-1]), wire)
        self.pending = len(params)
        self.ready = False
        self.work = None
        self.future = None


def _assign_buckets(params, cap_bytes, first_bytes):
    """Bucket the parameters in reverse order, one dtype per bucket; the first bucket of each dtype closes at
    ``first_bytes``, the later ones at ``cap_bytes``.  Returns lists of parameter positions, in the order the
    buckets are expected to become ready."""
    open_buckets, closed = {}, []
    for i in reversed(range(len(params))):
        p = params[i]
        key = p._data.dtype
        bucket = open_buckets.setdefault(key, [[], 0, 0])      # positions, bytes, buckets closed for this dtype
        bucket[0].append(i)
        bucket[1] += p.numel() * p._data.dtype.itemsize
        limit = first_bytes if bucket[2] == 0 else cap_bytes
        if bucket[1] >= limit:
            closed.append(bucket[0])
            open_buckets[key] = [[], 0, bucket[2] + 1]
    closed.extend(b[0] for b in open_buckets.values() if b[0])
    closed.sort(key=lambda positions: -min(positions))     # a bucket is ready when its earliest parameter is
    return closed


class DistributedDataParallel(Module):
    """Data parallelism over ``ember.distributed``: wrap the model, train as usual; gradients are averaged.

    ``broadcast_buffers`` re-broadcasts rank 0's buffers (e.g. BatchNorm statistics) before each forward that
    will sync.  ``find_unused_parameters`` walks the autograd graph after forward and marks the parameters it
    does not reach as ready, so a model that leaves some parameters unused still finishes its reduction
    (without it, that raises at the next forward instead of hanging).  Gradients of a parameter unused on
    every rank stay as they were.  ``gradient_as_bucket_view`` leaves ``.grad`` as views into the buckets
    (saving a copy per step).  ``device_ids``, ``output_device``, ``dim`` and ``static_graph`` are accepted
    for torch compatibility and have no effect (one process drives one device here).

    >>> import ember, ember.distributed as dist
    >>> dist.init_process_group("local")
    >>> model = DistributedDataParallel(ember.nn.Linear(3, 1))
    >>> model(ember.ones(2, 3)).sum().backward()
    >>> list(model.state_dict())
    ['module.weight', 'module.bias']
    >>> dist.destroy_process_group()
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True, init_sync=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        self.module = module
        self.process_group = dist._init._default_group(process_group)
        self.device_ids, self.output_device, self.dim = device_ids, output_device, dim
        self.broadcast_buffers = True if broadcast_buffers is None else broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter that "
                               "requires a gradient.")
        self._param_names = [n for n, _ in named]
        self._params = [p for _, p in named]
        self._verify_same_model()
        if init_sync:
            self._broadcast_coalesced([p for _, p in module.named_parameters()] + self._buffers_to_sync())
        cap = _DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        self.bucket_bytes_cap = int(cap * _MB)
        first = _DEFAULT_FIRST_BUCKET_BYTES if bucket_cap_mb is None else self.bucket_bytes_cap
        positions = _assign_buckets(self._params, self.bucket_bytes_cap, min(first, self.bucket_bytes_cap))
        self._buckets = [_Bucket(k, [(i, self._params[i]) for i in pos]) for k, pos in enumerate(positions)]
        self._where = {}                     # parameter position -> (bucket, slot)
        for b in self._buckets:
            for slot, (i, _) in enumerate(b.params):
                self._where[i] = (b, slot)
        self._comm_hook = None
        self._armed = False                  # a synced forward ran; its backward will reduce
        self._marked = np.zeros(len(self._params), bool)
        self._used = np.zeros(len(self._params), bool)
        self._next_bucket = 0
        ref = weakref.ref(self)
        self._hook_handles = [p.register_post_accumulate_grad_hook(_ready_hook(ref, i))
                              for i, p in enumerate(self._params)]

    # ---- forward -------------------------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        from ...autograd.grad_mode import is_grad_enabled  # noqa: PLC0415
        sync = is_grad_enabled() and self.require_backward_grad_sync
        self.require_forward_param_sync = sync
        if self._armed and self._marked.any():
            self._raise_unfinished()
        if sync and self.broadcast_buffers and self.process_group.size() > 1:
            buffers = self._buffers_to_sync()
            if buffers:
                self._broadcast_coalesced(buffers)
        self._prepare(sync)
        output = self.module(*inputs, **kwargs)
        if sync and self.find_unused_parameters:
            self._mark_unused(output)
        return output

    @contextlib.contextmanager
    def no_sync(self):
        """Gradients of backward passes inside accumulate locally; the next synced backward reduces them all."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def register_comm_hook(self, state, hook):
        """Replace the averaging all-reduce: ``hook(state, bucket: GradBucket)`` returns a ``Future`` whose value
        is the reduced flat buffer (already divided as wanted)."""
        if self._comm_hook is not None:
            raise RuntimeError("register_comm_hook or register_builtin_comm_hook can only be called once.")
        self._comm_hook = (state, hook)

    # ---- the reduction ---------------------------------------------------------------------------------------
    def _prepare(self, sync):
        self._armed = sync
        self._marked[:] = False
        self._next_bucket = 0
        for b in self._buckets:
            b.pending, b.ready, b.work, b.future = len(b.params), False, None, None

    def _mark_ready(self, i):
        if self._marked[i]:
            raise RuntimeError(f"Expected to mark a variable ready only once. Parameter {self._param_names[i]} was "
                               "marked twice in one iteration (e.g. a second backward through the same forward, or "
                               "a parameter shared by modules and listed twice); call the DDP module's forward "
                               "again before each backward")
        self._marked[i] = True
        bucket, _ = self._where[i]
        bucket.pending -= 1
        if bucket.pending == 0:
            bucket.ready = True
            while self._next_bucket < len(self._buckets) and self._buckets[self._next_bucket].ready:
                self._launch(self._buckets[self._next_bucket])
                self._next_bucket += 1
            if self._next_bucket == len(self._buckets):
                self._finalize()
        else:
            self._poke()

    def _launch(self, bucket):
        buf, offsets = bucket.buf, bucket.offsets
        for slot, (_, p) in enumerate(bucket.params):
            region = buf[offsets[slot]:offsets[slot + 1]]
            g = p.grad
            if g is None:
                region[...] = 0
            elif not np.shares_memory(region, g._data):    # with gradient_as_bucket_view it is already there
                region[...] = g._host().reshape(-1)
        if self._comm_hook is not None:
            state, hook = self._comm_hook
            from ...tensor import _wrap  # noqa: PLC0415
            grad_bucket = GradBucket(bucket.index, _wrap(buf), [p for _, p in bucket.params],
                                     bucket.index == len(self._buckets) - 1)
            bucket.future = hook(state, grad_bucket)
        else:
            bucket.work = self.process_group._backend.all_reduce(buf, dist.ReduceOp.SUM)

    def _poke(self):
        """Let MPI progress the reductions in flight (nonblocking collectives advance inside MPI calls)."""
        for b in self._buckets[:self._next_bucket]:
            if b.work is not None:
                b.work.Test()

    def _finalize(self):
        self._armed = False
        self._marked[:] = False
        world = self.process_group.size()
        used = None
        if self.find_unused_parameters:
            used = self._used.astype(np.uint8)
            self.process_group._backend.all_reduce(used, dist.ReduceOp.MAX).Wait()
        for b in self._buckets:
            if b.future is not None:
                result = b.future.wait()
                values = result._host().reshape(-1) if hasattr(result, "_host") else np.asarray(result).reshape(-1)
            else:
                b.work.Wait()
                if world > 1:
                    b.buf /= world
                values = b.buf
            self._write_back(b, values, used)
        self._used[:] = False

    def _write_back(self, bucket, values, used):
        from ...tensor import _wrap  # noqa: PLC0415
        offsets = bucket.offsets
        as_view = self.gradient_as_bucket_view and values is bucket.buf
        for slot, (i, p) in enumerate(bucket.params):
            if used is not None and not used[i]:
                continue                     # unused on every rank: leave .grad alone, as torch does
            region = values[offsets[slot]:offsets[slot + 1]].reshape(p.shape)
            g = p.grad
            if as_view and type(p._data) is np.ndarray and region.dtype == p._data.dtype:
                if g is None or not np.shares_memory(region, g._data):
                    p.grad = _wrap(region)   # the averaged values are already in the bucket
                else:
                    g._bump_version()
                continue
            if g is None:
                g = p.grad = p.detach().clone().zero_()
            staged = _Staged(g, reduce=True, fill=False)     # bfloat16 staged as float32
            staged.buf[...] = region
            staged.commit()

    def _raise_unfinished(self):
        missing = [self._param_names[i] for i in np.flatnonzero(~self._marked)]
        self._armed = False
        raise RuntimeError(_UNFINISHED.format(rank=self.process_group.rank(), names=", ".join(missing)))

    def _mark_unused(self, output):
        """find_unused_parameters: parameters the output's graph does not reach are ready right now."""
        reached = _reachable_leaves(output)
        for i, p in enumerate(self._params):
            if id(p) not in reached and not self._marked[i]:
                self._mark_ready(i)

    # ---- construction helpers -----------------------------------------------------------------------------------
    def _buffers_to_sync(self):
        return [b for _, b in self.module.named_buffers()]

    def _verify_same_model(self):
        pg = self.process_group
        if pg.size() == 1:
            return
        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in zip(self._param_names, self._params)]
        everyone = [None] * pg.size()
        dist.all_gather_object(everyone, mine)
        reference = everyone[0]
        for rank, theirs in enumerate(everyone):
            if len(theirs) != len(reference):
                raise RuntimeError(f"DDP expects same model across all ranks, but Rank {rank} has {len(theirs)} "
                                   f"params, while rank 0 has inconsistent {len(reference)} params.")
            for k, (a, b) in enumerate(zip(theirs, reference)):
                if a[1:] != b[1:] or a[0] != b[0]:
                    raise RuntimeError(f"DDP expects same model across all ranks: params[{k}] ({a[0]}) in process "
                                       f"{rank} with sizes {list(a[1])} and dtype {a[2]} appears not to match the "
                                       f"same param in process 0 ({b[0]}, sizes {list(b[1])}, dtype {b[2]}).")

    def _broadcast_coalesced(self, tensors):
        """Overwrite ``tensors`` with rank 0's values: one broadcast per dtype and 250 MB chunk."""
        if self.process_group.size() == 1 or not tensors:
            return
        staged = [_Staged(t) for t in tensors if t.numel()]
        groups = {}
        for s in staged:
            groups.setdefault(s.buf.dtype, []).append(s)
        for dtype, members in groups.items():
            chunk, size = [], 0
            for s in members + [None]:
                if s is None or (chunk and size + s.buf.nbytes > _BROADCAST_CHUNK_BYTES):
                    if chunk:
                        self._broadcast_chunk(chunk, dtype)
                    chunk, size = [], 0
                if s is not None:
                    chunk.append(s)
                    size += s.buf.nbytes

    def _broadcast_chunk(self, chunk, dtype):
        flat = np.concatenate([s.buf.reshape(-1) for s in chunk]).astype(dtype, copy=False)
        self.process_group._backend.broadcast(flat, 0).Wait()
        if self.process_group.rank() != 0:
            offset = 0
            for s in chunk:
                n = s.buf.size
                s.buf[...] = flat[offset:offset + n].reshape(s.buf.shape)
                offset += n
                s.commit()


def _ready_hook(ref, i):
    def hook(param):
        ddp = ref()
        if ddp is None:
            return
        ddp._used[i] = True
        if ddp._armed:
            ddp._mark_ready(i)
    return hook


def _reachable_leaves(output):
    """ids of the leaf tensors that the autograd graph behind ``output`` (tensors, possibly nested in tuples,
    lists and dicts) reaches."""
    from ...autograd.graph import AccumulateGrad  # noqa: PLC0415
    from ...tensor import Tensor  # noqa: PLC0415
    reached, nodes, stack = set(), [], [output]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            if x._grad_fn is not None:
                nodes.append(x._grad_fn)
            elif x.requires_grad:
                reached.add(id(x))
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
    seen = set()
    while nodes:
        node = nodes.pop()
        if node in seen:
            continue
        seen.add(node)
        if type(node) is AccumulateGrad:
            t = node.variable
            if t is not None:
                reached.add(id(t))
            continue
        nodes.extend(e[0] for e in node._edges if e is not None)
    return reached
