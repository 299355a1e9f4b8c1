/// Absolute paths as they really lead, worked out from the text alone (no file system): `.` and
/// empty components dropped, `..` taking the previous component away (never above `/`).
///
/// libvirt passes a disk's `source file` to QEMU as written, so `/var/lib/libvirt/images/../../../../etc/shadow`
/// opens `/etc/shadow`; a policy glob must see that, not the prefix it was written with.
enum LexicalPath {
  /// `path` normalised when it is absolute; any other text unchanged.
  static func normalized(_ path: String) -> String {
    guard path.utf8.first == UInt8(ascii: "/") else { return path }
    // The usual path has nothing to resolve: no `//`, `/./` or `/../` and no trailing `/.` or `/..`.
    guard needsWork(path) else { return path }
    var components: [Substring] = []
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
      switch component {
      case ".": continue
      case "..": if !components.isEmpty { components.removeLast() }
      default: components.append(component)
      }
    }
    return "/" + components.joined(separator: "/")
  }

  /// Whether an absolute path has a `..` component: it climbs back up what it wrote.
  static func climbs(_ path: String) -> Bool {
    guard path.utf8.first == UInt8(ascii: "/") else { return false }
    return path.split(separator: "/", omittingEmptySubsequences: true).contains("..")
  }

  private static func needsWork(_ path: String) -> Bool {
    var previous: UInt8 = 0
    var dots = 0
    for byte in path.utf8 {
      if byte == UInt8(ascii: "/") {
        if previous == UInt8(ascii: "/") || dots == 1 || dots == 2 { return true }
        dots = 0
      } else if byte == UInt8(ascii: ".") && (previous == UInt8(ascii: "/") || dots > 0) {
        dots += 1
      } else {
        dots = -1
      }
      previous = byte
    }
    return dots == 1 || dots == 2
  }
}
