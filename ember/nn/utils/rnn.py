"""Variable-length batches for recurrent layers: ``PackedSequence`` and the functions that pack and pad.

A packed sequence stores the rows of every time step one after the other, longest sequences first:
``data`` is (sum(lengths), *) and ``batch_sizes[t]`` says how many sequences are still running at step t.
Packing and padding are one gather each (``index_select`` with an index computed in NumPy), so gradients
flow through them.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ... import _creation
from ...autograd.graph import present
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]


def _long(values):
    return _creation.tensor(np.asarray(values, dtype=np.int64))


def invert_permutation(permutation):
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    if not isinstance(permutation, Tensor):
        raise TypeError(f"empty_like(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(permutation).__name__}")
    p = np.asarray(permutation._host(), dtype=np.int64)
    out = np.empty_like(p)
    out[p] = np.arange(p.size)
    return _long(out)


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """The packed rows of a batch of sequences (see the module docstring).

    ``batch_sizes`` is an int64 CPU tensor; ``sorted_indices`` maps sorted positions to the original batch
    positions (None when the batch came sorted) and ``unsorted_indices`` is its inverse.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            if not isinstance(batch_sizes, Tensor):            # torch reads batch_sizes.device
                raise AttributeError(f"'{type(batch_sizes).__name__}' object has no attribute 'device'")
            if batch_sizes.device.type != "cpu":
                raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence should never "
                                 "be created manually. They should be instantiated by functions like "
                                 "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                                 "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        if not (isinstance(data, (list, tuple)) and len(data) == 2):
            raise AssertionError("Expected data to be a list or tuple of length 2")
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def _apply_all(self, fn):
        """``fn`` on data; the index tensors move with it (batch_sizes stays on the CPU)."""
        data = fn(self.data)
        if data is self.data:
            return self
        move = (lambda t: None if t is None else t.to(device=data.device))
        return type(self)(data, self.batch_sizes, move(self.sorted_indices), move(self.unsorted_indices))

    def to(self, *args, **kwargs):
        return self._apply_all(lambda d: d.to(*args, **kwargs))

    def cuda(self, *args, **kwargs):
        return self._apply_all(lambda d: d.cuda(*args, **kwargs))

    def cpu(self, *args, **kwargs):
        return self._apply_all(lambda d: d.cpu(*args, **kwargs))

    def pin_memory(self):
        return self

    def double(self):
        return self.to(dtype=_dtype("float64"))

    def float(self):
        return self.to(dtype=_dtype("float32"))

    def half(self):
        return self.to(dtype=_dtype("float16"))

    def long(self):
        return self.to(dtype=_dtype("int64"))

    def int(self):
        return self.to(dtype=_dtype("int32"))

    def short(self):
        return self.to(dtype=_dtype("int16"))

    def char(self):
        return self.to(dtype=_dtype("int8"))

    def byte(self):
        return self.to(dtype=_dtype("uint8"))

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _dtype(name):
    import ember
    return getattr(ember, name)


_SCALAR_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                 "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.ndim}D "
                               f"{lengths.device.type} {_SCALAR_NAMES.get(lengths.dtype.name, lengths.dtype.name)} "
                               "tensor")
        return np.asarray(lengths._host(), dtype=np.int64)
    return np.asarray(list(lengths), dtype=np.int64).reshape(-1)


