import ELF
import Testing

/// Each gcc variant shows the property it was built for.
@Suite struct FixtureReportTests {
  static func report(_ name: String) throws -> HardeningReport {
    HardeningReport.analyze(try ELFFile(path: try Fixtures.path(name)), fortifiable: try Fixtures.libcChecked.get())
  }

  @Test func stackProtector() throws {
    #expect(try Self.report("ssp-all").canary)
    #expect(try !Self.report("no-ssp").canary)
  }

  @Test func relro() throws {
    #expect(try Self.report("relro-full").relro == .full)
    #expect(try Self.report("relro-partial").relro == .partial)
    #expect(try Self.report("norelro").relro == .none)
  }

  @Test func pie() throws {
    #expect(try Self.report("pie").pie == .pieEnabled)
    #expect(try Self.report("no-pie").pie == .noPIE)
    #expect(try Self.report("shared").pie == .dso)
    #expect(try Self.report("object").pie == .rel)
  }

  @Test func nx() throws {
    #expect(try Self.report("pie").nx)
    let execstack = try Self.report("execstack")
    #expect(!execstack.nx)
    #expect(!execstack.checksecNX)
  }

  @Test func fortify() throws {
    let fortified = try Self.report("fortify")
    #expect(fortified.fortifySource)
    #expect(fortified.fortified == 3)
    #expect(fortified.fortifiable == 3)
    let plain = try Self.report("no-fortify")
    #expect(!plain.fortifySource)
    #expect(plain.fortified == 0)
    #expect(plain.fortifiable == 3)
  }

  @Test func searchPaths() throws {
    let rpath = try Self.report("rpath")
    #expect(rpath.rpath == "/opt/kvm/lib")
    #expect(rpath.runpath == nil)
    let runpath = try Self.report("runpath")
    #expect(runpath.runpath == "/opt/kvm/lib")
    #expect(runpath.rpath == nil)
  }

  @Test func symbols() throws {
    let stripped = try Self.report("stripped")
    #expect(!stripped.hasSymbols)
    #expect(stripped.symbolCount == 0)
    let full = try Self.report("pie")
    #expect(full.hasSymbols)
    #expect(full.symbolCount > 10)
  }

  @Test func checksecJSON() throws {
    let fields = ChecksecFields(report: try Self.report("stripped"))
    let json = fields.json(path: "/tmp/a\"b")
    #expect(json.hasPrefix("{ \"/tmp/a\\\"b\": { \"relro\":\""))
    #expect(json.contains("\"symbols\":\"no\",\"fortify_source\":\"yes\",\"fortified\":\"3\""))
  }

  @Test func libcFortifySet() throws {
    let names = try Fixtures.libcChecked.get()
    #expect(names.contains("memcpy_chk"))
    #expect(names.contains("printf_chk"))
    #expect(!names.contains("stack_chk_fail"))
  }
}
