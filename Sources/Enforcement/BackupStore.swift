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
  private let clock: @Sendable () -> Date

  /// Creates a store; `clock` is injectable for tests.
  public init(directory: String = BackupStore.defaultDirectory, clock: @escaping @Sendable () -> Date = Date.init) {
    self.directory = directory
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
    var id = stamp
    var suffix = 1
    while FileManager.default.fileExists(atPath: folder.appendingPathComponent(id + ".xml").path) {
      suffix += 1
      id = "\(stamp)-\(suffix)"
    }
    let file = folder.appendingPathComponent(id + ".xml").path
    try AtomicFile.write(Array(xml.utf8), to: file, mode: 0o600)
    return Backup(id: id, uuid: uuid, name: name, path: file)
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
        guard Self.isTrusted(path), let xml = try? String(contentsOfFile: path, encoding: .utf8),
          let saved = try? Domain.parse(xml: xml, source: path)
        else { continue }
        if Array(saved.name.utf8) == wanted || uuid == domain.lowercased() {
          result.append(Backup(id: String(file.dropLast(4)), uuid: uuid, name: saved.name, path: path))
        }
      }
    }
    return result.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
  }

  /// A regular, non-empty file owned by this user that nobody else can write.
  private static func isTrusted(_ path: String) -> Bool {
    var info = stat()
    guard lstat(path, &info) == 0 else { return false }
    return info.st_mode & S_IFMT == S_IFREG && info.st_size > 0 && info.st_uid == geteuid() && info.st_mode & 0o022 == 0
  }
}
