"""A metaclass that makes ember's core classes print as torch's (``print(type(x))`` in a tutorial shows
``<class 'torch.Tensor'>``).  Only the printed form changes: ``__module__`` stays ember's, so pickling and
imports keep finding the real classes.  Subclasses defined by users print under their own module, as in torch."""


class TorchNamed(type):
    def __repr__(cls):
        name = cls.__dict__.get("_torch_class_name")
        if name is None and cls.__module__.startswith("ember."):
            name = "torch." + cls.__module__[len("ember."):] + "." + cls.__qualname__
        return f"<class '{name}'>" if name else super().__repr__()
