/// The sections of a Linux kernel module that the x86 module loader reads to patch code at
/// load time, mitigations among them, as found (or not) in one module.
///
/// The names are those `module_finalize` in Linux 6.1's `arch/x86/kernel/module.c` looks up
/// (`.altinstructions`, `.smp_locks`, `.parainstructions`, `.orc_unwind`, `.orc_unwind_ip`,
/// `.retpoline_sites`, `.return_sites`, `.ibt_endbr_seal`), the two Linux 6.2 added there
/// (`.call_sites` for call-depth tracking, `.cfi_sites` for FineIBT), and
/// `.static_call_sites`, which the generic loader (`find_module_sections`) hands to the static
/// call code. objtool writes the site lists when the kernel is configured for them; a section
/// that is absent was not asked for, or the module has no such site.
public struct KernelModuleSections: Equatable, Sendable {
  /// One section the loader looks for.
  public struct Entry: Equatable, Sendable {
    /// The section name, e.g. `.retpoline_sites`.
    public let name: String
    /// For a mitigation site list, its key among a check's properties (e.g. `retpoline-sites`).
    public let key: String?
    /// What the loader does with it, in a few words.
    public let purpose: String
  }

  /// Every section the loader looks for, in `module_finalize`'s order.
  public static let entries = [
    Entry(name: ".altinstructions", key: nil, purpose: "alternative instructions picked by CPU feature (apply_alternatives)"),
    Entry(name: ".parainstructions", key: nil, purpose: "paravirt call sites (apply_paravirt)"),
    Entry(
      name: ".retpoline_sites", key: "retpoline-sites",
      purpose: "calls through __x86_indirect_thunk_*, rewritten for the spectre_v2 mode in force (apply_retpolines)"),
    Entry(
      name: ".return_sites", key: "return-sites",
      purpose: "returns through __x86_return_thunk, pointed at the retbleed/SRSO thunk in force (apply_returns)"),
    Entry(name: ".call_sites", key: "call-sites", purpose: "call sites for call-depth tracking, retbleed=stuff (Linux 6.2+)"),
    Entry(name: ".cfi_sites", key: "cfi-sites", purpose: "kCFI preambles rewritten to FineIBT (Linux 6.2+)"),
    Entry(
      name: ".ibt_endbr_seal", key: "ibt-endbr-seal",
      purpose: "ENDBR instructions of functions never called indirectly, sealed under kernel IBT (apply_ibt_endbr)"),
    Entry(name: ".smp_locks", key: nil, purpose: "LOCK prefixes (alternatives_smp_module_add)"),
    Entry(name: ".orc_unwind", key: nil, purpose: "ORC unwinder tables (unwind_module_init)"),
    Entry(name: ".orc_unwind_ip", key: nil, purpose: "ORC unwinder addresses (unwind_module_init)"),
    Entry(
      name: ".static_call_sites", key: "static-call-sites",
      purpose: "static calls patched to direct calls, no indirect branch (static_call_add_module)"),
  ]

  /// The names of `entries` the module has, in `entries`' order.
  public let found: [String]
  /// Whether the module refers to `__x86_return_thunk`: its returns go through the return thunk
  /// (built with `-mfunction-return=thunk-extern`, CONFIG_RETHUNK).
  public let returnThunk: Bool
  /// The `__x86_indirect_thunk_*` symbols the module refers to (retpoline calls), sorted.
  public let indirectThunks: [String]

  /// Creates a result from its fields.
  public init(found: [String], returnThunk: Bool, indirectThunks: [String]) {
    self.found = found
    self.returnThunk = returnThunk
    self.indirectThunks = indirectThunks
  }

  /// Reads `file`'s section names and symbol references.
  public init(_ file: ELFFile) {
    let names = Set(file.sections.map(\.name))
    found = Self.entries.map(\.name).filter { names.contains($0) }
    let symbols = Set(file.symbolNames)
    returnThunk = symbols.contains("__x86_return_thunk")
    indirectThunks = symbols.filter { $0.hasPrefix("__x86_indirect_thunk_") }.sorted()
  }

  /// Whether the module has the section `name`.
  public func has(_ name: String) -> Bool { found.contains(name) }
}
