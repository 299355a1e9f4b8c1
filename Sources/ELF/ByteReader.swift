/// Bounds-checked, endian-aware reads from a mapped file; every read returns nil past the end.
struct ByteReader {
  /// The mapped bytes.
  let bytes: UnsafeRawBufferPointer
  /// The file's byte order.
  let endianness: ELFEndianness

  /// Whether `count` bytes starting at `offset` lie inside the buffer.
  func contains(offset: UInt64, count: UInt64) -> Bool {
    let (end, overflow) = offset.addingReportingOverflow(count)
    return !overflow && end <= UInt64(bytes.count)
  }

  /// A byte at `offset`.
  func u8(_ offset: UInt64) -> UInt8? {
    guard contains(offset: offset, count: 1) else { return nil }
    return bytes[Int(offset)]
  }

  /// A 16-bit value at `offset`.
  func u16(_ offset: UInt64) -> UInt16? {
    guard contains(offset: offset, count: 2) else { return nil }
    let raw = bytes.loadUnaligned(fromByteOffset: Int(offset), as: UInt16.self)
    return endianness == .little ? UInt16(littleEndian: raw) : UInt16(bigEndian: raw)
  }

  /// A 32-bit value at `offset`.
  func u32(_ offset: UInt64) -> UInt32? {
    guard contains(offset: offset, count: 4) else { return nil }
    let raw = bytes.loadUnaligned(fromByteOffset: Int(offset), as: UInt32.self)
    return endianness == .little ? UInt32(littleEndian: raw) : UInt32(bigEndian: raw)
  }

  /// A 64-bit value at `offset`.
  func u64(_ offset: UInt64) -> UInt64? {
    guard contains(offset: offset, count: 8) else { return nil }
    let raw = bytes.loadUnaligned(fromByteOffset: Int(offset), as: UInt64.self)
    return endianness == .little ? UInt64(littleEndian: raw) : UInt64(bigEndian: raw)
  }

  /// A word: 32 bits widened for ELFCLASS32, 64 bits for ELFCLASS64.
  func word(_ offset: UInt64, _ elfClass: ELFClass) -> UInt64? {
    elfClass == .elf64 ? u64(offset) : u32(offset).map(UInt64.init)
  }

  /// The NUL-terminated string at `start + index`, not reading past `start + size` or the buffer.
  func string(tableOffset start: UInt64, tableSize size: UInt64, index: UInt64) -> String? {
    guard index < size, let (first, overflow) = Optional(start.addingReportingOverflow(index)), !overflow,
      contains(offset: first, count: 1)
    else { return nil }
    let limit = min(UInt64(bytes.count), start &+ size < start ? UInt64(bytes.count) : start &+ size)
    var end = first
    while end < limit && bytes[Int(end)] != 0 { end += 1 }
    let slice = UnsafeRawBufferPointer(rebasing: bytes[Int(first)..<Int(end)])
    return String(decoding: slice, as: UTF8.self)
  }
}
