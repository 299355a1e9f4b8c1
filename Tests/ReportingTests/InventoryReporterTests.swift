import DomainModel
import Foundation
import Inventory
import Reporting
import Testing

/// Golden tests: reporters are pure, so a fixed inventory must render to exactly this text.
@Suite struct InventoryReporterTests {
  static let xml = """
    <domain type='kvm' id='3' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
      <name>web-01</name>
      <uuid>bc237b2d-c550-4ce3-afdc-9a5118478e0f</uuid>
      <devices>
        <disk type='file' device='disk'>
          <source file='/var/lib/libvirt/images/web.qcow2'/>
          <target dev='vda' bus='virtio'/>
          <alias name='virtio-disk0'/>
          <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
        </disk>
        <graphics type='vnc' port='5900' listen='127.0.0.1'/>
      </devices>
      <seclabel type='dynamic' model='dac' relabel='yes'><label>+64055:+64055</label></seclabel>
      <qemu:commandline><qemu:arg value='-s'/></qemu:commandline>
    </domain>
    """

  static func sources() throws -> [InventorySource] {
    let domain = try DomainDocument(xml: xml, source: "web.xml").domain
    let error = DomainXMLError(source: "broken.xml", line: 2, column: 5, message: "Premature end of data")
    return [
      InventorySource(
        kind: .libvirt, name: "qemu:///system", uri: "qemu:///system",
        securityModels: [HostCapabilities.SecurityModel(model: "dac", doi: "0", baselabels: [:])],
        domains: [
          InventoryDomain(
            name: "web-01", model: domain, state: .running, persistent: true,
            securityLabels: [ProcessLabel(label: "+64055:+64055", enforcing: false)]),
          InventoryDomain(name: "gone-01", model: nil, error: "Domain not found"),
        ]),
      InventorySource(kind: .file, name: "broken.xml", error: .xml(error)),
    ]
  }

  @Test func textIsStableAndGroupedBySource() throws {
    let text = InventoryTextReporter(showDevices: true).render(try Self.sources())
    #expect(
      text == """
        libvirt qemu:///system (security models: dac)
          gone-01
            error: Domain not found
          web-01  running  persistent  type kvm  uuid bc237b2d-c550-4ce3-afdc-9a5118478e0f
            seclabel: model dac, type dynamic, relabel yes, label +64055:+64055
            process label: +64055:+64055 (permissive)
            devices (2): disk 1, graphics 1
              disk type=file device=disk bus=virtio target=vda source=/var/lib/libvirt/images/web.qcow2 alias=virtio-disk0 [pci 0000:04:00.0]
              graphics type=vnc listen=127.0.0.1 port=5900
            qemu passthrough: 1 argument, 0 variables, 0 capability changes

        file broken.xml
          broken.xml:2:5: error: Premature end of data

        2 domains, 2 devices from 2 sources; 2 sources with errors

        """)
  }

  /// `Golden/inventory.json`; recorded (and the test failed) with `KVMPOLICY_UPDATE_GOLDEN=1`.
  @Test func jsonFollowsSchemaVersionOne() throws {
    let json = InventoryJSONReporter().render(try Self.sources())
    try GoldenFile.check(json, "inventory.json")
  }

  @Test func jsonEscapesStrings() {
    let value = JSONValue.object([("k\"ey", .string("a\\b\n\u{1}é"))])
    #expect(value.rendered() == "{\n  \"k\\\"ey\": \"a\\\\b\\n\\u0001é\"\n}\n")
  }
}
