/// The signature appended to a kernel module by `scripts/sign-file`, read from its trailer.
///
/// A signed module ends with the signature blob, a 12-byte `struct module_signature`, and the
/// magic `~Module signature appended~\n`. The struct holds `algo`, `hash`, `id_type`, `signer_len`,
/// `key_id_len` (one byte each), three bytes of padding, and `sig_len` as a big-endian `UInt32`.
public struct ModuleSignature: Equatable, Sendable {
  /// How the signer is identified (`id_type`); modern kernels only write PKCS#7.
  public enum IDType: Equatable, Sendable {
    /// `PKEY_ID_PGP` (0).
    case pgp
    /// `PKEY_ID_X509` (1).
    case x509
    /// `PKEY_ID_PKCS7` (2): the signature is a PKCS#7 / CMS message.
    case pkcs7
    /// Any other value.
    case unknown(UInt8)

    /// The type for an `id_type` byte.
    public init(rawValue: UInt8) {
      switch rawValue {
      case 0: self = .pgp
      case 1: self = .x509
      case 2: self = .pkcs7
      default: self = .unknown(rawValue)
      }
    }
  }

  /// The trailer magic, `~Module signature appended~\n` (28 bytes).
  public static let magic: [UInt8] = Array("~Module signature appended~\n".utf8)

  /// The size of `struct module_signature`.
  public static let infoSize = 12

  /// The public-key algorithm byte (`algo`; 0 for PKCS#7, which names it inside the blob).
  public let algorithm: UInt8
  /// The hash algorithm byte (`hash`; 0 for PKCS#7).
  public let hashAlgorithm: UInt8
  /// How the signer is identified.
  public let idType: IDType
  /// Length of the signer's name (`signer_len`; 0 for PKCS#7).
  public let signerLength: Int
  /// Length of the key identifier (`key_id_len`; 0 for PKCS#7).
  public let keyIDLength: Int
  /// Length of the signature blob that precedes the struct (`sig_len`).
  public let signatureLength: Int
  /// Number of bytes before the signature blob: the module as it was before signing.
  public let moduleLength: Int

  /// Reads the trailer of an (uncompressed) module; nil when the module is unsigned, or when the
  /// trailer is damaged (its lengths do not fit in the file).
  public static func parse(_ bytes: [UInt8]) -> ModuleSignature? {
    let trailer = magic.count + infoSize
    guard bytes.count >= trailer, bytes.suffix(magic.count).elementsEqual(magic)
    else { return nil }
    let info = bytes.count - trailer
    let sigLength = bytes[(info + 8)..<(info + 12)].reduce(0) {
      ($0 << 8) | Int($1)
    }
    guard sigLength <= info else { return nil }
    return ModuleSignature(
      algorithm: bytes[info],
      hashAlgorithm: bytes[info + 1],
      idType: IDType(rawValue: bytes[info + 2]),
      signerLength: Int(bytes[info + 3]),
      keyIDLength: Int(bytes[info + 4]),
      signatureLength: sigLength,
      moduleLength: info - sigLength
    )
  }

  /// Whether the module bytes carry a well-formed signature trailer.
  public static func isSigned(_ bytes: [UInt8]) -> Bool {
    parse(bytes) != nil
  }
}
