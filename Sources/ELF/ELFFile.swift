#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A read-only memory-mapped ELF file (32- or 64-bit, either byte order) and its parsed tables.
///
/// The header, program headers, section headers, dynamic section and symbol tables are parsed and
/// bounds-checked once, in `init`; a missing, non-ELF, truncated or corrupt file throws `ELFError`.
/// The mapping lives as long as the object and is unmapped in `deinit`.
public final class ELFFile {
  /// The path the file was opened from.
  public let path: String
  /// 32- or 64-bit.
  public let elfClass: ELFClass
  /// The byte order of the file.
  public let endianness: ELFEndianness
  /// The object type (`e_type`).
  public let type: ELFType
  /// The target machine (`e_machine`), e.g. 62 for x86-64.
  public let machine: UInt16
  /// The program headers (segments), in file order; empty for most relocatable objects.
  public let programHeaders: [ProgramHeader]
  /// The section headers with their names, in file order; empty when the file has no section table.
  public let sections: [SectionHeader]
  /// The dynamic section up to `DT_NULL`; empty for static executables and objects.
  public let dynamicEntries: [DynamicEntry]
  /// The symbols of `.dynsym`, entry 0 included.
  public let dynamicSymbols: [ELFSymbol]
  /// The symbols of `.symtab` (every `SHT_SYMTAB` section), entry 0 included; empty when stripped.
  public let symbols: [ELFSymbol]
  /// The size of the file in bytes.
  public let size: Int

  private let mapping: UnsafeMutableRawPointer?
  /// Whether `mapping` came from `mmap` (else it was allocated by ``init(bytes:name:)``).
  private let isMapped: Bool

  /// Maps and parses the file at `path`.
  public convenience init(path: String) throws(ELFError) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      let code = errno
      throw code == ENOENT || code == ENOTDIR
        ? .fileNotFound(path: path) : .ioError(path: path, operation: "open", errno: code)
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw .ioError(path: path, operation: "fstat", errno: errno) }
    guard status.st_mode & S_IFMT == S_IFREG else { throw .ioError(path: path, operation: "open", errno: EISDIR) }
    let length = Int(status.st_size)
    var mapping: UnsafeMutableRawPointer?
    if length > 0 {
      let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0)
      guard let address, address != MAP_FAILED else { throw .ioError(path: path, operation: "mmap", errno: errno) }
      mapping = address
    }
    let bytes = UnsafeRawBufferPointer(start: mapping, count: mapping == nil ? 0 : length)
    let parsed: ELFParser
    do {
      parsed = try ELFParser(path: path, bytes: bytes)
    } catch {
      if let mapping { munmap(mapping, length) }
      throw error
    }
    self.init(path: path, parsed: parsed, mapping: mapping, isMapped: true, size: length)
  }

  /// Takes over a parsed image and the memory behind it.
  private init(path: String, parsed: ELFParser, mapping: UnsafeMutableRawPointer?, isMapped: Bool, size: Int) {
    self.path = path
    self.mapping = mapping
    self.isMapped = isMapped
    self.size = size
    elfClass = parsed.elfClass
    endianness = parsed.reader.endianness
    type = parsed.type
    machine = parsed.machine
    programHeaders = parsed.programHeaders
    sections = parsed.sections
    dynamicEntries = parsed.dynamicEntries
    dynamicSymbols = parsed.dynamicSymbols
    symbols = parsed.symbols
  }

  /// Parses an ELF image already in memory (e.g. a decompressed kernel module); `name` stands
  /// for the path in errors.
  public convenience init(bytes: [UInt8], name: String) throws(ELFError) {
    let copy = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
    bytes.withUnsafeBytes { source in
      if let base = source.baseAddress { copy.copyMemory(from: base, byteCount: bytes.count) }
    }
    let parsed: ELFParser
    do {
      parsed = try ELFParser(path: name, bytes: UnsafeRawBufferPointer(start: copy, count: bytes.count))
    } catch {
      copy.deallocate()
      throw error
    }
    self.init(path: name, parsed: parsed, mapping: copy, isMapped: false, size: bytes.count)
  }

  deinit {
    guard let mapping else { return }
    if isMapped { munmap(mapping, size) } else { mapping.deallocate() }
  }

  /// The bytes of the first section with this name, or `nil` when it is absent, has no file
  /// data (`SHT_NOBITS`), or lies outside the file.
  public func sectionData(named name: String) -> [UInt8]? {
    section(named: name).flatMap(sectionData)
  }

  /// The bytes of `section`, or `nil` when it has no file data (`SHT_NOBITS`) or lies outside the file.
  public func sectionData(_ section: SectionHeader) -> [UInt8]? {
    guard section.type != SectionHeader.typeNobits else { return nil }
    return fileBytes(offset: section.offset, count: section.size)
  }

  /// The file bytes of `segment` (`p_filesz` of them), or `nil` when they lie outside the file.
  public func segmentData(_ segment: ProgramHeader) -> [UInt8]? {
    fileBytes(offset: segment.offset, count: segment.fileSize)
  }

  /// `count` bytes at `offset`, or `nil` when they lie outside the file.
  private func fileBytes(offset: UInt64, count: UInt64) -> [UInt8]? {
    guard let mapping, offset <= UInt64(size), count <= UInt64(size) - offset else { return nil }
    return Array(UnsafeRawBufferPointer(start: mapping + Int(offset), count: Int(count)))
  }
}

