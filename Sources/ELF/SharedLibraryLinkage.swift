#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Where the dynamic loader would find each shared library an ELF file needs, and which of them
/// it would take from outside the system library directories.
///
/// A binary that installs into a host's boot path (the libvirt hook) must load on a host
/// without the Swift toolchain: every `NEEDED` library must resolve in the system directories.
/// Search order as ld.so has it: `DT_RPATH` (only without `DT_RUNPATH`), then `DT_RUNPATH`, then
/// the system directories; `$ORIGIN` is the file's own directory. `LD_LIBRARY_PATH` is not
/// consulted: libvirt runs its hooks with a clean environment.
public struct SharedLibraryLinkage: Equatable, Sendable {
  /// One `NEEDED` entry and where it resolves.
  public struct Library: Equatable, Sendable {
    /// The soname, e.g. `libxml2.so.2`.
    public let name: String
    /// The file the loader would open, or `nil` when none exists.
    public let path: String?
    /// Whether `path` lies in a system library directory.
    public let isSystem: Bool
  }

  /// The file that was read.
  public let file: String
  /// Its RUNPATH (or RPATH) directories, `$ORIGIN` expanded.
  public let searchPath: [String]
  /// The system directories searched after them.
  public let systemDirectories: [String]
  /// Every `NEEDED` library, in file order.
  public let libraries: [Library]

  /// Works out where `elf`'s libraries resolve; `exists` says whether a path is a file, and
  /// `name` is how reports call the file (default: its path).
  public init(_ elf: ELFFile, as name: String? = nil, exists: (String) -> Bool = Self.fileExists) {
    file = name ?? elf.path
    let origin = elf.path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    let declared = elf.runpaths.isEmpty ? elf.rpaths : elf.runpaths
    searchPath = declared.flatMap { $0.split(separator: ":").map(String.init) }.filter { !$0.isEmpty }.map {
      $0.replacing("${ORIGIN}", with: origin.isEmpty ? "/" : origin).replacing("$ORIGIN", with: origin.isEmpty ? "/" : origin)
    }
    let system = Self.systemDirectories(machine: elf.machine)
    systemDirectories = system
    let candidates = searchPath + system
    libraries = elf.neededLibraries.map { name in
      // A NEEDED entry with a slash is a path, used as it is.
      if name.contains("/") { return Library(name: name, path: exists(name) ? name : nil, isSystem: false) }
      for directory in candidates where exists(directory + "/" + name) {
        return Library(name: name, path: directory + "/" + name, isSystem: system.contains(directory))
      }
      return Library(name: name, path: nil, isSystem: false)
    }
  }

  /// Whether every library resolves in a system directory (a file with none needs none).
  public var isSelfContained: Bool { libraries.allSatisfy(\.isSystem) }

  /// One sentence per directory outside the system library directories that libraries
  /// resolve in, and one for the libraries found nowhere; empty when self-contained.
  public var problems: [String] {
    var directories: [String] = []
    var byDirectory: [String: [String]] = [:]
    var missing: [String] = []
    for library in libraries where !library.isSystem {
      guard let path = library.path else {
        missing.append(library.name)
        continue
      }
      let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
      if byDirectory[directory] == nil { directories.append(directory) }
      byDirectory[directory, default: []].append(library.name)
    }
    var lines = directories.map { directory in
      "\(file) needs \(byDirectory[directory, default: []].joined(separator: ", ")) from \(directory),"
        + " outside the system library directories (\(systemDirectories.joined(separator: ", ")))"
    }
    if !missing.isEmpty {
      let searched = searchPath + systemDirectories
      lines.append("\(file) needs \(missing.joined(separator: ", ")), found nowhere (looked in \(searched.joined(separator: ", ")))")
    }
    return lines
  }

  /// The directories ld.so searches by default for an `e_machine`: the Debian multiarch
  /// directories first, then the classic ones.
  public static func systemDirectories(machine: UInt16) -> [String] {
    let triplet: String? =
      switch machine {
      case 62: "x86_64-linux-gnu"  // EM_X86_64
      case 183: "aarch64-linux-gnu"  // EM_AARCH64
      case 3: "i386-linux-gnu"  // EM_386
      default: nil
      }
    let multiarch = triplet.map { ["/lib/\($0)", "/usr/lib/\($0)"] } ?? []
    return multiarch + ["/lib64", "/usr/lib64", "/lib", "/usr/lib"]
  }

  /// Whether a regular file (or a link to one) is at `path`.
  public static func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
  }
}
