"""Unit tests run without AWS; the layer's settings still need a table name to import its items."""

from __future__ import annotations

import os

os.environ.setdefault("TABLE_NAME", "starling-unit-tests")
