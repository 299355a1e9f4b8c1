internal import CLibXML2

/// The one funnel through which kvmpolicy hands bytes to libxml2.
///
/// Parses without network access (`XML_PARSE_NONET`), without entity substitution (no
/// `XML_PARSE_NOENT`) and without loading or validating a DTD (no `XML_PARSE_DTDLOAD`,
/// `XML_PARSE_DTDVALID`): libxml2 then never opens an external entity, so a hostile document can
/// neither read local files nor reach the network. (A process-wide "refuse everything" entity
/// loader is deliberately not installed: libvirt's in-process drivers load their RNG schemas
/// through the same libxml2.) Errors are captured from the parser context instead of printed.
enum XMLParser {
  /// The largest document read: 16 MiB.
  static let maximumDocumentSize = 16 << 20

  /// Parses `bytes` into a document the caller must free with `xmlFreeDoc`.
  static func parse(_ bytes: UnsafeRawBufferPointer, source: String) throws(DomainXMLError) -> xmlDocPtr {
    try read(bytes, source: source, streaming: false).document
  }

  /// Parses `bytes` through libxml2's SAX interface straight into a ``DomainBuilder``: the same
  /// parser, options and errors as ``parse(_:source:)``, without building libxml2's tree.
  static func parseDomain(_ bytes: UnsafeRawBufferPointer, source: String) throws(DomainXMLError) -> DomainBuilder {
    let state = try read(bytes, source: source, streaming: true)
    // The document libxml2 still makes holds only the DTD and its entities, no elements.
    xmlFreeDoc(state.document)
    return state.builder
  }

  /// The one parse: a fresh context, first-error capture, and either libxml2's tree builder or
  /// SAX handlers that fill the state's builder.
  private static func read(
    _ bytes: UnsafeRawBufferPointer, source: String, streaming: Bool
  ) throws(DomainXMLError) -> (document: xmlDocPtr, builder: DomainBuilder) {
    _ = libxmlInitialized
    // libvirt's own tools read at most 10 MiB of domain XML (virsh's VSH_MAX_XML_FILE); a
    // larger document is no domain libvirt made, and the hook must answer any input quickly.
    guard bytes.count <= maximumDocumentSize else {
      throw DomainXMLError(
        source: source, line: 0,
        message: "document is \(bytes.count) bytes, more than the \(maximumDocumentSize) a domain XML may have (libvirt's tools read at most 10 MiB)")
    }
    guard let context = xmlNewParserCtxt() else {
      throw DomainXMLError(source: source, line: 0, message: "out of memory creating an XML parser")
    }
    defer { xmlFreeParserCtxt(context) }
    // libxml2 keeps only the last error; the first one says what actually went wrong.
    let state = ParseState(context: context, builder: DomainBuilder(source: source))
    context.pointee._private = Unmanaged.passUnretained(state).toOpaque()
    context.pointee.sax.pointee.serror = { userData, error in
      guard let error, let context = userData?.assumingMemoryBound(to: xmlParserCtxt.self),
        let box = context.pointee._private
      else { return }
      let state = Unmanaged<ParseState>.fromOpaque(box).takeUnretainedValue()
      if state.error == nil, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue {
        var described = XMLParser.describe(error.pointee, source: "")
        // An error inside an entity's text comes from a nested parser counting the entity's
        // lines; name the document's line, where the main parser stands, instead.
        // (Nested parsers inherit `_private`, so `state.context` is the main one.)
        if context != state.context, let input = state.context.pointee.input {
          described = DomainXMLError(
            source: "", line: Int(input.pointee.line), column: Int(input.pointee.col), message: described.message)
        }
        state.error = described
      }
    }
    if streaming { SAXEvents.install(on: context) }
    let options = Int32(
      XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
        | XML_PARSE_BIG_LINES.rawValue)
    let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
    // libxml2 wants a non-NULL buffer even for an empty document.
    let empty: [CChar] = [0]
    let document = empty.withUnsafeBufferPointer { emptyBuffer in
      xmlCtxtReadMemory(context, base ?? emptyBuffer.baseAddress, Int32(bytes.count), nil, nil, options)
    }
    guard let document else {
      let error = state.error ?? describe(xmlCtxtGetLastError(context)?.pointee, source: "")
      throw DomainXMLError(source: source, line: error.line, column: error.column, message: error.message)
    }
    return (document, state.builder.pointee)
  }

  /// Parses XML text into a document the caller must free with `xmlFreeDoc`.
  static func parse(_ text: String, source: String) throws(DomainXMLError) -> xmlDocPtr {
    var text = text
    let parsed = text.withUTF8 { buffer in
      Result { () throws(DomainXMLError) in try parse(UnsafeRawBufferPointer(buffer), source: source) }
    }
    return try parsed.get()
  }

  private static func describe(_ error: xmlError?, source: String) -> DomainXMLError {
    guard let error else { return DomainXMLError(source: source, line: 0, message: "malformed XML") }
    let message = error.message.map { String(cString: $0).trimmingXMLWhitespace() } ?? ""
    return DomainXMLError(
      source: source, line: Int(error.line), column: Int(error.int2),
      message: message.isEmpty ? "malformed XML" : message)
  }

  /// What the callbacks of one parse share: the first error, and the tree SAX events fill.
  final class ParseState {
    // Copied at once: libxml2 frees an error's strings when it records the next one.
    var error: DomainXMLError?
    /// The document's own parser context (entity checks run nested parsers with other ones).
    let context: xmlParserCtxtPtr
    /// Where SAX events go (unused when libxml2 builds its tree). Behind a pointer: the
    /// callbacks change it a few hundred times per document, and through a class property every
    /// one of those accesses would be checked for exclusivity at run time.
    let builder: UnsafeMutablePointer<DomainBuilder>
    deinit {
      builder.deinitialize(count: 1)
      builder.deallocate()
    }
    init(context: xmlParserCtxtPtr, builder: DomainBuilder) {
      self.context = context
      self.builder = .allocate(capacity: 1)
      self.builder.initialize(to: builder)
    }
  }
}

/// One-time libxml2 set-up.
private let libxmlInitialized: Void = xmlInitParser()
