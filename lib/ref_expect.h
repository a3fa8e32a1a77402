/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The result each reference-driver command should give: what the runner checks CQEs against. */
#ifndef IOUCMD_REF_EXPECT_H
#define IOUCMD_REF_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The CQE result the reference driver, done right, gives a command (include/ioucmd/ioucmd_ref.h
 * says what each returns): from its command area (cmd_len bytes), the buffer its arg points to
 * (buf, buf_len; NULL when the runner made none) and the ring's IORING_SETUP_* flags. False where
 * the result is not a function of those: KICK, CANCELABLE, STATS, LATENCIES, and the faults
 * that break the completion contract. FAULT_SQE_IN_TW and FAULT_ARG_REREAD claim the results of
 * NOP_TW and EAGAIN_ARG, the commands they imitate.
 */
bool ref_expected_res(uint32_t cmd_op, const uint8_t *cmd, size_t cmd_len, const uint8_t *buf,
		      size_t buf_len, unsigned int setup_flags, int32_t *res);

#endif /* IOUCMD_REF_EXPECT_H */
