import Enforcement
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Backups are found by UUID or by the exact bytes of the saved definition's name.
@Suite struct BackupStoreTests {
  static func definition(_ name: String, _ uuid: String) -> String {
    "<domain type='qemu'><name>\(name)</name><uuid>\(uuid)</uuid><memory>65536</memory><devices/></domain>\n"
  }

  static func withStore(_ body: (BackupStore, String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-backups-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let clock = { @Sendable in Date(timeIntervalSince1970: 1_800_000_000) }
    try body(BackupStore(directory: directory, clock: clock), directory)
  }

  static let db = "11111111-1111-1111-1111-111111111111"
  static let zeroOneDB = "22222222-2222-2222-2222-222222222222"

  @Test func aNameThatLooksLikeACollisionSuffixIsItsOwnDomain() throws {
    try Self.withStore { store, _ in
      _ = try store.save(Self.definition("db", Self.db), name: "db", uuid: Self.db)
      _ = try store.save(Self.definition("01-db", Self.zeroOneDB), name: "01-db", uuid: Self.zeroOneDB)
      #expect(store.backups(of: "db").map(\.uuid) == [Self.db])
      #expect(store.backups(of: "01-db").map(\.uuid) == [Self.zeroOneDB])
      #expect(store.backups(of: Self.zeroOneDB.uppercased()).map(\.name) == ["01-db"])
    }
  }

  @Test func namesAreComparedAsBytesNotByUnicodeEquivalence() throws {
    try Self.withStore { store, _ in
      let composed = "m\u{00FC}ller"  // ü as one code point (NFC)
      let decomposed = "mu\u{0308}ller"  // u + combining diaeresis (NFD): another domain to libvirt
      #expect(composed == decomposed, "Swift's == would confuse them")
      _ = try store.save(Self.definition(composed, Self.db), name: composed, uuid: Self.db)
      #expect(store.backups(of: composed).count == 1)
      #expect(store.backups(of: decomposed).isEmpty)
    }
  }

  @Test func sameMillisecondBackupsGetSuffixesAndSortOldestFirst() throws {
    try Self.withStore { store, _ in
      let first = try store.save(Self.definition("vm", Self.db), name: "vm", uuid: Self.db)
      let second = try store.save(Self.definition("vm", Self.db), name: "vm", uuid: Self.db)
      #expect(first.id == "20270115T080000.000Z")
      #expect(second.id == "20270115T080000.000Z-2")
      #expect(store.backups(of: "vm").map(\.id) == [first.id, second.id])
      var info = stat()
      #expect(stat(first.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }
  }

  @Test func emptyForeignOrWritableFilesAreNeverOffered() throws {
    try Self.withStore { store, directory in
      let good = try store.save(Self.definition("vm", Self.db), name: "vm", uuid: Self.db)
      let folder = directory + "/" + Self.db
      _ = FileManager.default.createFile(atPath: folder + "/20270115T090000.000Z.xml", contents: Data(), attributes: [.posixPermissions: 0o600])
      FileManager.default.createFile(
        atPath: folder + "/20270115T100000.000Z.xml", contents: Data(Self.definition("vm", Self.db).utf8), attributes: [.posixPermissions: 0o666])
      chmod(folder + "/20270115T100000.000Z.xml", 0o666)
      #expect(store.backups(of: "vm").map(\.id) == [good.id])
    }
  }
}

/// A backup that cannot be written says where and why, in a sentence.
@Suite struct BackupStoreErrorTests {
  @Test func aFileInTheWayIsNamed() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-notadir-\(UUID().uuidString)").path
    try "x".write(toFile: file, atomically: false, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let store = BackupStore(directory: file + "/backups")
    #expect {
      try store.save("<domain/>", name: "vm", uuid: BackupStoreTests.db)
    } throws: { error in
      "\(error)" == "\(file): cannot create the directory: a regular file is in the way"
    }
  }
}

/// Backups are pruned per domain: the newest `keep` stay.
@Suite struct BackupPruningTests {
  @Test func onlyTheNewestKeepBackupsOfADomainStay() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-prune-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let clock = { @Sendable in Date(timeIntervalSince1970: 1_800_000_000) }
    let store = BackupStore(directory: directory, keep: 3, clock: clock)
    var ids: [String] = []
    for _ in 0..<5 { ids.append(try store.save(BackupStoreTests.definition("vm", BackupStoreTests.db), name: "vm", uuid: BackupStoreTests.db).id) }
    _ = try store.save(BackupStoreTests.definition("other", BackupStoreTests.zeroOneDB), name: "other", uuid: BackupStoreTests.zeroOneDB)
    #expect(store.backups(of: "vm").map(\.id) == Array(ids.suffix(3)))
    #expect(store.backups(of: "other").count == 1, "another domain's backups are its own")
  }
}

/// Any name libvirt accepts can be backed up: the file name no longer holds it.
@Suite struct LongNameBackupTests {
  @Test func aNameOf240BytesIsBackedUpAndFound() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvmpolicy-long-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let name = String(repeating: "n", count: 240)
    let store = BackupStore(directory: directory)
    let backup = try store.save(BackupStoreTests.definition(name, BackupStoreTests.db), name: name, uuid: BackupStoreTests.db)
    #expect(store.backups(of: name).map(\.id) == [backup.id])
  }
}
