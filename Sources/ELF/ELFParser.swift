/// Parses every table the hardening checks need from mapped bytes, bounds-checking each offset.
struct ELFParser {
  let path: String
  let reader: ByteReader
  let elfClass: ELFClass
  let type: ELFType
  let machine: UInt16
  let programHeaders: [ProgramHeader]
  let sections: [SectionHeader]
  let dynamicEntries: [DynamicEntry]
  let dynamicSymbols: [ELFSymbol]
  let symbols: [ELFSymbol]

  /// The ELF magic, `\x7fELF`.
  static let magic: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]

  /// Parses `bytes` (the whole file) or throws why it is not a well-formed ELF file.
  init(path: String, bytes: UnsafeRawBufferPointer) throws(ELFError) {
    self.path = path
    let prefix = Array(bytes.prefix(4))
    guard prefix == Array(Self.magic.prefix(prefix.count)), !prefix.isEmpty else { throw .notELF(path: path) }
    guard bytes.count >= 16 else { throw .truncated(path: path, what: "ELF identification") }
    guard let elfClass = ELFClass(rawValue: bytes[4]) else {
      throw .corrupt(path: path, reason: "unknown EI_CLASS \(bytes[4])")
    }
    guard let endianness = ELFEndianness(rawValue: bytes[5]) else {
      throw .corrupt(path: path, reason: "unknown EI_DATA \(bytes[5])")
    }
    let reader = ByteReader(bytes: bytes, endianness: endianness)
    self.reader = reader
    self.elfClass = elfClass
    let is64 = elfClass == .elf64
    let headerSize: UInt64 = is64 ? 64 : 52
    guard reader.contains(offset: 0, count: headerSize) else { throw .truncated(path: path, what: "ELF header") }
    let rawType = reader.u16(16) ?? 0
    type = ELFType(rawValue: rawType)
    machine = reader.u16(18) ?? 0
    let phoff = reader.word(is64 ? 32 : 28, elfClass) ?? 0
    let shoff = reader.word(is64 ? 40 : 32, elfClass) ?? 0
    let phentsize = UInt64(reader.u16(is64 ? 54 : 42) ?? 0)
    let phnum = UInt64(reader.u16(is64 ? 56 : 44) ?? 0)
    let shentsize = UInt64(reader.u16(is64 ? 58 : 46) ?? 0)
    var shnum = UInt64(reader.u16(is64 ? 60 : 48) ?? 0)
    var shstrndx = UInt64(reader.u16(is64 ? 62 : 50) ?? 0)

    programHeaders = try Self.parseProgramHeaders(
      reader, elfClass, path: path, offset: phoff, entrySize: phentsize, count: phnum)

    // Section headers: with e_shnum == 0 or e_shstrndx == SHN_XINDEX the real values sit in section 0.
    var sections: [SectionHeader] = []
    if shoff != 0 {
      let minimum: UInt64 = is64 ? 64 : 40
      guard shentsize >= minimum else { throw .corrupt(path: path, reason: "e_shentsize \(shentsize) too small") }
      guard reader.contains(offset: shoff, count: shentsize) else {
        throw .truncated(path: path, what: "section header table")
      }
      if shnum == 0 { shnum = reader.word(shoff + (is64 ? 32 : 20), elfClass) ?? 0 }
      if shstrndx == 0xffff { shstrndx = UInt64(reader.u32(shoff + (is64 ? 40 : 24)) ?? 0) }
      let (tableSize, overflow) = shnum.multipliedReportingOverflow(by: shentsize)
      guard !overflow, reader.contains(offset: shoff, count: tableSize) else {
        throw .truncated(path: path, what: "section header table")
      }
      let raw = (0..<shnum).map { Self.rawSection(reader, elfClass, at: shoff + $0 * shentsize) }
      var nameTable: RawSection?
      if shstrndx < shnum {
        nameTable = raw[Int(shstrndx)]
      }
      sections = raw.map { section in
        var name = ""
        if let table = nameTable, table.type != SectionHeader.typeNobits {
          name =
            reader.string(tableOffset: table.offset, tableSize: table.size, index: UInt64(section.nameIndex)) ?? ""
        }
        return SectionHeader(
          name: name, type: section.type, flags: section.flags, address: section.address, offset: section.offset,
          size: section.size, link: section.link, info: section.info, entrySize: section.entrySize)
      }
    }
    self.sections = sections

    dynamicEntries = try Self.parseDynamic(
      reader, elfClass, path: path, sections: sections, programHeaders: programHeaders)

    var dynamicSymbols: [ELFSymbol] = []
    var symbols: [ELFSymbol] = []
    let versym = sections.first { $0.type == SectionHeader.typeGNUVersym }
    for section in sections where section.type == SectionHeader.typeSymtab || section.type == SectionHeader.typeDynsym {
      let isDynamic = section.type == SectionHeader.typeDynsym
      let table = try Self.parseSymbols(
        reader, elfClass, path: path, section: section, sections: sections, versym: isDynamic ? versym : nil)
      if isDynamic { dynamicSymbols += table } else { symbols += table }
    }
    self.dynamicSymbols = dynamicSymbols
    self.symbols = symbols
  }
}

