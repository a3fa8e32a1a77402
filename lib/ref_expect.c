// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What the reference driver, done right, answers each command: see ref_expect.h. */
#include <errno.h>
#include <string.h>
#include <linux/io_uring.h>
#include <ioucmd/ioucmd_ref.h>
#include "names.h"
#include "ref_expect.h"

#define REF_RES(v)	((int32_t)((v) & 0x7fffffff))
#define NSEC_PER_SEC	1000000000ull

/* COPY_IN / COPY_OUT: len checked as the driver does (1 .. 1 MiB) */
static bool copy_res(const struct ioucmd_ref_cmd *c, const uint8_t *buf, size_t buf_len, bool in,
		     int32_t *res)
{
	uint32_t sum = 0;

	if (!c->len || c->len > (1u << 20)) {
		*res = -EINVAL;
		return true;
	}
	if (!buf || buf_len < c->len)
		return false;	/* an address of the scenario's own: its bytes are unknown here */
	if (!in) {
		*res = (int32_t)c->len;
		return true;
	}
	for (uint32_t i = 0; i < c->len; i++)
		sum += buf[i];
	*res = REF_RES(sum);
	return true;
}

static bool uarg_res(const struct ioucmd_ref_cmd *c, const uint8_t *buf, size_t buf_len,
		     int32_t *res)
{
	struct ioucmd_ref_uarg u;

	if (c->len != sizeof(u)) {
		*res = -EINVAL;
		return true;
	}
	if (!buf || buf_len < sizeof(u))
		return false;
	memcpy(&u, buf, sizeof(u));
	*res = u.wait_ns > NSEC_PER_SEC ? -EINVAL : REF_RES(u.value);
	return true;
}

static bool big_res(const uint8_t *cmd, size_t cmd_len, unsigned int setup_flags, int32_t *res)
{
	struct ioucmd_ref_big_cmd big;
	uint32_t sum = 0;

	if (!(setup_flags & IORING_SETUP_SQE128) || !(setup_flags & IORING_SETUP_CQE32) ||
	    cmd_len < sizeof(big)) {
		*res = -EINVAL;
		return true;
	}
	memcpy(&big, cmd, sizeof(big));
	if (big.len > sizeof(big.payload)) {
		*res = -EINVAL;
		return true;
	}
	for (uint32_t i = 0; i < big.len; i++)
		sum += big.payload[i];
	*res = (int32_t)sum;
	return true;
}

bool ref_expected_res(uint32_t cmd_op, const uint8_t *cmd, size_t cmd_len, const uint8_t *buf,
			 size_t buf_len, unsigned int setup_flags, int32_t *res)
{
	int nr = ioucmd_ref_nr_of(cmd_op);
	struct ioucmd_ref_cmd c;

	if (nr < 0 || cmd_len < sizeof(c))
		return false;
	memcpy(&c, cmd, sizeof(c));
	if (c.flags) {
		*res = -EINVAL;
		return true;
	}
	switch (nr) {
	case IOUCMD_REF_NR_NOP:
	case IOUCMD_REF_NR_NOP_TW:
	case IOUCMD_REF_NR_NOP_TW_LAZY:
	case IOUCMD_REF_NR_KWORKER:
	case IOUCMD_REF_NR_EAGAIN:
	case IOUCMD_REF_NR_FAULT_SQE_IN_TW:
		*res = REF_RES(c.arg);
		return true;
	case IOUCMD_REF_NR_DELAY:
		*res = c.arg > NSEC_PER_SEC ? -EINVAL : 0;
		return true;
	case IOUCMD_REF_NR_EAGAIN_ARG:
	case IOUCMD_REF_NR_FAULT_ARG_REREAD:
		return uarg_res(&c, buf, buf_len, res);
	case IOUCMD_REF_NR_COPY_OUT:
		return copy_res(&c, buf, buf_len, false, res);
	case IOUCMD_REF_NR_COPY_IN:
		return copy_res(&c, buf, buf_len, true, res);
	case IOUCMD_REF_NR_BIG:
		return big_res(cmd, cmd_len, setup_flags, res);
	}
	return false;
}
