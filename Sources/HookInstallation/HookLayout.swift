import Hook

/// Where the pre-start hook lives on a host, below an install root (`/` on a real host).
///
/// libvirt runs every executable in `/etc/libvirt/hooks/qemu.d/` for each QEMU domain event
/// (libvirt >= 6.5). kvmpolicy's entry there is a small shell wrapper that execs the hook binary
/// with the installed policy; the wrapper carries ``marker`` so that only a hook kvmpolicy
/// installed is ever replaced or removed.
public struct HookLayout: Equatable, Sendable {
  /// The install root, without a trailing slash (`""` for `/`).
  public let root: String

  /// A layout below `root`.
  public init(root: String = "/") {
    var trimmed = root
    while trimmed.hasSuffix("/") { trimmed.removeLast() }
    self.root = trimmed
  }

  /// The line every wrapper kvmpolicy writes carries.
  public static let marker = "Installed by kvmpolicy install-hook"
  /// Where the Debian package puts the hook binary.
  public static let packagedBinary = "/usr/libexec/kvmpolicy/kvmpolicy-hook"
  /// Where `install-hook` copies a hook binary that is not the packaged one.
  public static let copiedBinary = "/usr/local/libexec/kvmpolicy/kvmpolicy-hook"
  /// The wrapper in libvirt's hook directory.
  public static let wrapper = "/etc/libvirt/hooks/qemu.d/kvmpolicy"
  /// libvirt's single-file hook, which libvirt runs as well (left alone).
  public static let legacyHook = "/etc/libvirt/hooks/qemu"

  /// `path` (absolute, as the host sees it) below this layout's root.
  public func path(_ path: String) -> String { root + path }

  /// The installed policy.
  public var policy: String { path(HookRequest.defaultPolicyPath) }
  /// The wrapper.
  public var wrapper: String { path(Self.wrapper) }

  /// The wrapper's text: exec `binary` (as the host sees it) on the installed policy; `--`
  /// before libvirt's arguments, so no domain name is taken for an option.
  public static func wrapperText(binary: String, onPolicyError: HookRequest.PolicyErrorMode) -> String {
    """
    #!/bin/sh
    # \(marker): refuses to start domains that break the policy.
    exec '\(binary)' --policy '\(HookRequest.defaultPolicyPath)' --on-policy-error \(onPolicyError.rawValue) -- "$@"

    """
  }

  /// What a wrapper says: the binary it execs (as the host sees it), or `nil` when the text is
  /// not a wrapper kvmpolicy wrote.
  public static func binary(inWrapper text: String) -> String? {
    guard text.contains(marker) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("exec '") {
      let rest = line.dropFirst("exec '".count)
      guard let end = rest.firstIndex(of: "'") else { return nil }
      return String(rest[..<end])
    }
    return nil
  }
}
