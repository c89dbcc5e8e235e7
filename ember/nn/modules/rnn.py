"""Recurrent layers: ``RNN`` (tanh, relu), ``LSTM`` (with ``proj_size``), ``GRU`` and their single-step cells.

Each layer and direction runs as one fused graph node (``ops/rnn_ops.py``) over the packed layout, so a plain
(T, B, I) batch and a ``PackedSequence`` share one code path.  Parameter names, shapes, gate order and the
default init U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) are torch's, so torch state_dicts load as they are.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ... import _creation, ops
from ...ops import products as _products
from ...autograd.graph import present
from ...ops.rnn_ops import recurrent_layer
from ..functional import _raw as F
from .. import init
from ..parameter import Parameter
from ...tensor import Tensor
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
_proj_warned = []
_SCALAR = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}


def _apply_permutation(tensor, permutation, dim=1):
    """``tensor`` reordered along ``dim`` by ``permutation`` (an index_select)."""
    return tensor.index_select(dim, permutation)


def apply_permutation(tensor, permutation, dim=1):
    warnings.warn("`apply_permutation` is deprecated, please use `tensor.index_select(dim, permutation)` instead",
                  FutureWarning, stacklevel=2)
    return _apply_permutation(tensor, permutation, dim)


class RNNBase(Module):
    """The shared machinery of ``RNN``, ``LSTM`` and ``GRU``: parameters, validation and the layer loop."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        kw = {"device": device, "dtype": dtype}
        for layer in range(num_layers):
            for direction in range(directions):
                layer_in = input_size if layer == 0 else real_hidden * directions
                shapes = [(gate_size, layer_in), (gate_size, real_hidden)]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    shapes += [(gate_size,), (gate_size,)]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    shapes.append((proj_size, hidden_size))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, shape in zip(names, shapes):
                    setattr(self, name, Parameter(_creation.empty(shape, **kw)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self):
        """A no-op: ember keeps no fused weight buffer (torch compacts cuDNN's here)."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _layer_weights(self, index, cast=None):
        """(w_ih, w_hh, b_ih, b_hh, w_hr) of layer-direction ``index``; absent ones are None.  ``cast`` (autocast's)
        is applied to each."""
        names = self._all_weights[index]
        got = {n.split("_l")[0]: getattr(self, n) if cast is None else cast(getattr(self, n)) for n in names}
        return (got["weight_ih"], got["weight_hh"], got.get("bias_ih"), got.get("bias_hh"), got.get("weight_hr"))

    # ---- validation, with torch's messages ------------------------------------------------------------

    def check_input(self, input, batch_sizes):
        weight_dtype = self._flat_weights[0].dtype
        # torch's LSTM does not check a packed input's dtype here (its kernel's matmul refuses it later)
        if input.dtype != weight_dtype and _products._autocast[0] is None and \
                not (self.mode == "LSTM" and batch_sizes is not None):
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                             f"Convert input: input.to({weight_dtype}), or convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * directions, mini_batch, real_hidden)

    def check_hidden_size(self, hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != tuple(expected):
            raise RuntimeError(msg.format(tuple(expected), list(hx.shape)))

    def _check_state_dtypes(self, rows, h0, c0):
        """torch's errors for initial states whose dtype is not the weights' (c0 of another dtype is cast, as
        torch's default kernel promotes it); returns c0."""
        w = self._flat_weights[0].dtype
        if _products._autocast[0] is not None and self.mode != "GRU":
            w = rows.dtype                                  # autocast casts the weights to the input's dtype
        if self.mode == "LSTM" and self.proj_size == 0 and rows.device.type == "cpu" and \
                rows.dtype.name in ("float32", "bfloat16"):             # torch's oneDNN kernel
            states = (h0, c0)
            if any(t.dtype != w and t.dtype.name not in ("float16", "bfloat16", "float32") for t in states):
                raise RuntimeError("get_mkldnn_dtype: unsupported data type")
            if any(t.dtype != w for t in states):
                raise RuntimeError("could not create a primitive descriptor for the LSTM forward propagation "
                                   "primitive. Run workload with environment variable ONEDNN_VERBOSE=all to get "
                                   "additional diagnostic information.")
        if h0.dtype != w:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_SCALAR.get(h0.dtype.name)} and "
                               f"{_SCALAR.get(w.name)}")
        return c0 if c0 is None or c0.dtype == w else c0.to(w)

    def _zeros_state(self, input, size):
        return _creation.zeros(size, dtype=input.dtype, device=input.device)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def __setstate__(self, state):
        super().__setstate__(state)
        if "proj_size" not in self.__dict__:
            self.proj_size = 0

    # ---- the forward pass -----------------------------------------------------------------------------

    def _prepare(self, input, hx_list):
        """Turn ``input`` into packed rows: (rows (N, I), batch_sizes, hx_list in sorted order, unbatched,
        packed, (T, B) of a plain input or None)."""
        if isinstance(input, PackedSequence):
            bs = np.asarray(input.batch_sizes._host(), dtype=np.int64)
            self.check_input(input.data, bs)
            if input.sorted_indices is not None:    # the caller's states are in the original batch order
                hx_list = [None if h is None else h.index_select(1, input.sorted_indices) for h in hx_list]
            return input.data, bs, hx_list, False, True, None
        name = type(self).__name__
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D instead")
        unbatched = input.dim() == 2
        if unbatched:
            given = [h for h in hx_list if h is not None]
            if given and any(h.dim() != 2 for h in given):
                if self.mode == "LSTM":
                    raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                                       f"({hx_list[0].dim()}-D, {hx_list[1].dim()}-D) tensors")
                raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {given[0].dim()}-D "
                                   "tensor")
            input = input.unsqueeze(1)
            hx_list = [None if h is None else h.unsqueeze(1) for h in hx_list]
        else:
            given = [h for h in hx_list if h is not None]
            if given and any(h.dim() != 3 for h in given):
                if self.mode == "LSTM":
                    raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                                       f"({hx_list[0].dim()}-D, {hx_list[1].dim()}-D) tensors")
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {given[0].dim()}-D "
                                   "tensor")
            if self.batch_first:
                input = input.transpose(0, 1)
        self.check_input(input, None)
        T, B = input.shape[0], input.shape[1]
        rows = input.reshape(T * B, input.shape[2])                          # (T B, I), time-major
        return rows, np.full(T, B, dtype=np.int64), hx_list, unbatched, False, (T, B)

    def _run(self, rows, batch_sizes, h0, c0, cast=None):
        """All layers and directions over packed rows: (out rows, h_n (L D, B, Hout), c_n or None)."""
        directions = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        bs = tuple(int(b) for b in batch_sizes)
        layer_in = rows
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for direction in range(directions):
                k = layer * directions + direction
                res = recurrent_layer(layer_in, h0[k], c0[k] if lstm else None, *self._layer_weights(k, cast),
                                      self.mode, bs, direction == 1)
                outs.append(res[0])
                h_n.append(res[1])
                if lstm:
                    c_n.append(res[2])
            layer_in = outs[0] if directions == 1 else ops.cat(outs, 1)      # (N, D Hout)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = F.dropout(layer_in, self.dropout, True)
        return layer_in, ops.stack(h_n, 0), (ops.stack(c_n, 0) if lstm else None)

    def _forward(self, input, hx_list):
        orig = input
        rows, bs, hx_list, unbatched, packed, shape = self._prepare(input, hx_list)
        policy = _products._autocast[0]
        cast = policy is not None and self.mode != "GRU"      # torch's autocast lists lstm and rnn_tanh/relu, not gru
        if cast:
            rows = policy.cast(rows)
            hx_list = [None if h is None else policy.cast(h) for h in hx_list]
            low = policy.cast(self._flat_weights[0]).dtype
            if rows.dtype != low:                           # a float64 input meets the cast weights
                raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_SCALAR.get(rows.dtype.name)} "
                                   f"and {_SCALAR.get(low.name)}")
        expected = self.get_expected_hidden_size(rows, bs if packed else None) if packed else \
            (self.num_layers * (2 if self.bidirectional else 1), shape[1],
             self.proj_size if self.proj_size > 0 else self.hidden_size)
        lstm = self.mode == "LSTM"
        h0 = hx_list[0]
        c_expected = expected[:2] + (self.hidden_size,)
        if h0 is None:
            h0 = self._zeros_state(rows, expected)
            c0 = self._zeros_state(rows, c_expected) if lstm else None
        else:
            if lstm:
                c0 = hx_list[1]
                self.check_hidden_size(h0, expected, "Expected hidden[0] size {}, got {}")
                self.check_hidden_size(c0, c_expected, "Expected hidden[1] size {}, got {}")
            else:
                c0 = None
                self.check_hidden_size(h0, expected)
            c0 = self._check_state_dtypes(rows, h0, c0)
        w = self._flat_weights[0].dtype
        if packed and lstm and rows.dtype != w and not cast:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_SCALAR.get(rows.dtype.name)} and "
                               f"{_SCALAR.get(w.name)}")
        if not packed and shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        if self.proj_size > 0 and not packed and not _proj_warned and rows.device.type == "cpu" and \
                rows.dtype.name in ("float32", "bfloat16"):
            _proj_warned.append(True)           # torch's oneDNN path warns once per process
            warnings.warn("LSTM with projections is not supported with oneDNN. Using default implementation.")
        if cast:
            out_rows, h_n, c_n = policy.plain(self._run, rows, bs, h0, c0, policy.cast)
        else:
            out_rows, h_n, c_n = self._run(rows, bs, h0, c0)
        mkldnn = lstm and self.proj_size == 0 and rows.device.type == "cpu" and \
            rows.dtype.name in ("float32", "bfloat16")     # torch runs these on oneDNN: other node names
        if packed:
            if out_rows.requires_grad:
                present(out_rows, "CatBackward0")
            out = PackedSequence(out_rows, orig.batch_sizes, orig.sorted_indices, orig.unsorted_indices)
            if orig.unsorted_indices is not None:
                h_n = h_n.index_select(1, orig.unsorted_indices)
                c_n = c_n.index_select(1, orig.unsorted_indices) if lstm else None
        else:
            T, B = shape
            out = out_rows.reshape(T, B, out_rows.shape[1])                   # (T, B, D Hout)
            if out.requires_grad:
                present(out, "CatBackward0" if self.bidirectional else "MkldnnRnnLayerBackward0" if mkldnn
                        else "StackBackward0")
            if unbatched:
                out = out.squeeze(1)
                h_n = h_n.squeeze(1)
                c_n = c_n.squeeze(1) if lstm else None
            elif self.batch_first:
                out = out.transpose(0, 1)
                if out.requires_grad and not lstm:       # torch's RNN and GRU transpose with another overload
                    present(out, "TransposeBackward1")
        return out, h_n, c_n


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or relu.

    Shape: input (T, B, input_size) (or (B, T, .) with ``batch_first``, or unbatched (T, input_size)), h_0
    (num_layers * directions, B, hidden_size) -> output (T, B, directions * hidden_size), h_n like h_0.

    Example::

        >>> import ember
        >>> out, h = ember.nn.RNN(3, 5, num_layers=2)(ember.zeros(7, 2, 3))
        >>> out.shape, h.shape
        (torch.Size([7, 2, 5]), torch.Size([2, 2, 5]))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        out, h_n, _ = self._forward(input, [hx])
        return out, h_n


