import DomainModel
import Foundation
import Testing

/// Realistic domain XML, one file per device class, each opening with a comment that states how
/// many element children `<devices>` has, per class:
/// `<!-- fixture: ... <devices> has 8 element children (emulator=1, disk=5, controller=2). -->`.
enum Fixtures {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  static func files(in folder: String) -> [URL] {
    let directory = root.appendingPathComponent(folder)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasSuffix(".xml") }.sorted().map { directory.appendingPathComponent($0) }
  }

  static func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

  /// The per-class counts the fixture's first comment promises.
  static func promisedCounts(_ text: String) -> (total: Int, perClass: [String: Int])? {
    guard let open = text.range(of: "<devices> has "), let close = text.range(of: ")", range: open.upperBound..<text.endIndex)
    else { return nil }
    let statement = text[open.upperBound..<close.upperBound]
    guard let total = Int(statement.prefix { $0.isNumber }),
      let parenthesis = statement.firstIndex(of: "(")
    else { return nil }
    var perClass: [String: Int] = [:]
    for pair in statement[statement.index(after: parenthesis)...].dropLast().split(separator: ",") {
      let parts = pair.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
      if parts.count == 2, let count = Int(parts[1]) { perClass[parts[0], default: 0] += count }
    }
    return (total, perClass)
  }
}

@Suite struct FixtureTests {
  static let domainFiles = Fixtures.files(in: "domains")

  @Test func thereIsAFixtureForEveryKnownClass() throws {
    var seen = Set<DeviceClass>()
    for file in Self.domainFiles {
      seen.formUnion(try DomainDocument(xml: Fixtures.text(file), source: file.path).domain.devices.map(\.deviceClass))
    }
    let missing = DeviceClass.known.filter { !seen.contains($0) }
    // crypto (virtio-crypto, rare) is covered by an inline test instead.
    #expect(missing.map(\.name) == ["crypto"])
  }

  @Test(arguments: domainFiles)
  func countsExactlyTheDevicesTheFixturePromises(file: URL) throws {
    let text = try Fixtures.text(file)
    let promise = try #require(Fixtures.promisedCounts(text), "\(file.lastPathComponent) states no device count")
    let domain = try DomainDocument(xml: text, source: file.path).domain
    #expect(domain.devices.count == promise.total)
    if !promise.perClass.isEmpty {
      let counts = Dictionary(uniqueKeysWithValues: domain.deviceCounts.map { ($0.deviceClass.name, $0.count) })
      #expect(counts == promise.perClass)
    }
    #expect(domain.devices.filter { !$0.deviceClass.isKnown }.isEmpty)
  }

  @Test func xxeFixtureKeepsTheEntityReferenceInTheName() throws {
    let file = Fixtures.root.appendingPathComponent("malformed/xxe-file.xml")
    let domain = try DomainDocument(xml: Fixtures.text(file), source: file.path).domain
    #expect(domain.name.contains("&xxe;"))
  }

  @Test func cryptoDevicesAreTyped() throws {
    let xml = "<domain type='kvm'><name>c</name><devices><crypto model='virtio' type='qemu'><backend model='builtin' queues='1'/></crypto></devices></domain>"
    let device = try DomainDocument(xml: xml, source: "x").domain.devices[0]
    #expect(device.deviceClass == .crypto)
    #expect(device.attribute("backend") == ["builtin"])
  }

  @Test func liveXMLHasAliasesAndBothSeclabels() throws {
    let file = Fixtures.root.appendingPathComponent("domains/live-running.xml")
    let domain = try DomainDocument(xml: Fixtures.text(file), source: file.path).domain
    #expect(domain.id != nil)
    // libvirt assigns no alias to the emulator, graphics and audio.
    let unaliased = domain.devices.filter { $0.alias == nil }.map(\.deviceClass)
    #expect(unaliased == [.emulator, .graphics, .audio])
    #expect(domain.seclabels.map(\.model) == ["selinux", "dac"])
    #expect(domain.seclabels[0].label == "system_u:system_r:svirt_t:s0:c123,c456")
  }

  @Test func qemuCommandlineFixtureIsSurfaced() throws {
    let file = Fixtures.root.appendingPathComponent("domains/qemu-commandline.xml")
    let passthrough = try DomainDocument(xml: Fixtures.text(file), source: file.path).domain.qemuPassthrough
    #expect(!passthrough.arguments.isEmpty)
    #expect(!passthrough.environment.isEmpty)
    #expect(!passthrough.addedCapabilities.isEmpty)
    #expect(!passthrough.removedCapabilities.isEmpty)
  }

  /// `Tests/Fixtures/malformed/EXPECTED.tsv`: file, ok|error, line, note.
  static let malformedCases: [(file: String, ok: Bool, line: Int?)] = {
    let url = Fixtures.root.appendingPathComponent("malformed/EXPECTED.tsv")
    let lines = ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
    return lines.map { line in
      let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      return (columns[0], columns[1] == "ok", Int(columns[2]))
    }
  }()

  @Test func everyMalformedFixtureHasAnExpectation() {
    let listed = Set(Self.malformedCases.map(\.file))
    let present = Set(Fixtures.files(in: "malformed").map(\.lastPathComponent))
    #expect(listed == present)
    #expect(listed.count >= 10)
  }

  @Test(arguments: malformedCases.map(\.file))
  func malformedInputIsAClearErrorOrParsesSafely(file: String) throws {
    let expectation = try #require(Self.malformedCases.first { $0.file == file })
    let url = Fixtures.root.appendingPathComponent("malformed").appendingPathComponent(file)
    let data = try Data(contentsOf: url)
    let result = data.withUnsafeBytes { bytes in
      Result { () throws(DomainXMLError) in try DomainDocument(bytes: bytes, source: url.path) }
    }
    switch (result, expectation.ok) {
    case (.success(let document), true):
      // No entity is ever expanded: every reference in the input survives as written.
      let text = String(decoding: data, as: UTF8.self)
      let predefined: Set<String> = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
      let references = Set(text.matches(of: /&[A-Za-z_][A-Za-z0-9_.-]*;/).map { String($0.output) })
        .subtracting(predefined)
      for reference in references {
        #expect(document.serialized().contains(reference), "\(reference) was expanded")
      }
    case (.failure(let error), false):
      #expect(error.source == url.path)
      #expect(error.line == expectation.line)
      #expect(!error.message.isEmpty)
    case (.success, false):
      Issue.record("\(file) parsed but should have failed")
    case (.failure(let error), true):
      Issue.record("\(file) failed but should parse: \(error)")
    }
  }
}
