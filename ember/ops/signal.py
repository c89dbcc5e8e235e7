"""Short-time Fourier transforms (``torch.stft`` / ``torch.istft``), composed from ``ember.fft`` and shape ops.

stft:  frames x_t[k] = x[t * hop + k] (after centre padding), X[f, t] = sum_k w[k] x_t[k] e^{-2 pi i f k / n_fft}.
istft: overlap-add of w[k] * ifft(X[:, t])[k], divided by the envelope sum_t w[k - t * hop]^2.
Both are compositions of differentiable ops, so gradients (and double backward) come from the primitives.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..tensor import Tensor, _wrap

__all__ = ["stft", "istft"]

_TYPE = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
         "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
         "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _opt(v):
    return "None" if v is None else str(int(v))


def _window_repr(window):
    return "None" if window is None else f"torch.{_TYPE[window.dtype.name]}Tensor{{{list(window.shape)}}}"


def _padded_window(window, win_length, n_fft, like):
    """The window (ones when missing) centred in n_fft samples."""
    if window is None:
        from .. import ones
        window = ones(win_length, dtype=like.real.dtype if like.is_complex() else like.dtype)
    if win_length < n_fft:
        from ..nn.functional import pad
        left = (n_fft - win_length) // 2
        window = pad(window, (left, n_fft - win_length - left))
    return window


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """The STFT of a 1-D signal (``L``) or a batch (``B, L``): ``(B?, n_fft // 2 + 1 or n_fft, n_frames)``."""
    from .. import fft, view_as_real
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied,which is known to cause "
                      "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
                      "recommended to reduce spectral leakage.To suppress this warning and use a rectangular window, "
                      "explicitly set `window=torch.ones(n_fft, device=<device>)`.", UserWarning, stacklevel=2)
    complex_io = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None:
        if not complex_io:
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will further "
                               "require that return_complex=True in a future PyTorch release.")
        return_complex = True
    elif not return_complex:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, stft will return "
                      "complex tensors for all inputs, and return_complex=False will raise an error.\nNote: you can "
                      "still call torch.view_as_real on the complex output to recover the old return format.",
                      UserWarning, stacklevel=2)
    x = input
    if center and x.dim() <= 3:
        from ..nn.functional import pad
        x3 = x.reshape((1,) * (3 - x.dim()) + tuple(x.shape))            # (1?, B?, L) -> 3-D for pad
        x = pad(x3, (n_fft // 2, n_fft // 2), mode=pad_mode).reshape(tuple(x.shape[:-1]) + (-1,))
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    shape_s = ", ".join(str(s) for s in x.shape)
    head = (f"stft(torch.{_TYPE.get(x.dtype.name, x.dtype.name)}Tensor[{shape_s}], n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={_window_repr(window)}, normalized={int(bool(normalized))}, "
            f"onesided={_opt(onesided)}, return_complex={_opt(return_complex)}, align_to_window={align_to_window}) : ")
    if x.dim() not in (1, 2):
        raise RuntimeError(head + "expected a 1D or 2D tensor")
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(head + "expected a tensor of floating point or complex values")
    length = x.shape[-1]
    if not 0 < n_fft <= length:
        raise RuntimeError(head + f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(head + f"expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(head + f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        raise RuntimeError(head + f"expected a 1D window tensor of size equal to win_length={win}, but got window "
                           f"with size {list(window.shape)}")
    if onesided is None:
        onesided = not complex_io
    elif onesided and complex_io:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    w = _padded_window(window, win, n_fft, x)
    frames = x.unfold(-1, n_fft, hop) * w                                 # (B?, n_frames, n_fft)
    norm = "ortho" if normalized else "backward"
    spec = fft.rfft(frames, dim=-1, norm=norm) if onesided else fft.fft(frames, dim=-1, norm=norm)
    spec = spec.transpose(-1, -2)                                         # (B?, freq, n_frames)
    return spec if return_complex else view_as_real(spec)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """The inverse of ``stft`` by windowed overlap-add (least-squares for overlapping frames)."""
    from .. import fft
    from .._creation import zeros
    if not isinstance(input, Tensor) or not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please provide the same "
                      "window used by stft to make the inversion lossless.To suppress this warning and use a "
                      "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`.",
                      UserWarning, stacklevel=2)
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    freq, n_frames = input.shape[-2:]
    onesided_arg = onesided
    if onesided is None:
        onesided = freq != n_fft
    if return_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
    elif window is not None and window.is_complex():
        raise RuntimeError("Complex windows are incompatible with return_complex=False")
    batched = input.dim() == 3
    spec = (input if batched else input.unsqueeze(0)).transpose(-1, -2)    # (B, n_frames, freq)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        frames = fft.ifft(spec, n_fft, dim=-1, norm=norm)
    else:
        if not onesided:
            spec = spec[..., : n_fft // 2 + 1]
        frames = fft.irfft(spec, n_fft, dim=-1, norm=norm)                 # (B, n_frames, n_fft)
    w = _padded_window(window, win, n_fft, frames)
    frames = frames * w
    total = n_fft + hop * (n_frames - 1)
    index = (np.arange(n_frames)[:, None] * hop + np.arange(n_fft)).reshape(-1)
    batch = frames.shape[0]
    signal = zeros((batch, total), dtype=frames.dtype).index_add(1, _wrap(index), frames.reshape(batch, -1))
    w2 = np.abs(w.detach()._host()) ** 2
    envelope = np.zeros(total, w2.dtype)
    np.add.at(envelope, index, np.tile(w2, n_frames))
    start = n_fft // 2 if center else 0
    end = total - n_fft // 2 if center else total
    if length is not None:
        end = start + length
    envelope = envelope[start:end]
    if envelope.size < (end - start) or (envelope.size and envelope.min() < 1e-11):
        shape_s = ", ".join(str(s) for s in input.shape)
        raise RuntimeError(f"istft(CPU{_TYPE[input.dtype.name]}Type[{shape_s}], n_fft={n_fft}, hop_length={hop}, "
                           f"win_length={win}, window={_window_repr(window)}, center={int(bool(center))}, "
                           f"normalized={int(bool(normalized))}, onesided={_opt(onesided_arg)}, length={length}, "
                           f"return_complex={int(bool(return_complex))}) window overlap add min: 1\n[ CPUBoolType{{}} ]")
    signal = signal[:, start:end] / _wrap(envelope.astype(w2.dtype))
    if length is not None and signal.shape[-1] < length:
        warnings.warn("The length of signal is shorter than the length parameter. Result is being padded with zeros "
                      "in the tail. Please check your center and hop_length settings.", UserWarning, stacklevel=2)
        from ..nn.functional import pad
        signal = pad(signal, (0, length - signal.shape[-1]))
    return signal if batched else signal.squeeze(0)
