import Foundation

/// Saved domain definitions: `<directory>/<uuid>/<timestamp>-<name>.xml`, written (and synced)
/// before a definition is changed, so none is ever lost.
public struct BackupStore: Sendable {
  /// One saved definition.
  public struct Backup: Equatable, Sendable {
    /// `<timestamp>-<name>`, what `restore --backup` takes.
    public let id: String
    /// The domain's UUID.
    public let uuid: String
    /// The domain's name when it was saved.
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
    let folder = URL(fileURLWithPath: directory).appendingPathComponent(uuid)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
    var id = "\(formatter.string(from: clock()))-\(name)"
    var file = folder.appendingPathComponent(id + ".xml")
    var suffix = 1
    while FileManager.default.fileExists(atPath: file.path) {
      suffix += 1
      id = "\(formatter.string(from: clock()))-\(suffix)-\(name)"
      file = folder.appendingPathComponent(id + ".xml")
    }
    let handle = try FileHandle(forWritingTo: create(file))
    defer { try? handle.close() }
    try handle.write(contentsOf: Data(xml.utf8))
    try handle.synchronize()
    return Backup(id: id, uuid: uuid, name: name, path: file.path)
  }

  /// Every backup of a domain (by name or UUID), oldest first.
  public func backups(of domain: String) -> [Backup] {
    let files = FileManager.default
    guard let uuids = try? files.contentsOfDirectory(atPath: directory) else { return [] }
    var result: [Backup] = []
    for uuid in uuids.sorted() {
      let folder = URL(fileURLWithPath: directory).appendingPathComponent(uuid)
      for file in (try? files.contentsOfDirectory(atPath: folder.path))?.sorted() ?? [] where file.hasSuffix(".xml") {
        let id = String(file.dropLast(4))
        guard let dash = id.firstIndex(of: "-") else { continue }
        var name = String(id[id.index(after: dash)...])
        if let second = name.firstIndex(of: "-"), Int(name[..<second]) != nil { name = String(name[name.index(after: second)...]) }
        if name == domain || uuid == domain.lowercased() {
          result.append(Backup(id: id, uuid: uuid, name: name, path: folder.appendingPathComponent(file).path))
        }
      }
    }
    return result.sorted { $0.id < $1.id }
  }

  private func create(_ file: URL) throws -> URL {
    guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
      throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: file.path])
    }
    return file
  }
}
