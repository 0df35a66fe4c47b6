#!/bin/sh
# The main.cf side of the daneops-tlsrpt pipe, as commands.
# Run after installing master.cf's entry and /etc/postfix/daneops-tlsrpt
# (docs/report.md).  Where a parameter already has a value, add the table
# to it instead of replacing it ("postconf -h transport_maps" shows it);
# "daneops doctor" prints these lines with this host's values filled in.

postmap /etc/postfix/daneops-tlsrpt
postconf -e 'transport_maps = hash:/etc/postfix/daneops-tlsrpt'

# The domain is in mydestination (a local domain; Postfix's default
# local_recipient_maps plus the table):
postconf -e 'local_recipient_maps = proxy:unix:passwd.byname $alias_maps hash:/etc/postfix/daneops-tlsrpt'
# ...or a virtual mailbox domain:
#postconf -e 'virtual_mailbox_maps = hash:/etc/postfix/vmailbox hash:/etc/postfix/daneops-tlsrpt'

# The database directory, owned by the user the pipe runs as (the Debian
# package makes both):
#   adduser --system --group --home /var/lib/daneops --no-create-home daneops
#   install -d -o daneops -g daneops -m 0750 /var/lib/daneops/tlsrpt
postfix reload
