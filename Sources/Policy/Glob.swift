/// A shell-style pattern: `*` matches any run of characters within one path component (never a
/// `/`), `**` any run at all (`/` included), `?` one character, `[abc]`, `[a-z]` and `[!x]` one
/// character of a set; `\` escapes the next character. Literal characters match only the same
/// Unicode scalars, never a canonically equivalent spelling.
public struct Glob: Hashable, Sendable, CustomStringConvertible {
  private enum Token: Hashable, Sendable {
    case literal(Character)
    case any
    /// `*`: a run without `/`.
    case anyRunInComponent
    /// `**`: any run.
    case anyRun
    case set([ClosedRange<Character>], negated: Bool)
  }

  /// The pattern as written.
  public let pattern: String
  private let tokens: [Token]

  /// Compiles a pattern; throws a reason for a `[` that is never closed or a trailing `\`.
  public init(_ pattern: String) throws(GlobError) {
    self.pattern = pattern
    var tokens: [Token] = []
    let characters = Array(pattern)
    var index = 0
    while index < characters.count {
      let character = characters[index]
      switch character {
      case "*":
        if index + 1 < characters.count, characters[index + 1] == "*" {
          while index + 1 < characters.count, characters[index + 1] == "*" { index += 1 }
          if tokens.last == .anyRunInComponent { tokens.removeLast() }
          if tokens.last != .anyRun { tokens.append(.anyRun) }
        } else if tokens.last != .anyRun && tokens.last != .anyRunInComponent {
          tokens.append(.anyRunInComponent)
        }
      case "?":
        tokens.append(.any)
      case "\\":
        guard index + 1 < characters.count else { throw GlobError(reason: "it ends with a lone '\\'") }
        index += 1
        tokens.append(.literal(characters[index]))
      case "[":
        var cursor = index + 1
        let negated = cursor < characters.count && (characters[cursor] == "!" || characters[cursor] == "^")
        if negated { cursor += 1 }
        var ranges: [ClosedRange<Character>] = []
        var first = true
        while cursor < characters.count, characters[cursor] != "]" || first {
          let low = characters[cursor]
          if cursor + 2 < characters.count, characters[cursor + 1] == "-", characters[cursor + 2] != "]" {
            let high = characters[cursor + 2]
            guard low <= high else { throw GlobError(reason: "the range '\(low)-\(high)' is reversed") }
            ranges.append(low...high)
            cursor += 3
          } else {
            ranges.append(low...low)
            cursor += 1
          }
          first = false
        }
        guard cursor < characters.count else { throw GlobError(reason: "'[' is never closed with ']'") }
        tokens.append(.set(ranges, negated: negated))
        index = cursor
      default:
        tokens.append(.literal(character))
      }
      index += 1
    }
    self.tokens = tokens
  }

  /// Whether a pattern string contains glob syntax at all (`*`, `?`, `[`).
  public static func isPattern(_ text: String) -> Bool {
    let special = { (byte: UInt8) in byte == UInt8(ascii: "*") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "[") }
    // ASCII (the usual case): one character per byte. Otherwise a `*` with a combining mark
    // is not a `*`, so look at characters.
    if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.contains(where: special) }
    return text.contains { $0 == "*" || $0 == "?" || $0 == "[" }
  }

  /// Whether `text` matches the whole pattern.
  public func matches(_ text: String) -> Bool {
    // ASCII text (the usual case) is one character per byte: no array of characters to build.
    var text = text
    if let matched = text.withUTF8({ bytes in
      bytes.allSatisfy { $0 < 0x80 } ? match(count: bytes.count) { Character(Unicode.Scalar(bytes[$0])) } : nil
    }) {
      return matched
    }
    let characters = Array(text)
    return match(count: characters.count) { characters[$0] }
  }

  /// Matching over `count` characters that `character` hands out by position. Without `*`
  /// (only `**`, the usual case for names) one backtrack point is enough; with `*`, which may not
  /// cross `/`, a table of which pattern positions each text position can reach.
  private func match(count: Int, _ character: (Int) -> Character) -> Bool {
    if !tokens.contains(.anyRunInComponent) { return matchWithoutComponentRuns(count: count, character) }
    // reachable[p]: the first t characters can be matched by the first p tokens.
    var reachable = [Bool](repeating: false, count: tokens.count + 1)
    reachable[0] = true
    for p in tokens.indices where tokens[p] == .anyRun || tokens[p] == .anyRunInComponent {
      guard reachable[p] else { break }
      reachable[p + 1] = true
    }
    for t in 0..<count {
      let next = character(t)
      var following = [Bool](repeating: false, count: tokens.count + 1)
      for p in tokens.indices where reachable[p] || following[p] {
        switch tokens[p] {
        case .anyRun: if reachable[p] { following[p] = true }
        case .anyRunInComponent: if reachable[p] && next != "/" { following[p] = true }
        default: if reachable[p] && Self.matchOne(tokens[p], next) { following[p + 1] = true }
        }
        // A run token may also match nothing: what reaches it reaches past it.
        if following[p], tokens[p] == .anyRun || tokens[p] == .anyRunInComponent { following[p + 1] = true }
      }
      reachable = following
      if !reachable.contains(true) { return false }
    }
    return reachable[tokens.count]
  }

  /// Iterative matching with backtracking to the last `**` (linear in practice, no recursion).
  private func matchWithoutComponentRuns(count: Int, _ character: (Int) -> Character) -> Bool {
    var t = 0
    var p = 0
    var starPattern = -1
    var starText = 0
    while t < count {
      if p < tokens.count, Self.matchOne(tokens[p], character(t)) {
        t += 1
        p += 1
      } else if p < tokens.count, tokens[p] == .anyRun {
        starPattern = p
        starText = t
        p += 1
      } else if starPattern >= 0 {
        p = starPattern + 1
        starText += 1
        t = starText
      } else {
        return false
      }
    }
    while p < tokens.count, tokens[p] == .anyRun { p += 1 }
    return p == tokens.count
  }

  private static func matchOne(_ token: Token, _ character: Character) -> Bool {
    switch token {
    // Exact scalars, as libvirt compares names (bytes): `ü` spelled NFC is not `u` + U+0308.
    case .literal(let literal): literal.unicodeScalars.elementsEqual(character.unicodeScalars)
    case .any: true
    case .anyRun, .anyRunInComponent: false
    case .set(let ranges, let negated): ranges.contains { $0.contains(character) } != negated
    }
  }

  /// The pattern.
  public var description: String { pattern }
}

/// Why a pattern is invalid.
public struct GlobError: Error, Sendable {
  /// A phrase such as `'[' is never closed with ']'`.
  public let reason: String
}
