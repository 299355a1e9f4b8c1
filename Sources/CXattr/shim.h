#ifndef KVMPOLICY_CXATTR_SHIM_H
#define KVMPOLICY_CXATTR_SHIM_H

/* getxattr(2) is in glibc but not in Swift's Glibc module; HostAudit reads POSIX ACLs
 * (system.posix_acl_access) with it. */
#include <sys/xattr.h>

#endif