class LSTM(RNNBase):
    """LSTM: gates (i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(x W_ih^T + b_ih + h W_hh^T + b_hh),
    c_t = f c_{t-1} + i g, h_t = o tanh(c_t) (then h_t W_hr^T when ``proj_size`` > 0).

    Shape: input (T, B, input_size), (h_0, c_0) ((L D, B, proj_size or hidden_size), (L D, B, hidden_size)) ->
    output (T, B, D * (proj_size or hidden_size)), (h_n, c_n).

    Example::

        >>> import ember
        >>> out, (h, c) = ember.nn.LSTM(3, 5, proj_size=2)(ember.zeros(7, 2, 3))
        >>> out.shape, h.shape, c.shape
        (torch.Size([7, 2, 2]), torch.Size([1, 2, 2]), torch.Size([1, 2, 5]))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        h = self.get_expected_hidden_size(input, batch_sizes)
        return h[:2] + (self.hidden_size,)

    def forward(self, input, hx=None):
        if hx is None:
            hx_list = [None, None]
        else:
            hx_list = [hx[0], hx[1]]            # as torch: a tensor or a longer sequence is indexed, not refused
        out, h_n, c_n = self._forward(input, hx_list)
        return out, (h_n, c_n)


class GRU(RNNBase):
    """GRU: r, z = sigmoid(.), n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)), h_t = (1 - z) n + z h_{t-1}.

    Shape: as ``RNN``.

    Example::

        >>> import ember
        >>> out, h = ember.nn.GRU(3, 5, batch_first=True, bidirectional=True)(ember.zeros(2, 7, 3))
        >>> out.shape, h.shape
        (torch.Size([2, 7, 10]), torch.Size([2, 2, 5]))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        out, h_n, _ = self._forward(input, [hx])
        return out, h_n


