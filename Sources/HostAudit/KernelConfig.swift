import KernelModules

/// The running kernel's build configuration, read once for every check that needs it:
/// `/proc/config.gz` when the kernel offers it (the configuration it really runs with), else
/// `/boot/config-<release>`.
public struct KernelConfig: Sendable {
  /// Where it was read: `/proc/config.gz` or `/boot/config-<release>`.
  public let source: String
  /// The `CONFIG_X=value` lines, by name.
  public let options: [String: String]

  /// Parses configuration text read from `source`.
  public init(text: String, source: String) {
    self.source = source
    var options: [String: String] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("CONFIG_") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      options[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    self.options = options
  }

  /// One option's value (`y`, `m`, a number or a string), `nil` when not set.
  public subscript(_ name: String) -> String? { options[name] }

  /// The configuration of kernel `release` on the host below `files`, `nil` when neither file
  /// can be read.
  public static func read(files: HostFiles, release: String) -> KernelConfig? {
    if let gzip = files.bytes("/proc/config.gz"), let text = try? Decompressor.decompress(gzip, format: .gzip) {
      return KernelConfig(text: String(decoding: text, as: UTF8.self), source: "/proc/config.gz")
    }
    let path = "/boot/config-\(release)"
    return files.text(path).map { KernelConfig(text: $0, source: path) }
  }

  /// The evidence when no configuration could be read.
  public static func unreadable(release: String) -> String { "/boot/config-\(release): not readable and no /proc/config.gz" }
}
