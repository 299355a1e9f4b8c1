/// Renders one kind of input (a check report, an inventory, host checks) in one output format.
/// Every reporter is pure: the input and the options it was made with give the same bytes. Each
/// input has one registry of its formats (``CheckReporters``, ``InventoryReporters``,
/// ``HostReporters``, and ``EnforcementReporters`` for plans and outcomes).
public protocol Reporter<Input>: Sendable {
  /// What is rendered.
  associatedtype Input
  /// The format's name on the command line.
  static var identifier: String { get }
  /// Renders the whole input.
  func render(_ input: Input) -> String
}
