import SystemIO

#if canImport(Glibc)
  import Glibc
#endif

/// A checked policy in a compact binary form, so the pre-start hook, which loads the policy on
/// every VM start, can skip the parser and the schema.
///
/// A compiled file is only ever a cache of its YAML source: it records a hash of the source
/// bytes and is used only while the source still hashes the same, so editing the YAML can never
/// be shadowed by a stale compiled form. Decoding checks every length and tag and returns `nil`
/// on anything unexpected; callers then parse the YAML.
///
/// Layout: the magic `KVMPOLICY-COMPILED`, a format version byte, the source's 64-bit FNV-1a
/// hash, a table of the distinct strings (length-prefixed UTF-8), then the policy, with
/// integers as LEB128 varints and strings as indices into the table (a file path stands in
/// every rule's location: it is decoded once).
public enum CompiledPolicy {
  /// Bumped whenever the policy model or this layout changes; older files are then ignored.
  public static let formatVersion: UInt8 = 5
  static let magic = Array("KVMPOLICY-COMPILED".utf8)

  /// Where the compiled form of a policy file lives: beside it, hidden.
  public static func path(for policyPath: String) -> String {
    let utf8 = Array(policyPath.utf8)
    guard let slash = utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." + policyPath + ".compiled" }
    let directory = String(decoding: utf8[...slash], as: UTF8.self)
    return directory + "." + String(decoding: utf8[(slash + 1)...], as: UTF8.self) + ".compiled"
  }

  /// The 64-bit FNV-1a hash of a policy's source text (its UTF-8 bytes).
  public static func hash(_ source: String) -> UInt64 {
    var source = source
    return source.withUTF8 { bytes in
      var hash: UInt64 = 0xcbf2_9ce4_8422_2325
      for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
      return hash
    }
  }

  /// The compiled form of `policy`, read from source bytes hashing to `sourceHash`.
  public static func encode(_ policy: Policy, sourceHash: UInt64) -> [UInt8] {
    var body = Writer()
    body.policy(policy)
    var file = Writer()
    file.bytes += magic
    file.bytes.append(formatVersion)
    for shift in stride(from: 0, to: 64, by: 8) { file.bytes.append(UInt8(truncatingIfNeeded: sourceHash >> UInt64(shift))) }
    file.int(body.strings.count)
    for string in body.strings {
      file.int(string.utf8.count)
      file.bytes += string.utf8
    }
    return file.bytes + body.bytes
  }

  /// The policy in `bytes`, or `nil` unless they are a well-formed compiled policy of this
  /// format version for source bytes hashing to `sourceHash`.
  public static func decode(_ bytes: [UInt8], sourceHash: UInt64) -> Policy? {
    var reader = Reader(bytes: bytes)
    guard reader.take(magic.count) == magic[...], reader.byte() == formatVersion else { return nil }
    var hash: UInt64 = 0
    for shift in stride(from: 0, to: 64, by: 8) {
      guard let byte = reader.byte() else { return nil }
      hash |= UInt64(byte) << UInt64(shift)
    }
    guard hash == sourceHash, let count = reader.count() else { return nil }
    reader.strings.reserveCapacity(count)
    for _ in 0..<count {
      guard let length = reader.count(), let bytes = reader.take(length) else { return nil }
      reader.strings.append(String(decoding: bytes, as: UTF8.self))
    }
    guard var policy = reader.policy(), reader.atEnd else { return nil }
    policy.sourceHash = sourceHash
    return policy
  }
}

// MARK: - Writing

private struct Writer {
  var bytes: [UInt8] = []
  /// Every distinct string, in first-use order, and where each sits in that table.
  var strings: [String] = []
  private var indices: [String: Int] = [:]

  mutating func int(_ value: Int) {
    var rest = UInt64(bitPattern: Int64(value))
    repeat {
      let low = UInt8(rest & 0x7F)
      rest >>= 7
      bytes.append(rest == 0 ? low : low | 0x80)
    } while rest != 0
  }

  mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

  mutating func string(_ value: String) {
    if let index = indices[value] { return int(index) }
    indices[value] = strings.count
    int(strings.count)
    strings.append(value)
  }

  mutating func optional<T>(_ value: T?, _ write: (inout Writer, T) -> Void) {
    guard let value else { return bytes.append(0) }
    bytes.append(1)
    write(&self, value)
  }

  mutating func array<T>(_ values: [T], _ write: (inout Writer, T) -> Void) {
    int(values.count)
    for value in values { write(&self, value) }
  }

  mutating func action(_ action: Action?) { optional(action) { $0.string($1.rawValue) } }

  mutating func location(_ location: SourceLocation) {
    string(location.file)
    int(location.line)
    int(location.column)
  }

