import ArgumentParser
import Enforcement
import Policy

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