def _batch_sizes(sorted_lengths):
    """batch_sizes[t] = how many (descending) lengths exceed t."""
    steps = np.arange(int(sorted_lengths[0]))
    return (sorted_lengths[None, :] > steps[:, None]).sum(1).astype(np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch (B, T, * with ``batch_first``) of sequences of the given lengths."""
    lens = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(lens[1:] > lens[:-1]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
                               "to sidestep this requirement if you do not need ONNX exportability.")
        order = None
    else:
        order = np.argsort(-lens, kind="stable")
    sorted_lens = lens if order is None else lens[order]
    if lens.size == 0 or sorted_lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    shape = input.shape
    T, B = (shape[1], shape[0]) if batch_first else (shape[0], shape[1])
    if sorted_lens[0] > T:
        raise RuntimeError(f"Expected sequence length to be smaller than or equal to {T}, but got "
                           f"{int(sorted_lens[0])}")
    if lens.size != B:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} (batch_size={B})")
    bs = _batch_sizes(sorted_lens)
    cols = np.arange(B) if order is None else order
    idx = np.concatenate([(cols[:b] * T + t) if batch_first else (t * B + cols[:b]) for t, b in enumerate(bs)])
    rows = input.reshape((T * B,) + tuple(shape[2:]))                    # (T B, *) in the input's own order
    data = rows.index_select(0, _long(idx).to(device=input.device))
    sorted_indices = None if order is None else _long(order).to(device=input.device)
    present(data, "PackPaddedSequenceBackward0", input)
    return PackedSequence(data, _long(bs), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The inverse of ``pack_padded_sequence``: (padded (T, B, *) or (B, T, *), lengths (B,) int64)."""
    data, bs = sequence.data, np.asarray(sequence.batch_sizes._host(), dtype=np.int64)
    T, B = len(bs), int(bs[0]) if len(bs) else 0
    if total_length is not None:
        if total_length < T:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {T}")
        T_out = total_length
    else:
        T_out = T
    lens_sorted = (bs[None, :] > np.arange(B)[:, None]).sum(1)            # (B,) descending
    offsets = np.concatenate([[0], np.cumsum(bs)])
    n = data.shape[0]
    src = np.full((T_out, B), n, dtype=np.int64)                           # n: the padding row
    for t in range(T):
        src[t, :bs[t]] = offsets[t] + np.arange(bs[t])
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        src = src[:, np.asarray(unsorted._host(), dtype=np.int64)]         # column b of the output: original b
        lens = lens_sorted[np.asarray(unsorted._host(), dtype=np.int64)]
    else:
        lens = lens_sorted
    if batch_first:
        src = src.T
    pad = data.new_full((1,) + tuple(data.shape[1:]), padding_value)
    from ... import ops
    rows = ops.cat([data, pad], 0)
    out = rows.index_select(0, _long(src.reshape(-1)).to(device=data.device))
    out = out.reshape(src.shape + tuple(data.shape[1:]))
    # torch's graph: padded copies of the rows (CopySlices), then a transpose for batch_first, then a gather to the
    # original order
    present(out, "IndexSelectBackward0" if unsorted is not None else "TransposeBackward0" if batch_first
            else "torch::autograd::CopySlices")
    return out, _long(lens)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shape (L_i, *) into (L_max, B, *) (or (B, L_max, *)), padded on ``padding_side``."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if any(s.dim() == 0 for s in sequences):
        raise RuntimeError("ArrayRef: invalid slice, N = 1; size = 0")
    from ... import ops
    first = sequences[0]
    L = max(s.shape[0] for s in sequences)
    trailing = tuple(first.shape[1:])
    padded = []
    for s in sequences:        # each is copied into a (L_i, *trailing) slot of a buffer in the first one's dtype
        n = s.shape[0]
        slot = (n,) + trailing
        if tuple(s.shape) != slot:
            s = s.expand(_copy_broadcast(slot, tuple(s.shape)))
        s = s.to(first.dtype)
        if n < L:
            pad = s.new_full((L - n,) + trailing, padding_value)
            s = ops.cat([s, pad] if padding_side == "right" else [pad, s], 0)
        padded.append(s)
    return present(ops.stack(padded, 0 if batch_first else 1), "torch::autograd::CopySlices")  # torch copies slices


def _copy_broadcast(dst, src):
    """``dst``, after checking that ``src`` broadcasts to it the way ``dst.copy_(src)`` needs (torch's errors)."""
    ndim = max(len(dst), len(src))
    a, b = (1,) * (ndim - len(dst)) + dst, (1,) * (ndim - len(src)) + src
    for i in range(ndim - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                               f"non-singleton dimension {i}")
    shape = tuple(max(x, y) if min(x, y) != 0 else 0 for x, y in zip(a, b))
    if shape != dst:
        raise RuntimeError(f"output with shape {list(dst)} doesn't match the broadcast shape {list(shape)}")
    return dst


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences, each cut to its length, from a padded batch.

    As in torch, a sequence-first batch is transposed *in place* (the caller's tensor becomes batch-first) and
    each result is a copy picked with a boolean mask.
    """
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    idx = _creation.arange(padded_sequences.shape[1], device=lengths.device)
    return [seq[idx < length] for seq, length in zip(padded_sequences, lengths, strict=True)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of (L_i, *) tensors (longest first unless ``enforce_sorted=False``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of (L_i, *) tensors a ``PackedSequence`` holds, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
