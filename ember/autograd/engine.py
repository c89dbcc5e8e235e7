"""The reverse pass.

``run_backward`` finds every node reachable from the roots, runs them once in decreasing creation order
(which is always a valid topological order: a node's inputs exist before it, and it is the order torch's
ready queue produces on one thread), and hands each gradient on as soon as it is complete.  Leaf
accumulators run as soon as their last gradient has arrived.  Gradients are freed as they are consumed;
saved tensors are freed after each node unless ``retain_graph``.
"""
from __future__ import annotations

import sys

import numpy as np

from . import grad_mode
from .function import _anomaly
from .graph import AccumulateGrad

__all__ = ["run_backward"]

_getrefcount = sys.getrefcount


_callbacks = []     # run once when the current backward pass ends (queue_callback)


def queue_callback(fn):
    """Run ``fn()`` when the backward pass now running has finished."""
    _callbacks.append(fn)


def _run_callbacks():
    while _callbacks:
        _callbacks.pop(0)()


def run_backward(roots, grads, retain_graph, create_graph, inputs=None, accumulate=True, allow_unused=False):
    """Backpropagate ``grads`` from ``roots`` (tensors).

    ``accumulate=True`` adds into ``.grad`` of leaves (``Tensor.backward``), restricted to ``inputs`` when
    given; ``accumulate=False`` returns the gradients of ``inputs`` instead (``autograd.grad``).
    """
    buffers = {}
    root_nodes = []
    for t, g in zip(roots, grads):
        edge = _root_edge(t)
        _add_to_buffer(buffers, edge[0], edge[1], g)
        root_nodes.append(edge[0])

    captures = None
    wanted = None
    if inputs is not None:
        captures = {}
        wanted = {}
        for i, t in enumerate(inputs):
            node, nr = _input_edge(t)
            wanted.setdefault((node, nr), []).append(i)

    order, leaves_after, pending = _discover(root_nodes, wanted)
    fast = wanted is None and not _anomaly[0]
    pop = buffers.pop
    prev = grad_mode._state[0]
    grad_mode._state[0] = create_graph
    try:
        for node in order:
            g = pop(node, None)
            if g is not None:
                if fast and node._plain:
                    grads_in = type(node).backward(node, g)
                    if type(grads_in) is not tuple:
                        grads_in = (grads_in,)
                    if not retain_graph:
                        node._release()
                else:
                    grads_in = _run_node(node, g, wanted, captures, accumulate, pending, retain_graph)
                g = None
                if grads_in is not None:
                    for edge, gi in zip(node._edges, grads_in):
                        if edge is not None and gi is not None:
                            child = edge[0]
                            if child._n_outputs == 1:
                                old = buffers.get(child)
                                buffers[child] = gi if old is None else old + gi
                            else:
                                _add_to_buffer(buffers, child, edge[1], gi)
                    grads_in = None
            leaves = leaves_after.get(node)
            if leaves is not None:     # this node was the last consumer of these leaves
                for leaf in leaves:
                    lg = pop(leaf, None)
                    if lg is not None:
                        _accumulate_leaf(leaf, lg, accumulate, wanted, captures, create_graph)
        for node in [n for n in buffers if type(n) is AccumulateGrad]:  # a leaf that is itself a root
            _accumulate_leaf(node, pop(node), accumulate, wanted, captures, create_graph)
    except BaseException:
        _callbacks.clear()          # a failed pass runs none of its callbacks
        raise
    finally:
        grad_mode._state[0] = prev
    if _callbacks:
        _run_callbacks()

    if captures is not None and accumulate:   # backward(inputs=[non-leaf]): those get .grad too
        for (node, nr), idxs in wanted.items():
            g = captures.get((node, nr))
            if g is not None and type(node) is not AccumulateGrad:
                for i in idxs:
                    if not inputs[i].retains_grad:   # else its retain_grad hook has stored it already
                        _accumulate_into(inputs[i], g, create_graph)
    if captures is not None and not accumulate:
        out = [None] * len(inputs)
        for (node, nr), idxs in wanted.items():
            g = captures.get((node, nr))
            for i in idxs:
                out[i] = g
        if not allow_unused:
            for i, g in enumerate(out):
                if g is None:
                    raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in "
                                       "the graph. Set allow_unused=True if this is the desired behavior.")
        return out
    return None


# ----------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------

