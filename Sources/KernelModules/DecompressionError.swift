/// Why `Decompressor` could not turn compressed bytes back into the original.
public enum DecompressionError: Error, Equatable, Sendable,
  CustomStringConvertible
{
  /// The input starts with no known magic and no format was given.
  case unknownFormat
  /// The library rejected the data as damaged or not in the format; `detail` is its message.
  case corrupt(CompressionFormat, detail: String)
  /// The input ended before the compressed stream did.
  case truncated(CompressionFormat)
  /// The output would exceed the caller's size limit (in bytes).
  case outputTooLarge(limit: Int)
  /// The library failed for a reason other than the data (out of memory, bad setup).
  case library(CompressionFormat, detail: String)

  /// A one-line message for a person.
  public var description: String {
    switch self {
    case .unknownFormat:
      "unknown compression format (no xz, zstd or gzip magic)"
    case .corrupt(let format, let detail):
      "corrupt \(format.rawValue) data: \(detail)"
    case .truncated(let format):
      "truncated \(format.rawValue) data: input ended inside the stream"
    case .outputTooLarge(let limit):
      "decompressed data exceeds the limit of \(limit) bytes"
    case .library(let format, let detail):
      "\(format.rawValue) library error: \(detail)"
    }
  }
}
