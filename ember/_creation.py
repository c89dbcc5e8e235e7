"""Tensor creation: ``tensor``, ``as_tensor``, ``from_numpy``, ``zeros`` ... and the random samplers."""
from __future__ import annotations

import math
import numbers

import numpy as np

from . import _dtype as _dt
from .autograd import grad_mode
from .device import as_device
from .random import _gen
from .tensor import Size, Tensor, _set_requires_grad, _wrap

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full", "arange", "range",
           "linspace", "logspace", "eye", "zeros_like", "ones_like", "empty_like", "full_like", "rand", "randn",
           "randint", "randperm", "rand_like", "randn_like", "randint_like", "normal", "bernoulli",
           "multinomial", "poisson", "scalar_tensor", "empty_strided", "complex", "polar", "frombuffer",
           "tril_indices", "triu_indices", "cartesian_prod", "combinations", "block_diag", "vander"]


def _finish(arr, dtype=None, device=None, requires_grad=False):
    if dtype is not None:
        npd = _dt.as_dtype(dtype).np
        if arr.dtype != npd:
            arr = arr.astype(npd)
    t = _wrap(arr)
    if device is not None and as_device(device).type != "cpu":
        t = t.to(device)
    if requires_grad:
        _set_requires_grad(t, True, factory=True)
    if grad_mode._inference[0]:
        t._extra_dict()["inference"] = True
    return t


def _infer_np(data):
    """A NumPy array for nested Python data with torch's dtype inference."""
    if isinstance(data, Tensor):
        return data._host().copy()
    if isinstance(data, (list, tuple)):
        _check_nested(data)
        leaves = list(_flatten(data))
        if any(isinstance(x, (Tensor, np.generic, np.ndarray)) for x in leaves):
            return _infer_mixed(data, leaves)
    if data is None or isinstance(data, (dict, set)):
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    arr = np.array(data)
    kind = arr.dtype.kind
    if kind == "f":
        arr = arr.astype(_dt.get_default_dtype().np)
    elif kind == "c":
        arr = arr.astype(_dt.default_complex_dtype().np)
    elif kind in "iu":
        if arr.dtype != np.int64:
            if isinstance(data, np.ndarray) or isinstance(data, np.generic):
                pass
            else:
                arr = arr.astype(np.int64)
    elif kind == "b":
        pass
    elif kind in "OUS":
        bad = _type_of_first(data)
        if bad == "NoneType":
            raise RuntimeError("Could not infer dtype of NoneType")
        raise TypeError(f"new(): invalid data type '{bad}'")
    return arr


def _leaf_dtype(x):
    """The dtype torch infers for one element of a nested list (promoted across all elements)."""
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, (np.generic, np.ndarray)):
        return _dt.from_numpy_dtype(x.dtype)
    if isinstance(x, (bool, int, float, _builtins.complex)):
        return _dt.dtype_for_category(_dt.scalar_category(x))
    if x is None:
        raise RuntimeError("Could not infer dtype of NoneType")
    raise TypeError(f"new(): invalid data type '{type(x).__name__}'")


def _infer_mixed(data, leaves):
    """Lists holding NumPy scalars/arrays or tensors: the dtype is the promotion of every element's dtype."""
    if any(isinstance(x, np.ndarray) for x in leaves):
        import warnings
        warnings.warn("Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider "
                      "converting the list to a single numpy.ndarray with numpy.array() before converting to a "
                      "tensor.", UserWarning, stacklevel=4)
    dt = None
    for x in leaves:
        d = _leaf_dtype(x)
        dt = d if dt is None else _dt.promote_types(dt, d)

    def conv(x):
        if isinstance(x, Tensor):
            if x.numel() != 1:
                raise TypeError("only integer tensors of a single element can be converted to an index")
            return x._host().reshape(())
        if isinstance(x, (list, tuple)):
            return [conv(y) for y in x]
        return x
    return np.array(conv(data)).astype(dt.np)


