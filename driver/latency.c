// SPDX-License-Identifier: GPL-2.0
/*
 * Ground truth for the tracer's latency: DELAY commands record, from inside the driver, the
 * time from the handler taking them to the done() call, and LATENCIES hands the values to user
 * space (`ioucmd-bench` compares them with what the tracer measured from outside).
 */
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include "ref.h"

static u64 ioucmd_ref_lat[IOUCMD_REF_LAT_MAX];
static unsigned int ioucmd_ref_lat_n;
static DEFINE_SPINLOCK(ioucmd_ref_lat_lock);

/* from task work; keeps the first IOUCMD_REF_LAT_MAX until they are read */
void ioucmd_ref_lat_record(u64 ns)
{
	unsigned long flags;

	spin_lock_irqsave(&ioucmd_ref_lat_lock, flags);
	if (ioucmd_ref_lat_n < IOUCMD_REF_LAT_MAX)
		ioucmd_ref_lat[ioucmd_ref_lat_n++] = ns;
	spin_unlock_irqrestore(&ioucmd_ref_lat_lock, flags);
}

/* copies up to len / 8 values to arg and forgets them all: res = how many were copied */
int ioucmd_ref_lat_read(const struct ioucmd_ref_req *req)
{
	unsigned int n = min_t(u32, req->len / sizeof(u64), IOUCMD_REF_LAT_MAX);
	unsigned long flags;
	u64 *buf;
	int ret;

	buf = kvmalloc_array(max(n, 1U), sizeof(u64), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	spin_lock_irqsave(&ioucmd_ref_lat_lock, flags);
	n = min(n, ioucmd_ref_lat_n);
	memcpy(buf, ioucmd_ref_lat, n * sizeof(u64));
	ioucmd_ref_lat_n = 0;
	spin_unlock_irqrestore(&ioucmd_ref_lat_lock, flags);
	ret = copy_to_user(u64_to_user_ptr(req->arg), buf, n * sizeof(u64)) ? -EFAULT : n;
	kvfree(buf);
	return ret;
}
