internal import Inventory
import Parallel
public import Policy

/// Checks domain XML files as a stream: each file is read, parsed, judged and its model dropped
/// on one of the cores, a batch at a time, and its result handed on in the order given.
public enum FileCheck {
  /// How many files are in flight at once: enough to keep every core busy, few enough that
  /// memory stays flat however many files there are.
  public static let batchSize = 256

  /// Reads and judges `paths` (`-` for standard input) against `policy` and hands each source's
  /// result to `each` on the calling thread, in the order of `paths`, batch by batch; nothing is
  /// kept afterwards. `prepare` runs on the worker that judged the source (a reporter renders its
  /// chunk there). Domains whose name `selectsName` rejects are left out. Waivers are judged on
  /// `today`.
  public static func forEach<Prepared: Sendable>(
    paths: [String], policy: Policy, decisions: Bool = true, today: PolicyDate,
    selectsName: @escaping @Sendable (String) -> Bool = { _ in true },
    prepare: @escaping @Sendable (CheckReport.SourceResult, Int) -> Prepared,
    each: (CheckReport.SourceResult, Prepared) -> Void
  ) {
    var start = 0
    while start < paths.count {
      let batch = Array(start..<min(paths.count, start + batchSize))
      let done = Parallel.map(batch) { index -> (CheckReport.SourceResult, Prepared) in
        let result = judge(path: paths[index], policy: policy, decisions: decisions, today: today, selectsName: selectsName)
        return (result, prepare(result, index))
      }
      for (result, prepared) in done { each(result, prepared) }
      start += batch.count
    }
  }

  /// Reads and judges `paths` into one report (for reporters that need every source at once).
  public static func run(
    paths: [String], policy: Policy, decisions: Bool = true, today: PolicyDate,
    selectsName: @escaping @Sendable (String) -> Bool = { _ in true }
  ) -> CheckReport {
    var sources: [CheckReport.SourceResult] = []
    forEach(paths: paths, policy: policy, decisions: decisions, today: today, selectsName: selectsName, prepare: { _, _ in () }) {
      result, _ in
      sources.append(result)
    }
    return CheckReport(policyFile: policy.file, policyDescription: policy.description, sources: sources)
  }

  private static func judge(
    path: String, policy: Policy, decisions: Bool, today: PolicyDate, selectsName: (String) -> Bool
  ) -> CheckReport.SourceResult {
    let read = InventoryCollector.collect(file: path)
    let selected = InventorySource(
      kind: read.kind, name: read.name, uri: read.uri, domains: read.domains.filter { selectsName($0.name) },
      error: read.error)
    return CheckRunner.judge(selected, policy: policy, decisions: decisions, today: today)
  }
}
