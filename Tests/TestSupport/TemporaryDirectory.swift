import Foundation

/// A fresh directory under the system's temporary directory, for one test to work in.
public enum TemporaryDirectory {
  /// Creates `kvmpolicy-<purpose>-<UUID>` and returns it; the test removes it.
  public static func make(_ purpose: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-\(purpose)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }
}
