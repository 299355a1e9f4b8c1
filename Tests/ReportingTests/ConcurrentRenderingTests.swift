import Foundation
import Inventory
import Policy
import Testing

@testable import Checking
@testable import Reporting

/// A host's worth of domains is judged and rendered on every core; the report must be the same
/// bytes as one judged and rendered in order.
@Suite(.serialized) struct ConcurrentRenderingTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  @Test func concurrentJudgingAndRenderingGiveTheSameReport() throws {
    let fleet = "test://" + Self.root.appendingPathComponent("scripts/fleet/demo.xml").path
    let policy = try PolicyLoader.load(path: Self.root.appendingPathComponent("policies/baseline.yaml").path).get().policy
    let source = InventoryCollector.collect(uri: fleet, options: .init(definitions: true))
    #expect(source.domains.count >= 7)
    let reporter = CheckJSONReporter(options: ReportOptions())
    let defaults = (CheckRunner.concurrentThreshold, CheckJSONReporter.concurrentThreshold)
    defer { (CheckRunner.concurrentThreshold, CheckJSONReporter.concurrentThreshold) = defaults }

    (CheckRunner.concurrentThreshold, CheckJSONReporter.concurrentThreshold) = (Int.max, Int.max)
    let inOrder = reporter.render(CheckRunner.run([source], policy: policy, today: .epoch))
    (CheckRunner.concurrentThreshold, CheckJSONReporter.concurrentThreshold) = (1, 1)
    let concurrent = reporter.render(CheckRunner.run([source], policy: policy, today: .epoch))
    #expect(concurrent == inOrder)
    #expect(inOrder.contains("\"name\": \"legacy-01\""))
  }
}
