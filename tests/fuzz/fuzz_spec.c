/*
 * fuzz_spec.c - libFuzzer target: the spec loader must reject or accept
 * any bytes without crashing, leaking or undefined behaviour.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "grader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec *s = NULL;
	struct diag d;

	diag_init(&d);
	if (spec_load_buffer("fuzz.yaml", (const char *)data, size, &s, &d) == 0)
		spec_free(s);
	diag_release(&d);
	return 0;
}
