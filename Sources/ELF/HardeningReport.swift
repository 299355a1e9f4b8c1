#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The hardening properties of one ELF file, decided like `checksec --file` (checksec 2.6) decides them.
///
/// Each field follows checksec's rule, replicated on parsed structures instead of `readelf -W` output,
/// except where checksec is known to be wrong; there the report gives the right answer and keeps
/// checksec's in a `checksec…` field, so `ChecksecFields` can still print what checksec prints:
///
/// - **NX on relocatable objects.** checksec greps `readelf -l` for `GNU_STACK`; an `ET_REL` file
///   (a `.o` or a kernel module `.ko`) has no program headers, so checksec says "no". The stack of a
///   kernel module is the kernel's, and an object's is decided when it is linked, so `nx` is `true`
///   for `ET_REL` files without program headers; `checksecNX` is `false`.
/// - **NX with `PF_X` but not `RWE`.** checksec only says "no" when the `GNU_STACK` flags print as
///   `RWE`; a stack flagged `R E` (or `  E`) is executable all the same. `nx` is `false` whenever a
///   `PT_GNU_STACK` has `PF_X`.
/// - **Full RELRO via `DF_1_NOW`.** checksec greps `readelf -d` for `BIND_NOW`, which matches
///   `DT_BIND_NOW` and `DF_BIND_NOW` in `DT_FLAGS` but not `DF_1_NOW` in `DT_FLAGS_1` (printed as
///   "Flags: NOW"). The dynamic loader binds eagerly for any of the three, so `relro` is `.full` for
///   `PT_GNU_RELRO` plus any of them; `checksecRELRO` is `.partial` when only `DF_1_NOW` is set.
public struct HardeningReport: Equatable, Sendable {
  /// How much of the relocation data is read-only after loading.
  public enum RELRO: String, Sendable {
    /// `PT_GNU_RELRO` and eager binding: the GOT is read-only too.
    case full
    /// `PT_GNU_RELRO` with lazy binding.
    case partial
    /// No `PT_GNU_RELRO`.
    case none
  }

  /// Position independence, as checksec classifies it.
  public enum PIE: String, Sendable {
    /// `ET_DYN` with a `DT_DEBUG` entry: checksec's sign of a position-independent executable.
    case pieEnabled = "PIE enabled"
    /// `ET_DYN` without `DT_DEBUG`: a shared library (dynamic shared object).
    case dso = "DSO"
    /// `ET_REL`: a relocatable object or kernel module.
    case rel = "REL"
    /// `ET_EXEC`: a fixed-address executable.
    case noPIE = "No PIE"
    /// Any other type (such as `ET_CORE`): checksec says "Not an ELF file".
    case notApplicable = "Not an ELF file"
  }

  /// RELRO, counting `DF_1_NOW` as eager binding (the right answer).
  public let relro: RELRO
  /// RELRO as checksec 2.6 reports it (ignores `DF_1_NOW`).
  public let checksecRELRO: RELRO
  /// Whether a stack-protector symbol (`__stack_chk_fail`, `__stack_chk_guard`,
  /// `__intel_security_cookie`) appears in `.dynsym` or `.symtab`.
  public let canary: Bool
  /// Whether the stack is non-executable (the right answer; see the type's documentation).
  public let nx: Bool
  /// NX as checksec 2.6 reports it.
  public let checksecNX: Bool
  /// Position independence, by checksec's rule.
  public let pie: PIE
  /// The first `DT_RPATH` string, nil when there is none.
  public let rpath: String?
  /// The first `DT_RUNPATH` string, nil when there is none.
  public let runpath: String?
  /// Whether the file keeps a `.symtab` (checksec's "Symbols", i.e. not stripped).
  public let hasSymbols: Bool
  /// The number of `.symtab` entries (checksec's "N Symbols"), 0 when stripped.
  public let symbolCount: Int
  /// Whether any dynamic symbol ends in `_chk` (checksec's FORTIFY).
  public let fortifySource: Bool
  /// How many dynamic symbols are checked variants the libc provides (checksec's "Fortified").
  public let fortified: Int
  /// Fortified plus unchecked dynamic symbols that have a checked variant in libc ("Fortifiable").
  public let fortifiable: Int

