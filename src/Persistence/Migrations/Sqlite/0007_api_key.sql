-- API keys. Only a SHA-256 hash of each key is kept: the key itself is shown once, when it is made.
CREATE TABLE api_key (
    name TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT NULL
);
CREATE UNIQUE INDEX ux_api_key_key_hash ON api_key (key_hash);
