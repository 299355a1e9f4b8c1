import Enforcement
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// No other local user can hold the enforce lock, and its path cannot be redirected.
@Suite struct EnforcementLockSafetyTests {
  static func scratch() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-lock-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return directory
  }

  static func mode(_ path: String) -> mode_t {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
  }

  @Test func theLockFileIsTheOwnersAloneInADirectoryOfItsOwn() throws {
    let scratch = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let path = scratch + "/run/enforce.lock"
    let lock = try EnforcementLock(path: path, wait: false)
    #expect(Self.mode(scratch + "/run") == 0o700)
    #expect(Self.mode(path) == 0o600)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(getpid())\n")
    withExtendedLifetime(lock) {}
  }

  @Test func anOlderWorldReadableLockFileIsMadePrivate() throws {
    let scratch = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let path = scratch + "/enforce.lock"
    #expect(FileManager.default.createFile(atPath: path, contents: Data("123\n".utf8), attributes: [.posixPermissions: 0o644]))
    let lock = try EnforcementLock(path: path, wait: false)
    #expect(Self.mode(path) == 0o600)
    withExtendedLifetime(lock) {}
  }

  @Test func aSymbolicLinkIsRefusedAndItsTargetLeftAlone() throws {
    let scratch = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let target = scratch + "/precious"
    try "keep me\n".write(toFile: target, atomically: false, encoding: .utf8)
    let path = scratch + "/enforce.lock"
    try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    #expect {
      try EnforcementLock(path: path, wait: false)
    } throws: { error in
      "\(error)" == "\(path): cannot open the lock file: a symbolic link; refusing to follow it"
    }
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n")
  }

  @Test(.requiresRoot) func aLockFileSomeoneElseOwnsIsRefused() throws {
    let scratch = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let path = scratch + "/enforce.lock"
    #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]))
    #expect(chown(path, 65534, 65534) == 0)
    #expect {
      try EnforcementLock(path: path, wait: false)
    } throws: { error in
      "\(error)" == "\(path): the lock file is not a regular file owned by uid 0; remove it"
    }
  }
}
