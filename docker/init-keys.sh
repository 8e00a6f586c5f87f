#!/bin/sh
# Creates the key files docker/compose.yaml mounts, in docker/secrets/: a key for every key domain
# that config/policies.yaml names and for the suppression list (caravan-keys.properties), and the
# Tink AES256_SIV keysets of the encrypt action and of the identity vault, and the AES256_GCM keyset of
# the archive (it wraps the data key of every kept partner file). Run it before the first
# `docker compose up`, and again after adding a policy with a new key domain: existing keys and
# keysets are kept, only missing ones are added.
#
#   docker/init-keys.sh            (from anywhere; needs docker, builds the image first)
#
# The keys are made by io.caravan.pseudonymise.ConfiguredKeyFiles inside the image (no network), so
# they follow the image's config/policies.yaml. The files end up owned by the image's caravan user
# (uid 10001), mode 0600: the container can read them, other users of this host cannot. Back them
# up (e.g. sudo tar): without its keys no stored token can be matched, re-keyed or erased by identifier.
set -eu

cd "$(dirname "$0")"
image="${CARAVAN_IMAGE:-caravan:latest}"

docker build -f Dockerfile -t "$image" ..

mkdir -p secrets
chmod 700 secrets
docker run --rm --network none --user root --entrypoint sh \
    -v "$(pwd)/secrets:/opt/caravan/secrets" "$image" -c '
        java -cp app/caravan.jar io.caravan.pseudonymise.ConfiguredKeyFiles secrets config/policies.yaml \
        && chown caravan:caravan secrets/*'
