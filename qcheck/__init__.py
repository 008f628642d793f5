"""qcheck: will this PyTorch model deploy on a Horizon BPU? Checked in seconds, without the SDK."""

__version__ = "0.1.0"
__all__ = ["Options", "check", "check_model", "__version__"]


def __getattr__(name: str):
    # Lazy: `qcheck --help` and cached re-checks must not pay for the checking machinery.
    if name in ("Options", "check", "check_model"):
        from qcheck import api

        return getattr(api, name)
    raise AttributeError(f"module 'qcheck' has no attribute {name!r}")