  mutating func reference(_ reference: RuleReference) {
    string(reference.path)
    optional(reference.location) { $0.location($1) }
  }

  mutating func matcher(_ matcher: ValueMatcher) {
    array(matcher.alternatives) { writer, alternative in
      switch alternative {
      case .exact(let text):
        writer.bytes.append(0)
        writer.string(text)
      case .glob(let glob):
        writer.bytes.append(1)
        writer.string(glob.pattern)
      case .absent:
        writer.bytes.append(2)
      }
    }
  }

  /// One condition: a rule's, or one element of the boot section.
  mutating func condition(_ condition: Condition) {
    string(condition.attribute)
    matcher(condition.matcher)
    location(condition.location)
  }

  mutating func rule(_ rule: DeviceRule) {
    array(rule.conditions) { $0.condition($1) }
    action(rule.action)
    array(rule.set) { writer, assignment in
      writer.string(assignment.attribute)
      writer.string(assignment.value)
    }
    optional(rule.why) { $0.string($1) }
    reference(rule.reference)
  }

  mutating func ruleset(_ ruleset: Ruleset) {
    action(ruleset.defaultAction)
    optional(ruleset.unlistedClassesAllowed) { $0.bool($1) }
    optional(ruleset.unlistedReference) { $0.reference($1) }
    optional(ruleset.detachTimeout) { $0.string($1.rawValue) }
    optional(ruleset.boot) { writer, boot in
      writer.array(boot.accepted) { $0.condition($1) }
      writer.action(boot.action)
      writer.reference(boot.reference)
    }
    // Sorted, so that the same policy always compiles to the same bytes.
    array(ruleset.classes.sorted { $0.key < $1.key }) { writer, entry in
      writer.string(entry.key)
      writer.bool(entry.value.allowsAll)
      writer.array(entry.value.allow) { $0.rule($1) }
      writer.array(entry.value.deny) { $0.rule($1) }
      writer.action(entry.value.action)
      writer.reference(entry.value.reference)
    }
    optional(ruleset.seclabel) { writer, seclabel in
      writer.array(seclabel.models) { $0.string($1) }
      writer.optional(seclabel.type) { $0.string($1) }
      writer.bool(seclabel.relabel)
      writer.bool(seclabel.unique)
      writer.action(seclabel.action)
      writer.reference(seclabel.reference)
    }
    optional(ruleset.passthrough) { writer, passthrough in
      writer.bool(passthrough.allowed)
      writer.action(passthrough.action)
      writer.reference(passthrough.reference)
    }
  }

  mutating func policy(_ policy: Policy) {
    string(policy.file)
    optional(policy.description) { $0.string($1) }
    ruleset(policy.base)
    array(policy.overrides) { writer, override in
      writer.string(override.name)
      writer.array(override.selector.names) { $0.string($1.pattern) }
      writer.array(override.selector.uuids) { $0.string($1) }
      writer.array(override.selector.tags) { $0.string($1) }
      writer.ruleset(override.ruleset)
      writer.location(override.location)
    }
    // A policy without waivers costs one byte here, and its reader one byte.
    array(policy.waivers) { writer, waiver in
      writer.optional(waiver.name) { $0.string($1) }
      writer.reference(waiver.reference)
      writer.array(waiver.domains.names) { $0.string($1.pattern) }
      writer.array(waiver.domains.uuids) { $0.string($1) }
      writer.array(waiver.domains.tags) { $0.string($1) }
      writer.array(waiver.findings.checks) { $0.string($1) }
      writer.array(waiver.findings.deviceClasses) { $0.string($1) }
      writer.array(waiver.findings.rules) { $0.string($1) }
      writer.array(waiver.findings.ids) { $0.string($1) }
      writer.string(waiver.reason)
      writer.string(waiver.owner)
      writer.int(waiver.expires.daysSinceEpoch)
    }
  }
}

// MARK: - Reading

/// Reads what ``Writer`` wrote; every read checks the bounds and returns `nil` past the end.
private struct Reader {
  let bytes: [UInt8]
  var offset = 0
  /// The string table, read before the policy.
  var strings: [String] = []

  var atEnd: Bool { offset == bytes.count }

  mutating func byte() -> UInt8? {
    guard offset < bytes.count else { return nil }
    defer { offset += 1 }
    return bytes[offset]
  }

  mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
    guard count >= 0, count <= bytes.count - offset else { return nil }
    defer { offset += count }
    return bytes[offset..<(offset + count)]
  }

  mutating func int() -> Int? {
    var value: UInt64 = 0
    for shift in stride(from: 0, to: 64, by: 7) {
      guard let byte = byte() else { return nil }
      value |= UInt64(byte & 0x7F) << UInt64(shift)
      if byte & 0x80 == 0 { return Int(Int64(bitPattern: value)) }
    }
    return nil
  }

  /// A count of things that each take at least one byte: never more than the bytes left.
  mutating func count() -> Int? {
    guard let count = int(), count >= 0, count <= bytes.count - offset else { return nil }
    return count
  }

  mutating func bool() -> Bool? {
    switch byte() {
    case 0: false
    case 1: true
    default: nil
    }
  }

  mutating func string() -> String? {
    guard let index = int(), strings.indices.contains(index) else { return nil }
    return strings[index]
  }

  /// `.some(nil)` for an absent value, `nil` for malformed bytes.
  mutating func optional<T>(_ read: (inout Reader) -> T?) -> T?? {
    switch byte() {
    case 0: return .some(nil)
    case 1: return read(&self).map { .some($0) }
    default: return nil
    }
  }

  mutating func array<T>(_ read: (inout Reader) -> T?) -> [T]? {
    guard let count = count() else { return nil }
    var values: [T] = []
    values.reserveCapacity(count)
    for _ in 0..<count {
      guard let value = read(&self) else { return nil }
      values.append(value)
    }
    return values
  }

  mutating func action() -> Action?? {
    optional { reader in reader.string().flatMap(Action.init(rawValue:)) }
  }

  mutating func location() -> SourceLocation? {
    guard let file = string(), let line = int(), let column = int() else { return nil }
    return SourceLocation(file: file, line: line, column: column)
  }

  mutating func reference() -> RuleReference? {
    guard let path = string(), let location = optional({ $0.location() }) else { return nil }
    return RuleReference(path: path, location: location)
  }

  mutating func matcher() -> ValueMatcher? {
    let alternatives = array { reader -> ValueMatcher.Alternative? in
      switch reader.byte() {
      case 0: return reader.string().map { .exact($0) }
      case 1: return reader.string().flatMap { try? Glob($0) }.map { .glob($0) }
      case 2: return .absent
      default: return nil
      }
    }
    return alternatives.map(ValueMatcher.init)
  }

  /// One condition, as ``Writer/condition(_:)`` wrote it.
  mutating func condition() -> Condition? {
    guard let attribute = string(), let matcher = matcher(), let location = location() else { return nil }
    return Condition(attribute: attribute, matcher: matcher, location: location)
  }

  mutating func rule() -> DeviceRule? {
    guard
      let conditions = array({ $0.condition() }),
      let action = action(),
      let set = array({ reader -> Assignment? in
        guard let attribute = reader.string(), let value = reader.string() else { return nil }
        return Assignment(attribute: attribute, value: value)
      }),
      let why = optional({ $0.string() }),
      let reference = reference()
    else { return nil }
    return DeviceRule(conditions: conditions, action: action, set: set, why: why, reference: reference)
  }

  mutating func ruleset() -> Ruleset? {
    var ruleset = Ruleset()
    guard let defaultAction = action(), let allowed = optional({ $0.bool() }),
      let unlistedReference = optional({ $0.reference() }),
      let detachTimeout = optional({ $0.string().flatMap(DetachTimeoutAction.init(rawValue:)) }),
      let boot = optional({ reader -> BootPolicy? in
        guard
          let accepted = reader.array({ $0.condition() }),
          let action = reader.action(), let reference = reader.reference()
        else { return nil }
        return BootPolicy(accepted: accepted, action: action, reference: reference)
      }),
      let classes = array({ reader -> (String, ClassPolicy)? in
        guard let name = reader.string(), let allowsAll = reader.bool(), let allow = reader.array({ $0.rule() }),
          let deny = reader.array({ $0.rule() }), let action = reader.action(), let reference = reader.reference()
        else { return nil }
        return (name, ClassPolicy(allowsAll: allowsAll, allow: allow, deny: deny, action: action, reference: reference))
      }),
      let seclabel = optional({ reader -> SeclabelPolicy? in
        guard let models = reader.array({ $0.string() }), let type = reader.optional({ $0.string() }),
          let relabel = reader.bool(), let unique = reader.bool(), let action = reader.action(), let reference = reader.reference()
        else { return nil }
        return SeclabelPolicy(models: models, type: type, relabel: relabel, unique: unique, action: action, reference: reference)
      }),
      let passthrough = optional({ reader -> PassthroughPolicy? in
        guard let allowed = reader.bool(), let action = reader.action(), let reference = reader.reference() else { return nil }
        return PassthroughPolicy(allowed: allowed, action: action, reference: reference)
      })
    else { return nil }
    ruleset.defaultAction = defaultAction
    ruleset.unlistedClassesAllowed = allowed
    ruleset.unlistedReference = unlistedReference
    ruleset.detachTimeout = detachTimeout
    ruleset.boot = boot
    ruleset.classes = Dictionary(classes, uniquingKeysWith: { first, _ in first })
    ruleset.seclabel = seclabel
    ruleset.passthrough = passthrough
    return ruleset
  }

  mutating func policy() -> Policy? {
    guard let file = string(), let description = optional({ $0.string() }), let base = ruleset(),
      let overrides = array({ reader -> Override? in
        guard let name = reader.string(),
          let names = reader.array({ reader in reader.string().flatMap { try? Glob($0) } }),
          let uuids = reader.array({ $0.string() }), let tags = reader.array({ $0.string() }),
          let ruleset = reader.ruleset(), let location = reader.location()
        else { return nil }
        return Override(name: name, selector: DomainSelector(names: names, uuids: uuids, tags: tags), ruleset: ruleset, location: location)
      }),
      let waivers = array({ $0.waiver() })
    else { return nil }
    return Policy(file: file, description: description, base: base, overrides: overrides, waivers: waivers)
  }

  mutating func waiver() -> Waiver? {
    guard let name = optional({ $0.string() }), let reference = reference(),
      let names = array({ reader in reader.string().flatMap { try? Glob($0) } }),
      let uuids = array({ $0.string() }), let tags = array({ $0.string() }),
      let checks = array({ $0.string() }), let classes = array({ $0.string() }), let rules = array({ $0.string() }),
      let ids = array({ $0.string() }), let reason = string(), let owner = string(),
      let days = int(), PolicyDate.validDays.contains(days)
    else { return nil }
    return Waiver(
      name: name, reference: reference, domains: DomainSelector(names: names, uuids: uuids, tags: tags),
      findings: FindingSelector(checks: checks, deviceClasses: classes, rules: rules, ids: ids), reason: reason, owner: owner,
      expires: PolicyDate(daysSinceEpoch: days))
  }
}

