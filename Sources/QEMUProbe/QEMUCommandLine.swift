/// What a QEMU command line (as `virConnectDomainXMLToNative` writes it) asks QEMU for: device
/// models, the machine type and accelerator, and the backends that QEMU may load as modules
/// (audio drivers, character devices, displays, block drivers).
public struct QEMUCommandLine: Sendable, Equatable {
  /// The `-device` drivers, sorted.
  public let devices: [String]
  /// The machine type (`pc-i440fx-7.2`), if given.
  public let machine: String?
  /// The `-machine` value without options that name other objects (`memory-backend=`), for
  /// asking QEMU which devices that machine makes by itself.
  public let machineOptions: String?
  /// The accelerator (`tcg`, `kvm`), if given.
  public let accelerator: String?
  /// `-audiodev` drivers.
  public let audioDrivers: [String]
  /// `-chardev` backends.
  public let chardevBackends: [String]
  /// `-display` types, with `spice` when `-spice` is given and `opengl` when a display has
  /// `gl=on`.
  public let displays: [String]
  /// `-blockdev` drivers.
  public let blockDrivers: [String]

  /// Parses a command line; environment assignments before the binary are skipped.
  public init(_ line: String) {
    let words = Self.words(line)
    var devices: Set<String> = []
    var machine: String?
    var machineOptions: String?
    var accelerator: String?
    var audio: Set<String> = []
    var chardevs: Set<String> = []
    var displays: Set<String> = []
    var block: Set<String> = []
    var index = 0
    while index < words.count {
      let word = words[index]
      let value = index + 1 < words.count ? words[index + 1] : ""
      switch word {
      case "-device": if let driver = Self.key("driver", value) { devices.insert(driver) }
      case "-machine", "-M":
        let parts = value.split(separator: ",").map(String.init)
        machine = parts.first.map { $0.hasPrefix("type=") ? String($0.dropFirst(5)) : $0 }
        machineOptions = parts.filter { !$0.hasPrefix("memory-backend=") }.joined(separator: ",")
        if let accel = parts.first(where: { $0.hasPrefix("accel=") }) { accelerator = String(accel.dropFirst(6).prefix { $0 != ":" }) }
      case "-accel": accelerator = Self.key("accel", value)
      case "-enable-kvm": accelerator = "kvm"
      case "-audiodev": if let driver = Self.key("driver", value) { audio.insert(driver) }
      case "-chardev": if let backend = Self.key("backend", value) { chardevs.insert(backend) }
      case "-spice": displays.insert("spice")
      case "-display":
        if let type = Self.key("type", value) { displays.insert(type) }
        if value.contains("gl=on") || value.contains("\"gl\":true") { displays.insert("opengl") }
      case "-blockdev": if let driver = Self.key("driver", value) { block.insert(driver) }
      default: break
      }
      index += 1
    }
    self.devices = devices.sorted()
    self.machine = machine
    self.machineOptions = machineOptions
    self.accelerator = accelerator
    self.audioDrivers = audio.sorted()
    self.chardevBackends = chardevs.sorted()
    self.displays = displays.sorted()
    self.blockDrivers = block.sorted()
  }

  /// The words of a shell-quoted line (libvirt quotes JSON arguments with single quotes).
  static func words(_ line: String) -> [String] {
    var words: [String] = []
    var current = ""
    var inWord = false
    var quote: Character?
    var escaped = false
    for character in line {
      if escaped {
        current.append(character)
        escaped = false
      } else if let open = quote {
        if character == open { quote = nil } else { current.append(character) }
      } else if character == "\\" {
        escaped = true
        inWord = true
      } else if character == "'" || character == "\"" {
        quote = character
        inWord = true
      } else if character == " " || character == "\n" || character == "\t" {
        if inWord { words.append(current) }
        current = ""
        inWord = false
      } else {
        current.append(character)
        inWord = true
      }
    }
    if inWord { words.append(current) }
    return words
  }

  /// The named key of a JSON argument (`{"driver":"x",...}`) or, in the legacy syntax
  /// (`x,id=...`), its first element (or `key=value`).
  static func key(_ key: String, _ value: String) -> String? {
    if value.hasPrefix("{") {
      guard let range = value.range(of: "\"\(key)\":\"") else { return nil }
      let found = String(value[range.upperBound...].prefix { $0 != "\"" })
      return found.isEmpty ? nil : found
    }
    let parts = value.split(separator: ",")
    if let named = parts.first(where: { $0.hasPrefix(key + "=") }) { return String(named.dropFirst(key.count + 1)) }
    guard let first = parts.first, !first.contains("=") else { return nil }
    return String(first)
  }
}
