import DomainModel

/// The catalogue of everything kvmpolicy can say about a policy file, each with a stable ID.
///
/// Messages say what is wrong and, where it helps, what to write instead.
public enum PolicyMessage: Sendable {
  // Lexer and parser: the YAML-like surface.
  case emptyPolicy
  case tooManyErrors(Int)
  case unreadable(String)
  case unsafePolicyFile(String)
  case tabIndentation
  case unexpectedIndentation
  case unalignedIndentation(expected: Int)
  case expectedKey
  case unexpectedListItem
  case expectedListItem
  case duplicateKey(String, firstLine: Int)
  case unterminatedString(quote: Unicode.Scalar)
  case invalidEscape(String)
  case trailingContent(String)
  case unsupportedAnchor
  case unsupportedAlias
  case unsupportedTag
  case unsupportedBlockScalar
  case unsupportedDirective
  case multipleDocuments
  case unsupportedComplexKey
  case nestedMappingValue
  case unclosedFlow(open: Unicode.Scalar)
  case unexpectedFlowCharacter(Unicode.Scalar)
  case expectedFlowSeparator(close: Unicode.Scalar)
  case expectedFlowColon
  case emptyKey
  case tooDeep(limit: Int)
  // Schema: the meaning.
  case notAMapping(context: String)
  case unknownKey(String, context: String, suggestion: String?, valid: [String])
  case wrongType(field: String, expected: String, found: String)
  case invalidValue(field: String, value: String, valid: [String])
  case missingVersion
  case unsupportedVersion(String)
  case unknownDeviceClass(String, suggestion: String?)
  case unknownAttribute(String, deviceClass: String, suggestion: String?, valid: [String])
  case setWithoutRewrite
  case setAttributeNotWritable(String, deviceClass: String)
  case invalidGlob(String, reason: String)
  case emptyMatch
  case emptyRule
  case emptyList(field: String)
  case invalidUUID(String)
  // Waivers.
  case waiverMissingField(String)
  case invalidDate(String)
  case unknownCheck(String, suggestion: String?)
  case unknownWaiverClass(String, suggestion: String?)
  case invalidFindingID(String)
  case emptyWaiver
  // Waivers: warnings.
  case waiverRuleUnknown(String, waiver: String)
  case waiverExpired(String, on: PolicyDate)
  case waiverExpiring(String, on: PolicyDate, inDays: Int)
  case waiverUnused(String, domains: Int)