private struct RawSection {
  let nameIndex: UInt32
  let type: UInt32
  let flags: UInt64
  let address: UInt64
  let offset: UInt64
  let size: UInt64
  let link: UInt32
  let info: UInt32
  let entrySize: UInt64
}

private extension ELFParser {
  static func parseProgramHeaders(
    _ reader: ByteReader, _ elfClass: ELFClass, path: String, offset: UInt64, entrySize: UInt64, count: UInt64
  ) throws(ELFError) -> [ProgramHeader] {
    guard count > 0, offset != 0 else { return [] }
    let is64 = elfClass == .elf64
    guard entrySize >= (is64 ? 56 : 32) else {
      throw .corrupt(path: path, reason: "e_phentsize \(entrySize) too small")
    }
    guard reader.contains(offset: offset, count: count * entrySize) else {
      throw .truncated(path: path, what: "program header table")
    }
    return (0..<count).map { index in
      let base = offset + index * entrySize
      if is64 {
        return ProgramHeader(
          type: reader.u32(base) ?? 0, flags: reader.u32(base + 4) ?? 0, offset: reader.u64(base + 8) ?? 0,
          virtualAddress: reader.u64(base + 16) ?? 0, fileSize: reader.u64(base + 32) ?? 0,
          memorySize: reader.u64(base + 40) ?? 0)
      }
      return ProgramHeader(
        type: reader.u32(base) ?? 0, flags: reader.u32(base + 24) ?? 0, offset: UInt64(reader.u32(base + 4) ?? 0),
        virtualAddress: UInt64(reader.u32(base + 8) ?? 0), fileSize: UInt64(reader.u32(base + 16) ?? 0),
        memorySize: UInt64(reader.u32(base + 20) ?? 0))
    }
  }

  static func rawSection(_ reader: ByteReader, _ elfClass: ELFClass, at base: UInt64) -> RawSection {
    if elfClass == .elf64 {
      return RawSection(
        nameIndex: reader.u32(base) ?? 0, type: reader.u32(base + 4) ?? 0, flags: reader.u64(base + 8) ?? 0,
        address: reader.u64(base + 16) ?? 0, offset: reader.u64(base + 24) ?? 0, size: reader.u64(base + 32) ?? 0,
        link: reader.u32(base + 40) ?? 0, info: reader.u32(base + 44) ?? 0, entrySize: reader.u64(base + 56) ?? 0)
    }
    let word = { (delta: UInt64) in UInt64(reader.u32(base + delta) ?? 0) }
    return RawSection(
      nameIndex: reader.u32(base) ?? 0, type: reader.u32(base + 4) ?? 0, flags: word(8), address: word(12),
      offset: word(16), size: word(20), link: reader.u32(base + 24) ?? 0, info: reader.u32(base + 28) ?? 0,
      entrySize: word(36))
  }

  /// The file offset of a virtual address, through the `PT_LOAD` segment that maps it.
  static func fileOffset(of address: UInt64, in programHeaders: [ProgramHeader]) -> UInt64? {
    for header in programHeaders where header.type == ProgramHeader.typeLoad {
      if address >= header.virtualAddress, address - header.virtualAddress < header.fileSize {
        return header.offset &+ (address - header.virtualAddress)
      }
    }
    return nil
  }

