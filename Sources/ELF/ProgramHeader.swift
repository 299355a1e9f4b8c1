/// One entry of the program header table (a segment).
public struct ProgramHeader: Equatable, Sendable {
  /// `PT_LOAD`: a loadable segment.
  public static let typeLoad: UInt32 = 1
  /// `PT_DYNAMIC`: the dynamic section.
  public static let typeDynamic: UInt32 = 2
  /// `PT_INTERP`: the program interpreter path.
  public static let typeInterp: UInt32 = 3
  /// `PT_NOTE`: auxiliary notes.
  public static let typeNote: UInt32 = 4
  /// `PT_GNU_STACK`: stack permissions.
  public static let typeGNUStack: UInt32 = 0x6474_e551
  /// `PT_GNU_RELRO`: the region made read-only after relocation.
  public static let typeGNURelro: UInt32 = 0x6474_e552
  /// `PT_GNU_PROPERTY`: the `.note.gnu.property` note, which the kernel and ld.so read (CET marking).
  public static let typeGNUProperty: UInt32 = 0x6474_e553
  /// `PF_X`: executable.
  public static let flagExecute: UInt32 = 1
  /// `PF_W`: writable.
  public static let flagWrite: UInt32 = 2
  /// `PF_R`: readable.
  public static let flagRead: UInt32 = 4

  /// Segment type (`p_type`).
  public let type: UInt32
  /// Permission flags (`p_flags`).
  public let flags: UInt32
  /// File offset of the segment (`p_offset`).
  public let offset: UInt64
  /// Virtual address (`p_vaddr`).
  public let virtualAddress: UInt64
  /// Bytes in the file (`p_filesz`).
  public let fileSize: UInt64
  /// Bytes in memory (`p_memsz`).
  public let memorySize: UInt64

  /// Creates a program header from its fields.
  public init(
    type: UInt32, flags: UInt32, offset: UInt64, virtualAddress: UInt64, fileSize: UInt64, memorySize: UInt64
  ) {
    self.type = type
    self.flags = flags
    self.offset = offset
    self.virtualAddress = virtualAddress
    self.fileSize = fileSize
    self.memorySize = memorySize
  }
}
