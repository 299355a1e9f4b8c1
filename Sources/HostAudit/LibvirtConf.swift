/// A libvirt configuration file (`/etc/libvirt/qemu.conf`), read the way libvirt's `virConfParse`
/// reads it: `name = value` statements separated by line ends or `;`, where a value is a quoted
/// string (`"…"`, `'…'` or `"""…"""`), a whole number, or a list of values in `[ ]` that may span
/// lines; `#` starts a comment outside a list. The first statement of a name is the one libvirt
/// uses.
public struct LibvirtConf: Sendable, Equatable {
  /// The QEMU driver's configuration file.
  public static let qemuConf = "/etc/libvirt/qemu.conf"

  /// A value.
  public enum Value: Sendable, Equatable, CustomStringConvertible {
    /// A quoted string.
    case string(String)
    /// A whole number.
    case number(Int)
    /// A list in `[ ]`.
    case list([Value])

    /// The value as it would be written: `"libvirt-qemu"`, `0`, `[ "mount" ]`, `[]`.
    public var description: String {
      switch self {
      case .string(let text): "\"\(text)\""
      case .number(let number): String(number)
      case .list(let values): values.isEmpty ? "[]" : "[ " + values.map(\.description).joined(separator: ", ") + " ]"
      }
    }

    /// The strings of a list of strings, `nil` for anything else.
    public var strings: [String]? {
      guard case .list(let values) = self else { return nil }
      let texts = values.compactMap { if case .string(let text) = $0 { text } else { nil } }
      return texts.count == values.count ? texts : nil
    }
  }

  /// One `name = value` statement.
  public struct Entry: Sendable, Equatable {
    /// The setting's name.
    public let name: String
    /// Its value.
    public let value: Value
    /// The 1-based line the statement starts on.
    public let line: Int
  }

  /// A statement libvirt cannot parse: libvirtd does not start with such a file.
  public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line.
    public let line: Int
    /// libvirt's words for it, e.g. `expecting a value`.
    public let message: String

    /// Creates an error.
    public init(line: Int, message: String) {
      self.line = line
      self.message = message
    }

    /// `line 3: expecting a value`.
    public var description: String { "line \(line): \(message)" }
  }

  /// What reading a configuration file gave.
  public enum Reading: Sendable, Equatable {
    /// There is no such file: libvirt's defaults apply.
    case absent
    /// The file exists but cannot be read (not root?).
    case unreadable
    /// The file is not valid: libvirtd refuses to start with it.
    case invalid(SyntaxError)
    /// The file's statements.
    case parsed(LibvirtConf)

    /// The statements when the file was parsed; an absent file has none.
    public var conf: LibvirtConf? {
      switch self {
      case .absent: LibvirtConf(entries: [])
      case .parsed(let conf): conf
      case .unreadable, .invalid: nil
      }
    }
  }

  /// Every statement, in file order.
  public let entries: [Entry]

  /// Parses a file's text.
  public init(parsing text: String) throws(SyntaxError) {
    var parser = Parser(bytes: Array(text.utf8))
    entries = try parser.parse()
  }

  private init(entries: [Entry]) { self.entries = entries }

  /// Reads `path` below `files`' root.
  public static func read(_ path: String, files: HostFiles) -> Reading {
    guard let text = files.text(path) else { return files.exists(path) ? .unreadable : .absent }
    do {
      return .parsed(try LibvirtConf(parsing: text))
    } catch {
      return .invalid(error)
    }
  }

  /// The statement libvirt uses for `name`: the first one.
  public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

  /// The value libvirt uses for `name`, `nil` when unset.
  public subscript(name: String) -> Value? { entry(name)?.value }
}

private extension LibvirtConf {
  /// `virConfParse`'s grammar, byte by byte.
  struct Parser {
    let bytes: [UInt8]
    var index = 0
    var line = 1

