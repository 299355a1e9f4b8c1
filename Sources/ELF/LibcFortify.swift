#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The libc's fortified (`__*_chk`) functions, found the way checksec 2.6 finds them.
public enum LibcFortify {
  /// The libc paths checksec 2.6 tries, in its order; it uses the first that exists.
  public static let checksecCandidates = [
    "/lib/libc.so.6", "/lib/libc.so.7", "/lib/libc.so", "/lib64/libc.so.6", "/lib/i386-linux-gnu/libc.so.6",
    "/lib/x86_64-linux-gnu/libc.so.6", "/lib/arm-linux-gnueabihf/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6",
    "/usr/x86_64-gentoo-linux-musl/bin/ld", "/usr/lib/loongarch64-linux-gnu/libc.so.6",
  ]

  /// The libc checksec would read on this machine, nil when none of its candidates exists.
  public static func checksecLibcPath(exists: (String) -> Bool = fileExists) -> String? {
    checksecCandidates.first(where: exists)
  }

  /// The checked function names of the libc at `libc`, like checksec's
  /// `readelf -W -s LIBC | sed -ne 's/.*__\(.*_chk\)@@.*/\1/p'`: defined, default-versioned
  /// (`@@`) symbols ending in `_chk`, with everything up to their last `__` removed
  /// (`__memcpy_chk` gives `memcpy_chk`).
  public static func fortifiableFunctions(libc: String) throws(ELFError) -> Set<String> {
    let file = try ELFFile(path: libc)
    var names = Set<String>()
    for symbol in file.dynamicSymbols where symbol.hasDefaultVersion {
      if let name = checkedName(symbol.name) { names.insert(name) }
    }
    return names
  }

  /// The sed capture for one symbol name: the text after the last `__` that still leaves `…_chk`, or nil.
  static func checkedName(_ symbol: String) -> String? {
    let characters = Array(symbol.utf8)
    guard symbol.hasSuffix("_chk"), characters.count >= 6 else { return nil }
    var index = characters.count - 6
    while index >= 0 {
      if characters[index] == UInt8(ascii: "_") && characters[index + 1] == UInt8(ascii: "_") {
        return String(decoding: characters[(index + 2)...], as: UTF8.self)
      }
      index -= 1
    }
    return nil
  }

  /// Whether a file exists at `path`.
  public static func fileExists(_ path: String) -> Bool {
    access(path, F_OK) == 0
  }
}
