package io.caravan.fetch;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A service-account key file as Google issues it ({@code {"type": "service_account",
 * "client_email", "private_key_id", "private_key": "-----BEGIN PRIVATE KEY-----..."}}) and the
 * JWT-bearer assertion it signs (RFC 7523; header {@code {"alg":"RS256","typ":"JWT","kid"}},
 * claims {@code iss}, {@code scope}, {@code aud} = the token URL, {@code iat}, {@code exp} one hour
 * later, {@code sub} when a user is impersonated), with the JDK's {@code SHA256withRSA}.
 *
 * <p>Immutable, thread-safe. Messages name the connector and the file's field, never the key or
 * the file's content; {@link #toString()} names the account's e-mail domain only.
 */
final class ServiceAccountJwt {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final String issuer;
    private final String keyId;
    private final PrivateKey key;

    ServiceAccountJwt(String issuer, String keyId, PrivateKey key) {
        this.issuer = issuer;
        this.keyId = keyId;
        this.key = key;
    }

    /** Reads the key file; a missing or unusable file or field is a {@link FetchException} naming it. */
    static ServiceAccountJwt read(String connectorId, Path file) {
        String where = connectorId + ": service-account key file (source.auth.keyFile)";
        JsonNode json;
        try {
            json = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new FetchException(where + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        } catch (JacksonException e) {
            throw new FetchException(where + ": is not JSON");
        }
        String email = json.path("client_email").asText("");
        String pem = json.path("private_key").asText("");
        if (email.isBlank() || pem.isBlank()) {
            throw new FetchException(where + ": client_email and private_key are required");
        }
        try {
            return new ServiceAccountJwt(email, json.path("private_key_id").asText(null), Pem.privateKey(pem));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new FetchException(where + ": private_key is not a PKCS#8 RSA key");
        }
    }

    /** A signed assertion for {@code audience} valid from {@code now} for one hour. */
    String assertion(URI audience, String scope, String subject, Instant now) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        if (keyId != null) {
            header.put("kid", keyId);
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        if (scope != null) {
            claims.put("scope", scope);
        }
        claims.put("aud", audience.toString());
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.getEpochSecond() + 3600);
        if (subject != null && !subject.isBlank()) {
            claims.put("sub", subject);
        }
        String signingInput = B64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + B64.encodeToString(JSON.writeValueAsBytes(claims));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new FetchException("service-account assertion could not be signed (" + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public String toString() {
        return "ServiceAccountJwt[" + issuer.substring(issuer.indexOf('@') + 1) + "]";
    }
}
