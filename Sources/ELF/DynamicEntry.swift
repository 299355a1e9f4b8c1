/// One entry of the dynamic section, with its string resolved for string-valued tags.
public struct DynamicEntry: Equatable, Sendable {
  /// `DT_NEEDED`: a needed library (string).
  public static let tagNeeded: Int64 = 1
  /// `DT_STRTAB`: address of the dynamic string table.
  public static let tagStrtab: Int64 = 5
  /// `DT_SONAME`: the shared object name (string).
  public static let tagSoname: Int64 = 14
  /// `DT_RPATH`: the legacy library search path (string).
  public static let tagRpath: Int64 = 15
  /// `DT_DEBUG`: reserved for the debugger; present in executables.
  public static let tagDebug: Int64 = 21
  /// `DT_TEXTREL`: relocations may write to a non-writable segment (text relocations).
  public static let tagTextrel: Int64 = 22
  /// `DT_BIND_NOW`: resolve all symbols at load time.
  public static let tagBindNow: Int64 = 24
  /// `DT_RUNPATH`: the library search path (string).
  public static let tagRunpath: Int64 = 29
  /// `DT_FLAGS`: `DF_*` flags.
  public static let tagFlags: Int64 = 30
  /// `DT_FLAGS_1`: `DF_1_*` flags.
  public static let tagFlags1: Int64 = 0x6fff_fffb
  /// `DF_TEXTREL` in `DT_FLAGS`: the `DT_TEXTREL` meaning, as a flag.
  public static let flagTextrel: UInt64 = 0x4
  /// `DF_BIND_NOW` in `DT_FLAGS`.
  public static let flagBindNow: UInt64 = 0x8
  /// `DF_1_NOW` in `DT_FLAGS_1`.
  public static let flag1Now: UInt64 = 0x1
  /// `DF_1_PIE` in `DT_FLAGS_1`.
  public static let flag1PIE: UInt64 = 0x0800_0000

  /// The tag (`d_tag`).
  public let tag: Int64
  /// The value or address (`d_un`).
  public let value: UInt64
  /// For `DT_NEEDED`, `DT_SONAME`, `DT_RPATH` and `DT_RUNPATH`: the string from the dynamic string table.
  public let string: String?

  /// Creates a dynamic entry from its fields.
  public init(tag: Int64, value: UInt64, string: String? = nil) {
    self.tag = tag
    self.value = value
    self.string = string
  }

  /// Whether the tag names a string in the dynamic string table.
  static func hasStringValue(_ tag: Int64) -> Bool {
    tag == tagNeeded || tag == tagSoname || tag == tagRpath || tag == tagRunpath
  }
}
