import ArgumentParser
import Checking
import Inventory
import Policy
import Reporting

#if canImport(Glibc)
  import Glibc
#endif

/// `--output` and `--color`, shared by every reporting command.
struct OutputOptions: ParsableArguments {
  /// When to colour text output.
  enum ColorMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
  }

  @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
  var output: String?

  @Option(help: "Colour text output: auto (a terminal, and NO_COLOR unset), always, never.")
  var color: ColorMode = .auto

  /// The colour decision, made once and passed down.
  func useColors() -> Bool {
    switch color {
    case .always: true
    case .never: false
    case .auto: output == nil && isatty(1) == 1 && getenv("NO_COLOR") == nil && getenv("TERM").map { String(cString: $0) } != "dumb"
    }
  }

  /// Writes the report to `--output` or standard output.
  func write(_ text: String) throws {
    guard let output else {
      print(text, terminator: "")
      return
    }
    do {
      try text.write(toFile: output)
    } catch {
      StandardError.print("\(output): error: cannot write the report: \(error)")
      throw ExitCode(ExitStatus.badInput)
    }
  }
}
