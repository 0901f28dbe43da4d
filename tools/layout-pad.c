/* SPDX-License-Identifier: MIT */
/* PAD_BYTES of code that never runs, linked ahead of digestd's own by the
 * digestd-padN targets (make bench-libc): the same program with every
 * function moved by that much against the 4 KiB pages. Under qemu-user that
 * placement alone moved `digestd summarize` by up to 9 %, as much as the
 * libc did (README, "Firmware"). */
#define PAD_TEXT(n) #n
#define PAD_STRING(n) PAD_TEXT(n)

void layout_pad(void);

void layout_pad(void)
{
	__asm__(".space " PAD_STRING(PAD_BYTES));
}
