import ArgumentParser

/// The values of `--xml`, lifted out of the command line before swift-argument-parser reads it.
///
/// The parser takes time quadratic in the number of values an array option gets: 8,000 files
/// after one `--xml` (what `--xml /etc/libvirt/qemu/*.xml` gives on a large host) took 4 s to
/// parse, the files themselves 0.2 s. So each run of values keeps only its first in the command
/// line, which the parser still checks as usual, and the full list is put back into the parsed
/// command (``SourcedCommand``) before it is validated again and run.
enum XMLArguments {
  /// The subcommands whose `--xml` takes files.
  static let commands: Set<String> = ["check", "inventory"]

  /// `arguments` with every `--xml` run cut to its first value, and every value in order (`nil`
  /// when the command is not one of ``commands`` or names no `--xml`).
  static func lift(_ arguments: [String]) -> (arguments: [String], files: [String]?) {
    guard let command = arguments.first, commands.contains(command) else { return (arguments, nil) }
    var kept: [String] = []
    var files: [String] = []
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if argument == "--" {
        kept += arguments[(index - 1)...]
        break
      }
      if argument.hasPrefix("--xml=") {
        files.append(String(argument.dropFirst("--xml=".count)))
        kept.append(argument)
        continue
      }
      kept.append(argument)
      guard argument == "--xml" else { continue }
      var first = true
      // A value is `-` (standard input) or anything that does not look like an option.
      while index < arguments.count, arguments[index] == "-" || !arguments[index].hasPrefix("-") {
        files.append(arguments[index])
        if first { kept.append(arguments[index]) }
        first = false
        index += 1
      }
    }
    return (kept, files.isEmpty ? nil : files)
  }
}

/// A command that reads domains from ``SourceOptions``.
protocol SourcedCommand: ParsableCommand {
  /// Where its domains come from.
  var sources: SourceOptions { get set }
}

extension CheckCommand: SourcedCommand {}
extension InventoryCommand: SourcedCommand {}
