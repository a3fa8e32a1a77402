/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* NVMe passthrough commands (struct nvme_uring_cmd) for the load generator. */
#ifndef IOUCMD_NVME_H
#define IOUCMD_NVME_H

#include <stddef.h>
#include "scenario.h"
#include "submit.h"

/*
 * Fills job's command area with a struct nvme_uring_cmd for cmd (read/write on a namespace
 * char device /dev/ngXnY, identify on a controller /dev/nvmeX), asking the device for its
 * namespace id and LBA size. Sets the per-command buffer. Returns 0 or -errno with err.
 */
int nvme_prepare(const char *device, const struct scenario_cmd *cmd, struct submit_job *job,
		 char *err, size_t errlen);

#endif /* IOUCMD_NVME_H */
