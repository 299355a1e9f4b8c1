import ELF
import Testing

/// The note parser on hand-made bytes: alignment, byte order, other notes, truncation.
@Suite struct GNUPropertyTests {
  /// One note as glibc and readelf read notes aligned to `alignment` (8 for ELFCLASS64
  /// property notes): namesz, descsz, type, the name padded so the descriptor starts aligned,
  /// and the descriptor padded to the alignment.
  static func note(name: String, type: UInt32, descriptor: [UInt8], alignment: Int = 8, bigEndian: Bool = false) -> [UInt8] {
    var nameBytes = Array(name.utf8) + [0]
    let nameSize = UInt32(nameBytes.count)
    while (12 + nameBytes.count) % alignment != 0 { nameBytes.append(0) }
    var padded = descriptor
    while padded.count % alignment != 0 { padded.append(0) }
    return word(nameSize, bigEndian) + word(UInt32(descriptor.count), bigEndian) + word(type, bigEndian) + nameBytes + padded
  }

  static func word(_ value: UInt32, _ bigEndian: Bool) -> [UInt8] {
    let little = [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: value >> $0) }
    return bigEndian ? little.reversed() : little
  }

  /// The x86 feature property with `bits`, padded to `alignment`.
  static func feature(_ bits: UInt32, alignment: Int, bigEndian: Bool = false) -> [UInt8] {
    var bytes = word(0xc000_0002, bigEndian) + word(4, bigEndian) + word(bits, bigEndian)
    while bytes.count % alignment != 0 { bytes.append(0) }
    return bytes
  }

  /// The ISA-needed property (`0xc0008002`) that binutils 2.40 writes first, padded to 8.
  static let isaNeeded: [UInt8] = word(0xc000_8002, false) + word(4, false) + word(1, false) + [0, 0, 0, 0]

  @Test func featureAfterAnotherPropertyInA64BitNote() {
    let notes = Self.note(name: "GNU", type: 5, descriptor: Self.isaNeeded + Self.feature(3, alignment: 8))
    let properties = GNUProperty.parse(notes: notes, elfClass: .elf64, endianness: .little)
    #expect(properties.map(\.type) == [0xc000_8002, 0xc000_0002])
    #expect(properties[1].data == [3, 0, 0, 0])
  }

  @Test func otherNotesAreSkipped() {
    let buildID = Self.note(name: "GNU", type: 3, descriptor: [UInt8](repeating: 0xaa, count: 20))
    let foreign = Self.note(name: "Linux", type: 5, descriptor: Self.feature(1, alignment: 8))
    let wanted = Self.note(name: "GNU", type: 5, descriptor: Self.feature(2, alignment: 8))
    let notes = buildID + foreign + wanted
    let properties = GNUProperty.parse(notes: notes, elfClass: .elf64, endianness: .little)
    #expect(properties == [GNUProperty(type: 0xc000_0002, data: [2, 0, 0, 0])])
  }

  @Test func bigEndian32BitNote() {
    let notes = Self.note(
      name: "GNU", type: 5, descriptor: Self.feature(1, alignment: 4, bigEndian: true), alignment: 4, bigEndian: true)
    let properties = GNUProperty.parse(notes: notes, elfClass: .elf32, endianness: .big)
    #expect(properties == [GNUProperty(type: 0xc000_0002, data: [0, 0, 0, 1])])
  }

  @Test func truncatedNotesGiveWhatWasRead() {
    let whole = Self.note(name: "GNU", type: 5, descriptor: Self.feature(3, alignment: 8))
    for length in 0..<whole.count {
      #expect(GNUProperty.parse(notes: Array(whole.prefix(length)), elfClass: .elf64, endianness: .little).isEmpty, "\(length) bytes")
    }
    #expect(GNUProperty.parse(notes: whole, elfClass: .elf64, endianness: .little).count == 1)
    // A property whose size runs past its descriptor is dropped.
    var oversized = whole
    oversized[20] = 0x40
    #expect(GNUProperty.parse(notes: oversized, elfClass: .elf64, endianness: .little).isEmpty)
  }

  /// Byte flips and truncations of a two-note buffer never crash, and every property read lies
  /// inside the buffer.
  @Test func hostileNotesNeverCrash() {
    let whole = Self.note(name: "GNU", type: 3, descriptor: [1, 2, 3, 4])
      + Self.note(name: "GNU", type: 5, descriptor: Self.isaNeeded + Self.feature(3, alignment: 8))
    var state: UInt64 = 0x2545_f491_4f6c_dd1d
    func next() -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int(truncatingIfNeeded: state >> 33)
    }
    var found = 0
    for round in 0..<2000 {
      var bytes = whole
      if round % 4 == 0 { bytes = Array(bytes.prefix(next() % bytes.count)) }
      for _ in 0..<(1 + next() % 4) where !bytes.isEmpty {
        bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next())
      }
      let properties = GNUProperty.parse(notes: bytes, elfClass: round % 2 == 0 ? .elf64 : .elf32, endianness: .little)
      #expect(properties.allSatisfy { $0.data.count <= bytes.count })
      found += properties.count
    }
    #expect(found > 0, "some mutants still hold properties")
  }

  @Test func markingFromBits() {
    #expect(CETMarking(featureBits: nil).summary == "none")
    #expect(CETMarking(featureBits: 0).summary == "none")
    #expect(CETMarking(featureBits: 1).summary == "IBT")
    #expect(CETMarking(featureBits: 2).summary == "SHSTK")
    #expect(CETMarking(featureBits: 0xff).summary == "IBT, SHSTK")
  }
}
