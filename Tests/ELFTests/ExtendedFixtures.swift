import Foundation

/// gcc-built objects and binaries for what lies beyond checksec (CET marking, W+X memory,
/// TEXTREL, the stack note of objects, kernel-module site lists), built once per test run.
enum ExtendedFixtures {
  /// A plain function and a main, no libc headers (so `-m32` needs no 32-bit libc).
  static let plain = "int twice(int x) { return 2 * x; }\nint main(void) { return twice(1) - 2; }\n"

  /// A nested function whose address is taken: gcc needs a stack trampoline and marks the
  /// object's `.note.GNU-stack` executable.
  static let trampoline = """
    int apply(int (*f)(int), int x) { return f(x); }
    int outer(int y) { int add(int x) { return x + y; } return apply(add, 1); }
    """

  /// Code in a section flagged "awx" (writable and executable), with a non-executable stack note.
  static let writableCode = """
    .section .wxtext,"awx",@progbits
    .globl wx_function
    wx_function:
      ret
    .section .note.GNU-stack,"",@progbits
    """

  /// A main that calls `wx_function`.
  static let callsWritableCode = "int wx_function(void);\nint main(void) { return wx_function(); }\n"

  /// Assembly with no `.note.GNU-stack` section at all.
  static let noStackNote = ".text\n.globl bare\nbare:\n  ret\n"

  /// A global read by code: non-PIC large-model code in a shared object needs a text relocation.
  static let globalReader = "int counter;\nint read_counter(void) { return counter; }\n"

  /// Module-like code: an indirect call and returns (retpoline and return thunks under the
  /// kernel's flags) and a `.retpoline_sites` section as objtool would write one.
  static let moduleLike = """
    int (*hook)(int);
    static const int sites[1] __attribute__((section(".retpoline_sites"), used)) = { 0 };
    int call_hook(int x) { return hook(x) + 1; }
    """

  /// Fixture name → (source name, gcc arguments before `-o OUT SOURCE`).
  static let variants: [(name: String, source: String, flags: [String])] = [
    ("cet-full.o", "plain.c", ["-c", "-fcf-protection=full"]),
    ("cet-branch.o", "plain.c", ["-c", "-fcf-protection=branch"]),
    ("cet-return.o", "plain.c", ["-c", "-fcf-protection=return"]),
    ("cet-none.o", "plain.c", ["-c", "-fcf-protection=none"]),
    ("cet-full-32.o", "plain.c", ["-m32", "-c", "-fcf-protection=full"]),
    ("cet-linked", "plain.c", ["-fcf-protection=full"]),
    ("cet-forced", "plain.c", ["-fcf-protection=full", "-Wl,-z,ibt,-z,shstk"]),
    ("trampoline.o", "trampoline.c", ["-c"]),
    ("no-stack-note.o", "bare.s", ["-c"]),
    ("wx.o", "wx.s", ["-c"]),
    ("textrel.so", "global.c", ["-shared", "-fno-pic", "-mcmodel=large", "-Wl,-z,notext"]),
    ("pic.so", "global.c", ["-shared", "-fPIC"]),
    ("module-like.o", "module.c", ["-c", "-mindirect-branch=thunk-extern", "-mfunction-return=thunk-extern", "-fstack-protector-all"]),
  ]

  /// The built fixtures' directory, or why building failed.
  static let built: Result<String, Shell.Failure> = build()

  /// The path of the fixture `name`; throws when building failed.
  static func path(_ name: String) throws -> String {
    try built.get() + "/" + name
  }

  private static func build() -> Result<String, Shell.Failure> {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("elf-extended-fixtures-\(UUID())").path
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      let sources = [
        "plain.c": plain, "trampoline.c": trampoline, "wx.s": writableCode, "wx-main.c": callsWritableCode,
        "bare.s": noStackNote, "global.c": globalReader, "module.c": moduleLike,
      ]
      for (name, text) in sources { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
      for variant in variants {
        try Shell.run("/usr/bin/gcc", variant.flags + ["-o", directory + "/" + variant.name, directory + "/" + variant.source])
      }
      // ld warns "has a LOAD segment with RWX permissions" and links it all the same.
      try Shell.run("/usr/bin/gcc", ["-o", directory + "/wx-segment", directory + "/wx-main.c", directory + "/wx.o"])
      return .success(directory)
    } catch let failure as Shell.Failure {
      return .failure(failure)
    } catch {
      return .failure(Shell.Failure(message: "\(error)"))
    }
  }
}
