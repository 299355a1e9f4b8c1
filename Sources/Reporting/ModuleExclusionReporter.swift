public import QEMUSurface

/// A dpkg fragment for `/etc/dpkg/dpkg.cfg.d/` (a ``Reporter`` of ``ModuleExclusion``): one
/// `path-exclude` line per module file no domain needs, under a comment naming the models that
/// go with it.
public struct ModuleExclusionReporter: Reporter {
  /// `dpkg`.
  public static let identifier = "dpkg"

  /// Creates the reporter.
  public init() {}

  /// Renders the fragment.
  public func render(_ exclusion: ModuleExclusion) -> String {
    var lines = [
      "# QEMU modules no domain needs (kvmpolicy qemu exclude-modules, \(exclusion.domainCount) domain\(exclusion.domainCount == 1 ? "" : "s")).",
      "# dpkg leaves these files out when it next unpacks the package that ships them (apt-get install --reinstall).",
    ]
    for kept in exclusion.kept { lines.append("# kept \(kept.module): " + kept.reasons.joined(separator: ", ")) }
    for entry in exclusion.excluded {
      let models = entry.models.isEmpty ? "no device model" : entry.models.joined(separator: ", ")
      // dpkg reads a comment only at the start of a line: the comment goes above its line.
      lines.append("# \(entry.module): \(models)")
      lines.append("path-exclude=\(entry.path)")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
