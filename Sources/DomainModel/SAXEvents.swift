internal import CLibXML2

/// The SAX handlers that feed a ``DomainBuilder`` what libxml2's own tree builder
/// (`xmlSAX2StartElementNs` and friends) would put in its tree, for the parts kvmpolicy reads.
///
/// Everything about the DTD (internal subset, entity declarations, entity lookup) stays with
/// libxml2's SAX2 defaults, so entities are checked and refused exactly as in a tree parse.
enum SAXEvents {
  /// Replaces the element and text handlers of a fresh parser context.
  static func install(on context: xmlParserCtxtPtr) {
    guard let sax = context.pointee.sax else { return }
    sax.pointee.startElementNs = { userData, localname, prefix, uri, _, _, count, defaulted, attributes in
      guard let state = SAXEvents.target(userData), let localname else { return }
      if state.builder.pointee.isSkipping {
        // Inside a subtree the model never reads: not even its names are decoded.
        state.builder.pointee.startElement(name: "", prefix: nil, namespaceURI: nil, line: 0)
        return
      }
      var name = String(cString: localname)
      var prefixName = prefix.map { String(cString: $0) }
      if let bound = prefixName, uri == nil {
        // An unbound prefix: libxml2 keeps `prefix:name` as the name, in no namespace.
        name = bound + ":" + name
        prefixName = nil
      }
      let line = state.context.pointee.input.map { Int($0.pointee.line) } ?? 0
      state.builder.pointee.startElement(name: name, prefix: prefixName, namespaceURI: uri.map { String(cString: $0) }, line: line)
      // Attributes libxml2 defaulted from the DTD are not in its tree (no XML_PARSE_DTDATTR).
      let given = Int(count - defaulted)
      guard given > 0, let attributes, !state.builder.pointee.isSkipping else { return }
      let document = state.context.pointee.myDoc
      for index in 0..<given {
        let base = index * 5
        guard let local = attributes[base], let start = attributes[base + 3], let end = attributes[base + 4] else { continue }
        var attributeName = String(cString: local)
        if let attributePrefix = attributes[base + 1] { attributeName = String(cString: attributePrefix) + ":" + attributeName }
        state.builder.pointee.attribute(
          name: attributeName, namespaced: attributes[base + 2] != nil, value: SAXEvents.value(start, end, document: document))
      }
    }
    sax.pointee.endElementNs = { userData, _, _, _ in
      SAXEvents.target(userData)?.builder.pointee.endElement()
    }
    let characters: charactersSAXFunc = { userData, characters, length in
      guard let state = SAXEvents.target(userData), state.builder.pointee.wantsText, let characters, length > 0 else { return }
      state.builder.pointee.text(UnsafeBufferPointer(start: characters, count: Int(length)))
    }
    sax.pointee.characters = characters
    sax.pointee.ignorableWhitespace = characters
    sax.pointee.cdataBlock = characters
    sax.pointee.reference = { userData, name in
      guard let state = SAXEvents.target(userData), state.builder.pointee.wantsText, let name else { return }
      state.builder.pointee.entityReference(String(cString: name))
    }
    // A comment handler that does nothing, rather than none: without one libxml2 does not
    // collect a comment's text, and its errors about the comment then read differently from the
    // tree reader's ("Double hyphen within comment" without the text). Found by scripts/fuzz.
    sax.pointee.comment = { _, _ in }
    sax.pointee.processingInstruction = nil
  }

  /// The parse state of the document's own context; `nil` for the nested parsers libxml2 runs
  /// to check an entity's text (their content is not the document's).
  private static func target(_ userData: UnsafeMutableRawPointer?) -> XMLParser.ParseState? {
    guard let context = userData?.assumingMemoryBound(to: xmlParserCtxt.self), let box = context.pointee._private else {
      return nil
    }
    let state = Unmanaged<XMLParser.ParseState>.fromOpaque(box).takeUnretainedValue()
    return context == state.context ? state : nil
  }

  /// An attribute value as libxml2's tree holds it. A value libxml2 copied (it ends in NUL, not
  /// in its quote) may hold character and entity references; the tree builder decodes those
  /// with `xmlStringLenGetNodeList`, keeping references to declared entities as `&name;`.
  private static func value(_ start: UnsafePointer<xmlChar>, _ end: UnsafePointer<xmlChar>, document: xmlDocPtr?) -> String {
    let length = end - start
    guard end.pointee == 0 else {
      return String(decoding: UnsafeBufferPointer(start: start, count: length), as: UTF8.self)
    }
    guard let list = xmlStringLenGetNodeList(document, start, Int32(length)) else { return "" }
    defer { xmlFreeNodeList(list) }
    return XMLElement.text(of: list)
  }
}
