/// Builds a ``Domain`` from the elements of a domain document as they come, in document order.
///
/// The one reader of domain XML: libxml2's SAX events feed it for ``Domain/parse(bytes:source:)``
/// and a walk over libxml2's tree feeds it for ``DomainDocument``, so both give the same model.
/// Subtrees the model never reads (`<cpu>`, `<features>`, ...) are skipped without reading their
/// names, attributes or text, and no intermediate tree is built; of `<os>` only the elements that
/// name files are read.
struct DomainBuilder {
  /// What an open element is to the model.
  private enum Role {
    case root
    case name, uuid
    case seclabel, seclabelField(Seclabel.Field)
    case metadata, metadataTag
    case devices
    /// A child of `<devices>`, or an element below one.
    case device, deviceDescendant(property: Int)
    case passthrough, passthroughChild
    /// `<os>`, and one of its children that names a file (``BootFile/elements``).
    case os, bootFile
    /// Read for nothing (its subtree is still walked, e.g. `<seclabel><other/>`).
    case ignored
  }

  private struct Frame {
    let role: Role
    /// The local name, kept only where it is read when the element ends (QEMU passthrough).
    var name = ""
    /// The property path of a device descendant (`target`, `source/address`).
    var path = ""
    /// `path/@`, the start of its attributes' paths.
    var attributePrefix = "@"
    var text = TextAccumulator()
    /// Attributes kept for roles that read them when they end.
    var attributes: [(name: String, value: String)] = []
    var mark = Mark.none
  }

  /// A device being read.
  private struct DeviceDraft {
    let index: Int
    let deviceClass: DeviceClass
    let line: Int
    var properties: [Device.Property] = []
    var alias: String?
    var sawAlias = false
    var address: DeviceAddress?
    var sawAddress = false
  }

  /// What a device descendant is besides properties.
  private enum Mark { case none, firstAlias, firstAddress }

  private let source: String
  private var frames: [Frame] = []
  /// Open elements inside a skipped subtree.
  private var skipped = 0
  private var sawRoot = false
  private var rootError: DomainXMLError?
  private var rootLine = 0

  private var name: String?
  private var uuid: String?
  private var type: String?
  private var id: String?
  private var seclabels: [Seclabel] = []
  private var seclabelDraft = Seclabel.Draft()
  private var devices: [Device] = []
  private var device: DeviceDraft?
  private var passthrough = QEMUPassthrough()
  private var passthroughKind = ""
  private var tags: [String] = []
  private var bootFiles: [BootFile] = []

  init(source: String) {
    self.source = source
    frames.reserveCapacity(16)
  }

  /// Whether the current element's attributes and text are read at all (callers can skip
  /// decoding them when not).
  var isSkipping: Bool { skipped > 0 || rootError != nil }

  /// The innermost open element's role (read in place: copying a frame would retain its strings).
  private var innermostRole: Role? { frames.isEmpty ? nil : frames[frames.count - 1].role }

  /// Whether text inside the innermost open element is read.
  var wantsText: Bool {
    guard skipped == 0, let role = innermostRole else { return false }
    switch role {
    case .name, .uuid, .seclabelField, .metadataTag, .device, .deviceDescendant, .bootFile: return true
    default: return false
    }
  }

  // MARK: Events

