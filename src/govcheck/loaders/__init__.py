"""Reading an inventory (directory, archive or inline data) into located records.

`load_inventory` reads a directory or a `.tar.gz`/`.zip` snapshot of one;
`inventory_from_mapping` takes canonical records as data (policy tests). Both
give an `Inventory` whose records went through the same normalisation.
"""

from __future__ import annotations

from govcheck.loaders.inline import inventory_from_mapping
from govcheck.loaders.inventory import load_inventory
from govcheck.loaders.limits import Limits

__all__ = ["Limits", "inventory_from_mapping", "load_inventory"]
