import ELF
import Foundation

/// gcc-built test binaries, compiled once per test run into a temporary directory.
enum Fixtures {
  /// The C program: a char buffer with strcpy, memcpy and printf, so FORTIFY_SOURCE has work to do.
  static let source = """
    #include <stdio.h>
    #include <string.h>

    int main(int argc, char **argv) {
      char name[16];
      char copy[64];
      name[0] = 0;
      if (argc > 1) strcpy(name, argv[1]);
      memcpy(copy, argv[0], (size_t)argc * 8);
      copy[63] = 0;
      printf("%s %s\\n", name, copy);
      return 0;
    }
    """

  /// Fixture name → gcc arguments (before `-o OUT SOURCE`).
  static let variants: [(name: String, flags: [String])] = [
    ("ssp-all", ["-fstack-protector-all"]),
    ("no-ssp", ["-fno-stack-protector"]),
    ("relro-full", ["-Wl,-z,relro,-z,now"]),
    ("relro-partial", ["-Wl,-z,relro,-z,lazy"]),
    ("norelro", ["-Wl,-z,norelro"]),
    ("pie", ["-fPIE", "-pie"]),
    ("no-pie", ["-fno-pie", "-no-pie"]),
    ("execstack", ["-z", "execstack"]),
    ("fortify", ["-O2", "-D_FORTIFY_SOURCE=2"]),
    ("no-fortify", ["-O0", "-U_FORTIFY_SOURCE"]),
    ("rpath", ["-Wl,-rpath,/opt/kvm/lib", "-Wl,--disable-new-dtags"]),
    ("runpath", ["-Wl,-rpath,/opt/kvm/lib", "-Wl,--enable-new-dtags"]),
    ("stripped", ["-s", "-O2", "-D_FORTIFY_SOURCE=2"]),
    ("shared", ["-shared", "-fPIC"]),
    ("object", ["-c"]),
  ]

  /// The name of the fixture patched to have `DF_1_NOW` in `DT_FLAGS_1` but no `DF_BIND_NOW`.
  static let flags1NowOnly = "flags1-now-only"

  /// Every fixture name.
  static var allNames: [String] { variants.map(\.name) + [flags1NowOnly] }

  /// The built fixtures' directory, or why building failed.
  static let built: Result<String, Shell.Failure> = build()

  /// The path of the fixture `name`; throws when building failed.
  static func path(_ name: String) throws -> String {
    try built.get() + "/" + name
  }

  /// The running libc's checked-function set, as checksec reads it.
  static let libcChecked: Result<Set<String>, ELFError> = {
    guard let libc = LibcFortify.checksecLibcPath() else { return .success([]) }
    return Result { () throws(ELFError) in try LibcFortify.fortifiableFunctions(libc: libc) }
  }()

  private static func build() -> Result<String, Shell.Failure> {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("elf-fixtures-\(UUID())").path
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      let sourcePath = directory + "/fixture.c"
      try source.write(toFile: sourcePath, atomically: false, encoding: .utf8)
      for variant in variants {
        try Shell.run("/usr/bin/gcc", variant.flags + ["-o", directory + "/" + variant.name, sourcePath])
      }
      try patchFlags1NowOnly(from: directory + "/relro-full", to: directory + "/" + flags1NowOnly)
      return .success(directory)
    } catch let failure as Shell.Failure {
      return .failure(failure)
    } catch {
      return .failure(Shell.Failure(message: "\(error)"))
    }
  }

  /// Copies a `-z now` binary and clears `DF_BIND_NOW` in its `DT_FLAGS`, leaving `DF_1_NOW`.
  private static func patchFlags1NowOnly(from source: String, to destination: String) throws {
    let file = try ELFFile(path: source)
    guard let dynamic = file.sections.first(where: { $0.type == SectionHeader.typeDynamic }),
      let index = file.dynamicEntries.firstIndex(where: { $0.tag == DynamicEntry.tagFlags }),
      file.elfClass == .elf64, file.dynamicFlags1 & DynamicEntry.flag1Now != 0, !file.hasBindNowEntry
    else { throw Shell.Failure(message: "relro-full has no DT_FLAGS to patch") }
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
    let valueOffset = Int(dynamic.offset) + index * 16 + 8
    for byte in 0..<8 { bytes[valueOffset + byte] = 0 }
    try Data(bytes).write(to: URL(fileURLWithPath: destination))
  }
}
