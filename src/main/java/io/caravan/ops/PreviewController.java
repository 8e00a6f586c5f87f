package io.caravan.ops;

import io.caravan.api.ApiException;
import io.caravan.error.DataException;
import io.caravan.fetch.FirstPage;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/connectors/{id}/preview} (operator): what the connector's flow would do with a
 * sample, with nothing written (see {@link ConnectorPreview}). The sample is the request body as it
 * is (e.g. {@code curl --data-binary @export.csv -H 'Content-Type: application/octet-stream'}), read as
 * a stream within {@code caravan.preview.max-bytes}; {@code ?file=} names it in messages. For an API
 * connector an empty body fetches the first page of its next sync from the sandbox or the partner.
 * {@code ?rows=} rows are shown (default {@code caravan.preview.rows}).
 *
 * <p>A sample refused as a whole (over a limit, a compressed archive, an XML {@code DOCTYPE}, a
 * header the reader cannot split) is {@code 400} naming the file and the rule; a partner API that cannot
 * be read {@code 502}; an unknown connector {@code 404}; a multipart body {@code 415}. Nothing of the
 * sample is logged.
 */
@RestController
class PreviewController {
    private static final int MAX_NAME = 120;

    private final ObjectProvider<ConnectorPreview> previews;
    private final ObjectProvider<FirstPage> firstPages;

    /**
     * Both looked up per call, so the ops API also runs in applications without connectors (404) or
     * without the fetch component (then only files are previewed).
     */
    PreviewController(ObjectProvider<ConnectorPreview> previews, ObjectProvider<FirstPage> firstPages) {
        this.previews = previews;
        this.firstPages = firstPages;
    }

    @PostMapping("/api/connectors/{id}/preview")
    Map<String, Object> preview(@PathVariable("id") String id, @RequestParam(name = "file", required = false) String file,
                                @RequestParam(name = "rows", required = false) Integer rows,
                                HttpServletRequest request) throws IOException {
        ConnectorPreview preview = previews.getIfAvailable();
        if (preview == null) {
            throw ApiException.notFound("previews are not available in this application");
        }
        Optional<FirstPage> firstPage = Optional.ofNullable(firstPages.getIfAvailable());
        if (preview.connector(id).isEmpty()) {
            throw ApiException.notFound("unknown connector");
        }
        PreviewProperties limits = preview.properties();
        int shown = rows == null ? limits.rows() : rows;
        if (shown < 0 || shown > limits.maxRows()) {
            throw ApiException.badRequest("rows must be between 0 and " + limits.maxRows(), "rows");
        }
        String contentType = request.getContentType();
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "send the sample file itself as the request body, not as a multipart form", "body");
        }
        String source = name(file);
        try (PushbackInputStream body = new PushbackInputStream(request.getInputStream(), 1)) {
            int first = body.read();
            if (first < 0) {
                FirstPage api = firstPage.filter(f -> f.isApi(id)).orElseThrow(() ->
                        ApiException.badRequest("the request body is empty: send a sample file", "body"));
                return preview.ofPage(id, api.open(id), api.displayUrl(id), shown);
            }
            body.unread(first);
            return preview.ofFile(id, body, source, shown);
        } catch (ApiException e) {
            throw e;
        } catch (DataException e) {
            throw ApiException.badRequest(e.getMessage(), "body");
        } catch (RuntimeException e) {
            if (e instanceof io.caravan.error.SafeMessage) {
                // Caravan's own errors name files, pages and rules, never values (e.g. a partner API that refused)
                throw new ApiException(e.getClass().getSimpleName()
                        .startsWith("Fetch") ? HttpStatus.BAD_GATEWAY : HttpStatus.BAD_REQUEST, e.getMessage(), "body");
            }
            throw e;
        }
    }

    /** The sample's name for messages: the last path segment, letters, digits, dot, dash and underscore only. */
    static String name(String file) {
        if (file == null || file.isBlank()) {
            return "sample";
        }
        String last = file.substring(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
        String clean = last.replaceAll("[^A-Za-z0-9._-]", "_");
        return clean.isEmpty() ? "sample" : clean.substring(0, Math.min(clean.length(), MAX_NAME));
    }
}
