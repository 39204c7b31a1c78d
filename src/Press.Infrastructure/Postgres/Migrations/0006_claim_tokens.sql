-- Version 6: a step runs exactly once (issue 9). Every claim of a job gets a random token, and every write made under
-- the claim is fenced on it: once the job was claimed again, the earlier claimant (whatever its worker id) writes
-- nothing more. The token stays after the job waits or ends, so a retried write can tell it already landed.
ALTER TABLE jobs ADD COLUMN lease_token uuid;

-- Claims since the last recorded outcome (a step finished, a wait, the end), this one included. A claim that finds it
-- at Press:Jobs:MaxAbandonedClaims or more fails the job instead of running the same step again.
ALTER TABLE jobs ADD COLUMN unfinished_claims int NOT NULL DEFAULT 0;

-- The claim that last started the step: a started-write retried after a lost answer counts its attempt once.
ALTER TABLE job_steps ADD COLUMN started_by uuid;
