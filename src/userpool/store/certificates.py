"""Each pool's SAML 2.0 signing certificate (GetSigningCertificate): one per pool, its private key sealed at rest
(``sealing.SecretBox``, the pool id as associated data), as client secrets are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from userpool.domain.records import SigningCertificate
from userpool.store import tables as t
from userpool.store.engine import StoreBase, dialect_insert, on_store_thread, point_read, retrying
from userpool.store.sealing import SealingError, SecretBox

_GET_CERTIFICATE = select(t.signing_certificates).where(t.signing_certificates.c.pool_id == bindparam("pool_id"))


def open_certificate(box: SecretBox | None, values: dict[str, Any]) -> SigningCertificate:
    """The certificate of a ``signing_certificates`` row, its private key opened with ``box`` (``SealingError``
    when it cannot be)."""
    sealed = values.pop("private_key_sealed")
    if box is None:
        raise SealingError("this store has no key to open signing keys")
    return SigningCertificate(**values, private_key=box.open(sealed, values["pool_id"]))


class CertificateStore(StoreBase):
    def _certificate(self, **values: Any) -> SigningCertificate:
        return open_certificate(self._box, values)

    @point_read
    async def get_signing_certificate(self, pool_id: str) -> SigningCertificate | None:
        return await self._read_one(_GET_CERTIFICATE, {"pool_id": pool_id}, self._certificate)

    @on_store_thread
    @retrying
    async def add_signing_certificate(self, certificate: SigningCertificate) -> SigningCertificate | None:
        """Keep ``certificate`` as its pool's, unless the pool has one already: the pool's certificate either way
        (of two racing first requests, the one whose insert won), or None when the pool does not exist."""
        if self._box is None:
            raise SealingError("this store has no key to seal signing keys")
        values = {
            "pool_id": certificate.pool_id,
            "certificate": certificate.certificate,
            "private_key_sealed": self._box.seal(certificate.private_key, certificate.pool_id),
            "created_at": certificate.created_at,
        }
        insert = dialect_insert(self.dialect)(t.signing_certificates).values(**values).on_conflict_do_nothing()
        try:
            async with self._write() as conn:
                await conn.execute(insert)
                row = (await conn.execute(_GET_CERTIFICATE, {"pool_id": certificate.pool_id})).mappings().first()
        except IntegrityError:  # the pool is gone
            return None
        return None if row is None else self._certificate(**row)
