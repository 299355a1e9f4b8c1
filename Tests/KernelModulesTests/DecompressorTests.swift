import TestSupport
import Testing

@testable import KernelModules

@Suite("Decompressor", .requiresExecutable("/usr/bin/zstd"), .requiresExecutable("/usr/bin/xz"))
struct DecompressorTests {
  /// Larger than the 64 KiB decode chunk, so the loops run several times.
  static let original = ModuleFixtures.sampleBytes(count: 300_000)

  static func compressed(
    _ format: CompressionFormat, _ bytes: [UInt8] = original
  ) throws -> [UInt8] {
    switch format {
    case .xz: try ModuleFixtures.run("xz", ["-c", "-6"], input: bytes)
    case .zstd: try ModuleFixtures.run("zstd", ["-c", "-q", "-19"], input: bytes)
    case .gzip: try ModuleFixtures.run("gzip", ["-c", "-9"], input: bytes)
    }
  }

  @Test(
    "round trip through the CLI compressor",
    arguments: CompressionFormat.allCases)
  func roundTrip(format: CompressionFormat) throws {
    let packed = try Self.compressed(format)
    #expect(packed.count < Self.original.count)
    #expect(CompressionFormat.detect(packed) == format)
    #expect(
      try Decompressor.decompress(packed, format: format) == Self.original)
    #expect(try Decompressor.decompress(packed) == Self.original)
    #expect(try Decompressor.decompressIfNeeded(packed) == Self.original)
  }

  @Test("empty payload round trips", arguments: CompressionFormat.allCases)
  func emptyPayload(format: CompressionFormat) throws {
    let packed = try Self.compressed(format, [])
    #expect(try Decompressor.decompress(packed) == [])
  }

  @Test(
    "concatenated streams decode in turn", arguments: CompressionFormat.allCases
  )
  func concatenated(format: CompressionFormat) throws {
    let first = Array("first part\n".utf8)
    let second = Array("second part\n".utf8)
    let packed =
      try Self.compressed(format, first) + Self.compressed(format, second)
    #expect(try Decompressor.decompress(packed) == first + second)
  }

  @Test("zstd frame has no content size when piped")
  func zstdWithoutContentSize() throws {
    let packed = try Self.compressed(.zstd)
    // Frame header descriptor: bits 6-7 are the content-size flag; 0 with no single-segment bit
    // means the size is absent.
    let descriptor = packed[4]
    #expect(descriptor >> 6 == 0 && descriptor & 0x20 == 0)
    #expect(try Decompressor.decompress(packed) == Self.original)
  }

  @Test(
    "a flipped byte gives an error, not a crash",
    arguments: CompressionFormat.allCases)
  func corruptBody(format: CompressionFormat) throws {
    var packed = try Self.compressed(format)
    for offset in stride(
      from: packed.count / 3, to: packed.count / 3 + 64, by: 1)
    {
      packed[offset] ^= 0x5A
    }
    #expect(throws: DecompressionError.self) {
      try Decompressor.decompress(packed, format: format)
    }
  }

  @Test(
    "a cut-off stream is reported as truncated",
    arguments: CompressionFormat.allCases)
  func truncated(format: CompressionFormat) throws {
    let packed = try Self.compressed(format)
    let cut = Array(packed.prefix(packed.count / 2))
    #expect(throws: DecompressionError.truncated(format)) {
      try Decompressor.decompress(cut)
    }
  }

  @Test(
    "a damaged header is reported as corrupt",
    arguments: CompressionFormat.allCases)
  func corruptHeader(format: CompressionFormat) throws {
    let bytes = format.magic + Array(repeating: 0xEE, count: 64)
    #expect {
      try Decompressor.decompress(bytes)
    } throws: { error in
      guard case .corrupt(let reported, _) = error as? DecompressionError else {
        return false
      }
      return reported == format
    }
  }

  @Test(
    "output beyond the limit is refused", arguments: CompressionFormat.allCases)
  func limit(format: CompressionFormat) throws {
    let packed = try Self.compressed(format)
    #expect(throws: DecompressionError.outputTooLarge(limit: 100_000)) {
      try Decompressor.decompress(packed, limit: 100_000)
    }
  }

  @Test("unknown magic, plain ELF and empty input")
  func unknownInput() throws {
    let elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0]
    #expect(CompressionFormat.detect(elf) == nil)
    #expect(throws: DecompressionError.unknownFormat) {
      try Decompressor.decompress(elf)
    }
    #expect(throws: DecompressionError.unknownFormat) {
      try Decompressor.decompress([])
    }
    #expect(throws: DecompressionError.truncated(.xz)) {
      try Decompressor.decompress([], format: .xz)
    }
    #expect(try Decompressor.decompressIfNeeded(elf) == elf)
  }

  @Test("format from file name")
  func fileNames() {
    #expect(CompressionFormat(fileName: "kvm.ko.xz") == .xz)
    #expect(CompressionFormat(fileName: "kvm.ko.zst") == .zstd)
    #expect(CompressionFormat(fileName: "kvm.ko.gz") == .gzip)
    #expect(CompressionFormat(fileName: "kvm.ko") == nil)
  }
}
