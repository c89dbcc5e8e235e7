"""``repr(tensor)`` in torch's format: fixed or scientific notation chosen from the values, aligned columns,
80-column wrapping, summarisation past 1000 elements, and the ``dtype=`` / ``grad_fn=`` suffixes."""
from __future__ import annotations

import math

import numpy as np

from . import _dtype as _dt

__all__ = ["tensor_repr", "set_printoptions", "get_printoptions"]


class _Options:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _Options()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    if profile == "default":
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 4, 1000, 3, 80
    elif profile == "short":
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 1000, 2, 80
    elif profile == "full":
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 4, math.inf, 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    return {k: getattr(PRINT_OPTS, k) for k in ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")}


class _Formatter:
    def __init__(self, values, kind):
        self.kind = kind
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if kind in "biu":
            strs = [str(bool(v)) if kind == "b" else str(int(v)) for v in values]
            self.max_width = max((len(x) for x in strs), default=1)
            return
        # widths come from the nonzero finite values only (nan, inf and zeros are printed unpadded)
        finite = values[np.isfinite(values) & (values != 0)]
        if finite.size == 0:
            return
        mags = np.abs(finite)
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        hi, lo = float(mags.max()), float(mags.min())
        if hi / lo > 1000.0 or hi > 1e8:
            self.sci_mode = True
        if not self.int_mode and lo < 1e-4:
            self.sci_mode = True
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode
        self.max_width = max(len(self.format_plain(v)) for v in finite)

    @staticmethod
    def _special(v):
        if math.isnan(v):
            return "nan"
        return "inf" if v > 0 else "-inf"

    def format_plain(self, v):
        if self.kind == "b":
            return str(bool(v))
        if self.kind in "iu":
            return str(int(v))
        v = float(v)
        if not math.isfinite(v):
            return self._special(v)
        p = PRINT_OPTS.precision
        if self.sci_mode:
            return f"{v:.{p}e}"
        if self.int_mode:
            return f"{v:.0f}."
        return f"{v:.{p}f}"

    def format(self, v):
        return self.format_plain(v).rjust(self.max_width)


def _summarize(a, edge):
    if a.ndim == 0:
        return a.reshape(-1)
    if a.shape[0] > 2 * edge:
        parts = [a[:edge], a[-edge:]]
    else:
        parts = [a]
    return np.concatenate([_summarize(p_, edge).reshape(-1) if a.ndim > 1 else p_.reshape(-1)
                           for p_ in ([x for part in parts for x in part] if a.ndim > 1 else parts)])


def _to_str(a, fmt, indent, summarize):
    edge = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return fmt.format(a.item() if a.dtype.kind != "V" else float(a))
    if a.ndim == 1:
        elems = [fmt.format(v) for v in a.tolist()] if a.dtype.kind != "V" else \
            [fmt.format(v) for v in a.astype(np.float32).tolist()]
        if summarize and a.shape[0] > 2 * edge:
            elems = elems[:edge] + [" ..."] + elems[-edge:]
        width = fmt.max_width + 2
        per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / width)))
        lines = [", ".join(elems[i:i + per_line]) for i in range(0, len(elems), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(a.shape[0]))
    if summarize and a.shape[0] > 2 * edge:
        rows = rows[:edge] + [None] + rows[-edge:]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    parts = [("..." if r is None else _to_str(a[r], fmt, indent + 1, summarize)) for r in rows]
    return "[" + sep.join(parts) + "]"


def _complex_str(a, indent):
    real = _Formatter(a.real.reshape(-1).astype(np.float64), "f")
    imag = _Formatter(np.abs(a.imag.reshape(-1)).astype(np.float64), "f")

    def one(v):
        r = real.format(v.real)
        im = imag.format_plain(abs(v.imag))
        sign = "-" if (v.imag < 0 or (v.imag == 0 and math.copysign(1, v.imag) < 0)) else "+"
        return f"{r}{sign}{im.rjust(imag.max_width)}j"

    class _F:
        max_width = real.max_width + imag.max_width + 2

        def format(self, v):
            return one(v)
    return _to_str(a, _F(), indent, False)


def tensor_repr(t):
    prefix = "tensor("
    indent = len(prefix)
    a = t._host()
    suffixes = []
    dt = t.dtype
    summarize = a.size > PRINT_OPTS.threshold
    if a.size == 0:
        body = "[]"
        if a.ndim != 1:
            suffixes.append("size=(" + ", ".join(str(s) for s in a.shape) + ("," if a.ndim == 1 else "") + ")")
    elif dt.is_complex:
        body = _complex_str(a, indent)
    else:
        vals = a.astype(np.float64) if a.dtype.kind == "V" else a
        flat = _summarize(vals, PRINT_OPTS.edgeitems) if summarize else vals.reshape(-1)
        fmt = _Formatter(flat.astype(np.float64) if vals.dtype.kind in "fV" else flat, vals.dtype.kind
                         if vals.dtype.kind != "V" else "f")
        body = _to_str(vals, fmt, indent, summarize)
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    default = _dt.get_default_dtype()
    show_dtype = not (dt is default or dt is _dt.int64 or dt is _dt.bool or
                      (dt is _dt.default_complex_dtype()))
    if a.size == 0:  # no values to tell an int64 or bool tensor apart, so only the default dtype goes unsaid
        show_dtype = dt is not default
    if show_dtype:
        suffixes.append(f"dtype={dt!r}")
    if t._grad_fn is not None:
        # torch prints the node's class name: name() minus the C++ namespace (torch::autograd::CopySlices)
        suffixes.append(f"grad_fn=<{t._grad_fn.name().rpartition('::')[2]}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    out = prefix + body
    # A suffix that would pass the line width goes on a line of its own, under the first value. torch measures
    # the last line as two characters longer than it is when the body has no line break, one otherwise.
    used = len(out) - out.rfind("\n") + 1
    for s in suffixes:
        if used + len(s) + 2 > PRINT_OPTS.linewidth:
            out += ",\n" + " " * indent + s
            used = indent + len(s)
        else:
            out += ", " + s
            used += len(s) + 2
    return out + ")"
