"""Facts for the nn_conv and nn_activation rows of the table (see qcheck/facts/__init__.py)."""

from __future__ import annotations
