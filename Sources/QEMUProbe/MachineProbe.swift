import Foundation

/// Asks a throwaway, paused QEMU which devices a machine type makes by itself: QEMU starts with
/// `-machine TYPE -nodefaults -S -display none -qmp stdio` (no guest code runs), answers
/// `info qtree` through QMP's `human-monitor-command`, and quits.
public enum MachineProbe {
  /// The device models in the machine's device tree, sorted (each once).
  ///
  /// - Parameters:
  ///   - machine: the `-machine` value (type and options, e.g. `pc-i440fx-7.2,usb=off`).
  ///   - accelerator: `tcg` or `kvm`; TCG when not given.
  public static func devices(emulator: String, machine: String, accelerator: String? = nil) throws(QEMUProbeError) -> [String] {
    let arguments = [
      "-machine", machine, "-accel", accelerator ?? "tcg", "-nodefaults", "-no-user-config", "-S", "-display", "none", "-qmp", "stdio",
    ]
    let commands = [
      #"{"execute":"qmp_capabilities"}"#,
      #"{"execute":"human-monitor-command","arguments":{"command-line":"info qtree"}}"#,
      #"{"execute":"quit"}"#,
    ]
    let shown = arguments.joined(separator: " ")
    let run: ProcessRun
    do { run = try ProcessRun.run(emulator, arguments, input: commands.joined(separator: "\n") + "\n", timeLimit: 60) } catch {
      throw .notQEMU(path: emulator, reason: "cannot run it: \(error.localizedDescription)")
    }
    guard run.status != nil else { throw .noAnswer(path: emulator, arguments: shown, reason: "still running after 60 s") }
    guard run.output.contains("\"QMP\"") else {
      throw .failed(path: emulator, arguments: shown, reason: "no QMP greeting; it said: \(run.errors.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))")
    }
    guard let tree = qtree(qmpOutput: run.output) else {
      throw .noAnswer(path: emulator, arguments: shown, reason: "no answer to info qtree")
    }
    let models = deviceModels(qtree: tree)
    guard !models.isEmpty else { throw .noAnswer(path: emulator, arguments: shown, reason: "info qtree lists no device") }
    return models
  }

  /// The `info qtree` text from QMP replies: the `return` string of the reply that has `dev:`.
  static func qtree(qmpOutput: String) -> String? {
    // QMP ends its lines with CR LF, which Swift sees as one Character.
    for line in qmpOutput.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) where line.contains("\"return\"") && line.contains("dev: ") {
      guard let data = String(line).data(using: .utf8),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let text = object["return"] as? String
      else { continue }
      return text
    }
    return nil
  }

  /// The models named by `dev: NAME, id "..."` lines, sorted.
  public static func deviceModels(qtree: String) -> [String] {
    Set(
      qtree.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).compactMap { line -> String? in
        let trimmed = line.drop { $0 == " " }
        guard trimmed.hasPrefix("dev: ") else { return nil }
        return String(trimmed.dropFirst(5).prefix { $0 != "," })
      }
    ).sorted()
  }
}
