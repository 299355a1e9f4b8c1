import Foundation
import Testing

@testable import KernelModules

@Suite("ModuleLocator")
struct ModuleLocatorTests {
  /// Lays out `<root>/lib/modules/6.1.0-test` and `<root>/sys/module` like a real host:
  /// kvm and kvm-intel as .ko.xz, kvm-amd as .ko.zst, vhost_net as .ko.gz, tun as plain .ko;
  /// `irqbypass` built in; `ghost` listed but absent; `/sys/module/kvm` loaded (has initstate);
  /// `/sys/module/vfio` built in (no initstate).
  static func makeFixture() throws -> (root: URL, locator: ModuleLocator) {
    let root = try ModuleFixtures.makeTempDirectory()
    let release = root.appendingPathComponent("lib/modules/6.1.0-test")
    let files = [
      "kernel/arch/x86/kvm/kvm.ko.xz",
      "kernel/arch/x86/kvm/kvm-intel.ko.xz",
      "kernel/arch/x86/kvm/kvm-amd.ko.zst",
      "kernel/drivers/vhost/vhost_net.ko.gz",
      "kernel/drivers/vhost/vhost.ko.gz",
      "kernel/drivers/net/tun.ko",
    ]
    for file in files {
      let url = release.appendingPathComponent(file)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data([0x7F, 0x45, 0x4C, 0x46]).write(to: url)
    }
    let dep = """
      kernel/arch/x86/kvm/kvm.ko.xz: kernel/virt/lib/irqbypass.ko.xz
      kernel/arch/x86/kvm/kvm-intel.ko.xz: kernel/arch/x86/kvm/kvm.ko.xz
      kernel/arch/x86/kvm/kvm-amd.ko.zst: kernel/arch/x86/kvm/kvm.ko.xz
      kernel/drivers/vhost/vhost_net.ko.gz: kernel/drivers/vhost/vhost.ko.gz kernel/drivers/net/tun.ko
      kernel/drivers/vhost/vhost.ko.gz:
      kernel/drivers/net/tun.ko:
      kernel/drivers/misc/ghost.ko.xz:

      """
    try dep.write(
      to: release.appendingPathComponent("modules.dep"), atomically: false,
      encoding: .utf8)
    try "kernel/virt/lib/irqbypass.ko\nkernel/drivers/vfio/vfio.ko\n"
      .write(
        to: release.appendingPathComponent("modules.builtin"), atomically: false,
        encoding: .utf8)
    let sys = root.appendingPathComponent("sys/module")
    try FileManager.default.createDirectory(
      at: sys.appendingPathComponent("kvm/parameters"),
      withIntermediateDirectories: true)
    try "live\n".write(
      to: sys.appendingPathComponent("kvm/initstate"), atomically: false,
      encoding: .utf8)
    try FileManager.default.createDirectory(
      at: sys.appendingPathComponent("vfio_pci/parameters"),
      withIntermediateDirectories: true)
    let locator = ModuleLocator(
      release: "6.1.0-test",
      modulesRoot: root.appendingPathComponent("lib/modules").path,
      sysModuleRoot: sys.path)
    return (root, locator)
  }

