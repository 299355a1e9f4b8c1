public import QEMUSurface

/// The surface as JSON, schema `kvmpolicy.qemu-surface` v1.
public struct QEMUSurfaceJSONReporter: QEMUSurfaceReporter {
  /// `json`.
  public static let identifier = "json"

  /// Creates the reporter.
  public init() {}

  /// Renders the report.
  public func render(_ report: QEMUSurfaceReport) -> String {
    JSONValue.object([
      ("schema", .string("kvmpolicy.qemu-surface")),
      ("version", .int(1)),
      ("complete", .bool(report.isComplete)),
      ("sourceErrors", .array(report.sourceErrors.map(JSONValue.string))),
      (
        "emulators",
        .array(
          report.emulators.map { emulator in
            .object([
              ("path", .string(emulator.path)), ("version", .string(emulator.versionLine)), ("error", .string(emulator.error)),
              ("offered", .int(emulator.offeredCount)), ("used", .int(emulator.usedCount)),
              ("unused", .int(emulator.offeredCount - emulator.usedCount)), ("unusedPercent", .int(emulator.unusedPercent)),
              (
                "layers",
                .array(
                  emulator.layers.map { layer in
                    .object([
                      ("name", .string(layer.name)), ("file", .string(layer.file)),
                      ("dependencies", .array(layer.dependencies.map(JSONValue.string))),
                      ("models", .array(layer.models.map(JSONValue.string))), ("used", .array(layer.used.map(JSONValue.string))),
                      ("unused", .int(layer.unusedCount)), ("unusedPercent", .int(layer.unusedPercent)),
                    ])
                  })
              ),
              ("machineOnly", .array(emulator.machineOnly.map(JSONValue.string))),
              ("missing", .array(emulator.missing.map(JSONValue.string))),
              ("domains", .array(emulator.domains.map(JSONValue.string))),
            ])
          })
      ),
      (
        "domains",
        .array(
          report.domains.map { domain in
            .object([
              ("source", .string(domain.source)), ("name", .string(domain.name)), ("emulator", .string(domain.emulator)),
              ("machine", .string(domain.machine)), ("error", .string(domain.error)),
              ("commandLine", .array(domain.commandLine.map { .object([("model", .string($0.model)), ("layer", .string($0.layer))]) })),
              ("machineDevices", .array(domain.machineDevices.map { .object([("model", .string($0.model)), ("layer", .string($0.layer))]) })),
            ])
          })
      ),
    ]).rendered()
  }
}
