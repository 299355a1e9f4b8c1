import DomainModel
import Testing

/// The domain `test:///default` serves, as `virsh dumpxml test` prints it (libvirt 9.0).
let testDefaultXML = """
  <domain type='test' id='1'>
    <name>test</name>
    <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
    <memory unit='KiB'>8388608</memory>
    <os>
      <type arch='i686'>hvm</type>
    </os>
    <devices>
      <disk type='file' device='disk'>
        <source file='/guest/diskimage1'/>
        <target dev='vda' bus='virtio'/>
        <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
      </disk>
      <interface type='network'>
        <mac address='aa:bb:cc:dd:ee:ff'/>
        <source network='default'/>
        <target dev='testnet0'/>
        <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>
      </interface>
      <memballoon model='virtio'>
        <alias name='balloon0'/>
        <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
      </memballoon>
    </devices>
  </domain>
  """

@Suite struct DomainDocumentTests {
  @Test func readsIdentityAndDevicesOfTheTestDriverDomain() throws {
    let domain = try DomainDocument(xml: testDefaultXML, source: "test.xml").domain
    #expect(domain.name == "test")
    #expect(domain.uuid == "6695eb01-f6a4-8304-79aa-97f2502e193f")
    #expect(domain.type == "test")
    #expect(domain.id == 1)
    #expect(domain.devices.map(\.deviceClass) == [.disk, .interface, .memballoon])
    #expect(domain.devices.map(\.index) == [0, 1, 2])
    #expect(domain.devices.map(\.line) == [9, 14, 20])

    let disk = domain.devices[0]
    #expect(disk.attribute("bus") == ["virtio"])
    #expect(disk.attribute("source") == ["/guest/diskimage1"])
    #expect(disk.attribute("device") == ["disk"])
    #expect(disk.attribute("readonly") == ["no"])
    #expect(disk.value(at: "target/@dev") == "vda")
    #expect(disk.address?.type == "pci")
    #expect(disk.address?.description == "pci 0000:01:00.0")
    #expect(disk.alias == nil)

    let interface = domain.devices[1]
    #expect(interface.attribute("type") == ["network"])
    #expect(interface.attribute("source") == ["default"])
    #expect(interface.attribute("mac") == ["aa:bb:cc:dd:ee:ff"])
    #expect(interface.attribute("model") == [])

    let balloon = domain.devices[2]
    #expect(balloon.alias == "balloon0")
    #expect(balloon.attribute("model") == ["virtio"])
    #expect(domain.deviceCounts.map { "\($0.deviceClass)=\($0.count)" } == ["disk=1", "interface=1", "memballoon=1"])
  }

