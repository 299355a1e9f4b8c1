import DomainModel
import Foundation
import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// Saved domain definitions: `<directory>/<uuid>/<timestamp>[-<n>].xml`, written whole (synced,
/// then renamed into place) before a definition is changed, so none is ever lost and none is
/// ever half there.
///
/// A backup is found by its domain's UUID (the folder) or by the exact bytes of the name inside
/// the saved definition: never by a name parsed back from a file name, and never by Unicode
/// equivalence (`ü` spelled NFC and NFD are two domains to libvirt).
public struct BackupStore: Sendable {
  /// One saved definition.
  public struct Backup: Equatable, Sendable {
    /// `<timestamp>[-<n>]` (older backups: `<timestamp>-<name>`), what `restore --backup` takes.
    public let id: String
    /// The domain's UUID.
    public let uuid: String
    /// The domain's name when it was saved, as the saved definition spells it.
    public let name: String
    /// The file.
    public let path: String
  }

  /// The default directory.
  public static let defaultDirectory = "/var/lib/kvmpolicy/backups"

  /// Where backups live.
  public let directory: String
  /// How many backups of each domain are kept; older ones go when a new one is saved.
  public let keep: Int
  private let clock: @Sendable () -> Date

  /// How many backups of a domain are kept unless told otherwise.
  public static let defaultKeep = 20

  /// Creates a store; `clock` is injectable for tests.
  public init(
    directory: String = BackupStore.defaultDirectory, keep: Int = BackupStore.defaultKeep, clock: @escaping @Sendable () -> Date = Date.init
  ) {
    self.directory = directory
    self.keep = max(keep, 1)
    self.clock = clock
  }

  /// Saves `xml` as the current definition of the domain and returns the backup.
  public func save(_ xml: String, name: String, uuid: String) throws -> Backup {
    guard !uuid.isEmpty, !uuid.contains("/"), uuid != ".", uuid != ".." else {
      throw SystemError(path: directory, operation: "back up \(name)", reason: "the domain has no usable UUID ('\(uuid)')")
    }
    let folder = URL(fileURLWithPath: directory).appendingPathComponent(uuid)
    try Directories.create(folder.path, mode: 0o700)
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
    let stamp = formatter.string(from: clock())
    // Within one millisecond, suffixes count up from the highest there, so the order of the ids
    // stays the order of the backups even after pruning.
    let taken = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
      .filter { $0.hasSuffix(".xml") }.map { Self.order(String($0.dropLast(4))) }.filter { $0.stamp == stamp }
    let id = taken.isEmpty ? stamp : "\(stamp)-\((taken.map(\.number).max() ?? 1) + 1)"
    let file = folder.appendingPathComponent(id + ".xml").path
    try AtomicFile.write(Array(xml.utf8), to: file, mode: 0o600)
    prune(folder.path)
    return Backup(id: id, uuid: uuid, name: name, path: file)
  }

  /// Removes the oldest backups in one domain's folder beyond ``keep`` (the newest stay).
  private func prune(_ folder: String) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
    let ids = names.filter { $0.hasSuffix(".xml") && !$0.hasPrefix(".") }.map { String($0.dropLast(4)) }.sorted(by: Self.precedes)
    for id in ids.dropLast(keep) { unlink(folder + "/" + id + ".xml") }
  }

  /// A backup id's place in time: its timestamp, then its collision number (1 for none; an
  /// older `<timestamp>-<name>` id counts as 1).
  static func order(_ id: String) -> (stamp: String, number: Int) {
    guard let z = id.firstIndex(of: "Z") else { return (id, 1) }
    let stamp = String(id[...z])
    let rest = id[id.index(after: z)...]
    return (stamp, rest.hasPrefix("-") ? Int(rest.dropFirst()) ?? 1 : 1)
  }

  /// Whether backup `a` was taken before backup `b`.
  static func precedes(_ a: String, _ b: String) -> Bool {
    let (x, y) = (order(a), order(b))
    return x.stamp == y.stamp ? x.number < y.number : x.stamp.utf8.lexicographicallyPrecedes(y.stamp.utf8)
  }

  /// Every backup of a domain, by its exact name or its UUID, oldest first. Files that are empty,
  /// not owned by this user, writable by others, or not a domain definition are passed over:
  /// `restore` defines what it finds here.
  public func backups(of domain: String) -> [Backup] {
    let files = FileManager.default
    guard let uuids = try? files.contentsOfDirectory(atPath: directory) else { return [] }
    let wanted = Array(domain.utf8)
    var result: [Backup] = []
    for uuid in uuids.sorted() {
      let folder = URL(fileURLWithPath: directory).appendingPathComponent(uuid)
      for file in (try? files.contentsOfDirectory(atPath: folder.path))?.sorted() ?? [] where file.hasSuffix(".xml") {
        let path = folder.appendingPathComponent(file).path
        guard Self.isTrusted(path), let xml = try? FileContents.text(path, limit: 16 << 20).get(),
          let saved = try? Domain.parse(xml: xml, source: path)
        else { continue }
        if Array(saved.name.utf8) == wanted || uuid == domain.lowercased() {
          result.append(Backup(id: String(file.dropLast(4)), uuid: uuid, name: saved.name, path: path))
        }
      }
    }
    return result.sorted { Self.precedes($0.id, $1.id) }
  }

  /// A regular, non-empty file owned by this user that nobody else can write.
  private static func isTrusted(_ path: String) -> Bool {
    var info = stat()
    guard lstat(path, &info) == 0 else { return false }
    return info.st_mode & S_IFMT == S_IFREG && info.st_size > 0 && info.st_uid == geteuid() && info.st_mode & 0o022 == 0
  }
}
