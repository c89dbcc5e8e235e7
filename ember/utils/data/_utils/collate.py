"""``torch.utils.data._utils.collate``: the collate functions by element type, for building custom maps."""
from .._collate import (_ERR as default_collate_err_msg_format, _NON_NUMERIC as np_str_obj_array_pattern,  # noqa: F401
                        collate, collate_float_fn, collate_int_fn, collate_numpy_array_fn, collate_numpy_scalar_fn,
                        collate_str_fn, collate_tensor_fn, default_collate, default_collate_fn_map, default_convert)

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map", "collate_tensor_fn",
           "collate_numpy_array_fn", "collate_numpy_scalar_fn", "collate_float_fn", "collate_int_fn",
           "collate_str_fn", "default_collate_err_msg_format", "np_str_obj_array_pattern"]
