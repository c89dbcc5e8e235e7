"""``torch.utils.data._utils.worker``: what a worker process knows about itself."""
from .._worker import WorkerInfo, get_worker_info  # noqa: F401

__all__ = ["WorkerInfo", "get_worker_info"]
