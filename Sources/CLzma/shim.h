#ifndef KVMPOLICY_CLZMA_SHIM_H
#define KVMPOLICY_CLZMA_SHIM_H

#include <lzma.h>

/* LZMA_CONCATENATED is written with UINT32_C(), which Swift cannot import as a constant. */
static inline uint32_t kvmpolicy_lzma_concatenated(void) {
  return LZMA_CONCATENATED;
}

#endif
