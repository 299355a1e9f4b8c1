/// Absolute paths as they really lead, worked out from the text alone (no file system): `.` and
/// empty components dropped, `..` taking the previous component away (never above `/`).
///
/// libvirt passes a disk's `source file` to QEMU as written, so `/var/lib/libvirt/images/../../../../etc/shadow`
/// opens `/etc/shadow`; a policy glob must see that, not the prefix it was written with.
enum LexicalPath {
  /// Whether ``normalized(_:)`` would change `text`: an absolute path with `//`, `/./` or
  /// `/../`, or a trailing `/.` or `/..`. The usual value has nothing to resolve.
  static func needsNormalizing(_ text: String) -> Bool {
    text.utf8.first == UInt8(ascii: "/") && needsWork(text)
  }

  /// `path` normalised when it is absolute; any other text unchanged.
  static func normalized(_ path: String) -> String {
    guard needsNormalizing(path) else { return path }
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

  /// Whether `text` is absolute and contains `/..` at all (a cheap byte scan that rules out
  /// almost every value).
  static func mayClimb(_ text: String) -> Bool {
    // Only an absolute path climbs: most values end here, at their first byte.
    guard text.utf8.first == UInt8(ascii: "/") else { return false }
    var slash = false
    var dots = 0
    for byte in text.utf8 {
      if byte == UInt8(ascii: "/") {
        slash = true
        dots = 0
      } else if byte == UInt8(ascii: "."), slash {
        dots += 1
        if dots == 2 { return true }
      } else {
        slash = false
        dots = 0
      }
    }
    return false
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
