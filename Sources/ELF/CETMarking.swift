/// The x86 control-flow enforcement (CET) features an ELF file is marked as ready for: the
/// `GNU_PROPERTY_X86_FEATURE_1_AND` property of its `.note.gnu.property` note.
///
/// A marking says the code was built for the feature (`-fcf-protection`); it does not say the
/// feature is enforced. Enforcement needs a CPU with CET, a kernel that enables it for the
/// process (user shadow stacks since Linux 6.6; user IBT not in mainline), a loader that asks
/// for it (glibc 2.39 and later), and every loaded object marked. The running process's
/// `x86_Thread_features` line in `/proc/PID/status` says what is enforced.
///
/// The linker keeps a bit only when all its inputs carry it. Debian 12's start files
/// (`crti.o`, `crtn.o`) carry no note, so binaries linked there lose the marking even when
/// every source file was compiled with `-fcf-protection`.
public struct CETMarking: Equatable, Sendable {
  /// `GNU_PROPERTY_X86_FEATURE_1_IBT`: indirect branch tracking (every branch target has `ENDBR`).
  public static let featureIBT: UInt32 = 0x1
  /// `GNU_PROPERTY_X86_FEATURE_1_SHSTK`: compatible with a shadow stack.
  public static let featureSHSTK: UInt32 = 0x2

  /// The `GNU_PROPERTY_X86_FEATURE_1_AND` bits, or `nil` when the file has no such property.
  public let featureBits: UInt32?

  /// Creates a marking from the property's bits (`nil`: no property).
  public init(featureBits: UInt32?) {
    self.featureBits = featureBits
  }

  /// Reads the marking of `file` (`PT_GNU_PROPERTY`, else `.note.gnu.property`).
  public init(_ file: ELFFile) {
    let property = file.gnuProperties.first { $0.type == GNUProperty.typeX86Feature1And && $0.data.count >= 4 }
    featureBits = property.map { property in
      let bytes = property.data.prefix(4).map(UInt32.init)
      return file.endianness == .little
        ? bytes[0] | bytes[1] << 8 | bytes[2] << 16 | bytes[3] << 24
        : bytes[3] | bytes[2] << 8 | bytes[1] << 16 | bytes[0] << 24
    }
  }

  /// Whether the file is marked for indirect branch tracking.
  public var ibt: Bool { (featureBits ?? 0) & Self.featureIBT != 0 }

  /// Whether the file is marked as shadow-stack compatible.
  public var shstk: Bool { (featureBits ?? 0) & Self.featureSHSTK != 0 }

  /// The marked features as readelf names them, e.g. `IBT, SHSTK`, or `none`.
  public var summary: String {
    let names = [ibt ? "IBT" : nil, shstk ? "SHSTK" : nil].compactMap { $0 }
    return names.isEmpty ? "none" : names.joined(separator: ", ")
  }
}