extension PolicyLoader {
  /// The policy at `path`, from its compiled form (``CompiledPolicy``) when one sits beside it,
  /// `isTrusted` accepts that file, and it was compiled from exactly these source bytes;
  /// otherwise parsed and checked as ``load(path:)`` does. Warnings are not kept in the compiled
  /// form, so this returns none when it uses it.
  public static func load(
    path: String, preferringCompiledWhere isTrusted: (String) -> Bool
  ) -> Result<(policy: Policy, warnings: [PolicyDiagnostic]), PolicyErrors> {
    switch readFile(path) {
    case .failure(let failure):
      return .failure(PolicyErrors([PolicyDiagnostic(.unreadable(failure.reason), at: SourceLocation(file: path, line: 0, column: 0))]))
    case .success(let text):
      let compiledPath = CompiledPolicy.path(for: path)
      if isTrusted(compiledPath), case .success(let compiled) = readBytes(compiledPath),
        let policy = CompiledPolicy.decode(compiled, sourceHash: CompiledPolicy.hash(text)), policy.file == path
      {
        return .success((policy, []))
      }
      return load(text: text, file: path)
    }
  }

  /// Checks the policy file at `path` and writes its compiled form beside it (mode 0644, by a
  /// rename, so a reader never sees half a file). `file` is the path the policy is read by (its
  /// references name it), when that differs from `path` (an install below another root).
  /// Returns the policy, or the errors (then nothing is written) or why writing failed.
  public static func compile(path: String, as file: String? = nil) -> Result<Policy, CompileFailure> {
    guard case .success(let text) = readFile(path) else {
      return .failure(.invalid(PolicyErrors([PolicyDiagnostic(.unreadable("cannot read"), at: SourceLocation(file: path, line: 0, column: 0))])))
    }
    let policy: Policy
    switch load(text: text, file: file ?? path) {
    case .failure(let errors): return .failure(.invalid(errors))
    case .success(let loaded): policy = loaded.policy
    }
    let target = CompiledPolicy.path(for: path)
    do {
      try AtomicFile.write(CompiledPolicy.encode(policy, sourceHash: CompiledPolicy.hash(text)), to: target, mode: 0o644)
    } catch {
      return .failure(.unwritable(target, error.reason))
    }
    return .success(policy)
  }

  /// The largest policy (or compiled policy) file read: 4 MiB, far above any real policy.
  static let maximumFileSize = 4 << 20

  /// Why ``compile(path:)`` wrote nothing.
  public enum CompileFailure: Error {
    /// The policy has errors.
    case invalid(PolicyErrors)
    /// The compiled file could not be written: its path and the reason.
    case unwritable(String, String)
  }

  /// A policy (or compiled policy) file's bytes, through the one reader (``FileContents``).
  static func readBytes(_ path: String) -> Result<[UInt8], UnreadableFile> {
    FileContents.read(path, limit: maximumFileSize).mapError { UnreadableFile(reason: $0.reason) }
  }
}
