/// The second layer of the policy language: turns logical lines into a ``PolicyNode`` tree.
///
/// Supports the YAML subset people write for configuration: block mappings and sequences,
/// flow `[a, b]` and `{k: v}` (which may span lines), plain, single- and double-quoted scalars,
/// comments. Rejects anchors, aliases, tags, block scalars, complex keys and duplicate keys with
/// a message and position, and goes on after an error so one run reports as much as it can.
public struct PolicyParser {
  private let file: String
  private var lines: [PolicyLexer.Line]
  private var index = 0
  private var depth = 0
  private var diagnostics: [PolicyDiagnostic]

  /// Parses `text`; `file` names it in diagnostics.
  ///
  /// - Returns: the root node (or `nil` when nothing could be read) and every diagnostic.
  public static func parse(_ text: String, file: String) -> (root: PolicyNode?, diagnostics: [PolicyDiagnostic]) {
    var lexer = PolicyLexer(file: file)
    let lines = lexer.lines(of: text)
    var parser = PolicyParser(file: file, lines: lines, diagnostics: lexer.diagnostics)
    guard !lines.isEmpty else {
      if parser.diagnostics.isEmpty {
        parser.diagnostics.append(PolicyDiagnostic(.emptyPolicy, at: SourceLocation(file: file, line: 1, column: 1)))
      }
      return (nil, parser.diagnostics.sorted { $0.location < $1.location })
    }
    let root = parser.parseBlock(indent: lines[0].indent)
    while parser.index < parser.lines.count {
      let line = parser.lines[parser.index]
      let message: PolicyMessage = line.indent > lines[0].indent ? .unexpectedIndentation : .unalignedIndentation(expected: lines[0].indent + 1)
      parser.report(message, line: line, column: line.column, length: line.content.count)
      parser.index += 1
    }
    return (root, parser.diagnostics.sorted { $0.location < $1.location })
  }

  private init(file: String, lines: [PolicyLexer.Line], diagnostics: [PolicyDiagnostic]) {
    self.file = file
    self.lines = lines
    self.diagnostics = diagnostics
  }

  // MARK: Blocks

  /// How deeply blocks and flow collections may nest; deeper input is refused, not recursed into.
  public static let maximumDepth = 64

  /// Parses the block that starts at the current line, whose lines sit at `indent`.
  private mutating func parseBlock(indent: Int) -> PolicyNode {
    let line = lines[index]
    depth += 1
    defer { depth -= 1 }
    if depth > Self.maximumDepth {
      report(.tooDeep(limit: Self.maximumDepth), line: line, column: line.column)
      skipNested(deeperThan: indent - 1)
      return PolicyNode(kind: .scalar("", .plain), location: location(line, line.column), length: 1)
    }
    if Self.isListItem(line.content) { return parseSequence(indent: indent) }
    if keyEnd(of: line) != nil { return parseMapping(indent: indent) }
    // A stray line (`version 1`) at the head of a mapping: read the block as the mapping it is.
    if index + 1 < lines.count, lines[index + 1].indent == indent, keyEnd(of: lines[index + 1]) != nil {
      return parseMapping(indent: indent)
    }
    let node = parseInlineValue(line: index, from: 0)
    index += 1
    return node
  }

  private mutating func parseMapping(indent: Int) -> PolicyNode {
    let start = location(lines[index], lines[index].column)
    var entries: [PolicyNode.Entry] = []
    // Duplicate keys: a scan while the mapping is small (the usual case), an index beyond.
    var firstLines: [String: Int] = [:]
    func firstLine(of key: String) -> Int? {
      if entries.count <= 16 { return entries.first { $0.key == key }?.keyLocation.line }
      if firstLines.isEmpty {
        for entry in entries where firstLines[entry.key] == nil { firstLines[entry.key] = entry.keyLocation.line }
      }
      return firstLines[key]
    }
    while index < lines.count, lines[index].indent == indent {
      let line = lines[index]
      if Self.isListItem(line.content) {
        report(.unexpectedListItem, line: line, column: line.column)
        skipNested(deeperThan: indent)
        continue
      }
      guard let (key, keyLength, valueStart) = parseKey(line) else {
        let complex = line.content.first == "?" && (line.content.count == 1 || line.content[1] == " ")
        report(complex ? .unsupportedComplexKey : .expectedKey, line: line, column: line.column, length: complex ? 1 : line.content.count)
        skipNested(deeperThan: indent)
        continue
      }
      let keyLocation = location(line, line.column)
      if let first = firstLine(of: key) {
        diagnostics.append(PolicyDiagnostic(.duplicateKey(key, firstLine: first), at: keyLocation, length: keyLength))
      } else if !firstLines.isEmpty {
        firstLines[key] = line.number
      }
      let value: PolicyNode
      if valueStart >= line.content.count {
        index += 1
        if index < lines.count, lines[index].indent > indent {
          value = parseBlock(indent: lines[index].indent)
        } else if index < lines.count, lines[index].indent == indent, Self.isListItem(lines[index].content) {
          value = parseSequence(indent: indent)
        } else {
          value = PolicyNode(kind: .scalar("", .plain), location: location(line, line.column + keyLength + 1), length: 1)
        }
      } else {
        value = parseInlineValue(line: index, from: valueStart)
        index += 1
      }
      entries.append(PolicyNode.Entry(key: key, keyLocation: keyLocation, value: value))
      if index < lines.count, lines[index].indent > indent {
        // Deeper than this mapping but not as deep as the block before it: misaligned.
        let deeper = lines[index]
        let nested = value.location.line > line.number && deeper.indent < value.location.column - 1
        let message: PolicyMessage = nested ? .unalignedIndentation(expected: indent + 1) : .unexpectedIndentation
        report(message, line: deeper, column: deeper.column, length: deeper.content.count)
        skipNested(deeperThan: indent)
      }
    }
    return PolicyNode(kind: .mapping(entries), location: start, length: 1)
  }

