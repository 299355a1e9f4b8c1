/// One property of a GNU property note (`NT_GNU_PROPERTY_TYPE_0`, the `.note.gnu.property` section).
///
/// The note's descriptor is an array of `pr_type`, `pr_datasz`, data, each entry padded to 8
/// bytes in ELFCLASS64 files and to 4 in ELFCLASS32 files (the x86-64 psABI and the Linux
/// gABI extension). The linker combines the properties of its inputs: for an `…_AND` property
/// a bit survives only when every input has it, so one unmarked input unmarks the output.
public struct GNUProperty: Equatable, Sendable {
  /// `NT_GNU_PROPERTY_TYPE_0`: the note type that holds properties.
  public static let noteType: UInt32 = 5
  /// `GNU_PROPERTY_X86_FEATURE_1_AND`: the x86 CET features every input supports.
  public static let typeX86Feature1And: UInt32 = 0xc000_0002

  /// The property type (`pr_type`).
  public let type: UInt32
  /// The property's data (`pr_datasz` bytes).
  public let data: [UInt8]

  /// Creates a property from its fields.
  public init(type: UInt32, data: [UInt8]) {
    self.type = type
    self.data = data
  }

  /// The properties of every `GNU` note of type `NT_GNU_PROPERTY_TYPE_0` in `notes` (the bytes
  /// of a `PT_GNU_PROPERTY` segment or a `.note.gnu.property` section). Other notes are
  /// skipped; a note or property that runs past the end ends the parse with what was read.
  public static func parse(notes: [UInt8], elfClass: ELFClass, endianness: ELFEndianness) -> [GNUProperty] {
    let alignment: UInt64 = elfClass == .elf64 ? 8 : 4
    return notes.withUnsafeBytes { raw in
      let reader = ByteReader(bytes: raw, endianness: endianness)
      var properties: [GNUProperty] = []
      var position: UInt64 = 0
      while let nameSize = reader.u32(position), let descriptorSize = reader.u32(position + 4),
        let type = reader.u32(position + 8)
      {
        let nameStart = position + 12
        let descriptorStart = align(nameStart + UInt64(nameSize), to: alignment)
        let end = descriptorStart + UInt64(descriptorSize)
        guard reader.contains(offset: descriptorStart, count: UInt64(descriptorSize)) else { break }
        let name = reader.string(tableOffset: nameStart, tableSize: UInt64(nameSize), index: 0)
        if type == noteType && name == "GNU" {
          properties += parseDescriptor(reader, start: descriptorStart, end: end, alignment: alignment)
        }
        position = align(end, to: alignment)
      }
      return properties
    }
  }
}

private extension GNUProperty {
  /// `value` rounded up to a multiple of `alignment` (a power of two).
  static func align(_ value: UInt64, to alignment: UInt64) -> UInt64 {
    (value + alignment - 1) & ~(alignment - 1)
  }

  /// The properties between `start` and `end` of a note descriptor.
  static func parseDescriptor(_ reader: ByteReader, start: UInt64, end: UInt64, alignment: UInt64) -> [GNUProperty] {
    var properties: [GNUProperty] = []
    var position = start
    while position + 8 <= end, let type = reader.u32(position), let size = reader.u32(position + 4) {
      let dataStart = position + 8
      guard dataStart + UInt64(size) <= end else { break }
      let data = (0..<UInt64(size)).compactMap { reader.u8(dataStart + $0) }
      properties.append(GNUProperty(type: type, data: data))
      position = align(dataStart + UInt64(size), to: alignment)
    }
    return properties
  }
}