  /// The stable identifier of each kind of message: what tests, suppressions and docs name.
  public enum ID: String, CaseIterable, Sendable {
    /// `empty-policy`.
    case emptyPolicy = "empty-policy"
    /// `too-many-errors`.
    case tooManyErrors = "too-many-errors"
    /// `unreadable`.
    case unreadable = "unreadable"
    /// `unsafe-policy-file`.
    case unsafePolicyFile = "unsafe-policy-file"
    /// `tab-indentation`.
    case tabIndentation = "tab-indentation"
    /// `unexpected-indentation`.
    case unexpectedIndentation = "unexpected-indentation"
    /// `unaligned-indentation`.
    case unalignedIndentation = "unaligned-indentation"
    /// `expected-key`.
    case expectedKey = "expected-key"
    /// `unexpected-list-item`.
    case unexpectedListItem = "unexpected-list-item"
    /// `expected-list-item`.
    case expectedListItem = "expected-list-item"
    /// `duplicate-key`.
    case duplicateKey = "duplicate-key"
    /// `unterminated-string`.
    case unterminatedString = "unterminated-string"
    /// `invalid-escape`.
    case invalidEscape = "invalid-escape"
    /// `trailing-content`.
    case trailingContent = "trailing-content"
    /// `unsupported-anchor`.
    case unsupportedAnchor = "unsupported-anchor"
    /// `unsupported-alias`.
    case unsupportedAlias = "unsupported-alias"
    /// `unsupported-tag`.
    case unsupportedTag = "unsupported-tag"
    /// `unsupported-block-scalar`.
    case unsupportedBlockScalar = "unsupported-block-scalar"
    /// `unsupported-directive`.
    case unsupportedDirective = "unsupported-directive"
    /// `multiple-documents`.
    case multipleDocuments = "multiple-documents"
    /// `unsupported-complex-key`.
    case unsupportedComplexKey = "unsupported-complex-key"
    /// `nested-mapping-value`.
    case nestedMappingValue = "nested-mapping-value"
    /// `unclosed-flow`.
    case unclosedFlow = "unclosed-flow"
    /// `unexpected-flow-character`.
    case unexpectedFlowCharacter = "unexpected-flow-character"
    /// `expected-flow-separator`.
    case expectedFlowSeparator = "expected-flow-separator"
    /// `expected-flow-colon`.
    case expectedFlowColon = "expected-flow-colon"
    /// `empty-key`.
    case emptyKey = "empty-key"
    /// `too-deep`.
    case tooDeep = "too-deep"
    /// `not-a-mapping`.
    case notAMapping = "not-a-mapping"
    /// `unknown-key`.
    case unknownKey = "unknown-key"
    /// `wrong-type`.
    case wrongType = "wrong-type"
    /// `invalid-value`.
    case invalidValue = "invalid-value"
    /// `missing-version`.
    case missingVersion = "missing-version"
    /// `unsupported-version`.
    case unsupportedVersion = "unsupported-version"
    /// `unknown-device-class`.
    case unknownDeviceClass = "unknown-device-class"
    /// `unknown-attribute`.
    case unknownAttribute = "unknown-attribute"
    /// `set-without-rewrite`.
    case setWithoutRewrite = "set-without-rewrite"
    /// `set-not-writable`.
    case setNotWritable = "set-not-writable"
    /// `invalid-glob`.
    case invalidGlob = "invalid-glob"
    /// `empty-match`.
    case emptyMatch = "empty-match"
    /// `empty-rule`.
    case emptyRule = "empty-rule"
    /// `invalid-uuid`.
    case invalidUuid = "invalid-uuid"
    /// `waiver-missing-field`: a waiver without `reason`, `owner` or `expires`.
    case waiverMissingField = "waiver-missing-field"
    /// `invalid-date`: not a `YYYY-MM-DD` day that exists.
    case invalidDate = "invalid-date"
    /// `unknown-check`: a waiver names a check the engine does not have.
    case unknownCheck = "unknown-check"
    /// `unknown-waiver-class`: a waiver names a device class libvirt does not have.
    case unknownWaiverClass = "unknown-waiver-class"
    /// `invalid-finding-id`: not `KP-` and 12 hex digits.
    case invalidFindingID = "invalid-finding-id"
    /// `empty-waiver`: a waiver that says nothing about which findings it covers.
    case emptyWaiver = "empty-waiver"
    /// `waiver-rule-unknown` (warning): a waiver's rule path that no finding can have.
    case waiverRuleUnknown = "waiver-rule-unknown"
    /// `waiver-expired` (warning): a waiver past its day, which no longer applies.
    case waiverExpired = "waiver-expired"
    /// `waiver-expiring` (warning, `policy check --expiring-within`): a waiver about to expire.
    case waiverExpiring = "waiver-expiring"
    /// `waiver-unused` (warning, `policy check` with domains): a waiver that waives nothing.
    case waiverUnused = "waiver-unused"
  }