def _check_nested(data):
    """torch's errors for ragged nested lists: the shape is read along the first elements, then checked."""
    shape, x = [], data
    while isinstance(x, (list, tuple)):
        shape.append(len(x))
        if not x:
            break
        x = x[0]

    def walk(x, dim):
        if dim == len(shape):
            if isinstance(x, (list, tuple)):
                if any(isinstance(v, (float, np.floating)) for v in _flatten(data)):
                    raise TypeError(f"must be real number, not {type(x).__name__}")
                raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
            return
        if not isinstance(x, (list, tuple, np.ndarray, Tensor)):
            raise TypeError("not a sequence")
        if not isinstance(x, (list, tuple)):
            return
        if len(x) != shape[dim]:
            raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(x)})")
        for y in x:
            walk(y, dim + 1)
    walk(data, 0)


def _flatten(x):
    if isinstance(x, (list, tuple)):
        for y in x:
            yield from _flatten(y)
    else:
        yield x


def _type_of_first(data):
    for x in _flatten(data):
        if not isinstance(x, (numbers.Number, np.generic)):
            return type(x).__name__
    return type(data).__name__


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (dtype inferred as torch does: floats to the default dtype)."""
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
        arr = data._host().copy()
    elif isinstance(data, np.ndarray):
        arr = np.array(data, copy=True)
        if arr.dtype.kind not in "biufcV" or arr.dtype.type in _NO_TENSOR_FLOATS:
            _refuse_array(arr)
    else:
        arr = _infer_np(data)
        if dtype is None and isinstance(data, np.generic):
            arr = np.array(data)
        elif dtype is not None and arr.dtype.kind in "fc" and isinstance(data, (_builtins.float, _builtins.complex, list, tuple)):
            # trap: inference rounds Python floats to the default dtype (float32); with an explicit dtype keep them
            # exact until the cast below, so tensor(0.01, dtype=float64) holds the double 0.01
            exact = np.array(data)
            if exact.dtype.kind in "fc":
                arr = exact
    if dtype is not None:
        dt = _dt.as_dtype(dtype)
        if arr.dtype != dt.np:
            if dt.np.kind in "iu" and arr.dtype.kind in "iuf" and arr.size and not isinstance(data, np.ndarray):
                for v in (arr.min(), arr.max()):   # Python numbers are range-checked, arrays are cast
                    _integral_value(v.item(), dt.np, dt.name)
                if dt.np.kind == "u" and arr.dtype.kind == "i":
                    arr = arr.astype(np.int64)     # negative ints wrap (-1 is 255 for uint8)
            arr = arr.astype(dt.np)
    return _finish(arr, None, device, requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return tensor(float(s) if dtype is None else s, dtype=dtype, device=device, requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with ``data`` when it already is a suitable Tensor or ndarray."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (dtype is not None or device is not None) else data
    if isinstance(data, np.ndarray):
        t = from_numpy(data)
        if dtype is not None or device is not None:
            t = t.to(device=device, dtype=dtype)
        return t
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    if copy:
        t = tensor(obj, dtype=dtype, device=device)
    else:
        t = as_tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


# extended precision (float128 on most platforms) has no tensor dtype; where it is float64 it is fine
_NO_TENSOR_FLOATS = () if np.dtype(np.longdouble).itemsize == 8 else (np.longdouble, np.clongdouble)


def _refuse_array(arr):
    # torch names the array's scalar type (numpy.object_, numpy.str_), not its dtype string
    raise TypeError(f"can't convert np.ndarray of type numpy.{arr.dtype.type.__name__}. The only supported types "
                    "are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, "
                    "uint32, uint16, uint8, and bool.") from None


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array (writes through both ways)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    try:
        _dt.from_numpy_dtype(ndarray.dtype)
    except TypeError:
        _refuse_array(ndarray)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making a "
                         "copy of your array  with array.copy().) ")
    return _wrap(ndarray)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    arr = np.frombuffer(buffer, dtype=_dt.as_dtype(dtype).np, count=count, offset=offset)
    return _finish(arr, requires_grad=requires_grad)


def _size(size, name="zeros"):
    """The shape from ``f(2, 3)`` or ``f((2, 3))``, with torch's argument errors for ``name``."""
    packed = len(size) == 1 and isinstance(size[0], (list, tuple, Size))
    if packed:
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            kind, pos = type(s).__name__, len(out)
            if packed:
                msg = f"must be tuple of ints, but found element of type {kind} at pos {pos}"
            elif pos == 0:
                msg = f"must be tuple of ints, not {kind}"
            else:
                raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos {pos + 1} with "
                                f"error \"type must be tuple of ints,but got {kind}\"")
            raise TypeError(f"{name}(): argument 'size' (position 1) {msg}")
        if s < 0:
            if name == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {[int(v) for v in size]}")
        out.append(int(s))
    return tuple(out)