  /// Creates a report from its fields.
  public init(
    relro: RELRO, checksecRELRO: RELRO, canary: Bool, nx: Bool, checksecNX: Bool, pie: PIE, rpath: String?,
    runpath: String?, hasSymbols: Bool, symbolCount: Int, fortifySource: Bool, fortified: Int, fortifiable: Int
  ) {
    self.relro = relro
    self.checksecRELRO = checksecRELRO
    self.canary = canary
    self.nx = nx
    self.checksecNX = checksecNX
    self.pie = pie
    self.rpath = rpath
    self.runpath = runpath
    self.hasSymbols = hasSymbols
    self.symbolCount = symbolCount
    self.fortifySource = fortifySource
    self.fortified = fortified
    self.fortifiable = fortifiable
  }

  /// Analyzes `file`; `fortifiable` is the libc's checked-function set from
  /// `LibcFortify.fortifiableFunctions(libc:)` (names like `memcpy_chk`, as checksec extracts them).
  public static func analyze(_ file: ELFFile, fortifiable: Set<String>) -> HardeningReport {
    let fortify = fortifyCounts(file, libcChecked: fortifiable)
    return HardeningReport(
      relro: relro(file, countingFlags1Now: true),
      checksecRELRO: relro(file, countingFlags1Now: false),
      canary: hasCanary(file),
      nx: nx(file),
      checksecNX: checksecNX(file),
      pie: pie(file),
      rpath: file.rpaths.first,
      runpath: file.runpaths.first,
      hasSymbols: hasSymbolTable(file),
      symbolCount: file.symbols.count,
      fortifySource: fortify.source,
      fortified: fortify.checked,
      fortifiable: fortify.total)
  }
}

private extension HardeningReport {
  /// Whether a dynamic string (as readelf prints it inside `[...]`) contains `text`: checksec greps whole lines.
  static func dynamicStringsContain(_ file: ELFFile, _ text: String) -> Bool {
    file.dynamicEntries.contains { $0.string?.containsBytes(text) ?? false }
  }

  static func relro(_ file: ELFFile, countingFlags1Now: Bool) -> RELRO {
    guard !file.programHeaders(ofType: ProgramHeader.typeGNURelro).isEmpty else { return .none }
    var bindNow =
      file.hasBindNowEntry || file.dynamicFlags & DynamicEntry.flagBindNow != 0
      || dynamicStringsContain(file, "BIND_NOW")
    if countingFlags1Now { bindNow = bindNow || file.dynamicFlags1 & DynamicEntry.flag1Now != 0 }
    return bindNow ? .full : .partial
  }

  static func hasCanary(_ file: ELFFile) -> Bool {
    let markers = ["__stack_chk_fail", "__stack_chk_guard", "__intel_security_cookie"]
    return (file.dynamicSymbols + file.symbols).contains { symbol in
      markers.contains { symbol.name.containsBytes($0) }
    }
  }

  static func nx(_ file: ELFFile) -> Bool {
    if file.type == .relocatable && file.programHeaders.isEmpty { return true }
    let stacks = file.programHeaders(ofType: ProgramHeader.typeGNUStack)
    return !stacks.isEmpty && stacks.allSatisfy { $0.flags & ProgramHeader.flagExecute == 0 }
  }

  static func checksecNX(_ file: ELFFile) -> Bool {
    let rwe = ProgramHeader.flagRead | ProgramHeader.flagWrite | ProgramHeader.flagExecute
    let stacks = file.programHeaders(ofType: ProgramHeader.typeGNUStack)
    return !stacks.isEmpty && stacks.allSatisfy { $0.flags & rwe != rwe }
  }

  static func pie(_ file: ELFFile) -> PIE {
    switch file.type {
    case .executable: return .noPIE
    case .sharedObject:
      return file.hasDebugEntry || dynamicStringsContain(file, "DEBUG") ? .pieEnabled : .dso
    case .relocatable: return .rel
    case .core, .other: return .notApplicable
    }
  }

  static func hasSymbolTable(_ file: ELFFile) -> Bool {
    file.sections.contains { section in
      (section.type == SectionHeader.typeSymtab || section.type == SectionHeader.typeDynsym)
        && section.name.containsBytes(".symtab")
    }
  }

