"""``ember.optim``: optimizers and learning-rate schedulers, step for step with ``torch.optim``.

Each algorithm is one file holding its update math once; ``optimizer.Optimizer`` does the bookkeeping.
``SparseAdam`` takes the rows with a nonzero gradient as the rows a sparse gradient would hold (ember's
gradients are dense).  ``differentiable=True`` (autograd through the step) is implemented for SGD, Adam and AdamW.
"""
from . import lr_scheduler, swa_utils
from .adafactor import Adafactor
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = ["Adafactor", "Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "ASGD", "LBFGS", "lr_scheduler", "Muon",
           "NAdam", "Optimizer", "RAdam", "RMSprop", "Rprop", "SGD", "SparseAdam", "swa_utils"]
