/// A JUnit XML document, the one writer every JUnit report uses (check, host, policy tests):
/// reporters build suites of cases, and the counts and escaping are done here once.
struct JUnitDocument {
  /// What one test case says besides passing.
  enum Outcome {
    /// The case failed: `message` in the attribute, `body` as the element's text.
    case failure(message: String, type: String? = nil, body: String)
    /// The case could not run: an input error.
    case error(message: String, body: String? = nil)
    /// The case was not decided (e.g. UNKNOWN).
    case skipped(message: String)
    /// Text shown with the case (warnings, evidence).
    case systemOut(String)
  }

  /// One `<testcase>`.
  struct TestCase {
    /// The `classname` attribute (the suite, usually).
    let classname: String
    /// The case's name.
    let name: String
    /// What it says, in order.
    var outcomes: [Outcome] = []
  }

  /// One `<testsuite>`.
  struct Suite {
    /// The suite's name.
    let name: String
    /// Its cases.
    var cases: [TestCase]
  }

  /// The `<testsuites>` name, e.g. `kvmpolicy check`.
  let name: String
  /// The suites, in order.
  var suites: [Suite]

  /// The document, with a declaration and counts on every suite and on the whole.
  func rendered() -> String {
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    let all = suites.flatMap(\.cases)
    xml += "<testsuites name=\"\(XMLEscaping.attribute(name))\"\(Self.counts(all))>\n"
    for suite in suites {
      xml += "  <testsuite name=\"\(XMLEscaping.attribute(suite.name))\"\(Self.counts(suite.cases))>\n"
      for testCase in suite.cases {
        let head = "    <testcase classname=\"\(XMLEscaping.attribute(testCase.classname))\" name=\"\(XMLEscaping.attribute(testCase.name))\""
        guard !testCase.outcomes.isEmpty else {
          xml += head + "/>\n"
          continue
        }
        xml += head + ">\n"
        for outcome in testCase.outcomes { xml += "      " + Self.element(outcome) + "\n" }
        xml += "    </testcase>\n"
      }
      xml += "  </testsuite>\n"
    }
    return xml + "</testsuites>\n"
  }

  private static func counts(_ cases: [TestCase]) -> String {
    func count(_ matches: (Outcome) -> Bool) -> Int { cases.filter { $0.outcomes.contains(where: matches) }.count }
    let failures = count { if case .failure = $0 { true } else { false } }
    let errors = count { if case .error = $0 { true } else { false } }
    let skipped = count { if case .skipped = $0 { true } else { false } }
    return " tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\""
  }

  private static func element(_ outcome: Outcome) -> String {
    switch outcome {
    case .failure(let message, let type, let body):
      let typeAttribute = type.map { " type=\"\(XMLEscaping.attribute($0))\"" } ?? ""
      return "<failure message=\"\(XMLEscaping.attribute(message))\"\(typeAttribute)>\(XMLEscaping.text(body))</failure>"
    case .error(let message, let body):
      guard let body else { return "<error message=\"\(XMLEscaping.attribute(message))\"/>" }
      return "<error message=\"\(XMLEscaping.attribute(message))\">\(XMLEscaping.text(body))</error>"
    case .skipped(let message):
      return "<skipped message=\"\(XMLEscaping.attribute(message))\"/>"
    case .systemOut(let text):
      return "<system-out>\(XMLEscaping.text(text))</system-out>"
    }
  }
}
