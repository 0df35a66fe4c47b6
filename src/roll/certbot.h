/*
 * certbot - a lineage's source files, and the two places daneops touches
 * certbot's own files: key reuse (roll init) and the rollover hand-off.
 *
 * certbot keeps DANE records valid only with reuse_key = True (else every
 * renewal makes a new key).  A rollover then hands the pre-published next
 * key to certbot (handoff.h: journaled): the next key is written over the
 * file live/NAME/privkey.pem points to (archive/NAME/privkeyN.pem;
 * services never read certbot's files, they read daneops's deployed
 * copies, so the moment of key and certificate disagreeing there harms
 * nothing) and certbot_renew runs "certbot renew --force-renewal
 * --reuse-key --non-interactive --no-random-sleep-on-renew --cert-name
 * NAME --config-dir CERTBOT_DIR".  certbot builds its request from the key
 * at live/NAME/privkey.pem, and whether it then copies that key or links
 * the prior version's file for the new version, both hold the next key.
 * This is danebot's approach (a staged key linked into the lineage before
 * a forced --reuse-key renewal) without a second lineage; proven with
 * certbot 2.1.0 and pebble by tests/e2e/roll_pebble.sh.
 */
#ifndef DANEOPS_ROLL_CERTBOT_H
#define DANEOPS_ROLL_CERTBOT_H

#include "roll/conf.h"
#include "util/err.h"

/* The source key and chain paths of l (caller frees both). */
void certbot_source(const struct conf *c, const struct conf_lineage *l,
	char **key, char **chain);

/* Set reuse_key = True in RENEWAL_DIR/NAME.conf, atomically, keeping the rest. */
int certbot_reuse_key(const char *certbot_dir, const char *name,
	struct err *e);

/*
 * certbot renew --force-renewal --reuse-key ... --cert-name NAME with
 * certbot_dir (and the work and logs directories) passed through, killed
 * at certbot_timeout.  ERR_TEMP with the tail of its stderr on failure.
 */
int certbot_renew(const struct conf *c, const struct conf_lineage *l,
	struct err *e);

#endif