def _dtype_or_default(dtype):
    return (_dt.as_dtype(dtype) if dtype is not None else _dt.get_default_dtype()).np


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _finish(np.zeros(_size(size), _dtype_or_default(dtype)), None, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _finish(np.ones(_size(size, "ones"), _dtype_or_default(dtype)), None, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    return _finish(np.empty(_size(size, "empty"), _dtype_or_default(dtype)), None, device, requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False):
    return empty(tuple(size), dtype=dtype, device=device, requires_grad=requires_grad)


_C_NAMES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t"}


def _integral_value(value, npd, name):
    """``value`` for an integer dtype, with torch's overflow check: a Python int may wrap into an unsigned type
    from down to -max (-1 is 255 for uint8), a float must lie in the type's range."""
    npd = np.dtype(npd)
    if npd.kind not in "iu" or isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return value
    info = np.iinfo(npd)
    if isinstance(value, (int, np.integer)):
        low = -int(info.max) if npd.kind == "u" else int(info.min)
        ok = low <= int(value) <= info.max
    else:
        ok = info.min <= value <= info.max   # NaN fails too, as in torch
    if not ok:
        raise RuntimeError(f"value cannot be converted to type {name or _C_NAMES[npd.name]} without overflow")
    return np.array(int(value), np.int64).astype(npd) if isinstance(value, (int, np.integer)) else value


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype = _dt.bool
        elif isinstance(fill_value, int):
            dtype = _dt.int64
        elif isinstance(fill_value, builtins_complex):
            dtype = _dt.default_complex_dtype()
        else:
            dtype = _dt.get_default_dtype()
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    npd = _dt.as_dtype(dtype).np
    fill_value = _integral_value(fill_value, npd, None)
    return _finish(np.full(_size((size,) if isinstance(size, int) else (size,), "full"), fill_value, npd), None,
                   device, requires_grad)


builtins_complex = complex


def _like(input, dtype):
    return (_dt.as_dtype(dtype) if dtype is not None else input.dtype).np


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.zeros(input._data.shape, _like(input, dtype)), None, device or input.device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.ones(input._data.shape, _like(input, dtype)), None, device or input.device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.empty(input._data.shape, _like(input, dtype)), None, device or input.device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    npd = _like(input, dtype)
    fill_value = _integral_value(fill_value, npd, None)
    return _finish(np.full(input._data.shape, fill_value, npd), None, device or input.device, requires_grad)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in vals)
        dtype = _dt.get_default_dtype() if is_float else _dt.int64
    n = max(int(math.ceil((end - start) / step)), 0)
    npd = _dt.as_dtype(dtype).np
    if npd.kind in "iub" and not all(isinstance(v, int) for v in vals):
        # trap: torch truncates the bounds to integers first; for int64 the length too, and a step that
        # truncates to 0 is refused, for narrower ints the length comes from the float bounds
        istart, iend, istep = int(start), int(end), int(step)
        if npd == np.int64:
            if istep == 0:
                raise ValueError("step must be nonzero")
            n = max(int(math.ceil((iend - istart) / istep)), 0)
        arr = (istart + np.arange(n, dtype=np.int64) * istep).astype(npd)
    elif npd.kind in "iu":
        arr = np.arange(start, end, step, dtype=np.int64).astype(npd)
    else:
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(npd)
    return _finish(arr, None, device, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    import warnings
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    n = int(math.floor((end - start) / step)) + 1
    arr = start + np.arange(n, dtype=np.float64) * step
    return _finish(arr.astype(_dtype_or_default(dtype)), None, device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    npd = np.dtype(_dtype_or_default(dtype))
    if steps > 1 and npd.kind in "fiu" and not isinstance(start, _builtins.complex) and \
            not isinstance(end, _builtins.complex):
        return _finish(_linspace_real(start, end, steps, npd.type), None, device, requires_grad)
    arr = np.linspace(start, end, steps, dtype=np.float64)
    return _finish(arr.astype(npd), None, device, requires_grad)


def _linspace_real(start, end, steps, npd):
    """torch's kernel: step = (end - start) / (steps - 1), the first half counted up from ``start`` and the
    second half down from ``end``.  In float32/64 each value is one fused multiply-add (one rounding), so
    ``linspace(-1, 1, 11)[5]`` is -1.4901e-08 as in torch, not 0; float16 rounds after every operation;
    integer dtypes truncate the bounds first and step in double."""
    idx = np.arange(steps)
    back = steps - 1 - idx
    if npd is np.float16:
        s, e = npd(start), npd(end)
        step = npd(e - s) / npd(steps - 1)
        up = s + (step * idx.astype(npd)).astype(npd)
        down = e - (step * back.astype(npd)).astype(npd)
    elif np.dtype(npd).kind in "iu":   # bounds cast (wrapping) to the dtype, each value a double FMA
        s, e = (np.float64(np.array(int(_integral_value(v, npd, None)), np.int64).astype(npd))
                for v in (start, end))
        step = (e - s) / (steps - 1)
        wide = np.longdouble
        up = (wide(s) + wide(step) * idx.astype(wide)).astype(np.float64)
        down = (wide(e) - wide(step) * back.astype(wide)).astype(np.float64)
    else:
        s, e = npd(start), npd(end)
        step = (e - s) / npd(steps - 1)
        wide = np.float64 if npd is np.float32 else np.longdouble   # wide enough to stand in for the FMA
        up = wide(s) + wide(step) * idx.astype(wide)
        down = wide(e) - wide(step) * back.astype(wide)
    out = np.where(idx < steps // 2, up, down)
    return (np.trunc(out) if np.dtype(npd).kind in "iu" else out).astype(npd)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    arr = np.power(base, np.linspace(start, end, steps, dtype=np.float64))
    return _finish(arr.astype(_dtype_or_default(dtype)), None, device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(np.eye(n, n if m is None else m, dtype=_dtype_or_default(dtype)), None, device, requires_grad)


def complex(real, imag):
    if real.dtype is not imag.dtype:
        raise RuntimeError(f"Expected object of scalar type {real.dtype} but got scalar type {imag.dtype} for "
                           "second argument")
    return real + imag * 1j


def polar(abs, angle):
    return complex(abs * angle.cos(), abs * angle.sin())


def tril_indices(row, col, offset=0, *, dtype=None, device=None):
    r, c = np.tril_indices(row, offset, col)
    return _finish(np.stack([r, c]).astype(np.int64), dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None):
    r, c = np.triu_indices(row, offset, col)
    return _finish(np.stack([r, c]).astype(np.int64), dtype, device)


def cartesian_prod(*tensors):
    from .ops.shape import meshgrid, stack
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    import itertools
    n = input.shape[0]
    combos = list(itertools.combinations_with_replacement(builtins_range(n), r) if with_replacement else
                  itertools.combinations(builtins_range(n), r))
    if not combos:
        return input.new_empty((0, r) if r > 1 else (0,))
    idx = _wrap(np.array(combos, dtype=np.int64))
    return input[idx]


import builtins as _builtins  # noqa: E402

builtins_range = _builtins.range


def block_diag(*tensors):
    mats = [t.reshape(1, -1) if t.ndim == 1 else t.reshape(1, 1) if t.ndim == 0 else t for t in tensors]
    rows = sum(m.shape[0] for m in mats)
    cols = sum(m.shape[1] for m in mats)
    from .ops._util import result_dtype
    dt = result_dtype(*mats)
    out = zeros(rows, cols, dtype=dt)
    r = c = 0
    pieces = []
    from .ops.shape import pad
    for m in mats:
        pieces.append(pad(m.to(dt), (c, cols - c - m.shape[1], 0, 0)))
        r += m.shape[0]
        c += m.shape[1]
    from .ops.shape import cat
    del out
    return cat(pieces, 0)


def vander(x, N=None, increasing=False):
    n = x.shape[0] if N is None else N
    from .ops.shape import stack
    cols = [x ** i for i in builtins_range(n)]
    if not increasing:
        cols = cols[::-1]
    return stack(cols, 1)


# ----------------------------------------------------------------------------------------------------------
# random sampling
# ----------------------------------------------------------------------------------------------------------

# torch's C++ names for dtypes, as its "not implemented for 'Long'" errors spell them
_SCALAR_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _float_np(dtype, kernel="check_uniform_bounds"):
    d = _dt.as_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
    if not d.is_floating_point and not d.is_complex:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_SCALAR_NAMES.get(d.name, d.name)}'")
    return d.np


def _complex_parts(draw, shape, npd):
    """A real draw for each part of a complex dtype: (*shape, 2) numbers viewed as complex (*shape)."""
    real = np.float32 if npd == np.complex64 else np.float64
    return draw(tuple(shape) + (2,), dtype=real).view(npd).reshape(shape)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    npd = _float_np(dtype)
    shape = _size(size, "rand")
    if npd.kind == "c":                          # each part uniform on [0, 1)
        return _finish(_complex_parts(_gen(generator).random, shape, npd), None, device, requires_grad)
    arr = _gen(generator).random(shape, dtype=np.float64 if npd != np.float32 else np.float32)
    return _finish(arr.astype(npd, copy=False), None, device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    npd = _float_np(dtype, "normal_kernel_cpu")
    shape = _size(size, "randn")
    if npd.kind == "c":                          # torch's complex normal: variance 1/2 in each part
        arr = _complex_parts(_gen(generator).standard_normal, shape, npd)
        return _finish(arr * npd.type(np.sqrt(0.5)), None, device, requires_grad)
    arr = _gen(generator).standard_normal(shape, dtype=np.float64 if npd != np.float32 else np.float32)
    return _finish(arr.astype(npd, copy=False), None, device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False):
    if size is None:  # randint(high, size)
        if isinstance(high, (tuple, list, Size)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing required argument 'size'")
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    arr = _gen(generator).integers(low, high, _size((size,) if isinstance(size, int) else (size,), "randint"),
                                   dtype=np.int64)
    return _finish(arr, dtype or _dt.int64, device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    return _finish(_gen(generator).permutation(int(n)).astype(np.int64), dtype or _dt.int64, device,
                   requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return rand(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return randn(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, device=device or input.device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    g = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._host() if isinstance(mean, Tensor) else mean
        s = std._host() if isinstance(std, Tensor) else std
        if isinstance(std, Tensor) and (s < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        ref = mean if isinstance(mean, Tensor) else std
        npd = ref._data.dtype
        noise = _complex_parts(g.standard_normal, shape, npd) * np.sqrt(0.5) if npd.kind == "c" else \
            g.standard_normal(shape)
        arr = (m + s * noise).astype(npd)
        return _finish(arr)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    npd = _float_np(dtype, "normal_kernel_cpu")
    shape = _size((size,) if isinstance(size, int) else (size,), "normal")
    if npd.kind == "c":                          # each part: mean + std / sqrt(2) N(0, 1)
        arr = _complex_parts(g.standard_normal, shape, npd)
        return _finish((mean + std * np.sqrt(0.5) * arr).astype(npd), None, device, requires_grad)
    arr = mean + std * g.standard_normal(shape)
    return _finish(arr.astype(npd), None, device, requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    probs = input._host() if p is None else np.full(input.shape, p)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
                           "be improved?  If so, please report an enhancement request to PyTorch.)")
    arr = (_gen(generator).random(input.shape) < probs).astype(input._data.dtype)
    return _finish(arr, None, input.device)


def poisson(input, generator=None):
    return _finish(_gen(generator).poisson(input._host()).astype(input._data.dtype), None, input.device)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    p = input._host().astype(np.float64)
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if (p < 0).any() or not np.isfinite(p).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = p.reshape(-1, p.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    g = _gen(generator)
    out_rows = []
    for r in rows:
        s = r.sum()
        if s <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if replacement:
            out_rows.append(g.choice(len(r), size=num_samples, replace=True, p=r / s))
        else:
            # sequential sampling without replacement via exponential race (Gumbel-top-k equivalent)
            keys = np.where(r > 0, g.exponential(size=len(r)) / np.where(r > 0, r, 1), np.inf)
            pos = int((r > 0).sum())
            if num_samples > pos:
                raise RuntimeError("invalid multinomial distribution (with replacement=False, not enough non-negative "
                                   "category to sample)")
            out_rows.append(np.argsort(keys, kind="stable")[:num_samples])
    arr = np.stack(out_rows).astype(np.int64)
    return _finish(arr.reshape(p.shape[:-1] + (num_samples,)), None, input.device)
