#!/usr/bin/env python3
"""Generates the demo PKI under assets/: CA, server certificates (valid, expired, not yet valid,
key mismatch), ssh keys and a legacy service-account token. Run once; the outputs are committed
so that demo data and tests are stable. Needs python3-cryptography and ssh-keygen.

The certificate that expires within 30 days is NOT stored here: it would stop being "soon" after
a month. The demo server signs one with assets/pki/ca.key at startup instead."""
import base64, datetime as dt, json, os, subprocess, sys, uuid
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, ed25519, padding

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets")
PKI, SSH, TOK = (os.path.join(ROOT, d) for d in ("pki", "ssh", "tokens"))
for d in (PKI, SSH, TOK):
    os.makedirs(d, exist_ok=True)

def utc(y, m=1, d=1):
    return dt.datetime(y, m, d, tzinfo=dt.timezone.utc)

def write(path, data):
    with open(path, "wb") as f:
        f.write(data)

def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "keyhole demo"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])

def key_pem(key, fmt):
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())

def cert(subject_cn, key, issuer_cert, issuer_key, not_before, not_after, sans=(), ca=False, serial=None):
    b = (x509.CertificateBuilder()
         .subject_name(name(subject_cn))
         .issuer_name(issuer_cert.subject if issuer_cert else name(subject_cn))
         .public_key(key.public_key())
         .serial_number(serial or x509.random_serial_number())
         .not_valid_before(not_before).not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
    if ca:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                          data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                          crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
    algo = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return b.sign(issuer_key, algo)

pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
PKCS1, PKCS8, SEC1 = (serialization.PrivateFormat.TraditionalOpenSSL, serialization.PrivateFormat.PKCS8,
                      serialization.PrivateFormat.TraditionalOpenSSL)

# CA (ECDSA P-256, SEC1 key): signs everything, and at runtime the "expiring soon" certificate.
ca_key = ec.generate_private_key(ec.SECP256R1())
ca = cert("keyhole demo CA", ca_key, None, ca_key, utc(2026), utc(2036), ca=True)
write(f"{PKI}/ca.crt", pem(ca)); write(f"{PKI}/ca.key", key_pem(ca_key, PKCS8))  # PKCS#8: rcgen loads it

# A valid server certificate (RSA 2048, PKCS#1 key), plus a chain file (leaf + CA).
k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
c = cert("example.com", k, ca, ca_key, utc(2026), utc(2031), sans=("example.com", "www.example.com"))
write(f"{PKI}/example.com.crt", pem(c)); write(f"{PKI}/example.com.key", key_pem(k, PKCS1))
write(f"{PKI}/example.com-chain.crt", pem(c) + pem(ca))

# An expired certificate (ECDSA P-256, SEC1 key).
k = ec.generate_private_key(ec.SECP256R1())
c = cert("old.example.com", k, ca, ca_key, utc(2024), utc(2025), sans=("old.example.com",))
write(f"{PKI}/expired.crt", pem(c)); write(f"{PKI}/expired.key", key_pem(k, SEC1))

# A certificate that is not valid yet (Ed25519, PKCS#8 key).
k = ed25519.Ed25519PrivateKey.generate()
c = cert("future.example.com", k, ca, ca_key, utc(2035), utc(2036), sans=("future.example.com",))
write(f"{PKI}/future.crt", pem(c)); write(f"{PKI}/future.key", key_pem(k, PKCS8))

# A certificate and a key that do not belong together (both RSA, PKCS#8 key).
k1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
k2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
c = cert("mismatch.example.com", k1, ca, ca_key, utc(2026), utc(2031), sans=("mismatch.example.com",))
write(f"{PKI}/mismatch.crt", pem(c)); write(f"{PKI}/mismatch.key", key_pem(k2, PKCS8))

# ssh keys: ed25519, rsa, and an encrypted ed25519 (passphrase "keyhole-demo").
for f in ("id_ed25519", "id_rsa", "id_ed25519_encrypted"):
    for p in (f"{SSH}/{f}", f"{SSH}/{f}.pub"):
        if os.path.exists(p):
            os.remove(p)
subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "demo@keyhole", "-f", f"{SSH}/id_ed25519"], check=True)
subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "deploy@keyhole", "-f", f"{SSH}/id_rsa"], check=True)
subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "keyhole-demo", "-C", "locked@keyhole", "-f",
                f"{SSH}/id_ed25519_encrypted"], check=True)

# A legacy service-account token (RS256 JWT; keyhole decodes the claims, never verifies).
def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
sa_uid = "2b7c6e8f-3d4a-4c1e-9f0b-5a6d7e8f9a0b"
claims = {"iss": "kubernetes/serviceaccount",
          "kubernetes.io/serviceaccount/namespace": "default",
          "kubernetes.io/serviceaccount/secret.name": "secret-sa-sample",
          "kubernetes.io/serviceaccount/service-account.name": "build-robot",
          "kubernetes.io/serviceaccount/service-account.uid": sa_uid,
          "sub": "system:serviceaccount:default:build-robot"}
header = {"alg": "RS256", "kid": "keyhole-demo"}
signing_input = f"{b64url(json.dumps(header, separators=(',', ':')).encode())}.{b64url(json.dumps(claims, separators=(',', ':')).encode())}"
sig = k1.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
write(f"{TOK}/sa-token.jwt", f"{signing_input}.{b64url(sig)}".encode())
write(f"{TOK}/sa-uid.txt", sa_uid.encode())
print("wrote", PKI, SSH, TOK)
