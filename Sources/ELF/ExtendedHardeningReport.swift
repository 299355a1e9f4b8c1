/// What an ELF file shows beyond checksec's ten fields: its CET marking, memory that is both
/// writable and executable, and text relocations.
///
/// - **W+X segments**: `PT_LOAD` segments with both `PF_W` and `PF_X`; code there can be
///   rewritten at run time (an executable stack is `HardeningReport.nx`, not counted here).
/// - **W+X sections**: sections with both `SHF_WRITE` and `SHF_EXECINSTR`. For a relocatable
///   object (`.o`, `.ko`) this is what becomes a W+X segment when linked; the kernel's module
///   loader refuses such a module outright (`module_enforce_rwx_sections`).
/// - **TEXTREL**: `DT_TEXTREL`, or `DF_TEXTREL` in `DT_FLAGS`: the loader has to make code
///   pages writable to relocate them. It applies only to files with a dynamic section; for a
///   relocatable object it is `nil` (relocating code is what linking an object means).
/// - **Stack note** (relocatable objects only): what the object asks the linker for. A
///   `.note.GNU-stack` section flagged `SHF_EXECINSTR` asks for an executable stack (gcc does
///   that for nested-function trampolines); no `.note.GNU-stack` at all gets an executable
///   stack from GNU ld on x86-64 too ("missing .note.GNU-stack section implies executable stack").
public struct ExtendedHardeningReport: Equatable, Sendable {
  /// What a relocatable object's `.note.GNU-stack` asks the linker for.
  public enum StackNote: String, Sendable {
    /// A `.note.GNU-stack` without `SHF_EXECINSTR`: a non-executable stack.
    case nonExecutable = "non-executable"
    /// A `.note.GNU-stack` with `SHF_EXECINSTR`: an executable stack.
    case executable
    /// No `.note.GNU-stack`: GNU ld makes the stack executable.
    case missing
  }

  /// The x86 CET marking (IBT, SHSTK) from `.note.gnu.property`.
  public let cet: CETMarking
  /// The `PT_LOAD` segments that are writable and executable.
  public let writableExecutableSegments: [ProgramHeader]
  /// The sections flagged both `SHF_WRITE` and `SHF_EXECINSTR`.
  public let writableExecutableSections: [SectionHeader]
  /// Whether the file has text relocations; `nil` for relocatable objects, where it does not apply.
  public let textrel: Bool?
  /// For a relocatable object, what its `.note.GNU-stack` asks for; `nil` for linked files,
  /// whose `PT_GNU_STACK` is `HardeningReport.nx`.
  public let stackNote: StackNote?

  /// Creates a report from its fields.
  public init(
    cet: CETMarking, writableExecutableSegments: [ProgramHeader], writableExecutableSections: [SectionHeader],
    textrel: Bool?, stackNote: StackNote?
  ) {
    self.cet = cet
    self.writableExecutableSegments = writableExecutableSegments
    self.writableExecutableSections = writableExecutableSections
    self.textrel = textrel
    self.stackNote = stackNote
  }

  /// Analyzes `file`.
  public static func analyze(_ file: ELFFile) -> ExtendedHardeningReport {
    let wx = ProgramHeader.flagWrite | ProgramHeader.flagExecute
    let shfWX = SectionHeader.flagWrite | SectionHeader.flagExecInstr
    let isObject = file.type == .relocatable
    return ExtendedHardeningReport(
      cet: CETMarking(file),
      writableExecutableSegments: file.programHeaders(ofType: ProgramHeader.typeLoad).filter { $0.flags & wx == wx },
      writableExecutableSections: file.sections.filter { $0.flags & shfWX == shfWX },
      textrel: isObject
        ? nil : file.hasTextrelEntry || file.dynamicFlags & DynamicEntry.flagTextrel != 0,
      stackNote: isObject ? stackNote(file) : nil)
  }
}

private extension ExtendedHardeningReport {
  static func stackNote(_ file: ELFFile) -> StackNote {
    guard let note = file.section(named: ".note.GNU-stack") else { return .missing }
    return note.flags & SectionHeader.flagExecInstr != 0 ? .executable : .nonExecutable
  }
}
