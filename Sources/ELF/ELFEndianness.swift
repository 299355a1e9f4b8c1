/// The byte order of an ELF file (`EI_DATA`).
public enum ELFEndianness: UInt8, Sendable {
  /// Two's complement, little endian (`ELFDATA2LSB`).
  case little = 1
  /// Two's complement, big endian (`ELFDATA2MSB`).
  case big = 2
}
