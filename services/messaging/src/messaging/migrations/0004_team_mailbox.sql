-- A council team's shared mailbox: where its notification e-mails go (docs/messaging.md
-- "Notifications"). Team membership is not modelled, so the team's address is who is told; none, and
-- the team is told nothing. A line break would end a mail header (header injection): refused here as
-- the council API refuses it, so no writer can store one.
ALTER TABLE messaging.team
    ADD COLUMN mailbox text CHECK (mailbox !~ '[\r\n]' AND length(mailbox) BETWEEN 3 AND 254);
