"""``consume_prefix_in_state_dict_if_present``: load checkpoints saved from DataParallel/DDP or torch.compile.

Those wrappers prefix every key (``module.conv.weight``, ``_orig_mod.conv.weight``); stripping the prefix
lets ``load_state_dict`` match the bare model.
"""
from __future__ import annotations

__all__ = ["consume_prefix_in_state_dict_if_present"]


def consume_prefix_in_state_dict_if_present(state_dict, prefix: str) -> None:
    """Strip ``prefix`` from every key of ``state_dict`` that has it, in place; also from ``_metadata``.

    Keys without the prefix are left alone.  In ``_metadata`` the wrapper's own entry (``"module"`` for the
    prefix ``"module."``) becomes the root entry ``""``, as torch does.

    >>> from collections import OrderedDict
    >>> sd = OrderedDict([("module.fc.weight", 1), ("module.fc.bias", 2)])
    >>> consume_prefix_in_state_dict_if_present(sd, "module.")
    >>> list(sd)
    ['fc.weight', 'fc.bias']
    """
    for key in list(state_dict.keys()):
        if key.startswith(prefix):
            state_dict[key[len(prefix):]] = state_dict.pop(key)   # re-inserting keeps the prefixed keys' order
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is None:
        return
    wrapper = prefix.replace(".", "")
    for key in list(metadata.keys()):
        # '' is the wrapper's own root entry: it is replaced by the wrapped model's entry ("module" -> "")
        if key and (key == wrapper or key.startswith(prefix)):
            metadata[key[len(prefix):]] = metadata.pop(key)
