/// A compression format a kernel module file may be stored in (`.ko.xz`, `.ko.zst`, `.ko.gz`).
public enum CompressionFormat: String, CaseIterable, Equatable, Sendable {
  /// xz (LZMA2) container, as written by `xz` and `CONFIG_MODULE_COMPRESS_XZ`.
  case xz
  /// Zstandard frames, as written by `zstd` and `CONFIG_MODULE_COMPRESS_ZSTD`.
  case zstd
  /// gzip member(s), as written by `gzip` and `CONFIG_MODULE_COMPRESS_GZIP`.
  case gzip

  /// The file-name suffix the kernel build gives modules compressed this way, with its dot.
  public var fileSuffix: String {
    switch self {
    case .xz: ".xz"
    case .zstd: ".zst"
    case .gzip: ".gz"
    }
  }

  /// The magic bytes every stream in this format starts with.
  public var magic: [UInt8] {
    switch self {
    case .xz: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]
    case .zstd: [0x28, 0xB5, 0x2F, 0xFD]
    case .gzip: [0x1F, 0x8B]
    }
  }

  /// Detects the format from the leading magic bytes; nil for anything else (such as a plain ELF).
  public static func detect(_ bytes: [UInt8]) -> CompressionFormat? {
    allCases.first { bytes.starts(with: $0.magic) }
  }

  /// The format a module file name says it uses (`kvm.ko.xz` → `.xz`); nil for a plain `.ko`.
  public init?(fileName: String) {
    guard
      let format = CompressionFormat.allCases.first(where: {
        fileName.hasSuffix($0.fileSuffix)
      })
    else { return nil }
    self = format
  }
}
