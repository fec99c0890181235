-- Real accounts. Demo accounts (published password) are marked, so a database that once ran in
-- demo mode does not keep accepting them: login and every request refuse a demo user unless
-- the process runs in demo mode.
ALTER TABLE users ADD COLUMN demo BIGINT NOT NULL DEFAULT 0;
-- Before this migration no user could be created except by the demo seed (there was no user
-- management, no set-up and no CLI), so these four names are the demo accounts.
UPDATE users SET demo = 1 WHERE username IN ('admin', 'manager', 'doctor', 'staff');

-- A user's sessions: revoking all of them (password reset, deactivation) and the last login.
CREATE INDEX auth_sessions_user ON auth_sessions (user_id, created_at);
