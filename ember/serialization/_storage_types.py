"""torch's storage classes and dtype names, and the NumPy dtypes they stand for (CHECKPOINT-FORMAT.md 2)."""
from __future__ import annotations

import numpy as np

try:
    import ml_dtypes
except ImportError:  # pragma: no cover - a declared dependency
    ml_dtypes = None

__all__ = ["CLASSIC", "NEW_DTYPES", "NP_TO_STORAGE", "UNSUPPORTED_STORAGES", "UNSUPPORTED_DTYPES"]

_BF16 = np.dtype(ml_dtypes.bfloat16) if ml_dtypes is not None else None

# torch.<X>Storage -> element dtype; these persistent ids count elements
CLASSIC = {
    "FloatStorage": np.dtype(np.float32), "DoubleStorage": np.dtype(np.float64),
    "HalfStorage": np.dtype(np.float16), "BFloat16Storage": _BF16,
    "LongStorage": np.dtype(np.int64), "IntStorage": np.dtype(np.int32),
    "ShortStorage": np.dtype(np.int16), "CharStorage": np.dtype(np.int8),
    "ByteStorage": np.dtype(np.uint8), "BoolStorage": np.dtype(np.bool_),
    "ComplexFloatStorage": np.dtype(np.complex64), "ComplexDoubleStorage": np.dtype(np.complex128),
}

# torch.<name> dtype globals that ember represents
DTYPES = {
    "float32": np.dtype(np.float32), "float": np.dtype(np.float32), "float64": np.dtype(np.float64),
    "double": np.dtype(np.float64), "float16": np.dtype(np.float16), "half": np.dtype(np.float16),
    "bfloat16": _BF16, "int64": np.dtype(np.int64), "long": np.dtype(np.int64), "int32": np.dtype(np.int32),
    "int": np.dtype(np.int32), "int16": np.dtype(np.int16), "short": np.dtype(np.int16),
    "int8": np.dtype(np.int8), "uint8": np.dtype(np.uint8), "bool": np.dtype(np.bool_),
    "complex64": np.dtype(np.complex64), "cfloat": np.dtype(np.complex64),
    "complex128": np.dtype(np.complex128), "cdouble": np.dtype(np.complex128),
    "uint16": np.dtype(np.uint16), "uint32": np.dtype(np.uint32), "uint64": np.dtype(np.uint64),
}

# dtypes torch saves through UntypedStorage + _rebuild_tensor_v3 (torch.storage._new_dtypes())
NEW_DTYPES = ("uint16", "uint32", "uint64")

# torch has these, ember does not: refused with an "unsupported" message rather than "unsafe"
UNSUPPORTED_STORAGES = ("QInt8Storage", "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage", "QUInt2x4Storage")
UNSUPPORTED_DTYPES = ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu",
                      "float4_e2m1fn_x2", "complex32", "chalf", "qint8", "quint8", "qint32", "quint4x2",
                      "quint2x4", "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16", "int1", "int2", "int3",
                      "int4", "int5", "int6", "int7", "uint1", "uint2", "uint3", "uint4", "uint5", "uint6",
                      "uint7")

# writer side: numpy dtype -> (storage global name, is v3, torch dtype name)
NP_TO_STORAGE = {dt: (name, False, None) for name, dt in CLASSIC.items() if dt is not None}
for _name in NEW_DTYPES:
    NP_TO_STORAGE[DTYPES[_name]] = ("UntypedStorage", True, _name)
