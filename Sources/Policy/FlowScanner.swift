/// Parses flow collections, `[a, b]` and `{k: v}`, which may continue on following lines that
/// are indented deeper than the line the collection starts on.
struct FlowScanner {
  private let lines: [PolicyLexer.Line]
  private(set) var lineIndex: Int
  private var offset: Int
  private let file: String
  private let baseIndent: Int
  private var depth: Int
  /// Set when nesting went too deep and the rest of the line was skipped.
  private var abandoned = false
  private(set) var diagnostics: [PolicyDiagnostic] = []

  init(lines: [PolicyLexer.Line], line: Int, offset: Int, file: String, depth: Int) {
    self.lines = lines
    self.lineIndex = line
    self.offset = offset
    self.file = file
    self.baseIndent = lines[line].indent
    self.depth = depth
  }

  private var content: [Unicode.Scalar] { lines[lineIndex].content }
  private var here: SourceLocation {
    SourceLocation(file: file, line: lines[lineIndex].number, column: lines[lineIndex].column + offset)
  }

  private func peek() -> Unicode.Scalar? { offset < content.count ? content[offset] : nil }

  /// Skips spaces, continuing onto deeper-indented following lines.
  private mutating func skipSpace() {
    while true {
      while offset < content.count, content[offset] == " " || content[offset] == "\t" { offset += 1 }
      if offset < content.count { return }
      // A continuation line is indented deeper, or closes the collection at the same indent.
      guard lineIndex + 1 < lines.count else { return }
      let next = lines[lineIndex + 1]
      let closes = next.content.first == "]" || next.content.first == "}"
      guard next.indent > baseIndent || (closes && next.indent == baseIndent) else { return }
      lineIndex += 1
      offset = 0
    }
  }

  /// Parses one node: a nested collection or a scalar.
  mutating func parseNode() -> PolicyNode {
    skipSpace()
    let start = here
    switch peek() {
    case "[": return parseCollection(open: "[", close: "]")
    case "{": return parseCollection(open: "{", close: "}")
    case "'", "\"":
      let decoded = QuotedScalar.decode(content, from: offset)
      for (position, sequence) in decoded.invalidEscapes {
        report(.invalidEscape(sequence), column: lines[lineIndex].column + position, length: sequence.count)
      }
      guard let end = decoded.end else {
        report(.unterminatedString(quote: content[offset]), at: start, length: content.count - offset)
        let length = content.count - offset
        offset = content.count
        return PolicyNode(kind: .scalar(decoded.text, decoded.style), location: start, length: length)
      }
      let length = end - offset
      offset = end
      return PolicyNode(kind: .scalar(decoded.text, decoded.style), location: start, length: length)
    default:
      return parsePlain()
    }
  }

  private mutating func parsePlain() -> PolicyNode {
    let start = here
    var text: [Unicode.Scalar] = []
    while let character = peek() {
      if [",", "[", "]", "{", "}"].contains(character) { break }
      if character == ":" {
        let next = offset + 1 < content.count ? content[offset + 1] : " "
        if next == " " || [",", "]", "}"].contains(next) { break }
      }
      text.append(character)
      offset += 1
    }
    while text.last == " " || text.last == "\t" { text.removeLast() }
    if let first = text.first {
      switch first {
      case "&": report(.unsupportedAnchor, at: start, length: text.count)
      case "*": report(.unsupportedAlias, at: start, length: text.count)
      case "!": report(.unsupportedTag, at: start, length: text.count)
      default: break
      }
    } else if let character = peek() {
      report(.unexpectedFlowCharacter(character), at: start)
    }
    return PolicyNode(kind: .scalar(String(scalars: text), .plain), location: start, length: max(1, text.count))
  }

  private mutating func parseCollection(open: Unicode.Scalar, close: Unicode.Scalar) -> PolicyNode {
    let start = here
    depth += 1
    defer { depth -= 1 }
    if depth > PolicyParser.maximumDepth {
      report(.tooDeep(limit: PolicyParser.maximumDepth), at: start)
      abandoned = true
      // Skip the rest of the line rather than recurse further.
      offset = content.count
      return PolicyNode(kind: .scalar("", .plain), location: start, length: 1)
    }
    offset += 1
    var items: [PolicyNode] = []
    var entries: [PolicyNode.Entry] = []
    var firstLines: [String: Int] = [:]
    while true {
      skipSpace()
      guard let character = peek() else {
        // After a too-deep collection the closers were never read: one error is enough.
        if !abandoned { report(.unclosedFlow(open: open), at: start) }
        break
      }
      if character == close {
        offset += 1
        break
      }
      if [",", "]", "}"].contains(character) {
        report(.unexpectedFlowCharacter(character), at: here)
        offset += 1
        continue
      }
      let node = parseNode()
      if open == "[" {
        items.append(node)
      } else {
        skipSpace()
        var value = PolicyNode(kind: .scalar("", .plain), location: here, length: 1)
        if peek() == ":" {
          offset += 1
          skipSpace()
          if let next = peek(), next != ",", next != "}" { value = parseNode() }
        } else {
          report(.expectedFlowColon, at: here)
        }
        let key = node.scalar ?? ""
        if let first = firstLines[key] {
          report(.duplicateKey(key, firstLine: first), at: node.location, length: node.length)
        } else {
          firstLines[key] = node.location.line
        }
        entries.append(PolicyNode.Entry(key: key, keyLocation: node.location, value: value))
      }
      skipSpace()
      guard let separator = peek() else { continue }
      if separator == "," {
        offset += 1
      } else if separator != close {
        report(.expectedFlowSeparator(close: close), at: here)
        // Recover at the next separator or closer on this line.
        while let skipped = peek(), skipped != ",", skipped != close { offset += 1 }
        if peek() == "," { offset += 1 }
      }
    }
    let kind: PolicyNode.Kind = open == "[" ? .sequence(items) : .mapping(entries)
    return PolicyNode(kind: kind, location: start, length: 1)
  }

  /// Reports anything left on the line after the collection.
  mutating func expectEnd() {
    while offset < content.count, content[offset] == " " { offset += 1 }
    if offset < content.count {
      let rest = String(scalars: content[offset...])
      report(.trailingContent(rest), at: here, length: rest.count)
    }
  }

  private mutating func report(_ message: PolicyMessage, at location: SourceLocation, length: Int = 1) {
    diagnostics.append(PolicyDiagnostic(message, at: location, length: length))
  }

  private mutating func report(_ message: PolicyMessage, column: Int, length: Int) {
    report(message, at: SourceLocation(file: file, line: lines[lineIndex].number, column: column), length: length)
  }
}
