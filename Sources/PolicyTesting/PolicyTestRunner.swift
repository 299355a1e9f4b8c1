import DomainModel
public import Engine
public import Policy
import SystemIO

/// Runs policy test files: loads each file's policy, judges each case's domains with the engine
/// `check` uses, and compares the findings with the expectation.
public enum PolicyTestRunner {
  /// What one test file gave.
  public struct FileResult: Sendable {
    /// The test file.
    public let path: String
    /// The policy it tested, with its fingerprint, when it loaded.
    public let policy: String
    /// The policy's fingerprint (`fnv1a64:...`).
    public let fingerprint: String
    /// One result per case, in file order.
    public let cases: [CaseResult]
  }

  /// What one case gave.
  public struct CaseResult: Sendable {
    /// The case's name.
    public let name: String
    /// Where it is written.
    public let location: SourceLocation
    /// Every way the findings differ from the expectation, per domain file; empty when it passed.
    public let differences: [String]

    /// Whether the policy said what the case expects.
    public var passed: Bool { differences.isEmpty }
  }

  /// A test file, its policy or a domain file that could not be used: bad input.
  public enum InputError: Error, Sendable, CustomStringConvertible {
    /// The test file or the policy has `file:line:col` errors (with the text they are in).
    case invalid(PolicyErrors, source: String?)
    /// A domain XML file could not be read or parsed.
    case domain(String)

    /// One line per problem.
    public var description: String {
      switch self {
      case .invalid(let errors, _): errors.description
      case .domain(let message): message
      }
    }
  }

  /// Runs the test file at `path`, judging the policy's waivers on `today`. A case judges what
  /// the policy enforces: a finding that a waiver in force covers is left out, so `compliant`
  /// holds for a domain whose only findings are waived, until the waiver expires.
  public static func run(path: String, today: PolicyDate) -> Result<FileResult, InputError> {
    let file: PolicyTestFile
    switch PolicyTestFileLoader.load(path: path) {
    case .failure(let errors): return .failure(.invalid(errors, source: try? FileContents.text(path, limit: 1 << 20).get()))
    case .success(let loaded): file = loaded
    }
    let policy: Policy
    switch PolicyLoader.load(path: file.policy) {
    case .failure(let errors): return .failure(.invalid(errors, source: PolicyLoader.sourceText(ofFile: file.policy)))
    case .success(let loaded): policy = loaded.policy
    }
    var results: [CaseResult] = []
    for testCase in file.cases {
      var differences: [String] = []
      for path in testCase.domains {
        let domain: Domain
        switch FileContents.text(path, limit: 16 << 20) {
        case .failure(let error): return .failure(.domain("\(testCase.location): error: case '\(testCase.name)': \(error)"))
        case .success(let xml):
          do {
            domain = try Domain.parse(xml: xml, source: path)
          } catch {
            return .failure(.domain("\(error.description) (case '\(testCase.name)' at \(testCase.location))"))
          }
        }
        let findings = Engine.evaluate(domain, against: policy, decisions: false, today: today).findings.filter { !$0.isWaived }
        differences += compare(findings, with: testCase.expectation).map { "\(path): \($0)" }
      }
      results.append(CaseResult(name: testCase.name, location: testCase.location, differences: differences))
    }
    return .success(FileResult(path: file.path, policy: file.policy, fingerprint: policy.fingerprint, cases: results))
  }

  /// How `findings` differ from `expectation`: each expected finding must be matched by a
  /// finding of its own, and no finding may be left over.
  public static func compare(_ findings: [Finding], with expectation: PolicyTestFile.Expectation) -> [String] {
    let expected: [PolicyTestFile.ExpectedFinding]
    switch expectation {
    case .compliant: expected = []
    case .findings(let list): expected = list
    }
    var unmatched = findings
    var differences: [String] = []
    for want in expected {
      if let index = unmatched.firstIndex(where: { matches($0, want) }) {
        unmatched.remove(at: index)
      } else {
        differences.append("expected a finding with \(want), got none")
      }
    }
    for finding in unmatched {
      let device = finding.device.map { " class=\($0.deviceClass)" } ?? ""
      differences.append(
        "unexpected \(finding.id) check=\(finding.check.rawValue)\(device) action=\(finding.action.rawValue): \(finding.message)")
    }
    return differences
  }

  static func matches(_ finding: Finding, _ want: PolicyTestFile.ExpectedFinding) -> Bool {
    (want.id.map { $0 == finding.id } ?? true) && (want.check.map { $0 == finding.check.rawValue } ?? true)
      && (want.action.map { $0 == finding.action.rawValue } ?? true)
      && (want.deviceClass.map { $0 == finding.device?.deviceClass } ?? true)
  }

  /// `paths` with every directory replaced by the `*.yaml` files in it, sorted.
  public static func expandingDirectories(_ paths: [String]) -> [String] {
    paths.flatMap { path -> [String] in
      guard let names = try? Directories.list(path) else { return [path] }
      let base = path.hasSuffix("/") ? path : path + "/"
      return names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.sorted().map { base + $0 }
    }
  }
}
