import Foundation
import TestSupport

/// Runs the installed checksec 2.6 and returns its per-file JSON values.
enum Checksec {
  /// Where Debian's checksec package installs it.
  static let path = "/usr/bin/checksec"

  /// `checksec --file=PATH --output=json`, decoded to key → value.
  static func fields(path: String) throws -> [String: String] {
    let output = try Shell.run(Self.path, ["--file=\(path)", "--output=json"])
    let object = try JSONSerialization.jsonObject(with: Data(output.utf8))
    guard let top = object as? [String: Any], let values = top[path] as? [String: String] else {
      throw Shell.Failure(message: "unexpected checksec output for \(path): \(output)")
    }
    return values
  }
}

/// Runs programs for the tests.
enum Shell {
  /// A program failed or printed something unexpected.
  struct Failure: Error, CustomStringConvertible {
    /// What went wrong.
    let message: String
    /// The message.
    var description: String { message }
  }

  /// Runs `executable` with `arguments`, returns standard output; throws on a non-zero exit.
  @discardableResult
  static func run(_ executable: String, _ arguments: [String]) throws -> String {
    let result = try Command.run(executable, arguments, separateErrors: true)
    guard result.status == 0 else {
      throw Failure(message: "\(executable) \(arguments.joined(separator: " ")) exited \(result.status): " + result.stderr)
    }
    return result.stdout
  }
}
