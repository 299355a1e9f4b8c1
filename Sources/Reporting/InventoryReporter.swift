public import Inventory

/// Renders an inventory, every source in the given order, in one output format (a ``Reporter``
/// of the sources).
public protocol InventoryReporter: Reporter where Input == [InventorySource] {}
