import Foundation
import TestSupport
import Testing

@Suite struct InventoryCommandTests {
  @Test func listsTheTestDriverDomainAsText() throws {
    let result = try KVMPolicyProcess.run(["inventory", "-c", "test:///default"])
    #expect(result.status == 0)
    #expect(result.stderr == "")
    #expect(
      result.stdout == """
        libvirt test:///default (security models: testSecurity)
          test  running  persistent  type test  uuid 6695eb01-f6a4-8304-79aa-97f2502e193f
            process label: libvirt-test (enforcing)
            devices (3): disk 1, interface 1, memballoon 1

        1 domain, 3 devices from 1 source

        """)
  }

  @Test func listsEveryDeviceWithDevicesFlag() throws {
    let result = try KVMPolicyProcess.run(["inventory", "-c", "test:///default", "--devices"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("      disk type=file device=disk bus=virtio target=vda source=/guest/diskimage1 [pci 0000:01:00.0]\n"))
    #expect(result.stdout.contains("      interface type=network source=default mac=aa:bb:cc:dd:ee:ff target=testnet0 [pci 0000:00:01.0]\n"))
    #expect(result.stdout.contains("      memballoon model=virtio [pci 0000:00:02.0]\n"))
  }

  @Test func jsonListsTheDomainWithDiskInterfaceAndBalloon() throws {
    let result = try KVMPolicyProcess.run(["inventory", "-c", "test:///default", "--format", "json"])
    #expect(result.status == 0)
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(root["schema"] as? String == "kvmpolicy.inventory")
    #expect(root["version"] as? Int == 1)
    let source = try #require((root["sources"] as? [[String: Any]])?.first)
    #expect(source["uri"] as? String == "test:///default")
    #expect(source["error"] is NSNull)
    let domain = try #require((source["domains"] as? [[String: Any]])?.first)
    #expect(domain["name"] as? String == "test")
    #expect(domain["state"] as? String == "running")
    let devices = try #require(domain["devices"] as? [[String: Any]])
    #expect(devices.map { $0["class"] as? String } == ["disk", "interface", "memballoon"])
    let diskAttributes = try #require(devices[0]["attributes"] as? [String: [String]])
    #expect(diskAttributes["bus"] == ["virtio"])
    #expect(domain["deviceCounts"] as? [String: Int] == ["disk": 1, "interface": 1, "memballoon": 1])
  }

  @Test func honoursLibvirtDefaultURIWithoutConnect() throws {
    let result = try KVMPolicyProcess.run(["inventory"], environment: ["LIBVIRT_DEFAULT_URI": "test:///default"])
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix("libvirt test:///default"))
  }

  @Test func oneUnreachableHostDoesNotHideTheOthers() throws {
    let result = try KVMPolicyProcess.run(["inventory", "-c", "test:///nonexistent/fleet.xml", "-c", "test:///default"])
    #expect(result.status == 2)
    #expect(result.stdout.contains("  test  running  persistent"))
    #expect(result.stderr.contains("test:///nonexistent/fleet.xml: error: "))
    #expect(result.stdout.hasSuffix("1 domain, 3 devices from 2 sources; 1 source with errors\n"))
  }

  @Test func malformedXMLExitsTwoNamingFileLineAndColumn() throws {
    let directory = try TemporaryDirectory.make("cli")
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("broken.xml")
    try "<domain type='kvm'>\n  <name>x</nam>\n</domain>\n".write(to: file, atomically: false, encoding: .utf8)
    let result = try KVMPolicyProcess.run(["inventory", "--xml", file.path])
    #expect(result.status == 2)
    #expect(result.stderr == "\(file.path):2:16: error: Opening and ending tag mismatch: name line 2 and nam\n")
  }

  @Test func readsDomainXMLFromStandardInput() throws {
    let xml = "<domain type='kvm'><name>stdin-vm</name><devices><sound model='ich9'/></devices></domain>"
    let result = try KVMPolicyProcess.run(["inventory", "--xml", "-", "--format", "json"], stdin: xml)
    #expect(result.status == 0)
    #expect(result.stdout.contains("\"name\": \"stdin-vm\""))
    #expect(result.stdout.contains("\"sound\": 1"))
  }

  @Test func aMissingFileExitsTwo() throws {
    let result = try KVMPolicyProcess.run(["inventory", "--xml", "/nonexistent/kvmpolicy.xml"])
    #expect(result.status == 2)
    #expect(result.stderr == "/nonexistent/kvmpolicy.xml: error: No such file or directory\n")
  }

  @Test func usageErrorsExitTwoAndSayWhatToDo() throws {
    let both = try KVMPolicyProcess.run(["inventory", "--xml", "a.xml", "-c", "test:///default"])
    #expect(both.status == 2)
    #expect(both.stderr.hasPrefix("Error: Use either --connect or --xml, not both: --xml reads files instead of libvirt.\n"))
    let format = try KVMPolicyProcess.run(["inventory", "--format", "yaml"])
    #expect(format.status == 2)
    #expect(format.stderr.hasPrefix("Error: The value 'yaml' is invalid for '--format <format>'. Please provide one of 'text' and 'json'.\n"))
  }

  @Test func helpExitsZero() throws {
    let result = try KVMPolicyProcess.run(["inventory", "--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("-c, --connect <uri>"))
  }
}
