// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/nvme_ioctl.h>
#include "nvme.h"

#define NVME_CMD_WRITE		0x01
#define NVME_CMD_READ		0x02
#define NVME_ADMIN_IDENTIFY	0x06
#define NVME_IDENTIFY_SIZE	4096

/* the namespace's LBA size, from Identify Namespace (FLBAS selects the LBA format) */
static int lba_shift(int fd, unsigned int nsid, char *err, size_t errlen)
{
	unsigned char id[NVME_IDENTIFY_SIZE] __attribute__((aligned(4096)));
	struct nvme_passthru_cmd c = {
		.opcode = NVME_ADMIN_IDENTIFY, .nsid = nsid, .addr = (uintptr_t)id,
		.data_len = sizeof(id), .cdw10 = 0 /* CNS 0: namespace */,
	};
	unsigned int fmt, ds;

	if (ioctl(fd, NVME_IOCTL_ADMIN_CMD, &c)) {
		snprintf(err, errlen, "identify namespace %u failed: %s", nsid, strerror(errno));
		return -errno;
	}
	fmt = id[26] & 0x0f;		/* FLBAS */
	ds = id[128 + fmt * 4 + 2];	/* LBAF[fmt].LBADS */
	if (ds < 9 || ds > 16) {
		snprintf(err, errlen, "namespace %u reports an LBA size of 2^%u", nsid, ds);
		return -EINVAL;
	}
	return (int)ds;
}

int nvme_prepare(const char *device, const struct scenario_cmd *cmd, struct submit_job *job,
		 char *err, size_t errlen)
{
	struct nvme_uring_cmd n = { 0 };
	int fd, nsid, shift;
	uint32_t bytes, blocks;

	if (!job->sqe128) {
		snprintf(err, errlen, "NVMe passthrough needs sqe128 = 1 (struct nvme_uring_cmd is "
			 "%zu bytes)", sizeof(n));
		return -EINVAL;
	}
	fd = open(device, O_RDONLY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", device, strerror(errno));
		return -errno;
	}
	if (cmd->nvme == SCENARIO_NVME_IDENTIFY) {
		/* Identify Controller, on the controller device /dev/nvmeX */
		n.opcode = NVME_ADMIN_IDENTIFY;
		n.cdw10 = 1;
		n.data_len = NVME_IDENTIFY_SIZE;
		job->cmd_op = NVME_URING_CMD_ADMIN;
		job->buf_len = NVME_IDENTIFY_SIZE;
		close(fd);
		goto out;
	}
	nsid = ioctl(fd, NVME_IOCTL_ID);
	if (nsid <= 0) {
		snprintf(err, errlen, "%s is not an NVMe namespace device (NVME_IOCTL_ID: %s); use "
			 "/dev/ngXnY", device, strerror(errno));
		close(fd);
		return -ENOTTY;
	}
	shift = lba_shift(fd, (unsigned int)nsid, err, errlen);
	close(fd);
	if (shift < 0)
		return shift;
	blocks = cmd->blocks ? cmd->blocks : (cmd->bs >> shift);
	bytes = blocks << shift;
	if (!blocks || (cmd->bs && (cmd->bs & ((1u << shift) - 1)))) {
		snprintf(err, errlen, "bs %u is not a whole number of %u-byte LBAs", cmd->bs,
			 1u << shift);
		return -EINVAL;
	}
	n.opcode = cmd->nvme == SCENARIO_NVME_WRITE ? NVME_CMD_WRITE : NVME_CMD_READ;
	n.nsid = (uint32_t)nsid;
	n.cdw10 = (uint32_t)cmd->lba;
	n.cdw11 = (uint32_t)(cmd->lba >> 32);
	n.cdw12 = blocks - 1;	/* NLB is 0's based */
	n.data_len = bytes;
	job->cmd_op = NVME_URING_CMD_IO;
	job->buf_len = bytes;
out:
	memcpy(job->data, &n, sizeof(n));
	job->data_len = sizeof(n);
	job->buf_addr_off = offsetof(struct nvme_uring_cmd, addr);
	return 0;
}
