import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The daemon that runs libvirt's QEMU driver and its hooks (`libvirtd`, or `virtqemud` on
/// hosts with the modular daemons), found by its pid file, never by name.
///
/// libvirt looks up which hooks exist when the daemon starts and again only on SIGHUP
/// (`virHookInitialize`), so a hook installed after that is not called until a reload.
public struct LibvirtDaemon: Equatable, Sendable {
  /// `libvirtd` or `virtqemud`.
  public let name: String
  /// Its process id.
  public let pid: Int32
  /// When it started, in seconds since the epoch.
  public let startTime: Double

  /// The pid files looked at, in order, below `root`.
  public static let pidFiles = [("libvirtd", "/run/libvirtd.pid"), ("virtqemud", "/run/virtqemud.pid")]

  /// The running daemon, or `nil` when no pid file names a live process of that name.
  public static func find(root: String = "") -> LibvirtDaemon? {
    for (name, file) in pidFiles {
      guard let text = try? String(contentsOfFile: root + file, encoding: .utf8),
        let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
        let comm = try? String(contentsOfFile: "\(root)/proc/\(pid)/comm", encoding: .utf8),
        comm.trimmingCharacters(in: .newlines) == name,
        let started = startTime(pid: pid, root: root)
      else { continue }
      return LibvirtDaemon(name: name, pid: pid, startTime: started)
    }
    return nil
  }

  /// Sends SIGHUP, which makes the daemon look up its hooks again (running domains go on).
  public func reload() throws(ReloadError) {
    guard kill(pid, SIGHUP) == 0 else { throw ReloadError(description: "cannot signal \(name) (pid \(pid)): \(String(cString: strerror(errno)))") }
  }

  /// A reload that could not be sent.
  public struct ReloadError: Error, CustomStringConvertible {
    /// What failed.
    public let description: String
  }

  /// When process `pid` started: the boot time from /proc/stat plus field 22 of
  /// /proc/PID/stat (clock ticks after boot).
  static func startTime(pid: Int32, root: String) -> Double? {
    guard let stat = try? String(contentsOfFile: "\(root)/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")"),
      let system = try? String(contentsOfFile: "\(root)/proc/stat", encoding: .utf8),
      let bootLine = system.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
      let boot = Double(bootLine.dropFirst("btime ".count))
    else { return nil }
    // After the command name: state is field 3, so starttime (22) is the 20th from here.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
    return boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
  }
}
