package io.caravan.ops;

import io.caravan.api.ApiError;
import tools.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Answers refused calls with an {@link ApiError} body: {@code 401} with a Basic challenge when the
 * caller is not authenticated (or the credentials are wrong; the challenge is left out for the
 * console's own calls, marked {@code X-Requested-With: XMLHttpRequest}, so that a wrong password
 * shows the console's login form again instead of the browser's password dialog), {@code 403} when the caller lacks
 * the role. The body never repeats the user name or anything else the caller sent.
 */
final class JsonSecurityErrors implements AuthenticationEntryPoint, AccessDeniedHandler {
    private final ObjectMapper json;

    JsonSecurityErrors(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response,
                         AuthenticationException authException) throws IOException {
        if (!"XMLHttpRequest".equals(request.getHeader("X-Requested-With"))) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"caravan\"");
        }
        write(response, HttpServletResponse.SC_UNAUTHORIZED, ApiError.of("authentication required (HTTP Basic)"));
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response,
                       AccessDeniedException accessDeniedException) throws IOException {
        write(response, HttpServletResponse.SC_FORBIDDEN, ApiError.of("this call needs a role the user does not have"));
    }

    private void write(HttpServletResponse response, int status, ApiError body) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(), body);
    }
}
