-- API keys. Only a SHA-256 hash of each key is kept: the key itself is shown once, when it is made.
CREATE TABLE api_key (
    name nvarchar(100) NOT NULL PRIMARY KEY,
    key_hash varchar(64) NOT NULL,
    scopes nvarchar(400) NOT NULL,
    created_at datetime2 NOT NULL,
    revoked_at datetime2 NULL
);
CREATE UNIQUE INDEX ux_api_key_key_hash ON api_key (key_hash);
