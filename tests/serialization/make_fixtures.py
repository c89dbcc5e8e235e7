"""Make the torch-written fixtures in ``fixtures/`` with real torch (2.13), and ``fixtures/manifest.json``.

Run: ``.venv/bin/python tests/serialization/make_fixtures.py [OUT_DIR]`` (default: ``fixtures/`` here).
The manifest holds what ``torch.load`` returns for each file (see ``_ckpt_describe.py``), so the reading
tests need no torch.  Every file stays a few KB.
"""
from __future__ import annotations

import io
import json
import math
import os
import sys
import zipfile
from collections import Counter

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "fixtures")
sys.path.insert(0, HERE)
from _ckpt_describe import torch_describer  # noqa: E402


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))      # (B, 4, H-2, W-2)
        return self.fc(x.mean(dim=(2, 3)))          # (B, 3)


def trained_cnn():
    torch.manual_seed(0)
    model = CNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(2, 1, 6, 6)
    model(x).sum().backward()
    opt.step()
    return model, opt


def views():
    base = torch.arange(24, dtype=torch.float32)
    v2 = base.view(4, 6)
    return {"base": base, "view2d": v2, "T": v2.t(), "slice": base[5:17], "step": base[::3], "col": v2[:, 2],
            "expand": torch.arange(3.0).expand(4, 3), "scalar": torch.tensor(7.5), "empty": torch.empty(0, 3),
            "fortran": torch.arange(6.0).view(3, 2).t().contiguous().t()}


def dtypes():
    g = torch.Generator().manual_seed(1)
    f = torch.randn(6, generator=g)
    out = {"float32": f, "float64": f.double(), "float16": f.half(), "bfloat16": f.bfloat16(),
           "int64": torch.arange(-3, 3), "int32": torch.arange(-3, 3, dtype=torch.int32),
           "int16": torch.arange(-3, 3, dtype=torch.int16), "int8": torch.arange(-3, 3, dtype=torch.int8),
           "uint8": torch.arange(250, 256, dtype=torch.uint8), "bool": torch.tensor([True, False, True]),
           "complex64": torch.complex(f, -f), "complex128": torch.complex(f.double(), f.double() * 2),
           "uint16": torch.tensor([0, 1, 65535], dtype=torch.int32).to(torch.uint16),
           "uint32": torch.tensor([0, 1, 2**32 - 1], dtype=torch.int64).to(torch.uint32),
           "uint64": torch.tensor([0, 1, 2**63 - 1], dtype=torch.int64).to(torch.uint64),
           "bf16_strided": torch.arange(12.0).bfloat16().view(3, 4)[:, 1::2],
           "u16_view": torch.arange(8, dtype=torch.int32).to(torch.uint16).view(2, 4).t()}
    return out


def training_checkpoint():
    model, opt = trained_cnn()
    shared = [1, 2, 3]
    return {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 7, "name": "résumé ✓",
            "blob": b"\x00\xffbytes", "tags": {"a", "b"}, "big": 2**70, "neg_big": -(2**100), "tiny": 1.5e-300,
            "nan": math.nan, "inf": math.inf, "ninf": -math.inf, "pair": (1, 2.5), "nested": {"x": [1, {"y": None}]},
            "alias1": shared, "alias2": shared, "flags": [True, False], "cplx": complex(1.5, -2.0),
            "barr": bytearray(b"xy"), "long_tuple": (1, 2, 3, 4, 5), "dtype": torch.float16,
            "size": torch.Size([2, 3]), "device": torch.device("cpu"), "counter": Counter(a=2)}


def params():
    torch.manual_seed(2)
    p = nn.Parameter(torch.randn(3))
    frozen = nn.Parameter(torch.randn(2), requires_grad=False)
    attr_param = nn.Parameter(torch.ones(2))
    attr_param.note = "kept"
    return {"p": p, "frozen": frozen, "attr_param": attr_param, "p_again": p, "t_rg": torch.ones(2, requires_grad=True)}


def tensor_with_attrs():
    t = torch.arange(3.0)
    t.foo = "bar"
    return {"t": t}


def conj():
    z = torch.complex(torch.arange(4.0), torch.arange(4.0) + 1)
    return {"conj": z.conj(), "plain": z.clone(), "neg": torch._neg_view(torch.arange(3.0))}


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {}

    def write(name, obj, describe_with=None, **kw):
        path = os.path.join(OUT, name)
        torch.save(obj, path, **kw)
        loaded = torch.load(path, weights_only=False)
        manifest[name] = torch_describer()(loaded)
        return path

    model, _ = trained_cnn()
    write("cnn_bn.pth", model.state_dict())
    write("views.pth", views())
    write("dtypes.pth", dtypes())
    write("checkpoint.pth", training_checkpoint())
    write("params.pth", params())
    write("tensor_attrs.pth", tensor_with_attrs())
    write("conj.pth", conj())
    legacy = {"views": views(), "model": model.state_dict(), "p": params()["p"], "big": 2**70}
    write("legacy.pth", legacy, _use_new_zipfile_serialization=False)
    torch.serialization.set_crc32_options(False)
    try:
        write("nocrc.pth", views())
    finally:
        torch.serialization.set_crc32_options(True)
    write("proto4.pth", training_checkpoint(), pickle_protocol=4)

    # deflate: the views file repacked by Python's zipfile
    src = zipfile.ZipFile(os.path.join(OUT, "views.pth"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename.replace("views/", "deflate/"), src.read(info))
    with open(os.path.join(OUT, "deflate.pth"), "wb") as fh:
        fh.write(buf.getvalue())
    manifest["deflate.pth"] = torch_describer()(torch.load(os.path.join(OUT, "deflate.pth"), weights_only=True))

    # a TorchScript archive: ember must say clearly that it is not a torch.save checkpoint
    torch.jit.script(nn.Linear(2, 2)).save(os.path.join(OUT, "torchscript.pt"))

    # the CNN forward pass on a fixed input, to check a round trip reproduces it bit for bit
    torch.manual_seed(3)
    x = torch.randn(2, 1, 6, 6)
    model.eval()
    with torch.no_grad():
        y = model(x)
    torch.save({"x": x, "y": y}, os.path.join(OUT, "cnn_io.pth"))

    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True)
    for name in sorted(os.listdir(OUT)):
        print(f"{name:20s} {os.path.getsize(os.path.join(OUT, name)):8d} bytes")


if __name__ == "__main__":
    main()
