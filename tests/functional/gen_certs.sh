#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Makes every certificate the functional tests and `make demo` need, into DIR (created if
# missing). EC P-256 keys, so the whole set takes well under a second.
#
#   OPENSSL=/usr/bin/openssl sh gen_certs.sh DIR
#
# Files written (each NAME has NAME.pem and NAME.key):
#   ca            test CA (the --ca-file of the tests)
#   localhost     CA-signed, ~400 days; SAN DNS:localhost, IP:127.0.0.1, DNS:node.example.test, IP:::1
#   short         CA-signed, same names, notAfter 5 days minus 1 hour from now (for -C:
#                 4 whole days left, whichever second the test runs in)
#   expired       CA-signed, same names, notBefore 40 days ago, notAfter 10 days 1 hour ago
#   selfsigned    self-signed, same names (a fresh Pexip node)
#   wrongname     CA-signed for wrong.example.test only
#   srvnodes      CA-signed for the --srv targets a|b|c|d.srv.test and the fallback domains
#                 nx.srv.test and nodata.srv.test (only ever resolved in srv_test's namespace)
#   client        CA-signed client certificate (extendedKeyUsage clientAuth)
#   ca-other      a second CA that signed nothing the servers use (to distrust the node)
#   chain-ca      v2 -C: a self-signed root "Pexip Test Root CA", notAfter 3 days minus
#                 1 hour from now (sent by the node, so it must not count)
#   chain-inter   intermediate "Pexip Test Intermediate CA" signed by chain-ca, notAfter
#                 5 days minus 1 hour (4 whole days left)
#   chain         leaf (CN localhost, same names as localhost, 400 days) signed by
#                 chain-inter; chain.pem holds leaf, intermediate and root, in that order
#   chain-leaf-first  the same chain shape with a leaf of 2 days 23 h and an intermediate
#                 of 400 days (the leaf expires first); chain-leaf-first.pem holds all three
# Nothing here touches the network.
set -eu

dir=${1:?usage: gen_certs.sh DIR}
openssl=${OPENSSL:-openssl}
case $openssl in '' | no) openssl=openssl ;; esac

mkdir -p "$dir"
cd "$dir"

# One EC P-256 key.
newkey() {
	"$openssl" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
}

names='DNS:localhost,IP:127.0.0.1,DNS:node.example.test,IP:::1'

