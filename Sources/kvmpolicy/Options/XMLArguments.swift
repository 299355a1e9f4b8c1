import ArgumentParser

/// The values of `--xml`, lifted out of the command line before swift-argument-parser reads it.
///
/// The parser takes time quadratic in the number of values an array option gets: 8,000 files
/// after one `--xml` (what `--xml /etc/libvirt/qemu/*.xml` gives on a large host) took 4 s to
/// parse, the files themselves 0.2 s; 1,000 `--xml FILE` pairs took twice the directory form.
/// So the command line keeps only the first `--xml` and its first value, which the parser still
/// checks as usual, and the full list is put back into the parsed command (``SourcedCommand``)
/// before it is validated again and run.
enum XMLArguments {
  /// The subcommands whose `--xml` takes files.
  static let commands: Set<String> = ["check", "inventory"]

  /// `arguments` with only the first `--xml` and its first value left (the parser still checks
  /// that one as usual), and every value of every `--xml` in order (`nil` when the command is
  /// not one of ``commands`` or names no `--xml`). One flag a file (`--xml A --xml B ...`) is cut
  /// as much as one flag for all: the parser's cost is per value and per option alike.
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
        if files.isEmpty { kept.append(argument) }
        files.append(String(argument.dropFirst("--xml=".count)))
        continue
      }
      guard argument == "--xml" else {
        kept.append(argument)
        continue
      }
      let first = files.isEmpty
      if first { kept.append(argument) }
      // A value is `-` (standard input) or anything that does not look like an option.
      var taken = 0
      while index < arguments.count, arguments[index] == "-" || !arguments[index].hasPrefix("-") {
        if first && taken == 0 { kept.append(arguments[index]) }
        files.append(arguments[index])
        taken += 1
        index += 1
      }
      // `--xml` with no value: left for the parser to report.
      if taken == 0 && !first { kept.append(argument) }
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
