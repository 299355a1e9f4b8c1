/// The kind of a device: the element name of a child of `<devices>`.
///
/// Every class libvirt documents has a case; an element libvirt adds later (or a foreign
/// namespaced element) becomes ``unknown(_:)`` and is kept, never dropped, so a policy's default
/// still judges it.
public enum DeviceClass: Hashable, Sendable, Comparable, CustomStringConvertible {
  case emulator, disk, controller, lease, filesystem, interface, input, sound, audio, hostdev
  case graphics, video, console, serial, parallel, channel, smartcard, redirdev, redirfilter, hub
  case tpm, rng, watchdog, memballoon, nvram, panic, shmem, memory, iommu, vsock, crypto
  /// An element kvmpolicy does not know, by its qualified name as written.
  case unknown(String)

  /// Every class kvmpolicy knows, in the order libvirt's documentation lists them.
  public static let known: [DeviceClass] = [
    .emulator, .disk, .controller, .lease, .filesystem, .interface, .input, .sound, .audio,
    .hostdev, .graphics, .video, .console, .serial, .parallel, .channel, .smartcard, .redirdev,
    .redirfilter, .hub, .tpm, .rng, .watchdog, .memballoon, .nvram, .panic, .shmem, .memory, .iommu,
    .vsock, .crypto,
  ]

  /// The class of a `<devices>` child with this qualified element name.
  public init(elementName: String) {
    // A scan, not a dictionary: 31 short names, and no hashed type to set up at start.
    self = Self.known.first { $0.name == elementName } ?? .unknown(elementName)
  }

  /// The element name: `disk`, `interface`, ... or the unknown element's own name.
  public var name: String {
    switch self {
    case .emulator: "emulator"
    case .disk: "disk"
    case .controller: "controller"
    case .lease: "lease"
    case .filesystem: "filesystem"
    case .interface: "interface"
    case .input: "input"
    case .sound: "sound"
    case .audio: "audio"
    case .hostdev: "hostdev"
    case .graphics: "graphics"
    case .video: "video"
    case .console: "console"
    case .serial: "serial"
    case .parallel: "parallel"
    case .channel: "channel"
    case .smartcard: "smartcard"
    case .redirdev: "redirdev"
    case .redirfilter: "redirfilter"
    case .hub: "hub"
    case .tpm: "tpm"
    case .rng: "rng"
    case .watchdog: "watchdog"
    case .memballoon: "memballoon"
    case .nvram: "nvram"
    case .panic: "panic"
    case .shmem: "shmem"
    case .memory: "memory"
    case .iommu: "iommu"
    case .vsock: "vsock"
    case .crypto: "crypto"
    case .unknown(let name): name
    }
  }

  /// The position in ``known``, `nil` for an unknown class.
  var ordinal: Int? {
    switch self {
    case .emulator: 0
    case .disk: 1
    case .controller: 2
    case .lease: 3
    case .filesystem: 4
    case .interface: 5
    case .input: 6
    case .sound: 7
    case .audio: 8
    case .hostdev: 9
    case .graphics: 10
    case .video: 11
    case .console: 12
    case .serial: 13
    case .parallel: 14
    case .channel: 15
    case .smartcard: 16
    case .redirdev: 17
    case .redirfilter: 18
    case .hub: 19
    case .tpm: 20
    case .rng: 21
    case .watchdog: 22
    case .memballoon: 23
    case .nvram: 24
    case .panic: 25
    case .shmem: 26
    case .memory: 27
    case .iommu: 28
    case .vsock: 29
    case .crypto: 30
    case .unknown: nil
    }
  }

  /// Whether kvmpolicy knows this class.
  public var isKnown: Bool {
    if case .unknown = self { return false }
    return true
  }

  /// The class name.
  public var description: String { name }

  /// Orders by name, which keeps reports deterministic.
  public static func < (lhs: DeviceClass, rhs: DeviceClass) -> Bool { lhs.name < rhs.name }
}
