"""``ember.utils.summary``: a layer-by-layer table of a model (output shapes, parameter counts, memory),
gathered with forward hooks during one forward pass."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["summary", "ModelStatistics", "LayerInfo"]


@dataclass
class LayerInfo:
    name: str                 # dotted path in the model ('' for the root)
    class_name: str
    depth: int
    index: int                # position among the siblings of its depth, 1-based
    output_shape: list = field(default_factory=list)
    num_params: int = 0       # parameters owned directly by this module (not its children)
    trainable: str = "--"     # 'True', 'False', 'Partial' or '--' (no parameters of its own)
    calls: int = 0
    is_shared: bool = False   # the same module object appeared earlier under another name


class ModelStatistics:
    """What ``summary`` computed; ``str()`` is the table."""

    def __init__(self, model, layers, input_shapes, input_bytes, activation_bytes, param_bytes, total, trainable):
        self.model_name = type(model).__name__
        self.layers = layers
        self.input_shapes = input_shapes
        self.total_params = total
        self.trainable_params = trainable
        self.non_trainable_params = total - trainable
        self.input_size_bytes = input_bytes
        self.activation_bytes = activation_bytes
        self.param_bytes = param_bytes

    def __repr__(self):
        return self.__str__()

    def __str__(self):
        rows = [("Layer (type:depth-idx)", "Output Shape", "Param #", "Trainable")]
        for info in self.layers:
            tree = "" if info.depth == 0 else "│    " * (info.depth - 1) + "└─"
            label = info.class_name if info.depth == 0 else f"{tree}{info.class_name}: {info.depth}-{info.index}"
            if info.is_shared:
                label += " (shared)"
            shape = str(info.output_shape) if info.output_shape else "--"
            params = f"{info.num_params:,}" if info.num_params else "--"
            rows.append((label, shape, params, info.trainable))
        widths = [max(len(r[i]) for r in rows) + 3 for i in range(4)]
        line = "=" * sum(widths)
        out = [line, "".join(c.ljust(w) for c, w in zip(rows[0], widths)).rstrip(), line]
        out += ["".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows[1:]]
        mb = 1024 ** 2
        out += [line,
                f"Total params: {self.total_params:,}",
                f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.non_trainable_params:,}",
                line,
                f"Input size (MB): {self.input_size_bytes / mb:.2f}",
                f"Forward/backward pass size (MB): {self.activation_bytes / mb:.2f}",
                f"Params size (MB): {self.param_bytes / mb:.2f}",
                f"Estimated Total Size (MB): "
                f"{(self.input_size_bytes + self.activation_bytes + self.param_bytes) / mb:.2f}",
                line]
        return "\n".join(out)


def _shapes(obj):
    from ..tensor import Tensor
    if isinstance(obj, Tensor):
        return [list(obj.shape)]
    if isinstance(obj, (list, tuple)):
        out = []
        for o in obj:
            out += _shapes(o)
        return out
    if isinstance(obj, dict):
        out = []
        for o in obj.values():
            out += _shapes(o)
        return out
    return []


def _nbytes(obj):
    from ..tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.numel() * obj.element_size()
    if isinstance(obj, (list, tuple)):
        return sum(_nbytes(o) for o in obj)
    if isinstance(obj, dict):
        return sum(_nbytes(o) for o in obj.values())
    return 0


def summary(model, input_size=None, input_data=None, depth=3, dtypes=None, device=None, verbose=0):
    """Summarise ``model``: run one forward pass on ``input_data`` (or zeros of ``input_size``, batch dim
    included) and tabulate every module down to ``depth`` levels.

    ``input_size`` is a shape or a list of shapes (one per positional input); ``dtypes`` gives their dtypes
    (default: the default float dtype).  Returns a ``ModelStatistics`` whose ``str`` is the table.
    """
    from .. import _creation
    from ..autograd.grad_mode import no_grad
    from ..tensor import Tensor

    if input_data is None and input_size is None:
        raise ValueError("summary() needs input_size or input_data to run a forward pass")
    if input_data is None:
        sizes = [input_size] if isinstance(input_size[0], int) else list(input_size)
        dts = list(dtypes) if dtypes is not None else [None] * len(sizes)
        inputs = [_creation.zeros(*s, dtype=d) for s, d in zip(sizes, dts)]
    else:
        inputs = list(input_data) if isinstance(input_data, (list, tuple)) else [input_data]

    layers, by_module, seen_ids, handles = [], {}, set(), []
    sibling_count = {}

    def visit(module, name, d):
        if d > depth:
            return
        shared = id(module) in seen_ids
        seen_ids.add(id(module))
        parent = name.rsplit(".", 1)[0] if "." in name else ("" if name else None)
        key = (d, parent)
        sibling_count[key] = sibling_count.get(key, 0) + 1
        own = [p for p in module.parameters(recurse=False)]
        n_params = sum(p.numel() for p in own)
        if not own:
            trainable = "--"
        elif all(p.requires_grad for p in own):
            trainable = "True"
        elif not any(p.requires_grad for p in own):
            trainable = "False"
        else:
            trainable = "Partial"
        info = LayerInfo(name, type(module).__name__, d, sibling_count[key], num_params=0 if shared else n_params,
                         trainable=trainable, is_shared=shared)
        layers.append(info)
        by_module.setdefault(id(module), []).append(info)
        if not shared:
            # every slot, repeated modules included (named_children would hide a module's second slot)
            for child_name, child in module._modules.items():
                if child is None:
                    continue
                visit(child, f"{name}.{child_name}" if name else child_name, d + 1)

    visit(model, "", 0)

    activation = [0]

    def hook(module, args, output):
        infos = by_module.get(id(module), [])
        for info in infos:
            if info.calls == 0:
                info.output_shape = (_shapes(output) or [[]])[0] if len(_shapes(output)) == 1 else _shapes(output)
                break
        for info in infos:
            info.calls += 1
        activation[0] += _nbytes(output)

    for m in {id(m): m for m in model.modules()}.values():
        handles.append(m.register_forward_hook(hook))
    try:
        with no_grad():
            model(*inputs)
    finally:
        for h in handles:
            h.remove()

    params = list(model.parameters())  # de-duplicated, as torch's parameters() is
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    param_bytes = sum(p.numel() * p.element_size() for p in params)
    input_bytes = sum(_nbytes(x) for x in inputs if isinstance(x, Tensor))
    # forward + backward: every output is kept for backward and gets a gradient of the same size
    return ModelStatistics(model, layers, [list(x.shape) for x in inputs if isinstance(x, Tensor)], input_bytes,
                           2 * activation[0], param_bytes, total, trainable)
