public import Inventory

/// Renders an inventory in one output format.
///
/// Reporters are pure: the same sources always give the same text.
public protocol InventoryReporter: Sendable {
  /// The format's name on the command line (`text`, `json`).
  static var identifier: String { get }
  /// Renders every source, in the given order.
  func render(_ sources: [InventorySource]) -> String
}
