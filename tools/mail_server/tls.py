"""A self-signed certificate for the local servers' TLS (127.0.0.1 and localhost), made once
into .local; clients trust it by using it as their CA file."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

VALID_DAYS = 825


def ensure_certificate(certificate: Path, private_key: Path) -> None:
    """Write the certificate and key unless both exist and the certificate is still valid."""
    if certificate.exists() and private_key.exists():
        existing = x509.load_pem_x509_certificate(certificate.read_bytes())
        if existing.not_valid_after_utc > datetime.now(UTC) + timedelta(days=7):
            return
    certificate.parent.mkdir(parents=True, exist_ok=True)
    private_key.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Smart Senior Life local mail")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    private_key.write_bytes(key_bytes)
    private_key.chmod(0o600)
    certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def server_context(certificate: Path, private_key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, private_key)
    return context


def client_context(certificate: Path) -> ssl.SSLContext:
    """A client context that trusts the local certificate (and checks the host name)."""
    return ssl.create_default_context(cafile=str(certificate))
