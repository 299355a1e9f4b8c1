/// What the domain model reads from an XML element, whichever parse produced it.
///
/// Two parses feed one model: ``DomainDocument`` keeps libxml2's tree so it can be edited
/// (``XMLElement``), and ``Domain/parse(bytes:source:)`` streams libxml2's SAX events into a
/// compact ``ElementTree`` (``ElementTree/Element``) when nothing will be edited. The builders in
/// `Domain.swift` are written once against this protocol, so both give the same ``Domain``.
protocol ElementView {
  associatedtype Children: Sequence where Children.Element == Self

  /// The local name, without a namespace prefix.
  var name: String { get }
  /// The namespace URI, or `nil` for elements in no namespace.
  var namespaceURI: String? { get }
  /// The name as written: `prefix:name` for namespaced elements.
  var qualifiedName: String { get }
  /// The 1-based source line of the start tag.
  var line: Int { get }
  /// Element children in document order (text, comments, CDATA and PIs are skipped).
  var children: Children { get }
  /// Calls `body` with each attribute in document order (`prefix:name` for namespaced ones),
  /// entities not expanded.
  func forEachAttribute(_ body: (_ name: String, _ value: String) -> Void)
  /// The value of an attribute in no namespace, or `nil` when absent.
  func attribute(_ name: String) -> String?
  /// The concatenated text and CDATA of the direct children, without leading and trailing
  /// white space; entity references stay `&name;`.
  var trimmedText: String { get }
}

extension ElementView {
  /// Attributes in document order (`prefix:name` for namespaced ones), entities not expanded.
  var attributes: [(name: String, value: String)] {
    var result: [(name: String, value: String)] = []
    forEachAttribute { result.append(($0, $1)) }
    return result
  }

  /// The first element child with this local name in no namespace.
  func child(_ name: String) -> Self? {
    children.first { $0.namespaceURI == nil && $0.name == name }
  }
}
