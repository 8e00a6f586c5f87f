package io.caravan.api;

import io.caravan.error.SafeMessage;
import org.springframework.http.HttpStatus;

/**
 * A request the API refuses, with its status and an {@link ApiError}: bad input (400), unknown
 * resource (404), conflict (409). The message names the problem, never a value.
 */
public class ApiException extends RuntimeException implements SafeMessage {
    private final HttpStatus status;
    private final String field;

    public ApiException(HttpStatus status, String error, String field) {
        super(error, null, false, false);
        this.status = status;
        this.field = field;
    }

    public static ApiException badRequest(String error, String field) {
        return new ApiException(HttpStatus.BAD_REQUEST, error, field);
    }

    public static ApiException notFound(String error) {
        return new ApiException(HttpStatus.NOT_FOUND, error, null);
    }

    public static ApiException conflict(String error) {
        return new ApiException(HttpStatus.CONFLICT, error, null);
    }

    public HttpStatus status() {
        return status;
    }

    public ApiError body() {
        return new ApiError(getMessage(), field);
    }
}
