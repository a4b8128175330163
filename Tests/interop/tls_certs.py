"""Test certificates made with the openssl CLI: a CA, and server or client certificates it signs
(with DNS SANs). Files are world-readable: Envoy runs as uid 1337 and reads them by name."""

from __future__ import annotations

import os
import pathlib
import subprocess


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class CertificateAuthority:
    def __init__(self, directory: pathlib.Path, name: str = "Fairway Test CA"):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.cert = str(self.dir / "ca.pem")
        self.key = str(self.dir / "ca.key")
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
                 "-keyout", self.key, "-out", self.cert)
        self._fix(self.cert, self.key)

    def issue(self, name: str, sans: list[str], client: bool = False) -> tuple[str, str]:
        """A certificate and key for `name` signed by this CA: (cert path, key path)."""
        key, csr, cert = (str(self.dir / f"{name}.{ext}") for ext in ("key", "csr", "pem"))
        ext = self.dir / f"{name}.ext"
        usage = "clientAuth" if client else "serverAuth"
        ext.write_text("subjectAltName=" + ",".join(f"DNS:{s}" for s in sans) +
                       f"\nextendedKeyUsage={usage}\nbasicConstraints=CA:FALSE\n")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={sans[0] if sans else name}",
                 "-keyout", key, "-out", csr)
        _openssl("x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key, "-CAcreateserial",
                 "-days", "2", "-extfile", str(ext), "-out", cert)
        self._fix(cert, key)
        return cert, key

    @staticmethod
    def _fix(*paths: str) -> None:
        for path in paths:
            os.chmod(path, 0o644)
