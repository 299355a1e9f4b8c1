/// Where `ModuleLocator` found a kernel module, or why it found none.
public enum ModuleLocation: Equatable, Sendable {
  /// Why a module is judged built into the kernel.
  public enum BuiltInEvidence: Equatable, Sendable {
    /// Listed in `/lib/modules/<release>/modules.builtin`.
    case modulesBuiltin
    /// `/sys/module/<name>` exists with no `initstate`, the mark of a built-in module.
    case sysfs
  }

  /// Why no module was found.
  public enum NotFoundReason: Equatable, Sendable {
    /// `/lib/modules/<release>` does not exist (typical of VM kernels that have no modules).
    case noModulesDirectory(path: String)
    /// `modules.dep` lists the module but its file is absent.
    case fileMissing(path: String)
    /// The modules directory exists but neither `modules.dep` nor `modules.builtin` names it.
    case notListed
    /// `/sys/module/<name>` shows a loaded module, but no file for it was found on disk.
    case loadedWithoutFile
  }

  /// A module file on disk, and its compression (nil for a plain `.ko`).
  case file(path: String, compression: CompressionFormat?)
  /// Compiled into the kernel: there is no file and nothing to load.
  case builtIn(BuiltInEvidence)
  /// Not available for this kernel release.
  case notFound(NotFoundReason)
}
