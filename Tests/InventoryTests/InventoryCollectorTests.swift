import DomainModel
import Foundation
import Inventory
import Testing

/// The demo fleet shipped in `scripts/fleet/demo.xml`, served by libvirt's test driver.
let demoFleetURI: String = {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  return "test://" + root.appendingPathComponent("scripts/fleet/demo.xml").path
}()

@Suite struct InventoryCollectorTests {
  @Test func readsEveryDomainOfTheDemoFleetWithItsState() {
    let source = InventoryCollector.collect(uri: demoFleetURI)
    #expect(source.error == nil)
    #expect(source.uri == demoFleetURI)
    #expect(source.securityModels.map(\.model) == ["testSecurity"])
    #expect(
      source.domains.map { "\($0.name) \($0.state?.rawValue ?? "?")" } == [
        "db-01 shut off", "desktop-01 running", "gpu-01 running", "lab-01 running", "legacy-01 running",
        "template-01 shut off", "web-01 running",
      ])
    #expect(source.domains.allSatisfy { $0.persistent == true && $0.error == nil && $0.model != nil })
  }

  @Test func runningDomainsCarryProcessLabelsAndShutOffOnesNone() {
    let source = InventoryCollector.collect(uri: demoFleetURI)
    for domain in source.domains {
      if domain.state == .running {
        #expect(domain.securityLabels == [ProcessLabel(label: "libvirt-test", enforcing: true)])
      } else {
        #expect(domain.securityLabels.isEmpty)
      }
    }
  }

  @Test func theFleetShowsWhatEachDomainWasBuiltToShow() throws {
    let domains = Dictionary(
      uniqueKeysWithValues: InventoryCollector.collect(uri: demoFleetURI).domains.map { ($0.name, $0.model) })
    let gpu = try #require(domains["gpu-01"] ?? nil)
    #expect(gpu.devices.filter { $0.deviceClass == .hostdev }.map { $0.attribute("address") } == [["0000:41:00.0"], ["0000:41:00.1"]])
    let legacy = try #require(domains["legacy-01"] ?? nil)
    #expect(legacy.seclabels.map(\.type) == ["none"])
    #expect(legacy.devices.first { $0.deviceClass == .graphics }?.attribute("listen") == ["0.0.0.0"])
    let desktop = try #require(domains["desktop-01"] ?? nil)
    #expect(desktop.devices.filter { $0.deviceClass == .redirdev }.count == 2)
    #expect(desktop.devices.contains { $0.deviceClass == .sound })
    let web = try #require(domains["web-01"] ?? nil)
    #expect(web.devices.first { $0.deviceClass == .disk }?.attribute("bus") == ["virtio"])
    #expect(web.seclabels.map(\.model) == ["selinux"])
  }

  @Test func anUnreachableURIBecomesASourceError() {
    let source = InventoryCollector.collect(uri: "test:///nonexistent/kvmpolicy.xml")
    #expect(source.domains.isEmpty)
    guard case .connection(let uri, _) = source.error else {
      Issue.record("expected a connection error, got \(String(describing: source.error))")
      return
    }
    #expect(uri == "test:///nonexistent/kvmpolicy.xml")
    #expect(source.hasErrors)
  }

  @Test func aFileBecomesOneDomainOrAPositionedError() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-inv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let good = directory.appendingPathComponent("good.xml")
    try "<domain type='kvm'><name>vm</name><devices><sound model='ich9'/></devices></domain>".write(
      to: good, atomically: false, encoding: .utf8)
    let bad = directory.appendingPathComponent("bad.xml")
    try "<domain type='kvm'>\n<name>vm</name>\n<devices>\n".write(to: bad, atomically: false, encoding: .utf8)

    let goodSource = InventoryCollector.collect(file: good.path)
    #expect(goodSource.kind == .file)
    #expect(goodSource.domains.map(\.name) == ["vm"])
    #expect(goodSource.domains.first?.state == nil)

    let badSource = InventoryCollector.collect(file: bad.path)
    #expect(badSource.domains.isEmpty)
    #expect(badSource.error?.line == 4)
    #expect(badSource.error?.description.hasPrefix("\(bad.path):4:") == true)

    let directorySource = InventoryCollector.collect(file: directory.path)
    #expect(directorySource.error?.description == "\(directory.path): error: a directory without *.xml files")
  }

  @Test func aDirectoryStandsForItsXMLFilesInNameOrder() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-dir-\(UUID().uuidString)")
    let empty = directory.appendingPathComponent("empty")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for name in ["b.xml", "a.xml", "notes.txt", ".hidden.xml"] {
      try Data("<domain/>".utf8).write(to: directory.appendingPathComponent(name))
    }
    let expanded = InventoryCollector.expandingDirectories([directory.path, "-", empty.path, "/no/such"])
    #expect(expanded == [directory.path + "/a.xml", directory.path + "/b.xml", "-", empty.path, "/no/such"])
    #expect(InventoryCollector.expandingDirectories([directory.path + "/"]).first == directory.path + "/a.xml")
  }
}
