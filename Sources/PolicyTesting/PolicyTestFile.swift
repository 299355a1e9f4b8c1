public import Policy

/// One policy test file: the policy it tests and its cases, as written.
///
/// Test files are in the policy language's YAML subset and read by the same parser:
///
/// ```yaml
/// policy: ../baseline.yaml
/// cases:
///   - name: a virtio server is compliant
///     domain: domains/server.xml
///     expect: compliant
///   - name: a sound card is refused
///     domain: domains/sound.xml
///     expect:
///       - {check: class-denied, class: sound, action: refuse}
/// ```
///
/// Paths are relative to the test file's directory.
public struct PolicyTestFile: Sendable {
  /// One case: a name, domain XML files, and what the policy must say of each.
  public struct Case: Sendable {
    /// What the case is about.
    public let name: String
    /// Where the case starts, for messages.
    public let location: SourceLocation
    /// The domain XML files (resolved paths).
    public let domains: [String]
    /// What every one of them must get.
    public let expectation: Expectation
  }

  /// What a case expects.
  public enum Expectation: Sendable, Equatable {
    /// No finding at all.
    case compliant
    /// Exactly these findings, in any order.
    case findings([ExpectedFinding])
  }

  /// A finding a case expects: every field given must equal the finding's.
  public struct ExpectedFinding: Sendable, Equatable, CustomStringConvertible {
    /// The check (`device-denied`, `class-denied`, ...).
    public let check: String?
    /// The device class (`sound`, `interface`, ...).
    public let deviceClass: String?
    /// The action (`refuse`, `detach`, `rewrite`, `warn`).
    public let action: String?
    /// The stable finding ID (`KP-...`).
    public let id: String?

    /// Creates an expectation; `nil` fields match anything.
    public init(check: String? = nil, deviceClass: String? = nil, action: String? = nil, id: String? = nil) {
      self.check = check
      self.deviceClass = deviceClass
      self.action = action
      self.id = id
    }

    /// `check=class-denied class=sound action=refuse`.
    public var description: String {
      [("id", id), ("check", check), ("class", deviceClass), ("action", action)].compactMap { key, value in value.map { "\(key)=\($0)" } }
        .joined(separator: " ")
    }
  }

  /// The test file's path.
  public let path: String
  /// The policy under test (resolved path).
  public let policy: String
  /// The cases, in file order.
  public let cases: [Case]
}
