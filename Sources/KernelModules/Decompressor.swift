internal import CLzma
internal import CZlib
internal import CZstd

/// Decompresses xz, zstd and gzip data in process, with liblzma, libzstd and zlib.
///
/// Output is bounded by a size limit so a hostile or damaged file cannot exhaust memory; damaged
/// input becomes a `DecompressionError`, never a crash.
public enum Decompressor {
  /// The default bound on decompressed output: 256 MiB, far above any real kernel module.
  public static let defaultLimit = 256 * 1024 * 1024

  /// Decompresses `bytes`, in the given format or, when `format` is nil, the one its magic names.
  ///
  /// Concatenated streams (several xz streams, zstd frames or gzip members) are decoded in turn.
  /// - Throws: `DecompressionError`.
  public static func decompress(
    _ bytes: [UInt8],
    format: CompressionFormat? = nil,
    limit: Int = defaultLimit
  ) throws -> [UInt8] {
    guard let format = format ?? CompressionFormat.detect(bytes) else {
      throw DecompressionError.unknownFormat
    }
    guard !bytes.isEmpty else { throw DecompressionError.truncated(format) }
    var sink = OutputSink(limit: limit)
    try bytes.withUnsafeBufferPointer { input in
      switch format {
      case .xz: try decodeXZ(input, into: &sink)
      case .zstd: try decodeZstd(input, into: &sink)
      case .gzip: try decodeGzip(input, into: &sink)
      }
    }
    return sink.bytes
  }

  /// Decompresses `bytes` if their magic names a known format, and returns them unchanged if not.
  /// - Throws: `DecompressionError` for compressed input that does not decode.
  public static func decompressIfNeeded(
    _ bytes: [UInt8], limit: Int = defaultLimit
  ) throws -> [UInt8] {
    guard let format = CompressionFormat.detect(bytes) else { return bytes }
    return try decompress(bytes, format: format, limit: limit)
  }
}

/// Collects decoded chunks and enforces the size limit.
private struct OutputSink {
  let limit: Int
  var bytes: [UInt8] = []

  init(limit: Int) {
    self.limit = limit
  }

  mutating func append(_ chunk: UnsafeMutableBufferPointer<UInt8>, count: Int)
    throws
  {
    guard count > 0 else { return }
    guard bytes.count + count <= limit else {
      throw DecompressionError.outputTooLarge(limit: limit)
    }
    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<count]))
  }
}

extension Decompressor {
  fileprivate static let chunkSize = 64 * 1024

  /// liblzma: `lzma_stream_decoder` then `lzma_code(LZMA_FINISH)` until `LZMA_STREAM_END`.
  fileprivate static func decodeXZ(
    _ input: UnsafeBufferPointer<UInt8>, into sink: inout OutputSink
  ) throws {
    var stream = lzma_stream()
    let started = lzma_stream_decoder(
      &stream, UInt64.max, kvmpolicy_lzma_concatenated())
    guard started == LZMA_OK else { throw lzmaError(started) }
    defer { lzma_end(&stream) }
    stream.next_in = input.baseAddress
    stream.avail_in = input.count
    var chunk = [UInt8](repeating: 0, count: chunkSize)
    while true {
      let status = try chunk.withUnsafeMutableBufferPointer { buffer in
        stream.next_out = buffer.baseAddress
        stream.avail_out = buffer.count
        let status = lzma_code(&stream, LZMA_FINISH)
        try sink.append(buffer, count: buffer.count - stream.avail_out)
        return status
      }
      if status == LZMA_STREAM_END { return }
      guard status == LZMA_OK else { throw lzmaError(status) }
    }
  }

  /// Translates a liblzma status other than `LZMA_OK` / `LZMA_STREAM_END`.
  fileprivate static func lzmaError(_ status: lzma_ret) -> DecompressionError {
    switch status {
    case LZMA_BUF_ERROR: .truncated(.xz)
    case LZMA_FORMAT_ERROR: .corrupt(.xz, detail: "not an xz stream")
    case LZMA_DATA_ERROR: .corrupt(.xz, detail: "data is corrupt")
    case LZMA_OPTIONS_ERROR: .corrupt(.xz, detail: "unsupported options")
    case LZMA_MEM_ERROR: .library(.xz, detail: "out of memory")
    default: .library(.xz, detail: "lzma_ret \(status.rawValue)")
    }
  }