  /// An element starts. `name` is its local name (`prefix:name` when the prefix is bound to
  /// no namespace, as libxml2 reads it); `prefix` is a bound prefix.
  mutating func startElement(name: String, prefix: String?, namespaceURI: String?, line: Int) {
    if isSkipping {
      skipped += 1
      return
    }
    let depth = frames.count
    let role: Role
    switch (depth, innermostRole) {
    case (0, _):
      sawRoot = true
      rootLine = line
      guard name == "domain", namespaceURI == nil else {
        rootError = DomainXMLError(
          source: source, line: line, column: 1,
          message: "root element is <\(prefix.map { $0 + ":" + name } ?? name)>, expected a libvirt <domain>")
        return
      }
      role = .root
    case (1, _):
      role = Self.topLevelRole(name: name, namespaceURI: namespaceURI)
      if case .ignored = role {
        skipped = 1
        return
      }
      if case .passthrough = role {
        if passthrough.line == 0 { passthrough.line = line }
        passthroughKind = name
        switch name {
        case "commandline", "capabilities", "override": break
        default: passthrough.otherElements.append(name)
        }
      }
      if case .seclabel = role { seclabelDraft = Seclabel.Draft(line: line) }
    case (_, .seclabel?):
      role = namespaceURI == nil ? Seclabel.Field(rawValue: name).map { .seclabelField($0) } ?? .ignored : .ignored
    case (_, .metadata?):
      role = namespaceURI == Domain.metadataNamespace && name == "tag" ? .metadataTag : .ignored
    case (_, .passthrough?):
      role = namespaceURI == QEMUPassthrough.namespace ? .passthroughChild : .ignored
    case (_, .os?):
      guard namespaceURI == nil, BootFile.elements.contains(name) else {
        skipped = 1
        return
      }
      var frame = Frame(role: .bootFile)
      frame.name = name
      frame.path = String(line)
      frames.append(frame)
      return
    case (_, .devices?):
      let qualified = prefix.map { $0 + ":" + name } ?? name
      device = DeviceDraft(index: devices.count, deviceClass: DeviceClass(elementName: qualified), line: line)
      role = .device
    case (_, .device?), (_, .deviceDescendant?):
      let qualified = prefix.map { $0 + ":" + name } ?? name
      let parentPath = frames[depth - 1].path
      let path = parentPath.isEmpty ? qualified : parentPath + "/" + qualified
      let index = device!.properties.count
      device!.properties.append(Device.Property(path: path, value: ""))
      var frame = Frame(role: .deviceDescendant(property: index), path: path, attributePrefix: path + "/@")
      // The device's first <alias> and <address> children (in no namespace) name and place it.
      if case .device? = innermostRole, namespaceURI == nil {
        if name == "alias" && !device!.sawAlias {
          device!.sawAlias = true
          frame.mark = .firstAlias
        } else if name == "address" && !device!.sawAddress {
          device!.sawAddress = true
          frame.mark = .firstAddress
        }
      }
      frames.append(frame)
      return
    default:
      role = .ignored
    }
    var frame = Frame(role: role)
    if case .passthroughChild = role { frame.name = name }
    frames.append(frame)
  }

  /// An attribute of the element just started (`prefix:name` when namespaced; `namespaced`
  /// is false for a prefix bound to no namespace, as libxml2 reads it).
  mutating func attribute(name: String, namespaced: Bool, value: String) {
    guard !isSkipping, let index = frames.indices.last else { return }
    switch frames[index].role {
    case .root:
      // A namespaced attribute's name has its prefix, so `type` and `id` are in no namespace.
      if name == "type" && type == nil { type = value }
      if name == "id" && id == nil { id = value }
    case .seclabel:
      guard !namespaced else { return }
      seclabelDraft.attribute(name, value)
    case .passthroughChild:
      if !namespaced { frames[index].attributes.append((name, value)) }
    case .bootFile:
      // <nvram template='...'>: the file libvirt copies to make the VM's own.
      if !namespaced && name == "template" { frames[index].attributes.append((name, value)) }
    case .device:
      device!.properties.append(Device.Property(path: "@" + name, value: value))
    case .deviceDescendant:
      device!.properties.append(Device.Property(path: frames[index].attributePrefix + name, value: value))
      switch frames[index].mark {
      case .firstAlias: if name == "name" && device!.alias == nil { device!.alias = value }
      case .firstAddress: frames[index].attributes.append((name, value))
      case .none: break
      }
    default:
      break
    }
  }

