import DomainModel
import Foundation
import Testing

@Suite struct DomainEditingTests {
  /// libvirt's single-quoted attributes come back double-quoted; nothing else may change.
  private func normalised(_ xml: String) -> String {
    xml.replacingOccurrences(of: "'", with: "\"").trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test func removingADeviceChangesNothingElse() throws {
    let document = try DomainDocument(xml: testDefaultXML, source: "test.xml")
    try document.removeDevices(at: [1])
    #expect(document.domain.devices.map(\.deviceClass) == [.disk, .memballoon])
    #expect(document.domain.devices.map(\.index) == [0, 1])

    var expectedLines = testDefaultXML.split(separator: "\n", omittingEmptySubsequences: false)
    let start = expectedLines.firstIndex { $0.contains("<interface") }!
    let end = expectedLines.firstIndex { $0.contains("</interface>") }!
    expectedLines.removeSubrange(start...end)
    #expect(normalised(document.serialized()) == normalised(expectedLines.joined(separator: "\n")))
  }

  @Test func removingSeveralDevicesAtOnceUsesTheOriginalIndices() throws {
    let document = try DomainDocument(xml: testDefaultXML, source: "test.xml")
    try document.removeDevices(at: [0, 2])
    #expect(document.domain.devices.map(\.deviceClass) == [.interface])
    let reparsed = try DomainDocument(xml: document.serialized(), source: "again")
    #expect(reparsed.domain.devices.map(\.properties) == document.domain.devices.map(\.properties))
  }

  @Test func removingAnIndexThatDoesNotExistFailsAndChangesNothing() throws {
    let document = try DomainDocument(xml: testDefaultXML, source: "test.xml")
    let before = document.serialized()
    #expect(throws: DomainXMLError.self) { try document.removeDevices(at: [0, 9]) }
    #expect(document.serialized() == before)
  }

  @Test func settingAnAttributeCreatesMissingElements() throws {
    let document = try DomainDocument(xml: testDefaultXML, source: "test.xml")
    try document.setAttribute("type", to: "virtio", onDeviceAt: 1, path: ["model"])
    #expect(document.domain.devices[1].attribute("model") == ["virtio"])
    try document.setAttribute("bus", to: "scsi", onDeviceAt: 0, path: ["target"])
    #expect(document.domain.devices[0].attribute("bus") == ["scsi"])
    #expect(document.domain.devices[0].value(at: "target/@dev") == "vda")
    let reparsed = try DomainDocument(xml: document.serialized(), source: "again").domain
    #expect(reparsed.devices[1].attribute("model") == ["virtio"])
  }

  @Test func attributeValuesAreEscapedOnOutput() throws {
    let document = try DomainDocument(xml: testDefaultXML, source: "test.xml")
    try document.setAttribute("file", to: "/a&b<c>'\"", onDeviceAt: 0, path: ["source"])
    let reparsed = try DomainDocument(xml: document.serialized(), source: "again").domain
    #expect(reparsed.devices[0].attribute("source") == ["/a&b<c>'\""])
  }

  @Test func serialisationHasNoXMLDeclaration() throws {
    let xml = try DomainDocument(xml: testDefaultXML, source: "test.xml").serialized()
    #expect(xml.hasPrefix("<domain type=\"test\" id=\"1\">"))
  }
}
