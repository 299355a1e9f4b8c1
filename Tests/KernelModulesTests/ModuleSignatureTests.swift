import Testing

@testable import KernelModules

@Suite("ModuleSignature")
struct ModuleSignatureTests {
  /// A fake module body: ELF magic then filler.
  static let body: [UInt8] =
    [0x7F, 0x45, 0x4C, 0x46] + ModuleFixtures.sampleBytes(count: 4_000)

  /// Builds a `sign-file` style trailer: blob, `struct module_signature`, magic.
  static func trailer(
    idType: UInt8 = 2, blob: [UInt8], declaredLength: Int? = nil
  ) -> [UInt8] {
    let length = UInt32(declaredLength ?? blob.count)
    let info: [UInt8] = [
      0, 0, idType, 0, 0, 0, 0, 0,
      UInt8(length >> 24), UInt8((length >> 16) & 0xFF),
      UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF),
    ]
    return blob + info + Array("~Module signature appended~\n".utf8)
  }

  @Test("unsigned module gives nil")
  func unsigned() {
    #expect(ModuleSignature.parse(Self.body) == nil)
    #expect(!ModuleSignature.isSigned(Self.body))
    #expect(ModuleSignature.parse([]) == nil)
  }

  @Test("PKCS#7 trailer is read")
  func signed() throws {
    let blob = [UInt8](repeating: 0x30, count: 675)
    let module = Self.body + Self.trailer(blob: blob)
    let signature = try #require(ModuleSignature.parse(module))
    #expect(signature.idType == .pkcs7)
    #expect(signature.signatureLength == 675)
    #expect(signature.moduleLength == Self.body.count)
    #expect(signature.algorithm == 0 && signature.hashAlgorithm == 0)
    #expect(ModuleSignature.isSigned(module))
  }

  @Test("big-endian length above 255 and other id types")
  func lengthsAndTypes() throws {
    let blob = [UInt8](repeating: 0xAB, count: 0x1_0203)
    let signature = try #require(
      ModuleSignature.parse(Self.body + Self.trailer(idType: 1, blob: blob)))
    #expect(signature.signatureLength == 0x1_0203)
    #expect(signature.idType == .x509)
    let odd = try #require(
      ModuleSignature.parse(Self.body + Self.trailer(idType: 9, blob: [1, 2])))
    #expect(odd.idType == .unknown(9))
  }

  @Test("a length larger than the file gives nil")
  func damaged() {
    let module =
      Array(Self.body.prefix(10))
      + Self.trailer(blob: [1, 2, 3], declaredLength: 1_000_000)
    #expect(ModuleSignature.parse(module) == nil)
  }

  @Test("signature of an xz-compressed signed module after decompression")
  func compressedSigned() throws {
    let module =
      Self.body + Self.trailer(blob: [UInt8](repeating: 7, count: 500))
    let packed = try ModuleFixtures.run("xz", ["-c"], input: module)
    #expect(ModuleSignature.parse(packed) == nil)
    let signature = try #require(
      ModuleSignature.parse(try Decompressor.decompressIfNeeded(packed)))
    #expect(signature.signatureLength == 500)
  }
}