  /// Text or CDATA inside the innermost open element.
  mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard wantsText else { return }
    frames[frames.count - 1].text.append(bytes)
  }

  /// An entity reference inside the innermost open element, kept as written (`&name;`).
  mutating func entityReference(_ name: String) {
    guard wantsText else { return }
    frames[frames.count - 1].text.append("&" + name + ";")
  }

  /// The innermost open element ends.
  mutating func endElement() {
    if skipped > 0 {
      skipped -= 1
      return
    }
    guard rootError == nil, let frame = frames.popLast() else { return }
    switch frame.role {
    case .name: name = frame.text.trimmed
    case .uuid: uuid = frame.text.trimmed
    case .seclabelField(let field): seclabelDraft.set(field, frame.text.trimmed)
    case .seclabel: seclabels.append(seclabelDraft.seclabel)
    case .metadataTag: tags.append(frame.text.trimmed)
    case .passthroughChild: passthrough.add(child: frame.name, attributes: frame.attributes, of: passthroughKind)
    case .bootFile:
      let line = Int(frame.path) ?? 0
      for (_, template) in frame.attributes where !template.isEmpty {
        bootFiles.append(BootFile(element: "nvram-template", path: template, line: line))
      }
      let path = frame.text.trimmed
      if !path.isEmpty { bootFiles.append(BootFile(element: frame.name, path: path, line: line)) }
    case .deviceDescendant(let property):
      if frame.mark == .firstAddress {
        device!.address = DeviceAddress(
          type: frame.attributes.first { $0.name == "type" }?.value ?? "",
          attributes: frame.attributes.filter { $0.name != "type" })
      }
      let text = frame.text.trimmed
      if !text.isEmpty {
        let path = device!.properties[property].path
        device!.properties[property] = Device.Property(path: path, value: text)
      }
    case .device:
      guard var draft = device.take() else { return }
      let text = frame.text.trimmed
      if !text.isEmpty { draft.properties.insert(Device.Property(path: "text()", value: text), at: 0) }
      devices.append(
        Device(
          index: draft.index, deviceClass: draft.deviceClass, line: draft.line, alias: draft.alias, address: draft.address,
          properties: draft.properties))
    default:
      break
    }
  }

  /// The domain, once the document ended.
  consuming func finish() throws(DomainXMLError) -> Domain {
    if let rootError { throw rootError }
    guard sawRoot else { throw DomainXMLError(source: source, line: 1, message: "document has no root element") }
    guard let name, !name.isEmpty else {
      throw DomainXMLError(source: source, line: rootLine, column: 1, message: "<domain> has no <name>")
    }
    return Domain(
      name: name, uuid: uuid, type: type, id: id.flatMap { Int($0) }, seclabels: seclabels, devices: devices,
      qemuPassthrough: passthrough, tags: tags, bootFiles: bootFiles)
  }

  /// What a child of `<domain>` is to the model; `.ignored` ones are skipped whole.
  private static func topLevelRole(name: String, namespaceURI: String?) -> Role {
    guard let namespaceURI else {
      switch name {
      case "name": return .name
      case "uuid": return .uuid
      case "seclabel": return .seclabel
      case "metadata": return .metadata
      case "devices": return .devices
      case "os": return .os
      default: return .ignored
      }
    }
    return namespaceURI == QEMUPassthrough.namespace ? .passthrough : .ignored
  }
}

/// The text of one element as it comes in pieces, kept trimmed-ready: leading white space is
/// not accumulated (only its last character, which a following combining mark would join).
struct TextAccumulator {
  private var text = ""
  private var hasContent = false
  /// The last character of the leading white space so far (0: none).
  private var pendingBlank: UInt8 = 0

  mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let last = bytes.last else { return }
    if !hasContent && bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
      pendingBlank = last
      return
    }
    startContent()
    text += String(decoding: bytes, as: UTF8.self)
  }

  mutating func append(_ piece: String) {
    startContent()
    text += piece
  }

  private mutating func startContent() {
    guard !hasContent else { return }
    hasContent = true
    if pendingBlank != 0 { text = String(Character(Unicode.Scalar(pendingBlank))) }
  }

  /// The text without leading and trailing XML white space.
  var trimmed: String { hasContent ? text.trimmingXMLWhitespace() : "" }
}
