import ArgumentParser

/// The check every `--format` gets: the name must be one of its reporter registry's.
enum ReportFormat {
  /// Throws a usage error (exit 2) naming the formats `identifiers` offers.
  static func validate(_ format: String, among identifiers: [String]) throws {
    guard identifiers.contains(format) else {
      throw ValidationError("Unknown format '\(format)'; use one of: \(identifiers.joined(separator: ", ")).")
    }
  }
}
