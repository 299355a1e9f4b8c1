/// User and group names from the root's /etc/passwd and /etc/group (numbers when not listed).
struct Accounts {
  /// Name, uid and primary gid per /etc/passwd line.
  let users: [(name: String, uid: UInt32, gid: UInt32)]
  /// Name, gid and listed members per /etc/group line.
  let groups: [(name: String, gid: UInt32, members: [String])]

  init(files: HostFiles) {
    let lines = { (path: String) in
      (files.text(path) ?? "").split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
    }
    users = lines("/etc/passwd").compactMap { entry in
      guard entry.count >= 4, let uid = UInt32(entry[2]), let gid = UInt32(entry[3]) else { return nil }
      return (entry[0], uid, gid)
    }
    groups = lines("/etc/group").compactMap { entry in
      guard entry.count >= 4, let gid = UInt32(entry[2]) else { return nil }
      return (entry[0], gid, entry[3].split(separator: ",").map(String.init))
    }
  }

  func user(_ uid: UInt32) -> String { users.first { $0.uid == uid }?.name ?? String(uid) }

  func group(_ gid: UInt32) -> String { groups.first { $0.gid == gid }?.name ?? String(gid) }

  /// The uid a name stands for, the way libvirt reads `user` in qemu.conf: `+N` is the number
  /// N, otherwise the name is looked up first and then read as a number.
  func uid(of name: String) -> UInt32? {
    if name.hasPrefix("+") { return UInt32(name.dropFirst()) }
    return users.first { $0.name == name }?.uid ?? UInt32(name)
  }

  /// The gid a name stands for, read like ``uid(of:)``.
  func gid(of name: String) -> UInt32? {
    if name.hasPrefix("+") { return UInt32(name.dropFirst()) }
    return groups.first { $0.name == name }?.gid ?? UInt32(name)
  }

  /// The group's listed members and the users whose primary group it is, sorted.
  func members(gid: UInt32) -> [String] {
    let listed = groups.first { $0.gid == gid }?.members ?? []
    return Array(Set(listed + users.filter { $0.gid == gid }.map(\.name))).sorted()
  }
}
