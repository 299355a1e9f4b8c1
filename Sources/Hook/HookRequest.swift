/// One call of libvirt's QEMU hook: `<domain> <operation> <sub-operation> <extra>`, plus the
/// hook's own options.
public struct HookRequest: Equatable, Sendable {
  /// What the hook does when the policy is missing, unreadable, unsafe or invalid.
  public enum PolicyErrorMode: String, Sendable, CaseIterable {
    /// Refuse to start (fail closed): the default.
    case refuse
    /// Let the domain start, reporting the problem (fail open).
    case allow
  }

  /// The domain name libvirt passes.
  public let domain: String
  /// `prepare`, `start`, `started`, `stopped`, `release`, `migrate`, `restore`, `reconnect`, ...
  public let operation: String
  /// `begin` or `end`.
  public let subOperation: String
  /// libvirt's extra argument (`-` when unused).
  public let extra: String
  /// The policy file.
  public let policyPath: String
  /// Fail closed or open on policy errors.
  public let onPolicyError: PolicyErrorMode

  /// The installed policy's path.
  public static let defaultPolicyPath = "/etc/kvmpolicy/policy.yaml"

  /// Creates a request.
  public init(
    domain: String, operation: String, subOperation: String, extra: String = "-",
    policyPath: String = HookRequest.defaultPolicyPath, onPolicyError: PolicyErrorMode = .refuse
  ) {
    self.domain = domain
    self.operation = operation
    self.subOperation = subOperation
    self.extra = extra
    self.policyPath = policyPath
    self.onPolicyError = onPolicyError
  }

  /// Parses `[--policy FILE] [--on-policy-error refuse|allow] [--] DOMAIN OPERATION SUB-OPERATION [EXTRA]`.
  ///
  /// After `--` every argument is libvirt's, taken by position whatever its text: a domain
  /// may be called `--policy` (libvirt accepts it), and a hook that failed on it would make
  /// libvirt kill the running guest at `reconnect`.
  ///
  /// - Returns: the request, or a usage message.
  public static func parse(_ arguments: [String]) -> Result<HookRequest, HookUsageError> {
    var policy = defaultPolicyPath
    var mode = PolicyErrorMode.refuse
    var positional: [String] = []
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      switch argument {
      case "--":
        positional += arguments[(index + 1)...]
        index = arguments.count
      case "--policy":
        guard index + 1 < arguments.count else { return .failure(HookUsageError("--policy needs a file")) }
        policy = arguments[index + 1]
        index += 2
      case "--on-policy-error":
        guard index + 1 < arguments.count, let value = PolicyErrorMode(rawValue: arguments[index + 1]) else {
          return .failure(HookUsageError("--on-policy-error needs 'refuse' or 'allow'"))
        }
        mode = value
        index += 2
      default:
        positional.append(argument)
        index += 1
      }
    }
    guard positional.count >= 3, positional.count <= 4 else {
      return .failure(HookUsageError("expected DOMAIN OPERATION SUB-OPERATION [EXTRA], as libvirt passes them"))
    }
    return .success(
      HookRequest(
        domain: positional[0], operation: positional[1], subOperation: positional[2],
        extra: positional.count == 4 ? positional[3] : "-", policyPath: policy, onPolicyError: mode))
  }

  /// Whether kvmpolicy judges this call (and so reads the XML and the policy).
  public var isJudged: Bool {
    subOperation == "begin" && ["prepare", "start", "migrate", "restore", "reconnect"].contains(operation)
  }
}

/// A hook invoked with arguments it cannot understand.
public struct HookUsageError: Error, Equatable, Sendable {
  /// What is wrong.
  public let message: String

  init(_ message: String) {
    self.message = message
  }
}
