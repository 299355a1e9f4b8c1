/// One symbol of `.symtab` or `.dynsym`.
public struct ELFSymbol: Equatable, Sendable {
  /// The name without any version suffix.
  public let name: String
  /// The value (`st_value`).
  public let value: UInt64
  /// The size (`st_size`).
  public let size: UInt64
  /// Type and binding (`st_info`).
  public let info: UInt8
  /// The section index (`st_shndx`); 0 (`SHN_UNDEF`) for imported symbols.
  public let sectionIndex: UInt16
  /// For `.dynsym` entries with a `.gnu.version` table: the raw version index, hidden bit included.
  public let versionIndex: UInt16?

  /// Creates a symbol from its fields.
  public init(
    name: String, value: UInt64, size: UInt64, info: UInt8, sectionIndex: UInt16, versionIndex: UInt16? = nil
  ) {
    self.name = name
    self.value = value
    self.size = size
    self.info = info
    self.sectionIndex = sectionIndex
    self.versionIndex = versionIndex
  }

  /// Whether the symbol is defined in this file (`st_shndx != SHN_UNDEF`).
  public var isDefined: Bool { sectionIndex != 0 }

  /// Whether readelf prints it with a default version, `name@@VERSION`: defined, versioned, not hidden.
  public var hasDefaultVersion: Bool {
    guard isDefined, let version = versionIndex else { return false }
    return version & 0x8000 == 0 && version & 0x7fff >= 2
  }
}
