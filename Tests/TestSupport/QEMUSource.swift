import Foundation
import Testing

/// Debian's source of the installed QEMU, unpacked once by `scripts/qemu-source` (private
/// deb-src list, cached in /tmp/kvmpolicy-qemu-source), for tests that run QEMU's own scripts.
public enum QEMUSource {
  /// The unpacked tree, or why there is none.
  public static let tree: Result<String, Unavailable> = {
    let script = KVMPolicyProcess.repositoryRoot.appendingPathComponent("scripts/qemu-source").path
    guard let result = try? Command.run(script, []), result.status == 0,
      let path = result.output.split(separator: "\n").last.map(String.init), FileManager.default.fileExists(atPath: path + "/scripts/minikconf.py")
    else { return .failure(Unavailable(description: "scripts/qemu-source could not fetch the source (no apt, no network, QEMU not installed)")) }
    return .success(path)
  }()

  /// Why the source is not at hand.
  public struct Unavailable: Error, CustomStringConvertible {
    /// What failed.
    public let description: String
  }

  /// The tree's path, for tests that have the trait below.
  public static var path: String { (try? tree.get()) ?? "/nonexistent" }
}

extension Trait where Self == ConditionTrait {
  /// The test reads Debian's QEMU source of the installed version (fetched once and cached).
  public static var requiresQEMUSource: Self {
    .enabled("needs Debian's QEMU source: scripts/qemu-source failed (apt, network, qemu-system-x86 installed?)") {
      (try? QEMUSource.tree.get()) != nil
    }
  }
}
