import ELF
import Foundation
import Testing

/// Parsing, and the typed errors for files that are missing, not ELF, truncated or corrupt.
@Suite struct ELFFileTests {
  static func scratch(_ name: String, _ bytes: [UInt8]) throws -> String {
    let path = try Fixtures.built.get() + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func parsesAPIE() throws {
    let file = try ELFFile(path: try Fixtures.path("pie"))
    #expect(file.elfClass == .elf64)
    #expect(file.endianness == .little)
    #expect(file.type == .sharedObject)
    #expect(file.section(named: ".dynsym") != nil)
    #expect(!file.programHeaders(ofType: ProgramHeader.typeGNUStack).isEmpty)
    #expect(file.neededLibraries.contains("libc.so.6"))
    #expect(file.dynamicSymbolNames.contains("printf"))
    #expect(file.symbolNames.contains("main"))
    #expect(file.hasDebugEntry)
  }

  @Test func parsesAnObject() throws {
    let file = try ELFFile(path: try Fixtures.path("object"))
    #expect(file.type == .relocatable)
    #expect(file.programHeaders.isEmpty)
    #expect(file.dynamicEntries.isEmpty)
    #expect(file.symbolNames.contains("main"))
  }

  @Test func parsesA32BitBigEndianHeader() throws {
    var header = [UInt8](repeating: 0, count: 52)
    header[0..<7] = [0x7f, 0x45, 0x4c, 0x46, 1, 2, 1]
    header[16] = 0
    header[17] = 2  // ET_EXEC, big endian
    let file = try ELFFile(path: try Self.scratch("be32", header))
    #expect(file.elfClass == .elf32)
    #expect(file.endianness == .big)
    #expect(file.type == .executable)
    #expect(file.sections.isEmpty)
  }

  @Test func missingFile() throws {
    #expect(throws: ELFError.fileNotFound(path: "/nonexistent/kvmpolicy-elf")) {
      try ELFFile(path: "/nonexistent/kvmpolicy-elf")
    }
  }

  @Test func shellScriptIsNotELF() throws {
    let script = try Self.scratch("script.sh", Array("#! /bin/sh\nexec true\n".utf8))
    #expect(throws: ELFError.notELF(path: script)) { try ELFFile(path: script) }
    let wrapper = "/usr/bin/qemu-system-i386"
    if let head = FileManager.default.contents(atPath: wrapper), head.starts(with: Array("#!".utf8)) {
      #expect(throws: ELFError.notELF(path: wrapper)) { try ELFFile(path: wrapper) }
    }
  }

  @Test func emptyAndGarbageFilesAreNotELF() throws {
    let empty = try Self.scratch("empty", [])
    #expect(throws: ELFError.notELF(path: empty)) { try ELFFile(path: empty) }
    let garbage = try Self.scratch("garbage", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
    #expect(throws: ELFError.notELF(path: garbage)) { try ELFFile(path: garbage) }
  }

  @Test func truncatedFiles() throws {
    let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Fixtures.path("pie"))))
    let magicOnly = try Self.scratch("magic-only", Array(whole.prefix(10)))
    #expect(throws: ELFError.truncated(path: magicOnly, what: "ELF identification")) { try ELFFile(path: magicOnly) }
    let headerOnly = try Self.scratch("header-only", Array(whole.prefix(40)))
    #expect(throws: ELFError.truncated(path: headerOnly, what: "ELF header")) { try ELFFile(path: headerOnly) }
    let cut = try Self.scratch("cut", Array(whole.prefix(whole.count / 2)))
    #expect(throws: ELFError.truncated(path: cut, what: "section header table")) { try ELFFile(path: cut) }
  }

  @Test func badClassIsCorrupt() throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Fixtures.path("pie"))))
    bytes[4] = 9
    let path = try Self.scratch("bad-class", bytes)
    #expect(throws: ELFError.corrupt(path: path, reason: "unknown EI_CLASS 9")) { try ELFFile(path: path) }
  }

  /// Random truncations and byte flips never crash: each either parses or throws an `ELFError`,
  /// and every analysis runs on whatever parses (`GNUPropertyTests` flips the note itself).
  @Test func hostileMutationsNeverCrash() throws {
    let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Fixtures.path("shared"))))
    var state: UInt64 = 0x9e37_79b9_7f4a_7c15
    func next() -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int(truncatingIfNeeded: state >> 33)
    }
    var parsed = 0
    var rejected = 0
    for round in 0..<300 {
      var bytes = whole
      if round % 3 == 0 { bytes = Array(bytes.prefix(next() % bytes.count)) }
      for _ in 0..<(1 + next() % 16) where !bytes.isEmpty {
        // Aim at the headers and tables most of the time, where flips matter.
        let index = next() % 2 == 0 ? next() % min(bytes.count, 128) : next() % bytes.count
        bytes[index] = UInt8(truncatingIfNeeded: next())
      }
      let path = try Self.scratch("mutant", bytes)
      do {
        let file = try ELFFile(path: path)
        _ = HardeningReport.analyze(file, fortifiable: ["memcpy_chk"])
        _ = ExtendedHardeningReport.analyze(file)
        _ = KernelModuleSections(file)
        parsed += 1
      } catch {
        rejected += 1
      }
    }
    #expect(parsed + rejected == 300)
  }
}