  /// libzstd: `ZSTD_decompressStream` until every frame is decoded and flushed; frames need not
  /// record their content size.
  fileprivate static func decodeZstd(
    _ input: UnsafeBufferPointer<UInt8>, into sink: inout OutputSink
  ) throws {
    guard let stream = ZSTD_createDStream() else {
      throw DecompressionError.library(
        .zstd, detail: "cannot allocate a decoder")
    }
    defer { ZSTD_freeDStream(stream) }
    let started = ZSTD_initDStream(stream)
    guard ZSTD_isError(started) == 0 else { throw zstdError(started) }
    var source = ZSTD_inBuffer(
      src: UnsafeRawPointer(input.baseAddress), size: input.count, pos: 0)
    var chunk = [UInt8](repeating: 0, count: chunkSize)
    while true {
      let (hint, produced) = try chunk.withUnsafeMutableBufferPointer {
        buffer in
        var target = ZSTD_outBuffer(
          dst: UnsafeMutableRawPointer(buffer.baseAddress), size: buffer.count,
          pos: 0)
        let hint = ZSTD_decompressStream(stream, &target, &source)
        guard ZSTD_isError(hint) == 0 else { throw zstdError(hint) }
        try sink.append(buffer, count: target.pos)
        return (hint, target.pos)
      }
      let inputDone = source.pos == source.size
      if inputDone && hint == 0 { return }
      // With all input consumed and room left in the output, the decoder has flushed everything;
      // a nonzero hint then means the frame is incomplete.
      if inputDone && produced < chunkSize {
        throw DecompressionError.truncated(.zstd)
      }
    }
  }

  /// Translates a libzstd error code, with the library's own name for it.
  fileprivate static func zstdError(_ code: Int) -> DecompressionError {
    let name =
      ZSTD_getErrorName(code).map { String(cString: $0) } ?? "error \(code)"
    if ZSTD_getErrorCode(code) == ZSTD_error_memory_allocation {
      return .library(.zstd, detail: name)
    }
    return .corrupt(.zstd, detail: name)
  }

  /// zlib: `inflateInit2(16 + MAX_WBITS)` (gzip only) then `inflate` until `Z_STREAM_END`,
  /// resetting for each further gzip member.
  fileprivate static func decodeGzip(
    _ input: UnsafeBufferPointer<UInt8>, into sink: inout OutputSink
  ) throws {
    guard input.count <= Int(UInt32.max) else {
      throw DecompressionError.library(.gzip, detail: "input larger than 4 GiB")
    }
    var stream = z_stream()
    let started = kvmpolicy_inflate_init_gzip(&stream)
    guard started == Z_OK else { throw zlibError(started, message: nil) }
    defer { inflateEnd(&stream) }
    stream.next_in = input.baseAddress.map {
      UnsafeMutablePointer(mutating: $0)
    }
    stream.avail_in = uInt(input.count)
    var chunk = [UInt8](repeating: 0, count: chunkSize)
    while true {
      let status = try chunk.withUnsafeMutableBufferPointer { buffer in
        stream.next_out = buffer.baseAddress
        stream.avail_out = uInt(buffer.count)
        let status = inflate(&stream, Z_NO_FLUSH)
        try sink.append(buffer, count: buffer.count - Int(stream.avail_out))
        return status
      }
      switch status {
      case Z_OK:
        continue
      case Z_STREAM_END:
        guard stream.avail_in >= 2, stream.next_in[0] == 0x1F,
          stream.next_in[1] == 0x8B
        else {
          // Done; trailing bytes that start no gzip member are ignored, as
          // gzip does.
          return
        }
        guard inflateReset(&stream) == Z_OK else {
          throw zlibError(Z_STREAM_ERROR, message: nil)
        }
      case Z_BUF_ERROR where stream.avail_in == 0:
        throw DecompressionError.truncated(.gzip)
      default:
        throw zlibError(status, message: stream.msg.map { String(cString: $0) })
      }
    }
  }

  /// Translates a zlib status other than `Z_OK` / `Z_STREAM_END`.
  fileprivate static func zlibError(_ status: Int32, message: String?)
    -> DecompressionError
  {
    switch status {
    case Z_DATA_ERROR: .corrupt(.gzip, detail: message ?? "data is corrupt")
    case Z_BUF_ERROR: .truncated(.gzip)
    case Z_MEM_ERROR: .library(.gzip, detail: "out of memory")
    default: .library(.gzip, detail: message ?? "zlib status \(status)")
    }
  }
}