  /// checksec: dynamic symbol names, leading underscores stripped, matched whole against the libc's
  /// `*_chk` names (fortified) and those names with `_chk` removed (unfortified); duplicates count.
  static func fortifyCounts(_ file: ELFFile, libcChecked: Set<String>) -> (source: Bool, checked: Int, total: Int) {
    // One lookup per symbol: whether its name is among the libc's checked names, its unchecked
    // names, or both.
    let kinds = fortifyKinds(of: libcChecked)
    var (checked, unchecked, source) = (0, 0, false)
    let suffix = Array("_chk".utf8)
    for symbol in file.dynamicSymbols {
      let name = symbol.name.droppingLeadingUnderscores()
      guard !name.isEmpty else { continue }
      if !source {
        let bytes = name.utf8
        source = bytes.allSatisfy { $0 < 0x80 } ? bytes.count >= 4 && bytes.suffix(4).elementsEqual(suffix) : name.hasSuffix("_chk")
      }
      guard let kind = kinds[name] else { continue }
      if kind.checked { checked += 1 }
      if kind.unchecked { unchecked += 1 }
    }
    return (source, checked, checked + unchecked)
  }
}

private extension HardeningReport {
  /// Per name: whether it is one of the libc's checked names (`memcpy_chk`), and whether it is
  /// one without `_chk` (`memcpy`). Worked out once per set: every analysed file uses the same
  /// libc.
  static func fortifyKinds(of checked: Set<String>) -> [String: (checked: Bool, unchecked: Bool)] {
    kindsCache.withLock { cache in
      if let known = cache, known.checked == checked { return known.kinds }
      var kinds: [String: (checked: Bool, unchecked: Bool)] = [:]
      for name in checked { kinds[name, default: (false, false)].checked = true }
      for name in checked { kinds[name.replacingBytes("_chk", with: ""), default: (false, false)].unchecked = true }
      cache = (checked, kinds)
      return kinds
    }
  }

  static let kindsCache = Protected<(checked: Set<String>, kinds: [String: (checked: Bool, unchecked: Bool)])?>(nil)
}

/// A value behind a lock, for a cache that analyses on several threads may share.
final class Protected<Value>: @unchecked Sendable {
  private var value: Value
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

  init(_ value: Value) {
    self.value = value
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body(&value)
  }
}

extension String {
  /// This name without its leading underscores (`__memcpy_chk` -> `memcpy_chk`).
  func droppingLeadingUnderscores() -> String {
    guard utf8.first == UInt8(ascii: "_") else { return self }
    // ASCII: byte by byte; otherwise by characters (an underscore with a combining mark is not one).
    if utf8.allSatisfy({ $0 < 0x80 }) {
      return String(decoding: utf8.drop { $0 == UInt8(ascii: "_") }, as: UTF8.self)
    }
    return String(drop { $0 == "_" })
  }

  /// Whether the UTF-8 bytes of `needle` occur in this string's (as grep, which checksec uses,
  /// searches: symbol and section names are byte strings).
  func containsBytes(_ needle: String) -> Bool {
    var haystack = self
    var needle = needle
    return haystack.withUTF8 { text in
      needle.withUTF8 { pattern in
        guard !pattern.isEmpty else { return true }
        guard pattern.count <= text.count else { return false }
        let first = pattern[0]
        for start in 0...(text.count - pattern.count) where text[start] == first {
          if memcmp(text.baseAddress! + start, pattern.baseAddress!, pattern.count) == 0 { return true }
        }
        return false
      }
    }
  }

  /// This string with every occurrence of `target`'s bytes replaced by `replacement`.
  func replacingBytes(_ target: String, with replacement: String) -> String {
    let bytes = Array(utf8)
    let pattern = Array(target.utf8)
    guard !pattern.isEmpty, bytes.count >= pattern.count else { return self }
    var result: [UInt8] = []
    result.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
      if index + pattern.count <= bytes.count && bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
        result += replacement.utf8
        index += pattern.count
      } else {
        result.append(bytes[index])
        index += 1
      }
    }
    return String(decoding: result, as: UTF8.self)
  }
}
