import Foundation
import Testing

/// A golden file under `Tests/ReportingTests/Golden/`.
///
/// `KVMPOLICY_UPDATE_GOLDEN=1` records the rendered text instead of comparing, and the test then
/// fails, saying so: a run that rewrites its expectations has proven nothing. Rerun without it.
enum GoldenFile {
  static func check(_ rendered: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    if ProcessInfo.processInfo.environment["KVMPOLICY_UPDATE_GOLDEN"] == "1" {
      try rendered.write(to: golden, atomically: true, encoding: .utf8)
      Issue.record("recorded Golden/\(name): review the diff, then rerun without KVMPOLICY_UPDATE_GOLDEN", sourceLocation: sourceLocation)
      return
    }
    let expected = try String(contentsOf: golden, encoding: .utf8)
    #expect(rendered == expected, "differs from Golden/\(name); after a deliberate change: KVMPOLICY_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
  }
}
