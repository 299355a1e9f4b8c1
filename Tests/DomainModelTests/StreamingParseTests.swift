import DomainModel
import Foundation
import Testing

/// `Domain.parse` (libxml2's SAX events into the builder) must read every document exactly as
/// `DomainDocument` (a walk over libxml2's own tree into the same builder) does: the same
/// model, or the same error.
@Suite struct StreamingParseTests {
  /// Every XML file of the fixtures: domains, malformed ones, guests and captured hook input.
  static let files: [URL] = {
    var files = ["domains", "malformed", "guests"].flatMap { Fixtures.files(in: $0) }
    let captured = Fixtures.root.appendingPathComponent("hook/captured")
    if let walker = FileManager.default.enumerator(atPath: captured.path) {
      for case let path as String in walker where path.hasSuffix(".xml") {
        files.append(captured.appendingPathComponent(path))
      }
    }
    return files
  }()

  /// Documents that exercise what the two builders must agree on beyond the fixtures.
  static let edgeCases: [(name: String, xml: String)] = [
    ("entity and character references in attributes", """
      <!DOCTYPE domain [<!ENTITY team "ops">]>
      <domain type='kvm'><name>a&amp;b</name><devices>
      <disk type='file' device='disk'><source file='/x/&team;/&#38;&lt;&#x41;.img'/><target dev='vda' bus='vi&#x72;tio'/></disk>
      </devices></domain>
      """),
    ("entity reference, CDATA, comment and PI in text", """
      <!DOCTYPE domain [<!ENTITY who "ops-team">]>
      <domain type='kvm'><name>  n<!-- c --><?pi x?>ame </name><description>by &who; <![CDATA[<raw>]]> end</description>
      <devices><emulator>
        /usr/bin/<![CDATA[qemu]]>-system-x86_64
      </emulator><serial type='pty'><target port='0'/>text &who; <alias name='serial0'/> tail</serial></devices></domain>
      """),
    ("namespaces: bound, unbound and metadata", """
      <domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>ns</name>
      <metadata><kvmpolicy:tag xmlns:kvmpolicy='urn:kvmpolicy:metadata:1'> gpu </kvmpolicy:tag><other:tag xmlns:other='urn:x'>no</other:tag></metadata>
      <devices><interface type='network' xmlns:x='urn:x' x:extra='1' y:loose='2'><x:model type='virtio'/><y:thing/><model type='e1000'/></interface></devices>
      <qemu:commandline><qemu:arg value='-device'/><qemu:env name='A' value='&#x42;'/><qemu:other/></qemu:commandline>
      <qemu:capabilities><qemu:add capability='x'/><qemu:del capability='y'/></qemu:capabilities></domain>
      """),
    ("DTD default attributes are not in the tree", """
      <!DOCTYPE domain [<!ATTLIST disk cache CDATA "none">]>
      <domain type='kvm'><name>d</name><devices><disk type='file'><target dev='vda'/></disk></devices></domain>
      """),
    ("white space, CRLF and a combining mark after a space", "<domain type='kvm'>\r\n<name>\r\n\t x \r\n</name><devices>\r\n  <channel type='unix'>\r\n <target type='virtio' name='a'/>  \r\n</channel><hub type='usb'> \u{301}x</hub>\n  </devices><seclabel type='dynamic' model='selinux' relabel='yes'>\n <label> system_u:system_r:svirt_t:s0:c1,c2 </label>\n</seclabel></domain>"),
    ("attribute values normalised by the parser", "<domain type='kvm'><name>w</name><devices><disk type='file' device='a\tb\nc'><source file='x&#10;y'/></disk></devices></domain>"),
    ("no name", "<domain type='kvm'><devices/></domain>"),
    ("not a domain", "<network><name>n</name></network>"),
    // Found by scripts/fuzz domain-xml: libxml2 words comment errors by whether comments are kept.
    ("double hyphen in a comment", "<domain type='kvm'><!-- a -- b --><name>n</name></domain>"),
  ]

  private static func agree(_ bytes: [UInt8], source: String) {
    let tree = bytes.withUnsafeBytes { buffer in
      Result { () throws(DomainXMLError) in try DomainDocument(bytes: buffer, source: source).domain }
    }
    let streamed = bytes.withUnsafeBytes { buffer in
      Result { () throws(DomainXMLError) in try Domain.parse(bytes: buffer, source: source) }
    }
    switch (tree, streamed) {
    case (.success(let expected), .success(let actual)):
      #expect(actual == expected, "\(source): the streamed model differs")
      #expect(actual.devices.map(\.properties) == expected.devices.map(\.properties))
    case (.failure(let expected), .failure(let actual)):
      #expect(actual == expected, "\(source): the errors differ")
    default:
      Issue.record("\(source): tree gave \(tree), stream gave \(streamed)")
    }
  }

