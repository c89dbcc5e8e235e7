"""``python -m ember.utils.collect_env``: the environment report to paste into bug reports."""
from __future__ import annotations

import os
import platform
import sys

__all__ = ["get_env_info", "main"]


def _version(module_name):
    try:
        mod = __import__(module_name)
    except Exception as exc:  # noqa: BLE001 - report any import failure as text
        return f"not available ({type(exc).__name__})"
    return getattr(mod, "__version__", "installed")


def _blas():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (install threadpoolctl to see the BLAS library)"
    libs = [f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads, {i.get('filepath')})"
            for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(libs) or "none found"


def _gpu():
    try:
        import cupy
    except Exception:  # noqa: BLE001
        return "CuPy not installed: no GPU support"
    try:
        n = cupy.cuda.runtime.getDeviceCount()
        names = [cupy.cuda.runtime.getDeviceProperties(i)["name"].decode() for i in range(n)]
        return f"CuPy {cupy.__version__}, CUDA runtime {cupy.cuda.runtime.runtimeGetVersion()}, GPUs: " + \
            (", ".join(names) or "none")
    except Exception as exc:  # noqa: BLE001
        return f"CuPy {cupy.__version__}, but no usable GPU ({exc})"


def _mpi():
    try:
        import mpi4py
        from mpi4py import MPI
    except Exception as exc:  # noqa: BLE001
        return f"mpi4py not available ({type(exc).__name__})"
    return f"mpi4py {mpi4py.__version__}, {MPI.Get_library_version().splitlines()[0].strip()}"


def get_env_info():
    import numpy
    import ember
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "ember": ember.__version__,
        "Python": sys.version.replace("\n", " "),
        "OS": platform.platform(),
        "CPU": f"{cpu} ({os.cpu_count()} cores)",
        "NumPy": numpy.__version__,
        "ml_dtypes": _version("ml_dtypes"),
        "BLAS": _blas(),
        "GPU": _gpu(),
        "MPI": _mpi(),
        "tqdm": _version("tqdm"),
    }


def main():
    info = get_env_info()
    width = max(len(k) for k in info)
    print("\n".join(f"{k.ljust(width)}: {v}" for k, v in info.items()))


if __name__ == "__main__":
    main()
