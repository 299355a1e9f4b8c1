public import QEMUSurface

/// The surface for a terminal: per emulator a table of layers (models, used, unused with the
/// share), each module's models, then each domain's models with their layer.
public struct QEMUSurfaceTextReporter: QEMUSurfaceReporter {
  /// `text`.
  public static let identifier = "text"

  /// Creates the reporter.
  public init() {}

  /// Renders the report.
  public func render(_ report: QEMUSurfaceReport) -> String {
    var lines: [String] = []
    for error in report.sourceErrors { lines.append("UNKNOWN \(error)") }
    for emulator in report.emulators {
      lines.append("emulator \(emulator.path)" + (emulator.versionLine.map { ": \($0)" } ?? ""))
      if let error = emulator.error {
        lines.append("  UNKNOWN \(error)")
        lines.append("")
        continue
      }
      let unused = emulator.offeredCount - emulator.usedCount
      lines.append(
        "  \(emulator.domains.count) domain\(emulator.domains.count == 1 ? "" : "s") use \(emulator.usedCount) of \(emulator.offeredCount) models offered by -device; \(unused) (\(emulator.unusedPercent)%) reachable but unused")
      lines.append("  " + pad("layer", 32) + lpad("models", 7) + lpad("used", 6) + lpad("unused", 8) + "  share")
      for layer in emulator.layers {
        lines.append(
          "  " + pad(layer.name, 32) + lpad("\(layer.models.count)", 7) + lpad("\(layer.used.count)", 6) + lpad("\(layer.unusedCount)", 8)
            + lpad("\(layer.unusedPercent)%", 7))
      }
      for layer in emulator.layers where layer.file != nil {
        var line = "  \(layer.name): " + (layer.models.isEmpty ? "no device model" : layer.models.joined(separator: ", "))
        if !layer.dependencies.isEmpty { line += "; imports from " + layer.dependencies.joined(separator: ", ") }
        lines.append(line)
      }
      if !emulator.machineOnly.isEmpty {
        lines.append("  made by the machine type, not offered by -device: " + emulator.machineOnly.joined(separator: ", "))
      }
      if !emulator.missing.isEmpty { lines.append("  used but not in this binary: " + emulator.missing.joined(separator: ", ")) }
      lines.append("")
    }
    for domain in report.domains {
      lines.append("domain \(domain.source): \(domain.name) (\(domain.machine ?? "machine unknown"), \(domain.emulator))")
      if let error = domain.error { lines.append("  UNKNOWN \(error)") }
      if !domain.commandLine.isEmpty {
        lines.append("  command line: " + domain.commandLine.map { "\($0.model) [\($0.layer)]" }.joined(separator: ", "))
      }
      if !domain.machineDevices.isEmpty {
        lines.append("  made by the machine: " + domain.machineDevices.map { "\($0.model) [\($0.layer)]" }.joined(separator: ", "))
      }
    }
    if report.domains.isEmpty { lines.append("no domain") }
    lines.append("")
    lines.append(report.isComplete ? "complete" : "incomplete: some uses are UNKNOWN (above)")
    return lines.joined(separator: "\n") + "\n"
  }

  private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
  }

  private func lpad(_ text: String, _ width: Int) -> String {
    text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
  }
}
