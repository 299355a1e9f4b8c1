import Foundation
import SystemIO

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
  /// When it started, in seconds since the epoch: the earliest it can have started.
  public let startTime: Double
  /// How much later than ``startTime`` it may really have started: one clock tick with the
  /// boot time read from the clocks, a second more with `/proc/stat`'s whole-second `btime`.
  public let startUncertainty: Double

  /// The pid files looked at, in order, below `root`.
  public static let pidFiles = [("libvirtd", "/run/libvirtd.pid"), ("virtqemud", "/run/virtqemud.pid")]

  /// The running daemon, or `nil` when no pid file names a live process of that name.
  public static func find(root: String = "") -> LibvirtDaemon? {
    for (name, file) in pidFiles {
      guard let text = try? FileContents.text(root + file, limit: 1 << 20).get(),
        let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
        let comm = try? FileContents.text("\(root)/proc/\(pid)/comm", limit: 1 << 20).get(),
        comm.trimmingCharacters(in: .newlines) == name,
        let started = startTime(pid: pid, root: root)
      else { continue }
      return LibvirtDaemon(name: name, pid: pid, startTime: started.time, startUncertainty: started.uncertainty)
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

  /// When process `pid` started: the boot time plus field 22 of /proc/PID/stat (clock ticks
  /// after boot, truncated). On the live root the boot time comes from the clocks
  /// (`CLOCK_REALTIME` less `CLOCK_BOOTTIME`, which the kernel counts start times in); below a
  /// fake root, from `/proc/stat`'s `btime`, which the kernel truncates to whole seconds.
  /// Returns the earliest it can have started and how much later it may have, as
  /// ``startTime`` and ``startUncertainty`` hold for the daemon.
  public static func startTime(pid: Int32, root: String) -> (time: Double, uncertainty: Double)? {
    guard let stat = try? FileContents.text("\(root)/proc/\(pid)/stat", limit: 1 << 20).get(),
      let close = stat.lastIndex(of: ")"),
      let boot = root.isEmpty ? clockBootTime() : btime(root: root)
    else { return nil }
    // After the command name: state is field 3, so starttime (22) is the 20th from here.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    let tick = 1 / Double(sysconf(Int32(_SC_CLK_TCK)))
    guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
    return (boot.time + ticks * tick, boot.uncertainty + tick)
  }

  /// `/proc/stat`'s `btime`: whole seconds, so up to one second early.
  static func btime(root: String) -> (time: Double, uncertainty: Double)? {
    guard let system = try? FileContents.text("\(root)/proc/stat", limit: 1 << 20).get(),
      let line = system.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
      let seconds = Double(line.dropFirst("btime ".count))
    else { return nil }
    return (seconds, 1)
  }

  /// The boot time from the clocks, to the microsecond (NTP may have slewed the realtime clock
  /// since boot by a few milliseconds: counted as uncertainty).
  static func clockBootTime() -> (time: Double, uncertainty: Double)? {
    var now = timespec()
    var sinceBoot = timespec()
    guard clock_gettime(CLOCK_REALTIME, &now) == 0, clock_gettime(CLOCK_BOOTTIME, &sinceBoot) == 0 else { return nil }
    let seconds = Double(now.tv_sec - sinceBoot.tv_sec) + Double(now.tv_nsec - sinceBoot.tv_nsec) / 1e9
    return (seconds - 0.01, 0.02)
  }
}