# ----------------------------------------------------------------------------------------------------------
# cells: one step, composed from ember ops (cheap, and differentiable to any order)
# ----------------------------------------------------------------------------------------------------------

class RNNCellBase(Module):
    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kw = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(_creation.empty((num_chunks * hidden_size, input_size), **kw))
        self.weight_hh = Parameter(_creation.empty((num_chunks * hidden_size, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check(self, input, hx_list):
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for i, h in enumerate(hx_list):
            if h is not None and h.dim() not in (1, 2):
                what = f"hx[{i}]" if len(hx_list) == 2 else "hidden"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.dim()}D instead")
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(-1)} expected "
                               f"{self.input_size}")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        out = []
        for i, h in enumerate(hx_list):
            if h is None:
                h = _creation.zeros((input.size(0), self.hidden_size), dtype=input.dtype, device=input.device)
            elif not batched:
                h = h.unsqueeze(0)
            if input.size(0) != h.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} batch size "
                                   f"{h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, expected "
                                   f"{self.hidden_size}")
            out.append(h)
        return input, out, batched

    def _weights(self):
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def _gates(self, x, h, w_ih, w_hh, b_ih, b_hh):
        return F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)


class RNNCell(RNNCellBase):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act tanh or relu.  Shape: (B, I), (B, H) -> (B, H)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        policy = _products._autocast[0]
        if policy is not None:          # rnn_tanh_cell / rnn_relu_cell are on torch's autocast list
            return policy.run(self._step, input, hx, self._weights())
        return self._step(input, hx, self._weights())

    def _step(self, input, hx, weights):
        x, (h,), batched = self._check(input, [hx])
        a = self._gates(x, h, *weights)
        if self.nonlinearity == "tanh":
            out = a.tanh()
        elif self.nonlinearity == "relu":
            out = a.relu()
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: (x, (h, c)) -> (h', c'), gates (i, f, g, o).  Shape: (B, I), ((B, H), (B, H))."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        policy = _products._autocast[0]
        if policy is not None:          # lstm_cell is not on torch's autocast list: it runs in the inputs' dtype
            return policy.plain(self._step, input, hx)
        return self._step(input, hx)

    def _step(self, input, hx=None):
        if hx is None:
            hx_list = [None, None]
        else:
            for i, h in enumerate(hx):              # as torch: each state's rank is read (a None fails here)
                if h.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{i}] to be 1D or 2D, got {h.dim()}D instead")
            if input.dim() == 1:
                hx_list = [hx[0], hx[1]]
            elif isinstance(hx, Tensor):
                raise TypeError("lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not Tensor")
            elif len(hx) != 2:
                raise RuntimeError("lstm_cell expects two hidden states")
            else:
                hx_list = list(hx)
        x, (h, c), batched = self._check(input, hx_list)
        i, f, g, o = self._gates(x, h, *self._weights()).chunk(4, 1)         # each (B, H)
        c2 = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h2 = o.sigmoid() * c2.tanh()
        return (h2, c2) if batched else (h2.squeeze(0), c2.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step, gates (r, z, n).  Shape: (B, I), (B, H) -> (B, H)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        policy = _products._autocast[0]
        if policy is not None:          # gru_cell is not on torch's autocast list
            return policy.plain(self._step, input, hx)
        return self._step(input, hx)

    def _step(self, input, hx=None):
        x, (h,), batched = self._check(input, [hx])
        xr, xz, xn = F.linear(x, self.weight_ih, self.bias_ih).chunk(3, 1)   # each (B, H)
        hr, hz, hn = F.linear(h, self.weight_hh, self.bias_hh).chunk(3, 1)
        r = (xr + hr).sigmoid()
        z = (xz + hz).sigmoid()
        n = (xn + r * hn).tanh()
        out = (1 - z) * n + z * h
        return out if batched else out.squeeze(0)
