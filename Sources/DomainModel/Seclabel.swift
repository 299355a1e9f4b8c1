/// A domain-level `<seclabel>` element: how sVirt should (or did) confine the guest.
///
/// In an inactive definition it is what the operator asked for; in live XML libvirt fills in
/// the generated `label` and `imagelabel`.
public struct Seclabel: Hashable, Sendable {
  /// `dynamic`, `static` or `none` (libvirt's default is `dynamic`).
  public let type: String?
  /// The security driver: `selinux`, `apparmor`, `dac`, or `nil` for the host's primary one.
  public let model: String?
  /// `yes` or `no`: whether libvirt relabels the guest's resources.
  public let relabel: String?
  /// The process label, e.g. `system_u:system_r:svirt_t:s0:c1,c2` or `libvirt-<uuid>`.
  public let label: String?
  /// The label of the guest's image files.
  public let imagelabel: String?
  /// The base label a dynamic label is generated from.
  public let baselabel: String?
  /// The 1-based source line of the element.
  public let line: Int

  /// Creates a seclabel; normally done by ``DomainDocument``.
  public init(
    type: String?, model: String?, relabel: String?, label: String?, imagelabel: String?,
    baselabel: String?, line: Int
  ) {
    self.type = type
    self.model = model
    self.relabel = relabel
    self.label = label
    self.imagelabel = imagelabel
    self.baselabel = baselabel
    self.line = line
  }
}

extension Seclabel {
  /// The children of `<seclabel>` the model reads.
  enum Field: String {
    case label, imagelabel, baselabel
  }

  /// A `<seclabel>` being read: its attributes, and the text of the first of each field.
  struct Draft {
    var line = 0
    private var type, model, relabel, label, imagelabel, baselabel: String?

    init(line: Int = 0) { self.line = line }

    /// An attribute in no namespace (the first of a name counts).
    mutating func attribute(_ name: String, _ value: String) {
      switch name {
      case "type": type = type ?? value
      case "model": model = model ?? value
      case "relabel": relabel = relabel ?? value
      default: break
      }
    }

    /// The trimmed text of a field child (the first of a name counts).
    mutating func set(_ field: Field, _ text: String) {
      switch field {
      case .label: label = label ?? text
      case .imagelabel: imagelabel = imagelabel ?? text
      case .baselabel: baselabel = baselabel ?? text
      }
    }

    var seclabel: Seclabel {
      Seclabel(type: type, model: model, relabel: relabel, label: label, imagelabel: imagelabel, baselabel: baselabel, line: line)
    }
  }
}
