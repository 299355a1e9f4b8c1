import Testing

@testable import Reporting

/// The check report is written by `JSONWriter`; every other JSON output renders a `JSONValue`.
/// Both must lay out the same document byte for byte.
@Suite struct JSONWriterTests {
  @Test func writesExactlyWhatJSONValueRenders() {
    let value = JSONValue.object([
      ("name", .string("quote \" backslash \\ newline \n tab \t bell \u{07} ünïcode")),
      ("none", .null), ("count", .int(-42)), ("yes", .bool(true)), ("no", .bool(false)),
      ("empty object", .object([])), ("empty array", .array([])),
      (
        "items",
        .array([
          .object([("a", .int(1)), ("nested", .object([("b", .string("c"))]))]),
          .object([]),
          .array([.object([("deep", .null)])]),
        ])
      ),
    ])
    var writer = JSONWriter()
    writer.beginObject()
    writer.member("name", "quote \" backslash \\ newline \n tab \t bell \u{07} ünïcode")
    writer.key("none")
    writer.null()
    writer.member("count", -42)
    writer.member("yes", true)
    writer.member("no", false)
    writer.key("empty object")
    writer.beginObject()
    writer.endObject()
    writer.key("empty array")
    writer.beginArray()
    writer.endArray()
    writer.key("items")
    writer.beginArray()
    writer.element()
    writer.beginObject()
    writer.member("a", 1)
    writer.key("nested")
    writer.beginObject()
    writer.member("b", "c")
    writer.endObject()
    writer.endObject()
    writer.element()
    writer.beginObject()
    writer.endObject()
    writer.element()
    writer.beginArray()
    writer.element()
    writer.beginObject()
    writer.member("deep", nil as String?)
    writer.endObject()
    writer.endArray()
    writer.endArray()
    writer.endObject()
    #expect(String(decoding: writer.bytes, as: UTF8.self) + "\n" == value.rendered())
  }
}
