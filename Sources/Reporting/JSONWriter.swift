/// Writes pretty-printed JSON straight to bytes, laid out exactly as ``JSONValue`` renders it,
/// without building a tree first: for the check report, which grows with the fleet.
///
/// Arrays written here hold objects or arrays (``JSONValue`` prints arrays of scalars on one
/// line; use it for those).
struct JSONWriter {
  private(set) var bytes: [UInt8] = []
  /// Open containers: whether each has a member yet.
  private var open: [Bool] = []
  private var indent: Int

  /// A writer whose outermost value sits at `indent` spaces.
  init(indent: Int = 0) {
    self.indent = indent
    bytes.reserveCapacity(4096)
  }

  /// `{`; close it with ``endObject()``.
  mutating func beginObject() { begin(UInt8(ascii: "{")) }
  /// `}`, or `{}` when the object got no member.
  mutating func endObject() { end(UInt8(ascii: "}")) }
  /// `[`; close it with ``endArray()``.
  mutating func beginArray() { begin(UInt8(ascii: "[")) }
  /// `]`, or `[]` when the array got no element.
  mutating func endArray() { end(UInt8(ascii: "]")) }

  /// The next member's key, in an object.
  mutating func key(_ key: String) {
    separate()
    JSONValue.writeString(key, to: &bytes)
    bytes.appendStatic(": ")
  }

  /// The next member's key, a literal that needs no escaping (the reporters' own keys).
  mutating func key(_ key: StaticString) {
    separate()
    bytes.append(UInt8(ascii: "\""))
    bytes.appendStatic(key)
    bytes.appendStatic("\": ")
  }

  /// Starts the next element of an array (before a nested object or array).
  mutating func element() { separate() }

  /// The next element of an array, already written by a writer at this writer's depth.
  mutating func element(raw bytes: [UInt8]) {
    separate()
    self.bytes += bytes
  }

  /// A string, or `null`.
  mutating func value(_ value: String?) {
    guard let value else { return null() }
    JSONValue.writeString(value, to: &bytes)
  }

  /// An integer, or `null`.
  mutating func value(_ value: Int?) {
    guard let value else { return null() }
    bytes += String(value).utf8
  }

  /// A boolean, or `null`.
  mutating func value(_ value: Bool?) {
    guard let value else { return null() }
    bytes.appendStatic(value ? "true" : "false")
  }

  /// `null`.
  mutating func null() { bytes.appendStatic("null") }

  /// `"key": value` for a string, an integer or a boolean (or `null`).
  mutating func member(_ name: String, _ value: String?) {
    key(name)
    self.value(value)
  }

  mutating func member(_ name: StaticString, _ value: String?) {
    key(name)
    self.value(value)
  }

  mutating func member(_ name: StaticString, _ value: Int?) {
    key(name)
    self.value(value)
  }

  mutating func member(_ name: StaticString, _ value: Bool?) {
    key(name)
    self.value(value)
  }

  /// `"key": {...}` with the members `body` writes, or `"key": null` when `value` is absent.
  mutating func member<Value>(_ name: StaticString, object value: Value?, _ body: (inout JSONWriter, Value) -> Void) {
    key(name)
    guard let value else { return null() }
    beginObject()
    body(&self, value)
    endObject()
  }

  private mutating func begin(_ bracket: UInt8) {
    bytes.append(bracket)
    open.append(false)
    indent += 2
  }

  private mutating func end(_ bracket: UInt8) {
    indent -= 2
    if open.removeLast() {
      bytes.append(UInt8(ascii: "\n"))
      JSONValue.pad(&bytes, indent)
    }
    bytes.append(bracket)
  }

  private mutating func separate() {
    guard !open.isEmpty else { return }
    bytes.appendStatic(open[open.count - 1] ? ",\n" : "\n")
    open[open.count - 1] = true
    JSONValue.pad(&bytes, indent)
  }
}
