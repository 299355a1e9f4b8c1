#ifndef KVMPOLICY_CZLIB_SHIM_H
#define KVMPOLICY_CZLIB_SHIM_H

#include <zlib.h>

/* inflateInit2 is a function-like macro (it passes ZLIB_VERSION and sizeof(z_stream)),
 * which Swift cannot import; this wrapper starts a gzip-only inflater (16 + MAX_WBITS). */
static inline int kvmpolicy_inflate_init_gzip(z_streamp stream) {
  return inflateInit2(stream, 16 + MAX_WBITS);
}

#endif
