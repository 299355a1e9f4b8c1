import DomainModel
import Engine
import Policy
import Testing

/// Loads a policy from text, failing the test with the diagnostics if it does not load.
func policy(_ text: String, file: String = "test.yaml") throws -> Policy {
  switch PolicyLoader.load(text: text, file: file) {
  case .success(let loaded): return loaded.policy
  case .failure(let errors):
    Issue.record("policy did not load: \(errors)")
    throw errors
  }
}

/// Parses domain XML.
func domain(_ xml: String) throws -> Domain {
  try DomainDocument(xml: xml, source: "domain.xml").domain
}

/// A domain named `name` with these devices (and optional extra root children).
func domain(named name: String = "vm", uuid: String? = nil, live: Bool = false, devices: String, extra: String = "") throws -> Domain {
  let uuidElement = uuid.map { "<uuid>\($0)</uuid>" } ?? ""
  return try domain("<domain type='kvm'\(live ? " id='3'" : "")><name>\(name)</name>\(uuidElement)<devices>\(devices)</devices>\(extra)</domain>")
}

/// `check device-class` pairs of an evaluation's findings, in order.
func summary(_ evaluation: Evaluation) -> [String] {
  evaluation.findings.map { finding in
    [finding.check.rawValue, finding.device?.deviceClass, finding.action.rawValue].compactMap { $0 }.joined(separator: " ")
  }
}
