"""Facts for the tensor_method rows of the table (see qcheck/facts/__init__.py)."""

from __future__ import annotations
