import Foundation
import TestSupport
import Testing

@testable import KernelModules

/// The locator and the signature reader on the real module files of Debian 12's kernel package
/// (fetched and cached by `DebianKernelModules`).
@Suite(.requiresDebianKernelModules)
struct DebianModuleFilesTests {
  @Test(arguments: [("kvm", "kvm.ko"), ("kvm_intel", "kvm-intel.ko"), ("kvm-amd", "kvm-amd.ko"), ("vhost_net", "vhost_net.ko")])
  func locatedUncompressedAndSignedWithPKCS7(name: String, file: String) throws {
    let unpacked = try DebianKernelModules.unpacked.get()
    let locator = ModuleLocator(release: unpacked.release, modulesRoot: unpacked.root + "/lib/modules", sysModuleRoot: "/nonexistent")
    guard case .file(let path, let compression) = locator.locate(name) else {
      Issue.record("\(name): \(locator.locate(name))")
      return
    }
    #expect(path.hasSuffix("/" + file))
    #expect(compression == nil, "Debian 12 builds with CONFIG_MODULE_COMPRESS_NONE")
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(CompressionFormat.detect(bytes) == nil)
    #expect(try Decompressor.decompressIfNeeded(bytes) == bytes)
    let signature = try #require(ModuleSignature.parse(bytes))
    #expect(signature.idType == .pkcs7)
    #expect(signature.signatureLength > 256, "an RSA signature in a CMS message")
    #expect(signature.moduleLength + signature.signatureLength + ModuleSignature.infoSize + ModuleSignature.magic.count == bytes.count)
    #expect(bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]))
  }
}
