/// A compact, read-only element tree filled from libxml2's SAX events.
///
/// It holds only what the domain model reads (names, namespaces, lines, attributes and trimmed
/// text) in two flat arrays, so building it costs a fraction of libxml2's own tree: no node per
/// white-space run, no per-node allocation. ``Domain/parse(bytes:source:)`` uses it; documents
/// that will be edited keep libxml2's tree in ``DomainDocument``.
final class ElementTree {
  struct Node {
    /// The local name (`prefix:name` when the prefix is bound to no namespace, as libxml2 does).
    var name: String
    var prefix: String?
    var namespaceURI: String?
    var line: Int
    var attributes: Range<Int>
    var firstChild = -1
    var lastChild = -1
    var nextSibling = -1
    /// Text so far; trimmed when the element ends.
    var text = ""
    /// Whether `text` holds anything but white space yet.
    var hasContent = false
  }

  struct Attribute {
    /// `prefix:name` for a namespaced attribute, the local name otherwise.
    let name: String
    /// Whether the attribute is in a namespace (then ``ElementView/attribute(_:)`` skips it).
    let namespaced: Bool
    let value: String
  }

  let nodes: [Node]
  let attributes: [Attribute]

  init(_ builder: consuming Builder) {
    nodes = builder.nodes
    attributes = builder.attributes
  }

  /// The root element, once parsed.
  var root: Element? { nodes.isEmpty ? nil : Element(tree: self, index: 0) }

  /// Collects the tree from SAX events.
  struct Builder {
    fileprivate(set) var nodes: [Node] = []
    fileprivate(set) var attributes: [Attribute] = []
    /// The elements whose end tag has not come yet.
    private var open: [Int] = []

    init() {
      nodes.reserveCapacity(128)
      attributes.reserveCapacity(256)
      open.reserveCapacity(16)
    }

    /// How many elements are open: 0 before the root, 1 inside it.
    var depth: Int { open.count }

    /// Starts an element; its attributes follow through ``addAttribute(_:)``.
    mutating func startElement(name: String, prefix: String?, namespaceURI: String?, line: Int) {
      let index = nodes.count
      nodes.append(
        Node(name: name, prefix: prefix, namespaceURI: namespaceURI, line: line, attributes: attributes.count..<attributes.count))
      if let parent = open.last {
        let previous = nodes[parent].lastChild
        if previous >= 0 {
          nodes[previous].nextSibling = index
        } else {
          nodes[parent].firstChild = index
        }
        nodes[parent].lastChild = index
      }
      open.append(index)
    }

    /// An attribute of the element just started.
    mutating func addAttribute(_ attribute: Attribute) {
      attributes.append(attribute)
      let index = nodes.count - 1
      nodes[index].attributes = nodes[index].attributes.lowerBound..<attributes.count
    }

    /// Ends the innermost open element.
    mutating func endElement() {
      guard let index = open.popLast() else { return }
      nodes[index].text = nodes[index].hasContent ? nodes[index].text.trimmingXMLWhitespace() : ""
    }

    /// Text or CDATA inside the innermost open element.
    mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>) {
      guard let index = open.last, let last = bytes.last else { return }
      let blank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
      if blank && !nodes[index].hasContent {
        // Leading white space is trimmed anyway; only its last character can matter (a space
        // that a following combining mark joins), so runs of indentation never grow a string.
        nodes[index].text = String(Character(Unicode.Scalar(last)))
        return
      }
      nodes[index].hasContent = true
      nodes[index].text += String(decoding: bytes, as: UTF8.self)
    }

    /// An entity reference kept as written, `&name;`, inside the innermost open element.
    mutating func appendReference(_ name: String) {
      guard let index = open.last else { return }
      nodes[index].hasContent = true
      nodes[index].text += "&" + name + ";"
    }
  }

  /// One element of the tree.
  struct Element: ElementView {
    // Views live only while the model is read from their tree (``Domain/parse`` keeps it
    // alive), so they skip reference counting.
    let tree: ElementTree
    let index: Int

    // Fields are read one by one: copying a whole Node would retain all of its strings.
    var name: String { tree.nodes[index].name }
    var namespaceURI: String? { tree.nodes[index].namespaceURI }
    var qualifiedName: String { tree.nodes[index].prefix.map { $0 + ":" + name } ?? name }
    var line: Int { tree.nodes[index].line }
    var trimmedText: String { tree.nodes[index].text }
    var children: Children { Children(tree: tree, upcoming: tree.nodes[index].firstChild) }

    func forEachAttribute(_ body: (_ name: String, _ value: String) -> Void) {
      for index in tree.nodes[index].attributes { body(tree.attributes[index].name, tree.attributes[index].value) }
    }

    func attribute(_ name: String) -> String? {
      for index in tree.nodes[index].attributes where !tree.attributes[index].namespaced && tree.attributes[index].name == name {
        return tree.attributes[index].value
      }
      return nil
    }

    /// The element children, through the sibling links.
    struct Children: Sequence, IteratorProtocol {
      let tree: ElementTree
      var upcoming: Int

      mutating func next() -> Element? {
        guard upcoming >= 0 else { return nil }
        defer { upcoming = tree.nodes[upcoming].nextSibling }
        return Element(tree: tree, index: upcoming)
      }
    }
  }
}
