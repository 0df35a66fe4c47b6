/*
 * fuzz_rfc2136_reply - fuzz what the rfc2136 provider does with a DNS
 * server's answer (rfc2136_fuzz_reply: ldns's wire parser, the ID and TSIG
 * checks, the TLSA records of a list answer).
 *
 * Besides not crashing or leaking: nothing; the checks' verdicts are the
 * unit tests' and the lab's business.
 */
#include "fuzz.h"
#include "provider/provider_impl.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65535)
		return 0;
	(void)rfc2136_fuzz_reply(data, size);
	return 0;
}