def _root_edge(t):
    if t._grad_fn is not None:
        return (t._grad_fn, t._output_nr)
    if not t.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    from .function import _edge_of
    return _edge_of(t)


def _input_edge(t):
    if not t.requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    from .function import _edge_of
    return _edge_of(t)


def _discover(root_nodes, wanted):
    """Nodes reachable from the roots in decreasing creation order, and for each leaf accumulator the node
    after which all its gradients have arrived (its consumer created first, which runs last).

    With ``wanted`` (the input edges of ``autograd.grad`` / ``backward(inputs=)``), also the set of nodes
    on a path to one of them: only those need to run.
    """
    seen = set(root_nodes)
    stack = list(seen)
    last_consumer = {}
    while stack:
        node = stack.pop()
        for e in node._edges:
            if e is not None:
                child = e[0]
                if type(child) is AccumulateGrad:
                    cur = last_consumer.get(child)
                    if cur is None or node._seq_nr < cur._seq_nr:
                        last_consumer[child] = node
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
    order = sorted([n for n in seen if type(n) is not AccumulateGrad], key=_seq_key, reverse=True)
    leaves_after = {}
    for leaf, node in last_consumer.items():
        leaves_after.setdefault(node, []).append(leaf)
    pending = None
    if wanted is not None:
        targets = {node for node, _ in wanted}
        pending = set()
        for node in reversed(order):   # inputs before their consumers: one pass marks every ancestor
            for e in node._edges:
                if e is not None and (e[0] in targets or e[0] in pending):
                    pending.add(node)
                    break
    return order, leaves_after, pending


def _run_node(node, g, wanted, captures, accumulate, pending, retain_graph):
    """Run one node's backward with its hooks; ``None`` when it needs not run."""
    if node._n_outputs != 1:
        g = _materialize(node, g)
    if wanted is not None:
        _capture(node, g, wanted, captures, accumulate)   # as torch: before the tensor's own hooks
        if node not in pending:     # not on a path to any input: nothing more to do here
            if accumulate and node._pre_hooks is not None:
                _run_tensor_pre_hooks(node, g)   # backward(inputs=[t]) still runs t's hooks (retain_grad)
            return None
    if node._pre_hooks is not None:
        g = _run_tensor_pre_hooks(node, g)
    if node._node_pre_hooks is not None:
        g = _run_node_pre_hooks(node, g)
    grads_in = _call_backward(node, g)
    if node._hooks is not None:
        grads_in = _run_node_hooks(node, grads_in, g)
    if not retain_graph:
        node._release()
    return grads_in


def _seq_key(node):
    return node._seq_nr


def _add_to_buffer(buffers, node, nr, g):
    n_out = node._n_outputs
    if n_out == 1:
        prev = buffers.get(node)
        buffers[node] = g if prev is None else _sum_grads(prev, g)
        return
    slot = buffers.get(node)
    if slot is None:
        slot = buffers[node] = [None] * n_out
    slot[nr] = g if slot[nr] is None else _sum_grads(slot[nr], g)


def _sum_grads(a, b):
    if a.shape != b.shape:  # broadcastable contributions (only from user hooks); keep torch's sum
        return a + b
    return a + b


def _materialize(node, g):
    """Multi-output node: fill gradients of unused outputs with zeros (unless the op opted out)."""
    if not node._materialize:
        return g
    if any(x is None for x in g):
        g = [x if x is not None else _zeros_for_output(node, i) for i, x in enumerate(g)]
    return g


def _zeros_for_output(node, i):
    from ..tensor import _wrap
    meta = node.__dict__.get("_out_meta")
    if meta is None or meta[i] is None:
        return None
    shape, dtype, on_cpu = meta[i]
    if on_cpu:
        return _wrap(np.zeros(shape, dtype))
    import cupy
    return _wrap(cupy.zeros(shape, dtype))


def _call_backward(node, g):
    bw = type(node).backward
    try:
        grads_in = bw(node, *g) if node._n_outputs != 1 else bw(node, g)
    except Exception:
        if _anomaly[0] and node._trace:   # torch names the failing node and shows where its forward ran
            import warnings
            warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                          f"{node._trace}", stacklevel=2)
        raise
    if type(grads_in) is not tuple:
        grads_in = (grads_in,) if not isinstance(grads_in, list) else tuple(grads_in)
    n_edges = len(node._edges)
    if len(grads_in) != n_edges:
        if len(grads_in) > n_edges and all(x is None for x in grads_in[n_edges:]):
            grads_in = grads_in[:n_edges]
        else:
            raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients (expected "
                               f"{n_edges}, got {len(grads_in)})")
    if _anomaly[0]:
        from .anomaly_mode import check_nan
        check_nan(node, grads_in)
    return grads_in