  @Test(arguments: files)
  func fixtureReadsTheSameEitherWay(file: URL) throws {
    Self.agree(Array(try Data(contentsOf: file)), source: file.path)
  }

  @Test(arguments: edgeCases.indices)
  func edgeCaseReadsTheSameEitherWay(index: Int) {
    let (name, xml) = Self.edgeCases[index]
    Self.agree(Array(xml.utf8), source: name)
  }

  @Test func referencesInAttributesAreDecodedLikeLibxml2sTree() throws {
    let domain = try Domain.parse(xml: Self.edgeCases[0].xml, source: "t")
    #expect(domain.name == "a&b")
    #expect(domain.devices[0].value(at: "source/@file") == "/x/&team;/&<A.img")
    #expect(domain.devices[0].attribute("bus") == ["virtio"])
  }

  @Test func textKeepsEntityReferencesAndCDATA() throws {
    let domain = try Domain.parse(xml: Self.edgeCases[1].xml, source: "t")
    #expect(domain.name == "name")
    #expect(domain.devices[0].value(at: "text()") == "/usr/bin/qemu-system-x86_64")
    #expect(domain.devices[1].value(at: "text()") == "text &who;  tail")
  }

  @Test func everyGeneratedFleetDomainReadsTheSameEitherWay() throws {
    let fleet = try String(contentsOf: Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("scripts/fleet/demo.xml"), encoding: .utf8)
    var count = 0
    var rest = fleet[...]
    while let start = rest.range(of: "<domain "), let end = rest.range(of: "</domain>", range: start.upperBound..<rest.endIndex) {
      Self.agree(Array(rest[start.lowerBound..<end.upperBound].utf8), source: "demo.xml #\(count)")
      count += 1
      rest = rest[end.upperBound...]
    }
    #expect(count >= 5)
  }
}

/// Input is bounded: a document larger than any libvirt makes is refused at once, by both readers.
@Suite struct DocumentSizeTests {
  @Test func aDocumentOver16MiBIsRefusedByBothReaders() {
    let bytes = Array("<domain type='kvm'><name>n</name><description>".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 16 << 20)
      + Array("</description><devices/></domain>".utf8)
    let expected = "big.xml: error: document is \(bytes.count) bytes, more than the 16777216 a domain XML may have (libvirt's tools read at most 10 MiB)"
    bytes.withUnsafeBytes { buffer in
      #expect(throws: DomainXMLError.self) { try Domain.parse(bytes: buffer, source: "big.xml") }
      #expect((try? Domain.parse(bytes: buffer, source: "big.xml")) == nil)
      do {
        _ = try DomainDocument(bytes: buffer, source: "big.xml")
        Issue.record("the tree reader read it")
      } catch {
        #expect("\(error)" == expected)
      }
    }
  }
}

/// `<os>` files are read by both readers; the rest of `<os>` is still skipped.
@Suite struct BootFileTests {
  static let xml = """
    <domain type='kvm'><name>direct</name>
      <os>
        <type arch='x86_64' machine='pc'>hvm</type>
        <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>
        <nvram template='/usr/share/OVMF/OVMF_VARS.fd'>/var/lib/libvirt/qemu/nvram/direct_VARS.fd</nvram>
        <kernel>/var/lib/libvirt/boot/vmlinuz</kernel>
        <initrd>/var/lib/libvirt/boot/initrd.img</initrd>
        <cmdline>console=ttyS0</cmdline>
        <boot dev='hd'/>
      </os>
      <devices/>
    </domain>
    """

  @Test func bothReadersListTheFilesOSNames() throws {
    let streamed = try Domain.parse(xml: Self.xml, source: "t")
    let tree = try DomainDocument(xml: Self.xml, source: "t").domain
    #expect(streamed == tree)
    #expect(streamed.bootFiles.map { "\($0.element)=\($0.path)" } == [
      "loader=/usr/share/OVMF/OVMF_CODE.fd", "nvram-template=/usr/share/OVMF/OVMF_VARS.fd",
      "nvram=/var/lib/libvirt/qemu/nvram/direct_VARS.fd", "kernel=/var/lib/libvirt/boot/vmlinuz",
      "initrd=/var/lib/libvirt/boot/initrd.img",
    ])
    #expect(streamed.bootFiles.first?.line == 4)
  }
}
