public import QEMUSurface

/// A QEMU devices file (a ``Reporter`` of ``DevicesMakefile``) for
/// `configs/devices/x86_64-softmmu/NAME.mak`: `CONFIG_X=y`, each with the models that need it.
public struct DevicesMakefileReporter: Reporter {
  /// `mak`.
  public static let identifier = "mak"

  /// Creates the reporter.
  public init() {}

  /// Renders the file.
  public func render(_ file: DevicesMakefile) -> String {
    var lines = [
      "# QEMU devices for the fleet's models and machine types (kvmpolicy qemu devices-mak).",
      "# Build: configure --without-default-devices --with-devices-x86_64=NAME with this file as",
      "# configs/devices/x86_64-softmmu/NAME.mak. Table: \(file.provenance)",
      "# Machine types: " + file.machines.joined(separator: ", "),
    ]
    if !file.alwaysBuilt.isEmpty { lines.append("# Always built (no symbol): " + file.alwaysBuilt.joined(separator: ", ")) }
    for feature in file.host { lines.append("# Needs host feature \(feature.symbol) (configure): " + feature.neededBy.joined(separator: ", ")) }
    lines.append("")
    for entry in file.entries { lines.append("\(entry.symbol)=y  # " + entry.neededBy.joined(separator: ", ")) }
    return lines.joined(separator: "\n") + "\n"
  }
}
