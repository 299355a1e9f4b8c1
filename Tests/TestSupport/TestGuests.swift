import Foundation
import Testing

/// TCG guests on the real libvirtd (`qemu:///system`), named `kvmpolicy-test-*`, made from
/// `Tests/Fixtures/guests/tcg-minimal.xml` (no disk; a sound card and a USB tablet). Tests always
/// remove what they define, even when they fail.
public enum TestGuests {
  /// The URI of the real libvirtd.
  public static let uri = "qemu:///system"

  /// Runs `virsh -q -c qemu:///system arguments...`.
  @discardableResult
  public static func virsh(_ arguments: String...) throws -> Command.Result {
    try Command.run("/usr/bin/virsh", ["-q", "-c", uri] + arguments)
  }

  /// A fresh guest name for `purpose`: `kvmpolicy-test-<purpose>-<random>`.
  public static func name(_ purpose: String) -> String {
    "kvmpolicy-test-\(purpose)-\(UInt32.random(in: 0...UInt32.max))"
  }

  /// The fixture's XML for a guest called `name`, passed through `edit`.
  public static func xml(name: String, edit: (String) -> String = { $0 }) throws -> String {
    let template = KVMPolicyProcess.repositoryRoot.appendingPathComponent("Tests/Fixtures/guests/tcg-minimal.xml")
    return edit(try String(contentsOf: template, encoding: .utf8).replacingOccurrences(of: "NAME", with: name))
  }

  /// Defines (and with `start`, starts) a guest for `purpose`; returns its name. A guest that
  /// fails to start is undefined again before the error is thrown.
  public static func define(_ purpose: String, start: Bool = false, edit: (String) -> String = { $0 }) throws -> String {
    let name = name(purpose)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).xml")
    try xml(name: name, edit: edit).write(to: file, atomically: false, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let defined = try virsh("define", file.path)
    try #require(defined.status == 0, "virsh define: \(defined.output)")
    if start {
      let started = try virsh("start", name)
      if started.status != 0 { remove([name]) }
      try #require(started.status == 0, "virsh start: \(started.output)")
    }
    return name
  }

  /// Destroys (if running) and undefines each guest; never fails.
  public static func remove(_ names: [String]) {
    for name in names {
      _ = try? virsh("destroy", name)
      _ = try? virsh("undefine", name)
    }
  }

  /// Restarts libvirtd by its pid file (`scripts/restart-libvirtd`), so it reads its hooks again.
  public static func restartLibvirtd() throws {
    let result = try Command.run(KVMPolicyProcess.repositoryRoot.appendingPathComponent("scripts/restart-libvirtd").path, [])
    try #require(result.status == 0, "restart-libvirtd: \(result.output)")
  }
}