  private mutating func parseSequence(indent: Int) -> PolicyNode {
    let start = location(lines[index], lines[index].column)
    var items: [PolicyNode] = []
    while index < lines.count, lines[index].indent == indent {
      let line = lines[index]
      guard Self.isListItem(line.content) else {
        if keyEnd(of: line) != nil { break }  // `key:` after `key:\n- a` at the same indent
        report(.expectedListItem, line: line, column: line.column, length: line.content.count)
        skipNested(deeperThan: indent)
        continue
      }
      var offset = 1
      while offset < line.content.count, line.content[offset] == " " { offset += 1 }
      if offset >= line.content.count {
        index += 1
        if index < lines.count, lines[index].indent > indent {
          items.append(parseBlock(indent: lines[index].indent))
        } else {
          items.append(PolicyNode(kind: .scalar("", .plain), location: location(line, line.column + 1), length: 1))
        }
        continue
      }
      // The item's content becomes a line of its own, indented to where it starts, so that
      // `- key: value` followed by `  other: value` reads as one mapping.
      let rest = PolicyLexer.Line(number: line.number, indent: indent + offset, content: Array(line.content[offset...]))
      if Self.isListItem(rest.content) || keyEnd(of: rest) != nil {
        lines[index] = rest
        items.append(parseBlock(indent: rest.indent))
      } else {
        lines[index] = rest
        items.append(parseInlineValue(line: index, from: 0))
        index += 1
        if index < lines.count, lines[index].indent > indent {
          let deeper = lines[index]
          report(.unexpectedIndentation, line: deeper, column: deeper.column, length: deeper.content.count)
          skipNested(deeperThan: indent)
        }
      }
    }
    return PolicyNode(kind: .sequence(items), location: start, length: 1)
  }

  /// Skips the current line and every following line indented deeper than `indent`.
  private mutating func skipNested(deeperThan indent: Int) {
    index += 1
    while index < lines.count, lines[index].indent > indent { index += 1 }
  }

  static func isListItem(_ content: [Unicode.Scalar]) -> Bool {
    content.first == "-" && (content.count == 1 || content[1] == " ")
  }

  // MARK: Keys

  /// Where a `key:` ends on this line (the index just after the colon), if it is a mapping line.
  private func keyEnd(of line: PolicyLexer.Line) -> Int? {
    let content = line.content
    guard let first = content.first, first != "[", first != "{" else { return nil }
    if first == "'" || first == "\"" {
      guard let close = Self.closingQuote(content, from: 0) else { return nil }
      var position = close + 1
      while position < content.count, content[position] == " " { position += 1 }
      guard position < content.count, content[position] == ":" else { return nil }
      return position + 1 < content.count && content[position + 1] != " " ? nil : position + 1
    }
    var position = 0
    while position < content.count {
      if content[position] == ":" && (position + 1 == content.count || content[position + 1] == " ") {
        return position + 1
      }
      position += 1
    }
    return nil
  }

  /// The key text, its length in characters, and where the value starts.
  private mutating func parseKey(_ line: PolicyLexer.Line) -> (String, Int, Int)? {
    guard let end = keyEnd(of: line) else { return nil }
    let content = line.content
    var key: String
    let length: Int
    if content[0] == "'" || content[0] == "\"" {
      let node = parseQuoted(content, from: 0, line: line)
      key = node.node.scalar ?? ""
      length = node.end
    } else {
      var keyCharacters = Array(content[..<(end - 1)])
      while keyCharacters.last == " " { keyCharacters.removeLast() }
      key = String(scalars: keyCharacters)
      length = keyCharacters.count
      if let first = keyCharacters.first {
        if first == "?" { report(.unsupportedComplexKey, line: line, column: line.column) }
        if first == "&" { report(.unsupportedAnchor, line: line, column: line.column, length: length) }
        if first == "*" { report(.unsupportedAlias, line: line, column: line.column, length: length) }
        if first == "!" { report(.unsupportedTag, line: line, column: line.column, length: length) }
      }
    }
    if key.isEmpty {
      report(.emptyKey, line: line, column: line.column)
      key = ""
    }
    var valueStart = end
    while valueStart < content.count, content[valueStart] == " " { valueStart += 1 }
    return (key, max(1, length), valueStart)
  }