  /// The kind of message.
  public var kind: ID {
    switch self {
    case .emptyPolicy: .emptyPolicy
    case .tooManyErrors: .tooManyErrors
    case .unreadable: .unreadable
    case .unsafePolicyFile: .unsafePolicyFile
    case .tabIndentation: .tabIndentation
    case .unexpectedIndentation: .unexpectedIndentation
    case .unalignedIndentation: .unalignedIndentation
    case .expectedKey: .expectedKey
    case .unexpectedListItem: .unexpectedListItem
    case .expectedListItem: .expectedListItem
    case .duplicateKey: .duplicateKey
    case .unterminatedString: .unterminatedString
    case .invalidEscape: .invalidEscape
    case .trailingContent: .trailingContent
    case .unsupportedAnchor: .unsupportedAnchor
    case .unsupportedAlias: .unsupportedAlias
    case .unsupportedTag: .unsupportedTag
    case .unsupportedBlockScalar: .unsupportedBlockScalar
    case .unsupportedDirective: .unsupportedDirective
    case .multipleDocuments: .multipleDocuments
    case .unsupportedComplexKey: .unsupportedComplexKey
    case .nestedMappingValue: .nestedMappingValue
    case .unclosedFlow: .unclosedFlow
    case .unexpectedFlowCharacter: .unexpectedFlowCharacter
    case .expectedFlowSeparator: .expectedFlowSeparator
    case .expectedFlowColon: .expectedFlowColon
    case .emptyKey: .emptyKey
    case .tooDeep: .tooDeep
    case .notAMapping: .notAMapping
    case .unknownKey: .unknownKey
    case .wrongType: .wrongType
    case .invalidValue: .invalidValue
    case .missingVersion: .missingVersion
    case .unsupportedVersion: .unsupportedVersion
    case .unknownDeviceClass: .unknownDeviceClass
    case .unknownAttribute: .unknownAttribute
    case .setWithoutRewrite: .setWithoutRewrite
    case .setAttributeNotWritable: .setNotWritable
    case .invalidGlob: .invalidGlob
    case .emptyMatch: .emptyMatch
    case .emptyRule: .emptyRule
    case .emptyList: .wrongType
    case .invalidUUID: .invalidUuid
    case .waiverMissingField: .waiverMissingField
    case .invalidDate: .invalidDate
    case .unknownCheck: .unknownCheck
    case .unknownWaiverClass: .unknownWaiverClass
    case .invalidFindingID: .invalidFindingID
    case .emptyWaiver: .emptyWaiver
    case .waiverRuleUnknown: .waiverRuleUnknown
    case .waiverExpired: .waiverExpired
    case .waiverExpiring: .waiverExpiring
    case .waiverUnused: .waiverUnused
    }
  }

  /// The stable identifier, e.g. `duplicate-key`.
  public var id: String { kind.rawValue }

