-- Replay of a batch from its encrypted archive (issue 13): the new batch names the one it replays.
-- The replay runs through today's connector, consent, suppression, policies and keys; the link
-- only says where the input came from. Null for every batch that was not a replay.
ALTER TABLE caravan.batch ADD COLUMN replay_of text;
CREATE INDEX batch_replay_of ON caravan.batch (replay_of) WHERE replay_of IS NOT NULL;