  @Test func flattensAttributesAndElementTextIntoPaths() throws {
    let xml = """
      <domain type='kvm'><name>d</name><devices>
        <disk type='file' device='cdrom'>
          <driver name='qemu' type='raw'/>
          <source file='/iso/debian.iso'/>
          <target dev='sda' bus='sata'/>
          <readonly/>
          <serial>  SN-1  </serial>
        </disk>
      </devices></domain>
      """
    let disk = try DomainDocument(xml: xml, source: "x").domain.devices[0]
    #expect(
      disk.properties.map { "\($0.path)=\($0.value)" } == [
        "@type=file", "@device=cdrom", "driver=", "driver/@name=qemu", "driver/@type=raw", "source=",
        "source/@file=/iso/debian.iso", "target=", "target/@dev=sda", "target/@bus=sata", "readonly=",
        "serial=SN-1",
      ])
    #expect(disk.attribute("readonly") == ["yes"])
    #expect(disk.attribute("format") == ["raw"])
    #expect(disk.kind == "file")
    #expect(disk.has("readonly"))
    #expect(!disk.has("shareable"))
  }

  @Test func graphicsListenCombinesTheAttributeAndListenElements() throws {
    let xml = """
      <domain type='kvm'><name>g</name><devices>
        <graphics type='spice' autoport='yes' listen='0.0.0.0' passwd='s3cret'>
          <listen type='address' address='0.0.0.0'/>
          <listen type='socket' socket='/run/spice.sock'/>
        </graphics>
        <graphics type='vnc' port='-1'><listen type='address' address='127.0.0.1'/></graphics>
      </devices></domain>
      """
    let devices = try DomainDocument(xml: xml, source: "x").domain.devices
    #expect(devices[0].attribute("listen") == ["0.0.0.0", "/run/spice.sock"])
    #expect(devices[0].attribute("password") == ["yes"])
    #expect(devices[1].attribute("listen") == ["127.0.0.1"])
    #expect(devices[1].attribute("password") == ["no"])
  }

  @Test func hostdevIdsAndHostAddressesAreNormalised() throws {
    let xml = """
      <domain type='kvm'><name>h</name><devices>
        <hostdev mode='subsystem' type='pci' managed='yes'>
          <source><address domain='0x0000' bus='0x0a' slot='0x00' function='0x1'/></source>
          <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>
        </hostdev>
        <hostdev mode='subsystem' type='usb'>
          <source><vendor id='0x046D'/><product id='0xc52b'/><address bus='1' device='4'/></source>
        </hostdev>
      </devices></domain>
      """
    let devices = try DomainDocument(xml: xml, source: "x").domain.devices
    #expect(devices[0].attribute("address") == ["0000:0a:00.1"])
    #expect(devices[0].address?.description == "pci 0000:06:00.0")
    #expect(devices[0].attribute("type") == ["pci"])
    #expect(devices[1].attribute("vendor") == ["046d"])
    #expect(devices[1].attribute("product") == ["c52b"])
    #expect(devices[1].attribute("address") == ["1:4"])
  }

  @Test func unknownDeviceClassesAreKeptNotDropped() throws {
    let xml = """
      <domain type='kvm' xmlns:x='urn:example'><name>u</name><devices>
        <frobnicator model='v2'/>
        <x:gadget type='a'/>
        <!-- a comment is not a device -->
        <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
      </devices></domain>
      """
    let domain = try DomainDocument(xml: xml, source: "x").domain
    #expect(domain.devices.map(\.deviceClass) == [.unknown("frobnicator"), .unknown("x:gadget"), .rng])
    #expect(domain.devices[0].attribute("model") == ["v2"])
    #expect(!domain.devices[0].deviceClass.isKnown)
    #expect(domain.devices[2].attribute("source") == ["/dev/urandom"])
  }

  @Test func emulatorIsADeviceWithItsPath() throws {
    let xml = "<domain type='kvm'><name>e</name><devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>"
    let device = try DomainDocument(xml: xml, source: "x").domain.devices[0]
    #expect(device.deviceClass == .emulator)
    #expect(device.attribute("path") == ["/usr/bin/qemu-system-x86_64"])
  }

  @Test func readsDomainSeclabels() throws {
    let xml = """
      <domain type='kvm'><name>s</name>
        <seclabel type='dynamic' model='selinux' relabel='yes'>
          <label>system_u:system_r:svirt_t:s0:c1,c2</label>
          <imagelabel>system_u:object_r:svirt_image_t:s0:c1,c2</imagelabel>
        </seclabel>
        <seclabel type='none' model='dac'/>
        <devices/>
      </domain>
      """
    let labels = try DomainDocument(xml: xml, source: "x").domain.seclabels
    #expect(labels.count == 2)
    #expect(labels[0].type == "dynamic")
    #expect(labels[0].model == "selinux")
    #expect(labels[0].relabel == "yes")
    #expect(labels[0].label == "system_u:system_r:svirt_t:s0:c1,c2")
    #expect(labels[0].imagelabel == "system_u:object_r:svirt_image_t:s0:c1,c2")
    #expect(labels[0].line == 2)
    #expect(labels[1].type == "none")
    #expect(labels[1].label == nil)
  }

  @Test func surfacesQEMUPassthroughByNamespaceNotPrefix() throws {
    let xml = """
      <domain type='kvm' xmlns:q='http://libvirt.org/schemas/domain/qemu/1.0'>
        <name>p</name>
        <devices/>
        <q:commandline>
          <q:arg value='-device'/>
          <q:arg value='pci-testdev'/>
          <q:env name='QEMU_AUDIO_DRV' value='none'/>
        </q:commandline>
        <q:capabilities><q:add capability='blockdev'/><q:del capability='sandbox'/></q:capabilities>
        <q:override><q:device alias='ua-net0'/></q:override>
        <q:deprecation behavior='crash'/>
      </domain>
      """
    let passthrough = try DomainDocument(xml: xml, source: "x").domain.qemuPassthrough
    #expect(passthrough.arguments == ["-device", "pci-testdev"])
    #expect(passthrough.environment.map(\.name) == ["QEMU_AUDIO_DRV"])
    #expect(passthrough.addedCapabilities == ["blockdev"])
    #expect(passthrough.removedCapabilities == ["sandbox"])
    #expect(passthrough.overriddenDevices == ["ua-net0"])
    #expect(passthrough.otherElements == ["deprecation"])
    #expect(passthrough.line == 4)
    #expect(!passthrough.isEmpty)
  }

  @Test func anotherNamespaceWithTheQemuPrefixIsNotPassthrough() throws {
    let xml = """
      <domain type='kvm' xmlns:qemu='urn:not-libvirt'><name>p</name>
        <qemu:commandline><qemu:arg value='-S'/></qemu:commandline>
      </domain>
      """
    #expect(try DomainDocument(xml: xml, source: "x").domain.qemuPassthrough.isEmpty)
  }

  @Test func keepsCDATAAndCommentsAndReadsCDATAText() throws {
    let xml = """
      <domain type='kvm'><name><![CDATA[cdata-name]]></name>
        <!-- comment before devices -->
        <devices><emulator><![CDATA[/usr/bin/qemu]]></emulator></devices>
      </domain>
      """
    let document = try DomainDocument(xml: xml, source: "x")
    #expect(document.domain.name == "cdata-name")
    #expect(document.domain.devices[0].attribute("path") == ["/usr/bin/qemu"])
    #expect(document.serialized().contains("<!-- comment before devices -->"))
    #expect(document.serialized().contains("<![CDATA[cdata-name]]>"))
  }

  @Test func internalEntitiesAreNotExpanded() throws {
    let xml = """
      <!DOCTYPE domain [<!ENTITY who "expanded-value">]>
      <domain type='kvm'><name>&who;</name><devices>
        <disk type='file'><source file='&who;'/></disk>
      </devices></domain>
      """
    let domain = try DomainDocument(xml: xml, source: "x").domain
    #expect(domain.name == "&who;")
    #expect(domain.devices[0].attribute("source") == ["&who;"])
  }

  @Test func externalEntitiesAreNeverLoaded() throws {
    let xml = """
      <!DOCTYPE domain [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
      <domain type='kvm'><name>n&xxe;</name><description>&xxe;</description><devices/></domain>
      """
    let document = try DomainDocument(xml: xml, source: "x")
    #expect(document.domain.name == "n&xxe;")
    #expect(!document.serialized().contains("root:"))
  }

  @Test func predefinedEntitiesAndCharacterReferencesAreDecoded() throws {
    let xml = "<domain type='kvm'><name>a&amp;b&#x41;</name><devices/></domain>"
    #expect(try DomainDocument(xml: xml, source: "x").domain.name == "a&bA")
  }

  @Test(arguments: [
    ("<domain><name>x</name><devices>", 1, "Premature end of data"),
    ("<domain>\n<name>x</nam>\n</domain>", 2, "Opening and ending tag mismatch"),
    ("", 1, "Document is empty"),
    ("<domain type=kvm><name>x</name></domain>", 1, "AttValue"),
    ("<domain><name>x</name></domain><domain/>", 1, "Extra content at the end of the document"),
    ("<domain>\n  <name>x</name>\n  <devices><disk></devices>\n</domain>", 3, "Opening and ending tag mismatch: disk"),
  ])
  func malformedXMLIsAnErrorWithItsLine(xml: String, line: Int, message: String) {
    #expect {
      try DomainDocument(xml: xml, source: "bad.xml")
    } throws: { error in
      guard let error = error as? DomainXMLError else { return false }
      return error.source == "bad.xml" && error.line == line && error.message.contains(message)
        && error.description.hasPrefix("bad.xml:\(line):")
    }
  }

  @Test func anUndeclaredNamespacePrefixIsAcceptedAsLibvirtDoes() throws {
    let xml = "<domain type='kvm'>\n  <name>x</name>\n  <devices><q:gadget/></devices>\n</domain>"
    #expect(try DomainDocument(xml: xml, source: "x").domain.devices.map(\.deviceClass) == [.unknown("q:gadget")])
  }

  @Test func aDocumentThatIsNotADomainIsRejected() {
    #expect(throws: DomainXMLError(
      source: "net.xml", line: 1, column: 1, message: "root element is <network>, expected a libvirt <domain>"))
    {
      try DomainDocument(xml: "<network><name>default</name></network>", source: "net.xml")
    }
  }

  @Test func aDomainWithoutANameIsRejected() {
    #expect(throws: DomainXMLError(source: "n.xml", line: 1, column: 1, message: "<domain> has no <name>")) {
      try DomainDocument(xml: "<domain type='kvm'><devices/></domain>", source: "n.xml")
    }
  }

  @Test func aDomainWithoutDevicesHasNone() throws {
    #expect(try DomainDocument(xml: "<domain type='kvm'><name>x</name></domain>", source: "x").domain.devices.isEmpty)
  }

  @Test func errorDescriptionNamesFileLineAndColumn() {
    let error = DomainXMLError(source: "a.xml", line: 3, column: 7, message: "boom")
    #expect(error.description == "a.xml:3:7: error: boom")
    #expect(DomainXMLError(source: "a.xml", line: 0, message: "boom").description == "a.xml: error: boom")
  }
}
