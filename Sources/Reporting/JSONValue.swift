/// A JSON document with ordered object keys, written deterministically.
///
/// kvmpolicy's JSON outputs are schemas operators script against; keys come out in the order
/// the reporter lists them, so output is stable and diff-able.
public indirect enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  case int(Int)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  /// A string, or `null` for `nil`.
  public static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

  /// An integer, or `null` for `nil`.
  public static func int(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }

  /// A boolean, or `null` for `nil`.
  public static func bool(_ value: Bool?) -> JSONValue { value.map(JSONValue.bool) ?? .null }

  /// The document as pretty-printed text (2-space indent) with a trailing newline.
  public func rendered() -> String {
    var output = ""
    write(to: &output, indent: 0)
    output += "\n"
    return output
  }

  /// Two values are equal when they render the same.
  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    lhs.rendered() == rhs.rendered()
  }

  private func write(to output: inout String, indent: Int) {
    switch self {
    case .null: output += "null"
    case .bool(let value): output += value ? "true" : "false"
    case .int(let value): output += String(value)
    case .string(let value): Self.writeString(value, to: &output)
    case .array(let values):
      guard !values.isEmpty else { output += "[]"; return }
      if values.allSatisfy(\.isScalar) {
        output += "["
        for (offset, value) in values.enumerated() {
          if offset > 0 { output += ", " }
          value.write(to: &output, indent: indent)
        }
        output += "]"
        return
      }
      output += "[\n"
      for (offset, value) in values.enumerated() {
        output += String(repeating: " ", count: indent + 2)
        value.write(to: &output, indent: indent + 2)
        output += offset == values.count - 1 ? "\n" : ",\n"
      }
      output += String(repeating: " ", count: indent) + "]"
    case .object(let members):
      guard !members.isEmpty else { output += "{}"; return }
      output += "{\n"
      for (offset, (key, value)) in members.enumerated() {
        output += String(repeating: " ", count: indent + 2)
        Self.writeString(key, to: &output)
        output += ": "
        value.write(to: &output, indent: indent + 2)
        output += offset == members.count - 1 ? "\n" : ",\n"
      }
      output += String(repeating: " ", count: indent) + "}"
    }
  }

  private var isScalar: Bool {
    switch self {
    case .array, .object: false
    default: true
    }
  }

  private static func writeString(_ value: String, to output: inout String) {
    output += "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": output += "\\\""
      case "\\": output += "\\\\"
      case "\n": output += "\\n"
      case "\r": output += "\\r"
      case "\t": output += "\\t"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F:
        let hex = String(scalar.value, radix: 16)
        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: output.unicodeScalars.append(scalar)
      }
    }
    output += "\""
  }
}
