import ELF
import Enforcement
import Foundation
import Reporting
import Testing
import TextEscaping

/// Every JSON kvmpolicy writes escapes strings the same way, and JSON parsers read them back.
@Suite struct JSONStringTests {
  static let awkward = "a\"b\\c\nd\re\tf\u{1}g\u{7F}h ü 🐧"

  @Test func escapesQuotesBackslashesControlsAndDEL() {
    #expect(JSONString.quoted(Self.awkward) == #""a\"b\\c\nd\re\tf\u0001g\u007fh ü 🐧""#)
    #expect(JSONString.quoted("plain") == "\"plain\"")
  }

  @Test func reportsTheWatchLogAndTheChecksecFieldsAllUseIt() throws {
    #expect(JSONValue.string(Self.awkward).rendered().hasPrefix(JSONString.quoted(Self.awkward)))
    let log = WatchLogJSONReporter().render(WatchLogRecord([("message", Self.awkward)]))
    #expect(log == "{\"message\":\(JSONString.quoted(Self.awkward))}")
    let decoded = try JSONSerialization.jsonObject(with: Data(log.utf8)) as? [String: String]
    #expect(decoded?["message"] == Self.awkward)
  }
}
