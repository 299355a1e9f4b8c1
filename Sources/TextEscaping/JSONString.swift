/// The one JSON string escaper: every JSON that kvmpolicy writes (reports, watch logs, checksec
/// fields) quotes strings here, so they all agree. `"` and `\` are escaped, `\n`, `\r` and `\t`
/// by name, and every other control character and DEL as `\u00XX`; everything else is copied.
public enum JSONString {
  /// Appends `value` as a quoted JSON string to `output`. Inlinable: reports call it for every
  /// string they write.
  @inlinable
  public static func append(_ value: String, to output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    // Most strings need no escaping: copy them whole.
    let copied: Bool? = value.utf8.withContiguousStorageIfAvailable { bytes in
      for byte in bytes where needsEscaping(byte) { return false }
      output.append(contentsOf: bytes)
      return true
    }
    if copied != true {
      for byte in value.utf8 { appendEscaped(byte, to: &output) }
    }
    output.append(UInt8(ascii: "\""))
  }

  /// `value` as a quoted JSON string.
  public static func quoted(_ value: String) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(value.utf8.count + 2)
    append(value, to: &output)
    return String(decoding: output, as: UTF8.self)
  }

  @usableFromInline
  static func needsEscaping(_ byte: UInt8) -> Bool {
    byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
  }

  @usableFromInline
  static func appendEscaped(_ byte: UInt8, to output: inout [UInt8]) {
    switch byte {
    case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
    case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
    case UInt8(ascii: "\n"): output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
    case UInt8(ascii: "\r"): output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
    case UInt8(ascii: "\t"): output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
    case 0..<0x20, 0x7F:
      let digits: [UInt8] = Array("0123456789abcdef".utf8)
      output += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
    default: output.append(byte)
    }
  }
}
