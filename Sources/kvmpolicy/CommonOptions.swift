import ArgumentParser
import Enforcement
import Policy

/// `-c/--connect URI` for commands that talk to one libvirt.
struct ConnectionOption: ParsableArguments {
  @Option(
    name: [.customShort("c"), .customLong("connect")],
    help: ArgumentHelp("The libvirt URI, e.g. qemu:///system (default: libvirt's default, as virsh).", valueName: "uri"))
  var connect: String?
}

/// `--domain GLOB ...`: which domains a command looks at, checked when the command line is read.
struct DomainFilterOptions: ParsableArguments {
  @Option(
    name: .customLong("domain"),
    help: ArgumentHelp("Only domains whose name matches this glob (repeatable), e.g. 'web-*'.", valueName: "glob"))
  var domains: [String] = []

  func validate() throws {
    for pattern in domains {
      do { _ = try Glob(pattern) } catch { throw ValidationError("Invalid --domain pattern '\(pattern)': \(error.reason).") }
    }
  }

  /// Whether a domain name is selected (every name when no --domain was given).
  var selects: @Sendable (String) -> Bool {
    let globs = domains.compactMap { try? Glob($0) }
    return { name in globs.isEmpty || globs.contains { $0.matches(name) } }
  }
}

/// Where enforcement backs definitions up, and how many it keeps.
struct BackupOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Where definitions are backed up before a rewrite.", valueName: "dir"))
  var backupDir: String = BackupStore.defaultDirectory

  @Option(help: ArgumentHelp("How many backups of each domain to keep (the oldest go first).", valueName: "n"))
  var keep: Int = BackupStore.defaultKeep

  func validate() throws {
    guard keep >= 1 else { throw ValidationError("--keep must be at least 1: the backup just taken is always kept.") }
  }

  /// The store these options name.
  var store: BackupStore { BackupStore(directory: backupDir, keep: keep) }
}
