import Enforcement
import Reporting
import Testing

/// The watch log's two line formats, picked by name like every other report.
@Suite struct WatchLogReporterTests {
  static let record = WatchLogRecord([("event", "enforced"), ("domain", "web-01"), ("result", "detached \"input\" a=b"), ("empty", "")])

  @Test func textQuotesOnlyWhatNeedsIt() throws {
    let text = try #require(WatchLogReporters.reporter(for: "text")).render(Self.record)
    #expect(text == #"event=enforced domain=web-01 result="detached \"input\" a=b" empty="""#)
  }

  @Test func jsonIsOneObjectOnOneLine() throws {
    let json = try #require(WatchLogReporters.reporter(for: "json")).render(Self.record)
    #expect(json == #"{"event":"enforced","domain":"web-01","result":"detached \"input\" a=b","empty":""}"#)
    #expect(WatchLogReporters.identifiers == ["text", "json"])
    #expect(WatchLogReporters.reporter(for: "yaml") == nil)
  }
}
