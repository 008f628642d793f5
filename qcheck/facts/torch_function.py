"""Facts for the torch_function rows of the table (see qcheck/facts/__init__.py)."""

from __future__ import annotations
