import DomainModel
import Engine
public import Policy
import SystemIO

/// Reads a policy test file with the policy language's own parser and checks its shape; every
/// problem is a `file:line:col` diagnostic, like a policy's.
public enum PolicyTestFileLoader {
  /// The keys a test file has.
  static let fileKeys = ["policy", "cases"]
  /// The keys a case has.
  static let caseKeys = ["name", "domain", "expect"]
  /// The keys an expected finding has.
  static let findingKeys = ["check", "class", "action", "id"]

  /// The test file at `path`, or every problem with it.
  public static func load(path: String) -> Result<PolicyTestFile, PolicyErrors> {
    switch FileContents.text(path, limit: 1 << 20) {
    case .failure(let error):
      return .failure(PolicyErrors([PolicyDiagnostic(.unreadable(error.reason), at: SourceLocation(file: path, line: 0, column: 0))]))
    case .success(let text):
      return load(text: text, path: path)
    }
  }

  /// The test file in `text`, read from `path` (paths in it are relative to its directory).
  public static func load(text: String, path: String) -> Result<PolicyTestFile, PolicyErrors> {
    let (root, parseErrors) = PolicyParser.parse(text, file: path)
    guard parseErrors.isEmpty, let root else { return .failure(PolicyErrors(parseErrors)) }
    var reader = Reader(directory: directory(of: path))
    let file = reader.file(root, path: path)
    guard let file, reader.errors.isEmpty else { return .failure(PolicyErrors(reader.errors)) }
    return .success(file)
  }

  /// The directory part of `path` (`.` for a bare name).
  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// Walks the parsed document, collecting every problem.
  private struct Reader {
    let directory: String
    var errors: [PolicyDiagnostic] = []

    mutating func file(_ root: PolicyNode, path: String) -> PolicyTestFile? {
      guard let entries = mapping(root, context: "a policy test file", keys: fileKeys) else { return nil }
      let policy = required("policy", in: entries, at: root, expected: "the path of the policy to test").flatMap { scalar($0, field: "policy") }
      var cases: [PolicyTestFile.Case] = []
      if let list = required("cases", in: entries, at: root, expected: "a list of cases") {
        if case .sequence(let items) = list.kind, !items.isEmpty {
          cases = items.compactMap { testCase($0) }
        } else {
          fail(.wrongType(field: "cases", expected: "a list of cases", found: list.kindDescription), list)
        }
      }
      guard let policy else { return nil }
      return PolicyTestFile(path: path, policy: resolve(policy), cases: cases)
    }

    mutating func testCase(_ node: PolicyNode) -> PolicyTestFile.Case? {
      guard let entries = mapping(node, context: "a test case", keys: caseKeys) else { return nil }
      let name = required("name", in: entries, at: node, expected: "the case's name").flatMap { scalar($0, field: "name") }
      var domains: [String] = []
      if let domain = required("domain", in: entries, at: node, expected: "a domain XML file or a list of them") {
        switch domain.kind {
        case .scalar: domains = scalar(domain, field: "domain").map { [resolve($0)] } ?? []
        case .sequence(let items) where !items.isEmpty: domains = items.compactMap { scalar($0, field: "domain") }.map(resolve)
        default: fail(.wrongType(field: "domain", expected: "a domain XML file or a list of them", found: domain.kindDescription), domain)
        }
      }
      let expectation = required("expect", in: entries, at: node, expected: "'compliant' or a list of findings").flatMap { expect($0) }
      guard let name, let expectation, !domains.isEmpty else { return nil }
      return PolicyTestFile.Case(name: name, location: node.location, domains: domains, expectation: expectation)
    }

    mutating func expect(_ node: PolicyNode) -> PolicyTestFile.Expectation? {
      switch node.kind {
      case .scalar(let text, _) where text == "compliant": return .compliant
      case .sequence(let items) where !items.isEmpty:
        let findings = items.compactMap { finding($0) }
        return findings.count == items.count ? .findings(findings) : nil
      default:
        fail(.wrongType(field: "expect", expected: "'compliant' or a list of findings", found: node.scalar.map { "'\($0)'" } ?? node.kindDescription), node)
        return nil
      }
    }

    mutating func finding(_ node: PolicyNode) -> PolicyTestFile.ExpectedFinding? {
      guard let entries = mapping(node, context: "an expected finding", keys: findingKeys) else { return nil }
      guard !entries.isEmpty else {
        fail(.wrongType(field: "expect", expected: "findings with a check, class, action or id", found: "an empty mapping"), node)
        return nil
      }
      var values: [String: String] = [:]
      for entry in entries {
        guard let value = scalar(entry.value, field: entry.key) else { continue }
        let valid: [String] =
          switch entry.key {
          case "check": Check.allCases.map(\.rawValue)
          case "action": Action.allCases.map(\.rawValue)
          case "class": DeviceClass.known.map(\.name)
          default: []
          }
        if !valid.isEmpty, !valid.contains(value) {
          fail(.invalidValue(field: entry.key, value: value, valid: valid), entry.value)
          continue
        }
        values[entry.key] = value
      }
      guard values.count == entries.count else { return nil }
      return PolicyTestFile.ExpectedFinding(check: values["check"], deviceClass: values["class"], action: values["action"], id: values["id"])
    }

    mutating func mapping(_ node: PolicyNode, context: String, keys: [String]) -> [PolicyNode.Entry]? {
      guard case .mapping(let entries) = node.kind else {
        fail(.notAMapping(context: context), node)
        return nil
      }
      for entry in entries where !keys.contains(entry.key) {
        errors.append(PolicyDiagnostic(
          .unknownKey(entry.key, context: context, suggestion: nil, valid: keys), at: entry.keyLocation, length: entry.key.count))
      }
      return entries
    }

    mutating func required(_ key: String, in entries: [PolicyNode.Entry], at node: PolicyNode, expected: String) -> PolicyNode? {
      guard let value = entries.first(where: { $0.key == key })?.value else {
        fail(.wrongType(field: key, expected: expected, found: "missing"), node)
        return nil
      }
      return value
    }

    mutating func scalar(_ node: PolicyNode, field: String) -> String? {
      guard let text = node.scalar, !node.isNull else {
        fail(.wrongType(field: field, expected: "a scalar", found: node.kindDescription), node)
        return nil
      }
      return text
    }

    mutating func fail(_ message: PolicyMessage, _ node: PolicyNode) {
      errors.append(PolicyDiagnostic(message, at: node.location, length: node.length))
    }

    func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : directory + "/" + path }
  }
}