cat >ext.cnf <<EOF
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $names
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[self_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $names
subjectKeyIdentifier = hash

[wrong_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[srv_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:a.srv.test,DNS:b.srv.test,DNS:c.srv.test,DNS:d.srv.test,DNS:nx.srv.test,DNS:nodata.srv.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[client_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# CAs
for ca in ca ca-other; do
	newkey "$ca"
	"$openssl" req -new -x509 -key "$ca.key" -out "$ca.pem" -days 3650 -sha256 \
		-subj "/O=check_pexip_token tests/CN=Test CA $ca" \
		-config ext.cnf -extensions ca_ext 2>/dev/null
done

# A CA-signed certificate: sign NAME SUBJECT_CN DAYS EXTENSIONS
serial=100
sign() {
	newkey "$1"
	"$openssl" req -new -key "$1.key" -out "$1.csr" -subj "/O=check_pexip_token tests/CN=$2" \
		-config ext.cnf 2>/dev/null
	serial=$((serial + 1))
	"$openssl" x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$serial" \
		-days "$3" -sha256 -extfile ext.cnf -extensions "$4" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr"
}

sign localhost localhost 400 server_ext
sign wrongname wrong.example.test 400 wrong_ext
sign srvnodes a.srv.test 400 srv_ext
sign client 'check_pexip_token test client' 400 client_ext

# Self-signed leaf with the right names.
newkey selfsigned
"$openssl" req -new -x509 -key selfsigned.key -out selfsigned.pem -days 400 -sha256 \
	-subj '/O=check_pexip_token tests/CN=localhost' -config ext.cnf -extensions self_ext 2>/dev/null

# short and expired: `openssl ca` is the one tool in OpenSSL 3.0 that takes explicit dates.
stamp() {
	# seconds ago -> YYYYMMDDHHMMSSZ (UTC); GNU date first, then a POSIX-ish fallback
	date -u -d "@$(($(date -u +%s) - $1))" +%Y%m%d%H%M%SZ 2>/dev/null ||
		python3 -c "import sys,time;print(time.strftime('%Y%m%d%H%M%SZ',time.gmtime(time.time()-int(sys.argv[1]))))" "$1"
}
mkdir -p caroot/new
: >caroot/index.txt
echo 1000 >caroot/serial
cat >ca.cnf <<EOF
[ca]
default_ca = testca
[testca]
dir = caroot
database = caroot/index.txt
new_certs_dir = caroot/new
serial = caroot/serial
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
organizationName = optional
commonName = supplied
EOF
# casign NAME SECONDS-AGO-START SECONDS-AGO-END (negative: in the future)
casign() {
	newkey "$1"
	"$openssl" req -new -key "$1.key" -out "$1.csr" -subj '/O=check_pexip_token tests/CN=localhost' \
		-config ext.cnf 2>/dev/null
	"$openssl" ca -batch -notext -config ca.cnf -in "$1.csr" -out "$1.pem" \
		-startdate "$(stamp "$2")" -enddate "$(stamp "$3")" \
		-extfile ext.cnf -extensions server_ext 2>/dev/null
	rm -f "$1.csr"
}
casign short 3600 $((3600 - 5 * 86400))
casign expired $((40 * 86400)) $((10 * 86400 + 3600))

# v2 chain: root (short-lived but self-signed) <- intermediate <- leaf, each with explicit
# dates. chainsign NAME CN SECONDS-AGO-START SECONDS-AGO-END ISSUER EXTENSIONS (ISSUER "self":
# self-signed).
chainsign() {
	newkey "$1"
	"$openssl" req -new -key "$1.key" -out "$1.csr" -subj "/O=check_pexip_token tests/CN=$2" \
		-config ext.cnf 2>/dev/null
	if [ "$5" = self ]; then
		sed -e 's|caroot|chainroot|' -e "s|^certificate = .*|certificate = $1.pem|" \
			-e "s|^private_key = .*|private_key = $1.key|" ca.cnf >chain.cnf
		"$openssl" ca -batch -notext -selfsign -config chain.cnf -keyfile "$1.key" -in "$1.csr" \
			-out "$1.pem" -startdate "$(stamp "$3")" -enddate "$(stamp "$4")" \
			-extfile ext.cnf -extensions "$6" 2>/dev/null
	else
		sed -e 's|caroot|chainroot|' -e "s|^certificate = .*|certificate = $5.pem|" \
			-e "s|^private_key = .*|private_key = $5.key|" ca.cnf >chain.cnf
		"$openssl" ca -batch -notext -config chain.cnf -in "$1.csr" -out "$1.pem" \
			-startdate "$(stamp "$3")" -enddate "$(stamp "$4")" \
			-extfile ext.cnf -extensions "$6" 2>/dev/null
	fi
	rm -f "$1.csr" chain.cnf
}
mkdir -p chainroot/new
: >chainroot/index.txt
echo 2000 >chainroot/serial
chainsign chain-ca 'Pexip Test Root CA' 3600 $((3600 - 3 * 86400)) self ca_ext
chainsign chain-inter 'Pexip Test Intermediate CA' 3600 $((3600 - 5 * 86400)) chain-ca ca_ext
chainsign chain-leaf localhost 3600 $((-400 * 86400)) chain-inter server_ext
cat chain-leaf.pem chain-inter.pem chain-ca.pem >chain.pem
mv chain-leaf.key chain.key
rm -f chain-leaf.pem
chainsign chain-inter-long 'Pexip Test Long Intermediate CA' 3600 $((-400 * 86400)) chain-ca ca_ext
chainsign chain-leaf-first localhost 3600 $((3600 - 3 * 86400)) chain-inter-long server_ext
cat chain-inter-long.pem chain-ca.pem >>chain-leaf-first.pem
rm -rf chain-inter-long.key chain-inter-long.pem chainroot
rm -rf caroot ca.cnf ext.cnf

# The keys are test-only; keep them private anyway (a client key must not be world-readable).
chmod 600 ./*.key
echo "certificates written to $dir"
