/// The first layer of the policy language: splits a file into logical lines.
///
/// Each line keeps its number, its indentation and its content with comments and trailing
/// white space removed; blank and comment-only lines are dropped. Tabs in indentation,
/// directives and a second document marker are reported here.
struct PolicyLexer {
  /// One non-blank line.
  struct Line {
    /// 1-based line number.
    let number: Int
    /// Number of leading spaces.
    var indent: Int
    /// The content after the indentation, without comment or trailing white space.
    var content: [Unicode.Scalar]
    /// The 1-based column of `content[0]`.
    var column: Int { indent + 1 }
  }

  let file: String
  private(set) var diagnostics: [PolicyDiagnostic] = []

  init(file: String) {
    self.file = file
  }

  /// The logical lines of `text`.
  mutating func lines(of text: String) -> [Line] {
    var result: [Line] = []
    var sawDocumentStart = false
    var number = 0
    // Decoded once, then cut at line feeds (splitting the scalar view itself is far slower).
    var scalars: [Unicode.Scalar] = []
    scalars.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars { scalars.append(scalar) }
    var lineStart = 0
    while lineStart <= scalars.count {
      let lineEnd = scalars[lineStart...].firstIndex(of: "\n") ?? scalars.count
      defer { lineStart = lineEnd + 1 }
      number += 1
      var characters = Array(scalars[lineStart..<lineEnd])
      if characters.last == "\r" { characters.removeLast() }
      if number == 1, characters.first == "\u{FEFF}" { characters.removeFirst() }
      var indent = 0
      while indent < characters.count, characters[indent] == " " { indent += 1 }
      if indent < characters.count, characters[indent] == "\t" {
        var rest = indent
        while rest < characters.count, characters[rest] == " " || characters[rest] == "\t" { rest += 1 }
        if rest < characters.count, characters[rest] != "#" {
          diagnostics.append(PolicyDiagnostic(.tabIndentation, at: location(number, indent + 1)))
          continue
        }
      }
      let content = Self.stripComment(Array(characters[indent...]))
      if content.isEmpty { continue }
      if indent == 0 {
        let marker = content.count >= 3 && content[0] == "-" && content[1] == "-" && content[2] == "-"
        if marker && (content.count == 3 || content[3] == " ") {
          if sawDocumentStart || !result.isEmpty {
            diagnostics.append(PolicyDiagnostic(.multipleDocuments, at: location(number, 1), length: 3))
            break
          }
          sawDocumentStart = true
          let rest = Array(content.dropFirst(3)).drop { $0 == " " }
          if !rest.isEmpty {
            result.append(Line(number: number, indent: content.count - rest.count, content: Array(rest)))
          }
          continue
        }
        if content.count == 3 && content[0] == "." && content[1] == "." && content[2] == "." { break }
        if content.first == "%" {
          diagnostics.append(PolicyDiagnostic(.unsupportedDirective, at: location(number, 1), length: content.count))
          continue
        }
      }
      result.append(Line(number: number, indent: indent, content: content))
    }
    return result
  }

  private func location(_ line: Int, _ column: Int) -> SourceLocation {
    SourceLocation(file: file, line: line, column: column)
  }

  /// Removes a `#` comment (at the start or after white space, outside quotes) and trailing
  /// white space.
  static func stripComment(_ characters: [Unicode.Scalar]) -> [Unicode.Scalar] {
    var quote: Unicode.Scalar?
    var end = characters.count
    var index = 0
    while index < characters.count {
      let character = characters[index]
      if let open = quote {
        if character == "\\" && open == "\"" {
          index += 2
          continue
        }
        if character == open {
          if open == "'" && index + 1 < characters.count && characters[index + 1] == "'" {
            index += 2
            continue
          }
          quote = nil
        }
      } else if character == "#" && (index == 0 || characters[index - 1] == " " || characters[index - 1] == "\t") {
        end = index
        break
      } else if (character == "'" || character == "\"") && startsToken(characters, at: index) {
        quote = character
      }
      index += 1
    }
    var result = Array(characters[..<end])
    while let last = result.last, last == " " || last == "\t" { result.removeLast() }
    return result
  }

  /// Whether a quote at `index` opens a quoted scalar (rather than sitting inside a plain one,
  /// as in `rock 'n roll`): only where a value can start, after `: `, `- `, `[`, `{` or `,`.
  static func startsToken(_ characters: [Unicode.Scalar], at index: Int) -> Bool {
    var previous = index - 1
    while previous >= 0, characters[previous] == " " || characters[previous] == "\t" { previous -= 1 }
    guard previous >= 0 else { return true }
    switch characters[previous] {
    case "[", "{", ",": return true
    case ":", "-": return previous + 1 < index  // followed by white space
    default: return false
    }
  }
}

extension String {
  /// A string of these Unicode scalars (the lexer and parser work on scalars, not graphemes:
  /// far cheaper, and columns count scalars).
  init(scalars: some Collection<Unicode.Scalar>) {
    // Encoded straight into the string's storage: appending scalar by scalar is far slower.
    let count = scalars.reduce(0) { $0 + UTF8.width($1) }
    self.init(unsafeUninitializedCapacity: count) { buffer in
      var offset = 0
      for scalar in scalars {
        if scalar.value < 0x80 {
          buffer[offset] = UInt8(truncatingIfNeeded: scalar.value)
          offset += 1
        } else {
          UTF8.encode(scalar) { unit in
            buffer[offset] = unit
            offset += 1
          }
        }
      }
      return offset
    }
  }
}
