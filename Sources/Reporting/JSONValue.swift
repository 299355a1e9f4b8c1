import TextEscaping
/// A JSON document with ordered object keys, written deterministically.
///
/// kvmpolicy's JSON outputs are schemas operators script against; keys come out in the order
/// the reporter lists them, so output is stable and diff-able.
public enum JSONValue: Equatable, Sendable {
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
    var output: [UInt8] = []
    output.reserveCapacity(4096)
    write(to: &output, indent: 0)
    output.append(UInt8(ascii: "\n"))
    return String(decoding: output, as: UTF8.self)
  }

  /// Two values are equal when they render the same.
  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    lhs.rendered() == rhs.rendered()
  }

  /// `"key": value` at `indent` spaces, for documents written in pieces.
  static func writeMember(_ key: String, _ value: JSONValue, to output: inout [UInt8], indent: Int) {
    pad(&output, indent)
    writeString(key, to: &output)
    output.appendStatic(": ")
    value.write(to: &output, indent: indent)
  }

  // Bytes, not String appends: reports for thousands of domains are written here.
  func write(to output: inout [UInt8], indent: Int) {
    switch self {
    case .null: output.appendStatic("null")
    case .bool(let value): output.appendStatic(value ? "true" : "false")
    case .int(let value): output += String(value).utf8
    case .string(let value): Self.writeString(value, to: &output)
    case .array(let values):
      guard !values.isEmpty else {
        output.appendStatic("[]")
        return
      }
      if values.allSatisfy(\.isScalar) {
        output.append(UInt8(ascii: "["))
        for (offset, value) in values.enumerated() {
          if offset > 0 { output.appendStatic(", ") }
          value.write(to: &output, indent: indent)
        }
        output.append(UInt8(ascii: "]"))
        return
      }
      output.appendStatic("[\n")
      for (offset, value) in values.enumerated() {
        Self.pad(&output, indent + 2)
        value.write(to: &output, indent: indent + 2)
        output.appendStatic(offset == values.count - 1 ? "\n" : ",\n")
      }
      Self.pad(&output, indent)
      output.append(UInt8(ascii: "]"))
    case .object(let members):
      guard !members.isEmpty else {
        output.appendStatic("{}")
        return
      }
      output.appendStatic("{\n")
      for (offset, (key, value)) in members.enumerated() {
        Self.pad(&output, indent + 2)
        Self.writeString(key, to: &output)
        output.appendStatic(": ")
        value.write(to: &output, indent: indent + 2)
        output.appendStatic(offset == members.count - 1 ? "\n" : ",\n")
      }
      Self.pad(&output, indent)
      output.append(UInt8(ascii: "}"))
    }
  }

  /// Runs of spaces for every indentation a report uses (an array appends as one copy).
  private static let indentations: [[UInt8]] = (0...32).map { [UInt8](repeating: UInt8(ascii: " "), count: $0) }

  static func pad(_ output: inout [UInt8], _ count: Int) {
    if count < indentations.count {
      output.append(contentsOf: indentations[count])
    } else {
      output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
    }
  }

  static func writeString(_ value: String, to output: inout [UInt8]) {
    JSONString.append(value, to: &output)
  }

  private var isScalar: Bool {
    switch self {
    case .array, .object: false
    default: true
    }
  }
}

extension [UInt8] {
  /// Appends a literal's bytes with one copy (`+= "...".utf8` goes byte by byte).
  mutating func appendStatic(_ text: StaticString) {
    text.withUTF8Buffer { bytes in
      // The usual literal is a few bytes (`, `, `": `): byte by byte beats a bulk copy's set-up.
      if bytes.count <= 4 {
        for byte in bytes { append(byte) }
      } else {
        append(contentsOf: bytes)
      }
    }
  }
}
