-- What an approver sees of a command review (issue 17): the policy's rule ids beside its reasons, and the session so
-- far, the held request's earlier requests as session-proxy recorded them (masked). Both as JSON arrays; null for
-- reviews stored before, and for requests that came without them.

ALTER TABLE review ADD COLUMN rules text;        -- policy rule ids as JSON array
ALTER TABLE review ADD COLUMN history text;      -- [{seq, request, action}] as JSON array, oldest first
