#ifndef KVMPOLICY_CZSTD_SHIM_H
#define KVMPOLICY_CZSTD_SHIM_H

#include <zstd.h>
#include <zstd_errors.h>

#endif