  // MARK: Inline values

  /// Parses the value that starts at `from` on line `line` (a scalar or a flow collection).
  /// A flow collection may continue on the following lines; `index` then moves to its last line.
  private mutating func parseInlineValue(line lineIndex: Int, from start: Int) -> PolicyNode {
    let line = lines[lineIndex]
    let content = line.content
    let column = line.column + start
    switch content[start] {
    case "[", "{":
      var flow = FlowScanner(lines: lines, line: lineIndex, offset: start, file: file, depth: depth)
      let node = flow.parseNode()
      flow.expectEnd()
      diagnostics += flow.diagnostics
      index = flow.lineIndex
      return node
    case "'", "\"":
      let (node, end) = parseQuoted(content, from: start, line: line)
      var restStart = end
      while restStart < content.count, content[restStart] == " " { restStart += 1 }
      if restStart < content.count {
        let rest = String(scalars: content[restStart...])
        report(.trailingContent(rest), line: line, column: line.column + restStart, length: rest.count)
      }
      return node
    case "&":
      report(.unsupportedAnchor, line: line, column: column, length: content.count - start)
    case "*":
      report(.unsupportedAlias, line: line, column: column, length: content.count - start)
    case "!":
      report(.unsupportedTag, line: line, column: column, length: content.count - start)
    case "|", ">":
      report(.unsupportedBlockScalar, line: line, column: column)
    case "?" where start + 1 == content.count || content[start + 1] == " ":
      report(.unsupportedComplexKey, line: line, column: column)
    default:
      let text = Array(content[start...])
      if let colon = Self.firstMappingColon(text) {
        report(.nestedMappingValue, line: line, column: column + colon)
      }
      return PolicyNode(kind: .scalar(String(scalars: text), .plain), location: location(line, column), length: text.count)
    }
    let text = String(scalars: content[start...])
    return PolicyNode(kind: .scalar(text, .plain), location: location(line, column), length: text.count)
  }

  static func firstMappingColon(_ text: [Unicode.Scalar]) -> Int? {
    for position in text.indices where text[position] == ":" {
      if position + 1 == text.count || text[position + 1] == " " { return position }
    }
    return nil
  }

  /// Index of the quote closing the string opened at `start`, if on this line.
  static func closingQuote(_ content: [Unicode.Scalar], from start: Int) -> Int? {
    let quote = content[start]
    var position = start + 1
    while position < content.count {
      if quote == "\"" && content[position] == "\\" {
        position += 2
        continue
      }
      if content[position] == quote {
        if quote == "'" && position + 1 < content.count && content[position + 1] == "'" {
          position += 2
          continue
        }
        return position
      }
      position += 1
    }
    return nil
  }

  private mutating func parseQuoted(_ content: [Unicode.Scalar], from start: Int, line: PolicyLexer.Line) -> (node: PolicyNode, end: Int) {
    let decoded = QuotedScalar.decode(content, from: start)
    let nodeLocation = location(line, line.column + start)
    for (offset, sequence) in decoded.invalidEscapes {
      report(.invalidEscape(sequence), line: line, column: line.column + offset, length: sequence.count)
    }
    guard let end = decoded.end else {
      report(.unterminatedString(quote: content[start]), line: line, column: line.column + start, length: content.count - start)
      return (PolicyNode(kind: .scalar(decoded.text, decoded.style), location: nodeLocation, length: content.count - start), content.count)
    }
    return (PolicyNode(kind: .scalar(decoded.text, decoded.style), location: nodeLocation, length: end - start), end)
  }

  // MARK: Helpers

  private func location(_ line: PolicyLexer.Line, _ column: Int) -> SourceLocation {
    SourceLocation(file: file, line: line.number, column: column)
  }

  private mutating func report(_ message: PolicyMessage, line: PolicyLexer.Line, column: Int, length: Int = 1) {
    diagnostics.append(PolicyDiagnostic(message, at: location(line, column), length: length))
  }
}

extension String {
  /// This string without leading and trailing spaces and tabs.
  func trimmingSpaces() -> String {
    let characters = Array(self)
    var start = 0
    var end = characters.count
    while start < end, characters[start] == " " || characters[start] == "\t" { start += 1 }
    while end > start, characters[end - 1] == " " || characters[end - 1] == "\t" { end -= 1 }
    return String(characters[start..<end])
  }
}
