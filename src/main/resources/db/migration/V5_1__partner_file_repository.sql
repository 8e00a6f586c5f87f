-- Files consumed from partners' own SFTP servers: camel-sql's JdbcMessageIdRepository (its default
-- column layout) in the warehouse database, so that a file is consumed once across restarts and,
-- in a cluster, once per cluster. message_id is the route's idempotent key (name, size and
-- modification time), so a same-name file delivered on a later day is a new delivery.
CREATE TABLE caravan.partner_file_consumed (
    processorName varchar(255) NOT NULL,
    messageId     varchar(1000) NOT NULL,
    createdAt     timestamp NOT NULL,
    PRIMARY KEY (processorName, messageId)
);