  @Test("modules.dep entries resolve to files, hyphens and underscores alike")
  func fixtureFiles() throws {
    let (root, locator) = try Self.makeFixture()
    defer { try? FileManager.default.removeItem(at: root) }
    let base = locator.releaseDirectory
    #expect(
      locator.locate("kvm")
        == .file(
          path: "\(base)/kernel/arch/x86/kvm/kvm.ko.xz", compression: .xz))
    let intel = ModuleLocation.file(
      path: "\(base)/kernel/arch/x86/kvm/kvm-intel.ko.xz", compression: .xz)
    #expect(locator.locate("kvm_intel") == intel)
    #expect(locator.locate("kvm-intel") == intel)
    #expect(
      locator.locate("kvm_amd")
        == .file(
          path: "\(base)/kernel/arch/x86/kvm/kvm-amd.ko.zst", compression: .zstd
        ))
    #expect(
      locator.locate("vhost-net")
        == .file(
          path: "\(base)/kernel/drivers/vhost/vhost_net.ko.gz",
          compression: .gzip))
    #expect(
      locator.locate("tun")
        == .file(path: "\(base)/kernel/drivers/net/tun.ko", compression: nil))
  }

  @Test("built-in, missing and unknown modules")
  func fixtureOthers() throws {
    let (root, locator) = try Self.makeFixture()
    defer { try? FileManager.default.removeItem(at: root) }
    #expect(locator.locate("irqbypass") == .builtIn(.modulesBuiltin))
    #expect(locator.locate("vfio_pci") == .builtIn(.sysfs))
    #expect(
      locator.locate("ghost")
        == .notFound(
          .fileMissing(
            path: "\(locator.releaseDirectory)/kernel/drivers/misc/ghost.ko.xz")
        ))
    #expect(locator.locate("nosuchmodule") == .notFound(.notListed))
  }

  @Test("a release with no modules directory says so")
  func noModulesDirectory() throws {
    let (root, fixture) = try Self.makeFixture()
    defer { try? FileManager.default.removeItem(at: root) }
    let locator = ModuleLocator(
      release: "9.9.9-none", modulesRoot: fixture.modulesRoot,
      sysModuleRoot: fixture.sysModuleRoot)
    #expect(
      locator.locate("vhost_net")
        == .notFound(
          .noModulesDirectory(path: "\(fixture.modulesRoot)/9.9.9-none")))
    #expect(locator.locate("kvm") == .notFound(.loadedWithoutFile))
    #expect(locator.locate("vfio-pci") == .builtIn(.sysfs))
  }

  @Test("modules.dep parsing")
  func parsing() {
    let map = ModuleLocator.parseModulesDep(
      "a/b/kvm-intel.ko.xz: a/kvm.ko.xz\n/abs/x.ko:\nbroken line\nnot-a-module.txt:\n"
    )
    #expect(map == ["kvm_intel": "a/b/kvm-intel.ko.xz", "x": "/abs/x.ko"])
    #expect(
      ModuleLocator.moduleName(ofPath: "kernel/drivers/vhost/vhost_net.ko.zst")
        == "vhost_net")
    #expect(ModuleLocator.moduleName(ofPath: ".ko") == nil)
  }

  @Test("CPU vendor picks the KVM module")
  func vendor() {
    #expect(
      ModuleLocator.cpuVendorModule(
        cpuinfo: "processor\t: 0\nvendor_id\t: GenuineIntel\n") == "kvm_intel")
    #expect(
      ModuleLocator.cpuVendorModule(cpuinfo: "vendor_id\t: AuthenticAMD\n")
        == "kvm_amd")
    #expect(
      ModuleLocator.cpuVendorModule(cpuinfo: "vendor_id\t: CentaurHauls\n")
        == nil)
    #expect(ModuleLocator.cpuVendorModule(cpuinfo: "") == nil)
    #expect(
      ModuleLocator.cpuVendorModule(cpuinfoPath: "/nonexistent/cpuinfo") == nil)
  }

  @Test("running release matches uname -r")
  func runningRelease() throws {
    let uname = try ModuleFixtures.run("uname", ["-r"], input: [])
    let expected = String(decoding: uname, as: UTF8.self).trimmingCharacters(
      in: .whitespacesAndNewlines)
    #expect(ModuleLocator.runningRelease() == expected)
    #expect(ModuleLocator().release == expected)
  }

  /// On this machine, judged from what the filesystem holds rather than assumed.
  @Test("kvm and vhost_net on this machine", arguments: ["kvm", "vhost_net"])
  func thisMachine(module: String) throws {
    let locator = ModuleLocator()
    let found = locator.locate(module)
    let files = FileManager.default
    let sysfs = "/sys/module/\(module)"
    let inSysfs = files.fileExists(atPath: sysfs)
    let builtInBySysfs =
      inSysfs && !files.fileExists(atPath: "\(sysfs)/initstate")
    if !files.fileExists(atPath: locator.releaseDirectory) {
      // A VM kernel without /lib/modules: only sysfs can speak.
      if builtInBySysfs {
        #expect(found == .builtIn(.sysfs))
      } else if inSysfs {
        #expect(found == .notFound(.loadedWithoutFile))
      } else {
        #expect(
          found
            == .notFound(.noModulesDirectory(path: locator.releaseDirectory)))
      }
      return
    }
    switch found {
    case .file(let path, let compression):
      #expect(files.fileExists(atPath: path))
      #expect(compression == CompressionFormat(fileName: path))
    case .builtIn:
      break
    case .notFound(let reason):
      #expect(reason != .noModulesDirectory(path: locator.releaseDirectory))
      #expect(!builtInBySysfs)
    }
  }

  @Test("this machine's CPU vendor module")
  func thisMachineVendor() throws {
    let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
    let vendor = ModuleLocator.cpuVendorModule()
    if cpuinfo.contains("GenuineIntel") {
      #expect(vendor == "kvm_intel")
    } else if cpuinfo.contains("AuthenticAMD") {
      #expect(vendor == "kvm_amd")
    }
  }
}
