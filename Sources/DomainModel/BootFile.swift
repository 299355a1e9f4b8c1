/// A file `<os>` makes the domain boot from or keep: `<kernel>`, `<initrd>`, `<dtb>` and
/// `<loader>` are opened by QEMU, `<nvram>` (and its `template`) are copied or written for the VM.
public struct BootFile: Hashable, Sendable {
  /// The element that names it: `kernel`, `initrd`, `dtb`, `loader`, `nvram` or `nvram-template`.
  public let element: String
  /// The path, as written.
  public let path: String
  /// The 1-based source line of the element.
  public let line: Int

  /// The elements of `<os>` that name files.
  public static let elements: Set<String> = ["kernel", "initrd", "dtb", "loader", "nvram"]

  /// Creates a boot file entry; normally done by the domain reader.
  public init(element: String, path: String, line: Int) {
    self.element = element
    self.path = path
    self.line = line
  }
}
