"""Saved-tensor hooks: ``saved_tensors_hooks``, ``save_on_cpu``, ``disable_saved_tensors_hooks``.

While a ``saved_tensors_hooks(pack_hook, unpack_hook)`` context is active, every tensor an op records for
backward (an input in ``save_inputs``, the output with ``save_output``, a custom Function's
``save_for_backward``) is passed to ``pack_hook`` at record time and the node keeps only what it returns;
each read of the saved tensors in backward passes that object to ``unpack_hook``.  Only the innermost
context applies.  ``_stack`` is the one list ``function._record`` reads: empty, it costs one truth test.

As in torch, a tensor saved through hooks is not checked for in-place changes made after saving (the hooks
own what is kept).  Which tensors an op saves follows ember's backward formulas; they are torch's for the
common ops, so call counts match there.
"""
from __future__ import annotations

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]

_stack: list = []          # (pack_hook, unpack_hook) of the active contexts, innermost last
_disabled: list = []       # error messages of active disable_saved_tensors_hooks contexts

_INPLACE = ("A saved tensor pack hook is modifying its input in place. Tensors provided as input to pack hook "
            "cannot be modified by in-place operations as this can lead to unexpected side-effects. Please open "
            "an issue if you need to perform in-place operations on the input to a pack hook.")


class saved_tensors_hooks:
    """Context manager: pack every tensor saved for backward with ``pack_hook`` and get it back with
    ``unpack_hook`` when backward needs it."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _disabled:
            raise RuntimeError(_disabled[-1])
        _stack.append((self.pack_hook, self.unpack_hook))
        return None

    def __exit__(self, *exc):
        _stack.pop()
        return None


class save_on_cpu(saved_tensors_hooks):
    """Keep the tensors saved for backward in CPU memory (copies) and move them back to their device when
    backward reads them.  ``pin_memory`` pins the copies where ember has a pinned-memory allocator."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack_to_cpu(tensor):
            from .. import _creation
            packed = _creation.empty(tuple(tensor.shape), dtype=tensor.dtype, layout=tensor.layout,
                                     pin_memory=bool(pin_memory) and not tensor.is_sparse)
            packed.copy_(tensor)
            return (tensor.device, packed)

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device, non_blocking=bool(pin_memory))

        super().__init__(pack_to_cpu, unpack_from_cpu)


class disable_saved_tensors_hooks:
    """Context manager: entering ``saved_tensors_hooks`` inside it raises ``RuntimeError(error_message)``."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        _disabled.append(self.error_message)
        return None

    def __exit__(self, *exc):
        _disabled.pop()
        return None


# ----------------------------------------------------------------------------------------------------------
# used by the recording code and Node.saved_tensors
# ----------------------------------------------------------------------------------------------------------

def pack(tensors):
    """``(unpack_hook, packed)`` for ``tensors`` under the innermost hooks; entries that are not Tensors
    (None, numbers) are kept as they are."""
    from ..tensor import Tensor
    pack_hook, unpack_hook = _stack[-1]
    packed = []
    for t in tensors:
        if isinstance(t, Tensor):
            before = t._version
            p = pack_hook(t)
            if t._version != before:
                raise RuntimeError(_INPLACE)
            packed.append((True, p))
        else:
            packed.append((False, t))
    return unpack_hook, packed


def unpack_one(unpack_hook, p):
    from ..tensor import Tensor
    t = unpack_hook(p)
    if not isinstance(t, Tensor):
        raise TypeError(f"Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                        f"{type(t).__name__}")
    return t


def unpack(state):
    unpack_hook, packed = state
    return tuple(unpack_one(unpack_hook, p) if is_t else p for is_t, p in packed)


for _c in (saved_tensors_hooks, save_on_cpu, disable_saved_tensors_hooks):
    _c.__module__ = "ember.autograd.graph"      # where user code finds them, as torch.autograd.graph
