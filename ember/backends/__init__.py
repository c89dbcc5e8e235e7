"""``ember.backends``: flags torch code sets (``cudnn.benchmark``, ``mps.is_available()``); ember has no
cuDNN or MPS, so they record the setting and report what exists."""
from types import SimpleNamespace


def _false():
    return False


cudnn = SimpleNamespace(benchmark=False, deterministic=False, enabled=True, allow_tf32=False, is_available=_false)
mps = SimpleNamespace(is_available=_false, is_built=_false)
mkldnn = SimpleNamespace(is_available=_false, enabled=False)
cuda = SimpleNamespace(matmul=SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True))
