import DomainModel
import Testing

@Suite struct HostCapabilitiesTests {
  @Test func listsEverySecurityModelInOrder() throws {
    let xml = """
      <capabilities><host><uuid>x</uuid>
        <secmodel><model>selinux</model><doi>0</doi>
          <baselabel type='kvm'>system_u:system_r:svirt_t:s0</baselabel>
          <baselabel type='qemu'>system_u:system_r:svirt_tcg_t:s0</baselabel>
        </secmodel>
        <secmodel><model>dac</model><doi>0</doi><baselabel type='kvm'>+107:+107</baselabel></secmodel>
      </host></capabilities>
      """
    let models = try HostCapabilities(xml: xml, source: "caps").securityModels
    #expect(models.map(\.model) == ["selinux", "dac"])
    #expect(models[0].baselabels["qemu"] == "system_u:system_r:svirt_tcg_t:s0")
    #expect(models[1].doi == "0")
  }

  @Test func aHostWithoutSecurityModelsHasNone() throws {
    #expect(try HostCapabilities(xml: "<capabilities><host/></capabilities>", source: "c").securityModels.isEmpty)
  }

  @Test func rejectsOtherDocuments() {
    #expect(throws: DomainXMLError.self) { try HostCapabilities(xml: "<domain/>", source: "c") }
  }
}
