-- When each stored API key was last presented (to the minute), so that unused keys can be found and revoked.
ALTER TABLE api_key ADD COLUMN last_used_at timestamptz NULL;
