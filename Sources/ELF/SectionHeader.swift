/// One entry of the section header table, with its name resolved.
public struct SectionHeader: Equatable, Sendable {
  /// `SHT_SYMTAB`: the full symbol table.
  public static let typeSymtab: UInt32 = 2
  /// `SHT_STRTAB`: a string table.
  public static let typeStrtab: UInt32 = 3
  /// `SHT_DYNAMIC`: the dynamic section.
  public static let typeDynamic: UInt32 = 6
  /// `SHT_NOTE`: notes, such as `.note.gnu.property` (but `.note.GNU-stack` is `SHT_PROGBITS`).
  public static let typeNote: UInt32 = 7
  /// `SHT_NOBITS`: occupies no file space (`.bss`).
  public static let typeNobits: UInt32 = 8
  /// `SHT_DYNSYM`: the dynamic symbol table.
  public static let typeDynsym: UInt32 = 11
  /// `SHT_GNU_versym`: symbol version indexes parallel to `.dynsym`.
  public static let typeGNUVersym: UInt32 = 0x6fff_ffff
  /// `SHF_WRITE`: writable at run time.
  public static let flagWrite: UInt64 = 0x1
  /// `SHF_ALLOC`: occupies memory at run time.
  public static let flagAlloc: UInt64 = 0x2
  /// `SHF_EXECINSTR`: executable machine code.
  public static let flagExecInstr: UInt64 = 0x4

  /// The section name from the section header string table ("" when absent).
  public let name: String
  /// Section type (`sh_type`).
  public let type: UInt32
  /// Section flags (`sh_flags`).
  public let flags: UInt64
  /// Virtual address (`sh_addr`).
  public let address: UInt64
  /// File offset (`sh_offset`).
  public let offset: UInt64
  /// Size in bytes (`sh_size`).
  public let size: UInt64
  /// Linked section index (`sh_link`), e.g. a symbol table's string table.
  public let link: UInt32
  /// Extra information (`sh_info`).
  public let info: UInt32
  /// Size of one entry for table sections (`sh_entsize`).
  public let entrySize: UInt64

  /// Creates a section header from its fields.
  public init(
    name: String, type: UInt32, flags: UInt64, address: UInt64, offset: UInt64, size: UInt64, link: UInt32,
    info: UInt32, entrySize: UInt64
  ) {
    self.name = name
    self.type = type
    self.flags = flags
    self.address = address
    self.offset = offset
    self.size = size
    self.link = link
    self.info = info
    self.entrySize = entrySize
  }
}