  /// The sentence shown after `error:`.
  public var text: String {
    switch self {
    case .emptyPolicy:
      "the policy is empty; it needs at least 'version: 1'"
    case .tooManyErrors(let limit):
      "too many errors: stopped after the first \(limit); fix these and check again"
    case .unreadable(let reason):
      "cannot read the policy: \(reason)"
    case .unsafePolicyFile(let reason):
      "refusing a policy that someone other than root could change: \(reason)"
    case .tabIndentation:
      "tabs are not allowed in indentation; indent with spaces"
    case .unexpectedIndentation:
      "unexpected indentation: this line is indented more than the block it belongs to"
    case .unalignedIndentation(let expected):
      "this line's indentation matches no enclosing block; align it with column \(expected)"
    case .expectedKey:
      "expected 'key: value' here"
    case .unexpectedListItem:
      "a list item '-' cannot appear here: this block is a mapping of 'key: value' lines"
    case .expectedListItem:
      "expected a list item '- ...' here: this block is a list"
    case .duplicateKey(let key, let line):
      "duplicate key '\(key)' (first given on line \(line))"
    case .unterminatedString(let quote):
      "unterminated quoted string; add the closing \(quote) on the same line"
    case .invalidEscape(let sequence):
      "invalid escape sequence '\(sequence)' in a double-quoted string"
    case .trailingContent(let text):
      "unexpected text after the value: '\(text)'"
    case .unsupportedAnchor:
      "anchors ('&name') are not supported; repeat the value instead"
    case .unsupportedAlias:
      "aliases ('*name') are not supported; repeat the value instead (quote a glob that starts with '*')"
    case .unsupportedTag:
      "tags ('!name') are not supported; quote the value if it starts with '!'"
    case .unsupportedBlockScalar:
      "block scalars ('|' and '>') are not supported; write the value on one line, quoted if needed"
    case .unsupportedDirective:
      "directives ('%YAML', '%TAG') are not supported; remove the line"
    case .multipleDocuments:
      "a policy file holds one document; remove the second '---' and what follows, or split the file"
    case .unsupportedComplexKey:
      "complex keys ('? key') are not supported; write 'key: value'"
    case .nestedMappingValue:
      "a value cannot contain ': ' here; quote it, or start a nested mapping on the next line"
    case .unclosedFlow(let open):
      "'\(open)' is never closed; add '\(open == "[" ? "]" : "}")'"
    case .unexpectedFlowCharacter(let character):
      "unexpected '\(character)' here"
    case .expectedFlowSeparator(let close):
      "expected ',' or '\(close)' here"
    case .expectedFlowColon:
      "expected ':' after the key in a '{key: value}' mapping"
    case .emptyKey:
      "a key cannot be empty"
    case .tooDeep(let limit):
      "the policy nests deeper than \(limit) levels here; no policy needs that"
    case .notAMapping(let context):
      "\(context) must be a mapping of 'key: value' lines"
    case .unknownKey(let key, let context, let suggestion, let valid):
      "unknown key '\(key)' in \(context)" + Self.hint(suggestion, valid: valid)
    case .wrongType(let field, let expected, let found):
      "'\(field)' must be \(expected), not \(found)"
    case .invalidValue(let field, let value, let valid):
      "'\(value)' is not a valid \(field); use one of: \(valid.joined(separator: ", "))"
    case .missingVersion:
      "the policy has no 'version'; add 'version: 1' at the top"
    case .unsupportedVersion(let version):
      "policy version \(version) is not supported; this kvmpolicy reads version 1"
    case .unknownDeviceClass(let name, let suggestion):
      "unknown device class '\(name)'"
        + (suggestion.map { "; did you mean '\($0)'?" } ?? "; kvmpolicy applies it to <\(name)> devices if libvirt reports any")
    case .unknownAttribute(let name, let deviceClass, let suggestion, let valid):
      "'\(deviceClass)' has no attribute '\(name)'" + Self.hint(suggestion, valid: valid)
        + " (or name a raw XML path such as 'target/@bus')"
    case .setWithoutRewrite:
      "'set' only applies with 'action: rewrite'"
    case .setAttributeNotWritable(let name, let deviceClass):
      "'\(deviceClass)' attribute '\(name)' cannot be set by a rewrite; set a raw path such as 'model/@type' instead"
    case .invalidGlob(let pattern, let reason):
      "invalid pattern '\(pattern)': \(reason)"
    case .emptyMatch:
      "'match' needs at least one of: name, uuid, tag"
    case .emptyList(let field):
      "'\(field)' must be a value or a list of values, not an empty list"
    case .emptyRule:
      "a rule needs at least one attribute to match; use 'allow: all' to allow every device of the class"
    case .invalidUUID(let value):
      "'\(value)' is not a UUID (expected 8-4-4-4-12 hex digits)"
    case .waiverMissingField(let field):
      "a waiver needs '\(field)': " + Self.waiverFieldPurpose(field)
    case .invalidDate(let value):
      "'\(value)' is not a date; write the day as YYYY-MM-DD, e.g. 2025-09-30"
    case .unknownCheck(let name, let suggestion):
      "unknown check '\(name)'" + Self.hint(suggestion, valid: FindingSelector.knownChecks)
    case .unknownWaiverClass(let name, let suggestion):
      "unknown device class '\(name)'" + Self.hint(suggestion, valid: DeviceClass.known.map(\.name))
    case .invalidFindingID(let value):
      "'\(value)' is not a finding ID (expected KP- and 12 hex digits, as reports print them)"
    case .emptyWaiver:
      "a waiver needs 'findings' with at least one of: check, class, rule, id"
    case .waiverRuleUnknown(let path, let waiver):
      "waiver \(waiver) can never apply: no finding of this policy has the rule '\(path)'"
        + " (rules look like devices.disk, devices.disk.allow[0], seclabel, qemu.passthrough, overrides[NAME].devices.hostdev)"
    case .waiverExpired(let waiver, let day):
      "waiver \(waiver) expired on \(day): it no longer applies, so the findings it covered count again; renew it or remove it"
    case .waiverExpiring(let waiver, let day, let days):
      "waiver \(waiver) expires on \(day) (end of day UTC), "
        + (days == 0 ? "today" : days == 1 ? "tomorrow" : "in \(days) days")
    case .waiverUnused(let waiver, let domains):
      "waiver \(waiver) waives no finding of the \(domains) domain\(domains == 1 ? "" : "s") checked"
    }
  }

  private static func waiverFieldPurpose(_ field: String) -> String {
    switch field {
    case "reason": "why the exception is accepted"
    case "owner": "who answers for the exception"
    default: "the last day it applies, as YYYY-MM-DD (it expires at the end of that day, UTC)"
    }
  }

  private static func hint(_ suggestion: String?, valid: [String]) -> String {
    if let suggestion { return "; did you mean '\(suggestion)'?" }
    return valid.isEmpty ? "" : "; expected one of: " + valid.joined(separator: ", ")
  }
}
