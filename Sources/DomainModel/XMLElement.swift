internal import CLibXML2

/// A borrowed view of one libxml2 element node.
///
/// Only valid while the owning ``DomainDocument`` (or parse call) keeps the tree alive; it never
/// leaves this module.
struct XMLElement {
  let node: xmlNodePtr

  /// The local name, without a namespace prefix.
  var name: String { String(cString: node.pointee.name) }

  /// The namespace URI, or `nil` for elements in no namespace.
  var namespaceURI: String? {
    guard let href = node.pointee.ns?.pointee.href else { return nil }
    return String(cString: href)
  }

  /// The name as written: `prefix:name` for namespaced elements.
  var qualifiedName: String {
    guard let prefix = node.pointee.ns?.pointee.prefix else { return name }
    return String(cString: prefix) + ":" + name
  }

  /// The 1-based source line of the start tag.
  var line: Int { Int(xmlGetLineNo(node)) }

  /// Element children in document order (text, comments, CDATA and PIs are skipped).
  var children: Children { Children(first: node.pointee.children) }

  /// The element children of a node, walked through libxml2's sibling links.
  struct Children: Sequence, IteratorProtocol {
    private var upcoming: xmlNodePtr?

    init(first: xmlNodePtr?) { upcoming = first }

    mutating func next() -> XMLElement? {
      while let current = upcoming {
        upcoming = current.pointee.next
        if current.pointee.type == XML_ELEMENT_NODE { return XMLElement(node: current) }
      }
      return nil
    }
  }

  /// The first element child with this local name in no namespace.
  func child(_ name: String) -> XMLElement? {
    children.first { $0.namespaceURI == nil && $0.name == name }
  }

  /// The value of an attribute in no namespace, or `nil` when absent.
  func attribute(_ name: String) -> String? {
    var attribute = node.pointee.properties
    while let current = attribute {
      if current.pointee.ns == nil, String(cString: current.pointee.name) == name {
        return Self.text(of: current.pointee.children)
      }
      attribute = current.pointee.next
    }
    return nil
  }

  /// The concatenated text and CDATA content of this element's direct children.
  ///
  /// Entity references are kept literally (`&name;`): kvmpolicy never expands entities.
  var text: String { Self.text(of: node.pointee.children) }

  /// ``text`` without leading and trailing white space.
  var trimmedText: String { text.trimmingXMLWhitespace() }

  /// The text of a node list as kvmpolicy reads it: text and CDATA content, `&name;` for an
  /// entity reference.
  static func text(of first: xmlNodePtr?) -> String {
    var result = ""
    var child = first
    while let current = child {
      switch current.pointee.type {
      case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
        if let content = current.pointee.content { result += String(cString: content) }
      case XML_ENTITY_REF_NODE:
        result += "&" + String(cString: current.pointee.name) + ";"
      default:
        break
      }
      child = current.pointee.next
    }
    return result
  }
}

extension String {
  /// This string without leading and trailing XML white space (space, tab, CR, LF).
  func trimmingXMLWhitespace() -> String {
    let isSpaceByte = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    guard let first = utf8.first, let last = utf8.last else { return "" }
    // Every white-space character starts and ends with a white-space byte.
    if !isSpaceByte(first) && !isSpaceByte(last) { return self }
    if utf8.allSatisfy({ $0 < 0x80 }) {
      // ASCII: one character per byte (CR LF aside, which is white space either way).
      guard let start = utf8.firstIndex(where: { !isSpaceByte($0) }), let end = utf8.lastIndex(where: { !isSpaceByte($0) })
      else { return "" }
      return String(self[start...end])
    }
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
    guard let start = firstIndex(where: { !isSpace($0) }),
      let end = lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(self[start...end])
  }
}
