import Engine
import Testing

/// Runs every example each check documents: compliant ones must not produce the check's
/// finding, violating ones must.
@Suite struct GeneratedCheckTests {
  static let examples: [(Check, Int, CheckDescription.Example)] = Check.allCases.flatMap { check in
    let documentation = check.documentation
    return (documentation.compliant + documentation.violating).enumerated().map { (check, $0.offset, $0.element) }
  }

  @Test(arguments: examples.indices)
  func exampleBehavesAsDocumented(index: Int) throws {
    let (check, _, example) = Self.examples[index]
    let domains = try ([example.domain] + example.others).map { try domain($0) }
    let evaluation = Engine.evaluate(domains, against: try policy(example.policy), today: .epoch)[0]
    let produced = evaluation.findings.contains { $0.check == check }
    #expect(produced == example.violates, "\(check.rawValue) example: \(evaluation.findings.map(\.message))")
  }

  @Test func everyCheckIsDocumented() {
    for check in Check.allCases {
      let documentation = check.documentation
      #expect(!documentation.name.isEmpty && !documentation.rationale.isEmpty)
      #expect(!documentation.violating.isEmpty, "\(check.rawValue) has no violating example")
      #expect(!documentation.compliant.isEmpty, "\(check.rawValue) has no compliant example")
    }
  }
}
