internal import CLibXML2

/// What a libvirt host's capabilities XML says about sVirt: its security models.
///
/// `virNodeGetSecurityModel` reports only the primary model; the capabilities XML lists every
/// `<secmodel>` (for example `selinux` and `dac`, or `apparmor` and `dac`).
public struct HostCapabilities: Hashable, Sendable {
  /// One `<host><secmodel>` entry.
  public struct SecurityModel: Hashable, Sendable {
    /// `selinux`, `apparmor`, `dac`, `none`, or a test driver's own name.
    public let model: String
    /// The domain of interpretation (`0` for SELinux and DAC, empty for AppArmor).
    public let doi: String
    /// `<baselabel type=...>` entries: the label each virtualization type starts from.
    public let baselabels: [String: String]

    /// Creates a model entry.
    public init(model: String, doi: String, baselabels: [String: String]) {
      self.model = model
      self.doi = doi
      self.baselabels = baselabels
    }
  }

  /// The security models in the order libvirt lists them (the first is the primary one).
  public let securityModels: [SecurityModel]

  /// Parses a capabilities document; `source` names it in errors.
  public init(xml: String, source: String) throws(DomainXMLError) {
    let document = try XMLParser.parse(xml, source: source)
    defer { xmlFreeDoc(document) }
    guard let rootNode = xmlDocGetRootElement(document), XMLElement(node: rootNode).name == "capabilities" else {
      throw DomainXMLError(source: source, line: 1, message: "not a libvirt <capabilities> document")
    }
    let host = XMLElement(node: rootNode).child("host")
    securityModels = (host.map { Array($0.children) } ?? []).filter { $0.name == "secmodel" }.map { element in
      var baselabels: [String: String] = [:]
      for label in element.children where label.name == "baselabel" {
        baselabels[label.attribute("type") ?? ""] = label.trimmedText
      }
      return SecurityModel(
        model: element.child("model")?.trimmedText ?? "", doi: element.child("doi")?.trimmedText ?? "",
        baselabels: baselabels)
    }
  }
}
