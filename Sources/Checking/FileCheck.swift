import Dispatch
#if canImport(Glibc)
  import Glibc
#endif
public import Inventory
public import Policy

/// Checks domain XML files as a stream: each file is read, parsed, judged and its model dropped
/// before the next one on the same core, with every core at work. Only results are kept, so
/// memory does not grow with the size of the documents, and the report lists the files in the
/// order given.
public enum FileCheck {
  /// Reads and judges `paths` (`-` for standard input) against `policy`; domains whose name
  /// `selectsName` rejects are left out of the report.
  public static func run(
    paths: [String], policy: Policy, selectsName: @escaping @Sendable (String) -> Bool = { _ in true }
  ) -> CheckReport {
    let slots = Slots(count: paths.count)
    // Contiguous runs of files per worker: few hand-offs, and neighbours share the cache.
    let workers = min(paths.count, max(1, System.activeProcessors) * 4)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let range = (paths.count * worker / workers)..<(paths.count * (worker + 1) / workers)
      for index in range {
        let read = InventoryCollector.collect(file: paths[index])
        let selected = InventorySource(
          kind: read.kind, name: read.name, uri: read.uri, domains: read.domains.filter { selectsName($0.name) },
          error: read.error)
        slots.store(CheckRunner.judge(selected, policy: policy), at: index)
      }
    }
    return CheckReport(policyFile: policy.file, policyDescription: policy.description, sources: slots.values)
  }
}

/// Result slots that workers fill at disjoint indices, read once all are done.
private final class Slots: @unchecked Sendable {
  // One allocation made before the workers start; each writes only its own elements.
  private let storage: UnsafeMutableBufferPointer<CheckReport.SourceResult?>

  init(count: Int) {
    storage = .allocate(capacity: count)
    storage.initialize(repeating: nil)
  }

  deinit {
    storage.deinitialize()
    storage.deallocate()
  }

  func store(_ value: CheckReport.SourceResult, at index: Int) { storage[index] = value }

  var values: [CheckReport.SourceResult] { storage.compactMap { $0 } }
}

private enum System {
  static var activeProcessors: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
