import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `--output` writes a report into place by rename, and only ever over a regular file: as root,
/// `--output /dev/null` must not replace the device node, nor a link what it points to.
@Suite struct ReportOutputTests {
  static func scratch() throws -> URL {
    let directory = try TemporaryDirectory.make("output")
    return directory
  }

  static func check(output: String) throws -> KVMPolicyProcess.Result {
    try KVMPolicyProcess.run(["check", "--policy", CheckCommandTests.policy("baseline"), "--connect", CheckCommandTests.fleet, "--output", output])
  }

  @Test func aSymbolicLinkIsNotReplacedNorFollowed() throws {
    let directory = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    let target = directory.appendingPathComponent("precious").path
    try "keep me\n".write(toFile: target, atomically: false, encoding: .utf8)
    let link = directory.appendingPathComponent("report.txt").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
    let result = try Self.check(output: link)
    #expect(result.status == 2)
    #expect(result.stderr == "\(link): error: cannot write the report: not a regular file (a symbolic link); refusing to replace it\n")
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["precious", "report.txt"], "no temporary file left")
  }

  @Test(.requiresRoot) func aDeviceNodeIsNotReplaced() throws {
    let directory = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    // A copy of /dev/null (character device 1:3), as root could make anywhere.
    let node = directory.appendingPathComponent("null").path
    try #require(mknod(node, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0)
    for format in ["text", "json"] {
      let result = try KVMPolicyProcess.run([
        "check", "--policy", CheckCommandTests.policy("baseline"), "--connect", CheckCommandTests.fleet, "--format", format, "--output", node,
      ])
      #expect(result.status == 2)
      #expect(result.stderr.hasSuffix("not a regular file (a character device); refusing to replace it\n"))
    }
    var info = stat()
    #expect(lstat(node, &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
  }

  @Test func aRegularFileIsReplacedWhole() throws {
    let directory = try Self.scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    let report = directory.appendingPathComponent("report.txt").path
    try "old\n".write(toFile: report, atomically: false, encoding: .utf8)
    let result = try Self.check(output: report)
    #expect(result.status == 1, "\(result.stderr)")
    #expect(try String(contentsOfFile: report, encoding: .utf8).hasSuffix("7 domains checked: 3 compliant, 4 with violations; 20 errors, 0 warnings\n"))
  }
}
