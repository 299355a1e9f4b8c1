public import QEMUSurface

/// Renders a QEMU device surface (a ``Reporter`` of ``QEMUSurfaceReport``).
public protocol QEMUSurfaceReporter: Reporter where Input == QEMUSurfaceReport {}

/// The formats `qemu surface` offers: text and JSON (schema `kvmpolicy.qemu-surface` v1).
public enum QEMUSurfaceReporters {
  /// Every format name, in the order `--help` lists them.
  public static let identifiers = [QEMUSurfaceTextReporter.identifier, QEMUSurfaceJSONReporter.identifier]

  /// The reporter for a format name.
  public static func reporter(for identifier: String) -> (any QEMUSurfaceReporter)? {
    switch identifier {
    case QEMUSurfaceTextReporter.identifier: QEMUSurfaceTextReporter()
    case QEMUSurfaceJSONReporter.identifier: QEMUSurfaceJSONReporter()
    default: nil
    }
  }
}