def _hook_result(fn, g, r):
    """The gradient after tensor hook ``fn`` returned ``r``: torch refuses a change of shape or dtype."""
    if r is None:
        return g
    from ..tensor import Tensor
    if not isinstance(r, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
    name = getattr(fn, "__name__", None) or repr(fn)
    if r.shape != g.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if r.dtype is not g.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {g.type()} got {r.type()})")
    return r


def _run_tensor_pre_hooks(node, g):
    hooks = node._pre_hooks
    if node._n_outputs == 1:
        for fn in tuple(hooks.get(0, {}).values()):
            g = _hook_result(fn, g, fn(g))
        return g
    g = list(g)
    for nr, fns in hooks.items():
        for fn in tuple(fns.values()):
            if g[nr] is None:
                continue
            g[nr] = _hook_result(fn, g[nr], fn(g[nr]))
    return g


def _run_node_pre_hooks(node, g):
    single = node._n_outputs == 1
    gt = (g,) if single else tuple(g)
    for fn in tuple(node._node_pre_hooks.values()):
        r = fn(gt)
        if r is not None:
            gt = tuple(r)
    return gt[0] if single else list(gt)


def _run_node_hooks(node, grads_in, g):
    gout = (g,) if node._n_outputs == 1 else tuple(g)
    for fn in tuple(node._hooks.values()):
        r = fn(grads_in, gout)
        if r is not None:
            grads_in = tuple(r)
    return grads_in


def _capture(node, g, wanted, captures, accumulate):
    n_out = node._n_outputs
    for nr in range(n_out):
        key = (node, nr)
        if key in wanted:
            gi = g if n_out == 1 else g[nr]
            captures[key] = gi


def _accumulate_leaf(node, g, accumulate, wanted, captures, create_graph):
    if wanted is not None and (node, 0) not in wanted:
        return
    t = node._ref()
    if t is None:
        if not accumulate:
            captures[(node, 0)] = g
        return
    if node._pre_hooks is not None:
        g = _run_tensor_pre_hooks(node, g)
    extra = t._extra
    if extra is not None and extra.get("hooks"):
        for fn in tuple(extra["hooks"].values()):
            g = _hook_result(fn, g, fn(g))
    if not accumulate:          # autograd.grad: a leaf's tensor hooks apply to what is returned
        captures[(node, 0)] = g
        return
    if node._node_pre_hooks is not None:      # grad_fn.register_prehook on the AccumulateGrad node
        g = _run_node_pre_hooks(node, g)
    _accumulate_into(t, g, create_graph)
    if extra is not None and extra.get("post_accumulate_hooks"):
        for fn in tuple(extra["post_accumulate_hooks"].values()):
            fn(t)
    if node._hooks is not None:               # grad_fn.register_hook on the AccumulateGrad node
        for fn in tuple(node._hooks.values()):
            fn((), (g,))


def _accumulate_into(t, g, create_graph):
    """``t.grad += g`` with torch's rules: steal a fresh gradient, else copy; keep the graph if asked."""
    if g.dtype is not t.dtype or g.shape != t.shape:
        g = _conform(t, g)
    old = t._grad
    if old is None:
        if create_graph:
            t._grad = g
            return
        arr = g._data
        # steal the buffer only when nobody else can see it (fresh, contiguous, owning its memory)
        if (g._grad_fn is None and arr.base is None and arr.flags.c_contiguous and _getrefcount(arr) <= 3
                and _getrefcount(g) <= 4):
            t._grad = g
        else:
            t._grad = g.detach().clone(memory_format=None)
        return
    if create_graph or old.requires_grad:
        t._grad = old + g
    else:
        old._data += g._data
        old._bump_version()


def _conform(t, g):
    if g.shape != t.shape:
        try:
            g = g.sum_to_size(t.shape)
        except RuntimeError:
            raise RuntimeError(f"Function AccumulateGrad returned an invalid gradient - got "
                               f"{list(g.shape)} but expected shape compatible with {list(t.shape)}") from None
    if g.dtype is not t.dtype:
        g = g.to(t.dtype)
    return g
