"""qcheck: will this PyTorch model deploy on a Horizon BPU? Checked in seconds, without the SDK."""

__version__ = "0.1.0"

from qcheck.api import Options, check, check_model  # noqa: E402

__all__ = ["Options", "check", "check_model", "__version__"]