    init(bytes: [UInt8]) { self.bytes = bytes }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func advance() {
      if index < bytes.count { index += 1 }
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    static func isEOL(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    static func isAlpha(_ byte: UInt8) -> Bool {
      (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    mutating func skipBlanks() {
      while let byte = current, Self.isBlank(byte) { advance() }
    }

    mutating func skipBlanksAndEOL() {
      while let byte = current, Self.isBlank(byte) || Self.isEOL(byte) {
        if byte == UInt8(ascii: "\n") { line += 1 }
        advance()
      }
    }

    mutating func skipToEOL() {
      while let byte = current, !Self.isEOL(byte) { advance() }
    }

    func error(_ message: String) -> SyntaxError { SyntaxError(line: line, message: message) }

    mutating func parse() throws(SyntaxError) -> [Entry] {
      var entries: [Entry] = []
      while index < bytes.count {
        if let entry = try statement() { entries.append(entry) }
        try separator()
      }
      return entries
    }

    /// A statement or a comment line (`nil`).
    mutating func statement() throws(SyntaxError) -> Entry? {
      skipBlanksAndEOL()
      guard let first = current else { return nil }
      if first == UInt8(ascii: "#") {
        skipToEOL()
        return nil
      }
      guard Self.isAlpha(first) else { throw error("expecting a name") }
      let start = index
      let startLine = line
      while let byte = current, Self.isAlpha(byte) || Self.isDigit(byte) || byte == UInt8(ascii: "_") { advance() }
      let name = String(decoding: bytes[start..<index], as: UTF8.self)
      skipBlanks()
      guard current == UInt8(ascii: "=") else { throw error("expecting an assignment") }
      advance()
      let value = try value()
      skipBlanks()
      if current == UInt8(ascii: "#") { skipToEOL() }
      return Entry(name: name, value: value, line: startLine)
    }

    mutating func separator() throws(SyntaxError) {
      skipBlanks()
      guard let byte = current else { return }
      if Self.isEOL(byte) {
        skipBlanksAndEOL()
      } else if byte == UInt8(ascii: ";") {
        advance()
        skipBlanksAndEOL()
      } else {
        throw error("expecting a separator")
      }
    }

    mutating func value() throws(SyntaxError) -> Value {
      skipBlanks()
      guard let byte = current else { throw error("expecting a value") }
      if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") { return .string(try string()) }
      if byte == UInt8(ascii: "[") { return .list(try list()) }
      if Self.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") { return .number(try number()) }
      throw error("expecting a value")
    }

    mutating func string() throws(SyntaxError) -> String {
      let quote = bytes[index]
      let triple = UInt8(ascii: "\"")
      if quote == triple, index + 6 < bytes.count, bytes[index + 1] == triple, bytes[index + 2] == triple {
        index += 3
        let start = index
        while index + 2 < bytes.count, !(bytes[index] == triple && bytes[index + 1] == triple && bytes[index + 2] == triple) {
          if bytes[index] == UInt8(ascii: "\n") { line += 1 }
          advance()
        }
        guard index + 2 < bytes.count else { throw error("unterminated string") }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        index += 3
        return text
      }
      advance()
      let start = index
      while let byte = current, byte != quote, !Self.isEOL(byte) { advance() }
      guard current == quote else { throw error("unterminated string") }
      let text = String(decoding: bytes[start..<index], as: UTF8.self)
      advance()
      return text
    }

    /// A list; unlike statements, it may not hold comments.
    mutating func list() throws(SyntaxError) -> [Value] {
      advance()
      skipBlanksAndEOL()
      var values: [Value] = []
      if let byte = current, byte != UInt8(ascii: "]") {
        values.append(try value())
        skipBlanksAndEOL()
      }
      while let byte = current, byte != UInt8(ascii: "]") {
        guard byte == UInt8(ascii: ",") else { throw error("expecting a separator in list") }
        advance()
        skipBlanksAndEOL()
        if current == UInt8(ascii: "]") { break }
        values.append(try value())
        skipBlanksAndEOL()
      }
      guard current == UInt8(ascii: "]") else { throw error("list is not closed with ]") }
      advance()
      return values
    }

    mutating func number() throws(SyntaxError) -> Int {
      var negative = false
      if current == UInt8(ascii: "-") {
        negative = true
        advance()
      } else if current == UInt8(ascii: "+") {
        advance()
      }
      guard let first = current, Self.isDigit(first) else { throw error("unterminated number") }
      var number = 0
      while let byte = current, Self.isDigit(byte) {
        // Wraps on overflow, as libvirt's long long does.
        number = number &* 10 &+ Int(byte - UInt8(ascii: "0"))
        advance()
      }
      return negative ? 0 &- number : number
    }
  }
}
