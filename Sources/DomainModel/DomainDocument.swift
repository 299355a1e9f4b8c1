internal import CLibXML2

/// A parsed domain XML document that owns its libxml2 tree and can be edited minimally.
///
/// ``domain`` is the typed view; edits address devices by ``Device/index`` and leave every
/// other node (comments, CDATA, namespaces, unknown elements, white space) as it was, so
/// ``serialized()`` differs from the input only where an edit was made.
public final class DomainDocument {
  /// Where the XML came from (a path, `<stdin>`, `URI/domain`), used in error messages.
  public let source: String
  /// The typed domain, refreshed after every edit.
  public private(set) var domain: Domain
  private let document: xmlDocPtr

  /// Parses domain XML bytes.
  ///
  /// - Throws: ``DomainXMLError`` with libxml2's line and column for malformed XML, or when the
  ///   document is not a libvirt `<domain>`.
  public convenience init(bytes: UnsafeRawBufferPointer, source: String) throws(DomainXMLError) {
    try self.init(document: XMLParser.parse(bytes, source: source), source: source)
  }

  /// Parses domain XML text.
  public convenience init(xml: String, source: String) throws(DomainXMLError) {
    try self.init(document: XMLParser.parse(xml, source: source), source: source)
  }

  /// Takes ownership of a parsed document; frees it if it is not a domain.
  private init(document: xmlDocPtr, source: String) throws(DomainXMLError) {
    do {
      self.domain = try Self.read(document, source: source)
    } catch {
      xmlFreeDoc(document)
      throw error
    }
    self.document = document
    self.source = source
  }

  deinit { xmlFreeDoc(document) }

  /// Removes the devices at these indices from `<devices>`, with the white space before each.
  public func removeDevices(at indices: Set<Int>) throws(DomainXMLError) {
    let nodes = deviceNodes()
    for index in indices where !nodes.indices.contains(index) {
      throw DomainXMLError(source: source, line: 0, message: "no device at index \(index)")
    }
    for index in indices.sorted(by: >) {
      let node = nodes[index]
      if let previous = node.pointee.prev, previous.pointee.type == XML_TEXT_NODE,
        Self.isBlank(previous)
      {
        xmlUnlinkNode(previous)
        xmlFreeNode(previous)
      }
      xmlUnlinkNode(node)
      xmlFreeNode(node)
    }
    try refresh()
  }

  /// Sets an attribute on a device or on a descendant reached through `path` (element names),
  /// creating missing elements at the end of their parent.
  public func setAttribute(
    _ name: String, to value: String, onDeviceAt index: Int, path: [String] = []
  ) throws(DomainXMLError) {
    let nodes = deviceNodes()
    guard nodes.indices.contains(index) else {
      throw DomainXMLError(source: source, line: 0, message: "no device at index \(index)")
    }
    var node = nodes[index]
    for step in path {
      if let existing = XMLElement(node: node).child(step) {
        node = existing.node
      } else {
        guard let created = xmlNewChild(node, nil, step, nil) else {
          throw DomainXMLError(source: source, line: 0, message: "out of memory adding <\(step)>")
        }
        node = created
      }
    }
    guard xmlSetProp(node, name, value) != nil else {
      throw DomainXMLError(source: source, line: 0, message: "could not set attribute \(name)")
    }
    try refresh()
  }

  /// One device's element as XML text (for detaching a device that has no alias).
  public func deviceXML(at index: Int) -> String? {
    let nodes = deviceNodes()
    guard nodes.indices.contains(index), let buffer = xmlBufferCreate() else { return nil }
    defer { xmlBufferFree(buffer) }
    guard xmlNodeDump(buffer, document, nodes[index], 0, 0) >= 0, let content = xmlBufferContent(buffer) else { return nil }
    return String(cString: content)
  }

  /// Sets an attribute given as a raw path relative to the device: `@type` (the device's own),
  /// `model/@type`, `target/@bus`; missing elements are created.
  public func setAttribute(path: String, to value: String, onDeviceAt index: Int) throws(DomainXMLError) {
    guard let at = path.lastIndex(of: "@") else {
      throw DomainXMLError(source: source, line: 0, message: "'\(path)' names no attribute (expected a path such as 'model/@type')")
    }
    let elements = path[..<at].split(separator: "/").map(String.init)
    try setAttribute(String(path[path.index(after: at)...]), to: value, onDeviceAt: index, path: elements)
  }

  /// The document as XML text, without an XML declaration (as libvirt writes it).
  public func serialized() -> String {
    guard let buffer = xmlBufferCreate() else { return "" }
    defer { xmlBufferFree(buffer) }
    guard let context = xmlSaveToBuffer(buffer, "UTF-8", Int32(XML_SAVE_NO_DECL.rawValue)) else { return "" }
    xmlSaveDoc(context, document)
    xmlSaveClose(context)
    guard let content = xmlBufferContent(buffer) else { return "" }
    return String(cString: content)
  }

  private func refresh() throws(DomainXMLError) {
    domain = try Self.read(document, source: source)
  }

  private func deviceNodes() -> [xmlNodePtr] {
    guard let root = xmlDocGetRootElement(document) else { return [] }
    return XMLElement(node: root).children
      .filter { $0.name == "devices" && $0.namespaceURI == nil }
      .flatMap(\.children).map(\.node)
  }

  private static func read(_ document: xmlDocPtr, source: String) throws(DomainXMLError) -> Domain {
    var builder = DomainBuilder(source: source)
    if let root = xmlDocGetRootElement(document) { walk(root, into: &builder) }
    return try builder.finish()
  }

  /// Feeds an element and everything below it to the builder, in document order, as the SAX
  /// parse would: the same names, attributes, text and entity references.
  private static func walk(_ node: xmlNodePtr, into builder: inout DomainBuilder) {
    let element = XMLElement(node: node)
    let prefix = node.pointee.ns?.pointee.prefix.map { String(cString: $0) }
    builder.startElement(name: element.name, prefix: prefix, namespaceURI: element.namespaceURI, line: element.line)
    if !builder.isSkipping {
      var attribute = node.pointee.properties
      while let current = attribute {
        var name = String(cString: current.pointee.name)
        if let attributePrefix = current.pointee.ns?.pointee.prefix { name = String(cString: attributePrefix) + ":" + name }
        builder.attribute(name: name, namespaced: current.pointee.ns != nil, value: XMLElement.text(of: current.pointee.children))
        attribute = current.pointee.next
      }
    }
    var child = node.pointee.children
    while let current = child {
      switch current.pointee.type {
      case XML_ELEMENT_NODE:
        walk(current, into: &builder)
      case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
        if builder.wantsText, let content = current.pointee.content {
          builder.text(UnsafeBufferPointer(start: content, count: Int(xmlStrlen(content))))
        }
      case XML_ENTITY_REF_NODE:
        if builder.wantsText { builder.entityReference(String(cString: current.pointee.name)) }
      default:
        break
      }
      child = current.pointee.next
    }
    builder.endElement()
  }

  private static func isBlank(_ node: xmlNodePtr) -> Bool {
    guard let content = node.pointee.content else { return true }
    return String(cString: content).trimmingXMLWhitespace().isEmpty
  }
}
