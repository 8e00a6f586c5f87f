-- Marketplace lead routing to the selling dealer (issue 13): a marketplace lead keeps its e-mail and
-- phone reversibly (the encrypt action: AES-SIV, base64url, the field name as associated data) beside
-- their tokens, so that the dealer the lead names receives the contact details under its agreement,
-- decrypted only at export time for that partner and audited. Ciphertext only; the key is
-- caravan.keys' encryption keyset, never in the database. Null on rows whose policy does not encrypt.
ALTER TABLE caravan.lead ADD COLUMN email_enc text, ADD COLUMN phone_enc text;
