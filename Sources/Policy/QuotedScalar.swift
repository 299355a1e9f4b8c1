/// Decodes single- and double-quoted scalars.
enum QuotedScalar {
  /// The decoded text, its style, the index after the closing quote (`nil` if unterminated),
  /// and any invalid escape sequences with their offsets in `content`.
  struct Decoded {
    var text = ""
    var style: PolicyNode.ScalarStyle
    var end: Int?
    var invalidEscapes: [(offset: Int, sequence: String)] = []
  }

  static func decode(_ content: [Unicode.Scalar], from start: Int) -> Decoded {
    let quote = content[start]
    var decoded = Decoded(style: quote == "'" ? .singleQuoted : .doubleQuoted)
    var position = start + 1
    while position < content.count {
      let character = content[position]
      if character == quote {
        if quote == "'" && position + 1 < content.count && content[position + 1] == "'" {
          decoded.text.append("'")
          position += 2
          continue
        }
        decoded.end = position + 1
        return decoded
      }
      if quote == "\"" && character == "\\" {
        position = escape(content, at: position, into: &decoded)
        continue
      }
      decoded.text.unicodeScalars.append(character)
      position += 1
    }
    return decoded
  }

  private static let simple: [Unicode.Scalar: String] = [
    "\\": "\\", "\"": "\"", "/": "/", "n": "\n", "t": "\t", "r": "\r", "0": "\u{0}", "a": "\u{7}",
    "b": "\u{8}", "e": "\u{1B}", "f": "\u{C}", "v": "\u{B}", " ": " ", "N": "\u{85}", "_": "\u{A0}",
    "L": "\u{2028}", "P": "\u{2029}",
  ]

  /// Decodes the escape at `position` (a backslash); returns the index after it.
  private static func escape(_ content: [Unicode.Scalar], at position: Int, into decoded: inout Decoded) -> Int {
    guard position + 1 < content.count else {
      decoded.invalidEscapes.append((position, "\\"))
      return position + 1
    }
    let letter = content[position + 1]
    if let replacement = simple[letter] {
      decoded.text += replacement
      return position + 2
    }
    let digits: Int
    switch letter {
    case "x": digits = 2
    case "u": digits = 4
    case "U": digits = 8
    default:
      decoded.invalidEscapes.append((position, "\\" + String(letter)))
      return position + 2
    }
    // Take hex digits only, so a short escape never swallows the closing quote.
    var end = position + 2
    while end < content.count, end < position + 2 + digits, content[end].properties.isASCIIHexDigit { end += 1 }
    let hex = String(scalars: content[(position + 2)..<end])
    guard hex.count == digits, let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else {
      decoded.invalidEscapes.append((position, "\\" + String(letter) + hex))
      return end
    }
    decoded.text.unicodeScalars.append(scalar)
    return end
  }
}
