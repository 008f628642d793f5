"""Facts for the nn_layers and functional rows of the table (see qcheck/facts/__init__.py)."""

from __future__ import annotations
