import ELF
import TestSupport
import Testing

/// CET marking, W+X memory, TEXTREL and an object's stack note, on gcc-built fixtures.
@Suite(.requiresExecutable("/usr/bin/gcc"))
struct ExtendedHardeningTests {
  static func report(_ name: String) throws -> ExtendedHardeningReport {
    ExtendedHardeningReport.analyze(try ELFFile(path: try ExtendedFixtures.path(name)))
  }

  @Test func cetMarkingOfObjectsFollowsFcfProtection() throws {
    let full = try Self.report("cet-full.o").cet
    #expect(full.featureBits == 3)
    #expect(full.ibt && full.shstk)
    #expect(full.summary == "IBT, SHSTK")
    let branch = try Self.report("cet-branch.o").cet
    #expect(branch.ibt && !branch.shstk)
    let returns = try Self.report("cet-return.o").cet
    #expect(!returns.ibt && returns.shstk)
    let none = try Self.report("cet-none.o").cet
    #expect(none.featureBits == nil)
    #expect(none.summary == "none")
  }

  /// ELFCLASS32 notes pad properties to 4 bytes, not 8.
  @Test func cetMarkingOfA32BitObject() throws {
    let file = try ELFFile(path: try ExtendedFixtures.path("cet-full-32.o"))
    #expect(file.elfClass == .elf32)
    #expect(CETMarking(file).summary == "IBT, SHSTK")
  }

  /// Debian 12's start files carry no `.note.gnu.property`, and the linker keeps a feature bit
  /// only when every input has it: a binary linked from `-fcf-protection=full` code loses its
  /// marking. (On a distribution whose crt files are marked, the first expectation fails and
  /// says why the second would not hold.)
  @Test func aLinkedBinaryLosesTheMarkingOfItsObjects() throws {
    let crti = try ELFFile(path: "/usr/lib/x86_64-linux-gnu/crti.o")
    #expect(CETMarking(crti).featureBits == nil, "crti.o is marked here: linked binaries may keep CET marking")
    let linked = try Self.report("cet-linked")
    #expect(!linked.cet.ibt)
    #expect(!linked.cet.shstk)
  }

  /// `-z ibt -z shstk` forces the marking; it is read from `PT_GNU_PROPERTY`, beside other
  /// properties (the x86 ISA level).
  @Test func aForcedMarkingIsReadFromPTGNUProperty() throws {
    let file = try ELFFile(path: try ExtendedFixtures.path("cet-forced"))
    #expect(!file.programHeaders(ofType: ProgramHeader.typeGNUProperty).isEmpty)
    #expect(file.gnuProperties.count >= 2)
    #expect(CETMarking(file).summary == "IBT, SHSTK")
  }

  @Test func writableExecutableMemory() throws {
    let object = try Self.report("wx.o")
    #expect(object.writableExecutableSections.map(\.name) == [".wxtext"])
    #expect(object.writableExecutableSegments.isEmpty)
    let linked = try Self.report("wx-segment")
    #expect(linked.writableExecutableSegments.count == 1)
    #expect(linked.writableExecutableSections.map(\.name) == [".wxtext"])
    let clean = try Self.report("pic.so")
    #expect(clean.writableExecutableSegments.isEmpty)
    #expect(clean.writableExecutableSections.isEmpty)
  }

  @Test func textRelocations() throws {
    let file = try ELFFile(path: try ExtendedFixtures.path("textrel.so"))
    #expect(file.hasTextrelEntry)
    #expect(file.dynamicFlags & DynamicEntry.flagTextrel != 0)
    #expect(try Self.report("textrel.so").textrel == true)
    #expect(try Self.report("pic.so").textrel == false)
    #expect(try Self.report("cet-full.o").textrel == nil, "not applicable to a relocatable object")
  }

  @Test func stackNoteOfObjects() throws {
    #expect(try Self.report("cet-full.o").stackNote == .nonExecutable)
    #expect(try Self.report("trampoline.o").stackNote == .executable)
    #expect(try Self.report("no-stack-note.o").stackNote == .missing)
    #expect(try Self.report("pic.so").stackNote == nil, "a linked file has PT_GNU_STACK instead")
  }

  @Test func moduleSectionsAndThunks() throws {
    let sections = KernelModuleSections(try ELFFile(path: try ExtendedFixtures.path("module-like.o")))
    #expect(sections.found == [".retpoline_sites"])
    #expect(sections.has(".retpoline_sites"))
    #expect(!sections.has(".return_sites"))
    #expect(sections.returnThunk)
    // One thunk, named after whichever register gcc picked for the call.
    #expect(sections.indirectThunks.count == 1)
    #expect(sections.indirectThunks.allSatisfy { $0.hasPrefix("__x86_indirect_thunk_r") })
    let plain = KernelModuleSections(try ELFFile(path: try ExtendedFixtures.path("cet-none.o")))
    #expect(plain.found.isEmpty)
    #expect(!plain.returnThunk)
    #expect(plain.indirectThunks.isEmpty)
  }
}
