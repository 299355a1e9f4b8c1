/// The word size of an ELF file (`EI_CLASS`).
public enum ELFClass: UInt8, Sendable {
  /// 32-bit objects (`ELFCLASS32`).
  case elf32 = 1
  /// 64-bit objects (`ELFCLASS64`).
  case elf64 = 2
}