extension ELFFile {
  /// The program headers of one type, e.g. `ProgramHeader.typeGNUStack`.
  public func programHeaders(ofType type: UInt32) -> [ProgramHeader] {
    programHeaders.filter { $0.type == type }
  }

  /// The first section with this exact name, e.g. ".symtab".
  public func section(named name: String) -> SectionHeader? {
    sections.first { $0.name == name }
  }

  /// The dynamic entries with one tag, in order.
  public func dynamicEntries(withTag tag: Int64) -> [DynamicEntry] {
    dynamicEntries.filter { $0.tag == tag }
  }

  /// `DT_FLAGS` (all entries or-ed), 0 when absent.
  public var dynamicFlags: UInt64 {
    dynamicEntries(withTag: DynamicEntry.tagFlags).reduce(0) { $0 | $1.value }
  }

  /// `DT_FLAGS_1` (all entries or-ed), 0 when absent.
  public var dynamicFlags1: UInt64 {
    dynamicEntries(withTag: DynamicEntry.tagFlags1).reduce(0) { $0 | $1.value }
  }

  /// Whether a `DT_BIND_NOW` entry is present.
  public var hasBindNowEntry: Bool { !dynamicEntries(withTag: DynamicEntry.tagBindNow).isEmpty }

  /// Whether a `DT_DEBUG` entry is present.
  public var hasDebugEntry: Bool { !dynamicEntries(withTag: DynamicEntry.tagDebug).isEmpty }

  /// Whether a `DT_TEXTREL` entry is present.
  public var hasTextrelEntry: Bool { !dynamicEntries(withTag: DynamicEntry.tagTextrel).isEmpty }

  /// The `DT_RPATH` strings, in order.
  public var rpaths: [String] { dynamicEntries(withTag: DynamicEntry.tagRpath).compactMap(\.string) }

  /// The `DT_RUNPATH` strings, in order.
  public var runpaths: [String] { dynamicEntries(withTag: DynamicEntry.tagRunpath).compactMap(\.string) }

  /// The `DT_NEEDED` library names, in order.
  public var neededLibraries: [String] { dynamicEntries(withTag: DynamicEntry.tagNeeded).compactMap(\.string) }

  /// The names in `.dynsym`, empty names left out.
  public var dynamicSymbolNames: [String] { dynamicSymbols.map(\.name).filter { !$0.isEmpty } }

  /// The names in `.symtab`, empty names left out.
  public var symbolNames: [String] { symbols.map(\.name).filter { !$0.isEmpty } }

  /// The properties of the `NT_GNU_PROPERTY_TYPE_0` notes: from `PT_GNU_PROPERTY` when the file
  /// has one (what the kernel and ld.so read), otherwise from its `.note.gnu.property` sections
  /// (relocatable objects, and files linked before `PT_GNU_PROPERTY` existed).
  public var gnuProperties: [GNUProperty] {
    let segments = programHeaders(ofType: ProgramHeader.typeGNUProperty)
    if !segments.isEmpty {
      return segments.flatMap { segment in
        segmentData(segment).map { GNUProperty.parse(notes: $0, elfClass: elfClass, endianness: endianness) } ?? []
      }
    }
    return sections.filter { $0.type == SectionHeader.typeNote && $0.name == ".note.gnu.property" }.flatMap { section in
      sectionData(section).map { GNUProperty.parse(notes: $0, elfClass: elfClass, endianness: endianness) } ?? []
    }
  }
}
