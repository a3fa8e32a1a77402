/* SPDX-License-Identifier: GPL-2.0 */
/* What the reference driver's files share. */
#ifndef IOUCMD_REF_H
#define IOUCMD_REF_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/workqueue.h>
#include <ioucmd/ioucmd_ref.h>
#include "compat.h"

struct ioucmd_ref_counters {
	atomic64_t issued[IOUCMD_REF_NR_SPACE];
	atomic64_t queued[IOUCMD_REF_NR_SPACE];
	atomic64_t completed[IOUCMD_REF_NR_SPACE];
	atomic64_t sync_returns[IOUCMD_REF_NR_SPACE];
	atomic64_t eagain[IOUCMD_REF_NR_SPACE];
	atomic64_t cancelled[IOUCMD_REF_NR_SPACE];
	atomic64_t rejected;
};

extern struct ioucmd_ref_counters ioucmd_ref_counters;
extern bool ioucmd_ref_faults;

/* an async command's state outside the pdu: timers and work items do not fit in 32 bytes */
enum { REF_PARKED, REF_COMPLETING };

struct ioucmd_ref_work {
	struct io_uring_cmd *cmd;
	unsigned int issue_flags;	/* only the buggy variants use these later */
	atomic_t state;
	struct list_head parked;	/* on ioucmd_ref_parked while cancelable */
	union {
		struct work_struct work;
		struct hrtimer timer;
	};
};

/* the CQE result of the commands that echo a value: never negative, never an errno */
#define REF_RES(arg)	((int)((arg) & 0x7fffffff))

/* per-command state kept in the io_uring_cmd pdu between issue and completion */
struct ioucmd_ref_pdu {
	s32 res;
	u8 nr;
	u8 reissue;	/* the nonblocking issue returned -EAGAIN: saved is what it read */
	u8 pad[2];
	u64 res2;
	union {
		struct {
			struct ioucmd_ref_work *w;	/* state outside the pdu */
			u64 issue_ns;	/* DELAY's ground truth: the handler's first instruction */
		};
		struct {	/* from -EAGAIN to the blocking reissue */
			u64 arg;
			u32 len;
			u32 wait_us;	/* EAGAIN_ARG: how long the reissue waits */
		} saved;
	};
};

static inline struct ioucmd_ref_pdu *ioucmd_ref_pdu(struct io_uring_cmd *ioucmd)
{
	return (struct ioucmd_ref_pdu *)ioucmd->pdu;
}

/* done() with the driver's counters kept in step */
void ioucmd_ref_complete(struct io_uring_cmd *ioucmd, int res, u64 res2, unsigned int issue_flags);
/* completion from task work, with pdu->res / pdu->res2 and the callback's own flags */
void ioucmd_ref_done_in_task(struct io_uring_cmd *ioucmd, bool lazy);

struct ioucmd_ref_work *ioucmd_ref_work_new(struct io_uring_cmd *ioucmd, gfp_t gfp);
void ioucmd_ref_work_free(struct ioucmd_ref_work *w);
void ioucmd_ref_park(struct ioucmd_ref_work *w);
int ioucmd_ref_park_cancelable(struct io_uring_cmd *ioucmd, unsigned int issue_flags);
bool ioucmd_ref_unpark(struct ioucmd_ref_work *w);

/* the command area, read once */
struct ioucmd_ref_req {
	u64 arg;
	u32 len;
	u32 flags;
};

/* ground-truth latencies (latency.c): recorded by DELAY, read by LATENCIES */
void ioucmd_ref_lat_record(u64 ns);
int ioucmd_ref_lat_read(const struct ioucmd_ref_req *req);

int ioucmd_ref_eagain_arg(struct io_uring_cmd *ioucmd, const struct ioucmd_ref_req *req,
			  unsigned int issue_flags, bool reread);
int ioucmd_ref_command(struct io_uring_cmd *ioucmd, const struct ioucmd_ref_req *req,
		       unsigned int nr, unsigned int issue_flags);
int ioucmd_ref_fault(struct io_uring_cmd *ioucmd, const struct ioucmd_ref_req *req,
		     unsigned int nr, unsigned int issue_flags);
int ioucmd_ref_cancel(struct io_uring_cmd *ioucmd, unsigned int issue_flags);
int ioucmd_ref_fault_cancel(struct io_uring_cmd *ioucmd, unsigned int issue_flags);
int ioucmd_ref_kick(void);

#endif /* IOUCMD_REF_H */