  static func parseDynamic(
    _ reader: ByteReader, _ elfClass: ELFClass, path: String, sections: [SectionHeader],
    programHeaders: [ProgramHeader]
  ) throws(ELFError) -> [DynamicEntry] {
    let is64 = elfClass == .elf64
    let entrySize: UInt64 = is64 ? 16 : 8
    let tableOffset: UInt64
    let tableSize: UInt64
    var strings: (offset: UInt64, size: UInt64)?
    if let section = sections.first(where: { $0.type == SectionHeader.typeDynamic }) {
      tableOffset = section.offset
      tableSize = section.size
      if Int(section.link) < sections.count, sections[Int(section.link)].type == SectionHeader.typeStrtab {
        let table = sections[Int(section.link)]
        strings = (table.offset, table.size)
      }
    } else if let segment = programHeaders.first(where: { $0.type == ProgramHeader.typeDynamic }) {
      tableOffset = segment.offset
      tableSize = segment.fileSize
    } else {
      return []
    }
    guard reader.contains(offset: tableOffset, count: tableSize) else {
      throw .truncated(path: path, what: "dynamic section")
    }
    var raw: [(tag: Int64, value: UInt64)] = []
    var position: UInt64 = 0
    while position + entrySize <= tableSize {
      let base = tableOffset + position
      let tag: Int64 = is64 ? Int64(bitPattern: reader.u64(base) ?? 0) : Int64(Int32(bitPattern: reader.u32(base) ?? 0))
      let value = reader.word(base + (is64 ? 8 : 4), elfClass) ?? 0
      if tag == 0 { break }
      raw.append((tag, value))
      position += entrySize
    }
    if strings == nil, let address = raw.first(where: { $0.tag == DynamicEntry.tagStrtab })?.value,
      let offset = fileOffset(of: address, in: programHeaders)
    {
      strings = (offset, UInt64(reader.bytes.count) - min(offset, UInt64(reader.bytes.count)))
    }
    return raw.map { entry in
      var string: String?
      if DynamicEntry.hasStringValue(entry.tag), let table = strings {
        string = reader.string(tableOffset: table.offset, tableSize: table.size, index: entry.value)
      }
      return DynamicEntry(tag: entry.tag, value: entry.value, string: string)
    }
  }

  static func parseSymbols(
    _ reader: ByteReader, _ elfClass: ELFClass, path: String, section: SectionHeader, sections: [SectionHeader],
    versym: SectionHeader?
  ) throws(ELFError) -> [ELFSymbol] {
    let is64 = elfClass == .elf64
    let minimum: UInt64 = is64 ? 24 : 16
    let stride = section.entrySize >= minimum ? section.entrySize : minimum
    guard reader.contains(offset: section.offset, count: section.size) else {
      throw .truncated(path: path, what: "symbol table \(section.name)")
    }
    var strings: (offset: UInt64, size: UInt64)?
    if Int(section.link) < sections.count {
      let table = sections[Int(section.link)]
      if table.type != SectionHeader.typeNobits { strings = (table.offset, table.size) }
    }
    let count = section.size / stride
    var versions: UInt64?
    if let versym, versym.type != SectionHeader.typeNobits, reader.contains(offset: versym.offset, count: count * 2) {
      versions = versym.offset
    }
    return (0..<count).map { index in
      let base = section.offset + index * stride
      let nameIndex = UInt64(reader.u32(base) ?? 0)
      var name = ""
      if let table = strings {
        name = reader.string(tableOffset: table.offset, tableSize: table.size, index: nameIndex) ?? ""
      }
      let version = versions.flatMap { reader.u16($0 + index * 2) }
      if is64 {
        return ELFSymbol(
          name: name, value: reader.u64(base + 8) ?? 0, size: reader.u64(base + 16) ?? 0, info: reader.u8(base + 4) ?? 0,
          sectionIndex: reader.u16(base + 6) ?? 0, versionIndex: version)
      }
      return ELFSymbol(
        name: name, value: UInt64(reader.u32(base + 4) ?? 0), size: UInt64(reader.u32(base + 8) ?? 0),
        info: reader.u8(base + 12) ?? 0, sectionIndex: reader.u16(base + 14) ?? 0, versionIndex: version)
    }
  }
}
