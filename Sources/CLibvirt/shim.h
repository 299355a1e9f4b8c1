#ifndef KVMPOLICY_CLIBVIRT_SHIM_H
#define KVMPOLICY_CLIBVIRT_SHIM_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* Swift cannot import char arrays longer than its tuple limit
 * (virSecurityLabel.label is char[VIR_SECURITY_LABEL_BUFLEN] = 4097),
 * so these accessors hand out the fields as C strings. */
static inline const char *kvmpolicy_seclabel_label(const virSecurityLabel *label) {
  return label->label;
}

static inline int kvmpolicy_seclabel_enforcing(const virSecurityLabel *label) {
  return label->enforcing;
}

static inline const char *kvmpolicy_secmodel_model(const virSecurityModel *model) {
  return model->model;
}

static inline const char *kvmpolicy_secmodel_doi(const virSecurityModel *model) {
  return model->doi;
}

/* The global default authentication callbacks, read through a function because Swift 6
 * treats a C global variable as shared mutable state. */
static inline virConnectAuthPtr kvmpolicy_default_auth(void) {
  return virConnectAuthPtrDefault;
}

#endif
