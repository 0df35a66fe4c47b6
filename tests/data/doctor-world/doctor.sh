# tests/data/doctor-world/doctor.sh - the private lab world of
# tests/e2e/doctor_lab.sh (started with DANEOPS_LAB_WORLD=tests/data/doctor-world).
#
# doctor.test (signed, RFC 2136 with the lab key): mx.doctor.test on
# 127.0.8.1 presents doctor-mx (ECDSA); exp.doctor.test on 127.0.8.2
# presents doctor-exp, which expires in 5 days.  doctor-next is the next
# key of the mx lineage (no certificate).  At start the zone has the
# records of a healthy host: current and next key at each owner, and a
# TLSRPT record whose reports go to tls-reports@doctor.test.  The test
# changes the TLSA records with nsupdate as it goes; the lab is its own.
lab_cert doctor-mx ecdsa lab-int-ecdsa mx.doctor.test
lab_cert doctor-exp ecdsa lab-int-ecdsa exp.doctor.test --days 5
lab_key doctor-next ecdsa
lab_key doctor-exp-next ecdsa
cat >"$LAB_DIR/doctor.zone" <<ZONE
@ MX 10 mx
mx A 127.0.8.1
exp A 127.0.8.2
_25._tcp.mx TLSA $(lab_tlsa 3 1 1 "$LAB_DOCTOR_MX_CERT")
_25._tcp.mx TLSA $(lab_tlsa 3 1 1 "$LAB_DOCTOR_NEXT_KEY")
_25._tcp.exp TLSA $(lab_tlsa 3 1 1 "$LAB_DOCTOR_EXP_CERT")
_25._tcp.exp TLSA $(lab_tlsa 3 1 1 "$LAB_DOCTOR_EXP_NEXT_KEY")
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls-reports@doctor.test"
ZONE
lab_zone doctor.test signed "$LAB_DIR/doctor.zone"
lab_smtp 127.0.8.1 "$LAB_DOCTOR_MX_CHAIN" "$LAB_DOCTOR_MX_KEY"
lab_smtp 127.0.8.2 "$LAB_DOCTOR_EXP_CHAIN" "$LAB_DOCTOR_EXP_KEY"
