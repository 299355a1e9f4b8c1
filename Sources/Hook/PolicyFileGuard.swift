#if canImport(Glibc)
  import Glibc
#endif

/// Refuses a policy file anyone but root could have changed, as sshd's StrictModes does:
/// the file and every directory above it must be owned by root and not writable by group or
/// others.
public enum PolicyFileGuard {
  /// Why the file is unsafe, or `nil` when it is safe (or does not exist: reading reports that).
  ///
  /// A symbolic link is judged on both sides, as sshd does: the path as given and the path it
  /// resolves to, each file and every directory above it. A root-owned link into a directory a
  /// user can write is unsafe: that user could swap what it points to.
  public static func problem(with path: String, trustedOwner: uid_t = 0) -> String? {
    if let problem = chainProblem(path, trustedOwner: trustedOwner) { return problem }
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    let target = String(cString: resolved)
    guard target != path else { return nil }
    return chainProblem(target, trustedOwner: trustedOwner).map { "\(path) resolves to \(target), and \($0)" }
  }

  private static func chainProblem(_ path: String, trustedOwner: uid_t) -> String? {
    var current = path
    var first = true
    while true {
      var info = stat()
      if stat(current, &info) != 0 {
        if first { return nil }
      } else {
        let mode = info.st_mode & 0o7777
        let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        // A sticky directory such as /tmp is writable by all yet cannot be used to swap the file.
        let sticky = isDirectory && (mode & UInt32(S_ISVTX)) != 0
        if info.st_uid != trustedOwner {
          return "\(current) is owned by uid \(info.st_uid), not root"
        }
        if mode & 0o022 != 0 && !sticky {
          return "\(current) is writable by \((mode & 0o002) != 0 ? "everyone" : "its group") (mode \(String(mode, radix: 8)))"
        }
      }
      first = false
      guard current != "/", let slash = current.lastIndex(of: "/") else { return nil }
      current = slash == current.startIndex ? "/" : String(current[..<slash])
    }
  }
}
