/* SPDX-License-Identifier: MIT */
/* Runs a libFuzzer target over files without libFuzzer, so that committed
 * corpora and crash inputs are replayed by `make check` with any compiler. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char input[1u << 20];

int main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;

		if (!f) {
			printf("FAIL: replay %s (cannot open)\n", argv[i]);
			failed = 1;
			continue;
		}
		n = fread(input, 1, sizeof(input), f);
		fclose(f);
		LLVMFuzzerTestOneInput(input, n);
	}
	printf("PASS: replayed %d inputs\n", argc - 1);
	return failed;
}
