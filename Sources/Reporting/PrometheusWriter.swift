/// Writes Prometheus' text exposition format (0.0.4), as node_exporter's textfile collector reads
/// it: each metric family once, as `# HELP`, `# TYPE` and its samples, with no timestamps (the
/// collector refuses a file that has any).
///
/// Every family is a gauge: a report is a snapshot, and even its counts (findings, input errors)
/// are what one run found, not totals that only grow, so no name ends in `_total`.
///
/// Deterministic: families come in the order they are written, samples sorted by their label
/// values' UTF-8 bytes. Two samples with the same label values (the same source given twice)
/// would be a duplicate series, which node_exporter refuses; they are merged into one.
struct PrometheusWriter {
  /// One sample: its label values, in the order of the family's label names, and its value.
  struct Sample {
    /// The label values.
    var labels: [String]
    /// The value.
    var value: Double

    /// A sample.
    init(_ labels: [String], _ value: Double) {
      self.labels = labels
      self.value = value
    }
  }

  /// What has been written.
  private(set) var text = ""

  /// `kvmpolicy_build_info`, whose HELP, type and label names both reports share (node_exporter
  /// merges the files and refuses one family described two ways).
  mutating func buildInfo(report: String, options: ReportOptions) {
    family(
      "kvmpolicy_build_info",
      help: "kvmpolicy's version and the fingerprint of the policy the report judged with (check) or found installed (host); always 1.",
      labels: ["report", "version", "policy_hash"],
      samples: [Sample([report, options.toolVersion, options.policyFingerprint ?? ""], 1)])
  }

  /// `kvmpolicy_last_run_timestamp_seconds`, shared like ``buildInfo(report:options:)``.
  mutating func lastRun(report: String, options: ReportOptions) {
    family(
      "kvmpolicy_last_run_timestamp_seconds",
      help: "When kvmpolicy made the report, in seconds since the Unix epoch.",
      labels: ["report"],
      samples: [Sample([report], options.timestamp)])
  }

  /// Writes one family; nothing when it has no samples. Samples with equal label values are
  /// combined with `merge`.
  mutating func family(
    _ name: String, help: String, labels: [String], samples: [Sample],
    merge: (Double, Double) -> Double = { $0 + $1 }
  ) {
    guard !samples.isEmpty else { return }
    text += "# HELP \(name) \(Self.escapeHelp(help))\n"
    text += "# TYPE \(name) gauge\n"
    let sorted = samples.sorted { Self.precedes($0.labels, $1.labels) }
    var merged: [Sample] = []
    for sample in sorted {
      if let last = merged.last, Self.same(last.labels, sample.labels) {
        merged[merged.count - 1].value = merge(last.value, sample.value)
      } else {
        merged.append(sample)
      }
    }
    for sample in merged {
      text += name
      if !labels.isEmpty {
        let pairs = zip(labels, sample.labels).map { "\($0)=\"\(Self.escapeLabelValue($1))\"" }
        text += "{" + pairs.joined(separator: ",") + "}"
      }
      text += " " + Self.format(sample.value) + "\n"
    }
  }

  /// A label value as written between double quotes: backslash, double quote and line feed
  /// escaped, as the format requires.
  static func escapeLabelValue(_ value: String) -> String { escape(value, quotes: true) }

  /// A HELP text: backslash and line feed escaped (a double quote stays).
  static func escapeHelp(_ text: String) -> String { escape(text, quotes: false) }

  /// The text format's one escaping: backslash and line feed always, double quote in label values.
  private static func escape(_ text: String, quotes: Bool) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": result += "\\\\"
      case "\"" where quotes: result += "\\\""
      case "\n": result += "\\n"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// A value: whole numbers without a fraction, `NaN`, `+Inf` and `-Inf` as the format spells them.
  static func format(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
    return value.description
  }
}

private extension PrometheusWriter {
  // Label values are compared as bytes: Swift's String equality is canonical equivalence, which
  // would merge `ü` spelled NFC and NFD, two different domains and two different series.

  static func precedes(_ lhs: [String], _ rhs: [String]) -> Bool {
    for (left, right) in zip(lhs, rhs) where !left.utf8.elementsEqual(right.utf8) {
      return left.utf8.lexicographicallyPrecedes(right.utf8)
    }
    return lhs.count < rhs.count
  }

  static func same(_ lhs: [String], _ rhs: [String]) -> Bool {
    lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0.utf8.elementsEqual($1.utf8) }
  }
}
