import Foundation
import Policy
import Testing

/// The bad-input corpus: `BadPolicies/NN-name.yaml`, each a realistic policy with one mistake,
/// and `BadPolicies/EXPECTED.tsv`, which names the first error kvmpolicy must report for each
/// (diagnostics sorted by position, the first with severity error).
///
/// EXPECTED.tsv columns, tab-separated, after a header line: file, line, column, message id,
/// exact message text. Lines starting with `#` are comments.
enum BadPolicyCorpus {
  /// The corpus folder, found next to this source file (the files are not SwiftPM resources).
  static let directory: String = {
    var path = String(#filePath)
    while let last = path.last, last != "/" { path.removeLast() }
    return path + "BadPolicies"
  }()

  /// One expected first error.
  struct Expectation: Sendable, CustomStringConvertible, CustomTestStringConvertible {
    let file: String
    let line: Int
    let column: Int
    let id: String
    let message: String

    var description: String { "\(file):\(line):\(column): [\(id)] \(message)" }
    var testDescription: String { file }
  }

  /// The rows of EXPECTED.tsv (empty if it cannot be read; the listing test then fails).
  static let expectations: [Expectation] = {
    guard let data = FileManager.default.contents(atPath: directory + "/EXPECTED.tsv") else { return [] }
    let text = String(decoding: data, as: UTF8.self)
    var rows: [Expectation] = []
    for (offset, row) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
      if offset == 0 && row.hasPrefix("file\t") { continue }
      if row.hasPrefix("#") { continue }
      let columns = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard columns.count == 5, let line = Int(columns[1]), let column = Int(columns[2]) else {
        // Keep a malformed row visible: it can never match a real diagnostic.
        rows.append(Expectation(file: columns.first ?? String(row), line: -1, column: -1, id: "malformed-tsv-row", message: String(row)))
        continue
      }
      rows.append(Expectation(file: columns[0], line: line, column: column, id: columns[3], message: columns[4]))
    }
    return rows
  }()

  /// The `.yaml` files in the folder, sorted.
  static func policyFiles() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted()
  }

  /// The file's text, decoded the way kvmpolicy decodes a policy file (lossy UTF-8, BOM and
  /// CR LF kept for the lexer to handle).
  static func text(of file: String) -> String? {
    FileManager.default.contents(atPath: directory + "/" + file).map { String(decoding: $0, as: UTF8.self) }
  }
}

@Suite struct BadPolicyCorpusTests {
  @Test(arguments: BadPolicyCorpus.expectations)
  func reportsTheExpectedFirstError(_ expected: BadPolicyCorpus.Expectation) throws {
    let text = try #require(BadPolicyCorpus.text(of: expected.file), "cannot read \(expected.file)")
    switch PolicyLoader.load(text: text, file: expected.file) {
    case .success:
      Issue.record("\(expected.file) loaded without errors; expected \(expected)")
    case .failure(let errors):
      let first = try #require(errors.diagnostics.first { $0.severity == .error }, "no error diagnostic: \(errors)")
      let actual = BadPolicyCorpus.Expectation(
        file: first.location.file, line: first.location.line, column: first.location.column, id: first.id,
        message: first.message)
      // Compared as text so that a failure shows both sides in full.
      #expect(actual.description == expected.description, "all diagnostics:\n\(errors)")
    }
  }

  @Test func everyPolicyInTheFolderIsListedOnce() {
    let files = BadPolicyCorpus.policyFiles()
    let listed = BadPolicyCorpus.expectations.map(\.file)
    #expect(files.count >= 45, "the corpus needs at least 45 policies, has \(files.count)")
    #expect(Set(files).subtracting(listed).sorted() == [], "policies missing from EXPECTED.tsv")
    #expect(Set(listed).subtracting(files).sorted() == [], "EXPECTED.tsv rows without a policy file")
    #expect(listed.count == Set(listed).count, "files listed twice in EXPECTED.tsv")
    #expect(listed == listed.sorted(), "EXPECTED.tsv is kept in file order")
    for file in files {
      let parts = file.split(separator: "-", maxSplits: 1)
      #expect(parts.count == 2 && parts[0].count == 2 && parts[0].allSatisfy(\.isNumber), "\(file) is not named NN-short-name.yaml")
    }
  }

  /// Every kind of message of the catalogue that a policy's text can trigger is the expected
  /// first error of at least one corpus file. The exceptions need something other than text:
  /// a path (`unreadable`, `unsafe-policy-file`), more than the cap of errors, or nesting deeper
  /// than the parser's limit; each has its own test. The waiver warnings are never errors (and
  /// three of them need a day or domains): `WaiverSchemaTests` and `WaiverAuditTests` cover them.
  @Test func theCorpusCoversEveryMessage() {
    let needMoreThanText: Set<PolicyMessage.ID> = [.unreadable, .unsafePolicyFile, .tooManyErrors, .tooDeep]
    let warningsOnly: Set<PolicyMessage.ID> = [.waiverRuleUnknown, .waiverExpired, .waiverExpiring, .waiverUnused]
    let covered = Set(BadPolicyCorpus.expectations.map(\.id))
    let missing = PolicyMessage.ID.allCases.filter {
      !needMoreThanText.contains($0) && !warningsOnly.contains($0) && !covered.contains($0.rawValue)
    }
    #expect(missing == [])
  }

  @Test func anUnreadablePolicyIsReportedWithoutAPosition() throws {
    let path = BadPolicyCorpus.directory + "/does-not-exist.yaml"
    guard case .failure(let errors) = PolicyLoader.load(path: path) else {
      Issue.record("a missing file loaded")
      return
    }
    let first = try #require(errors.diagnostics.first)
    #expect(first.id == "unreadable")
    #expect(first.location.line == 0)
    #expect(first.message == "cannot read the policy: No such file or directory")
  }
}
