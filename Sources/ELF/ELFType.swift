/// The object file type (`e_type`).
public enum ELFType: Equatable, Sendable {
  /// A relocatable object, such as a `.o` file or a kernel module (`ET_REL`).
  case relocatable
  /// A fixed-address executable (`ET_EXEC`).
  case executable
  /// A shared object or position-independent executable (`ET_DYN`).
  case sharedObject
  /// A core dump (`ET_CORE`).
  case core
  /// Any other value (`ET_NONE`, OS- or processor-specific).
  case other(UInt16)

  /// Maps a raw `e_type` value.
  public init(rawValue: UInt16) {
    switch rawValue {
    case 1: self = .relocatable
    case 2: self = .executable
    case 3: self = .sharedObject
    case 4: self = .core
    default: self = .other(rawValue)
    }
  }
}
