-- API keys. Only a SHA-256 hash of each key is kept: the key itself is shown once, when it is made.
CREATE TABLE api_key (
    name varchar(100) PRIMARY KEY,
    key_hash varchar(64) NOT NULL,
    scopes varchar(400) NOT NULL,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz NULL
);
CREATE UNIQUE INDEX ux_api_key_key_hash ON api_key (key_hash);
