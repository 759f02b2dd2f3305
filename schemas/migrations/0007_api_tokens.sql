-- coderaudit store, schema version 7: API tokens of `coderaudit serve`.
--
-- A token is shown once, when `coderaudit token create` makes it: ca_<id>_<secret>, the
-- secret 32 random bytes (OpenSSL RAND_bytes) in base64url. Only a slow salted hash of the
-- secret is kept: PBKDF2-HMAC-SHA256 with a random 16-byte salt and `iterations` rounds
-- (audit/engine/api_tokens.cpp). A revoked token keeps its row (revoked_at set) so the
-- listing shows who had access and until when.

-- Statements end a line with ';' (audit/store/store.cpp splits on it): notes go above.

CREATE TABLE api_tokens (
  token_id     INTEGER PRIMARY KEY AUTOINCREMENT,
  name         TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('check', 'read', 'admin')),
  salt_hex     TEXT NOT NULL,
  hash_hex     TEXT NOT NULL,
  iterations   INTEGER NOT NULL,
  created_at   TEXT NOT NULL,
  revoked_at   TEXT
);
